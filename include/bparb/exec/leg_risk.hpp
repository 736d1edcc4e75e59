#pragma once
// Leg risk for a two-leg (spot + perp) trade: after both legs have been sent, decide what must happen
// so that the account ends delta-neutral within one step size.
//
// Inputs are facts only (what was filled, which legs are still live, which were definitively
// rejected); the caller feeds order updates and asks `decide(now)`. The policy:
//   0. Neutral = |net delta| <= one step of the coarser market (legs can't match more finely).
//   1. While a leg is live or its outcome unknown, wait (an unknown order may still fill).
//   2. When every order is settled and |net base delta| >= one step: first COMPLETE the lagging leg with
//      a taker IOC order (the opportunity was valid a moment ago), unless that leg's market definitively
//      refused us (then completing it will fail again) or we've already tried `max_complete_attempts`.
//   3. Otherwise UNWIND the excess on the leading leg (perp side reduce-only).
//   4. Past `deadline_us` after the first send with delta still open: Failed — the daemon stops opening
//      positions and says so loudly.
//   5. At most kMaxUnwindsPerWindow unwind orders per window: an unwind the venue keeps refusing (or that
//      never fills) would otherwise be re-sent at event speed until the deadline; past the bound it waits for
//      the deadline (step 4), and the owner's next window allows as many again.
#include <array>
#include <cstdint>
#include <string_view>

#include "bparb/core/clock.hpp"
#include "bparb/core/decimal.hpp"
#include "bparb/core/types.hpp"

namespace bparb::exec {

enum class LegIndex : std::uint8_t { kSpot = 0, kPerp = 1 };

struct LegTarget {
  Side side = Side::kBid;  // direction of this leg for the trade as planned
  Decimal quantity;        // planned quantity (base units)
  Decimal step_size;       // market step
  Decimal min_quantity;    // market minimum
};

enum class LegRiskAction : std::uint8_t {
  kWait,      // orders still live / unknown
  kNeutral,   // done: |delta| < one step
  kComplete,  // send a taker IOC on `leg` in its planned direction for `quantity`
  kUnwind,    // send a taker IOC on `leg` AGAINST its planned direction for `quantity` (perp: reduce-only)
  kFailed,    // deadline passed with exposure open (or exposure below the market minimum: cannot fix)
};

struct LegRiskDecision {
  LegRiskAction action = LegRiskAction::kWait;
  LegIndex leg = LegIndex::kSpot;
  Side side = Side::kBid;
  Decimal quantity;
  Decimal net_delta;  // signed base units: + long, - short
  std::string_view reason;
};

std::string_view leg_risk_action_name(LegRiskAction a) noexcept;

class LegRisk {
 public:
  static constexpr int kMaxUnwindsPerWindow = 5;

  // `initial_delta`: the pair's signed base exposure before this trade (e.g. an exit starts from the
  // entry's sub-step residual); neutral means |initial_delta + fills| <= the coarser step.
  LegRisk(LegTarget spot, LegTarget perp, TimestampUs started_us, DurationUs deadline_us, int max_complete_attempts = 2,
          Decimal initial_delta = Decimal::zero()) noexcept;

  // Order accounting. `live_orders` counts orders on a leg not yet in a terminal state (incl. unknown).
  void on_order_sent(LegIndex leg) noexcept { ++live_[idx(leg)]; }
  void on_order_settled(LegIndex leg) noexcept {
    if (live_[idx(leg)] > 0) --live_[idx(leg)];
  }
  // Signed by the ORDER's side: a buy adds, a sell subtracts (base units received/given, before fees).
  void on_fill(LegIndex leg, Side order_side, Decimal quantity) noexcept;
  // The exchange refused the leg for a reason that will repeat (market closed, margin, symbol rejected).
  void on_definitive_reject(LegIndex leg) noexcept { refused_[idx(leg)] = true; }

  // `past_live`: the live orders cannot be trusted to settle soon (their cancels are refused): a delta
  // beyond one step is completed or unwound now instead of waiting for them.
  LegRiskDecision decide(TimestampUs now, bool past_live = false) noexcept;
  // Called by the owner when it actually sends the order that a kComplete/kUnwind decision asked for.
  void on_hedge_sent(const LegRiskDecision& d) noexcept;

  Decimal filled(LegIndex leg) const noexcept { return filled_[idx(leg)]; }  // signed
  Decimal net_delta() const noexcept { return initial_delta_ + filled_[0] + filled_[1]; }
  // After a reported failure: start a new hedge window (attempt counters reset, fills kept).
  void restart_window(TimestampUs now) noexcept {
    started_us_ = now;
    complete_attempts_ = 0;
    unwind_attempts_ = 0;
  }
  bool any_live() const noexcept { return live_[0] > 0 || live_[1] > 0; }
  int live(LegIndex leg) const noexcept { return live_[idx(leg)]; }
  int complete_attempts() const noexcept { return complete_attempts_; }
  int unwind_attempts() const noexcept { return unwind_attempts_; }

 private:
  static constexpr std::size_t idx(LegIndex l) noexcept { return static_cast<std::size_t>(l); }
  std::array<LegTarget, 2> plan_;
  std::array<Decimal, 2> filled_{};
  std::array<int, 2> live_{};
  std::array<bool, 2> refused_{};
  TimestampUs started_us_;
  DurationUs deadline_us_;
  int max_complete_attempts_;
  int complete_attempts_ = 0;
  int unwind_attempts_ = 0;
  Decimal initial_delta_;
};

}  // namespace bparb::exec
