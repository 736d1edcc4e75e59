#include "bparb/venue/backpack/rate_limiter.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace bparb::backpack {

RateLimiter::RateLimiter(const Clock& clock, RateLimiterConfig config)
    : clock_(clock), config_(config), last_us_(clock.now_us()) {
  if (config_.requests_per_minute <= 0 || config_.requests_per_minute > 1'000'000) {
    throw std::invalid_argument("rate limiter: requests_per_minute must be in 1..1000000, got " +
                                std::to_string(config_.requests_per_minute));
  }
  if (config_.burst <= 0 || config_.burst > 1'000'000) {
    throw std::invalid_argument("rate limiter: burst must be in 1..1000000, got " + std::to_string(config_.burst));
  }
  if (config_.reserved_for_orders < 0 || config_.reserved_for_orders >= config_.burst) {
    throw std::invalid_argument("rate limiter: reserved_for_orders must be in 0..burst-1, got " +
                                std::to_string(config_.reserved_for_orders));
  }
  capacity_ = config_.burst * kUnitsPerToken;
  units_ = capacity_;
}

void RateLimiter::refill() noexcept {
  const TimestampUs now = clock_.now_us();
  if (now <= last_us_) return;  // a clock that steps back must not mint or burn tokens
  const DurationUs dt = now - last_us_;
  last_us_ = now;
  // Cap dt so the product cannot overflow: a full bucket is reached after capacity/rpm microseconds.
  const DurationUs full_after = capacity_ / config_.requests_per_minute + 1;
  units_ = std::min(capacity_, units_ + std::min(dt, full_after) * config_.requests_per_minute);
}

std::int64_t RateLimiter::floor_for(RequestPriority prio) const noexcept {
  return prio == RequestPriority::kHigh ? 0 : config_.reserved_for_orders * kUnitsPerToken;
}

bool RateLimiter::try_acquire(RequestPriority prio) noexcept {
  refill();
  if (units_ - kUnitsPerToken < floor_for(prio)) {
    ++refused_;
    return false;
  }
  units_ -= kUnitsPerToken;
  ++granted_;
  return true;
}

DurationUs RateLimiter::wait_us(RequestPriority prio) noexcept {
  refill();
  const std::int64_t need = floor_for(prio) + kUnitsPerToken - units_;
  if (need <= 0) return 0;
  return (need + config_.requests_per_minute - 1) / config_.requests_per_minute;
}

std::int64_t RateLimiter::available() noexcept {
  refill();
  return units_ / kUnitsPerToken;
}

}  // namespace bparb::backpack
