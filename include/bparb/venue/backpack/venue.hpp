#pragma once
// The Backpack venue as a node uses it: REST and WebSocket clients signed with one key, the market-data feed
// over them, and the adapter that translates the engine's orders and the venue's reports. Built in one place so
// that the daemon (and any other composition root) only chooses the endpoints and limits.
#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>

#include "bparb/core/clock.hpp"
#include "bparb/core/market_spec.hpp"
#include "bparb/venue/backpack/adapter.hpp"
#include "bparb/venue/backpack/market_data.hpp"
#include "bparb/venue/backpack/rest_client.hpp"
#include "bparb/venue/backpack/signer.hpp"
#include "bparb/venue/backpack/ws_client.hpp"

namespace bparb::backpack {

struct BackpackVenueOptions {
  std::string rest_url;
  std::string ws_url;
  DurationUs rest_timeout_us = 5 * kUsPerSecond;       // every REST request, orders included
  std::int64_t request_window_ms = kDefaultWindowMs;   // X-Window of signed requests and private subscriptions
  std::int64_t max_requests_per_minute = 1'200;        // the client-side limiter
  DurationUs ws_stale_timeout_us = 30 * kUsPerSecond;  // no frame for this long: reconnect
};

// Members are destroyed in reverse order: the adapter before the feed, the feed before the clients it reads.
struct BackpackVenue {
  std::unique_ptr<RestClient> rest;
  std::unique_ptr<BackpackWs> ws;
  std::unique_ptr<MarketDataFeed> feed;
  std::unique_ptr<BackpackAdapter> adapter;
};

// `key` signs every private request and must outlive the venue; `instruments`, `history_from_us`, `log` and `sink`
// are the adapter's (adapter.hpp).
BackpackVenue make_backpack_venue(boost::asio::io_context& io, const Clock& clock, const BackpackVenueOptions& opts,
                                  const SigningKey& key, const InstrumentTable& instruments,
                                  TimestampUs history_from_us, std::shared_ptr<spdlog::logger> log, AdapterSink& sink);

}  // namespace bparb::backpack
