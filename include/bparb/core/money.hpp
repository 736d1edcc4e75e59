#pragma once
// Money as people read it: amounts printed to the cent. Exact values (1e-9 USD) stay in the journal,
// JSON answers and reports; these functions are only for what a person reads (log lines, summaries).
//
// Rounding: half away from zero to the cent (0.005 -> 0.01, -0.005 -> -0.01); a value that rounds to
// zero prints "0.00", never "-0.00". A sign is printed once, by the number itself.
//
// Parts that make up a total (spread + fees + funding = net) are printed so that the printed parts add
// up to the printed total: the total is rounded on its own, each part is rounded down to the cent, and
// the cents still missing go one each to the parts with the largest remainders (the largest remainder
// method; ties go to the earlier part). Each printed part is then within one cent of its exact value.
// See docs/money.md.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "bparb/core/decimal.hpp"

namespace bparb {

// Whole cents, half away from zero.
std::int64_t to_cents(Decimal v) noexcept;
// "12.34", "-0.05", "0.00".
std::string format_cents(std::int64_t cents);
inline std::string format_usd(Decimal v) {
  return format_cents(to_cents(v));
}

// Cents of each part such that they sum to to_cents(sum of parts). `out` must be as long as `parts`
// (at most 8 parts). Returns the cents of the total.
std::int64_t split_cents(std::span<const Decimal> parts, std::span<std::int64_t> out) noexcept;

}  // namespace bparb
