// evaluate_best_fast against evaluate_best: the same quote whenever that one is an opportunity or
// tradeable, and never an opportunity otherwise, over random books, thresholds and venue states.
#include <gtest/gtest.h>

#include <random>

#include "bparb/strategy/cross_venue/xarb_signal.hpp"
#include "xarb_test_util.hpp"

namespace bparb::xarbtest {
namespace {

void same(const XarbQuote& a, const XarbQuote& b) {
  EXPECT_EQ(a.direction, b.direction);
  EXPECT_EQ(a.quantity, b.quantity);
  EXPECT_EQ(a.spread_usd, b.spread_usd);
  EXPECT_EQ(a.entry_spread, b.entry_spread);
  EXPECT_EQ(a.net_edge, b.net_edge);
  EXPECT_EQ(a.backpack.vwap, b.backpack.vwap);
  EXPECT_EQ(a.lighter.vwap, b.lighter.vwap);
  EXPECT_EQ(a.opportunity, b.opportunity);
  EXPECT_EQ(a.tradeable, b.tradeable);
  EXPECT_EQ(a.refusal, b.refusal);
  EXPECT_EQ(a.size_limited_by, b.size_limited_by);
}

// One side of a book: `n` levels from `best` going away from the touch by 1..5 ticks, 1..50 steps each.
void side(std::mt19937& rng, DepthSnapshot& snap, bool bids, std::int64_t best, Decimal tick, Decimal step) {
  std::uniform_int_distribution<int> gap(1, 5), lots(1, 50), n(1, 6);
  std::int64_t px = best;
  for (int i = n(rng); i > 0; --i) {
    (bids ? snap.bids : snap.asks).push_back({Decimal::from_units(px, tick), Decimal::from_units(lots(rng), step)});
    px += bids ? -gap(rng) : gap(rng);
  }
}

void random_book(std::mt19937& rng, OrderBook& b, const MarketSpec& s, std::int64_t mid_ticks, TimestampUs t) {
  std::uniform_int_distribution<int> half(1, 3);
  DepthSnapshot snap;
  snap.last_update_id = 1;
  snap.timestamp_us = t;
  const Decimal step = s.step_size * 100;  // 0.01 / 0.001 BTC lots
  side(rng, snap, true, mid_ticks - half(rng), s.tick_size, step);
  side(rng, snap, false, mid_ticks + half(rng), s.tick_size, step);
  b.load_snapshot(snap, t);
}

TEST(XarbFast, SameDecisionAsEvaluateBest) {
  std::mt19937 rng(20261207);
  std::uniform_int_distribution<int> offset(-400, 400), pct(0, 99), bps(0, 30), usd(0, 40);
  int opportunities = 0, tradeable = 0, skipped = 0;
  for (int i = 0; i < 20'000; ++i) {
    Rig r;
    random_book(rng, r.bp, r.bs, 500'000, r.now);
    random_book(rng, r.lt, r.ls, 500'000 + offset(rng), r.now);
    XarbParams p = base_params();
    p.min_entry_spread_bps = Decimal::from_int(bps(rng));
    p.min_net_edge_bps = Decimal::from_int(bps(rng) / 3);
    p.long_threshold = Decimal::from_int(usd(rng));
    p.short_threshold = Decimal::from_int(usd(rng));
    p.target_notional_usd = Decimal::from_int(200 + 50 * bps(rng));
    if (pct(rng) < 5) r.in.lighter.nonce_settled = false;
    if (pct(rng) < 5) r.in.backpack.position = D("1");
    if (pct(rng) < 5) r.lt.set_valid(false);
    r.in.backpack.funding = FundingInfo{Decimal::from_raw(10'000 * (pct(rng) - 50)), 3'600'000, 0, {}};
    const XarbEvaluator ev(p);
    const XarbQuote slow = ev.evaluate_best(r.in);
    const XarbQuote fast = ev.evaluate_best_fast(r.in);
    if (slow.opportunity || slow.tradeable) {
      same(slow, fast);
      opportunities += slow.opportunity;
      tradeable += slow.tradeable;
    } else {
      EXPECT_FALSE(fast.opportunity);
      EXPECT_FALSE(fast.tradeable);
      skipped += !fast.economics_valid;
    }
    if (::testing::Test::HasFailure()) {
      ADD_FAILURE() << "case " << i;
      break;
    }
  }
  // The generator reaches every branch.
  EXPECT_GT(opportunities, 500);
  EXPECT_GT(tradeable, 100);
  EXPECT_GT(skipped, 1000);
}

TEST(XarbFast, QuietMarketWalksNothingAndStillNamesAnUnhealthyVenue) {
  Rig r;
  load(r.bp, {{"49999.0", "1"}}, {{"50000.0", "1"}}, r.now);
  load(r.lt, {{"50000.5", "1"}}, {{"50001.0", "1"}}, r.now);  // 0.1 bp over Backpack's ask
  const XarbEvaluator ev(base_params());
  EXPECT_FALSE(ev.may_be_opportunity(r.in, XarbDirection::kLongBackpack));
  EXPECT_FALSE(ev.may_be_opportunity(r.in, XarbDirection::kShortBackpack));
  XarbQuote q = ev.evaluate_best_fast(r.in);
  EXPECT_EQ(q.refusal, XarbRefusal::kBelowEntrySpread);
  EXPECT_FALSE(q.economics_valid);
  r.in.lighter.private_stream_up = false;
  q = ev.evaluate_best_fast(r.in);
  EXPECT_EQ(q.refusal, XarbRefusal::kPrivateStreamDown);
  EXPECT_EQ(q.refused_venue, VenueId::kLighter);
  // The touch test is exact: a touch spread just above the threshold may be one, at it may not.
  r.in.lighter.private_stream_up = true;
  load(r.lt, {{"50080.0", "1"}}, {{"50081.0", "1"}}, r.now);  // 80 USD over the ask
  XarbParams p = base_params();
  p.long_threshold = D("80");
  EXPECT_FALSE(XarbEvaluator(p).may_be_opportunity(r.in, XarbDirection::kLongBackpack));
  p.long_threshold = D("79.9");
  EXPECT_TRUE(XarbEvaluator(p).may_be_opportunity(r.in, XarbDirection::kLongBackpack));
  p.min_entry_spread_bps = D("16");  // 80 / 50000 = exactly 16 bps: not above
  EXPECT_FALSE(XarbEvaluator(p).may_be_opportunity(r.in, XarbDirection::kLongBackpack));
  p.min_entry_spread_bps = D("15.99999");
  EXPECT_TRUE(XarbEvaluator(p).may_be_opportunity(r.in, XarbDirection::kLongBackpack));
}

}  // namespace
}  // namespace bparb::xarbtest
