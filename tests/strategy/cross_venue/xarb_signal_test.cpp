// The cross-venue signal: book walks, the edge to the exact decimal (both directions, both Lighter fee
// tiers, the funding carry's sign), strict thresholds, size caps and confidence.
#include "bparb/strategy/cross_venue/xarb_signal.hpp"

#include <gtest/gtest.h>

#include "xarb_test_util.hpp"

namespace bparb::xarbtest {
namespace {

// Backpack 1 bp/hour, Lighter 0.5 bp/hour, next settlement unknown: 4 settlements in the 4 h default.
void set_funding(Rig& r, const char* backpack_rate, const char* lighter_rate) {
  r.in.backpack.funding = FundingInfo{D(backpack_rate), 3'600'000, 0, {}};
  r.in.lighter.funding = FundingInfo{D(lighter_rate), 3'600'000, 0, {}};
}

TEST(XarbSignal, LongBackpackEdgeToTheDecimal) {
  Rig r;
  r.long_books();
  set_funding(r, "0.0001", "0.00005");
  const XarbEvaluator ev(base_params());
  const XarbQuote q = ev.evaluate(r.in, XarbDirection::kLongBackpack);
  ASSERT_TRUE(q.economics_valid);
  EXPECT_EQ(q.quantity, D("0.02"));  // 1000 USD / 50000 at Backpack's ask
  EXPECT_EQ(q.backpack.side, Side::kBid);
  EXPECT_EQ(q.lighter.side, Side::kAsk);
  // Buy 0.01 @ 50000 + 0.01 @ 50001 on Backpack; sell 0.01 @ 50080 + 0.01 @ 50075 on Lighter.
  EXPECT_EQ(q.backpack.vwap, D("50000.5"));
  EXPECT_EQ(q.backpack.worst_price, D("50001"));
  EXPECT_EQ(q.lighter.vwap, D("50077.5"));
  EXPECT_EQ(q.lighter.worst_price, D("50075"));
  EXPECT_EQ(q.buy_notional_usd, D("1000.01"));
  EXPECT_EQ(q.spread_usd, D("77"));
  EXPECT_EQ(q.entry_spread, D("0.001539984"));  // 77 / 50000.5 = 0.00153998460..., floored
  // Four fills: Backpack taker 5 bps in and out, Lighter standard 0: 10 bps.
  EXPECT_EQ(q.fee_fraction, D("0.001"));
  EXPECT_EQ(q.slippage_allowance, D("0.0002"));
  EXPECT_EQ(q.expected_exit_spread, D("0"));
  // Long Backpack pays 4 x 1 bp, short Lighter receives 4 x 0.5 bp.
  EXPECT_EQ(q.funding_settlements_backpack, 4);
  EXPECT_EQ(q.funding_settlements_lighter, 4);
  EXPECT_EQ(q.funding_fraction, D("-0.0002"));
  EXPECT_EQ(q.net_edge, D("0.000139984"));             // 15.39984 - 10 - 2 - 2 bps
  EXPECT_EQ(q.expected_profit_usd, D("0.139985399"));  // 1000.01 x 0.000139984, floored
  EXPECT_EQ(q.size_limited_by, XarbSizeLimit::kTarget);
  EXPECT_DOUBLE_EQ(q.confidence.total, 0.9);  // 0.5 + 0.3 depth (50x) + 0.1 spread (15..20 bps)
  EXPECT_TRUE(q.opportunity);
  EXPECT_TRUE(q.tradeable);
  EXPECT_EQ(q.refusal, XarbRefusal::kNone);
}

TEST(XarbSignal, LighterPremiumTierPaysItsFeesOnBothLighterFills) {
  Rig r;
  r.long_books();
  set_funding(r, "0.0001", "0.00005");
  XarbParams p = base_params();
  p.lighter_fee_tier = LighterFeeTier::kPremium;
  const XarbQuote q = XarbEvaluator(p).evaluate(r.in, XarbDirection::kLongBackpack);
  EXPECT_EQ(q.lighter.fee_bps, D("2.8"));
  EXPECT_EQ(q.fee_fraction, D("0.00156"));           // 5 + 2.8 + 5 + 2.8 bps
  EXPECT_EQ(q.net_edge, D("-0.000420016"));          // 15.39984 - 15.6 - 2 - 2 bps
  EXPECT_EQ(q.refusal, XarbRefusal::kBelowNetEdge);  // still an opportunity on the spread
  EXPECT_TRUE(q.opportunity);
  EXPECT_FALSE(q.tradeable);
  // Exiting as maker: Backpack 2 bps and Lighter premium 0.4 bps on the way out.
  p.exit_as_maker = true;
  EXPECT_EQ(XarbEvaluator(p).evaluate(r.in, XarbDirection::kLongBackpack).fee_fraction, D("0.00102"));
}

TEST(XarbSignal, ShortBackpackEdgeToTheDecimal) {
  Rig r;
  r.short_books();
  set_funding(r, "0.0001", "0.00005");
  XarbParams p = base_params();
  p.target_notional_usd = D("1001.6");  // 0.02 at Backpack's bid of 50080
  const XarbQuote q = XarbEvaluator(p).evaluate(r.in, XarbDirection::kShortBackpack);
  ASSERT_TRUE(q.economics_valid);
  EXPECT_EQ(q.quantity, D("0.02"));
  EXPECT_EQ(q.backpack.side, Side::kAsk);
  EXPECT_EQ(q.lighter.side, Side::kBid);
  EXPECT_EQ(q.backpack.vwap, D("50077.5"));
  EXPECT_EQ(q.lighter.vwap, D("50000.5"));
  EXPECT_EQ(q.buy_notional_usd, D("1000.01"));  // the Lighter buy
  EXPECT_EQ(q.spread_usd, D("77"));
  EXPECT_EQ(q.entry_spread, D("0.001539984"));
  // Short Backpack receives 4 x 1 bp, long Lighter pays 4 x 0.5 bp.
  EXPECT_EQ(q.funding_fraction, D("0.0002"));
  EXPECT_EQ(q.net_edge, D("0.000539984"));  // 15.39984 - 10 - 2 + 2 bps
  EXPECT_TRUE(q.tradeable);
  // The other direction on the same books crosses nothing: the spread is negative.
  const XarbQuote other = XarbEvaluator(p).evaluate(r.in, XarbDirection::kLongBackpack);
  EXPECT_TRUE(other.spread_usd.is_negative());
  EXPECT_EQ(other.refusal, XarbRefusal::kBelowEntrySpread);
  const XarbQuote best = XarbEvaluator(p).evaluate_best(r.in);
  EXPECT_EQ(best.direction, XarbDirection::kShortBackpack);
}

TEST(XarbSignal, FundingCarrySignFollowsTheSideHeldOnEachVenue) {
  Rig r;
  r.long_books();
  const XarbEvaluator ev(base_params());
  // Backpack's rate > 0: longs pay. LongBackpack (long there) pays, ShortBackpack receives.
  set_funding(r, "0.0001", "0");
  EXPECT_EQ(ev.evaluate(r.in, XarbDirection::kLongBackpack).funding_fraction, D("-0.0004"));
  EXPECT_EQ(ev.evaluate(r.in, XarbDirection::kShortBackpack).funding_fraction, D("0.0004"));
  // Lighter's rate > 0: LongBackpack is short Lighter and receives.
  set_funding(r, "0", "0.0001");
  EXPECT_EQ(ev.evaluate(r.in, XarbDirection::kLongBackpack).funding_fraction, D("0.0004"));
  EXPECT_EQ(ev.evaluate(r.in, XarbDirection::kShortBackpack).funding_fraction, D("-0.0004"));
  // Negative rates pay longs.
  set_funding(r, "-0.0001", "-0.0001");
  EXPECT_EQ(ev.evaluate(r.in, XarbDirection::kLongBackpack).funding_fraction, D("0"));
  set_funding(r, "-0.0002", "0.0001");
  EXPECT_EQ(ev.evaluate(r.in, XarbDirection::kLongBackpack).funding_fraction, D("0.0012"));
  // A known next settlement 30 min away: settlements at +0.5 h, 1.5 h, 2.5 h and 3.5 h fall in the 4 h window.
  r.in.backpack.funding = FundingInfo{D("0.0001"), 3'600'000, r.now + 30 * 60 * kUsPerSecond, {}};
  r.in.lighter.funding = FundingInfo{D("0"), 0, 0, {}};  // interval from the spec: 4 settlements of 0
  const XarbQuote q = ev.evaluate(r.in, XarbDirection::kLongBackpack);
  EXPECT_EQ(q.funding_settlements_backpack, 4);
  EXPECT_EQ(q.funding_settlements_lighter, 4);
  EXPECT_EQ(q.funding_fraction, D("-0.0004"));
}

TEST(XarbSignal, WalksAcrossLevelsAndCapsAtDepth) {
  Rig r;
  r.long_books();
  XarbParams p = base_params();
  p.target_notional_usd = D("1000000");
  p.max_position_backpack = p.max_position_lighter = D("10");
  p.max_depth_fraction = D("1");
  const XarbQuote q = XarbEvaluator(p).evaluate(r.in, XarbDirection::kLongBackpack);
  // 1.01 on each consumed side within 10 bps: the whole of both books.
  EXPECT_EQ(q.backpack.depth, D("1.01"));
  EXPECT_EQ(q.lighter.depth, D("1.01"));
  EXPECT_EQ(q.quantity, D("1.01"));
  EXPECT_EQ(q.size_limited_by, XarbSizeLimit::kLiquidity);
  EXPECT_EQ(q.backpack.best_price, D("50000"));
  EXPECT_EQ(q.backpack.worst_price, D("50001"));
  EXPECT_EQ(q.backpack.vwap, D("50000.990099010"));  // 50501 / 1.01, rounded up for a buy
  EXPECT_EQ(q.lighter.vwap, D("50075.049504950"));   // 50575.8 / 1.01, rounded down for a sell
  // Half the thinner depth by default.
  p.max_depth_fraction = D("0.5");
  EXPECT_EQ(XarbEvaluator(p).evaluate(r.in, XarbDirection::kLongBackpack).quantity, D("0.505"));
}

TEST(XarbSignal, InsufficientDepthRefuses) {
  Rig r;
  r.long_books();
  r.ls.min_quantity = D("2");  // more than either book holds
  XarbParams p = base_params();
  p.target_notional_usd = D("1000000");
  p.max_position_backpack = p.max_position_lighter = D("10");
  const XarbQuote q = XarbEvaluator(p).evaluate(r.in, XarbDirection::kLongBackpack);
  EXPECT_EQ(q.size_limited_by, XarbSizeLimit::kLiquidity);
  EXPECT_EQ(q.refusal, XarbRefusal::kInsufficientLiquidity);
  EXPECT_FALSE(q.economics_valid);
  EXPECT_EQ(q.quantity, D("2"));  // the minimum it tried to walk
}

TEST(XarbSignal, ThresholdsAreStrict) {
  Rig r;
  r.long_books();
  set_funding(r, "0.0001", "0.00005");
  XarbParams p = base_params();
  p.long_threshold = D("77");  // spread is exactly 77 USD per unit: not enough
  XarbQuote q = XarbEvaluator(p).evaluate(r.in, XarbDirection::kLongBackpack);
  EXPECT_EQ(q.refusal, XarbRefusal::kBelowThreshold);
  EXPECT_FALSE(q.opportunity);
  p.long_threshold = D("76.9");
  EXPECT_TRUE(XarbEvaluator(p).evaluate(r.in, XarbDirection::kLongBackpack).tradeable);
  // short_threshold is the other direction's: it does not gate LongBackpack.
  p.short_threshold = D("1000");
  EXPECT_TRUE(XarbEvaluator(p).evaluate(r.in, XarbDirection::kLongBackpack).tradeable);

  p = base_params();
  p.min_entry_spread_bps = D("15.39984");  // equal to the entry spread
  q = XarbEvaluator(p).evaluate(r.in, XarbDirection::kLongBackpack);
  EXPECT_EQ(q.refusal, XarbRefusal::kBelowEntrySpread);
  p.min_entry_spread_bps = D("15.39983");
  EXPECT_TRUE(XarbEvaluator(p).evaluate(r.in, XarbDirection::kLongBackpack).tradeable);

  p = base_params();
  p.min_net_edge_bps = D("1.39984");  // equal to the net edge
  EXPECT_EQ(XarbEvaluator(p).evaluate(r.in, XarbDirection::kLongBackpack).refusal, XarbRefusal::kBelowNetEdge);
  p.min_net_edge_bps = D("1.39983");
  EXPECT_TRUE(XarbEvaluator(p).evaluate(r.in, XarbDirection::kLongBackpack).tradeable);

  r.short_books();
  p = base_params();
  p.target_notional_usd = D("1001.6");
  p.short_threshold = D("77");
  EXPECT_EQ(XarbEvaluator(p).evaluate(r.in, XarbDirection::kShortBackpack).refusal, XarbRefusal::kBelowThreshold);
  p.short_threshold = D("76.99");
  EXPECT_TRUE(XarbEvaluator(p).evaluate(r.in, XarbDirection::kShortBackpack).tradeable);
}

TEST(XarbSignal, SizeCapsPerVenueAndTotal) {
  Rig r;
  r.long_books();
  XarbParams p = base_params();
  p.max_position_backpack = D("0.015");
  XarbQuote q = XarbEvaluator(p).evaluate(r.in, XarbDirection::kLongBackpack);
  EXPECT_EQ(q.quantity, D("0.015"));
  EXPECT_EQ(q.size_limited_by, XarbSizeLimit::kPosition);
  // A short already held on Backpack leaves room to buy back and go long up to the max.
  r.in.backpack.position = D("-0.005");
  EXPECT_EQ(XarbEvaluator(p).evaluate(r.in, XarbDirection::kLongBackpack).quantity, D("0.02"));
  r.in.backpack.position = D("0");
  // Lighter is sold in LongBackpack: an existing short there counts against its max.
  p = base_params();
  p.max_position_lighter = D("0.02");
  r.in.lighter.position = D("-0.008");
  q = XarbEvaluator(p).evaluate(r.in, XarbDirection::kLongBackpack);
  EXPECT_EQ(q.quantity, D("0.012"));
  EXPECT_EQ(q.size_limited_by, XarbSizeLimit::kPosition);
  r.in.lighter.position = D("0");
  // Margin: Backpack's IMF 0.02 at 50000 needs 1000 USD per unit; 13 USD buys 0.013.
  p = base_params();
  r.in.backpack.available_margin = D("13");
  q = XarbEvaluator(p).evaluate(r.in, XarbDirection::kLongBackpack);
  EXPECT_EQ(q.quantity, D("0.0129"));  // the walk's worse price shrinks it below 0.013
  EXPECT_EQ(q.size_limited_by, XarbSizeLimit::kMargin);
  r.in.backpack.available_margin = D("100000");
  // Total exposure: 1500 USD of headroom over both legs (50000 + 50080 USD per unit).
  p.max_total_exposure_usd = D("3000");
  r.in.exposure_usd = D("1500");
  q = XarbEvaluator(p).evaluate(r.in, XarbDirection::kLongBackpack);
  EXPECT_EQ(q.quantity, D("0.0149"));  // 1500 / 100080 = 0.01498..
  EXPECT_EQ(q.size_limited_by, XarbSizeLimit::kExposure);
}

TEST(XarbSignal, ConfidencePenalties) {
  Rig r;
  r.long_books();
  XarbParams p = base_params();
  XarbEvaluator ev(p);
  // Soft staleness: 3 s without an update (the hard limit is 5 s).
  r.in.now = r.now + 3 * kUsPerSecond;
  XarbQuote q = ev.evaluate(r.in, XarbDirection::kLongBackpack);
  EXPECT_DOUBLE_EQ(q.confidence.stale_penalty, -0.2);
  EXPECT_DOUBLE_EQ(q.confidence.total, 0.7);
  r.in.now = r.now;
  // A book resynced 1 s ago.
  r.in.lighter.synced_since_us = r.now - kUsPerSecond;
  q = ev.evaluate(r.in, XarbDirection::kLongBackpack);
  EXPECT_DOUBLE_EQ(q.confidence.resync_penalty, -0.1);
  EXPECT_DOUBLE_EQ(q.confidence.total, 0.8);
  r.in.lighter.synced_since_us = 0;
  // A differential jumping by ~108 bps between samples (stddev ~54 bps, threshold 10).
  for (int i = 0; i < 10; ++i) {
    load(r.lt, {{i % 2 == 0 ? "50080.0" : "49000.0", "1"}}, {{"50081.0", "1"}}, r.now);
    ev.observe(r.bp, r.lt, r.now + i);
  }
  r.long_books();
  q = ev.evaluate(r.in, XarbDirection::kLongBackpack);
  EXPECT_GT(q.confidence.differential_stddev_bps, 50.0);
  EXPECT_DOUBLE_EQ(q.confidence.volatility_penalty, -0.2);
  EXPECT_DOUBLE_EQ(q.confidence.total, 0.7);
  // Thin books: depth only 2x the size.
  load(r.bp, {{"49999.0", "1"}}, {{"50000.0", "0.04"}}, r.now);
  q = XarbEvaluator(p).evaluate(r.in, XarbDirection::kLongBackpack);
  EXPECT_DOUBLE_EQ(q.confidence.depth_ratio, 2.0);
  EXPECT_DOUBLE_EQ(q.confidence.liquidity, 0.1);
}

}  // namespace
}  // namespace bparb::xarbtest
