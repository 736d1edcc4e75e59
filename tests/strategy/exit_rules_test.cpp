#include "bparb/strategy/exit_rules.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "bparb/strategy/basis_volatility.hpp"
#include "strategy_test_util.hpp"

namespace bparb {
namespace {

using testutil::D;
using testutil::load;

constexpr TimestampUs kOpen = testutil::kDay0 + 9 * kUsPerHour;
constexpr TimestampUs kExitNow = kOpen + 5 * kUsPerHour;

class ExitTest : public ::testing::Test {
 protected:
  ExitTest()
      : spot_spec_(testutil::btc_spot()), perp_spec_(testutil::btc_perp()), spot_(spot_spec_), perp_(perp_spec_) {
    // Converged market: spot bid 50500, perp ask 50510.
    load(spot_, {{"50500.00", "1"}}, {{"50501.00", "1"}}, kExitNow);
    load(perp_, {{"50509.0", "1"}}, {{"50510.0", "1"}}, kExitNow);
    pos_.direction = BasisDirection::kPerpPremium;
    pos_.quantity = D("0.02");
    pos_.entry_spread = D("0.004");
    pos_.entry_notional = D("1000");
    pos_.opened_at_us = kOpen;
    pos_.fees_paid_usd = D("1.4");
    pos_.funding_received_usd = D("0");
    params_.min_closing_spread = D("0.0005");
    params_.take_profit = D("0");
    params_.max_holding_us = 7 * kUsPerDay;
    params_.max_adverse_funding_rate = D("0.0001");
  }
  MarketSpec spot_spec_;
  MarketSpec perp_spec_;
  OrderBook spot_;
  OrderBook perp_;
  OpenBasisPosition pos_;
  ExitParams params_;
  FeeSchedule fees_{D("8"), D("10"), D("1"), D("4")};
  FundingInfo funding_{D("0.0001"), 3'600'000, 0, D("0")};
};

TEST_F(ExitTest, ConvergedWhenExitBasisBelowMinClosingSpread) {
  const ExitSignal s = evaluate_exit(pos_, spot_, perp_, funding_, fees_, params_, kExitNow);
  ASSERT_TRUE(s.prices_valid);
  // (50510 - 50500) / 50500 = 0.000198019.. rounded up.
  EXPECT_EQ(s.exit_basis, D("0.000198020"));
  EXPECT_EQ(s.exit_fee_fraction, D("0.0014"));
  // 0.004 - 0.00019802 - 0.0014 + (0 - 1.4) / 1000
  EXPECT_EQ(s.pnl_fraction_if_closed, D("0.00100198"));
  EXPECT_TRUE(s.exit);
  EXPECT_EQ(s.reason, ExitReason::kConverged);
  EXPECT_STREQ(to_string(s.reason), "converged");
  EXPECT_EQ(s.held_us, 5 * kUsPerHour);
}

TEST_F(ExitTest, NegativeMinClosingSpreadWaitsForOvershoot) {
  params_.min_closing_spread = D("-0.0005");
  EXPECT_FALSE(evaluate_exit(pos_, spot_, perp_, funding_, fees_, params_, kExitNow).exit);
  // Perp now 0.1% BELOW spot: exit basis (50450 - 50500) / 50500 = -0.00099.. <= -0.0005.
  load(perp_, {{"50449.0", "1"}}, {{"50450.0", "1"}}, kExitNow);
  const ExitSignal s = evaluate_exit(pos_, spot_, perp_, funding_, fees_, params_, kExitNow);
  EXPECT_EQ(s.reason, ExitReason::kConverged);
  EXPECT_TRUE(s.exit_basis.is_negative());
}

TEST_F(ExitTest, TakeProfit) {
  params_.min_closing_spread = D("-0.01");
  params_.take_profit = D("0.001");
  ExitSignal s = evaluate_exit(pos_, spot_, perp_, funding_, fees_, params_, kExitNow);
  EXPECT_EQ(s.reason, ExitReason::kTakeProfit);  // 0.00100198 >= 0.001
  params_.take_profit = D("0.0011");
  s = evaluate_exit(pos_, spot_, perp_, funding_, fees_, params_, kExitNow);
  EXPECT_FALSE(s.exit);
  // Funding received counts: +0.2 USD over 1000 notional lifts it to 0.00120198.
  pos_.funding_received_usd = D("0.2");
  s = evaluate_exit(pos_, spot_, perp_, funding_, fees_, params_, kExitNow);
  EXPECT_EQ(s.pnl_fraction_if_closed, D("0.00120198"));
  EXPECT_EQ(s.reason, ExitReason::kTakeProfit);
}

TEST_F(ExitTest, MaxHoldingTimeFiresEvenWithoutPrices) {
  params_.min_closing_spread = D("-0.01");
  const TimestampUs late = kOpen + 7 * kUsPerDay;
  ExitSignal s = evaluate_exit(pos_, spot_, perp_, funding_, fees_, params_, late - 1);
  EXPECT_FALSE(s.exit);
  s = evaluate_exit(pos_, spot_, perp_, funding_, fees_, params_, late);
  EXPECT_EQ(s.reason, ExitReason::kMaxHoldingTime);
  spot_.set_valid(false);
  s = evaluate_exit(pos_, spot_, perp_, funding_, fees_, params_, late);
  EXPECT_FALSE(s.prices_valid);
  EXPECT_EQ(s.reason, ExitReason::kMaxHoldingTime);
}

TEST_F(ExitTest, FundingAgainstBeyondLimit) {
  params_.min_closing_spread = D("-0.01");
  // Short perp; negative rate means shorts pay: 0.0002 per interval > 0.0001 limit.
  funding_.rate = D("-0.0002");
  ExitSignal s = evaluate_exit(pos_, spot_, perp_, funding_, fees_, params_, kExitNow);
  EXPECT_EQ(s.adverse_funding_rate, D("0.0002"));
  EXPECT_EQ(s.reason, ExitReason::kFundingAgainst);
  funding_.rate = D("-0.0001");  // at the limit: stay
  EXPECT_FALSE(evaluate_exit(pos_, spot_, perp_, funding_, fees_, params_, kExitNow).exit);
  // For a long perp (SpotPremium) a positive rate is the adverse one.
  pos_.direction = BasisDirection::kSpotPremium;
  funding_.rate = D("0.0003");
  s = evaluate_exit(pos_, spot_, perp_, funding_, fees_, params_, kExitNow);
  EXPECT_EQ(s.adverse_funding_rate, D("0.0003"));
  EXPECT_EQ(s.reason, ExitReason::kFundingAgainst);
}

TEST_F(ExitTest, SpotPremiumUnwindBuysSpotSellsPerp) {
  pos_.direction = BasisDirection::kSpotPremium;
  params_.min_closing_spread = D("0");
  // Unwind: buy spot at ask 50501, sell perp at bid 50509: (50501 - 50509) / 50509 < 0 -> converged.
  const ExitSignal s = evaluate_exit(pos_, spot_, perp_, funding_, fees_, params_, kExitNow);
  EXPECT_EQ(s.exit_basis, D("-0.000158387"));  // -8 / 50509 = -0.00015838762.. rounded up
  EXPECT_EQ(s.reason, ExitReason::kConverged);
}

TEST_F(ExitTest, TooThinToPriceTheUnwind) {
  load(spot_, {{"50500.00", "0.01"}}, {{"50501.00", "1"}}, kExitNow);  // 0.01 < 0.02 to sell
  const ExitSignal s = evaluate_exit(pos_, spot_, perp_, funding_, fees_, params_, kExitNow);
  EXPECT_FALSE(s.prices_valid);
  EXPECT_FALSE(s.exit);
}

TEST(BasisVolatility, RingBufferStddev) {
  BasisVolatility v(4);
  EXPECT_EQ(v.stddev(), 0.0);
  v.add(1, 1.0);
  EXPECT_EQ(v.stddev(), 0.0);  // one sample
  v.add(2, 2.0);
  v.add(3, 3.0);
  v.add(4, 4.0);
  EXPECT_TRUE(v.full());
  EXPECT_DOUBLE_EQ(v.mean(), 2.5);
  EXPECT_DOUBLE_EQ(v.stddev(), std::sqrt(1.25));
  v.add(5, 10.0);  // evicts 1.0: {2,3,4,10}
  EXPECT_EQ(v.size(), 4u);
  EXPECT_DOUBLE_EQ(v.mean(), 4.75);
  v.add(6, std::nan(""));  // ignored
  EXPECT_DOUBLE_EQ(v.mean(), 4.75);
  v.reset();
  EXPECT_EQ(v.size(), 0u);
}

TEST(BasisVolatility, ThrottleAndWindowClamp) {
  BasisVolatility v(1000, 100);  // window clamped to capacity; one sample per 100 us
  EXPECT_EQ(v.window(), BasisVolatility::kCapacity);
  v.add(0, 1.0);
  v.add(50, 2.0);  // too soon
  v.add(100, 3.0);
  EXPECT_EQ(v.size(), 2u);
  EXPECT_DOUBLE_EQ(v.mean(), 2.0);
}

}  // namespace
}  // namespace bparb
