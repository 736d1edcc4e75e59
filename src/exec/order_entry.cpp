#include "bparb/exec/order_entry.hpp"

#include <limits>
#include <span>
#include <stdexcept>

#include "bparb/exec/arb_engine.hpp"

namespace bparb::exec {

using oms::OrderEvent;
using oms::OrderState;

namespace {

// The OMS owner tag of a single order: bit 52 marks it (two-leg trades use bits 0-51, two_leg_trade.hpp),
// bits 0-31 are the owner, bits 40-47 the purpose (as for trade orders).
constexpr oms::OwnerTag kSingleOrder = oms::OwnerTag{1} << 52;

oms::OwnerTag tag_of(OrderOwner owner, OrderPurpose purpose) noexcept {
  return kSingleOrder | static_cast<oms::OwnerTag>(owner) | (static_cast<oms::OwnerTag>(purpose) << 40);
}
OrderOwner owner_of_tag(oms::OwnerTag t) noexcept {
  return static_cast<OrderOwner>(t & 0xffff'ffffu);
}
OrderPurpose purpose_of_tag(oms::OwnerTag t) noexcept {
  return static_cast<OrderPurpose>((t >> 40) & 0xffu);
}

// A single order belongs to no pair: the journal and the log lines show no pair name for it.
constexpr PairIndex kNoPair = std::numeric_limits<PairIndex>::max();

// Positive and small enough that units * increment fits the Decimal (no overflow into a wrong price).
bool within_units(std::int64_t units, Decimal increment) noexcept {
  return units > 0 && increment.is_positive() && units <= std::numeric_limits<std::int64_t>::max() / increment.raw();
}

bool live(OrderState s) noexcept {
  return s == OrderState::kOpen || s == OrderState::kPartiallyFilled;
}

}  // namespace

std::string_view entry_refusal_name(EntryRefusal r) noexcept {
  switch (r) {
    case EntryRefusal::kNone:
      return "none";
    case EntryRefusal::kUnknownOwner:
      return "unknown_owner";
    case EntryRefusal::kUnknownInstrument:
      return "unknown_instrument";
    case EntryRefusal::kInvalidPrice:
      return "invalid_price";
    case EntryRefusal::kInvalidQuantity:
      return "invalid_quantity";
    case EntryRefusal::kInvalidFlags:
      return "invalid_flags";
    case EntryRefusal::kRisk:
      return "risk";
    case EntryRefusal::kOrderTableFull:
      return "order_table_full";
    case EntryRefusal::kUnknownOrder:
      return "unknown_order";
    case EntryRefusal::kNotCancellable:
      return "not_cancellable";
    case EntryRefusal::kNotLive:
      return "not_live";
  }
  return "?";
}

std::string_view single_order_event_name(SingleOrderEventKind k) noexcept {
  switch (k) {
    case SingleOrderEventKind::kAccepted:
      return "accepted";
    case SingleOrderEventKind::kRejected:
      return "rejected";
    case SingleOrderEventKind::kOutcomeUnknown:
      return "outcome_unknown";
    case SingleOrderEventKind::kFill:
      return "fill";
    case SingleOrderEventKind::kFilled:
      return "filled";
    case SingleOrderEventKind::kCancelled:
      return "cancelled";
    case SingleOrderEventKind::kExpired:
      return "expired";
    case SingleOrderEventKind::kSettled:
      return "settled";
    case SingleOrderEventKind::kCancelRefused:
      return "cancel_refused";
  }
  return "?";
}

OrderEntry::OrderEntry(const InstrumentTable& instruments, oms::OrderManager& oms, RiskGate& risk,
                       CommandSink& commands, EngineObserver& observer, AccountRiskSource& account) noexcept
    : instruments_(instruments), oms_(oms), risk_(risk), commands_(commands), observer_(observer), account_(account) {}

OrderOwner OrderEntry::add_owner(SingleOrderHandler& handler) {
  if (owner_count_ >= kMaxOwners) throw std::length_error("order entry: more than 16 single-order owners");
  owners_[owner_count_] = &handler;
  return static_cast<OrderOwner>(owner_count_++);
}

void OrderEntry::set_book(InstrumentId instrument, const OrderBook* book) {
  if (!instruments_.contains(instrument))
    throw std::invalid_argument("order entry: instrument " + std::to_string(instrument) +
                                " is not in the instrument table");
  if (books_.size() < instruments_.size()) books_.resize(instruments_.size(), nullptr);
  books_[instrument] = book;
}

bool OrderEntry::is_single_order(const oms::Order& o) noexcept {
  return (o.owner() & kSingleOrder) != 0;
}

SingleOrderHandler* OrderEntry::handler_of(const oms::Order& o) const noexcept {
  const OrderOwner owner = owner_of_tag(o.owner());
  return owner < owner_count_ ? owners_[owner] : nullptr;
}

oms::Order* OrderEntry::owned(OrderOwner owner, ClientId client_id) noexcept {
  oms::Order* o = oms_.find(client_id);
  if (!o || !is_single_order(*o) || owner_of_tag(o->owner()) != owner) return nullptr;
  return o;
}

OrderSpec OrderEntry::spec_of(const oms::Order& o) const noexcept {
  const oms::OrderRequest& r = o.request();
  OrderSpec s;
  s.client_id = o.client_id();
  s.pair = kNoPair;
  s.leg =
      instruments_.contains(r.instrument) && instruments_[r.instrument].is_perp() ? LegIndex::kPerp : LegIndex::kSpot;
  s.market = r.market;
  s.instrument = r.instrument;
  s.side = r.side;
  s.type = r.type;
  s.tif = r.tif;
  s.price = r.price;
  s.quantity = r.quantity;
  s.post_only = r.post_only;
  s.reduce_only = r.reduce_only;
  s.purpose = purpose_of_tag(r.owner);
  return s;
}

SubmitResult OrderEntry::check(OrderOwner owner, const SingleOrderRequest& req, TimestampUs now) noexcept {
  SubmitResult res;
  if (owner >= owner_count_) {
    res.refusal = EntryRefusal::kUnknownOwner;
    return res;
  }
  if (!instruments_.contains(req.instrument)) {
    res.refusal = EntryRefusal::kUnknownInstrument;
    return res;
  }
  const Instrument& in = instruments_[req.instrument];
  const MarketSpec& m = in.market;
  if ((req.post_only && req.ioc) || (req.reduce_only && !in.is_perp())) {
    res.refusal = EntryRefusal::kInvalidFlags;
    return res;
  }
  if (!within_units(req.price_ticks, m.tick_size) || !m.valid_price(m.ticks_to_price(req.price_ticks))) {
    res.refusal = EntryRefusal::kInvalidPrice;
    return res;
  }
  const Decimal price = m.ticks_to_price(req.price_ticks);
  if (!within_units(req.quantity_lots, m.step_size) || !m.valid_quantity(m.lots_to_quantity(req.quantity_lots))) {
    res.refusal = EntryRefusal::kInvalidQuantity;
    return res;
  }
  const Decimal qty = m.lots_to_quantity(req.quantity_lots);
  OrderCheck c;
  c.reduces_exposure = req.reduce_only;
  c.notional_usd = qty.mul(price, Rounding::kUp);
  c.position_notional_after_usd = c.notional_usd;
  if (in.is_perp()) {
    c.perp_spec = &m;
    c.perp_notional_after_usd = c.notional_usd;
  }
  c.venue_margin = account_.venue_margin(in.venue);
  const OrderBook* book = req.instrument < books_.size() ? books_[req.instrument] : nullptr;
  if (book) c.book = {book->valid(), book->last_update_us()};
  res.risk = risk_.check(c, account_.current_account_risk(now));
  if (!res.risk.allowed) res.refusal = EntryRefusal::kRisk;
  return res;
}

oms::Order* OrderEntry::track(OrderOwner owner, const SingleOrderRequest& req, TimestampUs now) noexcept {
  const MarketSpec& m = instruments_.market(req.instrument);
  oms::OrderRequest r;
  r.market = &m;
  r.instrument = req.instrument;
  r.side = req.side;
  r.type = OrderType::kLimit;
  r.tif = req.ioc ? TimeInForce::kIoc : TimeInForce::kGtc;
  r.price = m.ticks_to_price(req.price_ticks);
  r.quantity = m.lots_to_quantity(req.quantity_lots);
  r.post_only = req.post_only;
  r.reduce_only = req.reduce_only;
  r.owner = tag_of(owner, req.purpose);
  oms::Order* o = oms_.track(r, now);
  if (o) risk_.record_order();
  return o;
}

SubmitResult OrderEntry::send(OrderOwner owner, const SingleOrderRequest& req, TimestampUs now) noexcept {
  SubmitResult res;
  oms::Order* o = track(owner, req, now);
  if (!o) {
    res.refusal = EntryRefusal::kOrderTableFull;
    return res;
  }
  res.client_id = o->client_id();
  const OrderSpec spec = spec_of(*o);
  commands_.place_orders(std::span<const OrderSpec>(&spec, 1));
  return res;
}

SubmitResult OrderEntry::submit(OrderOwner owner, const SingleOrderRequest& request, TimestampUs now) noexcept {
  SubmitResult res = check(owner, request, now);
  if (!res.ok()) return res;
  return send(owner, request, now);
}

EntryRefusal OrderEntry::cancel(OrderOwner owner, ClientId client_id, TimestampUs now) noexcept {
  if (owner >= owner_count_) return EntryRefusal::kUnknownOwner;
  oms::Order* o = owned(owner, client_id);
  if (!o) return EntryRefusal::kUnknownOrder;
  // A cancel sent before the send's answer could leave the order waiting on a cancel forever if the venue
  // had refused it: the owner cancels once it is accepted (or its unknown outcome is settled).
  if (o->state() == OrderState::kPendingNew || o->state() == OrderState::kUnknown) return EntryRefusal::kNotCancellable;
  if (!live(o->state())) return EntryRefusal::kNotLive;
  oms_.apply(*o, OrderEvent::kCancelRequested, now);
  commands_.cancel_order(o->instrument(), o->client_id());
  return EntryRefusal::kNone;
}

SubmitResult OrderEntry::replace(OrderOwner owner, ClientId client_id, std::int64_t price_ticks,
                                 std::int64_t quantity_lots, TimestampUs now) noexcept {
  SubmitResult res;
  if (owner >= owner_count_) {
    res.refusal = EntryRefusal::kUnknownOwner;
    return res;
  }
  oms::Order* o = owned(owner, client_id);
  if (!o) {
    res.refusal = EntryRefusal::kUnknownOrder;
    return res;
  }
  if (o->state() == OrderState::kPendingNew || o->state() == OrderState::kUnknown) {
    res.refusal = EntryRefusal::kNotCancellable;
    return res;
  }
  if (!live(o->state())) {
    res.refusal = EntryRefusal::kNotLive;
    return res;
  }
  const oms::OrderRequest& old = o->request();
  SingleOrderRequest req;
  req.instrument = old.instrument;
  req.side = old.side;
  req.price_ticks = price_ticks;
  req.quantity_lots = quantity_lots;
  req.post_only = old.post_only;
  req.reduce_only = old.reduce_only;
  req.ioc = old.tif == TimeInForce::kIoc;
  req.purpose = OrderPurpose::kReprice;
  res = check(owner, req, now);
  if (!res.ok()) return res;
  // The new order is tracked under a new client id (docs/kernel.md, "Replace"): the old one is pending its
  // cancel until the venue says it ended, so the owner sees the old order's end and the new order's answers
  // as separate events, whether the venue modified the order in place or cancelled it and placed another.
  const ClientId old_id = o->client_id();
  const InstrumentId instrument = o->instrument();
  oms::Order* next = track(owner, req, now);
  if (!next) {
    res.refusal = EntryRefusal::kOrderTableFull;
    return res;
  }
  res.client_id = next->client_id();
  const OrderSpec spec = spec_of(*next);
  // `o` is live, so tracking the new order did not take its slot (the OMS never evicts a live order).
  oms_.apply(*o, OrderEvent::kCancelRequested, now);
  commands_.replace_order(instrument, old_id, spec);
  return res;
}

SingleOrderEvent OrderEntry::event_of(const oms::Order& o, SingleOrderEventKind kind) const noexcept {
  SingleOrderEvent e;
  e.kind = kind;
  e.client_id = o.client_id();
  e.instrument = o.instrument();
  e.side = o.request().side;
  e.state = o.state();
  e.quantity = o.request().quantity;
  e.filled = o.booked();
  return e;
}

void OrderEntry::emit(const oms::Order& o, const SingleOrderEvent& e) noexcept {
  if (SingleOrderHandler* h = handler_of(o)) h->on_single_order_event(e);
}

void OrderEntry::on_ack(oms::Order& o, OrderState before, const OrderAck& ack, TimestampUs /*now*/) noexcept {
  if (ack.kind != OrderAck::Kind::kRejected) return on_state(o, before);
  if (o.state() == before) return;  // a repeated answer
  observer_.on_event(
      event::SingleOrderRejected{spec_of(o), RejectCodeText::of(ack.code), RejectMessageText::of(ack.message)});
  SingleOrderEvent e = event_of(o, SingleOrderEventKind::kRejected);
  e.reject = ack.reject;
  e.code = ack.code;
  e.message = ack.message;
  emit(o, e);
}

void OrderEntry::on_fill(oms::Order& o, const OrderUpdate& u) noexcept {
  observer_.on_event(event::SingleOrderFill{spec_of(o), u.fill_quantity, u.fill_price, u.fee,
                                            FeeSymbolText::of(u.fee_symbol), u.maker});
  SingleOrderEvent e = event_of(o, SingleOrderEventKind::kFill);
  e.fill_quantity = u.fill_quantity;
  e.fill_price = u.fill_price;
  e.fee = u.fee;
  e.fee_symbol = u.fee_symbol;
  e.maker = u.maker;
  emit(o, e);
}

void OrderEntry::on_state(oms::Order& o, OrderState before) noexcept {
  const OrderState after = o.state();
  if (after == before) return;
  switch (after) {
    case OrderState::kPendingNew:
    case OrderState::kPendingCancel:
      return;
    case OrderState::kUnknown:
      return emit(o, event_of(o, SingleOrderEventKind::kOutcomeUnknown));
    case OrderState::kRejected: {
      // Only a query moves an order to rejected here (an ack's refusal goes through on_ack): the venue
      // does not know the order, so it was never placed.
      SingleOrderEvent e = event_of(o, SingleOrderEventKind::kRejected);
      e.message = "the venue does not know the order";
      return emit(o, e);
    }
    case OrderState::kOpen:
    case OrderState::kPartiallyFilled:
    case OrderState::kFilled:
    case OrderState::kCancelled:
    case OrderState::kExpired:
      break;
  }
  // The venue had the order: say so once, then what became of it.
  if (before == OrderState::kPendingNew || before == OrderState::kUnknown)
    emit(o, event_of(o, SingleOrderEventKind::kAccepted));
  if (after == OrderState::kFilled) emit(o, event_of(o, SingleOrderEventKind::kFilled));
  if (after == OrderState::kCancelled) emit(o, event_of(o, SingleOrderEventKind::kCancelled));
  if (after == OrderState::kExpired) emit(o, event_of(o, SingleOrderEventKind::kExpired));
}

void OrderEntry::on_cancel_refused(const oms::Order& o, const CancelRefusal& refusal) noexcept {
  SingleOrderEvent e = event_of(o, SingleOrderEventKind::kCancelRefused);
  e.reject = refusal.reject;
  e.code = refusal.code;
  e.message = refusal.message;
  emit(o, e);
}

void OrderEntry::on_settled(const oms::Order& o) noexcept {
  emit(o, event_of(o, SingleOrderEventKind::kSettled));
}

}  // namespace bparb::exec
