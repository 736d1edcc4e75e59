#include "bparb/runtime/engine_observers.hpp"

#include <variant>

namespace bparb::runtime {

namespace ev = exec::event;

void JournalObserver::on_event(const exec::EngineEvent& e) {
  if (const auto* f = std::get_if<ev::Fill>(&e)) {
    if (portfolio_) journal_.position(engine_->pair(f->pair).name, portfolio_->position(f->order.pair));
  } else if (const auto* o = std::get_if<ev::PositionOpened>(&e)) {
    journal_.position(engine_->pair(o->pair).name, o->position);
  } else if (const auto* c = std::get_if<ev::PositionClosed>(&e)) {
    journal_.position(engine_->pair(c->pair).name, c->position);
    daily_pnl();
    // Funding of the interval this position was closed in may settle, or be polled, a little later: poll
    // now rather than at the next tick.
    if (reconciler_) reconciler_->poll_funding_soon();
  } else if (const auto* fu = std::get_if<ev::Funding>(&e)) {
    const FundingOutcome& out = fu->outcome;
    if (out.target == FundingTarget::kOpenPosition || out.target == FundingTarget::kClosedPosition)
      journal_.position(engine_->pair(fu->pair).name, out.position);  // a closed position's row is rewritten
    daily_pnl();
  } else if (const auto* s = std::get_if<ev::TradingStateChanged>(&e)) {
    if (s->change.changed) journal_.trading_state(s->change, s->why.view());
  }
}

void JournalObserver::daily_pnl() {
  if (!engine_ || !portfolio_) return;
  journal_.daily_pnl(portfolio_->stats().realized_net);
}

namespace {

struct LineWriter {
  const LogLines& lines;
  const JournalWriter& journal;
  const Node& node;
  const exec::ArbEngine* engine;
  bool strategy_logs_stats;

  const exec::PairInfo& pair(PairIndex p) const noexcept { return engine->pair(p); }

  void operator()(const ev::Opportunity& e) const { lines.opportunity(pair(e.pair), e.quote); }
  void operator()(const ev::EntryRefused& e) const {
    lines.entry_refused(pair(e.pair), exec::leg_name(e.leg), e.decision);
  }
  void operator()(const ev::PositionOpened& e) const {
    lines.position_opened(pair(e.pair), journal.position_id(e.position.id), e.position, e.quote);
  }
  void operator()(const ev::ExitSignalled& e) const {
    lines.exit_signal(pair(e.pair), journal.position_id(e.position.id), e.signal);
  }
  void operator()(const ev::PositionClosed& e) const {
    lines.position_closed(pair(e.pair), journal.position_id(e.position.id), e.position, e.reason);
  }
  void operator()(const ev::TradeAbandoned& e) const { lines.trade_abandoned(pair(e.pair), e.why.view()); }
  void operator()(const ev::Fill& e) const {
    lines.fill(pair(e.pair), e.order, e.quantity, e.price, e.fee, e.fee_symbol.view(), e.maker);
  }
  void operator()(const ev::FillNotBooked& e) const {
    lines.fill_problem(pair(e.pair), e.order, e.problem, e.quantity, e.price, e.fee, e.fee_symbol.view());
  }
  void operator()(const ev::LegRisk& e) const { lines.leg_risk(pair(e.pair), e.decision); }
  void operator()(const ev::OrderRejected& e) const {
    lines.order_rejected(pair(e.pair), e.order, e.code.view(), e.message.view());
  }
  void operator()(const ev::TradingStateChanged& e) const {
    if (e.change.changed) lines.trading_state(e.change, e.why.view());
  }
  void operator()(const ev::Stats& e) const {
    if (strategy_logs_stats) return;
    lines.stats(e.stats, e.state);
    lines.exposure(node.max_unhedged_usd(), node.longest_unhedged_us());
  }
  void operator()(const ev::Funding& e) const {
    lines.funding(pair(e.pair), e.amount, e.outcome, journal.position_id(e.outcome.position.id));
  }
  void operator()(const ev::SingleOrderFill& e) const {
    lines.fill(e.order, e.quantity, e.price, e.fee, e.fee_symbol.view(), e.maker);
  }
  void operator()(const ev::SingleOrderRejected& e) const {
    lines.order_rejected(e.order, e.code.view(), e.message.view());
  }
};

}  // namespace

void LogLineObserver::on_event(const exec::EngineEvent& e) {
  std::visit(LineWriter{lines_, journal_, node_, engine_, strategy_logs_stats_}, e);
}

}  // namespace bparb::runtime
