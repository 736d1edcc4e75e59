#include "bparb/sim/replay_model.hpp"

#include <map>
#include <stdexcept>

#include "bparb/book/depth_sync.hpp"
#include "bparb/sim/recorded_book_mirror.hpp"

namespace bparb::sim {

namespace {

constexpr std::string_view kPerpSuffix = "_PERP";

}  // namespace

struct ReplayModel::Impl final : ExchangeListener {
  struct Market {
    std::string symbol;  // exchange symbol
    MarketSpec spec;
    std::unique_ptr<OrderBook> book;
    std::unique_ptr<DepthSync> sync;
    std::unique_ptr<RecordedBookMirror> mirror;  // the exchange's background liquidity = book
    Market* index_market = nullptr;              // perp -> its spot market
    std::vector<Market*> perps;                  // spot -> perps indexed on it
  };

  Impl(Exchange& ex, record::FrameSource& src, std::unique_ptr<RecordedFrameDecoder> decoder, ReplayOptions opts)
      : exchange(ex), source(src), options(std::move(opts)), frames(std::move(decoder)) {
    if (!(options.speed > 0)) throw std::invalid_argument("replay: speed must be > 0");
    if (!frames) throw std::invalid_argument("replay: no decoder for the recorded frames");
    if (auto a = exchange.find_account(options.maker_api_key)) {
      maker = *a;
    } else {
      AccountSetup s;
      s.api_key = options.maker_api_key;
      s.unlimited = true;
      maker = exchange.add_account(s);
    }
    for (const MarketSpec& spec : exchange.markets()) {
      auto m = std::make_unique<Market>();
      m->symbol = spec.symbol;
      m->spec = spec;
      m->book = std::make_unique<OrderBook>(spec);
      DepthSyncConfig sc;
      sc.snapshot_delay = 0;   // snapshots come from the recording, never requested
      sc.max_buffered = 4096;  // deltas before the first rest_depth line (older ones would be dropped anyway)
      sc.reserve_levels = 4;
      m->sync = std::make_unique<DepthSync>(*m->book, sc);
      m->mirror = std::make_unique<RecordedBookMirror>(exchange, maker, m->spec, stats);
      by_symbol[spec.symbol] = m.get();
      markets.push_back(std::move(m));
    }
    for (auto& m : markets) {
      const std::string_view s = m->symbol;
      if (m->spec.is_perp() && s.size() > kPerpSuffix.size() && s.ends_with(kPerpSuffix)) {
        auto it = by_symbol.find(s.substr(0, s.size() - kPerpSuffix.size()));
        if (it != by_symbol.end()) {
          m->index_market = it->second;
          it->second->perps.push_back(m.get());
        }
      }
    }
    for (const auto& [rec, ex_sym] : options.symbol_map) {
      auto it = by_symbol.find(ex_sym);
      if (it != by_symbol.end()) recorded_to_market[rec] = it->second;
    }
    exchange.add_listener(this);
    has_pending = source.next(pending);
    recording_start =
        options.recording_start_us != 0 ? options.recording_start_us : (has_pending ? pending.receive_time_us : 0);
  }

  ~Impl() override { exchange.remove_listener(this); }

  Market* market_for(std::string_view recorded_symbol) {
    if (!recorded_to_market.empty()) {
      auto it = recorded_to_market.find(recorded_symbol);
      if (it != recorded_to_market.end()) return it->second;
    }
    for (const auto& [rec, ex_sym] : options.symbol_map) {
      if (rec == recorded_symbol) return nullptr;  // mapped to a market the exchange lacks
    }
    auto it = by_symbol.find(recorded_symbol);
    return it == by_symbol.end() ? nullptr : it->second;
  }

  // ---- ExchangeListener: our own orders (or anyone's) consuming background liquidity.
  void on_trade(const TradeEvent& t) override {
    auto it = by_symbol.find(t.symbol);
    if (it != by_symbol.end()) it->second->mirror->on_trade(t);
  }

