#pragma once
// One fair value per coin that several venues' market models follow (SimWorld builds it when it hosts
// venues). Each coin's value is a GBM path (the same process a single venue's model runs for its spot
// mid) on a fixed grid of simulated time starting at `start_us`: the path depends only on the seed and the
// grid, never on which venue asks first or how often, so every venue sees the same history. A lagged venue
// asks for an earlier time; the last `history_us` of the path are kept for it.
#include <cstdint>
#include <deque>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "bparb/core/clock.hpp"

namespace bparb::sim {

struct FairValueCoin {
  std::string coin;                // "SOL"
  double annual_volatility = 0.8;  // GBM sigma
  double start_price = 0;          // > 0
};

struct FairValueConfig {
  std::uint64_t seed = 42;
  DurationUs grid_us = 100'000;               // the path moves in steps of this much simulated time
  DurationUs history_us = 60 * kUsPerSecond;  // kept behind the newest point (the largest venue lag)
  std::vector<FairValueCoin> coins;
};

class FairValue {
 public:
  // Throws std::invalid_argument for a grid or history <= 0, a duplicate coin or a start price <= 0.
  FairValue(FairValueConfig config, TimestampUs start_us);

  int coin_index(std::string_view coin) const noexcept;  // -1 if unknown
  // The value of coin `index` at simulated time `t`: the grid point at or before t, the path first
  // advanced up to t. Before the start: the start price; before the kept history: its oldest point.
  double at(int index, TimestampUs t);
  std::optional<double> at(std::string_view coin, TimestampUs t);

  const FairValueConfig& config() const noexcept { return config_; }
  TimestampUs newest_us() const noexcept { return newest_us_; }

 private:
  void advance_to(TimestampUs t);

  FairValueConfig config_;
  std::mt19937_64 rng_;
  TimestampUs oldest_us_;                   // time of each coin's points.front()
  TimestampUs newest_us_;                   // time of each coin's points.back()
  std::vector<std::deque<double>> points_;  // per coin, one a grid step
};

}  // namespace bparb::sim
