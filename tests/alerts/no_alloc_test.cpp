// What the order path calls on the alerter costs no allocation when nothing is due: an event no sink
// selected, a rejection that does not complete a burst, a hedged (or already reported) naked-leg check.
#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <cstdlib>
#include <new>

#include "bparb/alerts/alerter.hpp"

// The counting operator new of this test binary (allocations counted while g_counting is up).
#include "../support/counting_new.hpp"

namespace bparb::alerts {
namespace {

TEST(AlertsHotPath, NothingDueAllocatesNothing) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "allocation counting is off under AddressSanitizer";
#endif
  boost::asio::io_context io;
  ManualClock clock(1'796'601'600LL * kUsPerSecond);
  AlertsOptions o;
  SinkOptions s;
  s.name = "webhook#0";
  s.url = "http://127.0.0.1:9/h";  // never contacted: nothing is due
  s.events = event_bit(AlertEvent::kStart) | event_bit(AlertEvent::kRejects) | event_bit(AlertEvent::kNakedLeg);
  o.sinks.push_back(s);
  o.rejects_count = 1000;
  o.naked_leg_us = 10 * kUsPerSecond;
  Alerter al(io, clock, spdlog::default_logger(), o);
  const TimestampUs since = clock.now_us();
  g_allocs = 0;
  g_counting = true;
  bool any = false;
  for (int i = 0; i < 500; ++i) {
    clock.advance_us(kUsPerMs);
    any |= al.wants(AlertEvent::kFills) || al.wants(AlertEvent::kLegRisk);
    any |= al.reject_seen("SOL", "SOL_USDC_PERP", "INSUFFICIENT_MARGIN", "not enough margin");
    al.unhedged_since(i % 2 ? since : 0);  // a stretch younger than naked_leg_seconds, then hedged
  }
  g_counting = false;
  EXPECT_FALSE(any);
  EXPECT_EQ(g_allocs.load(), 0);
  EXPECT_EQ(al.status()[0].queued, 0u);
}

TEST(AlertsHotPath, NakedLegAndRejectBurstsAlertOnce) {
  boost::asio::io_context io;
  ManualClock clock(1'796'601'600LL * kUsPerSecond);
  AlertsOptions o;
  SinkOptions s;
  s.name = "webhook#0";
  s.url = "http://127.0.0.1:9/h";
  s.events = default_events();
  o.sinks.push_back(s);
  o.rejects_count = 3;
  o.rejects_window_us = 10 * kUsPerSecond;
  o.naked_leg_us = 5 * kUsPerSecond;
  Alerter al(io, clock, spdlog::default_logger(), o);
  const TimestampUs since = clock.now_us();
  clock.advance_us(4 * kUsPerSecond);
  al.unhedged_since(since);
  EXPECT_EQ(al.status()[0].queued, 0u);  // younger than naked_leg_seconds
  clock.advance_us(2 * kUsPerSecond);
  al.unhedged_since(since);
  al.unhedged_since(since);
  EXPECT_EQ(al.status()[0].queued, 1u);  // once per stretch
  EXPECT_FALSE(al.reject_seen("SOL", "SOL_USDC", "X", "m"));
  EXPECT_FALSE(al.reject_seen("SOL", "SOL_USDC", "X", "m"));
  EXPECT_TRUE(al.reject_seen("SOL", "SOL_USDC", "X", "m"));
  EXPECT_FALSE(al.reject_seen("SOL", "SOL_USDC", "X", "m"));
  EXPECT_EQ(al.status()[0].queued, 2u);
  al.stop();
}

}  // namespace
}  // namespace bparb::alerts