  static bool has_mid(const Market& x) {
    return x.book->valid() && !x.book->empty(Side::kBid) && !x.book->empty(Side::kAsk);
  }

  // Perp: mark = its mid, index = the spot mid (the exchange's current index while the spot book is not
  // valid, so a missing spot book never fakes a zero premium). Spot: mark = index = its mid.
  void set_perp_marks(const Market& p) {
    if (!has_mid(p)) return;
    Decimal index;
    if (p.index_market != nullptr && has_mid(*p.index_market)) {
      index = p.index_market->book->mid();
    } else if (auto mp = exchange.mark_price(p.symbol)) {
      index = mp->index_price;
    } else {
      return;
    }
    exchange.set_mark_index(p.symbol, p.book->mid(), index);
  }

  void update_marks(Market& m) {
    if (!options.set_marks || !has_mid(m)) return;
    if (m.spec.is_perp()) {
      set_perp_marks(m);
      return;
    }
    exchange.set_mark_index(m.symbol, m.book->mid(), m.book->mid());
    for (const Market* p : m.perps) set_perp_marks(*p);
  }

  // After DepthSync took a delta (`live`) or a snapshot (nullptr): mirror what changed, at once.
  void after_sync_action(Market& m, bool was_synced, SyncAction a, const DepthDelta* live) {
    const bool synced = m.sync->synced();
    if (live != nullptr) m.mirror->note_delta(was_synced, a, synced, *live);
    // A snapshot only changes the book when it syncs it, and then the mirror is withdrawn: it reconciles.
    m.mirror->sync(*m.book);
    if (was_synced && !synced) {
      ++stats.gaps;
      return;
    }
    if (a != SyncAction::kBookUpdated) return;
    if (!was_synced) ++stats.syncs;
    update_marks(m);
  }

  void apply_ws(const record::FrameLine& l) {
    if (!frames->ws_frame(l.payload, frame)) {
      ++stats.parse_errors;
      return;
    }
    switch (frame.kind) {
      case RecordedFrameKind::kDepth: {
        const DepthDelta* depth = frame.depth;
        Market* m = market_for(depth->symbol);
        if (m == nullptr) {
          ++stats.unknown_symbol;
          return;
        }
        ++stats.depth_frames;
        const bool was = m->sync->synced();
        exchange.batch_begin();
        const SyncAction a = m->sync->on_delta(*depth, l.receive_time_us);
        after_sync_action(*m, was, a, depth);
        exchange.batch_end();
        return;
      }
      case RecordedFrameKind::kBookTicker:
        ++stats.book_tickers;
        return;
      case RecordedFrameKind::kTrade:
        ++stats.trades;
        return;
      case RecordedFrameKind::kMarkPrice:
      case RecordedFrameKind::kOther:
      case RecordedFrameKind::kSnapshot:  // not from Backpack's decoder, the only venue replayed here
        ++stats.other_frames;
        return;
    }
  }

  void apply_rest_depth(const record::FrameLine& l) {
    std::string_view sym;
    if (!frames->rest_depth_symbol(l.payload, sym)) {
      ++stats.parse_errors;
      return;
    }
    Market* m = market_for(sym);
    if (m == nullptr) {
      ++stats.unknown_symbol;
      return;
    }
    if (!frames->rest_depth_snapshot(snapshot)) {
      ++stats.parse_errors;
      return;
    }
    ++stats.snapshots;
    const bool was = m->sync->synced();
    exchange.batch_begin();
    const SyncAction a = m->sync->on_snapshot(snapshot, l.receive_time_us);
    after_sync_action(*m, was, a, nullptr);
    exchange.batch_end();
  }

