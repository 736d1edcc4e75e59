// The configuration's Lighter venue -> LighterRules (include/bparb/sim/lighter/venue_rules.hpp). The config
// loader has validated every value; LighterApi checks the rules against the Exchange again.
#include "bparb/sim/lighter/venue_rules.hpp"

namespace bparb::sim::lighter {

LighterRules lighter_rules_of(const VenueConfig& venue) {
  const LighterVenueConfig& c = venue.lighter;
  LighterRules r;
  r.chain_id = c.chain_id;
  for (const LighterMarketConfig& m : c.markets) {
    LighterMarketRules mr;
    mr.market_id = m.market_id;
    mr.symbol = m.symbol;
    mr.lighter_symbol = m.lighter_symbol;
    mr.min_base_amount = m.min_base_amount;
    mr.min_quote_amount = m.min_quote_amount;
    mr.default_initial_margin_fraction = m.default_initial_margin_fraction;
    mr.min_initial_margin_fraction = m.min_initial_margin_fraction;
    mr.maintenance_margin_fraction = m.maintenance_margin_fraction;
    mr.closeout_margin_fraction = m.closeout_margin_fraction;
    r.markets.push_back(std::move(mr));
  }
  for (const LighterAccountConfig& a : c.accounts) {
    LighterAccountRules ar;
    ar.account_index = a.account_index;
    ar.account = a.account;
    for (const LighterApiKeyConfig& k : a.api_keys)
      ar.api_keys.push_back(LighterApiKeyRules{k.index, k.public_key_hex});
    r.accounts.push_back(std::move(ar));
  }
  r.maker_fee_pct = c.maker_fee_pct;
  r.taker_fee_pct = c.taker_fee_pct;
  r.listen_address = venue.sim.server.listen_address;
  r.port = venue.sim.server.port;
  r.max_auth_token_lifetime_us = c.max_auth_token_lifetime_s * kUsPerSecond;
  return r;
}

}  // namespace bparb::sim::lighter
