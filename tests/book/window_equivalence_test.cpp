// OrderBook keeps a window of the best levels in a flat array and parks deeper levels in pages
// (docs/order_book.md). It must answer every query exactly as the flat book it replaced, kept here as
// reference::FlatOrderBook (flat_order_book.hpp): seeded random delta sequences on deep books (thousands
// of levels), with touch moves that drain the window, sweeps, crossed books, deltas in random and in price
// order, snapshots (unsorted, duplicated, malformed levels), clears and copies, comparing after every step the top,
// counts, spread, crossed, walks, VWAPs, notional walks, depth within bps, level(i), lots_at, near_levels, and every
// few steps the whole of levels().
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <vector>

#include "bparb/book/order_book.hpp"
#include "flat_order_book.hpp"

namespace bparb {
namespace {

using reference::FlatOrderBook;

MarketSpec window_spec(const char* tick, const char* step) {
  MarketSpec m;
  m.symbol = "TEST_USDC";
  m.tick_size = Decimal::from_string(tick);
  m.step_size = Decimal::from_string(step);
  return m;
}

void expect_same_fill(const BookFill& a, const BookFill& b) {
  EXPECT_EQ(a.quantity, b.quantity);
  EXPECT_EQ(a.notional, b.notional);
  EXPECT_EQ(a.vwap, b.vwap);
  EXPECT_EQ(a.best_price, b.best_price);
  EXPECT_EQ(a.worst_price, b.worst_price);
  EXPECT_EQ(a.levels, b.levels);
  EXPECT_EQ(a.complete, b.complete);
}

void expect_same_level(const BookLevel& a, const BookLevel& b) {
  EXPECT_EQ(a.price, b.price);
  EXPECT_EQ(a.quantity, b.quantity);
  EXPECT_EQ(a.empty, b.empty);
}

std::int64_t ref_lots_at(const FlatOrderBook& r, Side s, std::int64_t ticks) {
  for (const PriceLevel& l : r.levels(s))
    if (l.price_ticks == ticks) return l.qty_lots;
  return 0;
}

class Checker {
 public:
  Checker(const MarketSpec& m, std::uint64_t seed) : m_(m), rng_(seed) {}

