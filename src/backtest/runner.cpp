#include "bparb/backtest/runner.hpp"

#include <algorithm>
#include <cmath>
#include <deque>
#include <map>
#include <queue>
#include <random>
#include <stdexcept>
#include <unordered_map>

#include "bparb/backtest/coverage.hpp"
#include "bparb/book/depth_sync.hpp"
#include "bparb/book/order_book.hpp"
#include "bparb/portfolio/portfolio.hpp"
#include "bparb/sim/backpack/errors.hpp"
#include "bparb/sim/backpack/recording_lines.hpp"
#include "bparb/sim/exchange.hpp"
#include "bparb/sim/recorded_book_mirror.hpp"
#include "bparb/venue/backpack/parsers.hpp"
#include "bparb/venue/backpack/rejects.hpp"

namespace bparb::backtest {

namespace {

const char* exit_reason_text(ExitReason r) noexcept {
  switch (r) {
    case ExitReason::kConverged:
      return "convergence";
    case ExitReason::kTakeProfit:
      return "take_profit";
    case ExitReason::kMaxHoldingTime:
      return "max_holding";
    case ExitReason::kFundingAgainst:
      return "funding";
    case ExitReason::kRecoveryUnwind:     // the backtester never recovers or shuts down mid-run
    case ExitReason::kFlattenOnShutdown:  // (kept apart so a new reason is a compile error here)
    case ExitReason::kNone:
      break;
  }
  return "none";
}

const char* direction_text(BasisDirection d) noexcept {
  return d == BasisDirection::kPerpPremium ? "perp_premium" : "spot_premium";
}

BasisPercentiles percentiles(std::vector<double>& v) {
  BasisPercentiles p;
  p.samples = v.size();
  if (v.empty()) return p;
  std::sort(v.begin(), v.end());
  auto rank = [&](double q) {  // nearest rank
    std::size_t i = static_cast<std::size_t>(std::ceil(q * static_cast<double>(v.size())));
    return v[i == 0 ? 0 : i - 1];
  };
  p.p50 = rank(0.50);
  p.p75 = rank(0.75);
  p.p90 = rank(0.90);
  p.p99 = rank(0.99);
  p.min = v.front();
  p.max = v.back();
  return p;
}

}  // namespace

struct Runner::Impl final : exec::EngineSink, sim::ExchangeListener {
  // ---- set-up
  // One market: the engine's book (the recorded book, followed exactly as live) and the venue mirror of it.
  struct EngineBook {
    const MarketSpec* spec = nullptr;
    PairIndex pair = 0;
    bool spot = true;
    std::unique_ptr<OrderBook> book;
    std::unique_ptr<DepthSync> sync;
    // Venue mirror, synchronised lazily (see sync_venue); remade with the exchange.
    std::unique_ptr<sim::RecordedBookMirror> mirror;
    std::size_t validity_index = 0;  // in `validity`
  };
  struct PairState {
    std::string name;
    const MarketSpec* spot = nullptr;
    const MarketSpec* perp = nullptr;
    EngineBook* spot_book = nullptr;
    EngineBook* perp_book = nullptr;
    bool inventory_deposited = false;
    TimestampUs last_basis_sample_us = -1;
    std::vector<double> perp_premium, spot_premium;
    std::size_t open_trade = SIZE_MAX;  // index into result.trades
    double last_exit_basis_bps = 0;
    ExitReason last_exit_reason = ExitReason::kNone;
    std::uint64_t episodes_seen = 0;  // portfolio opportunity count when this pair last reported one
    bool refusal_counted = false;     // a refusal reason was counted for the current episode
    Decimal spot_mid, perp_mid;       // last mids given to the venue as mark/index
    bool marks_dirty = false;
    std::size_t funding_index = 0;  // in `funding_feeds`
  };
  // Our resting maker order as the queue model sees it.
  struct Resting {
    sim::OrderId order_id = 0;
    ClientId client_id = 0;
    EngineBook* market = nullptr;
    Side side = Side::kBid;
    std::int64_t ticks = 0;
    std::int64_t ahead_lots = 0;
  };
  struct OrderInfo {
    OrderStatus status = OrderStatus::kNew;
    Decimal executed;
    bool resting = false;
  };
  enum class EvType : std::uint8_t { kArrive, kCancelArrive, kQueryArrive, kAck, kUpdate, kQueryAnswer };
  struct Event {
    TimestampUs t = 0;
    std::uint64_t seq = 0;
    EvType type = EvType::kAck;
    exec::OrderSpec spec;  // kArrive
    const MarketSpec* market = nullptr;
    ClientId client_id = 0;
    exec::OrderAck ack;
    exec::OrderUpdate update;
    bool found = false;
    OrderStatus status = OrderStatus::kNew;
    Decimal executed;
    std::string code, message;  // rejected acks (ack.code/message point here once delivered)
  };
  struct Later {
    bool operator()(const Event& a, const Event& b) const noexcept { return a.t != b.t ? a.t > b.t : a.seq > b.seq; }
  };

