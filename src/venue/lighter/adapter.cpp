#include "bparb/venue/lighter/adapter.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <charconv>
#include <string>

namespace bparb::lighter {

RejectClass reject_class(LighterError e) noexcept {
  switch (e) {
    case LighterError::kInvalidPublicKey:
      return RejectClass::kBadSignature;
    case LighterError::kTooManyPendingTxs:
    case LighterError::kTooManyRequests:
    case LighterError::kTooManySubscriptions:
    case LighterError::kTooManyAccounts:
    case LighterError::kTooManyConnections:
    case LighterError::kOtherRateLimit:
      return RejectClass::kRateLimited;
    case LighterError::kBelowMaintenanceMargin:
    case LighterError::kBelowInitialMargin:
    case LighterError::kNotEnoughMargin:
      return RejectClass::kInsufficientFunds;
    case LighterError::kInvalidPrice:
    case LighterError::kPriceTooFarFromMark:
      return RejectClass::kPriceOutOfBand;
    case LighterError::kReduceOnlyIncreasesPosition:
      return RejectClass::kReduceOnlyRefused;
    default:
      return RejectClass::kOther;
  }
}

RejectClass reject_class(OrderError e) noexcept {
  switch (e) {
    case OrderError::kPriceOffTick:
    case OrderError::kQuantityOffStep:
      return RejectClass::kOffTickOrStep;
    case OrderError::kPriceRange:
      return RejectClass::kPriceOutOfBand;
    case OrderError::kReduceOnlySpot:
      return RejectClass::kReduceOnlyRefused;
    case OrderError::kMarketIndex:
      return RejectClass::kMarketUnavailable;
    default:
      return RejectClass::kOther;
  }
}

namespace {

constexpr std::string_view kFeeSymbol = "USDC";  // Lighter's fees are paid in the quote collateral

// The kernel's view of a finished Lighter order: a plain cancel is ours (or the venue's on our behalf);
// every other "canceled-<reason>" is the venue ending the order (expiry, an IOC remainder, a post-only
// that would take, self-trade, ...), reported as expired.
bool venue_ended(const Order& o) noexcept {
  return o.status == OrderStatus::kCanceled && o.cancel_reason[0] != '\0';
}

bparb::OrderStatus kernel_status(const Order& o) noexcept {
  switch (o.status) {
    case OrderStatus::kFilled:
      return bparb::OrderStatus::kFilled;
    case OrderStatus::kCanceled:
      return venue_ended(o) ? bparb::OrderStatus::kExpired : bparb::OrderStatus::kCancelled;
    default:
      return o.filled_base_amount.is_positive() ? bparb::OrderStatus::kPartiallyFilled : bparb::OrderStatus::kNew;
  }
}

}  // namespace

LighterAdapter::LighterAdapter(boost::asio::io_context& io, const Clock& clock, const Signer& signer, LighterRest& rest,
                               LighterTxSender& sender, const InstrumentTable& instruments, LighterAdapterSink& sink)
    : io_(io), clock_(clock), signer_(signer), rest_(rest), sender_(sender), instruments_(instruments), sink_(sink) {
  sender_.on_answer([this](const TxAnswer& a) { on_answer(a); });
}

void LighterAdapter::add_market(InstrumentId instrument, const MarketDetails& market) {
  for (Market& m : markets_) {
    if (m.instrument == instrument) {
      m.details = market;
      return;
    }
  }
  markets_.push_back(Market{instrument, market});
}

const LighterAdapter::Market* LighterAdapter::market_of(InstrumentId id) const noexcept {
  for (const Market& m : markets_)
    if (m.instrument == id) return &m;
  return nullptr;
}

const LighterAdapter::Market* LighterAdapter::market_by_id(std::int64_t market_id) const noexcept {
  for (const Market& m : markets_)
    if (m.details.market_id == market_id) return &m;
  return nullptr;
}

LighterAdapter::Tracked* LighterAdapter::find(ClientId id) noexcept {
  for (Tracked& t : orders_)
    if (t.used && (t.client_id == id || t.next_id == id)) return &t;
  return nullptr;
}

LighterAdapter::Tracked* LighterAdapter::find_venue(std::int64_t client_order_index, std::int64_t market_id) noexcept {
  for (Tracked& t : orders_)
    if (t.used && t.venue_index == client_order_index && t.market_id == market_id) return &t;
  return nullptr;
}

const LighterAdapter::Market* LighterAdapter::market_by_symbol(std::string_view symbol) const noexcept {
  for (const Market& m : markets_) {
    if (m.details.symbol == symbol) return &m;
    if (instruments_.contains(m.instrument) && instruments_.market(m.instrument).symbol == symbol) return &m;
  }
  return nullptr;
}

LighterAdapter::Tracked* LighterAdapter::track(const exec::OrderSpec& o, std::int64_t market_id) {
  for (Tracked& t : orders_) {
    if (t.used) continue;
    t = Tracked{};
    t.used = true;
    t.client_id = o.client_id;
    t.venue_index = static_cast<std::int64_t>(o.client_id);
    t.instrument = o.instrument;
    t.market_id = market_id;
    t.side = o.side;
    t.post_only = o.post_only;
    t.reduce_only = o.reduce_only;
    t.price = o.price;
    t.base = o.quantity;
    return &t;
  }
  return nullptr;
}

std::size_t LighterAdapter::tracked_orders() const noexcept {
  std::size_t n = 0;
  for (const Tracked& t : orders_) n += t.used ? 1 : 0;
  return n;
}

void LighterAdapter::reject_later(ClientId id, RejectClass cls, std::string_view code, std::string_view message) {
  // Answers are events: never call back into the kernel from inside its own call. Static texts only, so
  // the capture stays small.
  boost::asio::post(io_, [this, id, cls, code, message] {
    exec::OrderAck a;
    a.client_id = id;
    a.kind = exec::OrderAck::Kind::kRejected;
    a.code = code;
    a.message = message;
    a.reject = cls;
    sink_.on_ack(a);
  });
}

void LighterAdapter::place_orders(std::span<const exec::OrderSpec> orders) {
  const TimestampUs now = clock_.now_us();
  for (const exec::OrderSpec& o : orders) {
    if (o.client_id == 0 || o.client_id > kMaxLighterClientId) {
      reject_later(o.client_id, RejectClass::kOther, "CLIENT_ID_RANGE",
                   "client id does not fit Lighter's client_order_index (1 .. 2^48 - 1); order not sent");
      continue;
    }
    if (o.tif == TimeInForce::kFok) {
      // Lighter has no fill-or-kill; an IOC could fill in part, which is not what was asked.
      reject_later(o.client_id, RejectClass::kOther, "FOK_UNSUPPORTED", "Lighter has no fill-or-kill; order not sent");
      continue;
    }
    const Market* m = market_of(o.instrument);
    if (m == nullptr) {
      reject_later(o.client_id, RejectClass::kMarketUnavailable, "NO_MARKET",
                   "instrument has no Lighter market registered; order not sent");
      continue;
    }
    NeutralOrder n;
    n.market_id = m->details.market_id;
    n.side = o.side;
    n.price = Amount::of(o.price);
    n.quantity = Amount::of(o.quantity);
    n.market = o.type == OrderType::kMarket;
    n.tif = o.post_only                                ? NeutralTif::kPostOnly
            : (n.market || o.tif == TimeInForce::kIoc) ? NeutralTif::kIoc
                                                       : NeutralTif::kGtc;
    n.reduce_only = o.reduce_only;
    n.client_id = o.client_id;
    const auto tx = to_create_order(n, m->details, now);
    if (!tx) {
      reject_later(o.client_id, reject_class(tx.error()), to_string(tx.error()), "refused before sending");
      continue;
    }
    if (find(o.client_id) != nullptr) {
      reject_later(o.client_id, RejectClass::kOther, "CLIENT_ID_IN_USE", "client id already in flight");
      continue;
    }
    Tracked* t = track(o, m->details.market_id);
    if (t == nullptr) {
      reject_later(o.client_id, RejectClass::kRateLimited, "TOO_MANY_ORDERS", "adapter order table full");
      continue;
    }
    if (const auto err = sender_.send(*tx, o.client_id)) {
      t->used = false;
      reject_later(o.client_id, *err == TxSendError::kFull ? RejectClass::kRateLimited : RejectClass::kOther,
                   to_string(*err), "transaction not queued");
    }
  }
}

void LighterAdapter::cancel_order(InstrumentId instrument, ClientId client_id) {
  if (client_id == 0 || client_id > kMaxLighterClientId) return;  // never placed
  const Market* m = market_of(instrument);
  if (m == nullptr) return;
  // After a replace the venue's order still carries the first client order index.
  const Tracked* t = find(client_id);
  const std::int64_t index = t != nullptr ? t->venue_index : static_cast<std::int64_t>(client_id);
  const auto tx = to_cancel_order(m->details.market_id, index);
  if (!tx) return;
  // The venue's refusal (or a lost answer) comes back as a cancel refusal; a cancel it takes shows on the
  // stream.
  if (const auto err = sender_.send(*tx, client_id)) {
    const RejectClass cls = *err == TxSendError::kFull ? RejectClass::kRateLimited : RejectClass::kOther;
    const std::string_view code = to_string(*err);
    boost::asio::post(
        io_, [this, client_id, cls, code] { cancel_refused(client_id, cls, false, code, "cancel not queued"); });
  }
}

void LighterAdapter::cancel_refused(ClientId id, RejectClass cls, bool ambiguous, std::string_view code,
                                    std::string_view message) {
  exec::CancelRefusal r;
  r.client_id = id;
  r.reject = cls;
  r.ambiguous = ambiguous;
  r.code = code;
  r.message = message;
  sink_.on_cancel_refused(r);
}

void LighterAdapter::replace_order(ClientId old_id, const exec::OrderSpec& next) {
  Tracked* t = find(old_id);
  const Market* m = market_of(next.instrument);
  const bool modifiable = t != nullptr && t->client_id == old_id && t->next_id == 0 && m != nullptr &&
                          t->instrument == next.instrument && t->side == next.side && t->post_only == next.post_only &&
                          next.type == OrderType::kLimit && next.tif == TimeInForce::kGtc &&
                          t->reduce_only == next.reduce_only && next.client_id != 0 &&
                          next.client_id <= kMaxLighterClientId && find(next.client_id) == nullptr;
  if (!modifiable) {
    // What a modify cannot say is said the general way.
    cancel_order(t != nullptr ? t->instrument : next.instrument, old_id);
    place_orders(std::span<const exec::OrderSpec>(&next, 1));
    return;
  }
  // The new price and size pass the same checks as a new order's (grid, minimums, ranges).
  NeutralOrder n;
  n.market_id = m->details.market_id;
  n.side = next.side;
  n.price = Amount::of(next.price);
  n.quantity = Amount::of(next.quantity);
  n.tif = next.post_only ? NeutralTif::kPostOnly : NeutralTif::kGtc;
  n.client_id = next.client_id;
  const auto created = to_create_order(n, m->details, clock_.now_us());
  if (!created) {
    // As a cancel and a refused new order would end: the old order is cancelled all the same.
    cancel_order(next.instrument, old_id);
    reject_later(next.client_id, reject_class(created.error()), to_string(created.error()), "refused before sending");
    return;
  }
  ModifyOrderTx tx;
  tx.market_index = created->market_index;
  tx.index = t->venue_index;
  tx.base_amount = created->base_amount;
  tx.price = created->price;
  if (const auto err = sender_.send(tx, next.client_id)) {
    const RejectClass cls = *err == TxSendError::kFull ? RejectClass::kRateLimited : RejectClass::kOther;
    const std::string_view code = to_string(*err);
    boost::asio::post(io_,
                      [this, old_id, cls, code] { cancel_refused(old_id, cls, false, code, "modify not queued"); });
    reject_later(next.client_id, cls, code, "modify not queued");
    return;
  }
  t->next_id = next.client_id;
  t->next_price = next.price;
  t->next_base = next.quantity;
  // A modify that changes neither cannot be told from the order before it: only the answer switches.
  t->next_same = next.price == t->price && next.quantity == t->base;
}

bool LighterAdapter::is_modified(const Tracked& t, const Order& o) const noexcept {
  return t.next_id != 0 && !t.next_same && o.price == t.next_price && o.initial_base_amount == t.next_base;
}

void LighterAdapter::switch_to_next(Tracked& t) {
  exec::OrderUpdate u;
  u.client_id = t.client_id;
  u.kind = exec::OrderUpdate::Kind::kCancelled;
  u.cumulative_quantity = t.filled_base;
  sink_.on_order_event(u, t.order_id_view());
  // The modified order is next's, counted from nothing (the venue reports its amounts from the modify on:
  // docs/lighter.md, "The adapter").
  t.client_id = t.next_id;
  t.next_id = 0;
  t.price = t.next_price;
  t.base = t.next_base;
  t.filled_base = Decimal{};
  t.filled_quote = Decimal{};
  t.accepted_reported = false;
  t.seen_open = false;
}

void LighterAdapter::on_answer(const TxAnswer& a) {
  switch (a.type) {
    case TxType::kCancelAllOrders:
      return answer_cancel_all(a);
    case TxType::kCancelOrder:
      // A taken cancel shows on the stream; a refused or unanswered one is the kernel's to hear.
      if (a.result.state == SubmitState::kRefused) {
        cancel_refused(a.tag, reject_class(a.result.error), false, to_string(a.result.error),
                       to_string(a.result.action));
      } else if (a.result.state == SubmitState::kUnknown) {
        cancel_refused(a.tag, RejectClass::kOther, true, "NO_ANSWER", "no answer from the venue; the cancel may apply");
      }
      return;
    case TxType::kModifyOrder:
      return answer_modify(a);
    case TxType::kCreateOrder:
      break;
  }
  const ClientId id = a.tag;
  exec::OrderAck ack;
  ack.client_id = id;
  switch (a.result.state) {
    case SubmitState::kSubmitted:
      ack.kind = exec::OrderAck::Kind::kAccepted;
      ack.status = bparb::OrderStatus::kNew;
      break;
    case SubmitState::kRefused: {
      ack.kind = exec::OrderAck::Kind::kRejected;
      ack.reject = reject_class(a.result.error);
      ack.code = to_string(a.result.error);
      ack.message = to_string(a.result.action);
      if (Tracked* t = find(id)) t->used = false;  // the venue did not take it
      break;
    }
    case SubmitState::kUnknown:
      ack.kind = exec::OrderAck::Kind::kUnknown;
      ack.message = "no answer from the venue; the order may or may not exist";
      break;
  }
  sink_.on_ack(ack);
}

void LighterAdapter::answer_modify(const TxAnswer& a) {
  const ClientId next_id = a.tag;
  Tracked* t = find(next_id);
  exec::OrderAck ack;
  ack.client_id = next_id;
  switch (a.result.state) {
    case SubmitState::kSubmitted:
      // Taken (the venue has run it): unless a frame showed it already, the old order ends here.
      if (t != nullptr && t->next_id == next_id) switch_to_next(*t);
      ack.kind = exec::OrderAck::Kind::kAccepted;
      ack.status = bparb::OrderStatus::kNew;
      break;
    case SubmitState::kRefused:
      ack.kind = exec::OrderAck::Kind::kRejected;
      ack.reject = reject_class(a.result.error);
      ack.code = to_string(a.result.error);
      ack.message = to_string(a.result.action);
      if (t != nullptr && t->next_id == next_id) {
        // The venue left the old order as it was (or it had already ended: 21709 order inactive).
        t->next_id = 0;
        cancel_refused(t->client_id, ack.reject, false, ack.code, ack.message);
      }
      break;
    case SubmitState::kUnknown:
      // Either both happened or neither: the stream or the kernel's queries of both ids settle it.
      ack.kind = exec::OrderAck::Kind::kUnknown;
      ack.message = "no answer from the venue; the modify may or may not have applied";
      if (t != nullptr && t->next_id == next_id) {
        cancel_refused(t->client_id, RejectClass::kOther, true, "NO_ANSWER", ack.message);
      }
      break;
  }
  sink_.on_ack(ack);
}

void LighterAdapter::cancel_all(std::string_view symbol, std::function<void(const exec::VenueError*)> done) {
  CancelAllOrdersTx tx;  // time in force 0, time 0: immediate
  std::int64_t market_id = -1;
  auto fail = [&](std::string code, std::string message) {
    boost::asio::post(io_, [done = std::move(done), code = std::move(code), message = std::move(message)] {
      const exec::VenueError e{"CancelAllOrders", code, message};
      done(&e);
    });
  };
  if (!symbol.empty()) {
    const Market* m = market_by_symbol(symbol);
    if (m == nullptr) return fail("NO_MARKET", "no Lighter market registered for " + std::string(symbol));
    // Attribute 5 names the one market; 255 would mean every market.
    if (m->details.market_id < 0 || m->details.market_id == 255 || m->details.market_id > INT16_MAX) {
      return fail("MARKET_INDEX", "market id does not fit a cancel-all's market attribute");
    }
    market_id = m->details.market_id;
    tx.attributes.cancel_all_market_index = static_cast<std::int16_t>(market_id);
  }
  const std::uint64_t tag = next_cancel_all_tag_++;
  if (const auto err = sender_.send(tx, tag)) return fail(to_string(*err), "cancel-all not queued");
  cancel_alls_.push_back(PendingCancelAll{tag, market_id, std::move(done)});
}

void LighterAdapter::answer_cancel_all(const TxAnswer& a) {
  for (auto it = cancel_alls_.begin(); it != cancel_alls_.end(); ++it) {
    if (it->tag != a.tag) continue;
    auto done = std::move(it->done);
    const std::int64_t market_id = it->market_id;
    cancel_alls_.erase(it);
    if (a.result.state == SubmitState::kSubmitted) return done(nullptr);
    exec::VenueError e;
    e.request = market_id < 0 ? "CancelAllOrders" : "CancelAllOrders market " + std::to_string(market_id);
    if (a.result.state == SubmitState::kRefused) {
      e.code = to_string(a.result.error);
      e.message = to_string(a.result.action);
    } else {
      e.code = "NO_ANSWER";
      e.message = "no answer from the venue; the orders may or may not be cancelled";
    }
    return done(&e);
  }
}

void LighterAdapter::on_account_frame(const WsFrame& frame) {
  for (const Order& o : frame.orders) apply_order(o, frame.trades);
}

void LighterAdapter::emit_fill(Tracked& t, const Market& m, Decimal price, Decimal qty, bool maker,
                               std::int64_t trade_id, TimestampUs venue_time_us, bool order_filled) {
  exec::FillReport f;
  f.client_id = t.client_id;
  f.trade_id = trade_id;
  f.exchange_order_id = t.order_id_view();
  f.instrument = t.instrument;
  f.symbol = instruments_.contains(t.instrument) ? std::string_view(instruments_.market(t.instrument).symbol)
                                                 : std::string_view(m.details.symbol);
  f.side = t.side;
  f.price = price;
  f.quantity = qty;
  // The venue's fees are percent of the notional; the trade frames carry no fee, so it is computed from
  // the market's rate (exact, rounded up to the quote's micro-unit like a venue charge).
  const Decimal pct = maker ? m.details.maker_fee_pct : m.details.taker_fee_pct;
  f.fee = price.mul(qty, Rounding::kUp).mul(pct, Rounding::kUp).div_int(100, Rounding::kUp);
  f.fee_symbol = kFeeSymbol;
  f.maker = maker;
  f.venue_time_us = venue_time_us;
  f.time_us = venue_time_us != 0 ? venue_time_us : clock_.now_us();
  f.cumulative_quantity = t.filled_base;
  f.order_filled = order_filled;
  sink_.on_fill(f);
}

void LighterAdapter::apply_order(const Order& o, std::span<const Trade> trades) {
  if (o.client_order_index <= 0) return;
  Tracked* t = find_venue(o.client_order_index, o.market_index);
  if (t == nullptr) return;
  const Market* m = market_by_id(o.market_index);
  if (m == nullptr) return;
  if (is_modified(*t, o)) switch_to_next(*t);  // the first sight of the modified order
  if (t->order_index != o.order_index) {
    t->order_index = o.order_index;
    const auto r = std::to_chars(t->order_id.data(), t->order_id.data() + t->order_id.size(), o.order_index);
    t->order_id_len = static_cast<std::size_t>(r.ptr - t->order_id.data());
  }
  const bool final = o.status == OrderStatus::kFilled || o.status == OrderStatus::kCanceled;
  const bool resting = o.status == OrderStatus::kOpen;
  if (!t->accepted_reported && resting) {
    t->accepted_reported = true;
    exec::OrderUpdate u;
    u.client_id = t->client_id;
    u.kind = exec::OrderUpdate::Kind::kAccepted;
    u.cumulative_quantity = o.filled_base_amount;
    sink_.on_order_event(u, t->order_id_view());
  }
  // Fills: the order's cumulative amounts are the truth; the frame's trades of this order (account_all)
  // give the per-trade price, size, id and maker side, and whatever they do not cover is one fill at the
  // average price of the difference.
  Decimal left = o.filled_base_amount - t->filled_base;
  Decimal quote_left = o.filled_quote_amount - t->filled_quote;
  const TimestampUs venue_us = o.updated_at_ms * kUsPerMs;
  if (left.is_positive()) {
    for (const Trade& tr : trades) {
      if (!left.is_positive()) break;
      const bool ours = o.is_ask ? tr.ask_id == o.order_index : tr.bid_id == o.order_index;
      if (!ours || tr.market_id != o.market_index || !tr.size.is_positive()) continue;
      const Decimal qty = tr.size < left ? tr.size : left;
      left = left - qty;
      quote_left = quote_left - tr.price.mul(qty, Rounding::kNearest);
      t->filled_base = t->filled_base + qty;
      const bool maker = tr.is_maker_ask == o.is_ask;
      emit_fill(*t, *m, tr.price, qty, maker, tr.trade_id, tr.timestamp_ms * kUsPerMs,
                o.status == OrderStatus::kFilled && !left.is_positive());
    }
    if (left.is_positive()) {
      const Decimal price = quote_left.is_positive() ? quote_left.div(left, Rounding::kNearest) : o.price;
      t->filled_base = t->filled_base + left;
      // Without a trade: a fill of an order seen resting (or post-only) made liquidity; one that filled
      // on arrival took it (inferred from the order's history, not from the venue).
      emit_fill(*t, *m, price, left, t->seen_open || t->post_only, -1, venue_us, o.status == OrderStatus::kFilled);
    }
  }
  t->filled_quote = o.filled_quote_amount;
  t->filled_base = o.filled_base_amount;
  if (resting) t->seen_open = true;
  if (!final) return;
  if (o.status == OrderStatus::kCanceled) {
    exec::OrderUpdate u;
    u.client_id = t->client_id;
    u.kind = venue_ended(o) ? exec::OrderUpdate::Kind::kExpired : exec::OrderUpdate::Kind::kCancelled;
    u.cumulative_quantity = o.filled_base_amount;
    sink_.on_order_event(u, t->order_id_view());
  }
  t->used = false;
}

void LighterAdapter::query_order(InstrumentId instrument, ClientId client_id) {
  const Market* m = market_of(instrument);
  if (client_id == 0 || client_id > kMaxLighterClientId || m == nullptr) {
    // Such an order was never sent: the venue cannot know it.
    boost::asio::post(io_,
                      [this, client_id] { sink_.on_query(client_id, false, bparb::OrderStatus::kNew, Decimal{}); });
    return;
  }
  AuthToken token;
  if (signer_.auth_token(clock_.now_us() / kUsPerSecond + 600, token)) return;  // the kernel re-queries
  const std::int64_t market_id = m->details.market_id;
  // After a replace the venue's order carries the first client order index.
  const Tracked* t = find(client_id);
  const std::int64_t index = t != nullptr ? t->venue_index : static_cast<std::int64_t>(client_id);
  rest_.active_orders(signer_.config().account_index, market_id, token.str(),
                      [this, market_id, client_id, index](RestResult<OrdersPage>& r) {
                        if (!r) return;
                        for (const Order& o : r->orders) {
                          if (o.client_order_index == index) return answer_query(client_id, &o);
                        }
                        query_inactive(market_id, client_id, index);
                      });
}

void LighterAdapter::query_inactive(std::int64_t market_id, ClientId client_id, std::int64_t index) {
  AuthToken token;
  if (signer_.auth_token(clock_.now_us() / kUsPerSecond + 600, token)) return;
  InactiveOrdersQuery q;
  q.account_index = signer_.config().account_index;
  q.market_id = market_id;
  q.limit = 100;
  rest_.inactive_orders(q, token.str(), [this, client_id, index](RestResult<OrdersPage>& r) {
    if (!r) return;
    for (const Order& o : r->orders) {
      if (o.client_order_index == index) return answer_query(client_id, &o);
    }
    answer_query(client_id, nullptr);
  });
}

void LighterAdapter::answer_query(ClientId client_id, const Order* o) {
  Tracked* t = find(client_id);
  if (o == nullptr) {
    // Neither resting nor among the recent finished orders: never placed (the transaction was lost).
    if (t != nullptr && t->next_id == client_id) {
      t->next_id = 0;  // the replace's modify never reached the order; the old one stands
    } else if (t != nullptr) {
      t->used = false;
    }
    sink_.on_query(client_id, false, bparb::OrderStatus::kNew, Decimal{});
    return;
  }
  if (t != nullptr && t->next_id != 0) {
    // A replace still unsettled: the order as found says whether its modify applied.
    const bool modified = is_modified(*t, *o);
    if (client_id == t->next_id && !modified) {
      t->next_id = 0;  // the venue's order is still the old one: the new id never became an order
      sink_.on_query(client_id, false, bparb::OrderStatus::kNew, Decimal{});
      return;
    }
    if (client_id != t->next_id && modified) {
      const Decimal old_filled = t->filled_base;
      apply_order(*o, {});  // ends the old order (cancelled) and reports the new one's part
      sink_.on_query(client_id, true, bparb::OrderStatus::kCancelled, old_filled);
      return;
    }
  }
  apply_order(*o, {});  // reports what the stream missed: acceptance, fills, the end
  sink_.on_query(client_id, true, kernel_status(*o), o->filled_base_amount);
}

}  // namespace bparb::lighter
