#pragma once
// Exit decisions for an open cross-venue position, checked on every book update of either venue.
//
// The unwind walks both books as a taker for the position size: LongBackpack sells Backpack (its bids)
// and buys Lighter (its asks); ShortBackpack buys Backpack (asks) and sells Lighter (bids).
//   exit_spread_usd = unwind buy VWAP - unwind sell VWAP   (USD per unit we pay back; may be negative)
// Rules, first match wins: operator flatten, converged (exit_spread_usd <= min_closing_spread),
// take-profit, max holding time, funding turning against the position. Both exit legs are reduce-only.
// Pure: no clock, no allocation. docs/cross_venue.md §5.
#include <cstdint>

#include "bparb/book/order_book.hpp"
#include "bparb/core/clock.hpp"
#include "bparb/core/decimal.hpp"
#include "bparb/core/instrument.hpp"
#include "bparb/strategy/cross_venue/xarb_params.hpp"
#include "bparb/strategy/cross_venue/xarb_signal.hpp"
#include "bparb/strategy/funding.hpp"

namespace bparb {

enum class XarbExitReason : std::uint8_t {
  kNone = 0,
  kOperatorFlatten,
  kConverged,
  kTakeProfit,
  kMaxHoldingTime,
  kFundingAgainst,
};
const char* to_string(XarbExitReason r) noexcept;  // "operator_flatten", "converged", ...

struct XarbPosition {
  XarbDirection direction = XarbDirection::kLongBackpack;
  Decimal quantity;          // per leg, base units
  Decimal entry_spread_usd;  // sell price - buy price per unit at entry (fills)
  Decimal entry_notional;    // the entry buy leg's notional (USD)
  TimestampUs opened_at_us = 0;
  Decimal fees_paid_usd;         // entry fills, as the venues reported them
  Decimal funding_received_usd;  // both venues, so far (negative = paid)
};

struct XarbExitLeg {
  Side side = Side::kBid;  // Bid = buy
  Decimal quantity;
  Decimal vwap;  // walked unwind VWAP (zero when the book cannot price it)
  bool reduce_only = true;
};

struct XarbExitSignal {
  bool exit = false;
  XarbExitReason reason = XarbExitReason::kNone;
  bool prices_valid = false;  // both books usable and deep enough to price the unwind
  Decimal exit_spread_usd;
  Decimal exit_fee_usd;       // both unwind fills at this account's rates
  Decimal pnl_if_closed_usd;  // (entry - exit spread) * qty - all fees + funding received
  Decimal pnl_fraction;       // pnl_if_closed_usd / entry_notional
  DurationUs held_us = 0;
  Decimal adverse_funding_fraction;  // per hour, summed over both legs; > 0 = the position pays
  XarbExitLeg backpack;
  XarbExitLeg lighter;
};

struct XarbExitInputs {
  const OrderBook* backpack = nullptr;
  const OrderBook* lighter = nullptr;
  FundingInfo backpack_funding;
  FundingInfo lighter_funding;
  InstrumentFees backpack_fees;
  bool operator_flatten = false;
  TimestampUs now = 0;
};

XarbExitSignal evaluate_xarb_exit(const XarbPosition& pos, const XarbExitInputs& in, const XarbParams& params) noexcept;

}  // namespace bparb