  explicit Impl(RunnerConfig c) : cfg(std::move(c)), clock(0), rng(cfg.latency.seed) {
    if (cfg.pairs.empty()) throw std::invalid_argument("backtest: no pairs to trade");
    if (cfg.sample_interval_us == 0) throw std::invalid_argument("backtest: sample_interval must be > 0");
    if (cfg.timer_interval_us <= 0 || cfg.account_interval_us <= 0)
      throw std::invalid_argument("backtest: timer/account intervals must be > 0");
    for (DurationUs s : cfg.latency.samples_us)
      if (s < 0) throw std::invalid_argument("backtest: latency samples must be >= 0");
    if (cfg.latency.fixed_us < 0) throw std::invalid_argument("backtest: order latency must be >= 0");
    if (const char* e = validate(cfg.risk)) throw std::invalid_argument(std::string("backtest: risk: ") + e);

    sim::ExchangeConfig xc;
    xc.fees = {cfg.fees.spot_maker_bps, cfg.fees.spot_taker_bps, cfg.fees.perp_maker_bps, cfg.fees.perp_taker_bps};
    // markPrice/ticker events are for WS clients; funding settles in advance_to() without them.
    xc.mark_price_interval_us = 0;
    xc.ticker_interval_us = 0;
    xc.public_trades_kept = 16;
    for (const PairSetup& p : cfg.pairs) {
      if (p.spot.type != MarketType::kSpot || p.perp.type != MarketType::kPerp)
        throw std::invalid_argument("backtest: pair " + p.name + ": " + p.spot.symbol + " must be SPOT and " +
                                    p.perp.symbol + " PERP");
      for (const MarketSpec* s : {&p.spot, &p.perp}) {
        sim::MarketSetup ms;
        ms.spec = *s;
        // No price band: bands refer to the last traded price, and in a replay only our own orders trade,
        // so a band anchored at a seed price would refuse real prices. Recorded data is the reference.
        ms.spec.max_multiplier = Decimal::zero();
        ms.spec.min_multiplier = Decimal::zero();
        ms.seed_price = s->tick_size;  // replaced by the replayed mids before anything trades
        xc.markets.push_back(ms);
      }
    }
    sim::AccountSetup me_setup;
    me_setup.api_key = "bparb-backtest";
    me_setup.balances.emplace_back(cfg.pairs.front().spot.quote_symbol, cfg.quote_balance);
    xc.accounts.push_back(me_setup);
    sim::AccountSetup book_setup;
    book_setup.api_key = "bparb-backtest-book";
    book_setup.unlimited = true;
    xc.accounts.push_back(book_setup);
    sim::AccountSetup tape_setup;
    tape_setup.api_key = "bparb-backtest-tape";
    tape_setup.unlimited = true;
    xc.accounts.push_back(tape_setup);
    exchange_config = std::move(xc);
    make_exchange();  // validates the markets now; made again at the first line's time by run()

    risk = std::make_unique<RiskGate>(cfg.risk, clock);
    portfolio = std::make_unique<Portfolio>(cfg.pairs.size());
    engine = std::make_unique<exec::ArbEngine>(cfg.engine, *risk, *portfolio, *this);
    for (const PairSetup& p : cfg.pairs) {
      specs.push_back(p.spot);
      const MarketSpec* spot = &specs.back();
      specs.push_back(p.perp);
      const MarketSpec* perp = &specs.back();
      PairState ps;
      ps.name = p.name;
      ps.spot = spot;
      ps.perp = perp;
      const PairIndex idx = portfolio->add_pair(spot->step_size);
      books.push_back(make_book(spot, idx, true));
      books.push_back(make_book(perp, idx, false));
      ps.spot_book = books[books.size() - 2].get();
      ps.perp_book = books.back().get();
      ps.spot_book->validity_index = validity.add(spot->symbol);
      ps.perp_book->validity_index = validity.add(perp->symbol);
      ps.funding_index = funding_feeds.add(perp->symbol, perp->funding_interval_ms);
      ps.perp_premium.reserve(1 << 16);
      ps.spot_premium.reserve(1 << 16);
      pairs.push_back(std::move(ps));
      engine->add_pair(
          exec::PairInfo{p.name, spot, perp, pairs.back().spot_book->book.get(), pairs.back().perp_book->book.get()});
    }
    orders.reserve(4096);
    resting.reserve(64);
    scratch.reserve(64);
  }

  ~Impl() override {
    if (exchange) exchange->remove_listener(this);
  }

  // The exchange starts its funding grid and premium average at its clock's time, so it is (re)made at
  // the recording's first receive time: made at time 0 it would settle every interval since 1970.
  void make_exchange() {
    if (exchange) exchange->remove_listener(this);
    exchange = std::make_unique<sim::Exchange>(clock, exchange_config);
    me = *exchange->find_account("bparb-backtest");
    tape = *exchange->find_account("bparb-backtest-tape");
    book_maker = *exchange->find_account("bparb-backtest-book");
    exchange->add_listener(this);
    for (auto& b : books) b->mirror = make_mirror(*b->spec);
  }

  std::unique_ptr<EngineBook> make_book(const MarketSpec* spec, PairIndex pair, bool spot) {
    auto b = std::make_unique<EngineBook>();
    b->spec = spec;
    b->pair = pair;
    b->spot = spot;
    b->book = std::make_unique<OrderBook>(*spec, 1024);
    DepthSyncConfig sc;
    sc.snapshot_delay = 0;   // snapshots are recorded lines, never requested
    sc.max_buffered = 4096;  // deltas before the first rest_depth line
    sc.reserve_levels = 8;
    b->sync = std::make_unique<DepthSync>(*b->book, sc);
    b->mirror = make_mirror(*spec);
    return b;
  }
  std::unique_ptr<sim::RecordedBookMirror> make_mirror(const MarketSpec& spec) {
    return std::make_unique<sim::RecordedBookMirror>(*exchange, book_maker, spec, mirror_counters);
  }

  // ---- latency
  DurationUs latency() noexcept {
    const auto& s = cfg.latency.samples_us;
    if (s.empty()) return cfg.latency.fixed_us;
    return s[static_cast<std::size_t>(rng() % s.size())];
  }
  void push(Event&& e) {
    e.seq = next_seq++;
    events.push(std::move(e));
  }

