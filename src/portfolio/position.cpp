#include "bparb/portfolio/position.hpp"

namespace bparb {

Decimal LegPosition::apply(Decimal d, Decimal price) noexcept {
  if (d.is_zero()) return Decimal::zero();
  Decimal realized;
  const bool same_dir = qty_.is_zero() || (qty_.is_positive() == d.is_positive());
  if (same_dir) {
    qty_ += d;
    cost_ += d.mul(price, Rounding::kNearest);
    return realized;
  }
  const Decimal held = qty_.abs();
  const Decimal moving = d.abs();
  const Decimal closing = moving < held ? moving : held;
  // Cost of the closed part; exact when the whole leg closes.
  const Decimal portion =
      closing == held ? cost_ : cost_.mul(closing, Rounding::kNearest).div(held, Rounding::kNearest);
  const Decimal value = closing.mul(price, Rounding::kNearest);
  realized = (qty_.is_positive() ? value : -value) - portion;
  qty_ += qty_.is_positive() ? -closing : closing;
  cost_ -= portion;
  if (qty_.is_zero()) cost_ = Decimal::zero();
  if (moving > closing) {  // flip through zero
    const Decimal rest = d.is_positive() ? moving - closing : closing - moving;
    qty_ += rest;
    cost_ += rest.mul(price, Rounding::kNearest);
  }
  return realized;
}

Decimal LegPosition::remove_for_fee(Decimal qty, Decimal price) noexcept {
  if (qty.is_zero()) return Decimal::zero();
  qty_ -= qty;
  cost_ -= qty.mul(price, Rounding::kNearest);
  if (!qty_.is_zero()) return Decimal::zero();
  const Decimal realized = -cost_;
  cost_ = Decimal::zero();
  return realized;
}

Decimal LegPosition::close_out(Decimal price) noexcept {
  const Decimal realized = qty_.mul(price, Rounding::kNearest) - cost_;
  qty_ = Decimal::zero();
  cost_ = Decimal::zero();
  return realized;
}

Decimal LegPosition::average_price() const noexcept {
  if (qty_.is_zero()) return Decimal::zero();
  return cost_.div(qty_, Rounding::kNearest);
}

Decimal LegPosition::unrealized(Decimal mark) const noexcept {
  if (qty_.is_zero()) return Decimal::zero();
  return qty_.mul(mark, Rounding::kNearest) - cost_;
}

}  // namespace bparb
