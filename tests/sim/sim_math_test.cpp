// Pure helpers: exact sqrt/margin/fee arithmetic, funding grid/clamp/payment/averaging, the
// price-time book and the names the wire uses.
#include <gtest/gtest.h>

#include "bparb/sim/funding.hpp"
#include "bparb/sim/margin.hpp"
#include "bparb/sim/order_book_sim.hpp"
#include "sim_test_util.hpp"

namespace bparb::sim::testing {
namespace {

TEST(SimMargin, DecimalSqrt) {
  EXPECT_EQ(decimal_sqrt(D("10000")), D("100"));
  EXPECT_EQ(decimal_sqrt(D("2")), D("1.414213562"));  // floor at 1e-9
  EXPECT_EQ(decimal_sqrt(D("0.25")), D("0.5"));
  EXPECT_EQ(decimal_sqrt(D("0")), D("0"));
  EXPECT_EQ(decimal_sqrt(D("-4")), D("0"));
  EXPECT_EQ(decimal_sqrt(D("9000000000")), D("94868.329805051"));
}

TEST(SimMargin, SqrtMarginFunction) {
  const MarginFunction btc{true, D("0.01333333"), D("0.00002494")};
  EXPECT_EQ(margin_fraction(btc, D("10000")), D("0.01333333"));  // base dominates: 0.002494
  EXPECT_EQ(margin_fraction(btc, D("1000000")), D("0.02494"));   // 0.00002494 * 1000
  EXPECT_EQ(margin_fraction(btc, D("-1000000")), D("0.02494"));  // |notional|
  EXPECT_EQ(margin_fraction(MarginFunction{}, D("1000000")), D("0"));
}

TEST(SimMargin, FeesRoundUpToNano) {
  EXPECT_EQ(fee_amount(D("9.94799"), D("5")), D("0.004973995"));  // CCXT ETH perp sample, exact
  EXPECT_EQ(fee_amount(D("0.00001"), D("10")), D("0.00000001"));
  EXPECT_EQ(fee_amount(D("0.000001"), D("1")), D("0.000000001"));  // 1e-10 rounds up to 1e-9
  EXPECT_EQ(fee_amount(D("1000"), D("0")), D("0"));
  EXPECT_EQ(fee_amount(D("1000"), D("-1")), D("-0.1"));  // rebate
  EXPECT_EQ(mul_ratio(D("10"), 1, 3, Rounding::kNearest), D("3.333333333"));
  EXPECT_EQ(mul_ratio(D("10"), 1, 0, Rounding::kNearest), D("0"));
}

TEST(SimFunding, GridClampPremiumPayment) {
  EXPECT_EQ(next_funding_boundary_ms(0, 3'600'000), 3'600'000);
  EXPECT_EQ(next_funding_boundary_ms(3'599'999, 3'600'000), 3'600'000);
  EXPECT_EQ(next_funding_boundary_ms(3'600'000, 3'600'000), 7'200'000);  // strictly after
  EXPECT_EQ(next_funding_boundary_ms(1'753'110'000'123, 3'600'000), 1'753'113'600'000);
  EXPECT_EQ(clamp_funding_rate(D("0.02"), D("-100"), D("100")), D("0.01"));
  EXPECT_EQ(clamp_funding_rate(D("-0.03"), D("-150"), D("150")), D("-0.015"));
  EXPECT_EQ(clamp_funding_rate(D("0.0000125"), D("-100"), D("100")), D("0.0000125"));
  EXPECT_EQ(clamp_funding_rate(D("0.5"), D("0"), D("0")), D("0.5"));
  EXPECT_EQ(premium(D("100.5"), D("100")), D("0.005"));
  EXPECT_EQ(premium(D("100"), D("0")), D("0"));
  EXPECT_EQ(premium(D("1"), D("3")), D("-0.666666667"));
  EXPECT_EQ(funding_payment(D("10"), D("100.5"), D("0.005")), D("-5.025"));
  EXPECT_EQ(funding_payment(D("-10"), D("100.5"), D("0.005")), D("5.025"));
  // -0.001 * 3.3333 * 0.0000125 = -0.0000000416... -> floor to -0.000000042 (the payer rounds against itself)
  EXPECT_EQ(funding_payment(D("0.001"), D("3.3333"), D("0.0000125")), D("-0.000000042"));
  EXPECT_EQ(funding_payment(D("-0.001"), D("3.3333"), D("0.0000125")), D("0.000000041"));
}

TEST(SimFunding, PremiumAverager) {
  PremiumAverager a;
  a.reset(0, D("0.001"));
  EXPECT_EQ(a.average_until(0), D("0.001"));
  a.set_premium(1000, D("0.003"));  // 0.001 for 1000 us
  EXPECT_EQ(a.average_until(1000), D("0.001"));
  EXPECT_EQ(a.average_until(2000), D("0.002"));
  a.set_premium(3000, D("-0.006"));
  EXPECT_EQ(a.average_until(4000), D("0.00025"));  // (0.001*1000 + 0.003*2000 - 0.006*1000) / 4000
  a.reset(4000, D("0.002"));
  EXPECT_EQ(a.average_until(7000), D("0.002"));
  a.set_premium(3000, D("0.004"));  // a time before the last change counts from the last change
  EXPECT_EQ(a.average_until(5000), D("0.004"));
}

TEST(SimBook, PriceTimePriorityAndTouchedLevels) {
  OrderBookSim b;
  b.add(Side::kAsk, 101, BookEntry{1, 0, 5});
  b.add(Side::kAsk, 100, BookEntry{2, 1, 3});
  b.add(Side::kAsk, 100, BookEntry{3, 2, 4});
  b.add(Side::kBid, 99, BookEntry{4, 0, 2});
  EXPECT_EQ(b.best_price(Side::kAsk), std::optional<std::int64_t>(100));
  EXPECT_EQ(b.best_lots(Side::kAsk), 7);
  EXPECT_EQ(b.queue(*b.level(Side::kAsk, 100)).front().id, 2u);  // first in, first out
  EXPECT_EQ(b.order_count(), 4u);
  EXPECT_TRUE(b.reduce(Side::kAsk, 100, 2, 3));  // fully filled: removed
  EXPECT_EQ(b.queue(*b.level(Side::kAsk, 100)).front().id, 3u);
  EXPECT_EQ(b.level_lots(Side::kAsk, 100), 4);
  EXPECT_EQ(b.remove(Side::kAsk, 100, 3), 4);
  EXPECT_EQ(b.level(Side::kAsk, 100), nullptr);
  EXPECT_EQ(b.best_price(Side::kAsk), std::optional<std::int64_t>(101));
  EXPECT_EQ(b.remove(Side::kAsk, 100, 3), 0);
  EXPECT_FALSE(b.reduce(Side::kBid, 98, 4, 1));
  EXPECT_EQ(b.order_count(), 2u);
  EXPECT_EQ(b.touched().size(), 6u);  // 4 adds, 1 reduce, 1 remove; failed calls touch nothing
  b.clear_touched();
  EXPECT_TRUE(b.touched().empty());
  EXPECT_EQ(b.best_price(Side::kBid), std::optional<std::int64_t>(99));
  EXPECT_TRUE(b.remove(Side::kBid, 99, 4) == 2 && b.empty(Side::kBid));
  EXPECT_FALSE(b.best_price(Side::kBid).has_value());
  EXPECT_EQ(b.best_lots(Side::kBid), 0);
}

TEST(SimNames, WireNames) {
  EXPECT_EQ(expiry_reason_name(ExpiryReason::kPostOnlyTaker), "PostOnlyTaker");
  EXPECT_EQ(expiry_reason_name(ExpiryReason::kReduceOnlyNotReduced), "ReduceOnlyNotReduced");
  EXPECT_EQ(expiry_reason_name(ExpiryReason::kSlippageToleranceExceeded), "SlippageToleranceExceeded");
  EXPECT_EQ(order_event_name(OrderEventType::kFill), "orderFill");
  EXPECT_EQ(order_event_name(OrderEventType::kModified), "orderModified");
  EXPECT_EQ(position_event_name(PositionEventType::kOpened), "positionOpened");
  OrderId id = 0;
  EXPECT_TRUE(parse_order_id("4227701917", id));
  EXPECT_EQ(id, 4227701917u);
  EXPECT_FALSE(parse_order_id("", id));
  EXPECT_FALSE(parse_order_id("12a", id));
  EXPECT_FALSE(parse_order_id("-1", id));
  EXPECT_FALSE(parse_order_id("99999999999999999999", id));  // > uint64
  EXPECT_TRUE(parse_order_id("18446744073709551615", id));
}

}  // namespace
}  // namespace bparb::sim::testing
