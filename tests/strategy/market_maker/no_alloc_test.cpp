// Hot-path guarantee: once constructed and warm, the market maker's decision path (book and trade events,
// our order's events, decide, the trip text) and the stats' fill/mid path allocate nothing; so does the
// runner's event path through the kernel's order entry (book frames, trades, the venue's answers). Global
// operator new is replaced in this test binary to count allocations while the flag is up.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include "bparb/strategy/market_maker/mm_stats.hpp"
#include "mm_runner_rig.hpp"
#include "mm_test_util.hpp"

// The counting operator new of this test binary (allocations counted while g_counting is up).
#include "../../support/counting_new.hpp"

namespace bparb::mmtest {
namespace {

// One pass of a busy market: the touch moves, takers trade both ways, our quote is placed, accepted,
// partly filled, cancelled; a 429 now and then; a breaker now and then.
void run(Rig& r, MmStats& s, int steps, int seed) {
  char line[256];
  for (int i = 0; i < steps; ++i) {
    r.advance_ms(7);
    const std::int64_t mid = 15'000 + ((i * 7 + seed) % 9) - 4;
    r.book(mid - 1, mid + 1);
    r.trade(((i / 200) % 2) == 0, 1 + i % 5);
    s.on_mid(r.now, Decimal::from_units(2 * mid, D("0.005")));
    if (i % 4'999 == 0) r.core.on_rate_limited(r.now);
    for (int k = 0; k < 3; ++k) {
      const MmDecision d = r.decide();
      if (d.action == MmAction::kNone) break;
      if (d.action == MmAction::kPlace) {
        r.core.on_quote_submitted(r.next_id);
        r.core.on_quote_accepted(r.next_id++);
        s.on_quote_placed();
      } else if (d.action == MmAction::kCancel) {
        r.core.on_quote_done(d.client_id, QuoteEnd::kCancelled, r.now);
        s.on_cancel();
      } else {
        r.core.on_hedge_done(0, r.now, false);
      }
    }
    if (r.core.quote_state() == QuoteState::kLive && i % 13 == 0) {
      r.core.on_quote_fill(r.core.quote_id(), r.core.quote_side(), 1);
      MmFill f;
      f.at_us = r.now;
      f.side = r.core.quote_side();
      f.price = Decimal::from_units(r.core.quote_price_ticks(), D("0.01"));
      f.quantity = D("0.01");
      f.fee = D("0.0003");
      f.mid = Decimal::from_units(2 * mid, D("0.005"));
      s.on_fill(f);
    }
    s.on_quote_presence(r.now, r.core.quote_state() == QuoteState::kLive, r.core.quote_at_touch());
    if (r.core.trip_count() % 5 == 0) format_trip(r.core.last_trip(), line, sizeof line);
  }
}

TEST(MmHotPath, DecisionAndStatsPathsDoNotAllocateOnceWarm) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "allocation counting is off under AddressSanitizer";
#endif
  Rig r;
  r.ready(true);
  MmStats s;
  run(r, s, 5'000, 1);  // warm: every ring has wrapped
  g_allocs = 0;
  g_counting = true;
  run(r, s, 20'000, 3);
  const MmReport rep = s.report();
  g_counting = false;
  EXPECT_EQ(g_allocs.load(), 0);
  EXPECT_GT(rep.quote_fills, 10);
  EXPECT_GT(rep.quotes_placed, 100);
}

// The runner on the real kernel: book frames, trades, and the venue's answers to every order it sends
// (accepted, partly filled, cancelled, hedges filled), the way the adapter would deliver them.
struct RunnerDriver {
  RunnerRig& r;
  DepthSnapshot a = RunnerRig::snapshot(14'999, 15'001);
  DepthSnapshot b = RunnerRig::snapshot(14'999, 15'000);
  Decimal lot = D("0.01");
  Decimal price = D("150.00");
  std::int64_t trade_id = 1;
  ClientId filling = 0;
  std::int64_t filled_lots = 0;

  void answer() {
    for (std::size_t i = 0; i < r.sink.sent.size(); ++i) {
      const exec::OrderSpec o = r.sink.sent[i];
      r.accept(o.client_id);
      if (o.reduce_only) r.fill(o.client_id, o.quantity, o.price, trade_id++, o.quantity);
    }
    r.sink.sent.clear();
    for (std::size_t i = 0; i < r.sink.cancels.size(); ++i)
      r.stream(r.sink.cancels[i], exec::OrderUpdate::Kind::kCancelled);
    r.sink.cancels.clear();
  }
  void run(int steps) {
    for (int i = 0; i < steps; ++i) {
      r.advance_ms(7);
      r.show((i / 50) % 2 == 0 ? a : b);
      answer();
      r.trade(((i / 200) % 2) == 0, 1 + i % 5);
      answer();
      const MarketMakerCore& c = r.runner->core();
      if (c.quote_state() == QuoteState::kLive && c.quote_remaining_lots() > 0 && i % 13 == 0) {
        if (filling != c.quote_id()) {
          filling = c.quote_id();
          filled_lots = 0;
        }
        ++filled_lots;
        r.fill(filling, lot, price, trade_id++, Decimal::from_units(filled_lots, lot));
        answer();
      }
    }
  }
};

TEST(MmHotPath, RunnerEventPathThroughOrderEntryDoesNotAllocateOnceWarm) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "allocation counting is off under AddressSanitizer";
#endif
  RiskLimits l = RunnerRig::limits();
  l.max_orders_per_minute = 1'024;  // the venue's answers come at once here: many quotes a minute
  RunnerRig r(requote_at_once(), l);
  r.runner->on_equity(D("1000"));
  RunnerDriver d{r};
  d.run(3'000);  // warm
  const std::uint64_t placed = r.runner->counters().places;
  const std::uint64_t cancelled = r.runner->counters().cancels;
  g_allocs = 0;
  g_counting = true;
  d.run(6'000);
  g_counting = false;
  EXPECT_EQ(g_allocs.load(), 0);
  EXPECT_GT(r.runner->counters().places - placed, 50u);  // requotes: cancel, confirmation, place
  EXPECT_GT(r.runner->counters().cancels - cancelled, 30u);
  EXPECT_EQ(r.runner->counters().refusals, 0u);
  EXPECT_GT(r.runner->stats().report().quote_fills, 20);
}

}  // namespace
}  // namespace bparb::mmtest
