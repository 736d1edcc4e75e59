#include "bparb/book/order_book.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <vector>

namespace bparb {
namespace {

Decimal D(const char* s) {
  return Decimal::from_string(s);
}

MarketSpec sol_spec() {
  MarketSpec m;
  m.symbol = "SOL_USDC";
  m.tick_size = D("0.01");
  m.step_size = D("0.01");
  return m;
}

MarketSpec btc_spec() {
  MarketSpec m;
  m.symbol = "BTC_USDC_PERP";
  m.tick_size = D("0.1");
  m.step_size = D("0.00001");
  return m;
}

void set(OrderBook& b, Side s, const char* px, const char* qty) {
  ASSERT_EQ(b.apply_level(s, D(px), D(qty)), LevelError::kOk) << px << " " << qty;
}

// Asks 100.00 x1, 100.10 x2, 100.50 x3; bids 99.90 x1, 99.80 x2, 99.50 x3.
OrderBook ladder() {
  OrderBook b(sol_spec());
  set(b, Side::kAsk, "100.50", "3");
  set(b, Side::kAsk, "100.00", "1");
  set(b, Side::kAsk, "100.10", "2");
  set(b, Side::kBid, "99.50", "3");
  set(b, Side::kBid, "99.90", "1");
  set(b, Side::kBid, "99.80", "2");
  return b;
}

TEST(OrderBook, RejectsNonPositiveTickOrStep) {
  MarketSpec m = sol_spec();
  m.tick_size = Decimal::zero();
  EXPECT_THROW(OrderBook{m}, std::invalid_argument);
  m = sol_spec();
  m.step_size = D("-0.01");
  EXPECT_THROW(OrderBook{m}, std::invalid_argument);
}

TEST(OrderBook, StartsEmptyAndInvalid) {
  OrderBook b(sol_spec());
  EXPECT_FALSE(b.valid());
  EXPECT_TRUE(b.best_bid().empty);
  EXPECT_TRUE(b.best_ask().empty);
  EXPECT_EQ(b.top(Side::kBid), nullptr);
  EXPECT_EQ(b.mid(), Decimal::zero());
  EXPECT_EQ(b.spread(), Decimal::zero());
  EXPECT_EQ(b.spread_bps(), 0.0);
  EXPECT_FALSE(b.crossed());
}

TEST(OrderBook, InsertReplaceDeleteBids) {
  OrderBook b(sol_spec());
  set(b, Side::kBid, "100.00", "1.5");
  set(b, Side::kBid, "100.01", "2");
  EXPECT_EQ(b.level_count(Side::kBid), 2u);
  EXPECT_EQ(b.best_bid().price, D("100.01"));
  EXPECT_EQ(b.best_bid().quantity, D("2"));
  EXPECT_FALSE(b.best_bid().empty);

  set(b, Side::kBid, "100.01", "3.25");  // replace (absolute quantity, not added)
  EXPECT_EQ(b.level_count(Side::kBid), 2u);
  EXPECT_EQ(b.best_bid().quantity, D("3.25"));

  set(b, Side::kBid, "100.01", "0");  // delete
  EXPECT_EQ(b.level_count(Side::kBid), 1u);
  EXPECT_EQ(b.best_bid().price, D("100.00"));
  EXPECT_EQ(b.best_bid().quantity, D("1.5"));

  set(b, Side::kBid, "99.00", "0");  // deleting a missing level is a no-op, not an error
  EXPECT_EQ(b.level_count(Side::kBid), 1u);
  EXPECT_EQ(b.rejected_levels(), 0u);
  EXPECT_EQ(b.level_count(Side::kAsk), 0u);
}

TEST(OrderBook, LevelsAreOrderedBestFirstAndStoredBestAtBack) {
  OrderBook b = ladder();
  EXPECT_EQ(b.level(Side::kAsk, 0).price, D("100.00"));
  EXPECT_EQ(b.level(Side::kAsk, 1).price, D("100.10"));
  EXPECT_EQ(b.level(Side::kAsk, 2).price, D("100.50"));
  EXPECT_EQ(b.level(Side::kAsk, 2).quantity, D("3"));
  EXPECT_TRUE(b.level(Side::kAsk, 3).empty);
  EXPECT_EQ(b.level(Side::kBid, 0).price, D("99.90"));
  EXPECT_EQ(b.level(Side::kBid, 1).price, D("99.80"));
  EXPECT_EQ(b.level(Side::kBid, 2).price, D("99.50"));

  auto asks = b.levels(Side::kAsk);
  ASSERT_EQ(asks.size(), 3u);
  EXPECT_EQ(asks.back(), (PriceLevel{10000, 100}));   // best ask at the back
  EXPECT_EQ(asks.front(), (PriceLevel{10050, 300}));  // worst at the front
  auto bids = b.levels(Side::kBid);
  EXPECT_EQ(bids.back(), (PriceLevel{9990, 100}));
  EXPECT_EQ(bids.front(), (PriceLevel{9950, 300}));
  ASSERT_NE(b.top(Side::kAsk), nullptr);
  EXPECT_EQ(b.top(Side::kAsk)->price_ticks, 10000);
}

TEST(OrderBook, ManyLevelsStaySortedUnderDeepAndTopUpdates) {
  // Exercise both the linear scan near the top and the binary search deeper down.
  OrderBook b(sol_spec());
  for (int i = 1; i <= 40; ++i) ASSERT_EQ(b.apply_level_ticks(Side::kAsk, 1000 + 2 * i, i), LevelError::kOk);
  ASSERT_EQ(b.apply_level_ticks(Side::kAsk, 1001, 7), LevelError::kOk);   // new best
  ASSERT_EQ(b.apply_level_ticks(Side::kAsk, 1061, 9), LevelError::kOk);   // deep insert between 1060 and 1062
  ASSERT_EQ(b.apply_level_ticks(Side::kAsk, 1070, 0), LevelError::kOk);   // deep delete
  ASSERT_EQ(b.apply_level_ticks(Side::kAsk, 1050, 99), LevelError::kOk);  // deep replace
  auto v = b.levels(Side::kAsk);
  ASSERT_EQ(v.size(), 41u);
  for (std::size_t i = 1; i < v.size(); ++i) EXPECT_GT(v[i - 1].price_ticks, v[i].price_ticks);
  EXPECT_EQ(v.back().price_ticks, 1001);
  EXPECT_EQ(b.level(Side::kAsk, 0).quantity, D("0.07"));
  bool saw_1061 = false;
  for (const PriceLevel& l : v) {
    EXPECT_NE(l.price_ticks, 1070);
    if (l.price_ticks == 1061) saw_1061 = l.qty_lots == 9;
    if (l.price_ticks == 1050) {
      EXPECT_EQ(l.qty_lots, 99);
    }
  }
  EXPECT_TRUE(saw_1061);
}

TEST(OrderBook, SnapshotInBackpackOrderBestBidLast) {
  // Real BTC_USDC snapshot shape (docs/backpack.md §6): both sides ascending, best bid last.
  OrderBook b(btc_spec());
  DepthSnapshot s;
  s.last_update_id = 1504999670;
  s.timestamp_us = 1753102447307501;
  s.asks = {{D("118318.3"), D("0.00633")}, {D("118567.2"), D("0.08450")}};
  s.bids = {{D("1.0"), D("0.38647")}, {D("12.9"), D("1.00000")}};
  ApplyResult r = b.load_snapshot(s);
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.applied, 4u);
  EXPECT_TRUE(b.valid());
  EXPECT_EQ(b.last_update_id(), 1504999670);
  EXPECT_EQ(b.last_update_us(), 1753102447307501);
  EXPECT_EQ(b.best_bid().price, D("12.9"));
  EXPECT_EQ(b.best_bid().quantity, D("1"));
  EXPECT_EQ(b.level(Side::kBid, 1).price, D("1.0"));
  EXPECT_EQ(b.best_ask().price, D("118318.3"));
  EXPECT_EQ(b.best_ask().quantity, D("0.00633"));
  EXPECT_EQ(b.level(Side::kAsk, 1).price, D("118567.2"));
}

TEST(OrderBook, SnapshotSortedDefensivelyAndBadLevelsCounted) {
  OrderBook b(sol_spec());
  set(b, Side::kBid, "1.00", "1");  // must disappear: a snapshot replaces the book
  DepthSnapshot s;
  s.last_update_id = 7;
  s.bids = {{D("99.80"), D("2")}, {D("99.95"), D("1")}, {D("99.90"), D("3")},
            {D("99.90"), D("4")}, {D("99.85"), D("0")}, {D("99.853"), D("1")}};
  s.asks = {{D("100.20"), D("2")}, {D("100.05"), D("1")}, {D("100.10"), D("0.005")}};
  ApplyResult r = b.load_snapshot(s, 5000);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.rejected, 3u);  // duplicate 99.90, off-tick 99.853, off-step 0.005
  EXPECT_EQ(r.applied, 6u);   // includes the zero-quantity level (skipped, not an error)
  EXPECT_EQ(r.first_error, LevelError::kOffTick);
  EXPECT_EQ(b.rejected_levels(), 3u);
  ASSERT_EQ(b.level_count(Side::kBid), 3u);
  EXPECT_EQ(b.level(Side::kBid, 0).price, D("99.95"));
  EXPECT_EQ(b.level(Side::kBid, 1).price, D("99.90"));
  EXPECT_EQ(b.level(Side::kBid, 2).price, D("99.80"));
  ASSERT_EQ(b.level_count(Side::kAsk), 2u);
  EXPECT_EQ(b.best_ask().price, D("100.05"));
  EXPECT_EQ(b.level(Side::kAsk, 1).price, D("100.20"));
  EXPECT_EQ(b.last_update_us(), 5000);
}

