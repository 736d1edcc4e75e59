// Hot-path guarantee: once the books and the evaluator exist, evaluating a quote (both directions),
// observing the basis and evaluating an exit allocate nothing; the same for the cross-venue core on a
// book update of either venue. Global operator new is replaced in
// this test binary to count allocations while the flag is up.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include "bparb/strategy/basis.hpp"
#include "bparb/strategy/cross_venue/cross_venue_strategy.hpp"
#include "bparb/strategy/cross_venue/xarb_exit.hpp"
#include "bparb/strategy/cross_venue/xarb_signal.hpp"
#include "bparb/strategy/exit_rules.hpp"
#include "cross_venue/xarb_test_util.hpp"
#include "strategy_test_util.hpp"

// The counting operator new of this test binary (allocations counted while g_counting is up).
#include "../support/counting_new.hpp"

namespace bparb {
namespace {

using testutil::D;
using testutil::load;

TEST(HotPath, EvaluateObserveAndExitDoNotAllocate) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "allocation counting is off under AddressSanitizer";
#endif
  const TimestampUs now = testutil::kDay0;
  const MarketSpec ss = testutil::btc_spot();
  const MarketSpec ps = testutil::btc_perp();
  OrderBook spot(ss), perp(ps);
  load(spot, {{"49999.00", "1"}, {"49998.00", "2"}}, {{"50000.00", "0.01"}, {"50010.00", "3"}}, now);
  load(perp, {{"50200.0", "0.01"}, {"50190.0", "3"}}, {{"50201.0", "1"}}, now);
  BasisParams params;
  params.position_size_usd = D("1000");
  BasisEvaluator ev(params, 64, 0, 1, "BTC");
  BasisInputs in;
  in.spot = {&ss, &spot, now - kUsPerHour};
  in.perp = {&ps, &perp, now - kUsPerHour};
  in.funding = FundingInfo{D("0.0001"), 3'600'000, now + 30 * 60 * kUsPerSecond, D("50200")};
  in.account = AccountView{FeeSchedule{D("8"), D("10"), D("1"), D("4")}, D("100000"), D("1"), D("100000")};
  in.max_notional_usd = D("5000");
  in.now = now;
  OpenBasisPosition pos{
      BasisDirection::kPerpPremium, D("0.02"), D("0.004"), D("1000"), now - kUsPerHour, D("1.4"), D("0")};
  ExitParams exit_params;
  ev.evaluate_best(in);  // warm-up

  // The counter itself works: an explicit call to the replaceable operator new is counted.
  g_allocs = 0;
  g_counting = true;
  ::operator delete(::operator new(8));
  g_counting = false;
  ASSERT_EQ(g_allocs.load(), 1);

  g_allocs = 0;
  g_counting = true;
  long checksum = 0;
  for (int i = 0; i < 1000; ++i) {
    ev.observe(spot, perp, now + i);
    const BasisQuote q = ev.evaluate_best(in);
    const ExitSignal s = evaluate_exit(pos, spot, perp, in.funding, in.account.fees, exit_params, now + i);
    checksum += q.quantity.raw() + static_cast<long>(s.exit);
  }
  g_counting = false;
  EXPECT_EQ(g_allocs.load(), 0);
  EXPECT_GT(checksum, 0);
}

TEST(HotPath, CrossVenueEvaluationOnABookUpdateDoesNotAllocate) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "allocation counting is off under AddressSanitizer";
#endif
  xarbtest::Rig r;
  r.long_books();
  r.in.backpack.funding = FundingInfo{D("0.0001"), 3'600'000, r.now + kUsPerHour, D("50000")};
  r.in.lighter.funding = FundingInfo{D("0.00005"), 3'600'000, r.now + kUsPerHour, D("50000")};
  XarbEvaluator ev(xarbtest::base_params());
  XarbPosition pos{XarbDirection::kLongBackpack, D("0.02"), D("77"), D("1000.01"), r.now, D("0.5"), D("0")};
  XarbExitInputs exit_in{&r.bp, &r.lt, r.in.backpack.funding, r.in.lighter.funding, r.in.backpack_fees, false, 0};
  XarbRefusalCounts counts;
  ev.evaluate_best(r.in);  // warm-up

  g_allocs = 0;
  g_counting = true;
  long checksum = 0;
  for (int i = 0; i < 1000; ++i) {
    // A book update on one venue or the other: the touch moves, the core re-evaluates both directions.
    const TimestampUs t = r.now + i;
    const std::int64_t ticks = 500'000 + (i % 7);
    if (i % 2 == 0) {
      r.bp.apply_level_ticks(Side::kAsk, ticks, 100);
    } else {
      r.lt.apply_level_ticks(Side::kBid, ticks + 800, 1'000);
    }
    ev.observe(r.bp, r.lt, t);
    r.in.now = t;
    const XarbQuote q = ev.evaluate_best(r.in);
    counts.add(q.refusal);
    checksum += ev.evaluate_best_fast(r.in).quantity.raw();
    exit_in.now = t;
    const XarbExitSignal s = evaluate_xarb_exit(pos, exit_in, ev.params());
    checksum += q.quantity.raw() + static_cast<long>(s.exit);
  }
  g_counting = false;
  EXPECT_EQ(g_allocs.load(), 0);
  EXPECT_GT(checksum, 0);
  EXPECT_EQ(counts.total_refused() + counts.count(XarbRefusal::kNone), 1000u);
}

// The engine's view of the same: CrossVenueStrategy's book hook, entry (with its two IOC orders) and exit on
// every update of either venue, once its pair is registered (no observer: the lines are the daemon's).
TEST(HotPath, CrossVenueStrategyEntryAndExitDoNotAllocate) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "allocation counting is off under AddressSanitizer";
#endif
  xarbtest::Rig r;
  r.long_books();
  CrossVenueStrategyParams params;
  params.xarb = xarbtest::base_params();
  params.xarb.min_confidence = D("0.3");
  CrossVenueStrategy st(params);
  st.add_pair(0, StrategyPair{"BTC", {&r.bs, &r.ls}, {&r.bp, &r.lt}});
  for (VenueId v : {VenueId::kBackpack, VenueId::kLighter}) st.set_venue_state(0, v, {true, true, true, D("100000")});
  EntryContext ctx;
  ctx.account.available_margin = D("100000");
  ctx.max_notional_usd = D("1000000");
  PositionContext pc;
  pc.held = {D("0.02"), D("-0.02")};
  pc.average_price = {D("50000"), D("50077")};
  pc.position.entry_notional = D("1000");
  pc.position.opened_at_us = r.now;
  EntryDecision warm;
  ctx.now = r.now;
  st.entry(0, ctx, warm);

  g_allocs = 0;
  g_counting = true;
  long opened = 0;
  for (int i = 0; i < 1000; ++i) {
    const TimestampUs t = r.now + i;
    if (i % 2 == 0) {
      r.bp.apply_level_ticks(Side::kAsk, 500'000 + (i % 7), 100);
    } else {
      r.lt.apply_level_ticks(Side::kBid, 500'800 + (i % 7), 1'000);
    }
    st.on_book(0, t);
    ctx.now = t;
    EntryDecision d;
    st.entry(0, ctx, d);
    opened += d.open ? 1 : 0;
    pc.now = t;
    ExitDecision e;
    st.exit(0, pc, e);
  }
  g_counting = false;
  EXPECT_EQ(g_allocs.load(), 0);
  EXPECT_GT(opened, 0);
}

}  // namespace
}  // namespace bparb
