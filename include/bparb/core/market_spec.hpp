#pragma once
// One market's trading rules as loaded from GET /api/v1/markets (parsed by venue/backpack).
// Everything that produces an order price or quantity goes through these helpers so it is aligned
// to tickSize / stepSize with an explicit rounding direction.
#include <cstdint>
#include <string>

#include "bparb/core/decimal.hpp"
#include "bparb/core/types.hpp"

namespace bparb {

// Backpack's {"type":"sqrt","base":b,"factor":f}: fraction = max(base, factor * sqrt(notional)).
// The argument (USD notional vs quantity) is not documented; we use USD notional, which gives a
// plausible knee (~$286k on BTC) — see docs/backpack.md §9. Used for margin estimates, not order fields.
struct MarginFunction {
  bool present = false;
  Decimal base;
  Decimal factor;
  double fraction(double notional_usd) const noexcept;
};

struct MarketSpec {
  std::string symbol;        // "SOL_USDC_PERP"
  std::string base_symbol;   // "SOL"
  std::string quote_symbol;  // "USDC"
  MarketType type = MarketType::kSpot;
  OrderBookState state = OrderBookState::kOpen;
  bool visible = true;

  Decimal tick_size;
  Decimal min_price;
  Decimal max_price;              // zero = no limit
  Decimal max_multiplier;         // price band vs last active price (zero = none)
  Decimal min_multiplier;
  Decimal max_impact_multiplier;  // how far a market order may walk from best (zero = none)
  Decimal min_impact_multiplier;

  Decimal step_size;
  Decimal min_quantity;
  Decimal max_quantity;  // zero = no limit

  // Perps only.
  std::int64_t funding_interval_ms = 0;
  Decimal funding_rate_upper_bound_bps;
  Decimal funding_rate_lower_bound_bps;
  MarginFunction imf;
  MarginFunction mmf;
  Decimal open_interest_limit;

  bool is_perp() const noexcept { return type == MarketType::kPerp; }
  int price_decimals() const noexcept { return tick_size.decimals(); }
  int quantity_decimals() const noexcept { return step_size.decimals(); }

  Decimal round_price(Decimal p, Rounding mode) const noexcept { return p.round_to(tick_size, mode); }
  Decimal round_quantity(Decimal q, Rounding mode) const noexcept { return q.round_to(step_size, mode); }
  std::int64_t price_to_ticks(Decimal p, Rounding mode = Rounding::kTowardZero) const noexcept {
    return p.to_units(tick_size, mode);
  }
  Decimal ticks_to_price(std::int64_t ticks) const noexcept { return Decimal::from_units(ticks, tick_size); }
  std::int64_t quantity_to_lots(Decimal q, Rounding mode = Rounding::kTowardZero) const noexcept {
    return q.to_units(step_size, mode);
  }
  Decimal lots_to_quantity(std::int64_t lots) const noexcept { return Decimal::from_units(lots, step_size); }

  bool valid_price(Decimal p) const noexcept;     // positive, on tick, within [min_price, max_price]
  bool valid_quantity(Decimal q) const noexcept;  // on step, >= min_quantity, <= max_quantity
};

}  // namespace bparb
