#pragma once
// Trading fees as the account actually pays them. Rates come from GET /api/v1/account
// (spotMakerFee, spotTakerFee, futuresMakerFee, futuresTakerFee) in BASIS POINTS; negative = rebate.
// Fractions below are plain Decimals (0.001 = 0.1%) so fee arithmetic stays exact.
#include <cstdint>

#include "bparb/core/decimal.hpp"

namespace bparb {

enum class Liquidity : std::uint8_t { kMaker, kTaker };
enum class Venue : std::uint8_t { kSpot, kPerp };  // which leg of a basis pair

struct FeeSchedule {
  Decimal spot_maker_bps;
  Decimal spot_taker_bps;
  Decimal perp_maker_bps;
  Decimal perp_taker_bps;

  // Fee rate as a fraction of notional (10 bps -> 0.001).
  Decimal rate(Venue venue, Liquidity liq) const noexcept;
};

// 1 bp = 0.0001. Exact for any bps with <= 5 decimals (Backpack publishes whole or 1-3 dp bps).
Decimal bps_to_fraction(Decimal bps) noexcept;

// The four fills of a basis round trip: open both legs, close both legs.
struct RoundTripLiquidity {
  Liquidity entry_spot = Liquidity::kTaker;
  Liquidity entry_perp = Liquidity::kTaker;
  Liquidity exit_spot = Liquidity::kTaker;
  Liquidity exit_perp = Liquidity::kTaker;
};

// Sum of the four fee rates (fraction of one leg's notional). Seed table: spot taker 0.10% +
// perp taker 0.04% -> 0.28%; spot maker 0.08% + perp maker 0.01% -> 0.18%.
Decimal round_trip_fee_fraction(const FeeSchedule& fees, const RoundTripLiquidity& liq) noexcept;

// Fee charged on a fill of `notional` at `rate`. Rounded up (away from a rebate's favour) so the
// estimate never understates cost; exchange-reported fees replace it once the fill arrives.
Decimal fee_for_notional(Decimal notional, Decimal rate) noexcept;

}  // namespace bparb
