// The guards on their own: mid history, rejection bursts, request budget, 429 back-off.
#include <gtest/gtest.h>

#include "bparb/strategy/market_maker/mm_guards.hpp"
#include "mm_test_util.hpp"

namespace bparb::mmtest {
namespace {

TEST(MidHistory, ReferenceIsTheMidInEffectOneWindowAgo) {
  MidHistory h(1'000 * kMs);
  std::int64_t mid2 = 0;
  TimestampUs at = 0;
  EXPECT_FALSE(h.reference(kT0, mid2, at));
  h.add(kT0, 30'000);
  h.add(kT0 + 400 * kMs, 30'010);
  h.add(kT0 + 800 * kMs, 30'020);
  h.add(kT0 + 900 * kMs, 30'020);                       // unchanged: not a new sample
  ASSERT_TRUE(h.reference(kT0 + 900 * kMs, mid2, at));  // nothing 1 s old yet: the oldest
  EXPECT_EQ(mid2, 30'000);
  ASSERT_TRUE(h.reference(kT0 + 1'399 * kMs, mid2, at));
  EXPECT_EQ(mid2, 30'000);
  ASSERT_TRUE(h.reference(kT0 + 1'400 * kMs, mid2, at));
  EXPECT_EQ(mid2, 30'010);
  EXPECT_EQ(at, kT0 + 400 * kMs);
  ASSERT_TRUE(h.reference(kT0 + 5'000 * kMs, mid2, at));
  EXPECT_EQ(mid2, 30'020);
}

TEST(MidHistory, OverflowComparesAgainstTheOldestHeld) {
  MidHistory h(1'000 * kMs, 4);
  for (int i = 0; i < 10; ++i) h.add(kT0 + i * kMs, 30'000 + i);
  std::int64_t mid2 = 0;
  TimestampUs at = 0;
  ASSERT_TRUE(h.reference(kT0 + 10 * kMs, mid2, at));
  EXPECT_EQ(mid2, 30'006);
}

TEST(EventBurst, CountsWithinTheWindow) {
  EventBurst b(3, 1'000 * kMs);
  EXPECT_EQ(b.add(kT0), 1u);
  EXPECT_EQ(b.add(kT0 + 500 * kMs), 2u);
  EXPECT_EQ(b.add(kT0 + 1'000 * kMs), 2u);  // the first is exactly 1 s old: out
  EXPECT_EQ(b.add(kT0 + 1'100 * kMs), 3u);
  EXPECT_EQ(b.add(kT0 + 1'200 * kMs), 3u);  // at capacity
  EXPECT_EQ(b.count(kT0 + 5'000 * kMs), 0u);
}

TEST(RequestBudget, QuotesStopAtTheHeadroomCancelsUseItAll) {
  RequestBudget b(10, 1'000 * kMs, D("0.2"));
  EXPECT_EQ(b.quote_limit(), 8);
  for (int i = 0; i < 8; ++i) {
    ASSERT_TRUE(b.can_send(kT0, false));
    b.record(kT0);
  }
  EXPECT_FALSE(b.can_send(kT0, false));
  EXPECT_TRUE(b.can_send(kT0, true));
  b.record(kT0);
  b.record(kT0);
  EXPECT_FALSE(b.can_send(kT0, true));
  EXPECT_TRUE(b.can_send(kT0 + 1'000 * kMs, false));  // the window slid
  EXPECT_EQ(b.used(kT0 + 1'000 * kMs), 0);
}

TEST(RateLimitBackoff, DoublesUpToTheMaximumAndResetsAfterQuiet) {
  RateLimitBackoff b(1'000 * kMs, 4'000 * kMs);
  b.on_rate_limited(kT0);
  EXPECT_EQ(b.last_delay_us(), 1'000 * kMs);
  EXPECT_TRUE(b.active(kT0 + 999 * kMs));
  EXPECT_FALSE(b.active(kT0 + 1'000 * kMs));
  b.on_rate_limited(kT0 + 1'000 * kMs);
  EXPECT_EQ(b.last_delay_us(), 2'000 * kMs);
  b.on_rate_limited(kT0 + 3'000 * kMs);
  EXPECT_EQ(b.last_delay_us(), 4'000 * kMs);
  b.on_rate_limited(kT0 + 7'000 * kMs);
  EXPECT_EQ(b.last_delay_us(), 4'000 * kMs);  // capped
  b.on_rate_limited(kT0 + 60'000 * kMs);      // long quiet: from the base again
  EXPECT_EQ(b.last_delay_us(), 1'000 * kMs);
}

}  // namespace
}  // namespace bparb::mmtest