TEST(OrderBook, OffTickOffStepAndNegativeInputRejected) {
  OrderBook b(sol_spec());
  EXPECT_EQ(b.apply_level(Side::kBid, D("100.005"), D("1")), LevelError::kOffTick);
  EXPECT_EQ(b.apply_level(Side::kBid, D("100.00"), D("0.005")), LevelError::kOffStep);
  EXPECT_EQ(b.apply_level(Side::kBid, D("100.00"), D("-1")), LevelError::kBadQuantity);
  EXPECT_EQ(b.apply_level(Side::kAsk, D("0"), D("1")), LevelError::kBadPrice);
  EXPECT_EQ(b.apply_level(Side::kAsk, D("-5.00"), D("1")), LevelError::kBadPrice);
  EXPECT_EQ(b.apply_level_ticks(Side::kAsk, 0, 1), LevelError::kBadPrice);
  EXPECT_EQ(b.apply_level_ticks(Side::kAsk, 10, -1), LevelError::kBadQuantity);
  EXPECT_EQ(b.rejected_levels(), 7u);
  EXPECT_EQ(b.level_count(Side::kBid) + b.level_count(Side::kAsk), 0u);
  EXPECT_STREQ(to_string(LevelError::kOffTick), "price not on tick");

  // BTC: tick 0.1, step 0.00001.
  OrderBook btc(btc_spec());
  EXPECT_EQ(btc.apply_level(Side::kAsk, D("50000.05"), D("0.001")), LevelError::kOffTick);
  EXPECT_EQ(btc.apply_level(Side::kAsk, D("50000.1"), D("0.000001")), LevelError::kOffStep);
  EXPECT_EQ(btc.apply_level(Side::kAsk, D("50000.1"), D("0.00001")), LevelError::kOk);
}

