#include "bparb/strategy/cross_venue/xarb_exit.hpp"

#include "bparb/strategy/fee_model.hpp"

namespace bparb {
namespace {

constexpr std::int64_t kMsPerHour = 3'600'000;

// A rate per funding interval as a rate per hour (both venues settle hourly; a market with another
// interval is scaled so the rule compares like with like). Rounded up: it is a cost we may pay.
Decimal per_hour(const FundingInfo& f) noexcept {
  if (f.interval_ms <= 0 || f.interval_ms == kMsPerHour) return f.rate;
  return (f.rate * kMsPerHour).div_int(f.interval_ms, Rounding::kUp);
}

}  // namespace

const char* to_string(XarbExitReason r) noexcept {
  switch (r) {
    case XarbExitReason::kNone:
      return "none";
    case XarbExitReason::kOperatorFlatten:
      return "operator_flatten";
    case XarbExitReason::kConverged:
      return "converged";
    case XarbExitReason::kTakeProfit:
      return "take_profit";
    case XarbExitReason::kMaxHoldingTime:
      return "max_holding_time";
    case XarbExitReason::kFundingAgainst:
      return "funding_against";
  }
  return "?";
}

XarbExitSignal evaluate_xarb_exit(const XarbPosition& pos, const XarbExitInputs& in, const XarbParams& p) noexcept {
  XarbExitSignal s;
  const bool long_bp = pos.direction == XarbDirection::kLongBackpack;
  s.held_us = in.now - pos.opened_at_us;
  // LongBackpack is long Backpack (pays its rate) and short Lighter (receives its rate).
  const Decimal bp_rate = per_hour(in.backpack_funding);
  const Decimal lt_rate = per_hour(in.lighter_funding);
  s.adverse_funding_fraction = long_bp ? bp_rate - lt_rate : lt_rate - bp_rate;

  // Unwind: LongBackpack sells on Backpack and buys on Lighter; reduce-only on both legs.
  s.backpack.side = long_bp ? Side::kAsk : Side::kBid;
  s.lighter.side = opposite(s.backpack.side);
  s.backpack.quantity = s.lighter.quantity = pos.quantity;
  if (in.backpack != nullptr && in.lighter != nullptr && in.backpack->valid() && in.lighter->valid() &&
      pos.quantity.is_positive()) {
    const BookFill bf = in.backpack->walk(s.backpack.side, pos.quantity);
    const BookFill lf = in.lighter->walk(s.lighter.side, pos.quantity);
    if (bf.complete && lf.complete) {
      s.prices_valid = true;
      s.backpack.vwap = bf.vwap;
      s.lighter.vwap = lf.vwap;
      const Decimal buy = long_bp ? lf.vwap : bf.vwap;
      const Decimal sell = long_bp ? bf.vwap : lf.vwap;
      s.exit_spread_usd = buy - sell;
      const InstrumentFees lfees = lighter_tier_fees(p.lighter_fee_tier);
      const Decimal b_bps = p.exit_as_maker ? in.backpack_fees.maker_bps : in.backpack_fees.taker_bps;
      const Decimal l_bps = p.exit_as_maker ? lfees.maker_bps : lfees.taker_bps;
      s.exit_fee_usd =
          fee_for_notional(bf.notional, bps_to_fraction(b_bps)) + fee_for_notional(lf.notional, bps_to_fraction(l_bps));
      s.pnl_if_closed_usd = (pos.entry_spread_usd - s.exit_spread_usd).mul(pos.quantity, Rounding::kDown) -
                            s.exit_fee_usd - pos.fees_paid_usd + pos.funding_received_usd;
      if (pos.entry_notional.is_positive()) {
        s.pnl_fraction = s.pnl_if_closed_usd.div(pos.entry_notional, Rounding::kDown);
      }
    }
  }

  const Decimal take_profit = bps_to_fraction(p.take_profit_bps);
  if (in.operator_flatten) {
    s.reason = XarbExitReason::kOperatorFlatten;
  } else if (s.prices_valid && s.exit_spread_usd <= p.min_closing_spread) {
    s.reason = XarbExitReason::kConverged;
  } else if (s.prices_valid && take_profit.is_positive() && s.pnl_fraction >= take_profit) {
    s.reason = XarbExitReason::kTakeProfit;
  } else if (p.max_holding_s > 0 && s.held_us >= p.max_holding_s * kUsPerSecond) {
    s.reason = XarbExitReason::kMaxHoldingTime;
  } else if (s.adverse_funding_fraction > bps_to_fraction(p.max_adverse_funding_bps)) {
    s.reason = XarbExitReason::kFundingAgainst;
  }
  s.exit = s.reason != XarbExitReason::kNone;
  return s;
}

}  // namespace bparb
