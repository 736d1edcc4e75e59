#include "bparb/backtest/runner.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <deque>
#include <map>
#include <stdexcept>
#include <variant>

#include "bparb/backtest/coverage.hpp"
#include "bparb/backtest/parsed_recording.hpp"
#include "bparb/backtest/sim_venue.hpp"
#include "bparb/backtest/watched_books.hpp"
#include "bparb/book/depth_sync.hpp"
#include "bparb/book/order_book.hpp"
#include "bparb/portfolio/portfolio.hpp"
#include "bparb/sim/recorded_frames.hpp"
#include "mm_replay.hpp"

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
    case ExitReason::kOperatorFlatten:    // no operator in a replay
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

struct Runner::Impl final : exec::CommandSink, exec::EngineObserver, VenueEventSink {
  // ---- set-up
  // One market: the engine's book (the recorded book, followed exactly as live), also the simulated
  // venue's market `market` (its background liquidity).
  struct EngineBook {
    const MarketSpec* spec = nullptr;
    PairIndex pair = 0;
    bool spot = true;
    std::size_t market = 0;  // index in the venue (and in `books`)
    std::unique_ptr<OrderBook> book;
    std::unique_ptr<DepthSync> sync;
    std::size_t validity_index = 0;  // in `validity`
    std::size_t mm = SIZE_MAX;       // a market-maker perp: its index in `mm` (no pair)
    std::size_t mm_funding = 0;      // ... in `funding_feeds`
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
  explicit Impl(RunnerConfig c) : cfg(std::move(c)), clock(0) {
    if (cfg.pairs.empty() && cfg.mm_markets.empty()) throw std::invalid_argument("backtest: no pairs to trade");
    if (cfg.sample_interval_us == 0) throw std::invalid_argument("backtest: sample_interval must be > 0");
    if (cfg.timer_interval_us <= 0 || cfg.account_interval_us <= 0)
      throw std::invalid_argument("backtest: timer/account intervals must be > 0");
    // The [backtest] latency is Backpack's: the same each way unless the response part is set.
    VenueLatency latency;
    latency.entry = LatencyPart{cfg.latency.fixed_us, cfg.latency.samples_us};
    latency.response = latency.entry;
    if (cfg.latency.response_fixed_us) latency.response.fixed_us = *cfg.latency.response_fixed_us;
    latency.seed = cfg.latency.seed;
    if (const char* e = validate(latency)) throw std::invalid_argument(std::string("backtest: ") + e);
    if (const char* e = validate(cfg.risk)) throw std::invalid_argument(std::string("backtest: risk: ") + e);

    SimVenueConfig vc;
    for (const PairSetup& p : cfg.pairs) {
      if (p.spot.type != MarketType::kSpot || p.perp.type != MarketType::kPerp)
        throw std::invalid_argument("backtest: pair " + p.name + ": " + p.spot.symbol + " must be SPOT and " +
                                    p.perp.symbol + " PERP");
      const InstrumentId spot =
          instruments.add(VenueId::kBackpack, p.spot, {cfg.fees.spot_maker_bps, cfg.fees.spot_taker_bps});
      vc.markets.push_back(&instruments.market(spot));
      const InstrumentId perp =
          instruments.add(VenueId::kBackpack, p.perp, {cfg.fees.perp_maker_bps, cfg.fees.perp_taker_bps});
      vc.markets.push_back(&instruments.market(perp));
    }
    for (const MarketSpec& m : cfg.mm_markets) {
      if (m.type != MarketType::kPerp)
        throw std::invalid_argument("backtest: market maker: " + m.symbol + " must be PERP");
      vc.markets.push_back(&instruments.market(
          instruments.add(VenueId::kBackpack, m, {cfg.fees.perp_maker_bps, cfg.fees.perp_taker_bps})));
    }
    vc.fees = cfg.fees;
    vc.quote_symbol = cfg.pairs.empty() ? cfg.mm_markets.front().quote_symbol : cfg.pairs.front().spot.quote_symbol;
    vc.quote_balance = cfg.quote_balance;
    vc.latency = std::move(latency);
    vc.queue_model = cfg.queue_model;
    venue = std::make_unique<SimVenue>(clock, std::move(vc));  // validates the markets now

    risk = std::make_unique<RiskGate>(cfg.risk, clock);
    portfolio = std::make_unique<Portfolio>(cfg.pairs.size());
    engine = std::make_unique<exec::ArbEngine>(cfg.engine, instruments, *risk, *portfolio, *this, *this);
    for (std::size_t i = 0; i < cfg.pairs.size(); ++i) {
      const PairSetup& p = cfg.pairs[i];
      const auto spot_id = static_cast<InstrumentId>(2 * i);
      const auto perp_id = static_cast<InstrumentId>(2 * i + 1);
      const MarketSpec* spot = &instruments.market(spot_id);
      const MarketSpec* perp = &instruments.market(perp_id);
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
      engine->add_pair(p.name, {spot_id, perp_id},
                       {pairs.back().spot_book->book.get(), pairs.back().perp_book->book.get()});
    }
    if (!cfg.mm_markets.empty()) {
      mm = std::make_unique<MmReplay>(cfg.mm, instruments, engine->order_entry(), clock, *venue);
      for (std::size_t i = 0; i < cfg.mm_markets.size(); ++i) {
        const auto id = static_cast<InstrumentId>(2 * cfg.pairs.size() + i);
        books.push_back(make_book(&instruments.market(id), 0, false));
        EngineBook& b = *books.back();
        b.validity_index = validity.add(b.spec->symbol);
        b.mm_funding = funding_feeds.add(b.spec->symbol, b.spec->funding_interval_ms);
        b.mm = mm->add(id, *b.book);
      }
    }
    for (std::size_t i = 0; i < books.size(); ++i) venue->attach_book(i, *books[i]->book);
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
    b->market = books.size();
    return b;
  }

