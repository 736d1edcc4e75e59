// The rings the daemon feeds from its event path: once warm (every slot used once), a booked fill pushed to
// the FillRing and a log line given to the EventLogSink allocate nothing. Global operator new is replaced in
// this test binary to count allocations (only while counting is switched on).
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <string>

#include "bparb/service/event_log.hpp"
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

}  // namespace
}  // namespace bparb::service
