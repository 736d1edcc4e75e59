#include "bparb/venue/backpack/venue.hpp"

#include <utility>

namespace bparb::backpack {

BackpackVenue make_backpack_venue(boost::asio::io_context& io, const Clock& clock, const BackpackVenueOptions& opts,
                                  const SigningKey& key, const InstrumentTable& instruments,
                                  TimestampUs history_from_us, std::shared_ptr<spdlog::logger> log, AdapterSink& sink) {
  BackpackVenue v;
  RestClientOptions ro;
  ro.http.base_url = opts.rest_url;
  ro.http.default_timeout_us = opts.rest_timeout_us;
  ro.window_ms = opts.request_window_ms;
  ro.rate_limit.requests_per_minute = opts.max_requests_per_minute;
  ro.order_timeout_us = opts.rest_timeout_us;
  v.rest = std::make_unique<RestClient>(io, clock, ro, &key);
  BackpackWsOptions wo;
  wo.ws.url = opts.ws_url;
  wo.ws.silence_timeout_us = opts.ws_stale_timeout_us;
  // Backpack's frames are a few KB; anything near a megabyte is a broken or hostile peer. The client drops
  // the connection (never buffers it), reconnects and resyncs the books like any other drop.
  wo.ws.max_message_bytes = 1u << 20;
  wo.window_ms = opts.request_window_ms;
  v.ws = std::make_unique<BackpackWs>(io, clock, wo, &key);
  v.feed = std::make_unique<MarketDataFeed>(io, clock, *v.ws, *v.rest);
  v.adapter =
      std::make_unique<BackpackAdapter>(io, clock, *v.rest, *v.ws, instruments, history_from_us, std::move(log), sink);
  return v;
}

}  // namespace bparb::backpack