  // ---- EngineSink: I/O (queued; delivered later as events)
  void place_orders(std::span<const exec::OrderSpec> specs_in) override {
    const TimestampUs at = clock.now_us() + latency();  // one request: the batch arrives together
    for (const exec::OrderSpec& o : specs_in) {
      Event e;
      e.t = at;
      e.type = EvType::kArrive;
      e.spec = o;
      push(std::move(e));
      ++stats.orders_sent;
    }
  }
  void cancel_order(const MarketSpec& market, ClientId client_id) override {
    push_request(EvType::kCancelArrive, market, client_id);
  }
  void query_order(const MarketSpec& market, ClientId client_id) override {
    push_request(EvType::kQueryArrive, market, client_id);
  }
  // A request about one of our orders, arriving at the venue after the latency.
  void push_request(EvType type, const MarketSpec& market, ClientId client_id) {
    Event e;
    e.t = clock.now_us() + latency();
    e.type = type;
    e.market = &market;
    e.client_id = client_id;
    push(std::move(e));
  }

  // ---- EngineSink: notifications -> result
  // The engine reports an opportunity at the start of each episode (spread excursion) and again every
  // opportunity_log_interval while it lasts; risk refusals come on every attempt. One refusal is counted
  // per episode: the first reason it was not taken.
  void on_opportunity(const exec::PairInfo& info, const BasisQuote& q) override {
    PairState& ps = pair_by_name(info.name);
    const std::uint64_t episodes = portfolio->stats().opportunities;
    if (episodes != ps.episodes_seen) {
      ps.episodes_seen = episodes;
      ps.refusal_counted = false;
    }
    if (!q.tradeable && !ps.refusal_counted) {
      count_refusal(to_string(q.refusal));
      ps.refusal_counted = true;
    }
  }
  void on_entry_refused(const exec::PairInfo& info, const BasisQuote&, std::string_view,
                        const RiskDecision& d) override {
    PairState& ps = pair_by_name(info.name);
    if (ps.refusal_counted) return;
    count_refusal(d.rule_name());
    ps.refusal_counted = true;
  }
  void on_position_opened(const exec::PairInfo& info, const PositionState& pos, const BasisQuote& q) override {
    PairState& ps = pair_by_name(info.name);
    ++result.opportunities_taken;
    TradeRecord t;
    t.id = pos.id;
    t.pair = ps.name;
    t.direction = direction_text(q.direction);
    t.opened_us = pos.opened_at_us;
    t.entry_basis_bps = pos.entry_basis.to_double() * 1e4;
    t.quantity = pos.spot.quantity().abs();
    ps.open_trade = result.trades.size();
    result.trades.push_back(std::move(t));
  }
  void on_exit_signal(const exec::PairInfo& info, const PositionState&, const ExitSignal& s) override {
    PairState& ps = pair_by_name(info.name);
    ps.last_exit_basis_bps = s.exit_basis.to_double() * 1e4;
    ps.last_exit_reason = s.reason;
  }
  void on_position_closed(const exec::PairInfo& info, const PositionState& pos, ExitReason r) override {
    PairState& ps = pair_by_name(info.name);
    if (ps.open_trade == SIZE_MAX) return;
    TradeRecord& t = result.trades[ps.open_trade];
    ps.open_trade = SIZE_MAX;
    t.closed_us = pos.closed_at_us;
    t.exit_basis_bps = ps.last_exit_basis_bps;
    t.spread_pnl = pos.realized_pnl;
    t.fees = pos.fees_usd;
    t.funding = pos.funding;
    t.net_pnl = pos.realized_net();
    t.exit_reason = exit_reason_text(r != ExitReason::kNone ? r : ps.last_exit_reason);
  }
  void on_fill(const exec::PairInfo&, const exec::OrderSpec& o, Decimal qty, Decimal price, Decimal fee,
               std::string_view, bool maker) override {
    ++stats.fills;
    stats.fill_log.push_back({clock.now_us(), o.market->symbol, o.side, qty, price, fee, maker});
    if (maker) ++stats.maker_fills;
    fill_happened = true;
  }
  void on_order_rejected(const exec::PairInfo&, const exec::OrderSpec&, std::string_view, std::string_view) override {
    ++stats.orders_rejected;
  }

  void count_refusal(std::string_view reason) {
    for (RefusalCount& r : result.refusals)
      if (r.reason == reason) return void(++r.count);
    result.refusals.push_back({std::string(reason), 1});
  }
  PairState& pair_by_name(std::string_view name) {
    for (PairState& p : pairs)
      if (p.name == name) return p;
    return pairs.front();  // unreachable: the engine only reports pairs we registered
  }

  // ---- ExchangeListener: our account's order stream
  void on_order(const sim::OrderEvent& e) override {
    if (e.account != me || e.order == nullptr || !e.order->client_id) return;
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
    OrderInfo& info = orders[u.client_id];
    info.status = o.status;
    info.executed = o.executed_quantity;
    info.resting = o.is_open();
    if (!o.is_open()) drop_resting(o.id);
    Event ev;
    ev.type = EvType::kUpdate;
    ev.update = u;
    if (in_arrival) {
      scratch.push_back(std::move(ev));  // after the REST answer of the order being executed
    } else {
      ev.t = clock.now_us() + latency();
      push(std::move(ev));
    }
  }

  // The event's fee symbol points into the exchange; the engine keeps string_views, so hand it ours.
  std::string_view stable_symbol(std::string_view market, std::string_view asset) const noexcept {
    for (const MarketSpec& s : specs) {
      if (s.symbol != market) continue;
      if (asset == s.base_symbol) return s.base_symbol;
      if (asset == s.quote_symbol) return s.quote_symbol;
    }
    return specs.front().quote_symbol;
  }

  void drop_resting(sim::OrderId id) noexcept {
    for (std::size_t i = 0; i < resting.size(); ++i) {
      if (resting[i].order_id != id) continue;
      resting[i] = resting.back();
      resting.pop_back();
      return;
    }
  }

