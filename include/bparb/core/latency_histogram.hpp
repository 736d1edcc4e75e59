#pragma once
// A latency histogram with fixed bucket bounds, recorded where the event happens (the order path, the
// journal writer) and copied whole into the operator's snapshot off that path (docs/service.md §Metrics).
// Recording is a short scan of a constant table and two additions: no allocation, no lock, no formatting.
// The object is plain data, so a snapshot is a copy; it belongs to the one thread that records into it.
#include <array>
#include <cstddef>
#include <cstdint>

#include "bparb/core/clock.hpp"

namespace bparb {

class LatencyHistogram {
 public:
  // Upper bounds in microseconds, 5 us .. 10 s in 1-2.5-5 steps: wide enough for a journal write (tens of
  // microseconds), a tick-to-order path (microseconds) and a venue's order ack (milliseconds to seconds) in
  // one layout, so every latency family of /metrics has the same `le` values.
  static constexpr std::array<DurationUs, 20> kBoundsUs = {
      5,      10,     25,     50,      100,     250,     500,       1'000,     2'500,     5'000,
      10'000, 25'000, 50'000, 100'000, 250'000, 500'000, 1'000'000, 2'500'000, 5'000'000, 10'000'000};
  static constexpr std::size_t kBuckets = kBoundsUs.size() + 1;  // the last one is +Inf

  // A negative duration (the clock stepped back between the two readings) counts as zero.
  void record(DurationUs us) noexcept {
    if (us < 0) us = 0;
    std::size_t i = 0;
    while (i < kBoundsUs.size() && us > kBoundsUs[i]) ++i;
    ++counts_[i];
    ++count_;
    sum_us_ += us;
  }

  std::uint64_t count() const noexcept { return count_; }
  DurationUs sum_us() const noexcept { return sum_us_; }
  // Observations in bucket i alone (not cumulative): bounds[i-1] < x <= bounds[i]; i == kBuckets-1 is above
  // the last bound.
  std::uint64_t bucket(std::size_t i) const noexcept { return i < kBuckets ? counts_[i] : 0; }
  // Observations <= bounds[i] (Prometheus' cumulative `le` bucket); i == kBuckets-1 gives count().
  std::uint64_t cumulative(std::size_t i) const noexcept {
    std::uint64_t n = 0;
    for (std::size_t j = 0; j <= i && j < kBuckets; ++j) n += counts_[j];
    return n;
  }

 private:
  std::array<std::uint64_t, kBuckets> counts_{};
  std::uint64_t count_ = 0;
  DurationUs sum_us_ = 0;
};

}  // namespace bparb
