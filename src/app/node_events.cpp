#include "bparb/app/node_events.hpp"

#include <algorithm>
#include <array>
#include <boost/asio/post.hpp>
#include <exception>
#include <filesystem>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "bparb/core/money.hpp"
#include "bparb/runtime/ingest_fill.hpp"

namespace bparb::app {

using exec::OrderSpec;
using runtime::record_state;

NodeEvents::NodeEvents(boost::asio::io_context& io, std::shared_ptr<spdlog::logger> log, const Clock& clock,
                       RiskGate& risk, const runtime::LogLines& lines, runtime::JournalWriter& journal,
                       const runtime::Node& node, ServiceNotifier& svc)
    : io_(io),
      log_(std::move(log)),
      clock_(clock),
      risk_(risk),
      lines_(lines),
      journal_(journal),
      node_(node),
      svc_(svc) {}

void NodeEvents::open_trades_csv(const std::string& log_file) {
  const std::string parent = std::filesystem::path(log_file).parent_path().string();
  // (Not `dir = "."` on an empty string: GCC 12 at -O3 reports a false -Wrestrict for it here.)
  const std::string dir = parent.empty() ? std::string(".") : parent;
  trades_csv_.emplace(dir);
  log_->info("Fills are also written to {}/trades_<BASE>_<date>.csv", dir);
}

void NodeEvents::listen(backpack::BackpackVenue& venue, const std::vector<runtime::PairRef>& pairs) {
  // Once: the pair of every traded instrument, so a book update finds its pair by the instrument id the
  // feed hands back instead of comparing symbols per frame.
  backpack::MarketDataFeed& feed = *venue.feed;
  pair_by_instrument_.clear();
  book_by_instrument_.clear();
  for (const runtime::PairRef& p : pairs)
    for (std::size_t leg = 0; leg < p.instruments.size(); ++leg) {
      const InstrumentId id = p.instruments[leg];
      if (id == kNoInstrument) continue;
      if (pair_by_instrument_.size() <= id) {
        pair_by_instrument_.resize(static_cast<std::size_t>(id) + 1, nullptr);
        book_by_instrument_.resize(static_cast<std::size_t>(id) + 1, nullptr);
      }
      pair_by_instrument_[id] = &p;
      book_by_instrument_[id] = feed.book((leg == 0 ? p.spot : p.perp)->symbol);
    }
  feed.on_book_update([this](std::string_view, InstrumentId instrument) {
    if (const runtime::PairRef* p = pair_of(instrument)) {
      // Orders the engine places from inside this call were decided on this frame (tick -> order).
      const OrderBook* b = book_by_instrument_[instrument];
      tick_begin(b != nullptr && b->valid() ? b->last_update_us() : 0);
      engine_->on_book_update(p->index, clock_.now_us());
      tick_end();
    } else if (single_book_) {
      single_book_(instrument);
    }
  });
  feed.on_mark_price([this, &feed](std::string_view sym, InstrumentId instrument) {
    const runtime::PairRef* p = pair_of(instrument);
    const backpack::MarkInfo* m = feed.mark(sym);
    if (!p || !m || instrument != p->instruments[1]) return;  // the perp's mark only
    FundingInfo f;
    f.rate = m->funding_rate;
    f.interval_ms = p->perp->funding_interval_ms;
    f.next_funding_us = m->next_funding_ms * kUsPerMs;
    f.mark_price = m->mark_price;
    metrics_.funding_rate(p->index, f.rate);
    engine_->on_funding_info(p->index, f);
  });
  backpack::BackpackWs& ws = *venue.ws;
  ws.handlers().on_order_update = [this](const backpack::OrderUpdateEvent& e, TimestampUs) {
    adapter_->on_order_event(e);
  };
  ws.subscribe("account.orderUpdate");
  ws.add_connected_listener([this] { log_->info("WebSocket connected; subscriptions sent"); });
  ws.add_disconnected_listener([this](const net::DisconnectInfo& d) {
    if (node_.shutting_down()) return;
    log_->warn("WebSocket disconnected: books invalid until resynced; reconnecting");
    if (!alerter_) return;
    if (d.reason == net::DisconnectReason::kSilence && alerter_->wants(alerts::AlertEvent::kStaleFeed))
      alerter_->notify(alerts::AlertEvent::kStaleFeed, alerts::Severity::kWarning,
                       "market-data stream went silent: books invalid until resynced; reconnecting",
                       {{"reason", net::to_string(d.reason)}});
    alerter_->reconnect_seen(net::to_string(d.reason));
  });
}

void NodeEvents::set_reconciler(runtime::Reconciler& reconciler) {
  reconciler_ = &reconciler;
  if (alerter_ && alerter_->wants(alerts::AlertEvent::kReconciliationMismatch))
    reconciler.on_mismatch([this](std::string_view what) {
      alerter_->notify(alerts::AlertEvent::kReconciliationMismatch, alerts::Severity::kWarning, std::string(what));
    });
}

void NodeEvents::set_lighter(runtime::LighterVenue* lighter) {
  lighter_ = lighter;
  if (lighter_ == nullptr) return;
  lighter_->on_answered(
      [this](oms::ClientId id, bool answered) { lighter_metrics_.order_answered(id, clock_.now_us(), answered); });
  lighter_->on_wire([this](oms::ClientId id) { lighter_metrics_.order_on_wire(id, clock_.now_us()); });
}

const runtime::PairRef* NodeEvents::pair_of(InstrumentId instrument) const noexcept {
  return instrument < pair_by_instrument_.size() ? pair_by_instrument_[instrument] : nullptr;
}

// ---- CommandSink: I/O, through the adapter

// Per venue, by the instrument's: a batch is cut into runs of one venue, in order, so a cross-venue trade's
// legs each reach their own venue (no copy, no allocation).
void NodeEvents::place_orders(std::span<const OrderSpec> orders) {
  if (lighter_ == nullptr) return adapter_->place_orders(orders);
  std::size_t i = 0;
  while (i < orders.size()) {
    const bool on_lighter = lighter_->owns(orders[i].instrument);
    std::size_t j = i + 1;
    while (j < orders.size() && lighter_->owns(orders[j].instrument) == on_lighter) ++j;
    if (on_lighter)
      place_on_lighter(orders.subspan(i, j - i));
    else
      adapter_->place_orders(orders.subspan(i, j - i));
    i = j;
  }
}
void NodeEvents::place_on_lighter(std::span<const OrderSpec> orders) {
  for (const OrderSpec& o : orders)
    if (o.purpose == exec::OrderPurpose::kHedge) ++counts_.hedges;
  lighter_metrics_.orders_handed(orders, clock_.now_us());
  if (!lighter_->place_orders(orders)) return refuse_unjournaled(orders);
  counts_.orders_sent += orders.size();
  lines_.placing(orders);
}
void NodeEvents::cancel_order(InstrumentId instrument, oms::ClientId client_id) {
  if (lighter_ != nullptr && lighter_->owns(instrument)) {
    tally_.order_cancelled();
    return lighter_->cancel_order(instrument, client_id);
  }
  adapter_->cancel_order(instrument, client_id);
}
void NodeEvents::cancel_all(std::span<const exec::LiveOrder> live) {
  std::vector<InstrumentId> seen;
  for (const exec::LiveOrder& first : live) {
    if (std::find(seen.begin(), seen.end(), first.instrument) != seen.end()) continue;
    seen.push_back(first.instrument);
    std::vector<oms::ClientId> ids;
    for (const exec::LiveOrder& o : live)
      if (o.instrument == first.instrument) ids.push_back(o.client_id);
    for (std::size_t i = 0; i < ids.size(); ++i) tally_.order_cancelled();
    const std::string symbol = engine_->instruments().market(first.instrument).symbol;
    auto answered = [this, instrument = first.instrument, ids, symbol](const exec::VenueError* e) {
      if (e == nullptr)
        return log_->info("Cancel-all {}: taken by the venue ({} live order(s) of ours)", symbol, ids.size());
      log_->warn("Cancel-all {} failed ({} {}: {}): cancelling its {} order(s) one by one", symbol, e->request, e->code,
                 e->message, ids.size());
      for (const oms::ClientId id : ids) {
        if (lighter_ != nullptr && lighter_->owns(instrument))
          lighter_->cancel_order(instrument, id);
        else
          adapter_->cancel_order(instrument, id);
      }
    };
    if (lighter_ != nullptr && lighter_->owns(first.instrument))
      lighter_->cancel_all(symbol, std::move(answered));
    else
      adapter_->cancel_all(symbol, std::move(answered));
  }
}

void NodeEvents::replace_order(InstrumentId instrument, oms::ClientId old_id, const OrderSpec& next) {
  if (lighter_ == nullptr || !lighter_->owns(instrument))
    return exec::CommandSink::replace_order(instrument, old_id, next);
  tally_.order_cancelled();
  if (!lighter_->replace_order(old_id, next)) {
    // Not journaled, so not sent: the old order is cancelled as asked, the new one answered.
    lighter_->cancel_order(instrument, old_id);
    return refuse_unjournaled(std::span<const OrderSpec>(&next, 1));
  }
  counts_.orders_sent += 1;
  lines_.placing(std::span<const OrderSpec>(&next, 1));
}
void NodeEvents::query_order(InstrumentId instrument, oms::ClientId client_id) {
  if (lighter_ != nullptr && lighter_->owns(instrument)) return lighter_->query_order(instrument, client_id);
  adapter_->query_order(instrument, client_id);
}

// ---- AdapterSink: what the venue reported

bool NodeEvents::before_send(std::span<const OrderSpec> orders) {
  for (const OrderSpec& o : orders)
    if (o.purpose == exec::OrderPurpose::kHedge) ++counts_.hedges;
  // Write-ahead: the intents are durable before a byte leaves, so a crash after the send always leaves
  // something to ask the exchange about. No journal, no order.
  if (!journal_intents(orders)) return false;
  counts_.orders_sent += orders.size();
  metrics_.orders_handed(orders, clock_.now_us());
  return true;
}
void NodeEvents::on_sent(std::span<const OrderSpec> legs) {
  metrics_.orders_on_wire(legs, clock_.now_us());
  lines_.placing(legs);
}
void NodeEvents::on_ack(const exec::OrderAck& a, std::string_view exchange_order_id) {
  const journal::OrderRecordState st = a.kind == exec::OrderAck::Kind::kAccepted ? record_state(a.status)
                                       : a.kind == exec::OrderAck::Kind::kRejected
                                           ? journal::OrderRecordState::kRejected
                                           : journal::OrderRecordState::kUnknown;
  metrics_.order_answered(a.client_id, clock_.now_us(), a.kind != exec::OrderAck::Kind::kUnknown);
  journal_.ack(a.client_id, exchange_order_id, st, a.executed_quantity);
  engine_->on_order_ack(a, clock_.now_us());
}
void NodeEvents::on_order_event(const exec::OrderUpdate& u, std::string_view exchange_order_id) {
  using K = exec::OrderUpdate::Kind;
  const journal::OrderRecordState st = u.kind == K::kAccepted    ? journal::OrderRecordState::kOpen
                                       : u.kind == K::kCancelled ? journal::OrderRecordState::kCancelled
                                                                 : journal::OrderRecordState::kExpired;
  if (u.kind == K::kCancelled) tally_.order_cancelled();
  journal_.ack(u.client_id, exchange_order_id, st, u.cumulative_quantity);
  engine_->on_order_update(u, clock_.now_us());
}
// The journal is the dedup of record: a fill it has seen (stream replay, the history query of an unknown
// outcome, the fills reconciliation) is not booked twice.
void NodeEvents::on_fill(const exec::FillReport& f) {
  runtime::ingest_fill(journal_, f, [this](const exec::FillReport& r) {
    booking_ = &r;
    engine_->on_order_update(runtime::fill_update(r), clock_.now_us());
    booking_ = nullptr;
  });
}
void NodeEvents::on_cancel_refused(const exec::CancelRefusal& refusal) {
  engine_->on_cancel_refused(refusal, clock_.now_us());
}
void NodeEvents::on_query(oms::ClientId client_id, bool found, OrderStatus status, Decimal executed) {
  journal_.query_answer(client_id, found, status, executed, VenueId::kBackpack);
  engine_->on_order_query(client_id, found, status, executed, clock_.now_us());
}

// ---- EngineObserver: observations

void NodeEvents::on_event(const exec::EngineEvent& e) {
  std::visit([this](const auto& ev) { observe(ev); }, e);
}

void NodeEvents::observe(const exec::event::Opportunity& e) {
  lines_.opportunity(pair_info(e.pair), e.quote);
}
void NodeEvents::observe(const exec::event::EntryRefused& e) {
  const exec::PairInfo& p = pair_info(e.pair);
  const std::string_view leg = exec::leg_name(e.leg);
  lines_.entry_refused(p, leg, e.decision);
  tally_.refusal(clock_.now_us(), p.name, leg, e.decision);
}
void NodeEvents::observe(const exec::event::PositionOpened& e) {
  const exec::PairInfo& p = pair_info(e.pair);
  journal_.position(p.name, e.position);
  lines_.position_opened(p, journal_.position_id(e.position.id), e.position, e.quote);
  if (pair_listener_) pair_listener_->on_pair_opened(p, e.position);
}
void NodeEvents::observe(const exec::event::ExitSignalled& e) {
  lines_.exit_signal(pair_info(e.pair), journal_.position_id(e.position.id), e.signal);
}
void NodeEvents::observe(const exec::event::PositionClosed& e) {
  const exec::PairInfo& p = pair_info(e.pair);
  journal_.position(p.name, e.position);
  journal_daily_pnl();
  lines_.position_closed(p, journal_.position_id(e.position.id), e.position, e.reason);
  if (pair_listener_) pair_listener_->on_pair_closed(p, e.position);
  // Funding of the interval this position was closed in may settle, or be polled, a little later: poll
  // now rather than at the next tick, so the record is complete as soon as the venue allows.
  if (reconciler_) reconciler_->poll_funding_soon();
}
void NodeEvents::observe(const exec::event::TradeAbandoned& e) {
  lines_.trade_abandoned(pair_info(e.pair), e.why.view());
}
void NodeEvents::observe(const exec::event::Fill& e) {
  const exec::PairInfo& p = pair_info(e.pair);
  const OrderSpec& o = e.order;
  const std::string_view fee_symbol = e.fee_symbol.view();
  ++counts_.fills;
  (lighter_ != nullptr && lighter_->owns(o.instrument) ? lighter_metrics_ : metrics_)
      .fill(o.market, e.maker, e.quantity, e.price);
  // Every path that books a fill (stream, fills reconciliation, an unknown outcome's query) ends here; the
  // stream's report carries the trade id and the venue's time, the others are shown without a trade id.
  const bool streamed = booking_ != nullptr && booking_->client_id == o.client_id;
  fills_.push(streamed && booking_->time_us > 0 ? booking_->time_us : clock_.now_us(), p.name, o.market->symbol, o.side,
              e.price, e.quantity, e.fee, fee_symbol, e.maker, streamed ? booking_->trade_id : -1, o.client_id);
  if (portfolio_) journal_.position(p.name, portfolio_->position(o.pair));
  lines_.fill(p, o, e.quantity, e.price, e.fee, fee_symbol, e.maker);
  write_trade_csv(p, o, e.quantity, e.price, e.fee, fee_symbol, e.maker);
  if (pair_listener_) pair_listener_->on_pair_fill(p, o, e.quantity, e.price, e.fee);
  if (alerter_ && alerter_->wants(alerts::AlertEvent::kFills))
    alert_fill_later(p, o, e.quantity, e.price, e.fee, fee_symbol, e.maker);
}
// trades_<BASE>_<date>.csv next to the log: the seed's users read their fills from it. A file error must
// not stop trading (the journal is the record of truth): it is logged once and the CSV is switched off.
void NodeEvents::write_trade_csv(const exec::PairInfo& p, const OrderSpec& o, Decimal qty, Decimal price, Decimal fee,
                                 std::string_view fee_symbol, bool maker) noexcept {
  if (!trades_csv_) return;
  try {
    const std::uint64_t position_id = portfolio_ ? portfolio_->position(o.pair).id : 0;
    trades_csv_->write({clock_.now_us(), p.name, position_id, exec::order_purpose_name(o.purpose), o.market->symbol,
                        side_name(o.side), qty, price, fee, fee_symbol, maker, o.client_id});
  } catch (const std::exception& e) {
    log_->error("Trades CSV disabled: {}", e.what());
    trades_csv_.reset();
  }
}
void NodeEvents::observe(const exec::event::SingleOrderFill& e) {
  const OrderSpec& o = e.order;
  ++counts_.fills;
  (lighter_ != nullptr && lighter_->owns(o.instrument) ? lighter_metrics_ : metrics_)
      .fill(o.market, e.maker, e.quantity, e.price);
  lines_.fill(o, e.quantity, e.price, e.fee, e.fee_symbol.view(), e.maker);
}
void NodeEvents::observe(const exec::event::SingleOrderRejected& e) {
  ++counts_.rejected;
  lines_.order_rejected(e.order, e.code.view(), e.message.view());
}
void NodeEvents::observe(const exec::event::LegRisk& e) {
  const exec::PairInfo& p = pair_info(e.pair);
  if (e.decision.action == exec::LegRiskAction::kFailed) ++counts_.leg_failures;
  lines_.leg_risk(p, e.decision);
  if (alerter_ && alerter_->wants(alerts::AlertEvent::kLegRisk)) alert_leg_risk_later(p, e.decision);
}
void NodeEvents::observe(const exec::event::OrderRejected& e) {
  const exec::PairInfo& p = pair_info(e.pair);
  ++counts_.rejected;
  lines_.order_rejected(p, e.order, e.code.view(), e.message.view());
  if (alerter_) alerter_->reject_seen(p.name, e.order.market->symbol, e.code.view(), e.message.view());
}
void NodeEvents::observe(const exec::event::TradingStateChanged& e) {
  const StateChange& c = e.change;
  const std::string_view why = e.why.view();
  if (!c.changed) return;
  lines_.trading_state(c, why);
  journal_.trading_state(c, why);
  if (alerter_ && alerter_->wants(alerts::AlertEvent::kTradingState)) {
    const alerts::Severity sev = c.to == TradingState::kHalted       ? alerts::Severity::kCritical
                                 : c.to == TradingState::kReduceOnly ? alerts::Severity::kWarning
                                                                     : alerts::Severity::kInfo;
    alerter_->notify(alerts::AlertEvent::kTradingState, sev,
                     fmt::format("trading state {} -> {}: {}", to_string(c.from), to_string(c.to), why),
                     {{"from", std::string(to_string(c.from))},
                      {"to", std::string(to_string(c.to))},
                      {"reason", std::string(to_string(c.reason))}});
  }
}
void NodeEvents::observe(const exec::event::Stats& e) {
  const StrategyStats& s = e.stats;
  const TradingState st = e.state;
  if (single_order_status_) {
    svc_.status(fmt::format("{}: {}", to_string(st), single_order_status_()));
    return;
  }
  lines_.stats(s, st);
  lines_.exposure(node_.max_unhedged_usd(), node_.longest_unhedged_us());
  svc_.status(
      fmt::format("{}: open {} closed {} net {} USD", to_string(st), s.open, s.closed, format_usd(s.realized_net)));
}
void NodeEvents::observe(const exec::event::Funding& e) {
  const exec::PairInfo& p = pair_info(e.pair);
  const FundingOutcome& o = e.outcome;
  lines_.funding(p, e.amount, o, journal_.position_id(o.position.id));
  if (o.target == FundingTarget::kOpenPosition || o.target == FundingTarget::kClosedPosition)
    journal_.position(p.name, o.position);  // a closed position's row is rewritten
  journal_daily_pnl();
}
void NodeEvents::observe(const exec::event::FillNotBooked& e) {
  lines_.fill_problem(pair_info(e.pair), e.order, e.problem, e.quantity, e.price, e.fee, e.fee_symbol.view());
}

// ---- Operator alerts on the order path: the call copies a few numbers into a handler posted to the loop (asio
// recycles the handler's memory); the text is built there, after the engine's call returned. PairInfo and
// MarketSpec outlive the loop (start-up made them); reasons and fee symbols are copied, they may be views.

namespace {
struct ShortText {
  std::array<char, 96> buf{};
  std::size_t len = 0;
  explicit ShortText(std::string_view s) noexcept : len(std::min(s.size(), buf.size())) {
    std::copy_n(s.data(), len, buf.data());
  }
  std::string_view view() const noexcept { return {buf.data(), len}; }
};
}  // namespace

void NodeEvents::alert_fill_later(const exec::PairInfo& p, const OrderSpec& o, Decimal qty, Decimal price, Decimal fee,
                                  std::string_view fee_symbol, bool maker) {
  boost::asio::post(io_, [this, pair = &p, market = o.market, side = o.side, purpose = o.purpose, qty, price, fee,
                          fee_sym = ShortText(fee_symbol), maker] {
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

void NodeEvents::alert_leg_risk_later(const exec::PairInfo& p, const exec::LegRiskDecision& d) {
  boost::asio::post(io_, [this, pair = &p, action = d.action, spot = d.leg == exec::LegIndex::kSpot, side = d.side,
                          qty = d.quantity, delta = d.net_delta, reason = ShortText(d.reason)] {
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

// False = the batch must not be sent (the intents could not be made durable).
bool NodeEvents::journal_intents(std::span<const OrderSpec> orders) {
  if (journal_.intents(orders)) return true;
  refuse_unjournaled(orders);
  return false;
}

void NodeEvents::refuse_unjournaled(std::span<const OrderSpec> orders) {
  std::vector<oms::ClientId> ids;
  for (const OrderSpec& o : orders) ids.push_back(o.client_id);
  // Answers are events: never call back into the engine from inside its own call.
  boost::asio::post(io_, [this, ids] {
    for (oms::ClientId id : ids) {
      exec::OrderAck a;
      a.client_id = id;
      a.kind = exec::OrderAck::Kind::kRejected;
      a.code = "JOURNAL";
      a.message = "journal write failed; order not sent";
      engine_->on_order_ack(a, clock_.now_us());
    }
    StateChange c = risk_.halt(StateReason::kInvariant);
    on_event(exec::event::TradingStateChanged{c, exec::ReasonText::of("journal write failed")});
    svc_.status("Halted: journal write failed");
  });
}

void NodeEvents::journal_daily_pnl() {
  if (!engine_ || !portfolio_) return;
  journal_.daily_pnl(portfolio_->stats().realized_net);
}

}  // namespace bparb::app
