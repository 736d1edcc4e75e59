#include "bparb/service/engine_control.hpp"

#include <utility>

namespace bparb::service {

namespace {

ControlResult starting() {
  ControlResult r;
  r.status = 503;
  r.message = "still starting up (reconciling with the exchange): no engine yet; try again when /readyz is 200";
  return r;
}

}  // namespace

EngineControl::EngineControl(const RiskGate& risk, EngineControlHooks hooks) : risk_(risk), hooks_(std::move(hooks)) {}

void EngineControl::attach(exec::ArbEngine& engine) noexcept {
  engine_ = &engine;
  if (paused_) engine_->stop_opening();
}

std::uint32_t EngineControl::busy_pairs() const noexcept {
  std::uint32_t n = 0;
  if (engine_)
    for (PairIndex p = 0; p < engine_->pair_count(); ++p)
      if (engine_->phase(p) != exec::PairPhase::kFlat) ++n;
  return n;
}

std::string EngineControl::gate() const {
  std::string s = to_string(risk_.state());
  if (risk_.state() != TradingState::kActive) s += std::string(" (") + to_string(risk_.state_reason()) + ")";
  return s;
}

ControlResult EngineControl::pause() {
  ControlResult r;
  const bool was = paused_;
  paused_ = true;
  if (engine_) engine_->stop_opening();
  const std::uint32_t busy = busy_pairs();
  r.details.boolean("paused", true).boolean("was_paused", was).num("busy_pairs", busy).str("trading_state", gate());
  r.message = std::string(was ? "was already paused" : "paused") + ": no new positions; " +
              (engine_ ? std::to_string(busy) + " pair(s) with a position or trade in progress stay managed"
                       : std::string("holds from the end of start-up"));
  return r;
}

ControlResult EngineControl::resume() {
  ControlResult r;
  r.details.str("trading_state", gate());
  if (hooks_.shutting_down && hooks_.shutting_down()) {
    r.status = 409;
    r.details.boolean("paused", paused_);
    r.message = "the daemon is shutting down: it opens nothing any more";
    return r;
  }
  if (risk_.state() == TradingState::kHalted) {
    r.status = 409;
    r.details.boolean("paused", paused_);
    r.message = std::string("the risk gate is Halted (") + to_string(risk_.state_reason()) +
                "): it admits no order; opening stays paused (a restart with --resume clears the halt)";
    return r;
  }
  const bool was = paused_;
  paused_ = false;
  if (engine_) engine_->resume_opening();
  r.details.boolean("paused", false).boolean("was_paused", was);
  r.message = was ? "opening positions again" : "was not paused: opening positions";
  if (risk_.state() == TradingState::kReduceOnly)
    r.message += std::string("; but the risk gate is ReduceOnly (") + to_string(risk_.state_reason()) +
                 "): it refuses entries until it clears";
  return r;
}

ControlResult EngineControl::cancel_all() {
  if (!engine_) return starting();
  std::vector<exec::LiveOrder> live;
  engine_->live_orders(live);
  std::vector<std::string> orders;
  orders.reserve(live.size());
  for (const exec::LiveOrder& o : live)
    orders.push_back(engine_->instruments().market(o.instrument).symbol + " " + std::to_string(o.client_id));
  if (!live.empty()) hooks_.cancel_orders(live);
  ControlResult r;
  r.details.num("cancel_requested", live.size()).list("orders", orders).boolean("paused", paused_);
  r.message = live.empty() ? std::string("no live order")
                           : "cancel requested for " + std::to_string(live.size()) + " live order(s)";
  if (!paused_ && !live.empty()) r.message += "; opening is not paused, so the strategy may place new ones";
  return r;
}

ControlResult EngineControl::flatten() {
  if (!engine_) return starting();
  ControlResult r;
  if (risk_.state() == TradingState::kHalted) {
    r.status = 409;
    r.message = std::string("the risk gate is Halted (") + to_string(risk_.state_reason()) +
                "): it admits no order, exits included; nothing was closed";
    r.details.str("trading_state", gate());
    return r;
  }
  paused_ = true;
  engine_->stop_opening();
  std::vector<std::string> closing;
  std::vector<std::string> entering;
  for (PairIndex p = 0; p < engine_->pair_count(); ++p) {
    if (engine_->force_exit(p, ExitReason::kOperatorFlatten))
      closing.push_back(engine_->pair(p).name);
    else if (engine_->phase(p) == exec::PairPhase::kEntering)
      entering.push_back(engine_->pair(p).name);  // no fill yet: nothing to close (its leg risk settles it)
  }
  r.details.list("closing", closing).list("entering", entering).boolean("paused", true).str("trading_state", gate());
  std::string names;
  for (const std::string& n : closing) names += (names.empty() ? "" : ", ") + n;
  r.message = closing.empty() ? std::string("no open position")
                              : "closing " + names + " (exit reason " + to_string(ExitReason::kOperatorFlatten) + ")";
  r.message += "; opening paused";
  if (!entering.empty())
    r.message += "; " + std::to_string(entering.size()) +
                 " entry(ies) in flight without a fill: flatten again once "
                 "they settle";
  return r;
}

ControlResult EngineControl::reload() {
  const ReloadReport rep = hooks_.reload();
  ControlResult r;
  if (rep.status == ReloadReport::Status::kRejected) {
    r.status = 422;
    r.details.str("outcome", "rejected");
    r.message = "the file was refused; every running setting is kept: " + rep.error;
    return r;
  }
  const bool restart = !rep.restart_required.empty();
  r.details.str("outcome", restart ? "restart_required" : "applied")
      .list("changes", rep.changes)
      .list("restart_required", rep.restart_required);
  r.message = rep.changes.empty() ? std::string("applied: no threshold changed")
                                  : "applied " + std::to_string(rep.changes.size()) + " threshold change(s)";
  if (restart)
    r.message += "; " + std::to_string(rep.restart_required.size()) +
                 " changed setting(s) take effect only after a restart and keep their running value";
  return r;
}

}  // namespace bparb::service
