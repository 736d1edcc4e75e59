#include "bparb/core/market_spec.hpp"

#include <algorithm>
#include <cmath>

namespace bparb {

double MarginFunction::fraction(double notional_usd) const noexcept {
  if (!present) return 0.0;
  double f = factor.to_double() * std::sqrt(std::max(0.0, notional_usd));
  return std::max(base.to_double(), f);
}

bool MarketSpec::valid_price(Decimal p) const noexcept {
  if (!p.is_positive() || !p.is_multiple_of(tick_size)) return false;
  if (p < min_price) return false;
  if (max_price.is_positive() && p > max_price) return false;
  return true;
}

bool MarketSpec::valid_quantity(Decimal q) const noexcept {
  if (!q.is_positive() || !q.is_multiple_of(step_size)) return false;
  if (q < min_quantity) return false;
  if (max_quantity.is_positive() && q > max_quantity) return false;
  return true;
}

}  // namespace bparb
