#include "bparb/risk/risk_gate.hpp"

#include <gtest/gtest.h>

#include <ostream>

namespace bparb {
inline void PrintTo(const Decimal& d, std::ostream* os) {
  *os << d.str();
}

namespace {

Decimal D(const char* s) {
  return Decimal::from_string(s);
}

// 2026-11-20 22:00:00 UTC.
constexpr TimestampUs kDay0 = 1'795'132'800LL * kUsPerSecond;
constexpr TimestampUs kStart = kDay0 + 22 * kUsPerHour;

class RiskGateTest : public ::testing::Test {
 protected:
  RiskGateTest() : clock_(kStart), gate_(limits(), clock_) {
    perp_.symbol = "BTC_USDC_PERP";
    perp_.type = MarketType::kPerp;
    perp_.imf.present = true;
    perp_.imf.base = D("0.1");  // 10x
    perp_.imf.factor = D("0");
  }
  static RiskLimits limits() {
    RiskLimits l;
    l.max_position_usd = D("1000");
    l.max_total_exposure_usd = D("2500");
    l.max_daily_loss_usd = D("50");
    l.min_account_balance_usd = D("500");
    l.max_margin_utilization = D("0.5");
    l.max_book_age_ms = 2000;
    l.max_orders_per_minute = 3;
    return l;
  }
  OrderCheck entry(const char* notional = "400", const char* pos_after = "400") const {
    OrderCheck o;
    o.notional_usd = D(notional);
    o.position_notional_after_usd = D(pos_after);
    o.book = BookHealth{true, clock_.now_us()};
    return o;
  }
  OrderCheck exit_order() const {
    OrderCheck o = entry();
    o.reduces_exposure = true;
    return o;
  }
  AccountRisk account(const char* daily = "0") const { return AccountRisk{D("2000"), D("0"), D("1000"), D(daily)}; }

  ManualClock clock_;
  RiskGate gate_;
  MarketSpec perp_;
};

TEST_F(RiskGateTest, AllowsAnOrderInsideEveryLimit) {
  const RiskDecision d = gate_.check(entry(), account());
  EXPECT_TRUE(d.allowed);
  EXPECT_EQ(d.rule, RiskRule::kNone);
  EXPECT_EQ(d.state, TradingState::kActive);
}

TEST_F(RiskGateTest, MaxPositionUsd) {
  const RiskDecision d = gate_.check(entry("400", "1000.01"), account());
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.rule, RiskRule::kMaxPosition);
  EXPECT_STREQ(d.rule_name(), "max_position_usd");
  EXPECT_EQ(d.limit, D("1000"));
  EXPECT_EQ(d.value, D("1000.01"));
  EXPECT_TRUE(gate_.check(entry("400", "1000"), account()).allowed);  // at the limit is fine
}

TEST_F(RiskGateTest, AnOrderOnAnotherVenueIsCheckedAgainstThatVenuesMargin) {
  OrderCheck o = entry("900", "900");
  o.perp_spec = &perp_;
  o.perp_notional_after_usd = D("900");
  AccountRisk a = account();  // the primary account: 2000 of equity, room for it
  ASSERT_TRUE(gate_.check(o, a).allowed);
  VenueMargin v{true, D("1000"), D("420")};  // + 900 * 0.1 = 510 > 1000 * 0.5
  o.venue_margin = &v;
  RiskDecision d = gate_.check(o, a);
  EXPECT_EQ(d.rule, RiskRule::kMarginHeadroom);
  EXPECT_EQ(d.limit, D("500"));
  EXPECT_EQ(d.value, D("510"));
  v.initial_margin_used = D("410");
  EXPECT_TRUE(gate_.check(o, a).allowed);  // exactly 500
  // Not reported yet: no room at all, whatever the primary account holds; the gate's state is untouched.
  const VenueMargin unknown;
  o.venue_margin = &unknown;
  d = gate_.check(o, a);
  EXPECT_EQ(d.rule, RiskRule::kMarginHeadroom);
  EXPECT_EQ(d.limit, D("0"));
  EXPECT_EQ(gate_.state(), TradingState::kActive);
}

TEST_F(RiskGateTest, MaxTotalExposureUsd) {
  const RiskDecision d = gate_.check(entry("1600", "900"), account());  // 1000 + 1600
  EXPECT_EQ(d.rule, RiskRule::kMaxTotalExposure);
  EXPECT_EQ(d.limit, D("2500"));
  EXPECT_EQ(d.value, D("2600"));
}

TEST_F(RiskGateTest, MarginHeadroomFromImf) {
  OrderCheck o = entry("900", "900");
  o.perp_spec = &perp_;
  o.perp_notional_after_usd = D("900");
  AccountRisk a = account();
  a.initial_margin_used = D("920");  // + 900 * 0.1 = 1010 > 2000 * 0.5
  const RiskDecision d = gate_.check(o, a);
  EXPECT_EQ(d.rule, RiskRule::kMarginHeadroom);
  EXPECT_EQ(d.limit, D("1000"));
  EXPECT_EQ(d.value, D("1010"));
  a.initial_margin_used = D("910");
  EXPECT_TRUE(gate_.check(o, a).allowed);  // exactly 1000
  // A perp spec without an IMF function is treated as 100% margin.
  MarketSpec bare = perp_;
  bare.imf.present = false;
  o.perp_spec = &bare;
  a.initial_margin_used = D("0");
  EXPECT_TRUE(gate_.check(o, a).allowed);
  o.notional_usd = D("1001");
  o.position_notional_after_usd = D("999");
  EXPECT_EQ(gate_.check(o, a).rule, RiskRule::kMarginHeadroom);
}

TEST_F(RiskGateTest, StaleOrUnsyncedBookRefusesEvenExits) {
  OrderCheck o = entry();
  o.book.synced = false;
  EXPECT_EQ(gate_.check(o, account()).rule, RiskRule::kBookNotSynced);
  o.book = BookHealth{true, clock_.now_us() - 2001 * kUsPerMs};
  RiskDecision d = gate_.check(o, account());
  EXPECT_EQ(d.rule, RiskRule::kStaleBook);
  EXPECT_STREQ(d.rule_name(), "max_book_age_ms");
  EXPECT_EQ(d.limit, D("2000"));
  EXPECT_EQ(d.value, D("2001"));
  o.reduces_exposure = true;
  EXPECT_EQ(gate_.check(o, account()).rule, RiskRule::kStaleBook);
  o.book.last_update_us = clock_.now_us() - 2000 * kUsPerMs;
  EXPECT_TRUE(gate_.check(o, account()).allowed);
}

TEST_F(RiskGateTest, OrderRatePerMinuteRingBuffer) {
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(gate_.check_and_record(entry(), account()).allowed);
    clock_.advance_us(10 * kUsPerSecond);
  }
  // t = +30 s: three orders in the last minute.
  RiskDecision d = gate_.check(entry(), account());
  EXPECT_EQ(d.rule, RiskRule::kOrderRate);
  EXPECT_EQ(d.limit, D("3"));
  EXPECT_EQ(d.value, D("3"));
  EXPECT_EQ(gate_.check(exit_order(), account()).rule, RiskRule::kOrderRate);  // exits count too
  // t = +60 s: the first order (t = 0) has left the window.
  clock_.set_us(kStart + 60 * kUsPerSecond);
  EXPECT_EQ(gate_.orders_last_minute(), 2u);
  EXPECT_TRUE(gate_.check_and_record(entry(), account()).allowed);
  EXPECT_EQ(gate_.check(entry(), account()).rule, RiskRule::kOrderRate);
  clock_.set_us(kStart + 200 * kUsPerSecond);
  EXPECT_EQ(gate_.orders_last_minute(), 0u);
  EXPECT_TRUE(gate_.check(entry(), account()).allowed);
}

