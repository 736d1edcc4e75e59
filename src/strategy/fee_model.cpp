#include "bparb/strategy/fee_model.hpp"

namespace bparb {

Decimal bps_to_fraction(Decimal bps) noexcept {
  return bps.div_int(10'000, Rounding::kUp);
}

Decimal FeeSchedule::rate(Venue venue, Liquidity liq) const noexcept {
  if (venue == Venue::kSpot) return bps_to_fraction(liq == Liquidity::kMaker ? spot_maker_bps : spot_taker_bps);
  return bps_to_fraction(liq == Liquidity::kMaker ? perp_maker_bps : perp_taker_bps);
}

Decimal round_trip_fee_fraction(const FeeSchedule& fees, const RoundTripLiquidity& liq) noexcept {
  return fees.rate(Venue::kSpot, liq.entry_spot) + fees.rate(Venue::kPerp, liq.entry_perp) +
         fees.rate(Venue::kSpot, liq.exit_spot) + fees.rate(Venue::kPerp, liq.exit_perp);
}

Decimal fee_for_notional(Decimal notional, Decimal rate) noexcept {
  return notional.mul(rate, Rounding::kUp);
}

}  // namespace bparb
