#pragma once
// Expected funding over a holding period.
//
// Backpack: `markPrice.<symbol>` carries `f` = estimated funding rate for the CURRENT interval as a
// fraction (not bps), `n` = next funding timestamp (ms). The interval length is the market's
// `fundingInterval` (ms) — 1 hour on Backpack since 2025-08-20, NOT 8 h; never hard-code it.
// Sign convention (exchange standard): rate > 0 => longs pay shorts.
#include <cstdint>

#include "bparb/core/clock.hpp"
#include "bparb/core/decimal.hpp"

namespace bparb {

struct FundingInfo {
  Decimal rate;                     // per interval, fraction; > 0 pays shorts
  std::int64_t interval_ms = 0;     // MarketSpec::funding_interval_ms
  TimestampUs next_funding_us = 0;  // 0 = unknown (count whole intervals only)
  Decimal mark_price;               // informational
};

// Number of funding settlements a position opened at `now` and held for `holding` collects.
// With a known next settlement time: settlements at next, next+I, next+2I, ... that are <= now+holding.
// Without one: floor(holding / I). Zero when the interval is unknown or holding <= 0.
std::int64_t funding_settlements(TimestampUs now, DurationUs holding, const FundingInfo& f) noexcept;

// Funding received by a position with perp side `short_perp`, per unit of perp notional, over n
// settlements, assuming the current rate persists: short receives +rate, long receives -rate.
Decimal expected_funding_fraction(const FundingInfo& f, bool short_perp, std::int64_t settlements) noexcept;

// One settlement's payment for a signed perp quantity (+long / -short) at `mark`: -qty * mark * rate.
// Positive = received. Used by tests and the simulator-side reconciliation.
Decimal funding_payment(Decimal signed_perp_qty, Decimal mark, Decimal rate) noexcept;

}  // namespace bparb
