#include "bparb/strategy/basis_volatility.hpp"

#include <algorithm>
#include <cmath>

namespace bparb {

BasisVolatility::BasisVolatility(std::size_t window, DurationUs min_interval_us) noexcept
    : window_(std::clamp<std::size_t>(window, 2, kCapacity)), min_interval_us_(min_interval_us) {}

void BasisVolatility::add(TimestampUs t, double basis) noexcept {
  if (!std::isfinite(basis)) return;
  if (have_last_ && min_interval_us_ > 0 && t - last_t_ < min_interval_us_) return;
  have_last_ = true;
  last_t_ = t;
  ring_[head_] = basis;
  head_ = (head_ + 1) % window_;
  if (count_ < window_) ++count_;
}

void BasisVolatility::reset() noexcept {
  head_ = 0;
  count_ = 0;
  have_last_ = false;
}

double BasisVolatility::mean() const noexcept {
  if (count_ == 0) return 0.0;
  double s = 0;
  for (std::size_t i = 0; i < count_; ++i) s += ring_[i];
  return s / static_cast<double>(count_);
}

// Two-pass over at most kCapacity values: exact enough and immune to the drift of running sums.
double BasisVolatility::stddev() const noexcept {
  if (count_ < 2) return 0.0;
  const double m = mean();
  double ss = 0;
  for (std::size_t i = 0; i < count_; ++i) ss += (ring_[i] - m) * (ring_[i] - m);
  return std::sqrt(ss / static_cast<double>(count_));
}

}  // namespace bparb