  EngineBook* book_of(const MarketSpec* m) noexcept {
    for (auto& b : books)
      if (b->spec == m) return b.get();
    return nullptr;
  }
  EngineBook* book_of(std::string_view symbol) noexcept {
    for (auto& b : books)
      if (b->spec->symbol == symbol) return b.get();
    return nullptr;
  }

  // ---- venue side of an event
  void arrive(const exec::OrderSpec& o) {
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
      ack.t = clock.now_us() + latency();
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
    EngineBook* b = book_of(o.market);
    if (b != nullptr) sync_venue(*b);  // the venue shows the recorded book as of now
    scratch.clear();
    in_arrival = true;
    auto res = exchange->execute(me, r);
    in_arrival = false;
    const TimestampUs back = clock.now_us() + latency();
    Event ack;
    ack.t = back;
    ack.type = EvType::kAck;
    ack.ack.client_id = o.client_id;
    if (res) {
      ack.ack.kind = exec::OrderAck::Kind::kAccepted;
      ack.ack.status = res->status;
      ack.ack.executed_quantity = res->executed_quantity;
      if (res->is_open() && b != nullptr) {
        Resting rs;
        rs.order_id = res->id;
        rs.client_id = o.client_id;
        rs.market = b;
        rs.side = o.side;
        rs.ticks = o.price.to_units(o.market->tick_size);
        rs.ahead_lots = sim::book_level_lots(*b->book, o.side, rs.ticks);
        resting.push_back(rs);
      }
    } else {
      ack.ack.kind = exec::OrderAck::Kind::kRejected;
      // The engine sees what Backpack would have answered.
      sim::ApiError e = sim::backpack_api_error(res.error(), exchange->config());
      ack.ack.reject = backpack::classify_reject(e.code, e.message);
      ack.code = std::move(e.code);
      ack.message = std::move(e.message);
      OrderInfo& info = orders[o.client_id];
      info.status = OrderStatus::kExpired;
    }
    push(std::move(ack));
    for (Event& u : scratch) {
      u.t = back;
      push(std::move(u));
    }
    scratch.clear();
  }

  void cancel_arrive(const Event& e) {
    sim::OrderRef ref;
    // Only ids that fit were ever placed on the simulated venue (arrive()).
    if (e.client_id > backpack::kMaxBackpackClientId) return;
    ref.client_id = static_cast<std::uint32_t>(e.client_id);
    auto r = exchange->cancel(me, e.market->symbol, ref);
    if (!r) return;  // too late: the stream already told the engine
    Event a;
    a.t = clock.now_us() + latency();
    a.type = EvType::kQueryAnswer;
    a.client_id = e.client_id;
    a.found = true;
    a.status = r->status;
    a.executed = r->executed_quantity;
    push(std::move(a));
  }

  void query_arrive(const Event& e) {
    Event a;
    a.t = clock.now_us() + latency();
    a.type = EvType::kQueryAnswer;
    a.client_id = e.client_id;
    auto it = orders.find(e.client_id);
    a.found = it != orders.end();
    if (a.found) {
      a.status = it->second.status;
      a.executed = it->second.executed;
    }
    push(std::move(a));
  }

  void deliver(Event& e) {
    const TimestampUs now = clock.now_us();
    switch (e.type) {
      case EvType::kArrive:
        arrive(e.spec);
        return;
      case EvType::kCancelArrive:
        cancel_arrive(e);
        return;
      case EvType::kQueryArrive:
        query_arrive(e);
        return;
      case EvType::kAck:
        e.ack.code = e.code;
        e.ack.message = e.message;
        engine->on_order_ack(e.ack, now);
        break;
      case EvType::kUpdate:
        engine->on_order_update(e.update, now);
        break;
      case EvType::kQueryAnswer:
        engine->on_order_query(e.client_id, e.found, e.status, e.executed, now);
        break;
    }
    if (fill_happened) {
      fill_happened = false;
      equity_point(now);
    }
  }

  // ---- account and funding
  void send_account() {
    exec::AccountSnapshot snap;
    snap.view.fees = cfg.fees;
    const std::string& quote = specs.front().quote_symbol;
    snap.view.available_quote = exchange->available_balance(me, quote);
    const sim::CollateralSummary c = exchange->collateral(me);
    snap.net_equity = c.net_equity;
    snap.view.available_margin = c.net_equity_available;
    snap.initial_margin_used = c.net_equity_locked;
    for (std::size_t i = 0; i < pairs.size() && i < exec::AccountSnapshot::kMaxPairs; ++i)
      snap.available_base[i] = exchange->available_balance(me, pairs[i].spot->base_symbol);
    engine->on_account(snap, clock.now_us());
  }

  void collect_funding() {
    sim::FundingHistoryQuery q;
    q.ascending = true;
    q.offset = funding_seen;
    q.limit = 1000;
    const auto page = exchange->funding_history(me, q);
    for (const sim::FundingPayment& f : page.items) {
      ++funding_seen;
      ++stats.funding_payments;
      for (PairState& p : pairs) {
        if (p.perp->symbol != f.symbol) continue;
        engine->on_funding_payment(static_cast<PairIndex>(&p - pairs.data()), f.quantity, f.interval_end_ms * kUsPerMs);
        fill_happened = true;
      }
    }
  }

  TimestampUs next_funding_boundary(TimestampUs now) const noexcept {
    TimestampUs best = INT64_MAX;
    for (const PairState& p : pairs) {
      const std::int64_t iv = p.perp->funding_interval_ms * kUsPerMs;
      if (iv <= 0) continue;
      best = std::min(best, (now / iv + 1) * iv);
    }
    return best;
  }

