#pragma once
// Lighter's current funding rate as the strategies read funding (strategy/funding.hpp). The venue publishes
// each market's current rate (GET /api/v1/funding-rates) as a fraction over 8 hours and settles every hour
// on the hour (docs/lighter.md, "Funding"): the hourly rate is an eighth of the published one, and the next
// settlement is the next whole hour. A rate above zero means longs pay shorts, as on Backpack.
#include <cstdint>
#include <optional>
#include <span>

#include "bparb/core/clock.hpp"
#include "bparb/core/decimal.hpp"
#include "bparb/strategy/funding.hpp"
#include "bparb/venue/lighter/messages.hpp"

namespace bparb::lighter {

inline constexpr std::int64_t kFundingIntervalMs = 3'600'000;

// The hourly FundingInfo for a rate published over 8 hours, at `now` (rounded to the nearest 1e-9).
FundingInfo hourly_funding(Decimal rate_over_8h, TimestampUs now) noexcept;

// Lighter's own row for `market_id` among funding-rates' rows (other exchanges' rows are skipped).
std::optional<Decimal> lighter_rate(std::span<const FundingRate> rows, std::int64_t market_id) noexcept;

}  // namespace bparb::lighter
