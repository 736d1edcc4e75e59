#include "bparb/strategy/market_maker/mm_guards.hpp"

#include <algorithm>

namespace bparb {

MidHistory::MidHistory(DurationUs window_us, std::size_t capacity)
    : ring_(std::max<std::size_t>(capacity, 2)), window_us_(window_us) {}

void MidHistory::add(TimestampUs t, std::int64_t mid2_ticks) noexcept {
  if (total_ > 0 && at(total_ - 1).mid2 == mid2_ticks) return;
  ring_[total_ % ring_.size()] = Sample{t, mid2_ticks};
  ++total_;
}

bool MidHistory::reference(TimestampUs now, std::int64_t& mid2_ticks, TimestampUs& at_us) noexcept {
  if (total_ == 0) return false;
  const std::uint64_t oldest = total_ > ring_.size() ? total_ - ring_.size() : 0;
  if (ref_ < oldest) ref_ = oldest;
  const TimestampUs cutoff = now - window_us_;
  while (ref_ + 1 < total_ && at(ref_ + 1).at_us <= cutoff) ++ref_;
  mid2_ticks = at(ref_).mid2;
  at_us = at(ref_).at_us;
  return true;
}

EventBurst::EventBurst(std::size_t capacity, DurationUs window_us)
    : ring_(std::max<std::size_t>(capacity, 1)), window_us_(window_us) {}

void EventBurst::evict(TimestampUs now) noexcept {
  while (count_ > 0 && ring_[head_] <= now - window_us_) {
    head_ = head_ + 1 == ring_.size() ? 0 : head_ + 1;
    --count_;
  }
}

std::size_t EventBurst::add(TimestampUs now) noexcept {
  evict(now);
  if (count_ == ring_.size()) {  // full: the oldest gives way (the count is already at the capacity)
    head_ = head_ + 1 == ring_.size() ? 0 : head_ + 1;
    --count_;
  }
  ring_[(head_ + count_) % ring_.size()] = now;
  ++count_;
  return count_;
}

std::size_t EventBurst::count(TimestampUs now) noexcept {
  evict(now);
  return count_;
}

RequestBudget::RequestBudget(std::int64_t max_requests, DurationUs window_us, Decimal headroom_fraction)
    : ring_(static_cast<std::size_t>(std::max<std::int64_t>(max_requests, 1))), window_us_(window_us) {
  const Decimal q = Decimal::from_int(limit()).mul(Decimal::one() - headroom_fraction, Rounding::kDown);
  quote_limit_ = std::clamp<std::int64_t>(q.raw() / Decimal::kOne, 1, limit());
}

void RequestBudget::evict(TimestampUs now) noexcept {
  while (count_ > 0 && ring_[head_] <= now - window_us_) {
    head_ = head_ + 1 == ring_.size() ? 0 : head_ + 1;
    --count_;
  }
}

std::int64_t RequestBudget::used(TimestampUs now) noexcept {
  evict(now);
  return static_cast<std::int64_t>(count_);
}

bool RequestBudget::can_send(TimestampUs now, bool priority) noexcept {
  return used(now) < (priority ? limit() : quote_limit_);
}

void RequestBudget::record(TimestampUs now) noexcept {
  evict(now);
  if (count_ == ring_.size()) {  // only reachable if a caller sent without asking; keep the newest
    head_ = head_ + 1 == ring_.size() ? 0 : head_ + 1;
    --count_;
  }
  ring_[(head_ + count_) % ring_.size()] = now;
  ++count_;
}

RateLimitBackoff::RateLimitBackoff(DurationUs base_us, DurationUs max_us) noexcept
    : base_(base_us), max_(std::max(max_us, base_us)), next_(base_us) {}

void RateLimitBackoff::on_rate_limited(TimestampUs now) noexcept {
  if (ever_ && now >= until_ + max_) next_ = base_;
  ever_ = true;
  last_delay_ = next_;
  until_ = std::max(until_, now + next_);
  next_ = std::min(next_ * 2, max_);
}

}  // namespace bparb
