#include "bparb/venue/backpack/rate_limiter.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace bparb::backpack {
namespace {

TEST(RateLimiter, BurstThenRefillAtTheConfiguredRate) {
  ManualClock clock(1'000'000);
  RateLimiter rl(clock, {.requests_per_minute = 1200, .burst = 5, .reserved_for_orders = 0});
  EXPECT_EQ(rl.available(), 5);
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(rl.try_acquire());
  EXPECT_FALSE(rl.try_acquire());
  // 1200/min = one token every 50 ms.
  EXPECT_EQ(rl.wait_us(), 50 * kUsPerMs);
  clock.advance_us(49'999);
  EXPECT_FALSE(rl.try_acquire());
  EXPECT_EQ(rl.wait_us(), 1);
  clock.advance_us(1);
  EXPECT_TRUE(rl.try_acquire());
  EXPECT_FALSE(rl.try_acquire());
  // A long pause refills to the burst, never beyond.
  clock.advance_us(3600 * kUsPerSecond);
  EXPECT_EQ(rl.available(), 5);
  EXPECT_EQ(rl.granted(), 6u);
  EXPECT_EQ(rl.refused(), 3u);
}

TEST(RateLimiter, SustainedRateOverAMinuteIsExact) {
  ManualClock clock(0);
  RateLimiter rl(clock, {.requests_per_minute = 1200, .burst = 1, .reserved_for_orders = 0});
  int granted = 0;
  // Poll every millisecond for one minute: burst (1) + 1200 refills, minus the one still filling.
  for (int ms = 0; ms < 60'000; ++ms) {
    while (rl.try_acquire()) ++granted;
    clock.advance_us(kUsPerMs);
  }
  EXPECT_EQ(granted, 1200);  // 1 initial + one per 50 ms over 59.999 s (1199 refills)
}

TEST(RateLimiter, OrdersKeepReservedTokens) {
  ManualClock clock(0);
  RateLimiter rl(clock, {.requests_per_minute = 60, .burst = 4, .reserved_for_orders = 2});
  EXPECT_TRUE(rl.try_acquire(RequestPriority::kLow));
  EXPECT_TRUE(rl.try_acquire(RequestPriority::kLow));
  EXPECT_FALSE(rl.try_acquire(RequestPriority::kLow));  // the last two are for orders
  EXPECT_GT(rl.wait_us(RequestPriority::kLow), 0);
  EXPECT_EQ(rl.wait_us(RequestPriority::kHigh), 0);
  EXPECT_TRUE(rl.try_acquire(RequestPriority::kHigh));
  EXPECT_TRUE(rl.try_acquire(RequestPriority::kHigh));
  EXPECT_FALSE(rl.try_acquire(RequestPriority::kHigh));
  // 60/min = 1 token/s; a low-priority request needs 3 tokens in the bucket (2 reserved + 1).
  EXPECT_EQ(rl.wait_us(RequestPriority::kHigh), kUsPerSecond);
  EXPECT_EQ(rl.wait_us(RequestPriority::kLow), 3 * kUsPerSecond);
}

TEST(RateLimiter, ClockSteppingBackDoesNotMintTokens) {
  ManualClock clock(10 * kUsPerSecond);
  RateLimiter rl(clock, {.requests_per_minute = 60, .burst = 1, .reserved_for_orders = 0});
  EXPECT_TRUE(rl.try_acquire());
  clock.set_us(0);
  EXPECT_FALSE(rl.try_acquire());
  clock.set_us(kUsPerSecond - 1);  // still before the last refill point (10 s)
  EXPECT_FALSE(rl.try_acquire());
}

TEST(RateLimiter, RejectsBadConfig) {
  ManualClock clock(0);
  EXPECT_THROW(RateLimiter(clock, {.requests_per_minute = 0}), std::invalid_argument);
  EXPECT_THROW(RateLimiter(clock, {.requests_per_minute = 100, .burst = 0}), std::invalid_argument);
  EXPECT_THROW(RateLimiter(clock, {.requests_per_minute = 100, .burst = 5, .reserved_for_orders = 5}),
               std::invalid_argument);
  EXPECT_THROW(RateLimiter(clock, {.requests_per_minute = 100, .burst = 5, .reserved_for_orders = -1}),
               std::invalid_argument);
  EXPECT_NO_THROW(RateLimiter(clock, {}));  // defaults: 1200/min, burst 100, 20 reserved
}

}  // namespace
}  // namespace bparb::backpack