TEST(OrderBook, NonPowerOfTenTickAndStep) {
  // Ticks like 0.05 / steps like 0.25 take the generic division path.
  MarketSpec m;
  m.symbol = "ODD";
  m.tick_size = D("0.05");
  m.step_size = D("0.25");
  OrderBook b(m);
  EXPECT_EQ(b.apply_level(Side::kAsk, D("100.05"), D("0.75")), LevelError::kOk);
  EXPECT_EQ(b.apply_level(Side::kAsk, D("100.10"), D("1.5")), LevelError::kOk);
  EXPECT_EQ(b.apply_level(Side::kAsk, D("100.03"), D("1")), LevelError::kOffTick);
  EXPECT_EQ(b.apply_level(Side::kAsk, D("100.15"), D("0.3")), LevelError::kOffStep);
  ASSERT_NE(b.top(Side::kAsk), nullptr);
  EXPECT_EQ(b.top(Side::kAsk)->price_ticks, 2001);
  EXPECT_EQ(b.top(Side::kAsk)->qty_lots, 3);
  // Buy 1.25: 0.75 @ 100.05 + 0.5 @ 100.10 = 75.0375 + 50.05 = 125.0875; VWAP 100.07 exactly.
  BookFill f = b.walk(Side::kBid, D("1.25"));
  EXPECT_TRUE(f.complete);
  EXPECT_EQ(f.notional, D("125.0875"));
  EXPECT_EQ(f.vwap, D("100.07"));
}

