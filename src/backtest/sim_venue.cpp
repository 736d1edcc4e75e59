#include "bparb/backtest/sim_venue.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>

#include "bparb/sim/backpack/errors.hpp"
#include "bparb/venue/backpack/messages.hpp"
#include "bparb/venue/backpack/rejects.hpp"

namespace bparb::backtest {

const char* validate(const VenueLatency& l) noexcept {
  for (const LatencyPart* p : {&l.entry, &l.response})
    for (DurationUs s : p->samples_us)
      if (s < 0) return "latency samples must be >= 0";
  for (const LatencyPart* p : {&l.entry, &l.response})
    if (p->fixed_us < 0) return "order latency must be >= 0";
  return nullptr;
}

SimVenue::SimVenue(const ManualClock& clock, SimVenueConfig config)
    : clock_(clock), cfg_(std::move(config)), rng_(cfg_.latency.seed) {
  sim::ExchangeConfig xc;
  xc.fees = {cfg_.fees.spot_maker_bps, cfg_.fees.spot_taker_bps, cfg_.fees.perp_maker_bps, cfg_.fees.perp_taker_bps};
  // markPrice/ticker events are for WS clients; funding settles in advance_to() without them.
  xc.mark_price_interval_us = 0;
  xc.ticker_interval_us = 0;
  xc.public_trades_kept = 16;
  // Nothing subscribes to the venue's depth stream: the strategy reads the recorded books themselves.
  xc.publish_depth = false;
  for (const MarketSpec* s : cfg_.markets) {
    sim::MarketSetup ms;
    ms.spec = *s;
    // No price band: bands refer to the last traded price, and in a replay only our own orders trade,
    // so a band anchored at a seed price would refuse real prices. Recorded data is the reference.
    ms.spec.max_multiplier = Decimal::zero();
    ms.spec.min_multiplier = Decimal::zero();
    ms.seed_price = s->tick_size;  // replaced by the replayed mids before anything trades
    xc.markets.push_back(ms);
    markets_.push_back(Market{s, nullptr, nullptr});
  }
  sim::AccountSetup me_setup;
  me_setup.api_key = "bparb-backtest";
  me_setup.balances.emplace_back(cfg_.quote_symbol, cfg_.quote_balance);
  xc.accounts.push_back(me_setup);
  sim::AccountSetup book_setup;
  book_setup.api_key = "bparb-backtest-book";
  book_setup.unlimited = true;
  xc.accounts.push_back(book_setup);
  sim::AccountSetup tape_setup;
  tape_setup.api_key = "bparb-backtest-tape";
  tape_setup.unlimited = true;
  xc.accounts.push_back(tape_setup);
  exchange_config_ = std::move(xc);
  restart();  // validates the markets now
  orders_.reserve(4096);
  scratch_.reserve(64);
}

SimVenue::~SimVenue() {
  if (exchange_) exchange_->remove_listener(this);
}

void SimVenue::restart() {
  if (exchange_) exchange_->remove_listener(this);
  exchange_ = std::make_unique<sim::Exchange>(clock_, exchange_config_);
  me_ = *exchange_->find_account("bparb-backtest");
  tape_ = *exchange_->find_account("bparb-backtest-tape");
  book_maker_ = *exchange_->find_account("bparb-backtest-book");
  exchange_->add_listener(this);
  for (Market& m : markets_)
    if (m.book != nullptr) m.mirror = make_mirror(*m.spec);
}

void SimVenue::attach_book(std::size_t i, const OrderBook& book) {
  Market& m = markets_.at(i);
  m.book = &book;
  m.mirror = make_mirror(*m.spec);
}

std::unique_ptr<sim::RecordedBookMirror> SimVenue::make_mirror(const MarketSpec& spec) {
  return std::make_unique<sim::RecordedBookMirror>(*exchange_, book_maker_, spec, counters_.mirror);
}

// ---- latency
DurationUs SimVenue::draw(const LatencyPart& p) noexcept {
  if (p.samples_us.empty()) return p.fixed_us;
  return p.samples_us[static_cast<std::size_t>(rng_() % p.samples_us.size())];
}

DurationUs SimVenue::max_latency() const noexcept {
  DurationUs m = 0;
  for (const LatencyPart* p : {&cfg_.latency.entry, &cfg_.latency.response}) {
    m = std::max(m, p->fixed_us);
    for (DurationUs s : p->samples_us) m = std::max(m, s);
  }
  return m + cfg_.taker_delay_us;
}

void SimVenue::push(Event&& e) {
  e.seq = next_seq_++;
  events_.push(std::move(e));
}

// ---- the kernel's commands (queued; they reach the venue after the entry latency)
void SimVenue::place_orders(std::span<const exec::OrderSpec> orders) {
  const TimestampUs at = clock_.now_us() + draw(cfg_.latency.entry);  // one request: the batch arrives together
  for (const exec::OrderSpec& o : orders) {
    Event e;
    const bool takes = o.type == OrderType::kMarket || o.tif != TimeInForce::kGtc;
    e.t = takes ? at + cfg_.taker_delay_us : at;
    e.type = EvType::kArrive;
    e.spec = o;
    push(std::move(e));
    ++counters_.orders_sent;
  }
}

void SimVenue::cancel_order(const MarketSpec& market, oms::ClientId client_id) {
  push_request(EvType::kCancelArrive, market, client_id);
}

void SimVenue::query_order(const MarketSpec& market, oms::ClientId client_id) {
  push_request(EvType::kQueryArrive, market, client_id);
}

void SimVenue::push_request(EvType type, const MarketSpec& market, oms::ClientId client_id) {
  Event e;
  e.t = clock_.now_us() + draw(cfg_.latency.entry);
  e.type = type;
  e.market = &market;
  e.client_id = client_id;
  push(std::move(e));
}

// ---- the venue side of a command
void SimVenue::arrive(const exec::OrderSpec& o) {
  sim::SimOrderRequest r;
  r.symbol = o.market->symbol;
  r.side = o.side;
  r.order_type = o.type;
  r.quantity = o.quantity;
  if (o.type == OrderType::kLimit) r.price = o.price;
  r.time_in_force = o.tif;
  r.post_only = o.post_only;
  if (o.reduce_only) r.reduce_only = true;
  if (o.client_id > backpack::kMaxBackpackClientId) {
    // The simulated venue is Backpack, whose clientId is 32-bit: refused unsent, as the live adapter does.
    Event ack;
    ack.t = clock_.now_us() + draw(cfg_.latency.response);
    ack.type = EvType::kAck;
    ack.ack.client_id = o.client_id;
    ack.ack.kind = exec::OrderAck::Kind::kRejected;
    ack.ack.reject = RejectClass::kOther;
    ack.code = "CLIENT_ID_RANGE";
    ack.message = "client id does not fit Backpack's 32-bit clientId; order not sent";
    push(std::move(ack));
    return;
  }
  r.client_id = static_cast<std::uint32_t>(o.client_id);  // checked above
  Market* m = market_of(o.market);
  if (m != nullptr) sync(*m);  // the venue shows the recorded book as of now
  scratch_.clear();
  in_arrival_ = true;
  auto res = exchange_->execute(me_, r);
  in_arrival_ = false;
  const TimestampUs back = clock_.now_us() + draw(cfg_.latency.response);
  Event ack;
  ack.t = back;
  ack.type = EvType::kAck;
  ack.ack.client_id = o.client_id;
  if (res) {
    ack.ack.kind = exec::OrderAck::Kind::kAccepted;
    ack.ack.status = res->status;
    ack.ack.executed_quantity = res->executed_quantity;
    if (res->is_open() && m != nullptr) {
      const std::int64_t ticks = o.price.to_units(o.market->tick_size);
      queue_.add(res->id, static_cast<std::size_t>(m - markets_.data()), o.side, ticks,
                 sim::book_level_lots(*m->book, o.side, ticks));
    }
  } else {
    ack.ack.kind = exec::OrderAck::Kind::kRejected;
    // The engine sees what Backpack would have answered.
    sim::ApiError e = sim::backpack_api_error(res.error(), exchange_->config());
    ack.ack.reject = backpack::classify_reject(e.code, e.message);
    ack.code = std::move(e.code);
    ack.message = std::move(e.message);
    orders_[o.client_id].status = OrderStatus::kExpired;
  }
  push(std::move(ack));
  for (Event& u : scratch_) {
    u.t = back;
    push(std::move(u));
  }
  scratch_.clear();
}

void SimVenue::cancel_arrive(const Event& e) {
  sim::OrderRef ref;
  // Only ids that fit were ever placed on the simulated venue (arrive()).
  if (e.client_id > backpack::kMaxBackpackClientId) return;
  ref.client_id = static_cast<std::uint32_t>(e.client_id);
  auto r = exchange_->cancel(me_, e.market->symbol, ref);
  if (!r) return;  // too late: the stream already told the engine
  Event a;
  a.t = clock_.now_us() + draw(cfg_.latency.response);
  a.type = EvType::kQueryAnswer;
  a.client_id = e.client_id;
  a.found = true;
  a.status = r->status;
  a.executed = r->executed_quantity;
  push(std::move(a));
}

void SimVenue::query_arrive(const Event& e) {
  Event a;
  a.t = clock_.now_us() + draw(cfg_.latency.response);
  a.type = EvType::kQueryAnswer;
  a.client_id = e.client_id;
  auto it = orders_.find(e.client_id);
  a.found = it != orders_.end();
  if (a.found) {
    a.status = it->second.status;
    a.executed = it->second.executed;
  }
  push(std::move(a));
}

bool SimVenue::deliver_next(VenueEventSink& sink) {
  Event e = events_.top();
  events_.pop();
  const TimestampUs now = clock_.now_us();
  switch (e.type) {
    case EvType::kArrive:
      arrive(e.spec);
      return false;
    case EvType::kCancelArrive:
      cancel_arrive(e);
      return false;
    case EvType::kQueryArrive:
      query_arrive(e);
      return false;
    case EvType::kAck:
      e.ack.code = e.code;
      e.ack.message = e.message;
      sink.on_order_ack(e.ack, now);
      return true;
    case EvType::kUpdate:
      sink.on_order_update(e.update, now);
      return true;
    case EvType::kQueryAnswer:
      sink.on_order_query(e.client_id, e.found, e.status, e.executed, now);
      return true;
  }
  return false;
}

// ---- the exchange's order stream for our account -> OrderUpdate, after the response latency
void SimVenue::on_order(const sim::OrderEvent& e) {
  if (e.account != me_ || e.order == nullptr || !e.order->client_id) return;
  const sim::SimOrder& o = *e.order;
  exec::OrderUpdate u;
  u.client_id = *o.client_id;
  u.cumulative_quantity = o.executed_quantity;
  switch (e.type) {
    case sim::OrderEventType::kAccepted:
      u.kind = exec::OrderUpdate::Kind::kAccepted;
      break;
    case sim::OrderEventType::kFill:
      u.kind = exec::OrderUpdate::Kind::kFill;
      u.trade_id = e.trade_id;
      u.fill_quantity = e.fill_quantity;
      u.fill_price = e.fill_price;
      u.fee = e.fee;
      u.fee_symbol = stable_symbol(o.symbol, e.fee_symbol);
      u.maker = e.is_maker;
      break;
    case sim::OrderEventType::kCancelled:
      u.kind = exec::OrderUpdate::Kind::kCancelled;
      break;
    case sim::OrderEventType::kExpired:
      u.kind = exec::OrderUpdate::Kind::kExpired;
      break;
    case sim::OrderEventType::kModified:
      return;  // reduce-only trim: the daemon ignores it too
  }
  OrderInfo& info = orders_[u.client_id];
  info.status = o.status;
  info.executed = o.executed_quantity;
  if (!o.is_open()) queue_.drop(o.id);
  Event ev;
  ev.type = EvType::kUpdate;
  ev.update = u;
  if (in_arrival_) {
    scratch_.push_back(std::move(ev));  // after the REST answer of the order being executed
  } else {
    ev.t = clock_.now_us() + draw(cfg_.latency.response);
    push(std::move(ev));
  }
}

// Our orders consuming background liquidity: keep the mirror's quantities true.
void SimVenue::on_trade(const sim::TradeEvent& t) {
  if (Market* m = market_of(t.symbol)) m->mirror->on_trade(t);
}

// The event's fee symbol points into the exchange; the engine keeps string_views, so hand it ours.
std::string_view SimVenue::stable_symbol(std::string_view market, std::string_view asset) const noexcept {
  for (const Market& m : markets_) {
    const MarketSpec& s = *m.spec;
    if (s.symbol != market) continue;
    if (asset == s.base_symbol) return s.base_symbol;
    if (asset == s.quote_symbol) return s.quote_symbol;
  }
  return markets_.front().spec->quote_symbol;
}

SimVenue::Market* SimVenue::market_of(const MarketSpec* spec) noexcept {
  for (Market& m : markets_)
    if (m.spec == spec && m.book != nullptr) return &m;
  return nullptr;
}

SimVenue::Market* SimVenue::market_of(std::string_view symbol) noexcept {
  for (Market& m : markets_)
    if (m.spec->symbol == symbol && m.book != nullptr) return &m;
  return nullptr;
}

// ---- the recorded market
void SimVenue::note_delta(std::size_t i, bool was_synced, SyncAction a, bool synced, const DepthDelta& d) {
  Market& m = markets_[i];
  m.mirror->note_delta(was_synced, a, synced, d);
  if (queue_.has_resting(i)) {
    queue_.trim(i, *m.book);
    sync(m);  // our order rests here: the venue follows every change (crossing fills it)
  }
}

void SimVenue::note_snapshot(std::size_t i) {
  Market& m = markets_[i];
  m.mirror->mark_full();
  if (queue_.has_resting(i)) {
    queue_.trim(i, *m.book);
    sync(m);
  }
}

void SimVenue::note_reset(std::size_t i) {
  Market& m = markets_[i];
  m.mirror->mark_full();
  if (queue_.has_resting(i)) sync(m);  // liquidity withdrawn until the next snapshot
}

// A recorded trade on a market where we rest: the queue ahead trades first, then us.
void SimVenue::on_recorded_trade(std::size_t i, const sim::RecordedTrade& tr) {
  if (!cfg_.queue_model || queue_.empty()) return;
  const MarketSpec& spec = *markets_[i].spec;
  if (!tr.price.is_multiple_of(spec.tick_size) || !tr.quantity.is_multiple_of(spec.step_size)) return;
  std::int64_t lots = tr.quantity.to_units(spec.step_size);
  QueueModel::Hits hits{};
  // The hits are taken first: fills change the queue model (order stream) while we fill.
  const std::size_t n = queue_.on_trade(i, tr.price.to_units(spec.tick_size), tr.buyer_is_maker, lots, hits);
  for (std::size_t k = 0; k < n && lots > 0; ++k) {
    const std::int64_t f = exchange_->fill_resting(hits[k], tape_, lots);
    if (f > 0) ++counters_.tape_fills;
    lots -= f;
  }
}

void SimVenue::set_mark_index(std::string_view symbol, Decimal mark, Decimal index) {
  exchange_->set_mark_index(symbol, mark, index);
}

void SimVenue::set_funding_rate(std::string_view symbol, Decimal rate, std::int64_t funding_time_ms) {
  exchange_->set_funding_rate(symbol, rate, funding_time_ms);
}

// ---- our account
void SimVenue::deposit(std::string_view asset, Decimal amount) {
  exchange_->deposit(me_, asset, amount);
}

Decimal SimVenue::available(std::string_view asset) const {
  return exchange_->available_balance(me_, asset);
}

sim::CollateralSummary SimVenue::collateral() const {
  return exchange_->collateral(me_);
}

Decimal SimVenue::position(std::string_view symbol) const {
  const std::vector<sim::PositionView> p = exchange_->positions(me_, symbol);
  return p.empty() ? Decimal::zero() : p.front().net_quantity;
}

std::vector<sim::FundingPayment> SimVenue::settle_funding(TimestampUs now) {
  exchange_->advance_to(now);
  sim::FundingHistoryQuery q;
  q.ascending = true;
  q.offset = funding_seen_;
  q.limit = 1000;
  auto page = exchange_->funding_history(me_, q);
  funding_seen_ += page.items.size();
  return std::move(page.items);
}

}  // namespace bparb::backtest
