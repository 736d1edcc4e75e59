// The rings the daemon feeds from its event path: once warm (every slot used once), a booked fill pushed to
// the FillRing and a log line given to the EventLogSink allocate nothing. Global operator new is replaced in
// this test binary to count allocations (only while counting is switched on).
#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <cstdlib>
#include <new>
#include <string>

#include "bparb/exec/arb_engine.hpp"
#include "bparb/service/event_log.hpp"
#include "bparb/service/trading_metrics.hpp"
#include "bparb/service/views.hpp"

// The counting operator new of this test binary (allocations counted while g_counting is up).
#include "../support/counting_new.hpp"

namespace bparb::service {
namespace {

TEST(ServiceRingsHotPath, WarmRingsDoNotAllocate) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "allocation counting is off under AddressSanitizer";
#endif
  FillRing fills;
  auto sink = std::make_shared<EventLogSink>();
  // A line longer than any small-string buffer, as a Placing line is.
  const std::string text(180, 'x');
  auto log_line = [&] {
    spdlog::details::log_msg msg(spdlog::source_loc{}, "bparb", spdlog::level::info,
                                 spdlog::string_view_t(text.data(), text.size()));
    sink->log(msg);
  };
  auto push_fill = [&](std::int64_t i) {
    fills.push(i, "SOL", "SOL_USDC_PERP", Side::kAsk, Decimal::from_string("151.3"), Decimal::from_string("3.33"),
               Decimal::from_string("0.25"), "USDC", false, i, 7);
  };
  for (std::size_t i = 0; i < EventLogSink::kCapacity; ++i) log_line();
  for (std::size_t i = 0; i < FillRing::kCapacity; ++i) push_fill(static_cast<std::int64_t>(i));
  g_allocs = 0;
  g_counting = true;
  for (int i = 0; i < 1000; ++i) {
    push_fill(i);
    log_line();
  }
  g_counting = false;
  EXPECT_EQ(g_allocs.load(), 0);
  EXPECT_EQ(sink->last_seq(), EventLogSink::kCapacity + 1000);
}

// What the event sink records per frame, per order and per fill for /metrics: nothing allocates, from the
// first call on (fixed tables; the latency histograms and a journal write's timing are plain arrays).
TEST(ServiceMetricsHotPath, RecordingDoesNotAllocate) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "allocation counting is off under AddressSanitizer";
#endif
  MarketSpec spot, perp;
  spot.symbol = "SOL_USDC";
  perp.symbol = "SOL_USDC_PERP";
  std::array<exec::OrderSpec, 2> legs{};
  legs[0].market = &spot;
  legs[1].market = &perp;
  TradingMetrics m;
  LatencyHistogram journal_write;
  const Decimal qty = Decimal::from_string("0.5"), price = Decimal::from_string("150.25");
  g_allocs = 0;
  g_counting = true;
  for (std::int64_t i = 0; i < 1000; ++i) {
    const TimestampUs t = 1'700'000'000'000'000 + i * 1'000;
    legs[0].client_id = static_cast<ClientId>(2 * i + 1);
    legs[1].client_id = static_cast<ClientId>(2 * i + 2);
    m.tick_begin(t);
    m.orders_handed(legs, t + 20);
    m.tick_end();
    m.orders_on_wire(legs, t + 45);
    m.order_answered(legs[0].client_id, t + 900);
    m.order_answered(legs[1].client_id, t + 950);
    m.fill(&spot, i % 2 == 0, qty, price);
    m.fill(&perp, false, qty, price);
    m.funding_rate(0, Decimal::from_raw(i));
    journal_write.record(i);
  }
  g_counting = false;
  EXPECT_EQ(g_allocs.load(), 0);
  EXPECT_EQ(m.order_ack().count(), 2000u);
  EXPECT_EQ(m.tick_to_order().count(), 1000u);
  EXPECT_EQ(m.flows().size(), 2u);
  EXPECT_EQ(journal_write.count(), 1000u);
}

}  // namespace
}  // namespace bparb::service