TEST_F(RiskGateTest, InvalidOrder) {
  EXPECT_EQ(gate_.check(entry("0", "0"), account()).rule, RiskRule::kInvalidOrder);
  EXPECT_EQ(gate_.check(entry("-5", "0"), account()).rule, RiskRule::kInvalidOrder);
}

TEST_F(RiskGateTest, DailyLossTripsReduceOnlyUntilUtcMidnight) {
  // -49.99 is inside the budget.
  EXPECT_TRUE(gate_.check(entry(), account("-49.99")).allowed);
  RiskDecision d = gate_.check(entry(), account("-50"));
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.rule, RiskRule::kDailyLoss);
  EXPECT_STREQ(d.rule_name(), "max_daily_loss_usd");
  EXPECT_EQ(d.limit, D("50"));
  EXPECT_EQ(d.value, D("50"));
  EXPECT_EQ(gate_.state(), TradingState::kReduceOnly);
  EXPECT_EQ(gate_.state_reason(), StateReason::kDailyLoss);
  // Entries refused even after the P&L recovers; exits allowed.
  d = gate_.check(entry(), account("-10"));
  EXPECT_EQ(d.rule, RiskRule::kReduceOnly);
  EXPECT_EQ(d.state, TradingState::kReduceOnly);
  EXPECT_EQ(d.reason, StateReason::kDailyLoss);
  EXPECT_TRUE(gate_.check(exit_order(), account("-60")).allowed);
  EXPECT_EQ(gate_.entry_headroom_usd(D("0"), account()), D("0"));

  // 23:59:59.999999 still the same day.
  clock_.set_us(kDay0 + kUsPerDay - 1);
  EXPECT_FALSE(gate_.update(account("0")).changed);
  EXPECT_EQ(gate_.state(), TradingState::kReduceOnly);
  // 00:00:00 UTC: new budget (the portfolio's daily P&L restarts at 0 too).
  clock_.set_us(kDay0 + kUsPerDay);
  const StateChange c = gate_.update(account("0"));
  EXPECT_TRUE(c.changed);
  EXPECT_EQ(c.from, TradingState::kReduceOnly);
  EXPECT_EQ(c.to, TradingState::kActive);
  EXPECT_TRUE(gate_.check(entry(), account("0")).allowed);
}

