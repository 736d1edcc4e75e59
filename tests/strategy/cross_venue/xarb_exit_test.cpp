// Cross-venue exits: each rule, its order, the unwind's prices and P&L to the decimal, reduce-only legs.
#include "bparb/strategy/cross_venue/xarb_exit.hpp"

#include <gtest/gtest.h>

#include "xarb_test_util.hpp"

namespace bparb::xarbtest {
namespace {

struct ExitRig {
  Rig r;
  XarbPosition pos;
  XarbExitInputs in;
  XarbParams p = base_params();

  ExitRig() {
    // Unwinding LongBackpack: sell on Backpack at 50010, buy on Lighter at 50010.5.
    load(r.bp, {{"50010.0", "1"}}, {{"50011.0", "1"}}, r.now);
    load(r.lt, {{"50009.0", "1"}}, {{"50010.5", "1"}}, r.now);
    pos.direction = XarbDirection::kLongBackpack;
    pos.quantity = D("0.02");
    pos.entry_spread_usd = D("77");
    pos.entry_notional = D("1000.01");
    pos.opened_at_us = r.now - kUsPerHour;
    pos.fees_paid_usd = D("0.5");
    in.backpack = &r.bp;
    in.lighter = &r.lt;
    in.backpack_fees = r.in.backpack_fees;
    in.backpack_funding = FundingInfo{D("0"), 3'600'000, 0, {}};
    in.lighter_funding = FundingInfo{D("0"), 3'600'000, 0, {}};
    in.now = r.now;
    p.min_closing_spread = D("1");
    p.take_profit_bps = D("30");
    p.max_holding_s = 2 * 3600;
  }
  XarbExitSignal eval() const { return evaluate_xarb_exit(pos, in, p); }
};

TEST(XarbExit, ConvergedWithPnlToTheDecimal) {
  ExitRig x;
  const XarbExitSignal s = x.eval();
  ASSERT_TRUE(s.prices_valid);
  EXPECT_EQ(s.exit_spread_usd, D("0.5"));  // buy Lighter 50010.5 - sell Backpack 50010
  // Backpack taker 5 bps on 1000.2 = 0.5001; Lighter standard 0.
  EXPECT_EQ(s.exit_fee_usd, D("0.5001"));
  // (77 - 0.5) x 0.02 - 0.5001 - 0.5 + 0 = 0.5299
  EXPECT_EQ(s.pnl_if_closed_usd, D("0.5299"));
  EXPECT_EQ(s.pnl_fraction, D("0.000529894"));  // / 1000.01, floored
  EXPECT_EQ(s.held_us, kUsPerHour);
  EXPECT_TRUE(s.exit);
  EXPECT_EQ(s.reason, XarbExitReason::kConverged);
  // Both unwind legs reduce-only, opposite to the entry.
  EXPECT_EQ(s.backpack.side, Side::kAsk);
  EXPECT_EQ(s.lighter.side, Side::kBid);
  EXPECT_TRUE(s.backpack.reduce_only);
  EXPECT_TRUE(s.lighter.reduce_only);
  EXPECT_EQ(s.backpack.quantity, D("0.02"));
  EXPECT_EQ(s.lighter.quantity, D("0.02"));
  // Exactly at min_closing_spread still converges (<=); just above does not.
  x.p.min_closing_spread = D("0.5");
  EXPECT_EQ(x.eval().reason, XarbExitReason::kConverged);
  x.p.min_closing_spread = D("0.4");
  EXPECT_NE(x.eval().reason, XarbExitReason::kConverged);
}

TEST(XarbExit, RulesInOrder) {
  ExitRig x;
  x.p.min_closing_spread = D("0");
  // Not converged; 5.29894 bps of P&L against a 5 bp take-profit.
  x.p.take_profit_bps = D("5");
  EXPECT_EQ(x.eval().reason, XarbExitReason::kTakeProfit);
  x.p.take_profit_bps = D("6");
  EXPECT_EQ(x.eval().reason, XarbExitReason::kNone);
  EXPECT_FALSE(x.eval().exit);
  // Held 1 h: a 1 h max holding time fires (>=).
  x.p.max_holding_s = 3600;
  EXPECT_EQ(x.eval().reason, XarbExitReason::kMaxHoldingTime);
  x.p.max_holding_s = 0;  // disabled
  // Funding: long Backpack pays 2 bp/h, short Lighter receives 0.5 bp/h: 1.5 bp/h against us > 0.5.
  x.in.backpack_funding.rate = D("0.0002");
  x.in.lighter_funding.rate = D("0.00005");
  XarbExitSignal s = x.eval();
  EXPECT_EQ(s.adverse_funding_fraction, D("0.00015"));
  EXPECT_EQ(s.reason, XarbExitReason::kFundingAgainst);
  // The same rates favour a ShortBackpack position.
  x.pos.direction = XarbDirection::kShortBackpack;
  s = x.eval();
  EXPECT_EQ(s.adverse_funding_fraction, D("-0.00015"));
  EXPECT_NE(s.reason, XarbExitReason::kFundingAgainst);
  // An 8 h interval is scaled to its hourly rate: 8 bp per 8 h = 1 bp/h against the short Backpack leg.
  x.in.backpack_funding = FundingInfo{D("-0.0008"), 8 * 3'600'000, 0, {}};
  x.in.lighter_funding.rate = D("0");
  EXPECT_EQ(x.eval().adverse_funding_fraction, D("0.0001"));
  // The operator's flatten comes first, whatever else holds.
  x.in.operator_flatten = true;
  EXPECT_EQ(x.eval().reason, XarbExitReason::kOperatorFlatten);
}

TEST(XarbExit, ShortBackpackUnwindAndUnpricedBooks) {
  ExitRig x;
  x.pos.direction = XarbDirection::kShortBackpack;
  x.pos.entry_spread_usd = D("10");
  x.p.min_closing_spread = D("0");
  x.p.take_profit_bps = D("0");
  // Unwind buys Backpack at 50011 and sells Lighter at 50009: 2 USD per unit still to pay.
  XarbExitSignal s = x.eval();
  EXPECT_EQ(s.backpack.side, Side::kBid);
  EXPECT_EQ(s.lighter.side, Side::kAsk);
  EXPECT_EQ(s.exit_spread_usd, D("2"));
  EXPECT_EQ(s.reason, XarbExitReason::kNone);
  // A book that cannot price the unwind: time and funding rules still fire, price rules do not.
  x.r.lt.set_valid(false);
  x.p.min_closing_spread = D("100");
  s = x.eval();
  EXPECT_FALSE(s.prices_valid);
  EXPECT_EQ(s.reason, XarbExitReason::kNone);
  x.p.max_holding_s = 60;
  EXPECT_EQ(x.eval().reason, XarbExitReason::kMaxHoldingTime);
}

}  // namespace
}  // namespace bparb::xarbtest
