#pragma once
// Short-window dispersion of the basis, for the confidence penalty. Fixed capacity, no allocation:
// a ring of the last `window` samples (doubles: this is a signal, never a money value).
#include <array>
#include <cstddef>
#include <cstdint>

#include "bparb/core/clock.hpp"

namespace bparb {

class BasisVolatility {
 public:
  static constexpr std::size_t kCapacity = 256;

  // window in samples, clamped to [2, kCapacity]; min_interval_us throttles sampling so a burst of
  // book updates does not fill the window with near-identical samples (0 = take every sample).
  explicit BasisVolatility(std::size_t window = 60, DurationUs min_interval_us = 0) noexcept;

  void add(TimestampUs t, double basis) noexcept;
  void reset() noexcept;

  std::size_t size() const noexcept { return count_; }
  std::size_t window() const noexcept { return window_; }
  bool full() const noexcept { return count_ == window_; }
  // Population standard deviation of the samples held; 0 with fewer than 2 samples.
  double stddev() const noexcept;
  double mean() const noexcept;

 private:
  std::array<double, kCapacity> ring_{};
  std::size_t window_;
  std::size_t head_ = 0;  // next write position
  std::size_t count_ = 0;
  DurationUs min_interval_us_;
  TimestampUs last_t_ = 0;
  bool have_last_ = false;
};

}  // namespace bparb