  // ---- CommandSink: the kernel's commands go to the simulated venue
  void place_orders(std::span<const exec::OrderSpec> specs_in) override { venue->place_orders(specs_in); }
  void cancel_order(InstrumentId instrument, oms::ClientId client_id) override {
    venue->cancel_order(instruments.market(instrument), client_id);
  }
  void query_order(InstrumentId instrument, oms::ClientId client_id) override {
    venue->query_order(instruments.market(instrument), client_id);
  }

  // ---- VenueEventSink: the venue's answers go to the engine
  void on_order_ack(const exec::OrderAck& ack, TimestampUs now) override { engine->on_order_ack(ack, now); }
  void on_order_update(const exec::OrderUpdate& u, TimestampUs now) override { engine->on_order_update(u, now); }
  void on_order_query(oms::ClientId client_id, bool found, OrderStatus status, Decimal executed,
                      TimestampUs now) override {
    engine->on_order_query(client_id, found, status, executed, now);
  }

  // ---- EngineObserver: the kernel's events -> result (the ones the report does not use are ignored)
  void on_event(const exec::EngineEvent& e) override {
    std::visit([this](const auto& ev) { observe(ev); }, e);
  }
  template <typename Event>
  void observe(const Event&) {}
  const std::string& pair_name(PairIndex p) const { return engine->pair(p).name; }

