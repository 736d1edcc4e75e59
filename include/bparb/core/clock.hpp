#pragma once
// The only way any component reads time. Live code gets SystemClock; tests, backtests and the
// simulator get ManualClock (or the simulator's scaled clock), so a replay makes the same decisions.
#include <cstdint>

namespace bparb {

using TimestampUs = std::int64_t;  // microseconds since the Unix epoch, UTC
using DurationUs = std::int64_t;

constexpr DurationUs kUsPerMs = 1'000;
constexpr DurationUs kUsPerSecond = 1'000'000;
constexpr DurationUs kUsPerHour = 3'600 * kUsPerSecond;
constexpr DurationUs kUsPerDay = 24 * kUsPerHour;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimestampUs now_us() const noexcept = 0;
  std::int64_t now_ms() const noexcept { return now_us() / kUsPerMs; }
};

class SystemClock final : public Clock {
 public:
  TimestampUs now_us() const noexcept override;
};

class ManualClock final : public Clock {
 public:
  explicit ManualClock(TimestampUs start = 0) noexcept : now_(start) {}
  TimestampUs now_us() const noexcept override { return now_; }
  void set_us(TimestampUs t) noexcept { now_ = t; }
  void advance_us(DurationUs d) noexcept { now_ += d; }

 private:
  TimestampUs now_;
};

// Start of the UTC day containing t (the daily loss budget resets here).
constexpr TimestampUs utc_day_start(TimestampUs t) noexcept {
  TimestampUs d = t / kUsPerDay;
  if (t < 0 && d * kUsPerDay != t) --d;
  return d * kUsPerDay;
}

}  // namespace bparb
