#pragma once
// Reconnect delays: exponential growth, capped, with seeded jitter so that a fleet of clients does
// not reconnect in lock-step, while a test with a fixed seed sees the same delays every run.
#include <cstdint>

#include "bparb/core/clock.hpp"

namespace bparb::net {

struct BackoffOptions {
  DurationUs initial_us = 250 * kUsPerMs;
  DurationUs max_us = 30 * kUsPerSecond;
  double multiplier = 2.0;  // >= 1
  // Fraction of each delay that is randomised away: delay ∈ [base*(1-jitter), base]. 0 = none, <= 1.
  double jitter = 0.2;
  std::uint64_t seed = 0x5eed;
};

class Backoff {
 public:
  explicit Backoff(const BackoffOptions& opts) noexcept;
  // Delay before the next attempt; grows by `multiplier` each call up to `max_us`. Never exceeds max_us
  // and never goes below 1 ms.
  DurationUs next() noexcept;
  // Back to `initial_us` (call once a connection proved healthy).
  void reset() noexcept { attempt_ = 0; }
  std::uint32_t attempts() const noexcept { return attempt_; }
  const BackoffOptions& options() const noexcept { return opts_; }

 private:
  double uniform01() noexcept;  // splitmix64-based, deterministic across platforms

  BackoffOptions opts_;
  std::uint64_t state_;
  std::uint32_t attempt_ = 0;
};

}  // namespace bparb::net
