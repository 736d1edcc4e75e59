#include "bparb/exec/leg_risk.hpp"

#include <gtest/gtest.h>

namespace bparb::exec {
namespace {

Decimal leg_dec(const char* s) {
  return Decimal::from_string(s);
}

// Perp-premium entry: buy 10 SOL spot, sell 10 SOL perp; step/min 0.01 on both.
LegRisk make(DurationUs deadline = 5 * kUsPerSecond) {
  return LegRisk({Side::kBid, leg_dec("10"), leg_dec("0.01"), leg_dec("0.01")},
                 {Side::kAsk, leg_dec("10"), leg_dec("0.01"), leg_dec("0.01")}, 0, deadline);
}

TEST(LegRisk, BothLegsFilledIsNeutral) {
  LegRisk lr = make();
  lr.on_order_sent(LegIndex::kSpot);
  lr.on_order_sent(LegIndex::kPerp);
  lr.on_fill(LegIndex::kSpot, Side::kBid, leg_dec("10"));
  EXPECT_EQ(lr.decide(1).action, LegRiskAction::kWait);  // perp still live
  lr.on_fill(LegIndex::kPerp, Side::kAsk, leg_dec("10"));
  EXPECT_EQ(lr.decide(1).action, LegRiskAction::kWait);  // fills in, orders not yet settled
  lr.on_order_settled(LegIndex::kSpot);
  lr.on_order_settled(LegIndex::kPerp);
  auto d = lr.decide(2);
  EXPECT_EQ(d.action, LegRiskAction::kNeutral);
  EXPECT_TRUE(d.net_delta.is_zero());
}

TEST(LegRisk, RejectedPerpLegIsCompletedThenUnwoundWhenRefused) {
  LegRisk lr = make();
  lr.on_order_sent(LegIndex::kSpot);
  lr.on_order_sent(LegIndex::kPerp);
  lr.on_fill(LegIndex::kSpot, Side::kBid, leg_dec("10"));
  lr.on_order_settled(LegIndex::kSpot);
  lr.on_order_settled(LegIndex::kPerp);  // perp expired with nothing filled (transient)
  auto d = lr.decide(10);
  ASSERT_EQ(d.action, LegRiskAction::kComplete);
  EXPECT_EQ(d.leg, LegIndex::kPerp);
  EXPECT_EQ(d.side, Side::kAsk);
  EXPECT_EQ(d.quantity, leg_dec("10"));
  // Now the perp market refuses definitively: the only way back is to sell the spot we bought.
  lr.on_definitive_reject(LegIndex::kPerp);
  d = lr.decide(20);
  ASSERT_EQ(d.action, LegRiskAction::kUnwind);
  EXPECT_EQ(d.leg, LegIndex::kSpot);
  EXPECT_EQ(d.side, Side::kAsk);
  EXPECT_EQ(d.quantity, leg_dec("10"));
  lr.on_hedge_sent(d);
  EXPECT_EQ(lr.decide(30).action, LegRiskAction::kWait);
  lr.on_fill(LegIndex::kSpot, Side::kAsk, leg_dec("10"));
  lr.on_order_settled(LegIndex::kSpot);
  EXPECT_EQ(lr.decide(40).action, LegRiskAction::kNeutral);
}

TEST(LegRisk, PartialFillIsHedgedBackToNeutral) {
  LegRisk lr = make();
  lr.on_order_sent(LegIndex::kSpot);
  lr.on_order_sent(LegIndex::kPerp);
  lr.on_fill(LegIndex::kSpot, Side::kBid, leg_dec("10"));
  lr.on_fill(LegIndex::kPerp, Side::kAsk, leg_dec("6.37"));
  lr.on_order_settled(LegIndex::kSpot);
  lr.on_order_settled(LegIndex::kPerp);
  auto d = lr.decide(1);
  ASSERT_EQ(d.action, LegRiskAction::kComplete);
  EXPECT_EQ(d.leg, LegIndex::kPerp);
  EXPECT_EQ(d.quantity, leg_dec("3.63"));
  EXPECT_EQ(d.net_delta, leg_dec("3.63"));
  lr.on_hedge_sent(d);
  lr.on_fill(LegIndex::kPerp, Side::kAsk, leg_dec("3.63"));
  lr.on_order_settled(LegIndex::kPerp);
  EXPECT_EQ(lr.decide(2).action, LegRiskAction::kNeutral);
}

TEST(LegRisk, CompleteAttemptsAreBoundedThenUnwind) {
  LegRisk lr = make();
  lr.on_fill(LegIndex::kSpot, Side::kBid, leg_dec("10"));
  for (int i = 0; i < 2; ++i) {
    auto d = lr.decide(i);
    ASSERT_EQ(d.action, LegRiskAction::kComplete) << i;
    lr.on_hedge_sent(d);
    lr.on_order_settled(LegIndex::kPerp);  // expired unfilled each time
  }
  auto d = lr.decide(3);
  EXPECT_EQ(d.action, LegRiskAction::kUnwind);
  EXPECT_EQ(d.leg, LegIndex::kSpot);
}

// An unwind the venue refuses every time is not re-sent at event speed: after kMaxUnwindsPerWindow sends the
// window waits for its deadline (then Failed), and a new window allows as many again.
TEST(LegRisk, UnwindsAreBoundedPerWindowThenTheDeadlineFails) {
  LegRisk lr = make(5 * kUsPerSecond);
  lr.on_fill(LegIndex::kSpot, Side::kBid, D("10"));
  lr.on_definitive_reject(LegIndex::kPerp);  // the perp refuses: only the spot unwind is left
  for (int i = 0; i < LegRisk::kMaxUnwindsPerWindow; ++i) {
    auto d = lr.decide(i + 1);
    ASSERT_EQ(d.action, LegRiskAction::kUnwind) << i;
    lr.on_hedge_sent(d);
    lr.on_order_settled(LegIndex::kSpot);  // refused each time, nothing filled
  }
  auto d = lr.decide(100);
  EXPECT_EQ(d.action, LegRiskAction::kWait);
  EXPECT_EQ(d.net_delta, D("10"));
  EXPECT_EQ(lr.decide(6 * kUsPerSecond).action, LegRiskAction::kFailed);
  lr.restart_window(6 * kUsPerSecond);
  d = lr.decide(6 * kUsPerSecond + 1);
  EXPECT_EQ(d.action, LegRiskAction::kUnwind);
  EXPECT_EQ(d.quantity, D("10"));
}

TEST(LegRisk, DeadlineWithOpenExposureFails) {
  LegRisk lr = make(5 * kUsPerSecond);
  lr.on_fill(LegIndex::kSpot, Side::kBid, leg_dec("10"));
  auto d = lr.decide(6 * kUsPerSecond);
  EXPECT_EQ(d.action, LegRiskAction::kFailed);
  EXPECT_EQ(d.net_delta, leg_dec("10"));
}

TEST(LegRisk, UnknownOutcomeWaitsInsteadOfHedging) {
  LegRisk lr = make();
  lr.on_order_sent(LegIndex::kSpot);
  lr.on_order_sent(LegIndex::kPerp);
  lr.on_fill(LegIndex::kSpot, Side::kBid, leg_dec("10"));
  lr.on_order_settled(LegIndex::kSpot);
  // Perp request timed out: still counted live until the query settles it.
  EXPECT_EQ(lr.decide(1).action, LegRiskAction::kWait);
}

TEST(LegRisk, SubStepResidualIsNeutralAndBelowMinimumFails) {
  LegRisk lr({Side::kBid, leg_dec("1"), leg_dec("0.00001"), leg_dec("0.00001")},
             {Side::kAsk, leg_dec("1"), leg_dec("0.0001"), leg_dec("0.0001")}, 0, kUsPerSecond);
  lr.on_fill(LegIndex::kSpot, Side::kBid, leg_dec("1.00004"));
  lr.on_fill(LegIndex::kPerp, Side::kAsk, leg_dec("1"));
  EXPECT_EQ(lr.decide(1).action, LegRiskAction::kNeutral);  // 0.00004 < coarser step 0.0001
}

}  // namespace
}  // namespace bparb::exec
