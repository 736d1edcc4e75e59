#pragma once
// Self-imposed REST rate limit: a token bucket kept well under Backpack's 2000 requests/minute per
// subaccount (docs/backpack.md §4), so we never learn the limit from a 429 in the middle of a hedge.
// Pure: time comes from the injected Clock; integer arithmetic only (no drift).
//
// Orders get priority: `reserved_for_orders` tokens can only be taken by high-priority requests, so a
// burst of reconciliation GETs cannot starve an order.
#include <cstdint>

#include "bparb/core/clock.hpp"

namespace bparb::backpack {

struct RateLimiterConfig {
  std::int64_t requests_per_minute = 1200;  // sustained rate (refill)
  std::int64_t burst = 100;                 // bucket capacity; the bucket starts full
  std::int64_t reserved_for_orders = 20;    // tokens low-priority requests may not take (< burst)
};

enum class RequestPriority : std::uint8_t { kLow, kHigh };  // kHigh = order entry / cancel

class RateLimiter {
 public:
  // Throws std::invalid_argument for non-positive rates/burst or reserved >= burst (start-up only).
  RateLimiter(const Clock& clock, RateLimiterConfig config = {});

  // Takes one token if allowed for this priority. No allocation, no exceptions.
  bool try_acquire(RequestPriority prio = RequestPriority::kLow) noexcept;
  // How long until try_acquire(prio) would succeed (0 = now). Rounded up to whole microseconds.
  DurationUs wait_us(RequestPriority prio = RequestPriority::kLow) noexcept;
  // Whole tokens currently in the bucket.
  std::int64_t available() noexcept;

  const RateLimiterConfig& config() const noexcept { return config_; }
  std::uint64_t granted() const noexcept { return granted_; }
  std::uint64_t refused() const noexcept { return refused_; }

 private:
  void refill() noexcept;
  std::int64_t floor_for(RequestPriority prio) const noexcept;

  // One token = kUnitsPerToken units; each microsecond adds requests_per_minute units, so the
  // arithmetic is exact: 60e6 us/min * rpm units / 60e6 units per token = rpm tokens per minute.
  static constexpr std::int64_t kUnitsPerToken = 60 * kUsPerSecond;

  const Clock& clock_;
  RateLimiterConfig config_;
  std::int64_t units_;     // current bucket content
  std::int64_t capacity_;  // burst * kUnitsPerToken
  TimestampUs last_us_;
  std::uint64_t granted_ = 0;
  std::uint64_t refused_ = 0;
};

}  // namespace bparb::backpack
