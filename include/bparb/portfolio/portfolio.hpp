#pragma once
// All basis positions of the daemon, lifetime totals, the daily P&L baseline (00:00 UTC) and the
// numbers behind the periodic `Strategy stats` log line. Pure: time is passed in, no allocation
// after add_pair() at start-up.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "bparb/core/clock.hpp"
#include "bparb/core/decimal.hpp"
#include "bparb/portfolio/position.hpp"

namespace bparb {

using PairIndex = std::uint32_t;

struct Marks {
  Decimal spot;
  Decimal perp;
};

enum class FillEvent : std::uint8_t {
  kUpdated,   // position changed, still open
  kOpened,    // first fill of a new position
  kClosed,    // both legs flat (within dust): the position is archived into the stats
  kRejected,  // bad fill (unknown pair, qty <= 0, price <= 0, base fee on a non-spot leg)
};
const char* to_string(FillEvent e) noexcept;

struct FillOutcome {
  FillEvent event = FillEvent::kUpdated;
  std::uint64_t position_id = 0;
  Decimal realized;      // realized price P&L of this fill
  Decimal fee_usd;       // this fill's fee in USD
  PositionState closed;  // snapshot of the position when event == kClosed
};

struct StrategyStats {
  std::uint64_t opportunities = 0;
  std::uint64_t executed = 0;  // positions opened
  std::uint64_t open = 0;
  std::uint64_t closed = 0;
  std::uint64_t wins = 0;  // closed with realized_net > 0
  double win_rate = 0;     // wins / closed
  Decimal realized_pnl;    // lifetime price P&L (closed + realized part of open positions)
  Decimal fees;            // lifetime fees, USD
  Decimal funding;         // lifetime funding, USD
  Decimal realized_net;    // realized_pnl - fees + funding
  Decimal closed_net;      // sum of realized_net over closed positions
};

class Portfolio {
 public:
  explicit Portfolio(std::size_t expected_pairs = 16);

  // Start-up only (allocates). `spot_dust`: a pair closes when the perp leg is flat and the spot
  // leg is within +/- spot_dust (a base-asset fee can leave less than one step behind).
  PairIndex add_pair(Decimal spot_dust = Decimal::zero());
  std::size_t pair_count() const noexcept { return pairs_.size(); }

  FillOutcome apply_fill(PairIndex pair, const Fill& fill) noexcept;
  // A funding settlement on the perp leg: + received, - paid. False for an unknown pair.
  bool apply_funding(PairIndex pair, Decimal amount) noexcept;

  // An unknown pair yields an empty (never opened) state.
  const PositionState& position(PairIndex pair) const noexcept;
  bool has_open(PairIndex pair) const noexcept { return pair < pairs_.size() && pairs_[pair].pos.open; }

  // Sum of unrealized over open positions; marks indexed by pair (missing marks count zero).
  Decimal unrealized(std::span<const Marks> marks) const noexcept;
  // Lifetime: realized - fees + funding + unrealized(marks).
  Decimal total_pnl(std::span<const Marks> marks) const noexcept;
  // Gross notional of open positions at marks: sum over pairs of |spot qty| * spot mark.
  Decimal exposure_usd(std::span<const Marks> marks) const noexcept;

  // Daily P&L since 00:00 UTC (realized + unrealized + fees + funding). The first call in a new UTC
  // day moves the baseline to the current total, so call roll_day() from a midnight timer for an
  // exact cut; daily_pnl() rolls lazily as a fallback.
  void roll_day(TimestampUs now, std::span<const Marks> marks) noexcept;
  Decimal daily_pnl(TimestampUs now, std::span<const Marks> marks) noexcept;
  TimestampUs day_start_us() const noexcept { return day_start_; }

  void note_opportunity() noexcept { ++opportunities_; }
  StrategyStats stats() const noexcept;

 private:
  struct PairSlot {
    PositionState pos;
    Decimal spot_dust;
    Decimal last_spot_price;
  };
  std::vector<PairSlot> pairs_;
  std::uint64_t next_id_ = 1;
  std::uint64_t opportunities_ = 0;
  std::uint64_t executed_ = 0;
  std::uint64_t closed_ = 0;
  std::uint64_t wins_ = 0;
  Decimal realized_total_;
  Decimal fees_total_;
  Decimal funding_total_;
  Decimal closed_net_;
  TimestampUs day_start_ = 0;
  bool day_set_ = false;
  Decimal day_baseline_;
};

}  // namespace bparb