TEST_F(RiskGateTest, MinBalanceOnNetEquityPersistsUntilResume) {
  AccountRisk a = account();
  a.net_equity = D("499.99");
  const RiskDecision d = gate_.check(entry(), a);
  EXPECT_EQ(d.rule, RiskRule::kMinBalance);
  EXPECT_EQ(d.limit, D("500"));
  EXPECT_EQ(d.value, D("499.99"));
  EXPECT_EQ(gate_.state(), TradingState::kReduceOnly);
  EXPECT_EQ(gate_.state_reason(), StateReason::kMinBalance);
  EXPECT_TRUE(gate_.check(exit_order(), a).allowed);
  // Midnight does not clear it.
  clock_.set_us(kDay0 + kUsPerDay + 1);
  gate_.update(account());
  EXPECT_EQ(gate_.state(), TradingState::kReduceOnly);
  // Operator resumes; with equity back above the minimum, entries flow again.
  EXPECT_TRUE(gate_.resume().changed);
  EXPECT_TRUE(gate_.check(entry(), account()).allowed);
  // Resume while still breached: the next check trips it again.
  gate_.set_reduce_only(StateReason::kOperator);
  gate_.resume();
  EXPECT_EQ(gate_.check(entry(), a).rule, RiskRule::kMinBalance);
}

TEST_F(RiskGateTest, HaltedRefusesEverythingUntilResume) {
  const StateChange c = gate_.halt(StateReason::kInvariant);
  EXPECT_TRUE(c.changed);
  EXPECT_EQ(c.to, TradingState::kHalted);
  RiskDecision d = gate_.check(exit_order(), account());
  EXPECT_EQ(d.rule, RiskRule::kHalted);
  EXPECT_STREQ(d.rule_name(), "trading_state_halted");
  EXPECT_EQ(d.state, TradingState::kHalted);
  // ReduceOnly cannot downgrade a halt; midnight cannot either.
  EXPECT_FALSE(gate_.set_reduce_only(StateReason::kOperator).changed);
  clock_.set_us(kDay0 + kUsPerDay);
  gate_.update(account());
  EXPECT_EQ(gate_.state(), TradingState::kHalted);
  gate_.resume();
  EXPECT_EQ(gate_.state(), TradingState::kActive);
  EXPECT_TRUE(gate_.check(exit_order(), account()).allowed);
  EXPECT_STREQ(to_string(TradingState::kReduceOnly), "ReduceOnly");
  EXPECT_STREQ(to_string(StateReason::kInvariant), "invariant");
}

TEST_F(RiskGateTest, EntryHeadroomForSizing) {
  // min(1000 - 300, 2500 - 1000) = 700.
  EXPECT_EQ(gate_.entry_headroom_usd(D("300"), account()), D("700"));
  AccountRisk a = account();
  a.total_exposure_usd = D("2300");
  EXPECT_EQ(gate_.entry_headroom_usd(D("300"), a), D("200"));
  a.total_exposure_usd = D("2600");
  EXPECT_EQ(gate_.entry_headroom_usd(D("300"), a), D("0"));  // never negative
}

TEST_F(RiskGateTest, OrderRateCapClampedToCapacity) {
  RiskLimits l = limits();
  l.max_orders_per_minute = 100000;
  gate_.set_limits(l);
  EXPECT_EQ(gate_.limits().max_orders_per_minute, RiskGate::kMaxOrdersPerMinute);
  l.max_orders_per_minute = 0;  // zero: nothing may be sent
  gate_.set_limits(l);
  EXPECT_EQ(gate_.check(entry(), account()).rule, RiskRule::kOrderRate);
}

}  // namespace
}  // namespace bparb

namespace bparb {
namespace {

TEST(RiskLimitsValidate, ClearMessages) {
  RiskLimits l;
  EXPECT_EQ(validate(l), nullptr);
  l.max_daily_loss_usd = Decimal::from_int(-100);
  EXPECT_STREQ(validate(l), "max_daily_loss_usd must be > 0 (a loss budget, positive)");
  l = RiskLimits{};
  l.max_total_exposure_usd = Decimal::from_int(10);
  EXPECT_STREQ(validate(l), "max_total_exposure_usd must be >= max_position_usd");
  l = RiskLimits{};
  l.max_margin_utilization = Decimal::from_int(2);
  EXPECT_STREQ(validate(l), "max_margin_utilization must be in (0, 1]");
  l = RiskLimits{};
  l.max_orders_per_minute = 0;
  EXPECT_STREQ(validate(l), "max_orders_per_minute must be in [1, 1024]");
  l = RiskLimits{};
  l.max_book_age_ms = 0;
  EXPECT_STREQ(validate(l), "max_book_age_ms must be > 0");
}

}  // namespace
}  // namespace bparb
