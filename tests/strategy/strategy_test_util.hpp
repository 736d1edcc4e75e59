#pragma once
// Shared fixtures for the strategy tests: BTC spot/perp specs with DIFFERENT steps (0.00001 vs
// 0.0001, as on Backpack) and a helper that loads a book from literal levels.
#include <initializer_list>
#include <ostream>
#include <utility>

#include "bparb/book/order_book.hpp"
#include "bparb/core/market_spec.hpp"

namespace bparb {
// Readable failure messages ("0.0018" instead of raw bytes).
inline void PrintTo(const Decimal& d, std::ostream* os) {
  *os << d.str();
}
}  // namespace bparb

namespace bparb::testutil {

inline Decimal D(const char* s) {
  return Decimal::from_string(s);
}

// 2026-11-20 00:00:00 UTC.
constexpr TimestampUs kDay0 = 1'795'132'800LL * kUsPerSecond;

inline MarketSpec btc_spot() {
  MarketSpec s;
  s.symbol = "BTC_USDC";
  s.base_symbol = "BTC";
  s.quote_symbol = "USDC";
  s.type = MarketType::kSpot;
  s.tick_size = D("0.01");
  s.min_price = D("0.01");
  s.step_size = D("0.00001");
  s.min_quantity = D("0.00001");
  return s;
}

inline MarketSpec btc_perp() {
  MarketSpec s;
  s.symbol = "BTC_USDC_PERP";
  s.base_symbol = "BTC";
  s.quote_symbol = "USDC";
  s.type = MarketType::kPerp;
  s.tick_size = D("0.1");
  s.min_price = D("0.1");
  s.step_size = D("0.0001");
  s.min_quantity = D("0.0001");
  s.funding_interval_ms = 3'600'000;
  s.imf.present = true;
  s.imf.base = D("0.02");
  s.imf.factor = D("0");
  return s;
}

using Levels = std::initializer_list<std::pair<const char*, const char*>>;

// Loads a snapshot (marks the book valid) stamped at `t`.
inline void load(OrderBook& book, Levels bids, Levels asks, TimestampUs t) {
  DepthSnapshot snap;
  snap.last_update_id = 1;
  snap.timestamp_us = t;
  for (const auto& [p, q] : bids) snap.bids.push_back({D(p), D(q)});
  for (const auto& [p, q] : asks) snap.asks.push_back({D(p), D(q)});
  book.load_snapshot(snap, t);
}

}  // namespace bparb::testutil
