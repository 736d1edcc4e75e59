#include "bparb/sim/funding.hpp"

namespace bparb::sim {
namespace {
__extension__ using i128 = __int128;
}  // namespace

std::int64_t next_funding_boundary_ms(std::int64_t now_ms, std::int64_t interval_ms) noexcept {
  if (interval_ms <= 0) return 0;
  std::int64_t k = now_ms / interval_ms;
  if (now_ms < 0 && k * interval_ms != now_ms) --k;  // floor for pre-epoch times
  return (k + 1) * interval_ms;
}

Decimal clamp_funding_rate(Decimal rate, Decimal lower_bps, Decimal upper_bps) noexcept {
  if (lower_bps.is_zero() && upper_bps.is_zero()) return rate;
  Decimal lo = lower_bps.div_int(10000, Rounding::kNearest);
  Decimal hi = upper_bps.div_int(10000, Rounding::kNearest);
  if (rate < lo) return lo;
  if (rate > hi) return hi;
  return rate;
}

Decimal interval_funding_rate(Decimal average_premium, std::int64_t interval_ms) noexcept {
  constexpr std::int64_t kEightHoursMs = 8 * 3'600'000;
  if (interval_ms <= 0) return average_premium;
  return (average_premium * interval_ms).div_int(kEightHoursMs, Rounding::kTowardZero);
}

Decimal premium(Decimal mark, Decimal index) noexcept {
  if (!index.is_positive()) return Decimal::zero();
  return mark.div(index, Rounding::kNearest) - Decimal::one();
}

Decimal funding_payment(Decimal position_qty, Decimal mark, Decimal rate) noexcept {
  // One 128-bit product (qty * mark * rate / 1e18) so there is a single rounding step.
  i128 notional = static_cast<i128>(position_qty.raw()) * mark.raw();  // scale 1e18
  i128 p = -notional * rate.raw();                                     // scale 1e27
  const i128 d = static_cast<i128>(Decimal::kOne) * Decimal::kOne;
  i128 q = p / d;
  if (p % d != 0 && p < 0) --q;  // toward -inf
  return Decimal::from_raw(static_cast<std::int64_t>(q));
}

void PremiumAverager::reset(TimestampUs start_us, Decimal current_premium) noexcept {
  start_us_ = start_us;
  last_us_ = start_us;
  current_ = current_premium;
  acc_ = 0;
}

void PremiumAverager::set_premium(TimestampUs t_us, Decimal p) noexcept {
  if (t_us > last_us_) {
    acc_ += static_cast<i128>(current_.raw()) * (t_us - last_us_);
    last_us_ = t_us;
  }
  current_ = p;
}

Decimal PremiumAverager::average_until(TimestampUs t_us) const noexcept {
  i128 acc = acc_;
  if (t_us > last_us_) acc += static_cast<i128>(current_.raw()) * (t_us - last_us_);
  const TimestampUs elapsed = (t_us > last_us_ ? t_us : last_us_) - start_us_;
  if (elapsed <= 0) return current_;
  i128 q = acc / elapsed;
  i128 r = acc % elapsed;
  // round half away from zero
  if (r != 0) {
    i128 ar = r < 0 ? -r : r;
    if (2 * ar >= elapsed) q += (acc < 0 ? -1 : 1);
  }
  return Decimal::from_raw(static_cast<std::int64_t>(q));
}

}  // namespace bparb::sim