TEST(OrderBook, DeltaAppliesGoodLevelsAndReportsBadOnes) {
  OrderBook b(sol_spec());
  DepthDelta d;
  d.first_update_id = 10;
  d.last_update_id = 12;
  d.engine_time_us = 777;
  d.bids = {{D("99.00"), D("1")}, {D("98.999"), D("1")}};
  d.asks = {{D("101.00"), D("2")}, {D("102.00"), D("0")}};
  ApplyResult r = b.apply(d);
  EXPECT_EQ(r.applied, 3u);
  EXPECT_EQ(r.rejected, 1u);
  EXPECT_EQ(r.first_error, LevelError::kOffTick);
  EXPECT_EQ(b.best_bid().price, D("99.00"));
  EXPECT_EQ(b.best_ask().price, D("101.00"));
  EXPECT_EQ(b.last_update_id(), 12);
  EXPECT_EQ(b.last_engine_time_us(), 777);
  EXPECT_EQ(b.last_update_us(), 777);  // no receive time given: engine time
  EXPECT_FALSE(b.valid());             // apply never validates; DepthSync does
}

// applied_ticks(): the prices of exactly the levels the last apply() accepted, per side, in the delta's order
// with repeats (deletes and deletes of missing levels included, refused levels left out); the next apply()
// replaces them.
TEST(OrderBook, AppliedTicksListWhatTheLastDeltaChanged) {
  OrderBook b(sol_spec());
  DepthDelta d;
  d.first_update_id = d.last_update_id = 1;
  d.bids = {{D("99.00"), D("1")}, {D("98.999"), D("1")}, {D("98.00"), D("0")}, {D("99.00"), D("2")}};
  d.asks = {{D("101.00"), D("2")}, {D("-1"), D("1")}, {D("102.00"), D("0.001")}, {D("103.00"), D("0")}};
  b.apply(d);
  EXPECT_EQ(std::vector<std::int64_t>(b.applied_ticks(Side::kBid).begin(), b.applied_ticks(Side::kBid).end()),
            (std::vector<std::int64_t>{9900, 9800, 9900}));
  EXPECT_EQ(std::vector<std::int64_t>(b.applied_ticks(Side::kAsk).begin(), b.applied_ticks(Side::kAsk).end()),
            (std::vector<std::int64_t>{10100, 10300}));
  d.last_update_id = 2;
  d.bids.clear();
  d.asks = {{D("101.50"), D("1")}};
  b.apply(d);
  EXPECT_TRUE(b.applied_ticks(Side::kBid).empty());
  ASSERT_EQ(b.applied_ticks(Side::kAsk).size(), 1u);
  EXPECT_EQ(b.applied_ticks(Side::kAsk)[0], 10150);
}

TEST(OrderBook, MidSpreadCrossed) {
  OrderBook b(sol_spec());
  set(b, Side::kBid, "100.00", "1");
  set(b, Side::kAsk, "100.03", "1");
  EXPECT_EQ(b.mid(), D("100.015"));
  EXPECT_EQ(b.spread(), D("0.03"));
  EXPECT_EQ(b.spread_ticks(), 3);
  EXPECT_NEAR(b.spread_bps(), 0.03 / 100.015 * 1e4, 1e-9);
  EXPECT_FALSE(b.crossed());
  set(b, Side::kBid, "100.03", "1");
  EXPECT_TRUE(b.crossed());
  EXPECT_EQ(b.spread(), Decimal::zero());
}

TEST(OrderBook, WalkBuySpansLevelsExactVwap) {
  OrderBook b = ladder();
  // 1 @ 100.00 + 2 @ 100.10 + 1 @ 100.50 = 400.70; VWAP 100.175 (exact).
  BookFill f = b.walk(Side::kBid, D("4"));
  EXPECT_TRUE(f.complete);
  EXPECT_EQ(f.quantity, D("4"));
  EXPECT_EQ(f.notional, D("400.7"));
  EXPECT_EQ(f.vwap, D("100.175"));
  EXPECT_EQ(f.best_price, D("100.00"));
  EXPECT_EQ(f.worst_price, D("100.50"));
  EXPECT_EQ(f.levels, 3);
}

