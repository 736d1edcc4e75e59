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
    run_metrics_.metrics().funding_rate(p->index, f.rate);
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
  if (alerter_ && alerter_->wants(alerts::AlertEvent::kReconciliationMismatch))
    reconciler.on_mismatch([this](std::string_view what) {
      alerter_->notify(alerts::AlertEvent::kReconciliationMismatch, alerts::Severity::kWarning, std::string(what));
    });
}

void NodeEvents::set_lighter(runtime::LighterVenue* lighter) {
  lighter_ = lighter;
  run_metrics_.set_lighter(lighter);
  if (lighter_ == nullptr) return;
  lighter_->on_answered([this](oms::ClientId id, bool answered) {
    run_metrics_.lighter_metrics().order_answered(id, clock_.now_us(), answered);
  });
  lighter_->on_wire([this](oms::ClientId id) { run_metrics_.lighter_metrics().order_on_wire(id, clock_.now_us()); });
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
    if (o.purpose == exec::OrderPurpose::kHedge) ++run_metrics_.counts().hedges;
  run_metrics_.lighter_metrics().orders_handed(orders, clock_.now_us());
  if (!lighter_->place_orders(orders)) return refuse_unjournaled(orders);
  run_metrics_.counts().orders_sent += orders.size();
  lines_.placing(orders);
}
void NodeEvents::cancel_order(InstrumentId instrument, oms::ClientId client_id) {
  if (lighter_ != nullptr && lighter_->owns(instrument)) {
    run_metrics_.tally().order_cancelled();
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
    for (std::size_t i = 0; i < ids.size(); ++i) run_metrics_.tally().order_cancelled();
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
  run_metrics_.tally().order_cancelled();
  if (!lighter_->replace_order(old_id, next)) {
    // Not journaled, so not sent: the old order is cancelled as asked, the new one answered.
    lighter_->cancel_order(instrument, old_id);
    return refuse_unjournaled(std::span<const OrderSpec>(&next, 1));
  }
  run_metrics_.counts().orders_sent += 1;
  lines_.placing(std::span<const OrderSpec>(&next, 1));
}
void NodeEvents::query_order(InstrumentId instrument, oms::ClientId client_id) {
  if (lighter_ != nullptr && lighter_->owns(instrument)) return lighter_->query_order(instrument, client_id);
  adapter_->query_order(instrument, client_id);
}

// ---- AdapterSink: what the venue reported

bool NodeEvents::before_send(std::span<const OrderSpec> orders) {
  for (const OrderSpec& o : orders)
    if (o.purpose == exec::OrderPurpose::kHedge) ++run_metrics_.counts().hedges;
  // Write-ahead: the intents are durable before a byte leaves, so a crash after the send always leaves
  // something to ask the exchange about. No journal, no order.
  if (!journal_intents(orders)) return false;
  run_metrics_.counts().orders_sent += orders.size();
  run_metrics_.metrics().orders_handed(orders, clock_.now_us());
  return true;
}
void NodeEvents::on_sent(std::span<const OrderSpec> legs) {
  run_metrics_.metrics().orders_on_wire(legs, clock_.now_us());
  lines_.placing(legs);
}
void NodeEvents::on_ack(const exec::OrderAck& a, std::string_view exchange_order_id) {
  const journal::OrderRecordState st = a.kind == exec::OrderAck::Kind::kAccepted ? record_state(a.status)
                                       : a.kind == exec::OrderAck::Kind::kRejected
                                           ? journal::OrderRecordState::kRejected
                                           : journal::OrderRecordState::kUnknown;
  run_metrics_.metrics().order_answered(a.client_id, clock_.now_us(), a.kind != exec::OrderAck::Kind::kUnknown);
  journal_.ack(a.client_id, exchange_order_id, st, a.executed_quantity);
  engine_->on_order_ack(a, clock_.now_us());
}
void NodeEvents::on_order_event(const exec::OrderUpdate& u, std::string_view exchange_order_id) {
  using K = exec::OrderUpdate::Kind;
  const journal::OrderRecordState st = u.kind == K::kAccepted    ? journal::OrderRecordState::kOpen
                                       : u.kind == K::kCancelled ? journal::OrderRecordState::kCancelled
                                                                 : journal::OrderRecordState::kExpired;
  if (u.kind == K::kCancelled) run_metrics_.tally().order_cancelled();
  journal_.ack(u.client_id, exchange_order_id, st, u.cumulative_quantity);
  engine_->on_order_update(u, clock_.now_us());
}
// The journal is the dedup of record: a fill it has seen (stream replay, the history query of an unknown
// outcome, the fills reconciliation) is not booked twice.
void NodeEvents::on_fill(const exec::FillReport& f) {
  runtime::ingest_fill(journal_, f, [this](const exec::FillReport& r) {
    run_metrics_.set_booking(&r);
    engine_->on_order_update(runtime::fill_update(r), clock_.now_us());
    run_metrics_.set_booking(nullptr);
  });
}
void NodeEvents::on_cancel_refused(const exec::CancelRefusal& refusal) {
  engine_->on_cancel_refused(refusal, clock_.now_us());
}
void NodeEvents::on_query(oms::ClientId client_id, bool found, OrderStatus status, Decimal executed) {
  journal_.query_answer(client_id, found, status, executed, VenueId::kBackpack);
  engine_->on_order_query(client_id, found, status, executed, clock_.now_us());
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
    if (observers_ != nullptr)
      observers_->on_event(exec::event::TradingStateChanged{c, exec::ReasonText::of("journal write failed")});
    svc_.status("Halted: journal write failed");
  });
}

}  // namespace bparb::app
