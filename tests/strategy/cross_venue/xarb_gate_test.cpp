// The cross-venue gate: every refusal reason, the venue it names, and the counts by reason.
#include <gtest/gtest.h>

#include <functional>

#include "bparb/strategy/cross_venue/xarb_signal.hpp"
#include "xarb_test_util.hpp"

namespace bparb::xarbtest {
namespace {

struct Case {
  const char* name;
  std::function<void(Rig&, XarbParams&)> setup;
  XarbRefusal expect;
  VenueId venue;
};

TEST(XarbGate, EachRefusalReason) {
  const Case cases[] = {
      {"no spec", [](Rig& r, XarbParams&) { r.in.lighter.spec = nullptr; }, XarbRefusal::kBadMarketSpec,
       VenueId::kLighter},
      {"zero step", [](Rig& r, XarbParams&) { r.ls.step_size = D("0"); }, XarbRefusal::kBadMarketSpec,
       VenueId::kLighter},
      {"cancel only", [](Rig& r, XarbParams&) { r.ls.state = OrderBookState::kCancelOnly; },
       XarbRefusal::kMarketNotTrading, VenueId::kLighter},
      {"post only", [](Rig& r, XarbParams&) { r.bs.state = OrderBookState::kPostOnly; }, XarbRefusal::kMarketNotTrading,
       VenueId::kBackpack},
      {"book invalid", [](Rig& r, XarbParams&) { r.lt.set_valid(false); }, XarbRefusal::kBookInvalid,
       VenueId::kLighter},
      {"book stale", [](Rig& r, XarbParams&) { r.in.now = r.now + 5 * kUsPerSecond + 1; }, XarbRefusal::kBookStale,
       VenueId::kBackpack},
      {"private stream", [](Rig& r, XarbParams&) { r.in.lighter.private_stream_up = false; },
       XarbRefusal::kPrivateStreamDown, VenueId::kLighter},
      {"clock", [](Rig& r, XarbParams&) { r.in.backpack.clock_settled = false; }, XarbRefusal::kClockUnsettled,
       VenueId::kBackpack},
      {"nonce", [](Rig& r, XarbParams&) { r.in.lighter.nonce_settled = false; }, XarbRefusal::kNonceUnsettled,
       VenueId::kLighter},
      {"book empty",
       [](Rig& r, XarbParams&) {
         load(r.bp, {{"49999.0", "1"}}, {}, r.now);
       },
       XarbRefusal::kBookEmpty, VenueId::kBackpack},
      {"liquidity",
       [](Rig& r, XarbParams&) {
         load(r.lt, {{"50080.0", "0.0001"}}, {{"50081.0", "1"}}, r.now);
       },
       XarbRefusal::kInsufficientLiquidity, VenueId::kLighter},
      {"position", [](Rig& r, XarbParams&) { r.in.backpack.position = D("1"); }, XarbRefusal::kPositionLimit,
       VenueId::kBackpack},
      {"position lighter", [](Rig& r, XarbParams&) { r.in.lighter.position = D("-1"); }, XarbRefusal::kPositionLimit,
       VenueId::kLighter},
      {"no max position", [](Rig&, XarbParams& p) { p.max_position_lighter = D("0"); }, XarbRefusal::kPositionLimit,
       VenueId::kLighter},
      {"margin", [](Rig& r, XarbParams&) { r.in.lighter.available_margin = D("1"); }, XarbRefusal::kMarginLimit,
       VenueId::kLighter},
      {"exposure", [](Rig& r, XarbParams&) { r.in.exposure_usd = D("1000000"); }, XarbRefusal::kExposureLimit,
       VenueId::kBackpack},
      {"min quantity", [](Rig&, XarbParams& p) { p.target_notional_usd = D("1"); }, XarbRefusal::kBelowMinQuantity,
       VenueId::kBackpack},
      {"entry spread", [](Rig&, XarbParams& p) { p.min_entry_spread_bps = D("20"); }, XarbRefusal::kBelowEntrySpread,
       VenueId::kBackpack},
      {"threshold", [](Rig&, XarbParams& p) { p.long_threshold = D("100"); }, XarbRefusal::kBelowThreshold,
       VenueId::kBackpack},
      {"net edge", [](Rig&, XarbParams& p) { p.min_net_edge_bps = D("4"); }, XarbRefusal::kBelowNetEdge,
       VenueId::kBackpack},
      {"confidence", [](Rig&, XarbParams& p) { p.min_confidence = D("0.95"); }, XarbRefusal::kLowConfidence,
       VenueId::kBackpack},
  };
  XarbRefusalCounts counts;
  for (const Case& c : cases) {
    Rig r;
    r.long_books();
    XarbParams p = base_params();
    c.setup(r, p);
    const XarbQuote q = XarbEvaluator(p).evaluate(r.in, XarbDirection::kLongBackpack);
    EXPECT_EQ(q.refusal, c.expect) << c.name << ": " << to_string(q.refusal);
    EXPECT_EQ(q.refused_venue, c.venue) << c.name;
    EXPECT_FALSE(q.tradeable) << c.name;
    counts.add(q.refusal);
  }
  EXPECT_EQ(counts.total_refused(), std::size(cases));
  EXPECT_EQ(counts.count(XarbRefusal::kPositionLimit), 3u);
  EXPECT_EQ(counts.count(XarbRefusal::kBadMarketSpec), 2u);
  EXPECT_EQ(counts.count(XarbRefusal::kNone), 0u);
  // Every reason has a name.
  for (std::size_t i = 0; i < kXarbRefusalCount; ++i) {
    EXPECT_STRNE(to_string(static_cast<XarbRefusal>(i)), "?");
  }
}

TEST(XarbGate, HealthyRigTradesAndEachCheckComesBeforeEconomics) {
  Rig r;
  r.long_books();
  const XarbEvaluator ev(base_params());
  EXPECT_TRUE(ev.evaluate(r.in, XarbDirection::kLongBackpack).tradeable);
  // A blind leg refuses even a wide spread, and computes no economics.
  r.in.backpack.private_stream_up = false;
  const XarbQuote q = ev.evaluate(r.in, XarbDirection::kLongBackpack);
  EXPECT_EQ(q.refusal, XarbRefusal::kPrivateStreamDown);
  EXPECT_FALSE(q.economics_valid);
  EXPECT_FALSE(q.opportunity);
  // Both venues unhealthy: the earlier check wins (book validity before streams), then Backpack first.
  r.lt.set_valid(false);
  EXPECT_EQ(ev.evaluate(r.in, XarbDirection::kLongBackpack).refusal, XarbRefusal::kBookInvalid);
}

}  // namespace
}  // namespace bparb::xarbtest
