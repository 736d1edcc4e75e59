#pragma once
// Shared fixtures for the market maker tests: a SOL-like perp (tick 0.01, step 0.01, minimum 0.01) and a
// core driven by a scripted clock, with helpers for books, taker bursts and our quote's life cycle.
#include <gtest/gtest.h>

#include <cstdint>
#include <ostream>

#include "bparb/core/market_spec.hpp"
#include "bparb/strategy/market_maker/market_maker_core.hpp"

namespace bparb {
inline void PrintTo(const Decimal& d, std::ostream* os) {
  *os << d.str();
}
}  // namespace bparb

namespace bparb::mmtest {

inline Decimal D(const char* s) {
  return Decimal::from_string(s);
}

constexpr TimestampUs kT0 = 1'795'132'800LL * kUsPerSecond;  // 2026-11-20 00:00:00 UTC
constexpr TimestampUs kMs = kUsPerMs;

inline MarketSpec sol_perp() {
  MarketSpec s;
  s.symbol = "SOL_USDC_PERP";
  s.base_symbol = "SOL";
  s.quote_symbol = "USDC";
  s.type = MarketType::kPerp;
  s.tick_size = D("0.01");
  s.min_price = D("0.01");
  s.step_size = D("0.01");
  s.min_quantity = D("0.01");
  return s;
}

inline BookTop top(std::int64_t bid, std::int64_t ask, TimestampUs updated, std::int64_t bid_lots = 500,
                   std::int64_t ask_lots = 500) {
  BookTop t;
  t.bid_ticks = bid;
  t.bid_lots = bid_lots;
  t.next_bid_ticks = bid - 1;
  t.ask_ticks = ask;
  t.ask_lots = ask_lots;
  t.next_ask_ticks = ask + 1;
  t.updated_us = updated;
  t.valid = true;
  return t;
}

// The defaults, except that a price move is followed at once (requote_persist_ms = 0): most tests use a book
// move to provoke a cancel; the persistence rule has tests of its own.
inline MmParams requote_at_once(MmParams p = MmParams{}) {
  p.requote_persist_ms = 0;
  return p;
}

// A core on SOL at 149.99 / 150.01 with equity 1000 USD: quote size 10 USD = 6 lots at 150, cap 150 USD =
// 100 lots, soft level 80 lots.
struct Rig {
  explicit Rig(const MmParams& p = requote_at_once()) : core(p, sol_perp()) {}

  MarketMakerCore core;
  TimestampUs now = kT0;
  std::int64_t bid = 14'999;
  std::int64_t ask = 15'001;
  ClientId next_id = 100;

  void book(std::int64_t b, std::int64_t a) {
    bid = b;
    ask = a;
    core.on_book(top(b, a, now), now);
  }
  void refresh_book() { core.on_book(top(bid, ask, now), now); }
  void trade(bool taker_buy, std::int64_t lots = 10) {
    core.on_trade(PublicTrade{now, taker_buy ? ask : bid, lots, !taker_buy});
  }
  // Taker buys (or sells) enough to move the smoothed ratio past the switch ratio.
  void burst(bool taker_buy, int n = 6) {
    for (int i = 0; i < n; ++i) trade(taker_buy, 20);
  }
  void advance_ms(std::int64_t ms) { now += ms * kMs; }
  // Market data is fresh at `now`: a book frame and a trade that does not change the side much.
  void ready(bool taker_buy = true) {
    core.on_equity(D("1000"));
    book(bid, ask);
    burst(taker_buy);
  }
  MmDecision decide() { return core.decide(now); }
  // Decide, and if it is a place, have the kernel submit it and the venue accept it.
  MmDecision decide_and_accept() {
    MmDecision d = decide();
    if (d.action == MmAction::kPlace) {
      const ClientId id = next_id++;
      core.on_quote_submitted(id);
      core.on_quote_accepted(id);
    }
    return d;
  }
};

}  // namespace bparb::mmtest
