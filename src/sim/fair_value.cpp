#include "bparb/sim/fair_value.hpp"

#include <cmath>
#include <stdexcept>

#include "random_draws.hpp"

namespace bparb::sim {

namespace {
constexpr double kSecondsPerYear = 365.0 * 24 * 3600;
}  // namespace

FairValue::FairValue(FairValueConfig config, TimestampUs start_us)
    : config_(std::move(config)), rng_(config_.seed), oldest_us_(start_us), newest_us_(start_us) {
  if (config_.grid_us <= 0) throw std::invalid_argument("fair value: grid_us must be > 0");
  if (config_.history_us <= 0) throw std::invalid_argument("fair value: history_us must be > 0");
  for (std::size_t i = 0; i < config_.coins.size(); ++i) {
    const FairValueCoin& c = config_.coins[i];
    if (!(c.start_price > 0)) throw std::invalid_argument("fair value: " + c.coin + " needs a start price > 0");
    for (std::size_t j = 0; j < i; ++j)
      if (config_.coins[j].coin == c.coin) throw std::invalid_argument("fair value: duplicate coin " + c.coin);
    points_.push_back(std::deque<double>{c.start_price});
  }
}

int FairValue::coin_index(std::string_view coin) const noexcept {
  for (std::size_t i = 0; i < config_.coins.size(); ++i)
    if (config_.coins[i].coin == coin) return static_cast<int>(i);
  return -1;
}

void FairValue::advance_to(TimestampUs t) {
  const double dt_y = static_cast<double>(config_.grid_us) / kUsPerSecond / kSecondsPerYear;
  while (newest_us_ + config_.grid_us <= t) {
    // One draw per coin per grid step, coins in config order: the path is a function of the seed alone.
    for (std::size_t i = 0; i < points_.size(); ++i) {
      const double sigma = config_.coins[i].annual_volatility;
      const double next =
          points_[i].back() * std::exp(-0.5 * sigma * sigma * dt_y + sigma * std::sqrt(dt_y) * draws::std_normal(rng_));
      points_[i].push_back(next);
    }
    newest_us_ += config_.grid_us;
    while (newest_us_ - oldest_us_ > config_.history_us + config_.grid_us) {
      for (auto& p : points_) p.pop_front();
      oldest_us_ += config_.grid_us;
    }
  }
}

double FairValue::at(int index, TimestampUs t) {
  advance_to(t);
  const std::deque<double>& p = points_[static_cast<std::size_t>(index)];
  if (t <= oldest_us_) return p.front();
  return p[static_cast<std::size_t>((t - oldest_us_) / config_.grid_us)];
}

std::optional<double> FairValue::at(std::string_view coin, TimestampUs t) {
  const int i = coin_index(coin);
  if (i < 0) return std::nullopt;
  return at(i, t);
}

}  // namespace bparb::sim
