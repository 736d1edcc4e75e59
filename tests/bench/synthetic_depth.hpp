#pragma once
// Seeded synthetic depth stream shared by the benchmarks: a SOL-like market (tick 0.01, step 0.01,
// price ~150, 1000 levels a side in the snapshot). Most changes hit the top few levels, ~20% delete a
// level, 2% land anywhere in the first 1000 levels.
#include <algorithm>
#include <cstdint>
#include <random>
#include <vector>

#include "bparb/book/depth_types.hpp"
#include "bparb/core/market_spec.hpp"
#include "bparb/core/types.hpp"

namespace bparb {

constexpr std::int64_t kMidTicks = 15'000;  // 150.00
constexpr int kSnapshotLevels = 1000;
constexpr std::size_t kStreamLen = 1 << 16;

inline MarketSpec sol_spec() {
  MarketSpec m;
  m.symbol = "SOL_USDC_PERP";
  m.tick_size = Decimal::from_string("0.01");
  m.step_size = Decimal::from_string("0.01");
  return m;
}

inline DepthSnapshot make_snapshot(std::int64_t last_update_id) {
  DepthSnapshot s;
  s.last_update_id = last_update_id;
  std::mt19937_64 rng(7);
  std::uniform_int_distribution<std::int64_t> lots(1, 50'000);
  const Decimal tick = Decimal::from_string("0.01");
  const Decimal step = Decimal::from_string("0.01");
  // Backpack order: both sides ascending by price.
  for (int i = kSnapshotLevels; i >= 1; --i)
    s.bids.push_back({Decimal::from_units(kMidTicks - i, tick), Decimal::from_units(lots(rng), step)});
  for (int i = 1; i <= kSnapshotLevels; ++i)
    s.asks.push_back({Decimal::from_units(kMidTicks + i, tick), Decimal::from_units(lots(rng), step)});
  return s;
}

struct TickUpdate {
  Side side;
  std::int64_t price_ticks;
  std::int64_t qty_lots;
};

// Distance from the touch: geometric (p = 0.35) so ~90% of updates land in the top 5 levels, plus 2%
// anywhere in the first 1000 levels.
inline std::vector<TickUpdate> make_updates(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::geometric_distribution<int> near(0.35);
  std::uniform_int_distribution<int> deep(0, kSnapshotLevels - 1);
  std::uniform_int_distribution<std::int64_t> lots(1, 50'000);
  std::bernoulli_distribution is_deep(0.02);
  std::bernoulli_distribution is_delete(0.2);
  std::bernoulli_distribution is_bid(0.5);
  std::vector<TickUpdate> v;
  v.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    const Side side = is_bid(rng) ? Side::kBid : Side::kAsk;
    const int depth = is_deep(rng) ? deep(rng) : std::min(near(rng), kSnapshotLevels - 1);
    const std::int64_t px = side == Side::kBid ? kMidTicks - 1 - depth : kMidTicks + 1 + depth;
    v.push_back({side, px, is_delete(rng) ? 0 : lots(rng)});
  }
  return v;
}

// Deltas of 1-3 level changes with contiguous ids starting at first_id.
inline std::vector<DepthDelta> make_deltas(std::size_t n, std::int64_t first_id, std::uint64_t seed) {
  const std::vector<TickUpdate> ups = make_updates(n * 3, seed);
  std::mt19937_64 rng(seed + 1);
  std::uniform_int_distribution<int> width(1, 3);
  const Decimal tick = Decimal::from_string("0.01");
  const Decimal step = Decimal::from_string("0.01");
  std::vector<DepthDelta> out(n);
  std::size_t u = 0;
  for (std::size_t i = 0; i < n; ++i) {
    DepthDelta& d = out[i];
    d.first_update_id = d.last_update_id = first_id + static_cast<std::int64_t>(i);
    d.engine_time_us = 1'700'000'000'000'000 + static_cast<std::int64_t>(i) * 250;
    for (int k = width(rng); k > 0; --k, ++u) {
      const TickUpdate& t = ups[u];
      LevelUpdate l{Decimal::from_units(t.price_ticks, tick), Decimal::from_units(t.qty_lots, step)};
      (t.side == Side::kBid ? d.bids : d.asks).push_back(l);
    }
  }
  return out;
}

}  // namespace bparb
