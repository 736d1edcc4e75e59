#include "bparb/alerts/rate_trigger.hpp"

namespace bparb::alerts {

RateTrigger::RateTrigger(std::int64_t count, DurationUs window)
    : count_(count < 1 ? 1 : count), window_(window), ring_(static_cast<std::size_t>(count_), 0) {}

bool RateTrigger::hit(TimestampUs now) noexcept {
  ring_[next_] = now;
  next_ = (next_ + 1) % ring_.size();
  if (filled_ < ring_.size()) ++filled_;
  if (filled_ < ring_.size()) return false;
  const TimestampUs oldest = ring_[next_];  // the slot written next holds the oldest of the last count_
  if (now - oldest > window_) return false;
  if (fired_ && now - last_fired_ < window_) return false;
  fired_ = true;
  last_fired_ = now;
  return true;
}

}  // namespace bparb::alerts
