#include "bparb/app/lighter_node.hpp"

#include <array>
#include <stdexcept>
#include <utility>

#include "bparb/app/lighter_command.hpp"
#include "bparb/venue/lighter/keys.hpp"

namespace bparb::app {

bool hosts_lighter(const Config& cfg) noexcept {
  return cfg.venues.lighter.has_value() && !cfg.venues.lighter->markets.empty();
}

lighter::SignerConfig lighter_signer_config(const Config& cfg) {
  const LighterVenueConfig& l = *cfg.venues.lighter;
  lighter::SignerConfig s;
  s.chain_id = l.chain_id;
  s.account_index = l.account_index;
  s.api_key_index = static_cast<std::uint8_t>(l.api_key_index);
  return s;
}

lighter::Signer load_lighter_signer(const Config& cfg, std::string& from) {
  LighterKeySource source;
  source.env_file = cfg.exchange.env_file;
  std::string why;
  std::optional<lighter::Signer> s = lighter_signer(source, lighter_signer_config(cfg), why, &from);
  if (!s) throw std::runtime_error("[venues.lighter] lists markets but the Lighter key is unusable: " + why);
  return std::move(*s);
}

lighter::Signer paper_lighter_signer(const Config& cfg) {
  return lighter::Signer(lighter::PrivateKey::generate(), lighter_signer_config(cfg));
}

runtime::PaperOptions::Lighter paper_lighter_options(const Config& cfg, const lighter::Signer& signer) {
  const LighterVenueConfig& l = *cfg.venues.lighter;
  runtime::PaperOptions::Lighter p;
  p.markets = l.markets;
  p.account_index = l.account_index;
  p.api_key_index = static_cast<std::uint8_t>(l.api_key_index);
  std::array<char, 80> hex{};
  signer.public_key_hex(hex);
  p.public_key_hex.assign(hex.data(), hex.size());
  p.premium = l.account_tier == LighterTier::kPremium;
  return p;
}

runtime::LighterVenueOptions lighter_venue_options(const Config& cfg, std::string rest_url, std::string ws_url) {
  const LighterVenueConfig& l = *cfg.venues.lighter;
  runtime::LighterVenueOptions o;
  o.rest_url = std::move(rest_url);
  o.ws_url = std::move(ws_url);
  o.signer = lighter_signer_config(cfg);
  o.premium = l.account_tier == LighterTier::kPremium;
  o.markets = l.markets;
  o.source_path = cfg.source_path;
  o.dead_man_switch = l.dead_man_switch;
  o.dead_man.window_us = l.dead_man_window_us;
  o.dead_man.refresh_us = l.dead_man_refresh_us;
  o.dead_man.abort_on_stop = l.dead_man_abort_on_stop;
  o.rest_timeout_us = cfg.exchange.rest_timeout_us;
  return o;
}

void collect_lighter_health(const runtime::LighterVenue& venue, const InstrumentTable& instruments,
                            service::VenueHealth& out) {
  out.name = "lighter";
  out.stream_connected = venue.stream_connected();
  out.reconnects = venue.reconnects();
  out.book_resyncs = venue.book_resyncs();
  out.book_gaps = venue.book_gaps();
  for (const InstrumentId id : venue.instrument_ids())
    if (const OrderBook* b = venue.book(id))
      out.books.push_back({instruments.market(id).symbol, venue.book_valid(id), b->last_update_us()});
}

}  // namespace bparb::app
