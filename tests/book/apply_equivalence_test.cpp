// OrderBook::apply() writes each level inline (no per-level call); it must do exactly what applying the
// same levels one by one with apply_level() does: same levels, same ApplyResult (applied, rejected,
// first error), same lifetime rejected count, for random deltas with malformed levels mixed in
// (non-positive price, off tick, negative or off-step quantity), deep and near-touch levels, on books
// of a few levels and of thousands.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <vector>

#include "bparb/book/order_book.hpp"

namespace bparb {
namespace {

MarketSpec apply_spec(const char* tick, const char* step) {
  MarketSpec m;
  m.symbol = "TEST_USDC";
  m.tick_size = Decimal::from_string(tick);
  m.step_size = Decimal::from_string(step);
  return m;
}

LevelUpdate random_apply_level(std::mt19937_64& rng, bool bid, std::int64_t depth, Decimal tick, Decimal step) {
  const std::int64_t mid = 100000;
  const std::int64_t off = static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(depth));
  const std::int64_t ticks = bid ? mid - 1 - off : mid + 1 + off;
  const std::int64_t lots = static_cast<std::int64_t>(rng() % 4);  // 25% deletes
  LevelUpdate u{Decimal::from_units(ticks, tick), Decimal::from_units(lots * 7, step)};
  switch (rng() % 16) {  // one level in four is malformed
    case 0:
      u.price = Decimal::from_raw(u.price.raw() + 1);  // off tick
      break;
    case 1:
      u.quantity = Decimal::from_raw(u.quantity.raw() + 3);  // off step
      break;
    case 2:
      u.quantity = Decimal::from_raw(-step.raw());  // negative
      break;
    case 3:
      u.price = rng() % 2 ? Decimal::zero() : Decimal::from_raw(-tick.raw());  // not positive
      break;
    default:
      break;
  }
  return u;
}

void expect_same_book(const OrderBook& a, const OrderBook& b) {
  for (Side s : {Side::kBid, Side::kAsk}) {
    const auto la = a.levels(s);
    const auto lb = b.levels(s);
    ASSERT_TRUE(std::equal(la.begin(), la.end(), lb.begin(), lb.end()));
  }
  EXPECT_EQ(a.rejected_levels(), b.rejected_levels());
}

// `max_levels`: levels per delta are 0..max_levels-1 (a frame with several levels on a side is merged in
// one pass; a price repeated within a frame must end as its last update). `check_every`: compare the
// whole books every that many deltas.
void run(const char* tick_s, const char* step_s, std::int64_t depth, int deltas, std::uint64_t seed, int max_levels = 8,
         int check_every = 101) {
  const MarketSpec m = apply_spec(tick_s, step_s);
  OrderBook fast(m, 64);  // small reserve: growth past capacity is exercised too
  OrderBook ref(m, 64);
  std::mt19937_64 rng(seed);
  DepthDelta d;
  for (int i = 0; i < deltas; ++i) {
    d.clear();
    d.first_update_id = i + 1;
    d.last_update_id = i + 1;
    d.engine_time_us = 1000 + i;
    const int n = static_cast<int>(rng() % static_cast<std::uint64_t>(max_levels));
    for (int k = 0; k < n; ++k) {
      const bool bid = rng() % 2 == 0;
      (bid ? d.bids : d.asks).push_back(random_apply_level(rng, bid, depth, m.tick_size, m.step_size));
    }
    const ApplyResult r = fast.apply(d);
    // The reference: one apply_level() per level, bids then asks, counting like apply() documents.
    ApplyResult want;
    for (Side s : {Side::kBid, Side::kAsk}) {
      for (const LevelUpdate& l : s == Side::kBid ? d.bids : d.asks) {
        const LevelError e = ref.apply_level(s, l.price, l.quantity);
        if (e == LevelError::kOk) {
          ++want.applied;
        } else {
          if (want.rejected == 0) want.first_error = e;
          ++want.rejected;
        }
      }
    }
    ASSERT_EQ(r.applied, want.applied) << "delta " << i;
    ASSERT_EQ(r.rejected, want.rejected) << "delta " << i;
    ASSERT_EQ(r.first_error, want.first_error) << "delta " << i;
    if (i % check_every == 0) {
      ASSERT_EQ(fast.level_count(Side::kBid), ref.level_count(Side::kBid)) << "delta " << i;
      ASSERT_EQ(fast.level_count(Side::kAsk), ref.level_count(Side::kAsk)) << "delta " << i;
      if (check_every == 1) expect_same_book(fast, ref);
    }
  }
  expect_same_book(fast, ref);
  EXPECT_EQ(fast.last_update_id(), deltas);  // apply() records the delta's id (apply_level() does not)
  EXPECT_GT(fast.rejected_levels(), 0u);
  EXPECT_GT(fast.level_count(Side::kBid), 0u);
}

TEST(OrderBookApply, SameAsLevelByLevelNearTheTouch) {
  run("0.01", "0.01", 16, 30000, 1);
}

TEST(OrderBookApply, SameAsLevelByLevelInADeepBook) {
  run("0.1", "0.001", 5000, 30000, 2);
}

TEST(OrderBookApply, SameAsLevelByLevelWithNonPowerOfTenTickAndStep) {
  run("0.05", "0.25", 200, 20000, 3);
}

// Many levels a frame within 12 prices a side: most frames repeat a price (insert then delete, delete
// then insert, two quantities) and merge into a book they empty and refill; compared after every frame.
TEST(OrderBookApply, SameAsLevelByLevelWithManyLevelsAndRepeatedPricesPerFrame) {
  run("0.01", "0.01", 12, 5000, 4, 60, 1);
}

// Binance-shaped: dozens of levels a frame anywhere in a book thousands deep.
TEST(OrderBookApply, SameAsLevelByLevelWithManyDeepLevelsPerFrame) {
  run("0.1", "0.001", 4000, 5000, 5, 80, 50);
}

}  // namespace
}  // namespace bparb