  // Everything but the whole level arrays; `full` adds levels() and every lots_at.
  void compare(const OrderBook& w, const FlatOrderBook& r, bool full) {
    for (Side s : {Side::kBid, Side::kAsk}) {
      ASSERT_EQ(w.level_count(s), r.level_count(s));
      EXPECT_EQ(w.empty(s), r.empty(s));
      const PriceLevel* wt = w.top(s);
      const PriceLevel* rt = r.top(s);
      ASSERT_EQ(wt == nullptr, rt == nullptr);
      if (wt != nullptr) {
        EXPECT_EQ(*wt, *rt);
      }
      const std::size_t n = r.level_count(s);
      const std::span<const PriceLevel> near = w.near_levels(s);
      EXPECT_GE(near.size(), std::min(n, OrderBook::kNearLevels));
      ASSERT_LE(near.size(), n);
      for (std::size_t i = 0; i < 3; ++i) {
        const std::size_t k = n == 0 ? i : static_cast<std::size_t>(rng_() % (n + 2));
        expect_same_level(w.level(s, k), r.level(s, k));
        if (k < near.size()) {
          EXPECT_EQ(near[near.size() - 1 - k], r.levels(s)[n - 1 - k]);
        }
      }
      if (n > 0) {
        const std::int64_t t = r.levels(s)[static_cast<std::size_t>(rng_() % n)].price_ticks;
        EXPECT_EQ(w.lots_at(s, t), ref_lots_at(r, s, t));
        EXPECT_EQ(w.lots_at(s, t + 1), ref_lots_at(r, s, t + 1));
      }
      for (const char* bps : {"0", "3", "25", "400", "20000"})
        EXPECT_EQ(w.quantity_within_bps(s, Decimal::from_string(bps)),
                  r.quantity_within_bps(s, Decimal::from_string(bps)));
      // Sizes from inside one level to more than the whole book, with and without a limit price.
      const std::int64_t lots = static_cast<std::int64_t>(rng_() % (rng_() % 4 == 0 ? 2'000'000 : 20'000));
      const Decimal qty = Decimal::from_units(lots, m_.step_size);
      expect_same_fill(w.walk(s, qty), r.walk(s, qty));
      if (const PriceLevel* opp = r.top(s == Side::kBid ? Side::kAsk : Side::kBid)) {
        const std::int64_t off = static_cast<std::int64_t>(rng_() % 400) - 5;
        const std::int64_t limit = s == Side::kBid ? opp->price_ticks + off : opp->price_ticks - off;
        const Decimal lp = Decimal::from_units(std::max<std::int64_t>(limit, 1), m_.tick_size);
        expect_same_fill(w.walk(s, qty, lp), r.walk(s, qty, lp));
        const Decimal quote = Decimal::from_units(static_cast<std::int64_t>(rng_() % 5'000'000'000), m_.tick_size);
        expect_same_fill(w.walk_notional(s, quote), r.walk_notional(s, quote));
      }
      if (full) {
        const auto wl = w.levels(s);
        const auto rl = r.levels(s);
        ASSERT_TRUE(std::equal(wl.begin(), wl.end(), rl.begin(), rl.end()));
        // near_levels() is the best end of levels().
        ASSERT_TRUE(std::equal(near.begin(), near.end(), wl.end() - static_cast<std::ptrdiff_t>(near.size())));
        for (const PriceLevel& l : rl) ASSERT_EQ(w.lots_at(s, l.price_ticks), l.qty_lots);
      }
    }
    EXPECT_EQ(w.mid(), r.mid());
    EXPECT_EQ(w.spread(), r.spread());
    EXPECT_EQ(w.spread_ticks(), r.spread_ticks());
    EXPECT_EQ(w.spread_bps(), r.spread_bps());
    EXPECT_EQ(w.crossed(), r.crossed());
    EXPECT_EQ(w.rejected_levels(), r.rejected_levels());
    EXPECT_EQ(w.last_update_id(), r.last_update_id());
    EXPECT_EQ(w.valid(), r.valid());
  }

  std::mt19937_64& rng() { return rng_; }

 private:
  MarketSpec m_;
  std::mt19937_64 rng_;
};

// A level around `center`: mostly near the touch, often thousands of levels deep, sometimes malformed.
LevelUpdate random_level(std::mt19937_64& rng, bool bid, std::int64_t center, std::int64_t depth, const MarketSpec& m) {
  const std::int64_t off = rng() % 3 == 0 ? static_cast<std::int64_t>(rng() % 40)
                                          : static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(depth));
  const std::int64_t ticks = std::max<std::int64_t>(1, bid ? center - 1 - off : center + 1 + off);
  const std::int64_t lots = rng() % 3 == 0 ? 0 : static_cast<std::int64_t>(1 + rng() % 500);
  LevelUpdate u{Decimal::from_units(ticks, m.tick_size), Decimal::from_units(lots, m.step_size)};
  switch (rng() % 64) {
    case 0:
      u.price = Decimal::from_raw(u.price.raw() + 1);  // off tick
      break;
    case 1:
      u.quantity = Decimal::from_raw(-m.step_size.raw());  // negative
      break;
    default:
      break;
  }
  return u;
}

DepthSnapshot random_snapshot(std::mt19937_64& rng, std::int64_t center, std::int64_t depth, std::int64_t id,
                              const MarketSpec& m) {
  DepthSnapshot s;
  s.last_update_id = id;
  s.timestamp_us = 1000 + id;
  const std::size_t n = static_cast<std::size_t>(rng() % static_cast<std::uint64_t>(depth));
  for (std::size_t i = 0; i < n; ++i) {
    s.bids.push_back(random_level(rng, true, center, depth, m));
    s.asks.push_back(random_level(rng, false, center, depth, m));
  }
  if (rng() % 2 == 0) {  // the venue's order (ascending by price) for some, arbitrary for others
    auto asc = [](const LevelUpdate& a, const LevelUpdate& b) { return a.price < b.price; };
    std::sort(s.bids.begin(), s.bids.end(), asc);
    std::sort(s.asks.begin(), s.asks.end(), asc);
  }
  return s;
}

void run_window(const char* tick, const char* step, std::int64_t depth, int steps, std::uint64_t seed) {
  const MarketSpec m = window_spec(tick, step);
  OrderBook w(m, 256);  // small reserve: pool and buffer growth are exercised too
  FlatOrderBook r(m, 256);
  Checker check(m, seed ^ 0x9e3779b97f4a7c15ULL);
  std::mt19937_64& rng = check.rng();
  std::int64_t center = 1'000'000;
  std::int64_t id = 1;
  {
    const DepthSnapshot s = random_snapshot(rng, center, depth, id, m);
    const ApplyResult a = w.load_snapshot(s);
    const ApplyResult b = r.load_snapshot(s);
    ASSERT_EQ(a.applied, b.applied);
    ASSERT_EQ(a.rejected, b.rejected);
  }
  DepthDelta d;
  for (int i = 0; i < steps; ++i) {
    ++id;
    d.clear();
    d.first_update_id = d.last_update_id = id;
    d.engine_time_us = 1000 + id;
    const std::uint64_t kind = rng() % 100;
    if (kind < 3) {
      // Touch move: the center jumps and the side it moved into is swept (its best levels deleted up to
      // the new center), which drains the window and forces refills from the pages.
      const std::int64_t jump = static_cast<std::int64_t>(rng() % 600) - 300;
      const bool sweep_asks = jump > 0;
      const std::int64_t from = center;
      center = std::max<std::int64_t>(depth + 50, center + jump);
      for (std::int64_t t = std::min(from, center) - 1; t <= std::max(from, center) + 1; ++t)
        (sweep_asks ? d.asks : d.bids).push_back({Decimal::from_units(t, m.tick_size), Decimal::zero()});
    } else if (kind < 4) {
      // Crossed data: a bid through the best ask (the book must report it, not fix it).
      if (const PriceLevel* a = r.top(Side::kAsk))
        d.bids.push_back({Decimal::from_units(a->price_ticks + static_cast<std::int64_t>(rng() % 3), m.tick_size),
                          Decimal::from_units(7, m.step_size)});
    } else if (kind < 5 && i % 7 == 0) {
      const DepthSnapshot s = random_snapshot(rng, center, depth, id, m);
      const ApplyResult a = w.load_snapshot(s, 5);
      const ApplyResult b = r.load_snapshot(s, 5);
      ASSERT_EQ(a.applied, b.applied);
      ASSERT_EQ(a.rejected, b.rejected);
      ASSERT_EQ(a.first_error, b.first_error);
      check.compare(w, r, true);
      continue;
    } else if (kind == 5 && i % 11 == 0) {
      w.clear();
      r.clear();
    } else if (kind < 8) {
      // One level by ticks (simulator path).
      const Side s = rng() % 2 ? Side::kBid : Side::kAsk;
      const std::int64_t off = static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(depth));
      const std::int64_t t = s == Side::kBid ? center - 1 - off : center + 1 + off;
      const std::int64_t lots = static_cast<std::int64_t>(rng() % 3);
      ASSERT_EQ(w.apply_level_ticks(s, t, lots), r.apply_level_ticks(s, t, lots));
    }
    const int n = static_cast<int>(rng() % 70);  // Binance diffs carry up to ~70 levels
    for (int k = 0; k < n; ++k) {
      const bool bid = rng() % 2 == 0;
      (bid ? d.bids : d.asks).push_back(random_level(rng, bid, center, depth, m));
    }
    if (rng() % 2 == 0) {  // in price order, as Binance lists a diff's levels (deep bids walk up, deep asks down)
      auto asc = [](const LevelUpdate& a, const LevelUpdate& b) { return a.price < b.price; };
      std::sort(d.bids.begin(), d.bids.end(), asc);
      std::sort(d.asks.begin(), d.asks.end(), asc);
    }
    const TimestampUs received = rng() % 2 ? 0 : 7 + id;
    const ApplyResult a = w.apply(d, received);
    const ApplyResult b = r.apply(d, received);
    ASSERT_EQ(a.applied, b.applied);
    ASSERT_EQ(a.rejected, b.rejected);
    ASSERT_EQ(a.first_error, b.first_error);
    if (i % 13 == 0) {
      w.set_valid(true);
      r.set_valid(true);
    }
    check.compare(w, r, i % 50 == 0);
    if (::testing::Test::HasFatalFailure()) return;
  }
  check.compare(w, r, true);
  // A copy is an independent book with the same answers.
  OrderBook copy = w;
  check.compare(copy, r, true);
  copy.apply_level_ticks(Side::kBid, center - 1, 0);
  check.compare(w, r, true);
}

TEST(OrderBookWindow, MatchesFlatBookOnDeepBooks) {
  run_window("0.1", "0.001", 4000, 3000, 1);
}
TEST(OrderBookWindow, MatchesFlatBookOnVeryDeepBooks) {
  run_window("0.01", "0.00001", 12000, 1200, 2);
}
TEST(OrderBookWindow, MatchesFlatBookOnShallowBooks) {
  run_window("0.5", "1", 60, 4000, 3);
}
TEST(OrderBookWindow, MatchesFlatBookAcrossSeeds) {
  for (std::uint64_t seed = 10; seed < 14; ++seed) run_window("0.1", "0.01", 1500, 1000, seed);
}

}  // namespace
}  // namespace bparb
