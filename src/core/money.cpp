#include "bparb/core/money.hpp"

#include <array>
#include <cstdio>

namespace bparb {
namespace {
constexpr std::int64_t kRawPerCent = Decimal::kOne / 100;
}

std::int64_t to_cents(Decimal v) noexcept {
  return v.to_units(Decimal::from_raw(kRawPerCent), Rounding::kNearest);
}

std::string format_cents(std::int64_t cents) {
  const bool negative = cents < 0;
  const std::uint64_t mag = negative ? static_cast<std::uint64_t>(-(cents + 1)) + 1 : static_cast<std::uint64_t>(cents);
  char buf[32];
  const int n = std::snprintf(buf, sizeof buf, "%s%llu.%02llu", negative ? "-" : "",
                              static_cast<unsigned long long>(mag / 100), static_cast<unsigned long long>(mag % 100));
  return std::string(buf, static_cast<std::size_t>(n));
}

std::int64_t split_cents(std::span<const Decimal> parts, std::span<std::int64_t> out) noexcept {
  constexpr std::size_t kMax = 8;
  const std::size_t n = parts.size() < out.size() ? parts.size() : out.size();
  Decimal sum;
  for (std::size_t i = 0; i < parts.size(); ++i) sum += parts[i];
  const std::int64_t total = to_cents(sum);
  if (n == 0) return total;
  // Floor each part to the cent; remainders are in [0, 1 cent).
  std::array<std::int64_t, kMax> rem{};
  std::int64_t floored = 0;
  for (std::size_t i = 0; i < n && i < kMax; ++i) {
    out[i] = parts[i].to_units(Decimal::from_raw(kRawPerCent), Rounding::kDown);
    rem[i] = parts[i].raw() - out[i] * kRawPerCent;
    floored += out[i];
  }
  // Sum of floors <= floor(sum) <= round(sum) < sum of floors + n cents: 0..n cents are missing, and
  // each part receives at most one of them.
  for (std::int64_t missing = total - floored; missing > 0; --missing) {
    std::size_t best = 0;
    for (std::size_t i = 1; i < n && i < kMax; ++i)
      if (rem[i] > rem[best]) best = i;
    ++out[best];
    rem[best] = -1;
  }
  return total;
}

}  // namespace bparb
