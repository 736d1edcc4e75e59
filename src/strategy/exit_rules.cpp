#include "bparb/strategy/exit_rules.hpp"

namespace bparb {

const char* to_string(ExitReason r) noexcept {
  switch (r) {
    case ExitReason::kNone:
      return "none";
    case ExitReason::kConverged:
      return "converged";
    case ExitReason::kTakeProfit:
      return "take_profit";
    case ExitReason::kMaxHoldingTime:
      return "max_holding_time";
    case ExitReason::kFundingAgainst:
      return "funding_against";
    case ExitReason::kRecoveryUnwind:
      return "recovery_unwind";
    case ExitReason::kFlattenOnShutdown:
      return "flatten_on_shutdown";
    case ExitReason::kOperatorFlatten:
      return "operator_flatten";
  }
  return "?";
}

const char* validate(const ExitParams& p) noexcept {
  if (p.take_profit.is_negative()) return "take_profit must be >= 0 (0 disables)";
  if (p.max_holding_us < 0) return "max_holding time must be >= 0 (0 disables)";
  if (p.max_adverse_funding_rate.is_negative()) return "max_adverse_funding_rate must be >= 0";
  if (p.min_closing_spread > Decimal::from_raw(100'000'000) || p.min_closing_spread < Decimal::from_raw(-100'000'000))
    return "min_closing_spread must be within +/-0.1";
  return nullptr;
}

ExitSignal evaluate_exit(const OpenBasisPosition& pos, const OrderBook& spot, const OrderBook& perp,
                         const FundingInfo& funding, const FeeSchedule& fees, const ExitParams& params,
                         TimestampUs now) noexcept {
  ExitSignal s;
  const bool perp_premium = pos.direction == BasisDirection::kPerpPremium;
  s.held_us = now - pos.opened_at_us;
  s.adverse_funding_rate = perp_premium ? -funding.rate : funding.rate;
  const Liquidity liq = params.exit_as_maker ? Liquidity::kMaker : Liquidity::kTaker;
  s.exit_fee_fraction = fees.rate(Venue::kSpot, liq) + fees.rate(Venue::kPerp, liq);

  // Unwind: PerpPremium sells spot and buys perp; SpotPremium buys spot and sells perp.
  const Side spot_side = perp_premium ? Side::kAsk : Side::kBid;
  const Side perp_side = opposite(spot_side);
  if (spot.valid() && perp.valid() && pos.quantity.is_positive()) {
    const BookFill sf = spot.walk(spot_side, pos.quantity);
    const BookFill pf = perp.walk(perp_side, pos.quantity);
    if (sf.complete && pf.complete && sf.vwap.is_positive() && pf.vwap.is_positive()) {
      s.prices_valid = true;
      // Remaining premium, rounded up: we pay it back.
      s.exit_basis = perp_premium ? (pf.vwap - sf.vwap).div(sf.vwap, Rounding::kUp)
                                  : (sf.vwap - pf.vwap).div(pf.vwap, Rounding::kUp);
      Decimal carried;
      if (pos.entry_notional.is_positive()) {
        carried = (pos.funding_received_usd - pos.fees_paid_usd).div(pos.entry_notional, Rounding::kDown);
      }
      s.pnl_fraction_if_closed = pos.entry_spread - s.exit_basis - s.exit_fee_fraction + carried;
    }
  }

  if (s.prices_valid && s.exit_basis <= params.min_closing_spread) {
    s.reason = ExitReason::kConverged;
  } else if (s.prices_valid && params.take_profit.is_positive() && s.pnl_fraction_if_closed >= params.take_profit) {
    s.reason = ExitReason::kTakeProfit;
  } else if (params.max_holding_us > 0 && s.held_us >= params.max_holding_us) {
    s.reason = ExitReason::kMaxHoldingTime;
  } else if (s.adverse_funding_rate > params.max_adverse_funding_rate) {
    s.reason = ExitReason::kFundingAgainst;
  }
  s.exit = s.reason != ExitReason::kNone;
  return s;
}

}  // namespace bparb