  // The engine reports an opportunity at the start of each episode (spread excursion) and again every
  // opportunity_log_interval while it lasts; risk refusals come on every attempt. One refusal is counted
  // per episode: the first reason it was not taken.
  void observe(const exec::event::Opportunity& e) {
    const BasisQuote& q = e.quote;
    PairState& ps = pair_by_name(pair_name(e.pair));
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
  void observe(const exec::event::EntryRefused& e) {
    PairState& ps = pair_by_name(pair_name(e.pair));
    if (ps.refusal_counted) return;
    count_refusal(e.decision.rule_name());
    ps.refusal_counted = true;
  }
  void observe(const exec::event::PositionOpened& e) {
    const PositionState& pos = e.position;
    const BasisQuote& q = e.quote;
    PairState& ps = pair_by_name(pair_name(e.pair));
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
  void observe(const exec::event::ExitSignalled& e) {
    const ExitSignal& s = e.signal;
    PairState& ps = pair_by_name(pair_name(e.pair));
    ps.last_exit_basis_bps = s.exit_basis.to_double() * 1e4;
    ps.last_exit_reason = s.reason;
  }
  void observe(const exec::event::PositionClosed& e) {
    const PositionState& pos = e.position;
    const ExitReason r = e.reason;
    PairState& ps = pair_by_name(pair_name(e.pair));
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
  void observe(const exec::event::Fill& e) { on_fill(e.order, e.quantity, e.price, e.fee, e.maker); }
  void on_fill(const exec::OrderSpec& o, Decimal qty, Decimal price, Decimal fee, bool maker) {
    ++stats.fills;
    stats.fill_log.push_back({clock.now_us(), o.market->symbol, o.side, qty, price, fee, maker});
    if (maker) ++stats.maker_fills;
    fill_happened = true;
  }
  void observe(const exec::event::OrderRejected&) { ++stats.orders_rejected; }
  // The market maker's orders (exec/order_entry.hpp).
  void observe(const exec::event::SingleOrderFill& e) { on_fill(e.order, e.quantity, e.price, e.fee, e.maker); }
  void observe(const exec::event::SingleOrderRejected&) { ++stats.orders_rejected; }

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

  EngineBook* book_of(std::string_view symbol) noexcept {
    for (auto& b : books)
      if (b->spec->symbol == symbol) return b.get();
    return nullptr;
  }

  // ---- account and funding
  void send_account() {
    exec::AccountSnapshot snap;
    snap.view.fees = cfg.fees;
    const std::string& quote = instruments.market(0).quote_symbol;
    snap.view.available_quote = venue->available(quote);
    const sim::CollateralSummary c = venue->collateral();
    snap.net_equity = c.net_equity;
    snap.view.available_margin = c.net_equity_available;
    snap.initial_margin_used = c.net_equity_locked;
    for (std::size_t i = 0; i < pairs.size() && i < exec::AccountSnapshot::kMaxPairs; ++i)
      snap.available_base[i] = venue->available(pairs[i].spot->base_symbol);
    engine->on_account(snap, clock.now_us());
    if (mm) stats.mm_positions_given += mm->on_account(c.net_equity);
  }

  void book_funding(const std::vector<sim::FundingPayment>& payments) {
    for (const sim::FundingPayment& f : payments) {
      ++stats.funding_payments;
      for (PairState& p : pairs) {
        if (p.perp->symbol != f.symbol) continue;
        engine->on_funding_payment(static_cast<PairIndex>(&p - pairs.data()), f.quantity, f.interval_end_ms * kUsPerMs);
        fill_happened = true;
      }
      if (mm) {
        mm->on_funding(f.symbol, f.quantity);
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
    for (const auto& b : books) {
      const std::int64_t iv = b->spec->funding_interval_ms * kUsPerMs;
      if (b->mm != SIZE_MAX && iv > 0) best = std::min(best, (now / iv + 1) * iv);
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
    EquityPoint e = mm ? mm->sample(t) : EquityPoint{};
    if (!mm) {
      const StrategyStats s = portfolio->stats();
      e.t = t;
      e.realized = s.realized_pnl;
      e.fees = s.fees;
      e.funding = s.funding;
      for (const PairState& p : pairs) e.unrealized += pair_unrealized(p);
      e.equity = e.realized + e.unrealized - e.fees + e.funding;
    }
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
      TimestampUs next = venue->next_event_time();
      if (trading) next = std::min({next, next_timer, next_account, next_sample});
      next = std::min(next, next_funding);
      if (next > t) break;
      if (next > clock.now_us()) clock.set_us(next);
      const TimestampUs now = clock.now_us();
      if (next_funding <= now) {
        const std::vector<sim::FundingPayment> paid = venue->settle_funding(now);
        note_settlements(now);
        book_funding(paid);
        next_funding = next_funding_boundary(now);
        continue;
      }
      if (venue->next_event_time() <= now) {
        if (venue->deliver_next(*this) && fill_happened) {
          fill_happened = false;
          equity_point(now);
        }
        continue;
      }
      if (next_account <= now) {
        send_account();
        next_account = now + cfg.account_interval_us;
        continue;
      }
      if (next_timer <= now) {
        engine->on_timer(now);
        if (mm) mm->on_timer();
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
    if (b.mm != SIZE_MAX) return trading ? mm->on_book(b.mm) : mm->set_marks(b.mm);
    PairState& p = pairs[b.pair];
    if (b.spot && !p.inventory_deposited && b.book->valid() && !b.book->empty(Side::kBid) &&
        !b.book->empty(Side::kAsk) && cfg.base_inventory_usd.is_positive()) {
      // Spot inventory for spot-premium trades (the daemon's paper account gets the same), bought at the
      // first mid; balances only gate orders, P&L comes from fills.
      const Decimal qty =
          cfg.base_inventory_usd.div(b.book->mid(), Rounding::kDown).round_to(b.spec->step_size, Rounding::kDown);
      if (qty.is_positive()) venue->deposit(b.spec->base_symbol, qty);
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
        venue->set_mark_index(p.spot->symbol, sm, sm);
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
      venue->set_mark_index(p.perp->symbol, p.perp_mid, p.spot_mid);
      p.marks_dirty = false;
    }
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
    if (was_synced && !b.sync->synced() && b.mm != SIZE_MAX && trading) mm->on_reconnect(b.mm);
    if (a == SyncAction::kBookUpdated || a == SyncAction::kBookInvalidated || (was_synced && !b.sync->synced()))
      book_changed(b, now);
  }

  // ---- engine side of one parsed line (parsed_recording.hpp)
  void engine_depth(const ParsedRecording& r, const ParsedEvent& e, TimestampUs now) {
    EngineBook* b = book_of(r.symbol(e.symbol));
    if (b == nullptr) return void(++stats.unknown_symbol);
    delta.symbol = r.symbol(e.symbol);
    delta.first_update_id = e.first_id;
    delta.last_update_id = e.last_id;
    delta.event_time_us = e.time1_us;
    delta.engine_time_us = e.time2_us;
    delta.bids.assign(r.bids(e).begin(), r.bids(e).end());
    delta.asks.assign(r.asks(e).begin(), r.asks(e).end());
    ++stats.depth_frames;
    validity.depth_frame(b->validity_index);
    const bool was = b->sync->synced();
    const SyncAction a = b->sync->on_delta(delta, e.receive_time_us);
    venue->note_delta(b->market, was, a, b->sync->synced(), delta);
    after_sync(*b, was, a, now);
  }

  void engine_mark(const ParsedRecording& r, const ParsedEvent& e) {
    EngineBook* b = book_of(r.symbol(e.symbol));
    if (b == nullptr) return void(++stats.unknown_symbol);
    sim::RecordedMark m;
    m.symbol = r.symbol(e.symbol);
    m.mark_price = e.value1;
    m.has_funding = e.flag;
    m.funding_rate = e.value2;
    m.next_funding_ms = e.next_funding_ms;
    if (!b->spot && m.has_funding) recorded_funding(*b, m);
    if (b->spot || !trading || b->mm != SIZE_MAX) return;
    FundingInfo f;
    f.rate = m.funding_rate;
    f.interval_ms = b->spec->funding_interval_ms;
    f.next_funding_us = m.next_funding_ms * kUsPerMs;
    f.mark_price = m.mark_price;
    engine->on_funding_info(b->pair, f);
  }

  void engine_trade(const ParsedRecording& r, const ParsedEvent& e) {
    ++stats.trades_seen;
    EngineBook* b = book_of(r.symbol(e.symbol));
    if (b == nullptr) return void(++stats.unknown_symbol);
    sim::RecordedTrade t;
    t.symbol = r.symbol(e.symbol);
    t.price = e.value1;
    t.quantity = e.value2;
    t.buyer_is_maker = e.flag;
    venue->on_recorded_trade(b->market, t);  // our resting quote first: its fill reaches us after the latency
    if (b->mm != SIZE_MAX && trading) mm->on_trade(b->mm, clock.now_us(), t.price, t.quantity, t.buyer_is_maker);
  }

  void engine_snapshot(const ParsedRecording& r, const ParsedEvent& e) {
    EngineBook* b = book_of(r.symbol(e.symbol));
    if (b == nullptr) return void(++stats.unknown_symbol);
    if (e.kind == ParsedKind::kSnapshotMalformed) return void(++result.malformed_frames);
    snapshot.last_update_id = e.last_id;
    snapshot.timestamp_us = e.time1_us;
    snapshot.bids.assign(r.bids(e).begin(), r.bids(e).end());
    snapshot.asks.assign(r.asks(e).begin(), r.asks(e).end());
    ++stats.snapshots;
    validity.snapshot(b->validity_index);
    const bool was = b->sync->synced();
    const SyncAction a = b->sync->on_snapshot(snapshot, e.receive_time_us);
    venue->note_snapshot(b->market);
    after_sync(*b, was, a, clock.now_us());
  }

  void engine_reset(const ParsedRecording& r, const ParsedEvent& e) {
    for (auto& b : books) {
      if (e.flag && b->spec->symbol != r.symbol(e.symbol)) continue;
      const bool was = b->sync->synced();
      b->sync->reset();
      venue->note_reset(b->market);  // liquidity withdrawn until the next snapshot
      if (b->mm != SIZE_MAX && trading) mm->on_reconnect(b->mm);
      if (was) {
        ++result.resyncs;
        book_changed(*b, clock.now_us());
      }
    }
  }

  void engine_line(const ParsedRecording& r, const ParsedEvent& e) {
    if (e.venue != VenueId::kBackpack) return watched.on_event(r, e);  // followed, not traded
    switch (e.kind) {
      case ParsedKind::kDepth:
        return engine_depth(r, e, clock.now_us());
      case ParsedKind::kMark:
        return engine_mark(r, e);
      case ParsedKind::kTrade:
        return engine_trade(r, e);
      case ParsedKind::kOtherFrame:
        return void(++stats.other_frames);
      case ParsedKind::kMalformed:
        return void(++result.malformed_frames);
      case ParsedKind::kSnapshot:
      case ParsedKind::kSnapshotMalformed:
        return engine_snapshot(r, e);
      case ParsedKind::kReset:
        return engine_reset(r, e);
      case ParsedKind::kIgnoredEvent:
        return;
      case ParsedKind::kNoDecoder:
        throw std::runtime_error("backtest: recorded lines of venue " + std::string(venue_name(e.venue)) +
                                 " cannot be replayed (no decoder for its frames)");
    }
  }

  // ---- coverage (coverage.hpp): book validity and the funding feed, outside the replay logic proper
  void note_validity(TimestampUs t) noexcept {
    for (const auto& b : books) validity.set(b->validity_index, b->sync->synced(), t);
    watched.note_validity(t);
  }
  // A recorded funding rate (markPrice frame) for the perp's settlement at its next-funding time: the
  // venue pays it instead of its modelled rate when that settlement comes.
  void recorded_funding(const EngineBook& b, const sim::RecordedMark& m) {
    const std::size_t feed = b.mm != SIZE_MAX ? b.mm_funding : pairs[b.pair].funding_index;
    if (!funding_feeds.recorded(feed, m.next_funding_ms)) return;
    venue->set_funding_rate(b.spec->symbol, m.funding_rate, m.next_funding_ms);
  }
  void note_settlements(TimestampUs now) noexcept {
    if (!trading) return;
    for (const PairState& p : pairs) {
      const std::int64_t iv = p.perp->funding_interval_ms * kUsPerMs;
      if (iv > 0 && now % iv == 0) funding_feeds.settled(p.funding_index, now / kUsPerMs);
    }
    for (const auto& b : books) {
      const std::int64_t iv = b->spec->funding_interval_ms * kUsPerMs;
      if (b->mm != SIZE_MAX && iv > 0 && now % iv == 0) funding_feeds.settled(b->mm_funding, now / kUsPerMs);
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
    begin_run();
    record::FrameLine line;
    ParsedRecording one;  // one line at a time: parsed, replayed, forgotten
    while (source.next(line)) {
      if (cfg.to_us > 0 && line.receive_time_us > cfg.to_us) break;
      one.clear_events();
      one.append(line);
      step(one, one.events().front());
    }
    return end_run();
  }

  BacktestResult run(const ParsedRecording& parsed) {
    begin_run();
    replay(parsed);
    return end_run();
  }

  BacktestResult run(ParsedSource& source) {
    begin_run();
    while (const ParsedRecording* chunk = source.next_chunk())
      if (!replay(*chunk)) break;
    return end_run();
  }

  // False once past config.to_us.
  bool replay(const ParsedRecording& parsed) {
    for (const ParsedEvent& e : parsed.events()) {
      if (cfg.to_us > 0 && e.receive_time_us > cfg.to_us) return false;
      step(parsed, e);
    }
    return true;
  }

  void begin_run() {
    if (ran) throw std::logic_error("backtest::Runner::run called twice");
    ran = true;
    result.config_path = cfg.config_path;
    result.data_path = cfg.data_path;
    result.sample_interval_us = cfg.sample_interval_us;
    for (const PairState& p : pairs) pair_series.push_back({p.name, p.spot->symbol, p.perp->symbol, {}, {}, {}});
  }

  void step(const ParsedRecording& r, const ParsedEvent& e) {
    TimestampUs t = e.receive_time_us;
    if (first) {
      clock.set_us(t);
      venue->restart();
      next_funding = next_funding_boundary(t);
      first = false;
    }
    t = std::max(t, clock.now_us());  // a recording's out-of-order line never moves time back
    if (!trading && t >= cfg.from_us) start_trading(t);
    advance_to(t);
    engine_line(r, e);
    note_validity(t);
    ++result.events;
    last_t = t;
  }

  BacktestResult end_run() {
    result.to_us = last_t;
    validity.close_window(last_t);
    if (trading) {
      // Let in-flight answers land, then mark to the books. No funding settles after the data ends: a
      // boundary just past the last line would pay for a position the recording cannot price.
      next_funding = INT64_MAX;
      advance_to(clock.now_us() + 10 * venue->max_latency());
      equity_point(clock.now_us());
    }
    finish();
    return std::move(result);
  }

  void finish() {
    result.books = validity.result();
    stats.depth_frames += watched.counts().depth_frames;
    stats.snapshots += watched.counts().snapshots;
    stats.other_frames += watched.counts().other_frames;
    result.malformed_frames += watched.counts().malformed;
    result.funding_feeds = funding_feeds.result();
    stats.venue_refusals = venue->counters().mirror.orders_refused;
    stats.orders_sent = venue->counters().orders_sent;
    stats.tape_fills = venue->counters().tape_fills;
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
    if (mm) mm->finish(result);
  }

  RunnerConfig cfg;
  ManualClock clock;
  InstrumentTable instruments;  // spot, perp per pair in config order; stable addresses for PairInfo / OrderSpec
  std::unique_ptr<SimVenue> venue;
  std::unique_ptr<RiskGate> risk;
  std::unique_ptr<Portfolio> portfolio;
  std::unique_ptr<exec::ArbEngine> engine;
  std::unique_ptr<MmReplay> mm;  // [strategy] kind = "market_maker" only; after the engine (its order entry)
  std::vector<std::unique_ptr<EngineBook>> books;
  std::vector<PairState> pairs;
  std::vector<PairSeries> pair_series;
  bool fill_happened = false;
  bool trading = false;
  bool ran = false;
  TimestampUs next_timer = INT64_MAX, next_account = INT64_MAX, next_sample = INT64_MAX, next_funding = INT64_MAX;
  Decimal peak;
  bool have_peak = false;
  bool first = true;
  TimestampUs last_t = 0;
  DepthDelta delta;  // the parsed event's levels, in the form DepthSync and the venue take
  DepthSnapshot snapshot;
  BookValidityTracker validity;
  WatchedBooks watched{validity};  // markets of another venue (Lighter), by first sight
  FundingFeedTracker funding_feeds;
  BacktestResult result;
  RunnerStats stats;
};

Runner::Runner(RunnerConfig config) : impl_(std::make_unique<Impl>(std::move(config))) {}
Runner::~Runner() = default;
BacktestResult Runner::run(record::FrameSource& source) {
  return impl_->run(source);
}
BacktestResult Runner::run(const ParsedRecording& parsed) {
  return impl_->run(parsed);
}
BacktestResult Runner::run(ParsedSource& source) {
  return impl_->run(source);
}
const RunnerStats& Runner::stats() const noexcept {
  return impl_->stats;
}

}  // namespace bparb::backtest
