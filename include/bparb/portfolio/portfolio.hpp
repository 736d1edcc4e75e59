#pragma once
// All basis positions of the daemon, lifetime totals, the daily P&L baseline (00:00 UTC) and the
// numbers behind the periodic `Strategy stats` log line. Pure: time is passed in, no allocation
// after add_pair() at start-up.
#include <array>
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
  kRejected,  // nothing could be booked (see FillProblem): the caller must say so and hedge
};
const char* to_string(FillEvent e) noexcept;

// Why a venue's fill could not be booked in full. A fill is never dropped for its fee: the quantity is
// booked (the position is what was filled) and only the fee is left out.
enum class FillProblem : std::uint8_t {
  kNone,
  kUnknownPair,      // rejected
  kBadQuantity,      // rejected: quantity <= 0
  kBadPrice,         // rejected: price <= 0
  kBaseFeeOnPerp,    // booked without its fee: a base-asset fee on a perp fill changes no position leg
  kFeeInOtherAsset,  // booked without its fee: a fee in an asset the position cannot value
};
const char* to_string(FillProblem p) noexcept;

struct FillOutcome {
  FillEvent event = FillEvent::kUpdated;
  FillProblem problem = FillProblem::kNone;
  std::uint64_t position_id = 0;
  Decimal realized;      // realized price P&L of this fill
  Decimal fee_usd;       // this fill's fee in USD (zero when the fee could not be booked)
  PositionState closed;  // snapshot of the position when event == kClosed
};

// Where a funding payment was booked: the position open at the venue's settlement time.
enum class FundingTarget : std::uint8_t {
  kOpenPosition,    // the pair's current position
  kClosedPosition,  // a position of this run already closed (its record changes: `position` shows it)
  kNoPosition,      // no position of this run held it (an earlier run's, or none): totals only
  kUnknownPair,
};
struct FundingOutcome {
  FundingTarget target = FundingTarget::kNoPosition;
  PositionState position;  // the position it was booked to, after booking (id 0 for kNoPosition)
};

// A position rebuilt at start-up from the journal and the exchange (recovery): legs, and what it had
// realized, paid and received so far, so its P&L continues where it stopped.
struct RestoredState {
  Decimal spot_qty, spot_cost, perp_qty, perp_cost;  // signed quantities, signed costs (LegPosition)
  Decimal realized_pnl;
  Decimal fees_usd;
  Decimal funding;
  Decimal entry_basis;
  TimestampUs opened_at_us = 0;
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
  // A funding settlement on the perp leg (+ received, - paid), settled by the venue at `settled_at_us`,
  // booked to the position of `pair` that was open then (docs/money.md). Always counted in the totals
  // unless the pair is unknown.
  FundingOutcome apply_funding(PairIndex pair, Decimal amount, TimestampUs settled_at_us) noexcept;
  // Start-up: a recovered position becomes the pair's open position (false if one is open already or
  // both legs are flat). What it realized, paid and received before counts in this run's totals, so the
  // run that closes it reports its whole P&L.
  bool restore(PairIndex pair, const RestoredState& r) noexcept;

  // An unknown pair yields an empty (never opened) state.
  const PositionState& position(PairIndex pair) const noexcept;
  bool has_open(PairIndex pair) const noexcept { return pair < pairs_.size() && pairs_[pair].pos.open; }
  // Base asset written off as dust at closes of this pair, summed (signed).
  Decimal dust_written_off(PairIndex pair) const noexcept {
    return pair < pairs_.size() ? pairs_[pair].dust_total : Decimal{};
  }

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
  // Closed positions kept per pair for funding polled after the close (a payment settles at most one
  // funding interval before it is polled; a few positions per pair are closed within one).
  static constexpr std::size_t kRecentClosed = 4;
  struct PairSlot {
    PositionState pos;
    Decimal spot_dust;
    Decimal last_spot_price;
    Decimal dust_total;
    std::array<PositionState, kRecentClosed> closed{};
    std::size_t closed_next = 0;
  };
  void archive_closed(PairSlot& slot) noexcept;
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
