#pragma once
// Fixtures for the cross-venue tests: BTC perpetuals on Backpack (step 0.0001) and Lighter (step
// 0.00001), both with tick 0.1, and a fully healthy XarbInputs over two books the test owns.
#include "../strategy_test_util.hpp"
#include "bparb/strategy/cross_venue/xarb_signal.hpp"

namespace bparb::xarbtest {

using testutil::D;
using testutil::kDay0;
using testutil::load;

inline MarketSpec backpack_btc() {
  MarketSpec s = testutil::btc_perp();  // Backpack's BTC_USDC_PERP: tick 0.1, step 0.0001, IMF 0.02
  return s;
}

inline MarketSpec lighter_btc() {
  MarketSpec s;
  s.symbol = "BTC";
  s.base_symbol = "BTC";
  s.quote_symbol = "USDC";
  s.type = MarketType::kPerp;
  s.tick_size = D("0.1");
  s.min_price = D("0.1");
  s.step_size = D("0.00001");
  s.min_quantity = D("0.00001");
  s.funding_interval_ms = 3'600'000;
  return s;
}

// Two books, two specs and inputs where every health check passes; the test edits what it needs.
struct Rig {
  MarketSpec bs = backpack_btc();
  MarketSpec ls = lighter_btc();
  OrderBook bp{bs};
  OrderBook lt{ls};
  XarbInputs in;
  TimestampUs now = kDay0 + 10 * kUsPerSecond;

  Rig() {
    in.now = now;
    for (XarbVenueState* v : {&in.backpack, &in.lighter}) {
      v->private_stream_up = v->clock_settled = v->nonce_settled = true;
      v->available_margin = D("100000");
      v->synced_since_us = kDay0 - kUsPerHour;
    }
    in.backpack.spec = &bs;
    in.backpack.book = &bp;
    in.lighter.spec = &ls;
    in.lighter.book = &lt;
    in.backpack_fees = InstrumentFees{D("2"), D("5")};  // maker 2 bps, taker 5 bps
  }

  // Lighter's bid above Backpack's ask: a LongBackpack spread of 77 USD per unit for 0.02.
  void long_books() {
    load(bp, {{"49999.0", "1"}}, {{"50000.0", "0.01"}, {"50001.0", "1"}}, now);
    load(lt, {{"50080.0", "0.01"}, {"50075.0", "1"}}, {{"50081.0", "1"}}, now);
  }
  // Backpack's bid above Lighter's ask: a ShortBackpack spread.
  void short_books() {
    load(bp, {{"50080.0", "0.01"}, {"50075.0", "1"}}, {{"50081.0", "1"}}, now);
    load(lt, {{"49999.0", "1"}}, {{"50000.0", "0.01"}, {"50001.0", "1"}}, now);
  }
};

inline XarbParams base_params() {
  XarbParams p;
  p.target_notional_usd = D("1000");
  p.max_position_backpack = D("1");
  p.max_position_lighter = D("1");
  p.max_total_exposure_usd = D("1000000");
  p.min_net_edge_bps = D("1");
  return p;
}

}  // namespace bparb::xarbtest
