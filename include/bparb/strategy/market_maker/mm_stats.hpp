#pragma once
// The truth about the market maker's money, from OUR fills only (the private order stream) and the mids
// that follow them. All amounts are exact Decimal in the quote currency.
//
// Each fill of side s (+1 buy, -1 sell), quantity q at price p is worth V(m) = s x q x (m - p) when the
// mid is m. The total P&L of the fills is the sum of V(mid now) minus fees plus funding, and it is split
// into parts that add up to it exactly (docs/market_maker.md):
//   spread capture     quote fills:  V(mid at fill)                       (the half-spread we earned)
//   adverse selection  quote fills:  V(mid 30 s later) - V(mid at fill)    (the mid moving against the fill)
//   inventory          all fills:    V(mid now) - V(mid 30 s later)        (holding the position afterwards;
//                                    for hedges from the fill on)
//   fees               quote fills:  -fee (a rebate is positive)
//   funding            as credited on the position
//   hedge cost         hedge fills:  V(mid at fill) - fee                  (crossing the spread, taker fee)
// The 1 s and 5 s markouts are reported alongside (the same difference at 1 s and 5 s). A markout is taken
// at the first mid observed at or after fill time + horizon; until then (and at most until report()) the
// latest mid stands in, so every report covers every fill.
//
// Rounding: V is computed exactly in 128 bits and rounded half away from zero to 1e-9 only if it has more
// digits (it has not whenever tick, step and the mid's half tick fit in nine decimals together, which holds
// on every Backpack perp; inexact_values() counts the exceptions). The parts still add up exactly to the
// total because the inventory part is defined by the same rounded terms.
//
// Fixed capacity: fills awaiting their 30 s markout wait in a ring sized at construction; when it is full
// the oldest takes its remaining markouts at the current mid (counted by forced_markouts()).
#include <cstddef>
#include <cstdint>
#include <vector>

#include "bparb/core/clock.hpp"
#include "bparb/core/decimal.hpp"
#include "bparb/core/types.hpp"

namespace bparb {

struct MmFill {
  TimestampUs at_us = 0;
  Side side = Side::kBid;
  Decimal price;
  Decimal quantity;
  Decimal fee;  // as the venue reports it: positive paid, negative a rebate (quote currency)
  bool maker = true;
  bool hedge = false;  // our reduce-only IOC, not a quote
  Decimal mid;         // the mid when the fill happened
};

struct MmReport {
  // Activity
  Decimal maker_volume_usd;  // sum of price x quantity over maker fills of quotes
  std::int64_t quote_fills = 0;
  std::int64_t maker_fills = 0;
  std::int64_t hedge_fills = 0;
  std::int64_t quotes_placed = 0;
  std::int64_t cancels = 0;
  std::int64_t post_only_rejects = 0;
  Decimal cancel_to_fill;      // cancels / quote fills (zero when nothing filled)
  DurationUs quoting_us = 0;   // time a quote of ours rested
  DurationUs at_touch_us = 0;  // ... at the best price of its side
  // P&L parts (they add up to total exactly)
  Decimal spread_capture;
  Decimal adverse_selection;  // the 30 s markout
  Decimal inventory;
  Decimal fees;  // of quote fills, as added to P&L (rebates positive)
  Decimal funding;
  Decimal hedge_cost;
  Decimal total;  // sum of V(mid now) - all fees + funding
  // Markouts of quote fills (side-signed mid move x quantity); 30 s is the adverse_selection part
  Decimal markout_1s;
  Decimal markout_5s;
  Decimal markout_30s;
  std::int64_t markouts_pending = 0;  // fills whose 30 s markout used the latest mid
  // Headline: total / maker volume x 1,000,000 (negative = a cost per million of maker volume)
  Decimal net_per_million;
  Decimal position;  // signed base quantity from the fills
  Decimal last_mid;
};

class MmStats {
 public:
  static constexpr std::size_t kDefaultPending = 4096;
  static constexpr DurationUs kHorizonsUs[3] = {1 * kUsPerSecond, 5 * kUsPerSecond, 30 * kUsPerSecond};

  explicit MmStats(std::size_t pending_capacity = kDefaultPending);

  void on_fill(const MmFill& f) noexcept;
  void on_mid(TimestampUs now, Decimal mid) noexcept;  // resolves the markouts that are due
  void on_funding(Decimal amount) noexcept;            // signed as credited (+ received)
  void on_quote_placed() noexcept { ++placed_; }
  void on_cancel() noexcept { ++cancels_; }
  void on_post_only_reject() noexcept { ++rejects_; }
  // The quote's presence over time: the previous state is charged for the time since the previous call.
  void on_quote_presence(TimestampUs now, bool quoting, bool at_touch) noexcept;

  MmReport report() const noexcept;
  std::int64_t inexact_values() const noexcept { return inexact_; }
  std::uint64_t forced_markouts() const noexcept { return forced_; }

 private:
  struct Pending {
    TimestampUs at_us;
    Decimal signed_qty;  // s x q
    Decimal price;
    Decimal v0;  // V(mid at fill)
  };
  // Fill number n (quote fills only, in time order) waits at ring_[n % capacity]. cursor_[h] is the first
  // fill not yet resolved at horizon h; fills are time-ordered, so each horizon resolves in order and
  // cursor_[2] <= cursor_[1] <= cursor_[0] <= added_.
  Pending& at(std::uint64_t n) noexcept { return ring_[n % ring_.size()]; }
  const Pending& at(std::uint64_t n) const noexcept { return ring_[n % ring_.size()]; }
  void resolve(std::uint64_t n, int h, Decimal mid) noexcept;

  std::vector<Pending> ring_;
  std::uint64_t added_ = 0;
  std::uint64_t cursor_[3] = {0, 0, 0};

  Decimal maker_volume_;
  std::int64_t quote_fills_ = 0;
  std::int64_t maker_fills_ = 0;
  std::int64_t hedge_fills_ = 0;
  std::int64_t placed_ = 0;
  std::int64_t cancels_ = 0;
  std::int64_t rejects_ = 0;
  DurationUs quoting_us_ = 0;
  DurationUs touch_us_ = 0;
  TimestampUs presence_at_ = 0;
  bool presence_known_ = false;
  bool was_quoting_ = false;
  bool was_at_touch_ = false;

  Decimal net_qty_;   // sum of s x q
  Decimal cash_;      // sum of -s x q x p: what the fills paid and received
  Decimal spread_;    // sum V0 over quote fills
  Decimal hedge_v0_;  // sum V0 over hedge fills
  Decimal quote_fees_;
  Decimal hedge_fees_;
  Decimal funding_;
  Decimal resolved_[3];  // sum of V(mid at horizon) - V0 over quote fills resolved at that horizon
  Decimal last_mid_;
  mutable std::int64_t inexact_ = 0;
  std::uint64_t forced_ = 0;
};

}  // namespace bparb
