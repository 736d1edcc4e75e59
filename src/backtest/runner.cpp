#include "runner_impl.hpp"

namespace bparb::backtest {

Runner::Impl::Impl(RunnerConfig c) : cfg(std::move(c)), clock(0) {
  if (cfg.pairs.empty() && cfg.mm_markets.empty() && !cfg.xarb)
    throw std::invalid_argument("backtest: no pairs to trade");
  if (cfg.xarb && (!cfg.pairs.empty() || !cfg.mm_markets.empty()))
    throw std::invalid_argument("backtest: the cross-venue strategy trades its pair alone");
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
  if (cfg.xarb) {
    if (cfg.xarb->backpack.type != MarketType::kPerp)
      throw std::invalid_argument("backtest: cross_venue: " + cfg.xarb->backpack.symbol + " must be PERP");
    const InstrumentId bp =
        instruments.add(VenueId::kBackpack, cfg.xarb->backpack, {cfg.fees.perp_maker_bps, cfg.fees.perp_taker_bps});
    vc.markets.push_back(&instruments.market(bp));
    xarb = std::make_unique<XarbReplay>(*cfg.xarb, instruments, bp, clock, latency);
  }
  vc.fees = cfg.fees;
  vc.quote_symbol = !cfg.pairs.empty()        ? cfg.pairs.front().spot.quote_symbol
                    : !cfg.mm_markets.empty() ? cfg.mm_markets.front().quote_symbol
                                              : cfg.xarb->backpack.quote_symbol;
  vc.quote_balance = cfg.quote_balance;
  vc.latency = std::move(latency);
  vc.queue_model = cfg.queue_model;
  venue = std::make_unique<SimVenue>(clock, std::move(vc));  // validates the markets now

  risk = std::make_unique<RiskGate>(cfg.risk, clock);
  portfolio = std::make_unique<Portfolio>(cfg.pairs.size() + (xarb ? 1 : 0));
  engine = std::make_unique<exec::ArbEngine>(cfg.engine, instruments, *risk, *portfolio, *this, *this,
                                             xarb ? &xarb->strategy() : nullptr);
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
  if (xarb) add_xarb_pair();
  for (const auto& b : books) b->venue->attach_book(b->market, *b->book);
}

// The cross-venue pair: Backpack's perp (instrument 0, market 0 of the Backpack venue) on leg 0, Lighter's
// (instrument 1, the Lighter venue's only market) on leg 1, as the daemon registers it.
void Runner::Impl::add_xarb_pair() {
  const PairIndex idx = portfolio->add_pair(Decimal{});
  books.push_back(make_book(&instruments.market(0), idx, false));
  EngineBook& bb = *books.back();
  books.push_back(make_book(&xarb->lighter_market(), idx, false));
  EngineBook& lb = *books.back();
  lb.venue = &xarb->venue();
  lb.market = 0;
  bb.validity_index = validity.add(bb.spec->symbol);
  lb.validity_index = validity.add(lb.spec->symbol);
  PairState ps;
  ps.name = cfg.xarb->coin;
  ps.spot = bb.spec;
  ps.perp = lb.spec;
  ps.spot_book = &bb;
  ps.perp_book = &lb;
  ps.cross_venue = true;
  ps.inventory_deposited = true;  // perps only: no spot inventory
  ps.funding_index = funding_feeds.add(bb.spec->symbol, bb.spec->funding_interval_ms);
  ps.perp_premium.reserve(1 << 16);
  ps.spot_premium.reserve(1 << 16);
  pairs.push_back(std::move(ps));
  engine->add_pair(cfg.xarb->coin, {0, xarb->lighter_instrument()}, {bb.book.get(), lb.book.get()});
}

std::unique_ptr<Runner::Impl::EngineBook> Runner::Impl::make_book(const MarketSpec* spec, PairIndex pair, bool spot) {
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
  b->venue = venue.get();
  return b;
}

void Runner::Impl::place_orders(std::span<const exec::OrderSpec> specs_in) {
  if (xarb) return xarb->place_orders(specs_in, *venue);
  venue->place_orders(specs_in);
}

void Runner::Impl::cancel_order(InstrumentId instrument, oms::ClientId client_id) {
  (xarb ? xarb->venue_of(instrument, *venue) : *venue).cancel_order(instruments.market(instrument), client_id);
}

void Runner::Impl::query_order(InstrumentId instrument, oms::ClientId client_id) {
  (xarb ? xarb->venue_of(instrument, *venue) : *venue).query_order(instruments.market(instrument), client_id);
}

void Runner::Impl::on_order_ack(const exec::OrderAck& ack, TimestampUs now) {
  engine->on_order_ack(ack, now);
}

void Runner::Impl::on_order_update(const exec::OrderUpdate& u, TimestampUs now) {
  engine->on_order_update(u, now);
}

void Runner::Impl::on_order_query(oms::ClientId client_id, bool found, OrderStatus status, Decimal executed,
                                  TimestampUs now) {
  engine->on_order_query(client_id, found, status, executed, now);
}

void Runner::Impl::on_event(const exec::EngineEvent& e) {
  std::visit([this](const auto& ev) { observe(ev); }, e);
}

Runner::Impl::EngineBook* Runner::Impl::book_of(std::string_view symbol) noexcept {
  for (auto& b : books)
    if (b->spec->symbol == symbol) return b.get();
  return nullptr;
}

void Runner::Impl::send_account() {
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
  if (xarb) xarb->push_state(*engine);
  if (mm) stats.mm_positions_given += mm->on_account(c.net_equity);
}

void Runner::Impl::book_funding(const std::vector<sim::FundingPayment>& payments) {
  for (const sim::FundingPayment& f : payments) {
    ++stats.funding_payments;
    for (PairState& p : pairs) {
      if (p.perp->symbol != f.symbol && !(p.cross_venue && p.spot->symbol == f.symbol)) continue;
      engine->on_funding_payment(static_cast<PairIndex>(&p - pairs.data()), f.quantity, f.interval_end_ms * kUsPerMs);
      fill_happened = true;
    }
    if (mm) {
      mm->on_funding(f.symbol, f.quantity);
      fill_happened = true;
    }
  }
}

TimestampUs Runner::Impl::next_funding_boundary(TimestampUs now) const noexcept {
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

void Runner::Impl::advance_to(TimestampUs t) {
  for (;;) {
    TimestampUs next = venue->next_event_time();
    if (xarb) next = std::min(next, xarb->venue().next_event_time());
    if (trading) next = std::min({next, next_timer, next_account, next_sample});
    next = std::min(next, next_funding);
    if (next > t) break;
    if (next > clock.now_us()) clock.set_us(next);
    const TimestampUs now = clock.now_us();
    if (next_funding <= now) {
      std::vector<sim::FundingPayment> paid = venue->settle_funding(now);
      if (xarb) {
        const std::vector<sim::FundingPayment> more = xarb->venue().settle_funding(now);
        paid.insert(paid.end(), more.begin(), more.end());
      }
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
    if (xarb && xarb->venue().next_event_time() <= now) {
      if (xarb->venue().deliver_next(*this) && fill_happened) {
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
      if (xarb) xarb->push_state(*engine);
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

void Runner::Impl::book_changed(EngineBook& b, TimestampUs now) {
  if (b.book->crossed()) ++stats.crossed_books;
  if (b.mm != SIZE_MAX) return trading ? mm->on_book(b.mm) : mm->set_marks(b.mm);
  PairState& p = pairs[b.pair];
  if (p.cross_venue) return xarb_book_changed(b, p, now);
  if (b.spot && !p.inventory_deposited && b.book->valid() && !b.book->empty(Side::kBid) && !b.book->empty(Side::kAsk) &&
      cfg.base_inventory_usd.is_positive()) {
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

void Runner::Impl::update_marks(PairState& p) {
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

// Each venue's mark and index follow its own recorded mid (neither has the other's index), so funding and
// margin work on both; the spread per direction is sampled like a basis (leg 1 bid over leg 0 ask, and back).
void Runner::Impl::xarb_book_changed(EngineBook& b, PairState& p, TimestampUs now) {
  const OrderBook& ob = *b.book;
  if (ob.valid() && !ob.empty(Side::kBid) && !ob.empty(Side::kAsk) && ob.mid() != b.mid) {
    b.mid = ob.mid();
    b.venue->set_mark_index(b.spec->symbol, b.mid, b.mid);
  }
  if (!trading) return;
  basis_sample(p, now);
  engine->on_book_update(b.pair, now);
}

void Runner::Impl::basis_sample(PairState& p, TimestampUs now) {
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

void Runner::Impl::after_sync(EngineBook& b, bool was_synced, SyncAction a, TimestampUs now) {
  if (was_synced && !b.sync->synced()) ++result.resyncs;
  if (was_synced && !b.sync->synced() && b.mm != SIZE_MAX && trading) mm->on_reconnect(b.mm);
  if (a == SyncAction::kBookUpdated || a == SyncAction::kBookInvalidated || (was_synced && !b.sync->synced()))
    book_changed(b, now);
}

void Runner::Impl::engine_depth(const ParsedRecording& r, const ParsedEvent& e, TimestampUs now) {
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
  ++b->lines;
  b->venue->note_delta(b->market, was, a, b->sync->synced(), delta);
  after_sync(*b, was, a, now);
}

void Runner::Impl::engine_mark(const ParsedRecording& r, const ParsedEvent& e) {
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

void Runner::Impl::engine_trade(const ParsedRecording& r, const ParsedEvent& e) {
  ++stats.trades_seen;
  EngineBook* b = book_of(r.symbol(e.symbol));
  if (b == nullptr) return void(++stats.unknown_symbol);
  sim::RecordedTrade t;
  t.symbol = r.symbol(e.symbol);
  t.price = e.value1;
  t.quantity = e.value2;
  t.buyer_is_maker = e.flag;
  b->venue->on_recorded_trade(b->market, t);  // our resting quote first: its fill reaches us after the latency
  if (b->mm != SIZE_MAX && trading) mm->on_trade(b->mm, clock.now_us(), t.price, t.quantity, t.buyer_is_maker);
}

void Runner::Impl::engine_snapshot(const ParsedRecording& r, const ParsedEvent& e) {
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
  ++b->lines;
  b->venue->note_snapshot(b->market);
  after_sync(*b, was, a, clock.now_us());
}

void Runner::Impl::engine_reset(const ParsedRecording& r, const ParsedEvent& e) {
  for (auto& b : books) {
    if (e.flag && b->spec->symbol != r.symbol(e.symbol)) continue;
    const bool was = b->sync->synced();
    b->sync->reset();
    b->venue->note_reset(b->market);  // liquidity withdrawn until the next snapshot
    if (b->mm != SIZE_MAX && trading) mm->on_reconnect(b->mm);
    if (was) {
      ++result.resyncs;
      book_changed(*b, clock.now_us());
    }
  }
}

void Runner::Impl::engine_line(const ParsedRecording& r, const ParsedEvent& e) {
  const bool traded = e.venue == VenueId::kBackpack ||
                      (xarb && e.venue == VenueId::kLighter && r.symbol(e.symbol) == xarb->lighter_market().symbol);
  if (!traded) return watched.on_event(r, e);  // followed, not traded
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

void Runner::Impl::note_validity(TimestampUs t) noexcept {
  for (const auto& b : books) validity.set(b->validity_index, b->sync->synced(), t);
  watched.note_validity(t);
}

void Runner::Impl::recorded_funding(const EngineBook& b, const sim::RecordedMark& m) {
  const std::size_t feed = b.mm != SIZE_MAX ? b.mm_funding : pairs[b.pair].funding_index;
  if (!funding_feeds.recorded(feed, m.next_funding_ms)) return;
  venue->set_funding_rate(b.spec->symbol, m.funding_rate, m.next_funding_ms);
}

void Runner::Impl::note_settlements(TimestampUs now) noexcept {
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

void Runner::Impl::start_trading(TimestampUs now) {
  validity.open_window(now);
  trading = true;
  result.from_us = now;
  next_timer = now + cfg.timer_interval_us;
  next_sample = now;
  next_account = now;
  send_account();
  next_account = now + cfg.account_interval_us;
}

BacktestResult Runner::Impl::run(record::FrameSource& source) {
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

BacktestResult Runner::Impl::run(const ParsedRecording& parsed) {
  begin_run();
  replay(parsed);
  return end_run();
}

BacktestResult Runner::Impl::run(ParsedSource& source) {
  begin_run();
  while (const ParsedRecording* chunk = source.next_chunk())
    if (!replay(*chunk)) break;
  return end_run();
}

bool Runner::Impl::replay(const ParsedRecording& parsed) {
  for (const ParsedEvent& e : parsed.events()) {
    if (cfg.to_us > 0 && e.receive_time_us > cfg.to_us) return false;
    step(parsed, e);
  }
  return true;
}

void Runner::Impl::begin_run() {
  if (ran) throw std::logic_error("backtest::Runner::run called twice");
  ran = true;
  result.config_path = cfg.config_path;
  result.data_path = cfg.data_path;
  result.sample_interval_us = cfg.sample_interval_us;
  for (const PairState& p : pairs) pair_series.push_back({p.name, p.spot->symbol, p.perp->symbol, {}, {}, {}});
}

void Runner::Impl::step(const ParsedRecording& r, const ParsedEvent& e) {
  TimestampUs t = e.receive_time_us;
  if (first) {
    clock.set_us(t);
    venue->restart();
    if (xarb) xarb->venue().restart();
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
