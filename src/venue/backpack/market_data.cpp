#include "bparb/venue/backpack/market_data.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>

#include "bparb/venue/backpack/rest_client.hpp"
#include "bparb/venue/backpack/ws_client.hpp"

namespace bparb::backpack {

struct MarketDataFeed::Market {
  Market(boost::asio::io_context& ioc, const MarketSpec& s, const MarketDataOptions& o)
      : spec(s), book(spec, o.reserve_levels), sync(book, o.sync), retry_timer(ioc) {}
  MarketSpec spec;                          // declared before book: the book keeps a reference to it
  InstrumentId instrument = kNoInstrument;  // the caller's id, handed back with every notification
  OrderBook book;
  DepthSync sync;
  TopOfBook top;
  MarkInfo mark;
  bool trades = false;  // trade.<symbol> subscribed
  boost::asio::steady_timer retry_timer;
  bool snapshot_in_flight = false;
  bool retry_scheduled = false;
  bool first_wait = false;       // the timer pending is the first snapshot's, not a retry's
  std::uint64_t generation = 0;  // bumps on reset: answers to older snapshot requests are dropped
};

MarketDataFeed::MarketDataFeed(boost::asio::io_context& ioc, const Clock& clock, BackpackWs& ws, RestClient& rest,
                               MarketDataOptions opts)
    : ioc_(ioc), clock_(clock), ws_(ws), rest_(rest), opts_(opts), alive_(std::make_shared<bool>(true)) {
  auto& h = ws_.handlers();
  h.on_depth = [this](const DepthDelta& d, TimestampUs t) { handle_depth(d, t); };
  h.on_book_ticker = [this](const BookTickerEvent& e, TimestampUs t) { handle_book_ticker(e, t); };
  h.on_mark_price = [this](const MarkPriceEvent& e, TimestampUs t) { handle_mark_price(e, t); };
  h.on_trade = [this](const TradeEvent& e, TimestampUs t) { handle_trade(e, t); };
  std::weak_ptr<bool> alive = alive_;
  // A new connection starts a new depth sequence: whatever was buffered or synced is meaningless.
  ws_.add_connected_listener([this, alive] {
    if (!alive.lock()) return;
    reset_all();
  });
  ws_.add_disconnected_listener([this, alive](const net::DisconnectInfo&) {
    if (!alive.lock()) return;
    reset_all();
  });
}

MarketDataFeed::~MarketDataFeed() {
  *alive_ = false;
  alive_.reset();
  auto& h = ws_.handlers();
  h.on_depth = nullptr;
  h.on_book_ticker = nullptr;
  h.on_mark_price = nullptr;
  h.on_trade = nullptr;
  for (auto& m : markets_) m->retry_timer.cancel();
}

void MarketDataFeed::add_market(const MarketSpec& spec, InstrumentId instrument, MarketStreams streams) {
  Market* m = find(spec.symbol);
  if (!m) {
    markets_.push_back(std::make_unique<Market>(ioc_, spec, opts_));
    m = markets_.back().get();
    ws_.subscribe("depth." + spec.symbol);
    if (opts_.subscribe_book_ticker) ws_.subscribe("bookTicker." + spec.symbol);
    if (opts_.subscribe_mark_price && spec.is_perp()) ws_.subscribe("markPrice." + spec.symbol);
  }
  if (m->instrument == kNoInstrument) m->instrument = instrument;  // added before without an id
  if (streams.trades && !m->trades) {
    m->trades = true;
    ws_.subscribe("trade." + spec.symbol);
  }
}

MarketDataFeed::Market* MarketDataFeed::find(std::string_view symbol) noexcept {
  for (auto& m : markets_) {
    if (m->spec.symbol == symbol) return m.get();
  }
  return nullptr;
}

const MarketDataFeed::Market* MarketDataFeed::find(std::string_view symbol) const noexcept {
  for (const auto& m : markets_) {
    if (m->spec.symbol == symbol) return m.get();
  }
  return nullptr;
}

const OrderBook* MarketDataFeed::book(std::string_view symbol) const noexcept {
  const Market* m = find(symbol);
  return m ? &m->book : nullptr;
}

const DepthSync* MarketDataFeed::depth_sync(std::string_view symbol) const noexcept {
  const Market* m = find(symbol);
  return m ? &m->sync : nullptr;
}

bool MarketDataFeed::book_valid(std::string_view symbol) const noexcept {
  const Market* m = find(symbol);
  return m && m->sync.synced() && m->book.valid();
}

const TopOfBook* MarketDataFeed::top_of_book(std::string_view symbol) const noexcept {
  const Market* m = find(symbol);
  return m && m->top.received_us != 0 ? &m->top : nullptr;
}

const MarkInfo* MarketDataFeed::mark(std::string_view symbol) const noexcept {
  const Market* m = find(symbol);
  return m && m->mark.received_us != 0 ? &m->mark : nullptr;
}

std::vector<std::string> MarketDataFeed::symbols() const {
  std::vector<std::string> out;
  out.reserve(markets_.size());
  for (const auto& m : markets_) out.push_back(m->spec.symbol);
  return out;
}

DepthSyncStats MarketDataFeed::sync_stats() const noexcept {
  DepthSyncStats total;
  for (const auto& m : markets_) {
    const DepthSyncStats& s = m->sync.stats();
    total.applied += s.applied;
    total.buffered += s.buffered;
    total.dropped += s.dropped;
    total.gaps += s.gaps;
    total.resyncs += s.resyncs;
    total.malformed += s.malformed;
    total.rejected_levels += s.rejected_levels;
    total.snapshots += s.snapshots;
    total.snapshots_too_old += s.snapshots_too_old;
    total.snapshots_ignored += s.snapshots_ignored;
    total.snapshot_requests += s.snapshot_requests;
    total.overflows += s.overflows;
    total.crossed += s.crossed;
  }
  return total;
}

std::uint64_t MarketDataFeed::malformed_frames() const noexcept {
  return ws_.counters().malformed;
}

void MarketDataFeed::notify(const Market& m) {
  if (on_book_update_) on_book_update_(m.spec.symbol, m.instrument);
}

void MarketDataFeed::handle_depth(const DepthDelta& d, TimestampUs received_us) {
  ++counters_.depth_frames;
  Market* m = find(d.symbol);
  if (!m) {
    ++counters_.unknown_symbol;
    return;
  }
  act(*m, m->sync.on_delta(d, received_us));
  // Still buffering and nothing asked yet: the snapshot comes after snapshot_delay deltas or this long after
  // the first one, whichever is first (a quiet market's book must not wait minutes for its deltas).
  if (!m->sync.synced() && m->sync.buffered_count() > 0 && !m->snapshot_in_flight && !m->retry_scheduled &&
      opts_.first_snapshot_after_us > 0) {
    schedule_snapshot(*m, opts_.first_snapshot_after_us);
    m->first_wait = true;
  }
}

void MarketDataFeed::act(Market& m, SyncAction a) {
  switch (a) {
    case SyncAction::kNone:
      break;
    case SyncAction::kBookUpdated:
      ++counters_.book_updates;
      notify(m);
      break;
    case SyncAction::kBookInvalidated:
      ++counters_.invalidations;
      notify(m);
      break;
    case SyncAction::kRequestSnapshot:
      if (m.first_wait) {  // enough deltas came before the first snapshot's timer: ask now
        m.retry_timer.cancel();
        m.retry_scheduled = false;
        m.first_wait = false;
      }
      request_snapshot(m);
      break;
  }
}

void MarketDataFeed::request_snapshot(Market& m) {
  if (m.snapshot_in_flight || m.retry_scheduled) return;  // one outstanding request per book
  m.snapshot_in_flight = true;
  ++counters_.snapshot_requests;
  std::weak_ptr<bool> alive = alive_;
  Market* mp = &m;
  const std::uint64_t gen = m.generation;
  rest_.get_depth(m.spec.symbol, opts_.snapshot_limit, [this, alive, mp, gen](RestResult<DepthSnapshot>& r) {
    if (!alive.lock()) return;
    if (gen != mp->generation) {  // a reset happened meanwhile: this snapshot predates the new stream
      ++counters_.snapshots_stale;
      return;
    }
    mp->snapshot_in_flight = false;
    SyncAction a;
    if (r) {
      a = mp->sync.on_snapshot(*r, clock_.now_us());
      if (a == SyncAction::kRequestSnapshot) {  // too old: the REST book lags; ask again shortly
        schedule_snapshot(*mp);
        return;
      }
    } else {
      ++counters_.snapshot_failures;
      spdlog::warn("backpack depth snapshot for {} failed: {} {}", mp->spec.symbol, to_string(r.error().kind),
                   r.error().message);
      a = mp->sync.on_snapshot_failed();
      if (a == SyncAction::kRequestSnapshot) {
        schedule_snapshot(*mp);
        return;
      }
    }
    act(*mp, a);
  });
}

void MarketDataFeed::schedule_snapshot(Market& m) {
  schedule_snapshot(m, opts_.snapshot_retry_delay_us);
}

void MarketDataFeed::schedule_snapshot(Market& m, DurationUs delay_us) {
  if (m.retry_scheduled) return;
  m.retry_scheduled = true;
  m.retry_timer.expires_after(std::chrono::microseconds(delay_us));
  std::weak_ptr<bool> alive = alive_;
  Market* mp = &m;
  const std::uint64_t gen = m.generation;
  m.retry_timer.async_wait([this, alive, mp, gen](boost::system::error_code ec) {
    if (ec || !alive.lock()) return;
    mp->retry_scheduled = false;
    mp->first_wait = false;
    if (gen != mp->generation || mp->sync.synced()) return;  // synced meanwhile: nothing to ask
    request_snapshot(*mp);
  });
}

void MarketDataFeed::reset_all() {
  ++counters_.reconnect_resets;
  for (auto& m : markets_) {
    const bool was_valid = m->sync.synced();
    ++m->generation;
    m->snapshot_in_flight = false;
    m->retry_scheduled = false;
    m->first_wait = false;
    m->retry_timer.cancel();
    m->sync.reset();
    if (was_valid) {
      ++counters_.invalidations;
      notify(*m);
    }
  }
}

void MarketDataFeed::handle_book_ticker(const BookTickerEvent& e, TimestampUs received_us) {
  Market* m = find(e.symbol);
  if (!m) {
    ++counters_.unknown_symbol;
    return;
  }
  TopOfBook& t = m->top;
  t.has_bid = e.has_bid;
  t.has_ask = e.has_ask;
  t.bid_price = e.bid_price;
  t.bid_quantity = e.bid_quantity;
  t.ask_price = e.ask_price;
  t.ask_quantity = e.ask_quantity;
  t.update_id = e.update_id;
  t.event_time_us = e.event_time_us;
  t.engine_time_us = e.engine_time_us;
  t.received_us = received_us != 0 ? received_us : 1;
  if (on_book_ticker_) on_book_ticker_(m->spec.symbol, m->instrument);
}

void MarketDataFeed::handle_mark_price(const MarkPriceEvent& e, TimestampUs received_us) {
  Market* m = find(e.symbol);
  if (!m) {
    ++counters_.unknown_symbol;
    return;
  }
  MarkInfo& k = m->mark;
  k.mark_price = e.mark_price;
  k.has_funding = e.has_funding;
  k.funding_rate = e.funding_rate;
  k.index_price = e.index_price;
  k.next_funding_ms = e.next_funding_ms;
  k.event_time_us = e.event_time_us;
  k.received_us = received_us != 0 ? received_us : 1;
  if (on_mark_price_) on_mark_price_(m->spec.symbol, m->instrument);
}

void MarketDataFeed::handle_trade(const TradeEvent& e, TimestampUs received_us) {
  Market* m = find(e.symbol);
  if (!m) {
    ++counters_.unknown_symbol;
    return;
  }
  const TimestampUs at = e.engine_time_us != 0 ? e.engine_time_us : e.event_time_us;
  if (!m->trades || !e.price.is_positive() || !e.quantity.is_positive() || at <= 0) {
    ++counters_.trades_rejected;
    return;
  }
  ++counters_.trades;
  if (!on_trade_) return;
  MarketTrade t;
  t.price = e.price;
  t.quantity = e.quantity;
  t.buyer_is_maker = e.buyer_is_maker;
  t.trade_id = e.trade_id;
  t.trade_time_us = at;
  t.received_us = received_us;
  on_trade_(m->spec.symbol, t);
}

}  // namespace bparb::backpack