TEST(OrderBook, WalkVwapRoundedAdverselyForTheTaker) {
  OrderBook b = ladder();
  // Buy 3: 100.00 + 200.20 = 300.20 / 3 = 100.0666666666.. -> rounded UP for a buyer.
  BookFill buy = b.walk(Side::kBid, D("3"));
  EXPECT_EQ(buy.notional, D("300.2"));
  EXPECT_EQ(buy.vwap, D("100.066666667"));
  EXPECT_EQ(buy.worst_price, D("100.10"));
  EXPECT_EQ(buy.levels, 2);
  // Sell 3: 99.90 + 199.60 = 299.50 / 3 = 99.8333333333.. -> rounded DOWN for a seller.
  BookFill sell = b.walk(Side::kAsk, D("3"));
  EXPECT_TRUE(sell.complete);
  EXPECT_EQ(sell.notional, D("299.5"));
  EXPECT_EQ(sell.vwap, D("99.833333333"));
  EXPECT_EQ(sell.best_price, D("99.90"));
  EXPECT_EQ(sell.worst_price, D("99.80"));
}

TEST(OrderBook, WalkBtcPartialLevel) {
  OrderBook b(btc_spec());
  set(b, Side::kAsk, "50000.0", "0.01000");
  set(b, Side::kAsk, "50000.1", "0.00500");
  // 0.01 @ 50000.0 = 500 ; 0.002 @ 50000.1 = 100.0002 ; total 600.0002 / 0.012 = 50000.01666..
  BookFill f = b.walk(Side::kBid, D("0.012"));
  EXPECT_TRUE(f.complete);
  EXPECT_EQ(f.quantity, D("0.012"));
  EXPECT_EQ(f.notional, D("600.0002"));
  EXPECT_EQ(f.vwap, D("50000.016666667"));
  EXPECT_EQ(f.worst_price, D("50000.1"));
}

TEST(OrderBook, WalkInsufficientDepth) {
  OrderBook b = ladder();
  BookFill f = b.walk(Side::kBid, D("10"));
  EXPECT_FALSE(f.complete);
  EXPECT_EQ(f.quantity, D("6"));
  EXPECT_EQ(f.notional, D("601.7"));  // 100.00 + 200.20 + 301.50
  EXPECT_EQ(f.worst_price, D("100.50"));
  EXPECT_EQ(f.levels, 3);

  OrderBook empty(sol_spec());
  BookFill e = empty.walk(Side::kAsk, D("1"));
  EXPECT_FALSE(e.complete);
  EXPECT_EQ(e.quantity, Decimal::zero());
  EXPECT_EQ(e.vwap, Decimal::zero());
  EXPECT_EQ(e.levels, 0);
}

TEST(OrderBook, WalkRoundsRequestDownToStepAndHandlesZeroNegative) {
  OrderBook b = ladder();
  BookFill f = b.walk(Side::kBid, D("1.009"));
  EXPECT_EQ(f.quantity, D("1"));
  EXPECT_TRUE(f.complete);
  EXPECT_EQ(f.vwap, D("100"));
  BookFill z = b.walk(Side::kBid, Decimal::zero());
  EXPECT_TRUE(z.complete);
  EXPECT_EQ(z.quantity, Decimal::zero());
  BookFill n = b.walk(Side::kBid, D("-1"));
  EXPECT_FALSE(n.complete);
  EXPECT_EQ(n.quantity, Decimal::zero());
}

TEST(OrderBook, WalkWithLimitPrice) {
  OrderBook b = ladder();
  BookFill f = b.walk(Side::kBid, D("4"), D("100.10"));
  EXPECT_FALSE(f.complete);
  EXPECT_EQ(f.quantity, D("3"));
  EXPECT_EQ(f.worst_price, D("100.10"));
  // Off-grid buy limit 100.499 rounds down to 100.49: the 100.50 level is still excluded.
  EXPECT_EQ(b.walk(Side::kBid, D("6"), D("100.499")).quantity, D("3"));
  // Sell limit 99.801 rounds up to 99.81: only 99.90 qualifies.
  BookFill s = b.walk(Side::kAsk, D("2"), D("99.801"));
  EXPECT_EQ(s.quantity, D("1"));
  EXPECT_FALSE(s.complete);
  EXPECT_TRUE(b.walk(Side::kAsk, D("3"), D("99.80")).complete);
}

