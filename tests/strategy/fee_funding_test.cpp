#include <gtest/gtest.h>

#include "bparb/strategy/fee_model.hpp"
#include "bparb/strategy/funding.hpp"
#include "strategy_test_util.hpp"

namespace bparb {
namespace {

using testutil::D;

FeeSchedule seed_fees() {
  // The seed's fee table: spot maker 0.08% / taker 0.10%, perp maker 0.01% / taker 0.04%.
  return FeeSchedule{D("8"), D("10"), D("1"), D("4")};
}

TEST(FeeModel, BpsToFraction) {
  EXPECT_EQ(bps_to_fraction(D("10")), D("0.001"));
  EXPECT_EQ(bps_to_fraction(D("2.5")), D("0.00025"));
  EXPECT_EQ(bps_to_fraction(D("-0.5")), D("-0.00005"));  // rebate
  EXPECT_EQ(bps_to_fraction(D("0")), D("0"));
}

TEST(FeeModel, SeedTakerRoundTripIs028Percent) {
  const FeeSchedule f = seed_fees();
  EXPECT_EQ(f.rate(Venue::kSpot, Liquidity::kTaker), D("0.001"));
  EXPECT_EQ(f.rate(Venue::kPerp, Liquidity::kTaker), D("0.0004"));
  RoundTripLiquidity taker;  // all four fills cross
  EXPECT_EQ(round_trip_fee_fraction(f, taker), D("0.0028"));
}

TEST(FeeModel, SeedMakerRoundTripIs018Percent) {
  const FeeSchedule f = seed_fees();
  RoundTripLiquidity maker{Liquidity::kMaker, Liquidity::kMaker, Liquidity::kMaker, Liquidity::kMaker};
  EXPECT_EQ(round_trip_fee_fraction(f, maker), D("0.0018"));
  // Maker in, taker out: 0.08 + 0.01 + 0.10 + 0.04 = 0.23%.
  RoundTripLiquidity mixed{Liquidity::kMaker, Liquidity::kMaker, Liquidity::kTaker, Liquidity::kTaker};
  EXPECT_EQ(round_trip_fee_fraction(f, mixed), D("0.0023"));
}

TEST(FeeModel, RebateReducesRoundTrip) {
  FeeSchedule f{D("0"), D("2.5"), D("-0.5"), D("1.8")};  // best tier with a futures maker rebate
  RoundTripLiquidity maker{Liquidity::kMaker, Liquidity::kMaker, Liquidity::kMaker, Liquidity::kMaker};
  EXPECT_EQ(round_trip_fee_fraction(f, maker), D("-0.0001"));
}

TEST(FeeModel, FeeForNotionalRoundsUp) {
  EXPECT_EQ(fee_for_notional(D("50000"), D("0.001")), D("50"));
  EXPECT_EQ(fee_for_notional(D("51051"), D("0.0004")), D("20.4204"));
  // 0.000000001 * 0.5 = 5e-10 -> rounds up to 1e-9: never understate a cost.
  EXPECT_EQ(fee_for_notional(D("0.000000001"), D("0.5")), D("0.000000001"));
}

constexpr TimestampUs kT1030 = testutil::kDay0 + 10 * kUsPerHour + 30 * 60 * kUsPerSecond;
constexpr TimestampUs kT1100 = testutil::kDay0 + 11 * kUsPerHour;

TEST(Funding, HourlySettlementsWithKnownNext) {
  FundingInfo f{D("0.0001"), 3'600'000, kT1100, D("0")};
  // 10:30 + 8h = 18:30: settlements at 11:00 .. 18:00 -> 8.
  EXPECT_EQ(funding_settlements(kT1030, 8 * kUsPerHour, f), 8);
  // Holding exactly to 11:00 collects it; one minute less does not.
  EXPECT_EQ(funding_settlements(kT1030, 30 * 60 * kUsPerSecond, f), 1);
  EXPECT_EQ(funding_settlements(kT1030, 29 * 60 * kUsPerSecond, f), 0);
}

TEST(Funding, HourlyIsNotEightHourly) {
  // Backpack's fundingInterval is 1 h: an 8 h hold is 8 payments, not 1.
  FundingInfo hourly{D("0.0001"), 3'600'000, 0, D("0")};
  FundingInfo eight{D("0.0001"), 8 * 3'600'000, 0, D("0")};
  EXPECT_EQ(funding_settlements(kT1030, 8 * kUsPerHour, hourly), 8);
  EXPECT_EQ(funding_settlements(kT1030, 8 * kUsPerHour, eight), 1);
}

TEST(Funding, StaleNextKeepsPhaseAndBadInputsGiveZero) {
  FundingInfo f{D("0.0001"), 3'600'000, testutil::kDay0 + 9 * kUsPerHour, D("0")};  // 09:00 already passed
  EXPECT_EQ(funding_settlements(kT1030, 2 * kUsPerHour, f), 2);                     // 11:00, 12:00
  FundingInfo no_interval{D("0.0001"), 0, kT1100, D("0")};
  EXPECT_EQ(funding_settlements(kT1030, 8 * kUsPerHour, no_interval), 0);
  EXPECT_EQ(funding_settlements(kT1030, -1, f), 0);
}

TEST(Funding, SignPositiveRatePaysShorts) {
  FundingInfo f{D("0.0001"), 3'600'000, 0, D("0")};
  EXPECT_EQ(expected_funding_fraction(f, /*short_perp=*/true, 8), D("0.0008"));
  EXPECT_EQ(expected_funding_fraction(f, /*short_perp=*/false, 8), D("-0.0008"));
  FundingInfo neg{D("-0.00005"), 3'600'000, 0, D("0")};
  EXPECT_EQ(expected_funding_fraction(neg, false, 4), D("0.0002"));
  // One settlement on a 1 BTC short at mark 50200 and 0.01%: +5.02 received.
  EXPECT_EQ(funding_payment(D("-1"), D("50200"), D("0.0001")), D("5.02"));
  EXPECT_EQ(funding_payment(D("2"), D("100"), D("0.0001")), D("-0.02"));
}

}  // namespace
}  // namespace bparb