  void apply_event(const record::FrameLine& l) {
    RecordedEvent ev;
    if (!frames->event(l.payload, ev)) {
      ++stats.parse_errors;
      return;
    }
    ++stats.events;
    if (ev.type != "reconnect") return;  // gap/resync: DepthSync sees the ids themselves
    // A reconnect loses everything in flight: restart sync (for one symbol or all) and withdraw liquidity.
    Market* only = ev.symbol ? market_for(*ev.symbol) : nullptr;
    if (ev.symbol && only == nullptr) return;
    exchange.batch_begin();
    for (auto& m : markets) {
      if (only != nullptr && m.get() != only) continue;
      if (m->sync->synced()) ++stats.gaps;
      m->sync->reset();
      m->mirror->sync(*m->book);  // the book is invalid now: liquidity withdrawn
    }
    exchange.batch_end();
  }

  bool apply_one() {
    if (!has_pending) return false;
    if (pending.venue != frames->venue()) {
      ++stats.other_venue;  // another venue's data: this model replays one venue
    } else if (pending.kind == record::FrameKind::kWs) {
      apply_ws(pending);
    } else if (pending.kind == record::FrameKind::kRestDepth) {
      apply_rest_depth(pending);
    } else {
      apply_event(pending);
    }
    ++stats.lines;
    has_pending = source.next(pending);
    return true;
  }

  std::size_t apply_until(TimestampUs t) {
    std::size_t n = 0;
    while (has_pending && pending.receive_time_us <= t) {
      apply_one();
      ++n;
    }
    return n;
  }

  Exchange& exchange;
  record::FrameSource& source;
  ReplayOptions options;
  AccountId maker = 0;
  std::vector<std::unique_ptr<Market>> markets;
  std::map<std::string, Market*, std::less<>> by_symbol;
  std::map<std::string, Market*, std::less<>> recorded_to_market;
  record::FrameLine pending;
  bool has_pending = false;
  TimestampUs recording_start = 0;
  bool started = false;
  TimestampUs replay_start = 0;
  std::unique_ptr<RecordedFrameDecoder> frames;  // the venue's recorded line formats
  RecordedWsFrame frame;
  DepthSnapshot snapshot;
  ReplayStats stats;
};

ReplayModel::ReplayModel(Exchange& exchange, record::FrameSource& source, std::unique_ptr<RecordedFrameDecoder> frames,
                         ReplayOptions options)
    : impl_(std::make_unique<Impl>(exchange, source, std::move(frames), std::move(options))) {}

ReplayModel::~ReplayModel() = default;

void ReplayModel::step(TimestampUs now) {
  Impl& s = *impl_;
  if (!s.started) {
    s.started = true;
    s.replay_start = now;
  }
  const double elapsed = static_cast<double>(now - s.replay_start) * s.options.speed;
  s.apply_until(s.recording_start + static_cast<TimestampUs>(elapsed));
  s.exchange.advance_to(now);
}

std::size_t ReplayModel::apply_until(TimestampUs recording_time_us) {
  return impl_->apply_until(recording_time_us);
}
bool ReplayModel::apply_next() {
  return impl_->apply_one();
}
bool ReplayModel::finished() const noexcept {
  return !impl_->has_pending;
}
TimestampUs ReplayModel::recording_start_us() const noexcept {
  return impl_->recording_start;
}
TimestampUs ReplayModel::next_line_time_us() const noexcept {
  return impl_->has_pending ? impl_->pending.receive_time_us : -1;
}
const OrderBook* ReplayModel::recorded_book(std::string_view symbol) const noexcept {
  auto it = impl_->by_symbol.find(symbol);
  return it == impl_->by_symbol.end() ? nullptr : it->second->book.get();
}
bool ReplayModel::synced(std::string_view symbol) const noexcept {
  auto it = impl_->by_symbol.find(symbol);
  return it != impl_->by_symbol.end() && it->second->sync->synced();
}
AccountId ReplayModel::maker_account() const noexcept {
  return impl_->maker;
}
const ReplayStats& ReplayModel::stats() const noexcept {
  return impl_->stats;
}

}  // namespace bparb::sim
