#include "bparb/net/backoff.hpp"

#include <algorithm>
#include <cmath>

namespace bparb::net {

Backoff::Backoff(const BackoffOptions& opts) noexcept : opts_(opts), state_(opts.seed) {
  opts_.initial_us = std::max<DurationUs>(opts_.initial_us, kUsPerMs);
  opts_.max_us = std::max(opts_.max_us, opts_.initial_us);
  opts_.multiplier = std::max(opts_.multiplier, 1.0);
  opts_.jitter = std::clamp(opts_.jitter, 0.0, 1.0);
}

double Backoff::uniform01() noexcept {
  // splitmix64: tiny, seedable, identical on every platform (std distributions are not).
  std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  z ^= z >> 31;
  return static_cast<double>(z >> 11) * 0x1.0p-53;
}

DurationUs Backoff::next() noexcept {
  const double grown = static_cast<double>(opts_.initial_us) * std::pow(opts_.multiplier, attempt_);
  const double base = std::min(grown, static_cast<double>(opts_.max_us));
  const double delay = base * (1.0 - opts_.jitter * uniform01());
  if (attempt_ < 64) ++attempt_;  // pow() saturates at max anyway; keep the counter bounded
  return std::clamp(static_cast<DurationUs>(delay), kUsPerMs, opts_.max_us);
}

}  // namespace bparb::net
