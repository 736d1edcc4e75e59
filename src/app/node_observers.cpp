#include "bparb/app/node_observers.hpp"

#include <algorithm>
#include <array>
#include <boost/asio/post.hpp>
#include <exception>
#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "bparb/core/money.hpp"

namespace bparb::app {

namespace ev = exec::event;

// ---- RunMetrics

void RunMetrics::on_event(const exec::EngineEvent& e) {
  if (const auto* f = std::get_if<ev::Fill>(&e)) {
    const exec::OrderSpec& o = f->order;
    ++counts_.fills;
    metrics_of(o.instrument).fill(o.market, f->maker, f->quantity, f->price);
    // Every path that books a fill (stream, fills reconciliation, an unknown outcome's query) ends here; the
    // stream's report carries the trade id and the venue's time, the others are shown without a trade id.
    const bool streamed = booking_ != nullptr && booking_->client_id == o.client_id;
    fills_.push(streamed && booking_->time_us > 0 ? booking_->time_us : clock_.now_us(), engine_->pair(f->pair).name,
                o.market->symbol, o.side, f->price, f->quantity, f->fee, f->fee_symbol.view(), f->maker,
                streamed ? booking_->trade_id : -1, o.client_id);
  } else if (const auto* s = std::get_if<ev::SingleOrderFill>(&e)) {
    ++counts_.fills;
    metrics_of(s->order.instrument).fill(s->order.market, s->maker, s->quantity, s->price);
  } else if (const auto* r = std::get_if<ev::EntryRefused>(&e)) {
    tally_.refusal(clock_.now_us(), engine_->pair(r->pair).name, exec::leg_name(r->leg), r->decision);
  } else if (std::holds_alternative<ev::OrderRejected>(e) || std::holds_alternative<ev::SingleOrderRejected>(e)) {
    ++counts_.rejected;
  } else if (const auto* l = std::get_if<ev::LegRisk>(&e)) {
    if (l->decision.action == exec::LegRiskAction::kFailed) ++counts_.leg_failures;
  }
}

// ---- StatusObserver

void StatusObserver::on_event(const exec::EngineEvent& e) {
  const auto* s = std::get_if<ev::Stats>(&e);
  if (s == nullptr) return;
  if (single_order_status_) {
    svc_.status(fmt::format("{}: {}", to_string(s->state), single_order_status_()));
    return;
  }
  svc_.status(fmt::format("{}: open {} closed {} net {} USD", to_string(s->state), s->stats.open, s->stats.closed,
                          format_usd(s->stats.realized_net)));
}

// ---- TradeRecords

void TradeRecords::open_trades_csv(const std::string& log_file) {
  const std::string parent = std::filesystem::path(log_file).parent_path().string();
  // (Not `dir = "."` on an empty string: GCC 12 at -O3 reports a false -Wrestrict for it here.)
  const std::string dir = parent.empty() ? std::string(".") : parent;
  trades_csv_.emplace(dir);
  log_->info("Fills are also written to {}/trades_<BASE>_<date>.csv", dir);
}

void TradeRecords::on_event(const exec::EngineEvent& e) {
  if (const auto* f = std::get_if<ev::Fill>(&e)) {
    const exec::PairInfo& p = engine_->pair(f->pair);
    write_trade_csv(p, *f);
    if (pair_listener_) pair_listener_->on_pair_fill(p, f->order, f->quantity, f->price, f->fee);
  } else if (const auto* o = std::get_if<ev::PositionOpened>(&e)) {
    if (pair_listener_) pair_listener_->on_pair_opened(engine_->pair(o->pair), o->position);
  } else if (const auto* c = std::get_if<ev::PositionClosed>(&e)) {
    if (pair_listener_) pair_listener_->on_pair_closed(engine_->pair(c->pair), c->position);
  }
}

// trades_<BASE>_<date>.csv next to the log: the seed's users read their fills from it. A file error must
// not stop trading (the journal is the record of truth): it is logged once and the CSV is switched off.
void TradeRecords::write_trade_csv(const exec::PairInfo& p, const ev::Fill& f) noexcept {
  if (!trades_csv_) return;
  const exec::OrderSpec& o = f.order;
  try {
    const std::uint64_t position_id = portfolio_ ? portfolio_->position(o.pair).id : 0;
    trades_csv_->write({clock_.now_us(), p.name, position_id, exec::order_purpose_name(o.purpose), o.market->symbol,
                        side_name(o.side), f.quantity, f.price, f.fee, f.fee_symbol.view(), f.maker, o.client_id});
  } catch (const std::exception& ex) {
    log_->error("Trades CSV disabled: {}", ex.what());
    trades_csv_.reset();
  }
}

// ---- AlertObserver

void AlertObserver::on_event(const exec::EngineEvent& e) {
  if (alerter_ == nullptr) return;
  if (const auto* f = std::get_if<ev::Fill>(&e)) {
    if (alerter_->wants(alerts::AlertEvent::kFills)) alert_fill_later(engine_->pair(f->pair), *f);
  } else if (const auto* l = std::get_if<ev::LegRisk>(&e)) {
    if (alerter_->wants(alerts::AlertEvent::kLegRisk)) alert_leg_risk_later(engine_->pair(l->pair), l->decision);
  } else if (const auto* r = std::get_if<ev::OrderRejected>(&e)) {
    alerter_->reject_seen(engine_->pair(r->pair).name, r->order.market->symbol, r->code.view(), r->message.view());
  } else if (const auto* s = std::get_if<ev::TradingStateChanged>(&e)) {
    const StateChange& c = s->change;
    if (!c.changed || !alerter_->wants(alerts::AlertEvent::kTradingState)) return;
    const alerts::Severity sev = c.to == TradingState::kHalted       ? alerts::Severity::kCritical
                                 : c.to == TradingState::kReduceOnly ? alerts::Severity::kWarning
                                                                     : alerts::Severity::kInfo;
    alerter_->notify(alerts::AlertEvent::kTradingState, sev,
                     fmt::format("trading state {} -> {}: {}", to_string(c.from), to_string(c.to), s->why.view()),
                     {{"from", std::string(to_string(c.from))},
                      {"to", std::string(to_string(c.to))},
                      {"reason", std::string(to_string(c.reason))}});
  }
}

// The call copies a few numbers into a handler posted to the loop (asio recycles the handler's memory); the
// text is built there. PairInfo and MarketSpec outlive the loop (start-up made them); the event's texts are
// copies already.
void AlertObserver::alert_fill_later(const exec::PairInfo& p, const ev::Fill& f) {
  boost::asio::post(io_, [this, pair = &p, market = f.order.market, side = f.order.side, purpose = f.order.purpose,
                          qty = f.quantity, price = f.price, fee = f.fee, fee_sym = f.fee_symbol, maker = f.maker] {
    alerter_->notify(
        alerts::AlertEvent::kFills, alerts::Severity::kInfo,
        fmt::format("{} {} {} {} @ {}", pair->name, market->symbol, side_name(side), qty.str(), price.str()),
        {{"pair", pair->name},
         {"symbol", market->symbol},
         {"side", std::string(side_name(side))},
         {"quantity", qty.str()},
         {"price", price.str()},
         {"fee", fee.str()},
         {"fee_symbol", std::string(fee_sym.view())},
         {"liquidity", maker ? "maker" : "taker"},
         {"purpose", std::string(exec::order_purpose_name(purpose))}});
  });
}

void AlertObserver::alert_leg_risk_later(const exec::PairInfo& p, const exec::LegRiskDecision& d) {
  boost::asio::post(io_, [this, pair = &p, action = d.action, spot = d.leg == exec::LegIndex::kSpot, side = d.side,
                          qty = d.quantity, delta = d.net_delta, reason = exec::ReasonText::of(d.reason)] {
    const bool failed = action == exec::LegRiskAction::kFailed;
    alerter_->notify(alerts::AlertEvent::kLegRisk, failed ? alerts::Severity::kCritical : alerts::Severity::kWarning,
                     failed ? fmt::format("LEG RISK {}: {}: no new positions until resolved", pair->name, reason.view())
                            : fmt::format("hedging {}: {}", pair->name, exec::leg_risk_action_name(action)),
                     {{"pair", pair->name},
                      {"action", std::string(exec::leg_risk_action_name(action))},
                      {"leg", spot ? pair->spot->symbol : pair->perp->symbol},
                      {"side", std::string(side_name(side))},
                      {"quantity", qty.str()},
                      {"net_delta", delta.str()},
                      {"reason", std::string(reason.view())}});
  });
}

}  // namespace bparb::app
