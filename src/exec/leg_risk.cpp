#include "bparb/exec/leg_risk.hpp"

namespace bparb::exec {

std::string_view leg_risk_action_name(LegRiskAction a) noexcept {
  switch (a) {
    case LegRiskAction::kWait:
      return "wait";
    case LegRiskAction::kNeutral:
      return "neutral";
    case LegRiskAction::kComplete:
      return "complete";
    case LegRiskAction::kUnwind:
      return "unwind";
    case LegRiskAction::kFailed:
      return "failed";
  }
  return "?";
}

LegRisk::LegRisk(LegTarget spot, LegTarget perp, TimestampUs started_us, DurationUs deadline_us,
                 int max_complete_attempts, Decimal initial_delta) noexcept
    : plan_{spot, perp},
      started_us_(started_us),
      deadline_us_(deadline_us),
      max_complete_attempts_(max_complete_attempts),
      initial_delta_(initial_delta) {}

void LegRisk::on_fill(LegIndex leg, Side order_side, Decimal quantity) noexcept {
  filled_[idx(leg)] += order_side == Side::kBid ? quantity : -quantity;
}

void LegRisk::on_hedge_sent(const LegRiskDecision& d) noexcept {
  if (d.action == LegRiskAction::kComplete) ++complete_attempts_;
  if (d.action == LegRiskAction::kUnwind) ++unwind_attempts_;
  on_order_sent(d.leg);
}

LegRiskDecision LegRisk::decide(TimestampUs now, bool past_live) noexcept {
  LegRiskDecision d;
  d.net_delta = net_delta();
  // Neutral means within one step of the coarser market: both legs can't be matched more finely.
  const Decimal tol = plan_[0].step_size > plan_[1].step_size ? plan_[0].step_size : plan_[1].step_size;
  if (d.net_delta.abs() <= tol) {
    d.action = any_live() ? LegRiskAction::kWait : LegRiskAction::kNeutral;
    d.reason = any_live() ? "orders live" : "delta within one step";
    return d;
  }
  if (any_live() && !past_live) {
    d.action = LegRiskAction::kWait;
    d.reason = "orders live or outcome unknown";
    return d;
  }
  if (now - started_us_ > deadline_us_) {
    d.action = LegRiskAction::kFailed;
    d.reason = "hedge deadline passed with exposure open";
    return d;
  }
  // Which leg lags? The one whose signed fill is further from its planned signed quantity in the
  // direction that would reduce the delta. With delta > 0 we are long: either the perp (planned sell)
  // under-filled, or the spot (planned buy) over-filled / the spot (planned sell) under-filled.
  const Decimal excess = d.net_delta;  // must be brought to zero
  // Candidate A: a leg whose planned direction reduces the delta -> complete it.
  for (LegIndex leg : {LegIndex::kPerp, LegIndex::kSpot}) {
    const LegTarget& p = plan_[idx(leg)];
    const bool reduces =
        (excess.is_positive() && p.side == Side::kAsk) || (excess.is_negative() && p.side == Side::kBid);
    if (!reduces || refused_[idx(leg)] || complete_attempts_ >= max_complete_attempts_) continue;
    Decimal q = excess.abs().round_to(p.step_size, Rounding::kNearest);
    if (q < p.min_quantity || q.is_zero()) continue;
    d.action = LegRiskAction::kComplete;
    d.leg = leg;
    d.side = p.side;
    d.quantity = q;
    d.reason = "complete lagging leg";
    return d;
  }
  // Candidate B: unwind on the leg whose planned direction increased the delta, within this window's bound.
  if (unwind_attempts_ >= kMaxUnwindsPerWindow) {
    d.action = LegRiskAction::kWait;
    d.reason = "unwind attempts of this window used up; waiting for the hedge deadline";
    return d;
  }
  for (LegIndex leg : {LegIndex::kPerp, LegIndex::kSpot}) {
    const LegTarget& p = plan_[idx(leg)];
    const bool added = (excess.is_positive() && p.side == Side::kBid) || (excess.is_negative() && p.side == Side::kAsk);
    if (!added) continue;
    // Never unwind more than this leg actually holds from the trade.
    Decimal held = filled_[idx(leg)].abs();
    Decimal q = excess.abs() < held ? excess.abs() : held;
    q = q.round_to(p.step_size, Rounding::kNearest);
    if (q < p.min_quantity || q.is_zero()) continue;
    d.action = LegRiskAction::kUnwind;
    d.leg = leg;
    d.side = opposite(p.side);
    d.quantity = q;
    d.reason = "unwind leading leg";
    return d;
  }
  d.action = LegRiskAction::kFailed;
  d.reason = "exposure cannot be traded (below market minimum or no leg can reduce it)";
  return d;
}

}  // namespace bparb::exec
