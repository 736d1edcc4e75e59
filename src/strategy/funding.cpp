#include "bparb/strategy/funding.hpp"

namespace bparb {

std::int64_t funding_settlements(TimestampUs now, DurationUs holding, const FundingInfo& f) noexcept {
  if (f.interval_ms <= 0 || holding <= 0) return 0;
  const DurationUs interval = f.interval_ms * kUsPerMs;
  const TimestampUs end = now + holding;
  if (f.next_funding_us <= 0) return holding / interval;
  // A stale `next` (already passed) still tells us the phase of the schedule.
  TimestampUs next = f.next_funding_us;
  if (next <= now) next += ((now - next) / interval + 1) * interval;
  if (next > end) return 0;
  return 1 + (end - next) / interval;
}

Decimal expected_funding_fraction(const FundingInfo& f, bool short_perp, std::int64_t settlements) noexcept {
  const Decimal per = short_perp ? f.rate : -f.rate;
  return per * settlements;
}

Decimal funding_payment(Decimal signed_perp_qty, Decimal mark, Decimal rate) noexcept {
  const Decimal notional = signed_perp_qty.mul(mark, Rounding::kNearest);
  return -notional.mul(rate, Rounding::kNearest);
}

}  // namespace bparb
