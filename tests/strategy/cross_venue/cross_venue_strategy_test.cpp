// CrossVenueStrategy as the engine sees it: the two first orders of an entry (sides, IOC limits within each
// venue's slippage buffer, one quantity), refusals while a venue is unhealthy, the cooldown after a trade, the
// exit decision (reduce-only legs are the engine's; here the reason and the observer's line), and the lines the
// observer is asked to log.
#include "bparb/strategy/cross_venue/cross_venue_strategy.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "xarb_test_util.hpp"

namespace bparb {
namespace {

using xarbtest::D;
using xarbtest::Rig;

struct Lines final : XarbObserver {
  std::vector<XarbQuote> opportunities;
  std::vector<XarbExitSignal> exits;
  void on_xarb_opportunity(std::uint32_t, const XarbQuote& q) override { opportunities.push_back(q); }
  void on_xarb_exit(std::uint32_t, const XarbExitSignal& s, const XarbPosition&) override { exits.push_back(s); }
};

struct StrategyRig : Rig {
  CrossVenueStrategyParams params;
  std::unique_ptr<CrossVenueStrategy> s;
  Lines lines;

  StrategyRig() {
    params.xarb = xarbtest::base_params();
    params.xarb.min_confidence = D("0.3");
    params.backpack_slippage_buffer = D("0.001");
    params.lighter_slippage_buffer = D("0.002");
    params.opening_delay_us = 10 * kUsPerSecond;
    s = std::make_unique<CrossVenueStrategy>(params);
    s->set_observer(&lines);
    s->add_pair(0, StrategyPair{"BTC", {&bs, &ls}, {&bp, &lt}});
    healthy();
  }
  void healthy() {
    s->set_venue_state(0, VenueId::kBackpack, {true, true, true, D("100000")});
    s->set_venue_state(0, VenueId::kLighter, {true, true, true, D("100000")});
  }
  EntryDecision entry(TimestampUs at) {
    EntryContext ctx;
    ctx.now = at;
    ctx.account.available_margin = D("100000");
    ctx.account.fees.perp_maker_bps = D("2");
    ctx.account.fees.perp_taker_bps = D("5");
    ctx.max_notional_usd = D("1000000");
    EntryDecision d;
    s->entry(0, ctx, d);
    return d;
  }
};

TEST(CrossVenueStrategy, LongBackpackBuysBackpackAndSellsLighterWithIocLimitsWithinEachVenuesBuffer) {
  StrategyRig r;
  r.long_books();
  const EntryDecision d = r.entry(r.now);
  ASSERT_TRUE(d.open);
  EXPECT_FALSE(d.report) << "the engine's basis line is not the cross-venue one";
  ASSERT_EQ(r.lines.opportunities.size(), 1u);
  const XarbQuote& q = r.lines.opportunities[0];
  EXPECT_EQ(q.direction, XarbDirection::kLongBackpack);
  EXPECT_EQ(d.orders[0].side, Side::kBid);
  EXPECT_EQ(d.orders[1].side, Side::kAsk);
  EXPECT_EQ(d.orders[0].tif, TimeInForce::kIoc);
  EXPECT_EQ(d.orders[1].tif, TimeInForce::kIoc);
  EXPECT_EQ(d.orders[0].quantity, q.quantity);
  EXPECT_EQ(d.orders[1].quantity, q.quantity);
  // Buy: worst level * (1 + 0.001) rounded down to the tick; sell: worst * (1 - 0.002) rounded up.
  EXPECT_EQ(d.orders[0].price,
            q.backpack.worst_price.mul(D("1.001"), Rounding::kDown).round_to(D("0.1"), Rounding::kDown));
  EXPECT_EQ(d.orders[1].price, q.lighter.worst_price.mul(D("0.998"), Rounding::kUp).round_to(D("0.1"), Rounding::kUp));
  EXPECT_GE(d.orders[0].price, q.backpack.worst_price);
  EXPECT_LE(d.orders[1].price, q.lighter.worst_price);
  EXPECT_EQ(d.quote.notional_usd, q.buy_notional_usd);
}

// leg_order reaches the engine with each entry: together by default, else the first venue and its wait.
TEST(CrossVenueStrategy, TheEntryCarriesTheLegOrder) {
  StrategyRig r;
  r.long_books();
  EXPECT_EQ(r.entry(r.now).sequence, LegSequence::kTogether);
  r.params.leg_order = LegSequence::kLeg1First;
  r.params.first_leg_timeout_us = 750 * kUsPerMs;
  r.s->set_params(r.params);
  const EntryDecision d = r.entry(r.now);
  ASSERT_TRUE(d.open);
  EXPECT_EQ(d.sequence, LegSequence::kLeg1First);
  EXPECT_EQ(d.first_leg_timeout_us, 750 * kUsPerMs);
}

TEST(CrossVenueStrategy, ShortBackpackSellsBackpackAndBuysLighter) {
  StrategyRig r;
  r.short_books();
  const EntryDecision d = r.entry(r.now);
  ASSERT_TRUE(d.open);
  EXPECT_EQ(d.orders[0].side, Side::kAsk);
  EXPECT_EQ(d.orders[1].side, Side::kBid);
  EXPECT_EQ(r.s->last_quote(0).direction, XarbDirection::kShortBackpack);
}

// Lighter's funding as the daemon pushes it (its published 0.0006 over 8 hours: 0.000075 per hour, next settlement
// 20 minutes away): over the 4 h holding window settlements fall at +20, +80, +140 and +200 minutes, so the short
// Lighter leg of LongBackpack receives 4 x 0.75 bp = 3 bps. By hand: entry 15.39984 bps (buy VWAP 50000.5, sell
// VWAP 50077.5), fees 10 bps (Backpack taker 5 bps twice, Lighter Standard none), slippage 2 bps, Backpack's rate
// 0: net 3.39984 bps without Lighter's carry, 6.39984 bps with it. ShortBackpack is long Lighter and pays the 3 bps.
TEST(CrossVenueStrategy, LighterFundingPushedByTheRuntimeEntersTheCarry) {
  StrategyRig r;
  r.long_books();
  (void)r.entry(r.now);
  EXPECT_EQ(r.s->last_quote(0).net_edge, D("0.000339984"));
  EXPECT_EQ(r.s->last_quote(0).funding_fraction, D("0"));
  r.s->set_funding(0, VenueId::kLighter, FundingInfo{D("0.000075"), 3'600'000, r.now + 20 * 60 * kUsPerSecond, {}});
  (void)r.entry(r.now);
  const XarbQuote& q = r.s->last_quote(0);
  EXPECT_EQ(q.direction, XarbDirection::kLongBackpack);
  EXPECT_EQ(q.funding_settlements_lighter, 4);
  EXPECT_EQ(q.funding_fraction, D("0.0003"));
  EXPECT_EQ(q.net_edge, D("0.000639984"));

  StrategyRig s;
  s.short_books();
  (void)s.entry(s.now);
  const Decimal without = s.s->last_quote(0).net_edge;
  s.s->set_funding(0, VenueId::kLighter, FundingInfo{D("0.000075"), 3'600'000, s.now + 20 * 60 * kUsPerSecond, {}});
  (void)s.entry(s.now);
  EXPECT_EQ(s.s->last_quote(0).direction, XarbDirection::kShortBackpack);
  EXPECT_EQ(s.s->last_quote(0).funding_fraction, D("-0.0003"));
  EXPECT_EQ(without - s.s->last_quote(0).net_edge, D("0.0003"));
}

TEST(CrossVenueStrategy, AVenueWhosePrivateStreamIsDownRefusesTheEntryAndIsCountedOncePerChange) {
  StrategyRig r;
  r.long_books();
  r.s->set_venue_state(0, VenueId::kLighter, {false, true, true, D("100000")});
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(r.entry(r.now + i).open);
  EXPECT_EQ(r.s->last_quote(0).refusal, XarbRefusal::kPrivateStreamDown);
  EXPECT_EQ(r.s->refusals(0).count(XarbRefusal::kPrivateStreamDown), 1u);
  r.healthy();
  EXPECT_TRUE(r.entry(r.now + 10).open);
}

TEST(CrossVenueStrategy, TheRiskGatesHeadroomBelowTheBuyNotionalRefusesAsExposure) {
  StrategyRig r;
  r.long_books();
  EntryContext ctx;
  ctx.now = r.now;
  ctx.account.available_margin = D("100000");
  ctx.max_notional_usd = D("10");
  EntryDecision d;
  r.s->entry(0, ctx, d);
  EXPECT_FALSE(d.open);
  EXPECT_EQ(r.s->last_quote(0).refusal, XarbRefusal::kExposureLimit);
}

TEST(CrossVenueStrategy, AfterATradeEndsTheOpeningDelayHoldsTheNextEntry) {
  StrategyRig r;
  r.long_books();
  const TimestampUs flat_at = r.now;
  r.s->on_flat(0, flat_at);
  r.now = flat_at + 9 * kUsPerSecond;
  r.long_books();  // the same spread, fresh books
  EXPECT_FALSE(r.entry(r.now).open);
  EXPECT_TRUE(r.entry(flat_at + 10 * kUsPerSecond).open);
}

TEST(CrossVenueStrategy, AnOpenLongBackpackPositionClosesOnConvergenceAndTheObserverHearsIt) {
  StrategyRig r;
  r.params.xarb.min_closing_spread = D("5");
  r.s->set_params(r.params);
  PositionContext pc;
  pc.now = r.now;
  pc.held = {D("0.01"), D("-0.01")};
  pc.average_price = {D("50000"), D("50080")};
  pc.position.entry_notional = D("500");
  pc.position.opened_at_us = r.now - 60 * kUsPerSecond;
  // Still apart: unwinding costs Lighter's ask - Backpack's bid = 82 USD per unit.
  r.long_books();
  ExitDecision far;
  r.s->exit(0, pc, far);
  EXPECT_FALSE(far.signal.exit);
  EXPECT_TRUE(r.lines.exits.empty());
  // Converged: the same touch on both venues (exit spread 1 USD per unit).
  xarbtest::load(r.bp, {{"50040.0", "1"}}, {{"50041.0", "1"}}, r.now);
  xarbtest::load(r.lt, {{"50040.0", "1"}}, {{"50041.0", "1"}}, r.now);
  ExitDecision near;
  r.s->exit(0, pc, near);
  EXPECT_TRUE(near.signal.exit);
  EXPECT_EQ(near.signal.reason, ExitReason::kConverged);
  ASSERT_EQ(r.lines.exits.size(), 1u);
  EXPECT_EQ(r.lines.exits[0].reason, XarbExitReason::kConverged);
  EXPECT_EQ(r.lines.exits[0].exit_spread_usd, D("1"));
}

TEST(CrossVenueStrategy, BothLegsMustBePerps) {
  CrossVenueStrategy s{CrossVenueStrategyParams{}};
  MarketSpec spot = xarbtest::lighter_btc();
  spot.type = MarketType::kSpot;
  MarketSpec perp = xarbtest::lighter_btc();
  OrderBook a{spot}, b{perp};
  EXPECT_THROW(s.add_pair(0, StrategyPair{"BTC", {&spot, &perp}, {&a, &b}}), std::invalid_argument);
}

}  // namespace
}  // namespace bparb
