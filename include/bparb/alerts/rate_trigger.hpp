#pragma once
// "N times within W": fires when the count-th hit lands within `window` of the oldest of the last `count`
// hits, then stays quiet for a window so a burst is one alert, not one per hit. Storage is allocated once.
#include <cstdint>
#include <vector>

#include "bparb/core/clock.hpp"

namespace bparb::alerts {

class RateTrigger {
 public:
  RateTrigger(std::int64_t count, DurationUs window);
  // Records a hit at `now`; true when this hit completes a burst.
  bool hit(TimestampUs now) noexcept;
  std::int64_t count() const noexcept { return count_; }
  DurationUs window() const noexcept { return window_; }

 private:
  std::int64_t count_;
  DurationUs window_;
  std::vector<TimestampUs> ring_;  // the last `count_` hits
  std::size_t next_ = 0;
  std::size_t filled_ = 0;
  TimestampUs last_fired_ = 0;
  bool fired_ = false;
};

}  // namespace bparb::alerts
