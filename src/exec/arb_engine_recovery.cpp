// Recovery entry points of ArbEngine (start-up only): rebuilding positions from the journal and the
// exchange, forced exits, the carried daily P&L. Kept apart from arb_engine.cpp so the trading path
// reads on its own.
#include "bparb/exec/arb_engine.hpp"

namespace bparb::exec {

bool ArbEngine::restore_position(PairIndex p, const RestoredState& r, TimestampUs now) noexcept {
  if (p >= pairs_.size()) return false;
  PairSlot& s = pairs_[p];
  if (s.phase != PairPhase::kFlat || trades_[p].active() || portfolio_.has_open(p)) return false;
  RestoredState at = r;
  if (at.opened_at_us <= 0) at.opened_at_us = now;
  if (!portfolio_.restore(p, at)) return false;
  // Until the books sync, mark the legs at their own average cost (unrealized 0): a missing mark would
  // value a leg at zero, and the daily P&L baseline taken then would look like a loss of the whole cost
  // once the real marks arrive.
  const PositionState& pos = portfolio_.position(p);
  if (!marks_[p].spot.is_positive()) marks_[p].spot = pos.spot.average_price();
  if (!marks_[p].perp.is_positive()) marks_[p].perp = pos.perp.average_price();
  s.phase = PairPhase::kOpen;
  return true;
}

bool ArbEngine::force_exit(PairIndex p, ExitReason why) noexcept {
  if (p >= pairs_.size() || !portfolio_.has_open(p) || why == ExitReason::kNone) return false;
  force_exit_[p] = why;
  if (pairs_[p].phase == PairPhase::kFlat) pairs_[p].phase = PairPhase::kOpen;
  return true;
}

void ArbEngine::restore_daily_pnl(TimestampUs day_start_us, Decimal carried) noexcept {
  carried_day_start_us_ = day_start_us;
  carried_daily_pnl_ = carried;
}

}  // namespace bparb::exec
