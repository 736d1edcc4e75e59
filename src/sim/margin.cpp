#include "bparb/sim/margin.hpp"

namespace bparb::sim {
namespace {

__extension__ using i128 = __int128;
__extension__ using u128 = unsigned __int128;

i128 div_round(i128 n, i128 d, Rounding mode) noexcept {
  i128 q = n / d;
  i128 r = n % d;
  if (r == 0) return q;
  const bool neg = (n < 0) != (d < 0);
  switch (mode) {
    case Rounding::kTowardZero:
      return q;
    case Rounding::kAwayFromZero:
      return neg ? q - 1 : q + 1;
    case Rounding::kDown:
      return neg ? q - 1 : q;
    case Rounding::kUp:
      return neg ? q : q + 1;
    case Rounding::kNearest: {
      i128 ar = r < 0 ? -r : r;
      i128 ad = d < 0 ? -d : d;
      if (2 * ar >= ad) return neg ? q - 1 : q + 1;
      return q;
    }
  }
  return q;
}

u128 isqrt(u128 n) noexcept {
  if (n < 2) return n;
  // Newton from a power-of-two upper bound; converges monotonically from above.
  int bits = 0;
  for (u128 t = n; t != 0; t >>= 1) ++bits;
  u128 x = static_cast<u128>(1) << ((bits + 1) / 2);
  while (true) {
    u128 y = (x + n / x) / 2;
    if (y >= x) return x;
    x = y;
  }
}

}  // namespace

Decimal decimal_sqrt(Decimal x) noexcept {
  if (x.raw() <= 0) return Decimal::zero();
  // sqrt(raw / 1e9) * 1e9 = sqrt(raw * 1e9)
  u128 n = static_cast<u128>(x.raw()) * static_cast<u128>(Decimal::kOne);
  return Decimal::from_raw(static_cast<std::int64_t>(isqrt(n)));
}

Decimal margin_fraction(const MarginFunction& fn, Decimal notional) noexcept {
  if (!fn.present) return Decimal::zero();
  Decimal f = fn.factor.mul(decimal_sqrt(notional.abs()), Rounding::kUp);
  return f > fn.base ? f : fn.base;
}

Decimal fee_amount(Decimal amount, Decimal bps) noexcept {
  i128 n = static_cast<i128>(amount.raw()) * static_cast<i128>(bps.raw());
  i128 d = static_cast<i128>(Decimal::kOne) * 10000;
  return Decimal::from_raw(static_cast<std::int64_t>(div_round(n, d, Rounding::kUp)));
}

Decimal mul_ratio(Decimal value, std::int64_t numerator, std::int64_t denominator, Rounding mode) noexcept {
  if (denominator == 0) return Decimal::zero();
  i128 n = static_cast<i128>(value.raw()) * static_cast<i128>(numerator);
  return Decimal::from_raw(static_cast<std::int64_t>(div_round(n, denominator, mode)));
}

}  // namespace bparb::sim
