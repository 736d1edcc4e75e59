#pragma once
// The market maker's guards, each a small fixed-capacity piece with its own test: the mid history the
// mid-move breaker compares against, the post-only rejection burst counter, the request budget and the
// 429 back-off. Capacity is allocated at construction; nothing allocates afterwards.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "bparb/core/clock.hpp"
#include "bparb/core/decimal.hpp"

namespace bparb {

// Mid samples (as bid + ask in ticks: twice the mid, exact) so that a move is measured against the mid
// `window` ago, not against the previous sample: a slow drift of many small steps is a move too.
class MidHistory {
 public:
  static constexpr std::size_t kDefaultCapacity = 1024;
  MidHistory(DurationUs window_us, std::size_t capacity = kDefaultCapacity);

  // Records the mid if it differs from the last one (times in order).
  void add(TimestampUs t, std::int64_t mid2_ticks) noexcept;
  // The mid in effect at now - window: the latest sample at or before that time, or the oldest sample
  // held when none is that old (start-up, or more changes in the window than the capacity: the
  // comparison is then against a younger mid, which can only under-state the move). False when empty.
  bool reference(TimestampUs now, std::int64_t& mid2_ticks, TimestampUs& at_us) noexcept;
  bool empty() const noexcept { return total_ == 0; }

 private:
  struct Sample {
    TimestampUs at_us;
    std::int64_t mid2;
  };
  const Sample& at(std::uint64_t seq) const noexcept { return ring_[seq % ring_.size()]; }

  std::vector<Sample> ring_;
  DurationUs window_us_;
  std::uint64_t total_ = 0;  // samples ever added; sample n lives at ring_[n % capacity]
  std::uint64_t ref_ = 0;    // sequence number of the current reference (only moves forward)
};

// Event times within a sliding window, up to a fixed capacity (post-only rejections).
class EventBurst {
 public:
  EventBurst(std::size_t capacity, DurationUs window_us);
  // Records one event and returns how many happened within (now - window, now].
  std::size_t add(TimestampUs now) noexcept;
  std::size_t count(TimestampUs now) noexcept;
  void clear() noexcept { count_ = 0; }

 private:
  void evict(TimestampUs now) noexcept;
  std::vector<TimestampUs> ring_;
  std::size_t head_ = 0;
  std::size_t count_ = 0;
  DurationUs window_us_;
};

// Requests sent within a sliding window. Quotes may use the budget minus the headroom; cancels and hedges
// may use all of it, so that a burst of quoting never leaves us unable to pull a quote or cut inventory.
class RequestBudget {
 public:
  RequestBudget(std::int64_t max_requests, DurationUs window_us, Decimal headroom_fraction);
  bool can_send(TimestampUs now, bool priority) noexcept;
  void record(TimestampUs now) noexcept;
  std::int64_t used(TimestampUs now) noexcept;
  std::int64_t quote_limit() const noexcept { return quote_limit_; }
  std::int64_t limit() const noexcept { return static_cast<std::int64_t>(ring_.size()); }

 private:
  void evict(TimestampUs now) noexcept;
  std::vector<TimestampUs> ring_;
  std::size_t head_ = 0;
  std::size_t count_ = 0;
  DurationUs window_us_;
  std::int64_t quote_limit_;
};

// After a 429 nothing is sent for the back-off; each further 429 while backing off (or soon after) doubles
// it up to the maximum; a 429 after a quiet spell of the maximum starts again from the base.
class RateLimitBackoff {
 public:
  RateLimitBackoff(DurationUs base_us, DurationUs max_us) noexcept;
  void on_rate_limited(TimestampUs now) noexcept;
  bool active(TimestampUs now) const noexcept { return now < until_; }
  TimestampUs until_us() const noexcept { return until_; }
  DurationUs last_delay_us() const noexcept { return last_delay_; }

 private:
  DurationUs base_;
  DurationUs max_;
  DurationUs next_;
  DurationUs last_delay_ = 0;
  TimestampUs until_ = 0;
  bool ever_ = false;
};

}  // namespace bparb
