#include "bparb/strategy/basis_strategy.hpp"

#include <gtest/gtest.h>

#include "strategy_test_util.hpp"

namespace bparb {
namespace {

using testutil::D;
using testutil::load;

constexpr TimestampUs kStrategyNow = testutil::kDay0 + 10 * kUsPerHour;

// Perp 0.4% rich: spot ask 50000, perp bid 50200, 1 BTC on every level.
class BasisStrategyTest : public ::testing::Test {
 protected:
  BasisStrategyTest()
      : spot_spec_(testutil::btc_spot()), perp_spec_(testutil::btc_perp()), spot_(spot_spec_), perp_(perp_spec_) {
    load(spot_, {{"49999.00", "1"}}, {{"50000.00", "1"}}, kStrategyNow - kUsPerHour);
    load(perp_, {{"50200.0", "1"}}, {{"50201.0", "1"}}, kStrategyNow - kUsPerHour);
    params_.basis.position_size_usd = D("1000");
    params_.basis.min_spread_threshold = D("0.001");
    params_.basis.min_execution_threshold = D("0.0005");  // no funding known: net 0.001
    params_.basis.expected_exit_basis = D("0");
    params_.basis.slippage_allowance = D("0.0002");
    params_.basis.expected_holding_us = 8 * kUsPerHour;
    params_.basis.min_confidence = 0.0;
    params_.max_open_positions = 2;
    params_.opening_delay_us = 60 * kUsPerSecond;
    params_.opportunity_log_interval_us = 10 * kUsPerSecond;
  }

  StrategyPair pair() const { return StrategyPair{"BTC", {&spot_spec_, &perp_spec_}, {&spot_, &perp_}}; }

  EntryContext context(TimestampUs now) const {
    EntryContext c;
    c.now = now;
    c.account.fees = FeeSchedule{D("8"), D("10"), D("1"), D("4")};
    c.account.available_quote = D("100000");
    c.account.available_margin = D("100000");
    c.max_notional_usd = D("5000");
    return c;
  }

  MarketSpec spot_spec_;
  MarketSpec perp_spec_;
  OrderBook spot_;
  OrderBook perp_;
  BasisStrategyParams params_;
};

TEST_F(BasisStrategyTest, OpensBothLegsAndGrossesUpTheSpotBuyForItsBaseFee) {
  BasisStrategy s(params_);
  s.add_pair(0, pair());
  EntryDecision d;
  s.entry(0, context(kStrategyNow), d);
  ASSERT_TRUE(d.quote.tradeable) << to_string(d.quote.refusal);
  EXPECT_TRUE(d.new_episode);
  EXPECT_TRUE(d.report);
  ASSERT_TRUE(d.open);
  EXPECT_EQ(d.orders[0].side, Side::kBid);
  EXPECT_EQ(d.orders[1].side, Side::kAsk);
  EXPECT_EQ(d.orders[1].quantity, d.quote.quantity);
  // The spot buy pays its taker fee (10 bps here) in BTC: net / (1 - 0.001), on the spot step.
  EXPECT_EQ(d.orders[0].quantity,
            spot_buy_gross(d.quote.quantity, D("0.001"), spot_spec_.step_size, Rounding::kNearest));
  EXPECT_GT(d.orders[0].quantity, d.quote.quantity);
  // A perp-premium entry never borrows.
  EXPECT_FALSE(d.on_sell[0].auto_borrow);
  EXPECT_FALSE(d.on_buy[0].auto_borrow_repay);
}

TEST_F(BasisStrategyTest, OpportunityLinesThrottledPerEpisodeAndInterval) {
  BasisStrategy s(params_);
  s.add_pair(0, pair());
  EntryDecision first;
  s.entry(0, context(kStrategyNow), first);
  EXPECT_TRUE(first.report);
  EntryDecision again;
  s.entry(0, context(kStrategyNow + 5 * kUsPerSecond), again);
  EXPECT_FALSE(again.new_episode);
  EXPECT_FALSE(again.report);
  EXPECT_TRUE(again.open);
  EntryDecision later;
  s.entry(0, context(kStrategyNow + 10 * kUsPerSecond), later);
  EXPECT_FALSE(later.new_episode);  // seen 5 s ago: the same episode
  EXPECT_TRUE(later.report);        // but a line per interval
  EntryDecision quiet_gap;
  s.entry(0, context(kStrategyNow + 21 * kUsPerSecond), quiet_gap);
  EXPECT_TRUE(quiet_gap.new_episode);  // nothing seen for more than the interval: a new episode
  EXPECT_TRUE(quiet_gap.report);
}

TEST_F(BasisStrategyTest, CooldownAfterFlatAndMaxOpenPositions) {
  BasisStrategy s(params_);
  s.add_pair(0, pair());
  s.on_flat(0, kStrategyNow);
  EntryDecision cooling;
  s.entry(0, context(kStrategyNow + 30 * kUsPerSecond), cooling);
  EXPECT_TRUE(cooling.quote.tradeable);
  EXPECT_FALSE(cooling.open);
  EntryDecision full;
  EntryContext c = context(kStrategyNow + 61 * kUsPerSecond);
  c.busy_pairs = 2;
  s.entry(0, c, full);
  EXPECT_FALSE(full.open);
  c.busy_pairs = 1;
  EntryDecision ok;
  s.entry(0, c, ok);
  EXPECT_TRUE(ok.open);
  c.opening_enabled = false;
  EntryDecision stopped;
  s.entry(0, c, stopped);
  EXPECT_FALSE(stopped.open);
}

TEST_F(BasisStrategyTest, ShortSpotLegBorrowsAndRepaysOnlyWhenAllowed) {
  PositionContext pc;
  pc.now = kStrategyNow;
  pc.position.direction = BasisDirection::kSpotPremium;
  pc.position.quantity = D("0.02");
  pc.position.opened_at_us = kStrategyNow - kUsPerHour;
  pc.held = {D("-0.02"), D("0.02")};
  pc.fees = FeeSchedule{D("8"), D("10"), D("1"), D("4")};
  {
    BasisStrategy s(params_);
    s.add_pair(0, pair());
    ExitDecision d;
    s.exit(0, pc, d);
    EXPECT_FALSE(d.on_buy[0].auto_borrow_repay);
    EXPECT_FALSE(d.on_sell[0].auto_borrow);
  }
  params_.basis.allow_spot_borrow = true;
  BasisStrategy s(params_);
  s.add_pair(0, pair());
  ExitDecision d;
  s.exit(0, pc, d);
  EXPECT_TRUE(d.on_buy[0].auto_borrow_repay);
  EXPECT_TRUE(d.on_sell[0].auto_borrow);
  EXPECT_TRUE(d.on_sell[0].auto_lend_redeem);
  EXPECT_FALSE(d.on_buy[1].auto_borrow_repay);
  EXPECT_FALSE(d.on_sell[1].auto_borrow);
  pc.held = {D("0.02"), D("-0.02")};  // a long spot leg sells what it holds: no flags
  ExitDecision flat;
  s.exit(0, pc, flat);
  EXPECT_FALSE(flat.on_sell[0].auto_borrow);
}

}  // namespace
}  // namespace bparb
