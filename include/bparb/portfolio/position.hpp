#pragma once
// Positions per basis pair (spot leg + perp leg) built from fills, exact in Decimal.
//
// Accounting (average cost, signed): each leg keeps a signed quantity (+long / -short) and a signed
// cost = sum(signed qty * price) of what is open. A fill in the direction of the position adds to
// both; a fill against it realizes sign(q)*c*price - cost*c/|q| for the closed part c (exact when the
// whole leg closes; otherwise rounded to 1e-9 USD) and can flip the leg.
//
// Fees (docs/money.md): quote-asset fees (perp fills, spot sells) are USD (USDC) one to one. A spot BUY
// pays its fee in the BASE asset (Backpack `N:"BTC"`): the leg receives qty - fee, so the fee quantity
// is taken out of the leg at the fill price (no realized P&L) and booked as fee_usd = fee * price. A
// negative fee (a rebate) works the same way with the sign: the leg receives qty + |fee|. Cash out then
// always equals cost + fees, which is what makes a closed position reconcile to the cent.
//
// P&L of a position = realized + unrealized(marks) - fees_usd + funding.
#include <cstdint>

#include "bparb/core/clock.hpp"
#include "bparb/core/decimal.hpp"
#include "bparb/core/types.hpp"

namespace bparb {

enum class Leg : std::uint8_t { kSpot, kPerp };
// kOther: a fee in an asset the position cannot value (neither the pair's base nor its quote).
enum class FeeAsset : std::uint8_t { kQuote, kBase, kOther };

struct Fill {
  Leg leg = Leg::kSpot;
  Side side = Side::kBid;
  Decimal price;
  Decimal quantity;  // > 0, base units
  Decimal fee;       // >= 0 paid; negative = rebate (either asset)
  FeeAsset fee_asset = FeeAsset::kQuote;
  TimestampUs time_us = 0;        // local clock: holding times, exits
  TimestampUs venue_time_us = 0;  // the venue's execution time (0 = unknown: time_us); funding attribution
};

// One leg, average-cost.
class LegPosition {
 public:
  // Applies a signed base quantity change at `price`; returns the realized price P&L.
  Decimal apply(Decimal signed_qty, Decimal price) noexcept;
  // Removes `qty` from the leg at `price` without realizing anything (a base-asset fee); a negative
  // `qty` (a rebate) adds coins at `price`. Returns the cost left over when this makes the leg exactly
  // flat (realized P&L), zero otherwise.
  Decimal remove_for_fee(Decimal qty, Decimal price) noexcept;
  // Writes off what is left (dust) at `price`: returns the realized P&L and leaves the leg flat.
  Decimal close_out(Decimal price) noexcept;

  Decimal quantity() const noexcept { return qty_; }
  Decimal cost() const noexcept { return cost_; }
  bool flat() const noexcept { return qty_.is_zero(); }
  // cost / qty rounded to nearest 1e-9; zero when flat.
  Decimal average_price() const noexcept;
  // qty * mark - cost.
  Decimal unrealized(Decimal mark) const noexcept;

 private:
  Decimal qty_;
  Decimal cost_;
};

struct PositionState {
  std::uint64_t id = 0;  // 0 = no position yet on this pair
  bool open = false;
  LegPosition spot;
  LegPosition perp;
  Decimal realized_pnl;    // price P&L of closed quantity, both legs (fees and funding excluded)
  Decimal fees_usd;        // all fees converted to USD
  Decimal fees_quote;      // fees paid in the quote asset (USDC)
  Decimal fees_base;       // fees paid in the base asset (spot buys)
  Decimal funding;         // received (+) / paid (-)
  Decimal dust_base;       // base written off at close (below the pair's dust threshold)
  Decimal entry_basis;     // (perp avg - spot avg) / spot avg while building the position
  Decimal entry_notional;  // largest spot-leg |cost| reached (USD)
  TimestampUs opened_at_us = 0;
  TimestampUs closed_at_us = 0;
  // The same two moments on the venue's clock (its fills' execution times): funding settles on that
  // clock, so a payment is matched to the position that held it there (docs/money.md).
  TimestampUs opened_venue_us = 0;
  TimestampUs closed_venue_us = 0;
  std::uint32_t fills = 0;

  Decimal unrealized(Decimal spot_mark, Decimal perp_mark) const noexcept {
    return spot.unrealized(spot_mark) + perp.unrealized(perp_mark);
  }
  // realized + unrealized - fees + funding.
  Decimal net_pnl(Decimal spot_mark, Decimal perp_mark) const noexcept {
    return realized_pnl + unrealized(spot_mark, perp_mark) - fees_usd + funding;
  }
  // Closed (or fully realized) P&L: realized - fees + funding.
  Decimal realized_net() const noexcept { return realized_pnl - fees_usd + funding; }
};

}  // namespace bparb