  // ---- equity
  Decimal exit_mark(const EngineBook& b, Decimal qty) const noexcept {
    // Long -> sell at the bid, short -> buy at the ask; the other side or the mid if a side is empty.
    const OrderBook& ob = *b.book;
    const Side s = qty.is_positive() ? Side::kBid : Side::kAsk;
    if (const PriceLevel* t = ob.top(s)) return ob.ticks_to_price(t->price_ticks);
    if (const PriceLevel* t = ob.top(s == Side::kBid ? Side::kAsk : Side::kBid))
      return ob.ticks_to_price(t->price_ticks);
    return Decimal::zero();
  }
  Decimal pair_unrealized(const PairState& p) const noexcept {
    const PositionState& pos = portfolio->position(static_cast<PairIndex>(&p - pairs.data()));
    if (!pos.open) return Decimal::zero();
    return pos.spot.unrealized(exit_mark(*p.spot_book, pos.spot.quantity())) +
           pos.perp.unrealized(exit_mark(*p.perp_book, pos.perp.quantity()));
  }
  void equity_point(TimestampUs t) {
    const StrategyStats s = portfolio->stats();
    EquityPoint e;
    e.t = t;
    e.realized = s.realized_pnl;
    e.fees = s.fees;
    e.funding = s.funding;
    for (const PairState& p : pairs) e.unrealized += pair_unrealized(p);
    e.equity = e.realized + e.unrealized - e.fees + e.funding;
    if (!have_peak || e.equity > peak) {
      peak = e.equity;
      have_peak = true;
    }
    if (peak - e.equity > result.max_drawdown) result.max_drawdown = peak - e.equity;
    if (!result.equity.empty() && result.equity.back().t == t) {
      result.equity.back() = e;
    } else {
      result.equity.push_back(e);
    }
  }

  // ---- the clock: walk to `t`, delivering everything due on the way
  void advance_to(TimestampUs t) {
    for (;;) {
      TimestampUs next = events.empty() ? INT64_MAX : events.top().t;
      if (trading) next = std::min({next, next_timer, next_account, next_sample});
      next = std::min(next, next_funding);
      if (next > t) break;
      if (next > clock.now_us()) clock.set_us(next);
      const TimestampUs now = clock.now_us();
      if (next_funding <= now) {
        exchange->advance_to(now);
        note_settlements(now);
        collect_funding();
        next_funding = next_funding_boundary(now);
        continue;
      }
      if (!events.empty() && events.top().t <= now) {
        Event e = events.top();
        events.pop();
        deliver(e);
        continue;
      }
      if (next_account <= now) {
        send_account();
        next_account = now + cfg.account_interval_us;
        continue;
      }
      if (next_timer <= now) {
        engine->on_timer(now);
        next_timer = now + cfg.timer_interval_us;
        continue;
      }
      if (next_sample <= now) {
        equity_point(now);
        next_sample = now + static_cast<TimestampUs>(cfg.sample_interval_us);
      }
    }
    if (t > clock.now_us()) clock.set_us(t);
  }

  // ---- engine side of one line
  void book_changed(EngineBook& b, TimestampUs now) {
    if (b.book->crossed()) ++stats.crossed_books;
    PairState& p = pairs[b.pair];
    if (b.spot && !p.inventory_deposited && b.book->valid() && !b.book->empty(Side::kBid) &&
        !b.book->empty(Side::kAsk) && cfg.base_inventory_usd.is_positive()) {
      // Spot inventory for spot-premium trades (the daemon's paper account gets the same), bought at the
      // first mid; balances only gate orders, P&L comes from fills.
      const Decimal qty =
          cfg.base_inventory_usd.div(b.book->mid(), Rounding::kDown).round_to(b.spec->step_size, Rounding::kDown);
      if (qty.is_positive()) exchange->deposit(me, b.spec->base_symbol, qty);
      p.inventory_deposited = true;
      if (trading) send_account();
    }
    update_marks(p);
    if (!trading) return;
    basis_sample(p, now);
    engine->on_book_update(b.pair, now);
  }

  // The venue's mark/index follow the recorded mids (perp mark = perp mid, index = spot mid; spot mark =
  // index = spot mid) like bpsim's ReplayModel, so funding and margin work. Only on change: it is cheap
  // but runs per book update.
  void update_marks(PairState& p) {
    const OrderBook& s = *p.spot_book->book;
    const OrderBook& f = *p.perp_book->book;
    const bool s_ok = s.valid() && !s.empty(Side::kBid) && !s.empty(Side::kAsk);
    const bool f_ok = f.valid() && !f.empty(Side::kBid) && !f.empty(Side::kAsk);
    if (s_ok) {
      const Decimal sm = s.mid();
      if (sm != p.spot_mid) {
        p.spot_mid = sm;
        exchange->set_mark_index(p.spot->symbol, sm, sm);
        p.marks_dirty = true;
      }
    }
    if (f_ok) {
      const Decimal fm = f.mid();
      if (fm != p.perp_mid) {
        p.perp_mid = fm;
        p.marks_dirty = true;
      }
    }
    if (p.marks_dirty && p.perp_mid.is_positive() && p.spot_mid.is_positive()) {
      exchange->set_mark_index(p.perp->symbol, p.perp_mid, p.spot_mid);
      p.marks_dirty = false;
    }
  }

  // ---- venue mirror (lazy): the exchange's background liquidity = the recorded book, brought up to date
  // only when it matters (an order of ours arrives, or rests on that market). Levels the recording
  // changed since the last sync are re-set to their recorded quantity; levels it did not touch keep what
  // our own orders left of them, exactly as when every change is mirrored at once (bpsim ReplayModel).
  bool has_resting(const EngineBook& b) const noexcept {
    for (const Resting& r : resting)
      if (r.market == &b) return true;
    return false;
  }

  void sync_venue(EngineBook& b) { b.mirror->sync(*b.book); }

  // Our orders consuming background liquidity: keep the mirror's quantities true.
  void on_trade(const sim::TradeEvent& t) override {
    if (EngineBook* b = book_of(t.symbol)) b->mirror->on_trade(t);
  }

