#pragma once
// Funding for one perp market: the interval grid, the premium (mark/index - 1) averaged over the
// interval by time, the clamp to the market's bounds, and the payment formula. Pure, clock-free:
// callers pass the times.
#include <cstdint>

#include "bparb/core/clock.hpp"
#include "bparb/core/decimal.hpp"

namespace bparb::sim {

// First settlement strictly after `now_ms` on the grid k * interval_ms (epoch-aligned).
std::int64_t next_funding_boundary_ms(std::int64_t now_ms, std::int64_t interval_ms) noexcept;

// clamp(rate, lower_bps / 10000, upper_bps / 10000). Bounds of zero on both sides mean "no clamp".
Decimal clamp_funding_rate(Decimal rate, Decimal lower_bps, Decimal upper_bps) noexcept;
// The rate one interval pays for an average premium. The classic formula charges the premium once
// per 8 hours; Backpack's hourly funding "divides the daily rate by 24 instead of 3" (docs/backpack.md §8),
// so an interval of I ms charges premium * I / 8h. Rounded toward zero at 1e-9.
Decimal interval_funding_rate(Decimal average_premium, std::int64_t interval_ms) noexcept;

// mark / index - 1 at 1e-9 (rounded to nearest); 0 when index is not positive.
Decimal premium(Decimal mark, Decimal index) noexcept;

// Payment credited to an account holding `position_qty` (signed base units) at `mark` with funding
// `rate`: -position * mark * rate, rounded toward -inf (the account never receives a rounding gain).
// Longs pay when the rate is positive.
Decimal funding_payment(Decimal position_qty, Decimal mark, Decimal rate) noexcept;

// Time-weighted average of the premium over one funding interval. The premium is piecewise
// constant between set_premium() calls.
class PremiumAverager {
 public:
  // Start an interval at `start_us` with the premium holding at that instant.
  void reset(TimestampUs start_us, Decimal current_premium) noexcept;
  // The premium changes to `p` at time `t_us` (t_us >= last change; earlier times are clamped).
  void set_premium(TimestampUs t_us, Decimal p) noexcept;
  // Average from the interval start to `t_us` (current premium if no time has elapsed).
  Decimal average_until(TimestampUs t_us) const noexcept;
  Decimal current() const noexcept { return current_; }
  TimestampUs start_us() const noexcept { return start_us_; }

 private:
  TimestampUs start_us_ = 0;
  TimestampUs last_us_ = 0;
  Decimal current_;
  // Sum of premium_raw * microseconds; __int128 keeps hours of 1e-9 premiums exact.
  __extension__ __int128 acc_ = 0;
};

}  // namespace bparb::sim
