#pragma once
// Exit evaluation for an open basis position. Checked on every book update of either leg.
//
// exit_basis is the premium we would pay back by unwinding now, walking both books as a taker for
// the position size: PerpPremium unwinds by selling spot (bids) and buying perp (asks):
//   exit_basis = (perp_ask_vwap - spot_bid_vwap) / spot_bid_vwap
// SpotPremium unwinds by buying spot (asks) and selling perp (bids):
//   exit_basis = (spot_ask_vwap - perp_bid_vwap) / perp_bid_vwap
// Converged when exit_basis <= min_closing_spread (may be negative: wait for an overshoot).
//
// pnl_fraction_if_closed = entry_spread - exit_basis - exit fees (both legs)
//                          + (funding_received_usd - fees_paid_usd) / entry_notional
#include <cstdint>

#include "bparb/book/order_book.hpp"
#include "bparb/core/clock.hpp"
#include "bparb/core/decimal.hpp"
#include "bparb/strategy/basis.hpp"
#include "bparb/strategy/fee_model.hpp"
#include "bparb/strategy/funding.hpp"

namespace bparb {

enum class ExitReason : std::uint8_t {
  kNone = 0,
  kConverged,       // exit_basis <= min_closing_spread
  kTakeProfit,      // pnl_fraction_if_closed >= take_profit
  kMaxHoldingTime,  // held >= max_holding_us
  kFundingAgainst,  // current rate charges us more than max_adverse_funding_rate per interval
  // Not strategy exits: the daemon closed the position whatever the exit rules say (ArbEngine::force_exit).
  kRecoveryUnwind,     // start-up recovery found the legs not delta-neutral
  kFlattenOnShutdown,  // [shutdown] flatten_on_shutdown
  kOperatorFlatten,    // the operator asked for it (POST /api/v1/flatten, docs/service.md)
};
const char* to_string(ExitReason r) noexcept;

struct ExitParams {
  Decimal min_closing_spread;                                     // fraction; may be negative
  Decimal take_profit = Decimal::from_raw(5'000'000);             // 0.005 of notional; <= 0 disables
  DurationUs max_holding_us = 7 * kUsPerDay;                      // <= 0 disables
  Decimal max_adverse_funding_rate = Decimal::from_raw(100'000);  // 0.0001 per interval against us
  bool exit_as_maker = false;                                     // fee assumption for the unwind
};

// nullptr if usable, else a message naming the field.
const char* validate(const ExitParams& p) noexcept;

struct OpenBasisPosition {
  BasisDirection direction = BasisDirection::kPerpPremium;
  Decimal quantity;        // per leg (base units)
  Decimal entry_spread;    // as quoted / filled at entry
  Decimal entry_notional;  // spot leg notional at entry (USD)
  TimestampUs opened_at_us = 0;
  Decimal fees_paid_usd;  // so far (entry fills), from the portfolio
  Decimal funding_received_usd;
};

struct ExitSignal {
  bool exit = false;
  ExitReason reason = ExitReason::kNone;
  bool prices_valid = false;  // books usable and deep enough to price the unwind
  Decimal exit_basis;
  Decimal exit_fee_fraction;
  Decimal pnl_fraction_if_closed;
  DurationUs held_us = 0;
  Decimal adverse_funding_rate;  // > 0 = we pay per interval
};

// Rules are checked in order: converged, take-profit, max holding time, funding against. Time and
// funding rules still fire when the books cannot price the unwind (prices_valid=false); the executor
// decides how to exit then.
ExitSignal evaluate_exit(const OpenBasisPosition& pos, const OrderBook& spot, const OrderBook& perp,
                         const FundingInfo& funding, const FeeSchedule& fees, const ExitParams& params,
                         TimestampUs now) noexcept;

}  // namespace bparb