  void basis_sample(PairState& p, TimestampUs now) {
    const OrderBook& s = *p.spot_book->book;
    const OrderBook& f = *p.perp_book->book;
    if (!s.valid() || !f.valid()) return;
    const PriceLevel* sb = s.top(Side::kBid);
    const PriceLevel* sa = s.top(Side::kAsk);
    const PriceLevel* pb = f.top(Side::kBid);
    const PriceLevel* pa = f.top(Side::kAsk);
    if (!sb || !sa || !pb || !pa) return;
    const double spot_bid = s.ticks_to_price(sb->price_ticks).to_double();
    const double spot_ask = s.ticks_to_price(sa->price_ticks).to_double();
    const double perp_bid = f.ticks_to_price(pb->price_ticks).to_double();
    const double perp_ask = f.ticks_to_price(pa->price_ticks).to_double();
    const double pp = (perp_bid - spot_ask) / spot_ask * 1e4;
    const double sp = (spot_bid - perp_ask) / perp_ask * 1e4;
    p.perp_premium.push_back(pp);
    p.spot_premium.push_back(sp);
    const auto iv = static_cast<TimestampUs>(cfg.sample_interval_us);
    if (p.last_basis_sample_us < 0 || now / iv != p.last_basis_sample_us / iv) {
      p.last_basis_sample_us = now;
      pair_series[static_cast<std::size_t>(&p - pairs.data())].basis.push_back({now, pp, sp});
    }
  }

  void after_sync(EngineBook& b, bool was_synced, SyncAction a, TimestampUs now) {
    if (was_synced && !b.sync->synced()) ++result.resyncs;
    if (a == SyncAction::kBookUpdated || a == SyncAction::kBookInvalidated || (was_synced && !b.sync->synced()))
      book_changed(b, now);
  }

  // Recorded trade on a market where we rest: the queue ahead trades first, then us.
  void tape_trade(EngineBook& b, const backpack::TradeEvent& tr) {
    if (!cfg.queue_model || resting.empty()) return;
    if (!tr.price.is_multiple_of(b.spec->tick_size) || !tr.quantity.is_multiple_of(b.spec->step_size)) return;
    const std::int64_t px = tr.price.to_units(b.spec->tick_size);
    std::int64_t lots = tr.quantity.to_units(b.spec->step_size);
    // Snapshot the matching orders first: fills change `resting` (listener) while we iterate.
    std::size_t n = 0;
    Resting hit[8];
    for (Resting& r : resting) {
      if (r.market != &b || n == 8) continue;
      const bool through = r.side == Side::kBid ? px < r.ticks : px > r.ticks;
      // At our price only the aggressor on the other side trades with our queue: a bid at P is hit by a
      // seller (buyer is maker), an ask at P is lifted by a buyer.
      const bool at = px == r.ticks && (r.side == Side::kBid) == tr.buyer_is_maker;
      if (!through && !at) continue;
      if (at) {
        const std::int64_t c = std::min(r.ahead_lots, lots);
        r.ahead_lots -= c;
        lots -= c;
        if (lots <= 0) return;
      } else {
        r.ahead_lots = 0;
      }
      hit[n++] = r;
    }
    for (std::size_t i = 0; i < n && lots > 0; ++i) {
      const std::int64_t f = exchange->fill_resting(hit[i].order_id, tape, lots);
      if (f > 0) ++stats.tape_fills;
      lots -= f;
    }
  }

  // Cancels (or anything) that shrink the recorded level shorten the queue ahead of us.
  void trim_queues(EngineBook& b) {
    for (Resting& r : resting) {
      if (r.market != &b) continue;
      r.ahead_lots = std::min(r.ahead_lots, sim::book_level_lots(*b.book, r.side, r.ticks));
    }
  }

