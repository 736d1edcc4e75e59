#include "bparb/venue/lighter/funding.hpp"

namespace bparb::lighter {

FundingInfo hourly_funding(Decimal rate_over_8h, TimestampUs now) noexcept {
  FundingInfo f;
  f.rate = rate_over_8h.div_int(8, Rounding::kNearest);
  f.interval_ms = kFundingIntervalMs;
  const DurationUs interval_us = kFundingIntervalMs * kUsPerMs;
  // The next whole hour strictly after now (a settlement at exactly now has been paid).
  f.next_funding_us = (now / interval_us + 1) * interval_us;
  return f;
}

std::optional<Decimal> lighter_rate(std::span<const FundingRate> rows, std::int64_t market_id) noexcept {
  for (const FundingRate& r : rows)
    if (r.market_id == market_id && r.exchange == "lighter") return r.rate;
  return std::nullopt;
}

}  // namespace bparb::lighter
