#pragma once
// Exact (Decimal) margin and fee arithmetic used by the simulated exchange. Pure functions, no state.
#include "bparb/core/decimal.hpp"
#include "bparb/core/market_spec.hpp"

namespace bparb::sim {

// floor(sqrt(x)) at 1e-9 resolution; 0 for x <= 0.
Decimal decimal_sqrt(Decimal x) noexcept;

// Backpack {"type":"sqrt"} margin function: max(base, factor * sqrt(notional)), notional in USDC
// (docs/backpack.md §9: the argument is undocumented; USD notional gives the plausible ~$286k BTC knee).
// The factor term is rounded up (the exchange never under-reserves). Absent function -> 0.
Decimal margin_fraction(const MarginFunction& fn, Decimal notional) noexcept;

// fee = amount * bps / 10000, rounded up to 1e-9 (toward +inf, so a rebate is never overpaid).
Decimal fee_amount(Decimal amount, Decimal bps) noexcept;

// value * numerator / denominator with rounding (128-bit intermediate); denominator must be != 0.
Decimal mul_ratio(Decimal value, std::int64_t numerator, std::int64_t denominator, Rounding mode) noexcept;

}  // namespace bparb::sim