  void engine_ws(const record::FrameLine& l) {
    const TimestampUs now = clock.now_us();
    // bookTicker frames carry nothing the replay uses (the books come from depth): recognised by their
    // stream name and counted without being parsed. On Binance data they are 70 % of the lines and were a
    // fifth of the replay's instructions. A malformed bookTicker frame is therefore not counted in
    // malformed_frames any more.
    if (l.payload.starts_with(R"({"stream":"bookTicker.)")) return void(++stats.other_frames);
    if (!backpack::parse_ws_frame(parser, backpack::JsonInput(l.payload), frame).ok()) {
      ++result.malformed_frames;
      return;
    }
    switch (frame.type) {
      case backpack::WsFrameType::kDepth: {
        EngineBook* b = book_of(frame.depth.symbol);
        if (b == nullptr) return void(++stats.unknown_symbol);
        ++stats.depth_frames;
        validity.depth_frame(b->validity_index);
        const bool was = b->sync->synced();
        const SyncAction a = b->sync->on_delta(frame.depth, l.receive_time_us);
        b->mirror->note_delta(was, a, b->sync->synced(), frame.depth);
        if (has_resting(*b)) {
          trim_queues(*b);
          sync_venue(*b);  // our order rests here: the venue follows every change (crossing fills it)
        }
        after_sync(*b, was, a, now);
        return;
      }
      case backpack::WsFrameType::kMarkPrice: {
        EngineBook* b = book_of(frame.mark_price.symbol);
        if (b == nullptr) return void(++stats.unknown_symbol);
        if (!b->spot && frame.mark_price.has_funding) recorded_funding(*b, frame.mark_price);
        if (b->spot || !trading) return;
        FundingInfo f;
        f.rate = frame.mark_price.funding_rate;
        f.interval_ms = b->spec->funding_interval_ms;
        f.next_funding_us = frame.mark_price.next_funding_ms * kUsPerMs;
        f.mark_price = frame.mark_price.mark_price;
        engine->on_funding_info(b->pair, f);
        return;
      }
      case backpack::WsFrameType::kTrade: {
        ++stats.trades_seen;
        EngineBook* b = book_of(frame.trade.symbol);
        if (b == nullptr) return void(++stats.unknown_symbol);
        tape_trade(*b, frame.trade);
        return;
      }
      default:
        ++stats.other_frames;
        return;
    }
  }

  void engine_rest_depth(const record::FrameLine& l) {
    std::string_view sym;
    if (!lines.rest_depth_symbol(l.payload, sym)) {
      ++result.malformed_frames;
      return;
    }
    EngineBook* b = book_of(sym);
    if (b == nullptr) return void(++stats.unknown_symbol);
    if (!lines.rest_depth_snapshot(snapshot)) {
      ++result.malformed_frames;
      return;
    }
    ++stats.snapshots;
    validity.snapshot(b->validity_index);
    const bool was = b->sync->synced();
    const SyncAction a = b->sync->on_snapshot(snapshot, l.receive_time_us);
    b->mirror->mark_full();
    if (has_resting(*b)) {
      trim_queues(*b);
      sync_venue(*b);
    }
    after_sync(*b, was, a, clock.now_us());
  }

  void engine_event(const record::FrameLine& l) {
    sim::RecordingLineParser::Event ev;
    if (!lines.event(l.payload, ev)) {
      ++result.malformed_frames;
      return;
    }
    if (ev.type != "reconnect") return;  // gaps show in the depth ids themselves
    for (auto& b : books) {
      if (ev.symbol && b->spec->symbol != *ev.symbol) continue;
      const bool was = b->sync->synced();
      b->sync->reset();
      b->mirror->mark_full();
      if (has_resting(*b)) sync_venue(*b);  // liquidity withdrawn until the next snapshot
      if (was) {
        ++result.resyncs;
        book_changed(*b, clock.now_us());
      }
    }
  }

  void engine_line(const record::FrameLine& l) {
    switch (l.kind) {
      case record::FrameKind::kWs:
        engine_ws(l);
        return;
      case record::FrameKind::kRestDepth:
        engine_rest_depth(l);
        return;
      case record::FrameKind::kEvent:
        engine_event(l);
        return;
    }
  }

  // ---- coverage (coverage.hpp): book validity and the funding feed, outside the replay logic proper
  void note_validity(TimestampUs t) noexcept {
    for (const auto& b : books) validity.set(b->validity_index, b->sync->synced(), t);
  }
  // A recorded funding rate (markPrice frame) for the perp's settlement at its next-funding time: the
  // venue pays it instead of its modelled rate when that settlement comes.
  void recorded_funding(const EngineBook& b, const backpack::MarkPriceEvent& m) {
    if (!funding_feeds.recorded(pairs[b.pair].funding_index, m.next_funding_ms)) return;
    exchange->set_funding_rate(b.spec->symbol, m.funding_rate, m.next_funding_ms);
  }
  void note_settlements(TimestampUs now) noexcept {
    if (!trading) return;
    for (const PairState& p : pairs) {
      const std::int64_t iv = p.perp->funding_interval_ms * kUsPerMs;
      if (iv > 0 && now % iv == 0) funding_feeds.settled(p.funding_index, now / kUsPerMs);
    }
  }

  void start_trading(TimestampUs now) {
    validity.open_window(now);
    trading = true;
    result.from_us = now;
    next_timer = now + cfg.timer_interval_us;
    next_sample = now;
    next_account = now;
    send_account();
    next_account = now + cfg.account_interval_us;
  }

  BacktestResult run(record::FrameSource& source) {
    if (ran) throw std::logic_error("backtest::Runner::run called twice");
    ran = true;
    result.config_path = cfg.config_path;
    result.data_path = cfg.data_path;
    result.sample_interval_us = cfg.sample_interval_us;
    for (const PairState& p : pairs) pair_series.push_back({p.name, p.spot->symbol, p.perp->symbol, {}, {}, {}});

    bool first = true;
    TimestampUs last_t = 0;
    record::FrameLine line;
    while (source.next(line)) {
      if (cfg.to_us > 0 && line.receive_time_us > cfg.to_us) break;
      TimestampUs t = line.receive_time_us;
      if (first) {
        clock.set_us(t);
        make_exchange();
        next_funding = next_funding_boundary(t);
        first = false;
      }
      t = std::max(t, clock.now_us());  // a recording's out-of-order line never moves time back
      if (!trading && t >= cfg.from_us) start_trading(t);
      advance_to(t);
      engine_line(line);
      note_validity(t);
      ++result.events;
      last_t = t;
    }
    result.to_us = last_t;
    validity.close_window(last_t);
    if (trading) {
      // Let in-flight answers land, then mark to the books. No funding settles after the data ends: a
      // boundary just past the last line would pay for a position the recording cannot price.
      next_funding = INT64_MAX;
      advance_to(clock.now_us() + 10 * std::max<DurationUs>(cfg.latency.fixed_us, max_sample()));
      equity_point(clock.now_us());
    }
    finish();
    return std::move(result);
  }

  DurationUs max_sample() const noexcept {
    DurationUs m = 0;
    for (DurationUs s : cfg.latency.samples_us) m = std::max(m, s);
    return m;
  }

  void finish() {
    result.books = validity.result();
    result.funding_feeds = funding_feeds.result();
    stats.venue_refusals = mirror_counters.orders_refused;
    const StrategyStats s = portfolio->stats();
    Decimal unrealized;
    for (PairState& p : pairs) {
      const Decimal u = pair_unrealized(p);
      unrealized += u;
      if (p.open_trade != SIZE_MAX) {
        const PositionState& pos = portfolio->position(static_cast<PairIndex>(&p - pairs.data()));
        TradeRecord& t = result.trades[p.open_trade];
        t.spread_pnl = pos.realized_pnl + u;
        t.fees = pos.fees_usd;
        t.funding = pos.funding;
        t.net_pnl = t.spread_pnl - t.fees + t.funding;
        t.exit_reason = "end_of_data";
      }
    }
    result.opportunities_seen = s.opportunities;  // episodes, as the daemon's stats count them
    result.spread_capture = s.realized_pnl + unrealized;
    result.fees = s.fees;
    result.funding = s.funding;
    result.net_pnl = result.spread_capture - result.fees + result.funding;
    double held_sum = 0;
    std::uint64_t closed = 0;
    for (const TradeRecord& t : result.trades) {
      if (t.closed_us == 0) continue;
      ++closed;
      if (t.net_pnl.is_positive()) {
        ++result.wins;
      } else {
        ++result.losses;
      }
      const double h = static_cast<double>(t.closed_us - t.opened_us) / 1e6;
      held_sum += h;
      result.max_holding_seconds = std::max(result.max_holding_seconds, h);
    }
    result.mean_holding_seconds = closed ? held_sum / static_cast<double>(closed) : 0;
    std::stable_sort(result.refusals.begin(), result.refusals.end(), [](const RefusalCount& a, const RefusalCount& b) {
      return a.count != b.count ? a.count > b.count : a.reason < b.reason;
    });
    for (std::size_t i = 0; i < pairs.size(); ++i) {
      pair_series[i].perp_premium = percentiles(pairs[i].perp_premium);
      pair_series[i].spot_premium = percentiles(pairs[i].spot_premium);
    }
    result.pairs = std::move(pair_series);
  }

  RunnerConfig cfg;
  ManualClock clock;
  std::mt19937_64 rng;
  std::deque<MarketSpec> specs;  // stable addresses for PairInfo / OrderSpec
  sim::ExchangeConfig exchange_config;
  std::unique_ptr<sim::Exchange> exchange;
  sim::AccountId me = 0, tape = 0, book_maker = 0;
  sim::MirrorCounters mirror_counters;  // venue_refusals
  std::unique_ptr<RiskGate> risk;
  std::unique_ptr<Portfolio> portfolio;
  std::unique_ptr<exec::ArbEngine> engine;
  std::vector<std::unique_ptr<EngineBook>> books;
  std::vector<PairState> pairs;
  std::vector<PairSeries> pair_series;
  std::unordered_map<ClientId, OrderInfo> orders;
  std::vector<Resting> resting;
  std::priority_queue<Event, std::vector<Event>, Later> events;
  std::vector<Event> scratch;
  std::uint64_t next_seq = 0;
  bool in_arrival = false;
  bool fill_happened = false;
  bool trading = false;
  bool ran = false;
  TimestampUs next_timer = INT64_MAX, next_account = INT64_MAX, next_sample = INT64_MAX, next_funding = INT64_MAX;
  std::size_t funding_seen = 0;
  Decimal peak;
  bool have_peak = false;
  backpack::JsonParser parser;
  backpack::WsFrame frame;
  DepthSnapshot snapshot;
  sim::RecordingLineParser lines;  // rest_depth and event lines
  BookValidityTracker validity;
  FundingFeedTracker funding_feeds;
  BacktestResult result;
  RunnerStats stats;
};

Runner::Runner(RunnerConfig config) : impl_(std::make_unique<Impl>(std::move(config))) {}
Runner::~Runner() = default;
BacktestResult Runner::run(record::FrameSource& source) {
  return impl_->run(source);
}
const RunnerStats& Runner::stats() const noexcept {
  return impl_->stats;
}

namespace {

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) noexcept {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

bool digits(const std::string& s, std::size_t pos, std::size_t n, int& out) noexcept {
  if (pos + n > s.size()) return false;
  out = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

}  // namespace

bool parse_time_arg(const std::string& s, TimestampUs& out) noexcept {
  if (s.empty()) return false;
  // Unix seconds, optionally with a fraction ("1723161255" / "1723161255.5").
  if (s.find('-') == std::string::npos) {
    for (char c : s)
      if ((c < '0' || c > '9') && c != '.') return false;
    Decimal d;
    if (s.front() == '.' || s.back() == '.' || Decimal::parse(s, d) != DecimalParseError{}) return false;
    out = d.to_units(Decimal::from_raw(1'000), Rounding::kDown);  // 1e-6 s
    return true;
  }
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, se = 0;
  if (!digits(s, 0, 4, y) || s.size() < 10 || s[4] != '-' || !digits(s, 5, 2, mo) || s[7] != '-' || !digits(s, 8, 2, d))
    return false;
  std::size_t p = 10;
  std::int64_t frac_us = 0;
  if (p < s.size() && s[p] != 'Z') {
    if ((s[p] != 'T' && s[p] != ' ') || !digits(s, p + 1, 2, h) || p + 3 >= s.size() || s[p + 3] != ':' ||
        !digits(s, p + 4, 2, mi))
      return false;
    p += 6;
    if (p < s.size() && s[p] == ':') {
      if (!digits(s, p + 1, 2, se)) return false;
      p += 3;
      if (p < s.size() && s[p] == '.') {
        ++p;
        std::int64_t scale = 100'000;
        const std::size_t start = p;
        while (p < s.size() && s[p] >= '0' && s[p] <= '9') {
          frac_us += (s[p] - '0') * scale;
          scale /= 10;
          ++p;
        }
        if (p == start) return false;
      }
    }
  }
  if (p < s.size() && s[p] == 'Z') ++p;
  if (p != s.size()) return false;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60) return false;
  const std::int64_t days = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  out = ((days * 24 + h) * 60 + mi) * 60 * kUsPerSecond + se * kUsPerSecond + frac_us;
  return true;
}

}  // namespace bparb::backtest