TEST(OrderBook, WalkNotionalBudget) {
  OrderBook b = ladder();
  // 250 USDC: 1 @ 100.00 (100), then 150 / 1.001 per lot at 100.10 -> 149 lots (149.149).
  BookFill f = b.walk_notional(Side::kBid, D("250"));
  EXPECT_TRUE(f.complete);
  EXPECT_EQ(f.quantity, D("2.49"));
  EXPECT_EQ(f.notional, D("249.149"));
  EXPECT_EQ(f.vwap, D("100.059839358"));  // 249.149 / 2.49 = 100.05983935742.., up for a buyer
  EXPECT_EQ(f.worst_price, D("100.10"));
  EXPECT_EQ(f.levels, 2);

  // Sell side: raise 99.90 + 1.00 -> 1 lot @ 99.90, then 1.00 / 0.998 -> 1 lot @ 99.80.
  BookFill s = b.walk_notional(Side::kAsk, D("100.90"));
  EXPECT_TRUE(s.complete);
  EXPECT_EQ(s.quantity, D("1.01"));
  EXPECT_EQ(s.notional, D("100.898"));
  EXPECT_LE(s.notional, D("100.90"));

  BookFill all = b.walk_notional(Side::kBid, D("10000"));
  EXPECT_FALSE(all.complete);  // the book ran out before the budget
  EXPECT_EQ(all.quantity, D("6"));
  EXPECT_EQ(all.notional, D("601.7"));

  BookFill exact = b.walk_notional(Side::kBid, D("601.7"));
  EXPECT_TRUE(exact.complete);  // budget exactly spent on the whole book
  EXPECT_EQ(exact.quantity, D("6"));

  EXPECT_TRUE(b.walk_notional(Side::kBid, Decimal::zero()).complete);
  EXPECT_FALSE(b.walk_notional(Side::kBid, D("-1")).complete);
}

TEST(OrderBook, QuantityWithinBps) {
  OrderBook b(sol_spec());
  set(b, Side::kBid, "100.00", "1");
  set(b, Side::kBid, "99.95", "2");
  set(b, Side::kBid, "99.90", "3");
  set(b, Side::kBid, "99.80", "4");
  set(b, Side::kAsk, "100.10", "1");
  set(b, Side::kAsk, "100.20", "2");
  set(b, Side::kAsk, "100.30", "5");
  // 10 bps below 100.00 = 99.90, inclusive.
  EXPECT_EQ(b.quantity_within_bps(Side::kBid, D("10")), D("6"));
  // 9.99 bps: 99.9001 -> rounded inward to 99.91: excludes 99.90.
  EXPECT_EQ(b.quantity_within_bps(Side::kBid, D("9.99")), D("3"));
  EXPECT_EQ(b.quantity_within_bps(Side::kBid, D("0")), D("1"));
  EXPECT_EQ(b.quantity_within_bps(Side::kBid, D("10000")), D("10"));
  // 10 bps above 100.10 = 100.2001 -> 100.20 inclusive.
  EXPECT_EQ(b.quantity_within_bps(Side::kAsk, D("10")), D("3"));
  EXPECT_EQ(b.quantity_within_bps(Side::kAsk, D("-1")), Decimal::zero());
  OrderBook empty(sol_spec());
  EXPECT_EQ(empty.quantity_within_bps(Side::kAsk, D("50")), Decimal::zero());
}

TEST(OrderBook, StalenessAndClear) {
  OrderBook b(sol_spec());
  DepthDelta d;
  d.first_update_id = d.last_update_id = 3;
  d.engine_time_us = 900;
  d.bids = {{D("1.00"), D("1")}};
  b.apply(d, 1'000);
  EXPECT_EQ(b.last_update_us(), 1'000);
  EXPECT_EQ(b.last_engine_time_us(), 900);
  ManualClock clock(1'500);
  EXPECT_EQ(b.age_us(clock), 500);
  clock.advance_us(250);
  EXPECT_EQ(b.age_us(clock), 750);

  EXPECT_EQ(b.valid_since_us(), 0);
  b.set_valid(true);
  EXPECT_EQ(b.valid_since_us(), 1'000);
  d.first_update_id = d.last_update_id = 4;
  b.apply(d, 1'200);
  b.set_valid(true);  // already valid: keeps the original time
  EXPECT_EQ(b.valid_since_us(), 1'000);
  b.clear();
  EXPECT_FALSE(b.valid());
  EXPECT_TRUE(b.best_bid().empty);
  EXPECT_EQ(b.level_count(Side::kBid), 0u);
}

}  // namespace
}  // namespace bparb
