#include "bparb/sim/replay_model.hpp"

#include <simdjson.h>

#include <map>
#include <stdexcept>
#include <unordered_map>

#include "bparb/book/depth_sync.hpp"
#include "bparb/venue/backpack/parsers.hpp"

namespace bparb::sim {

namespace {

constexpr std::string_view kPerpSuffix = "_PERP";

struct LevelOrders {
  std::vector<std::pair<OrderId, std::int64_t>> orders;  // oldest first: (order id, remaining lots)
  std::int64_t total = 0;
};

}  // namespace

struct ReplayModel::Impl final : ExchangeListener {
  struct Market {
    std::string symbol;  // exchange symbol
    MarketSpec spec;
    std::unique_ptr<OrderBook> book;
    std::unique_ptr<DepthSync> sync;
    std::map<std::int64_t, LevelOrders> bids;  // by price ticks
    std::map<std::int64_t, LevelOrders> asks;
    Market* index_market = nullptr;  // perp -> its spot market
    std::vector<Market*> perps;      // spot -> perps indexed on it
    std::map<std::int64_t, LevelOrders>& side(Side s) { return s == Side::kBid ? bids : asks; }
  };
  struct OrderLoc {
    Market* market;
    Side side;
    std::int64_t ticks;
  };

  Impl(Exchange& ex, record::FrameSource& src, ReplayOptions opts)
      : exchange(ex), source(src), options(std::move(opts)) {
    if (!(options.speed > 0)) throw std::invalid_argument("replay: speed must be > 0");
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
    for (OrderId id : {t.buyer_order_id, t.seller_order_id}) {
      auto it = locations.find(id);
      if (it == locations.end()) continue;
      const OrderLoc loc = it->second;
      auto& lvls = loc.market->side(loc.side);
      auto lit = lvls.find(loc.ticks);
      if (lit == lvls.end()) continue;
      const std::int64_t lots = t.quantity.to_units(loc.market->spec.step_size);
      for (std::size_t i = 0; i < lit->second.orders.size(); ++i) {
        auto& [oid, rem] = lit->second.orders[i];
        if (oid != id) continue;
        const std::int64_t take = std::min(rem, lots);
        rem -= take;
        lit->second.total -= take;
        if (rem == 0) {
          lit->second.orders.erase(lit->second.orders.begin() + static_cast<std::ptrdiff_t>(i));
          locations.erase(it);
        }
        break;
      }
      if (lit->second.orders.empty()) lvls.erase(lit);
    }
  }

  void refuse(const std::string& why) {
    ++stats.orders_refused;
    if (stats.first_refusal.empty()) stats.first_refusal = why;
  }

  // Sets the maker's resting quantity at one price to `target` lots.
  void set_level(Market& m, Side side, std::int64_t ticks, std::int64_t target) {
    auto& lvls = m.side(side);
    auto it = lvls.find(ticks);
    if (it == lvls.end()) {
      if (target <= 0) return;
      it = lvls.emplace(ticks, LevelOrders{}).first;
    }
    LevelOrders& lv = it->second;
    // Decrease: cancel the newest orders (they are last in the queue), re-add any shortfall below.
    while (lv.total > target && !lv.orders.empty()) {
      const auto [oid, rem] = lv.orders.back();
      lv.orders.pop_back();
      lv.total -= rem;
      locations.erase(oid);
      OrderRef ref;
      ref.order_id = oid;
      if (exchange.cancel(maker, m.symbol, ref)) ++stats.orders_cancelled;
    }
    if (lv.total < target) {
      SimOrderRequest req;
      req.symbol = m.symbol;
      req.side = side;
      req.order_type = OrderType::kLimit;
      req.price = m.spec.ticks_to_price(ticks);
      req.quantity = m.spec.lots_to_quantity(target - lv.total);
      req.time_in_force = TimeInForce::kGtc;
      auto r = exchange.execute(maker, req);
      if (!r) {
        refuse(m.symbol + ": " + r.error().code + " " + r.error().message);
      } else {
        ++stats.orders_placed;
        const SimOrder& o = *r;
        if (o.is_open()) {
          const std::int64_t rem = (*o.quantity - o.executed_quantity).to_units(m.spec.step_size);
          lv.orders.emplace_back(o.id, rem);
          lv.total += rem;
          locations[o.id] = {&m, side, ticks};
        } else if (o.status == OrderStatus::kExpired) {
          refuse(m.symbol + ": background order expired (crossed recorded book?)");
        }
      }
    }
    if (lv.orders.empty()) lvls.erase(it);
  }

  void clear_market(Market& m) {
    for (Side s : {Side::kBid, Side::kAsk}) {
      std::vector<std::int64_t> prices;
      for (const auto& [t, _] : m.side(s)) prices.push_back(t);
      for (std::int64_t t : prices) set_level(m, s, t, 0);
    }
  }

  // Whole-book reconcile after a (re)sync: removals first so that nothing crosses, then the rest.
  void reconcile(Market& m) {
    for (Side s : {Side::kBid, Side::kAsk}) {
      std::map<std::int64_t, std::int64_t> want;
      for (const PriceLevel& l : m.book->levels(s)) want[l.price_ticks] = l.qty_lots;
      std::vector<std::pair<std::int64_t, std::int64_t>> lower;
      for (const auto& [t, lv] : m.side(s)) {
        auto w = want.find(t);
        const std::int64_t target = w == want.end() ? 0 : w->second;
        if (target < lv.total) lower.emplace_back(t, target);
      }
      for (const auto& [t, q] : lower) set_level(m, s, t, q);
    }
    // Raise from the far end toward the touch on both sides.
    for (Side s : {Side::kBid, Side::kAsk}) {
      for (const PriceLevel& l : m.book->levels(s)) set_level(m, s, l.price_ticks, l.qty_lots);
    }
  }

  void apply_delta_levels(Market& m, const DepthDelta& d) {
    // Lower/remove first (both sides), then raise: a moving book never crosses the maker with itself.
    for (int pass = 0; pass < 2; ++pass) {
      for (Side s : {Side::kBid, Side::kAsk}) {
        for (const LevelUpdate& l : s == Side::kBid ? d.bids : d.asks) {
          if (!l.price.is_positive() || !l.price.is_multiple_of(m.spec.tick_size) || l.quantity.is_negative() ||
              !l.quantity.is_multiple_of(m.spec.step_size)) {
            continue;  // the book rejected it too (counted by DepthSync)
          }
          const std::int64_t ticks = l.price.to_units(m.spec.tick_size);
          const std::int64_t lots = l.quantity.to_units(m.spec.step_size);
          auto& lvls = m.side(s);
          auto it = lvls.find(ticks);
          const std::int64_t have = it == lvls.end() ? 0 : it->second.total;
          if ((pass == 0) == (lots < have)) set_level(m, s, ticks, lots);
        }
      }
    }
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

  void after_sync_action(Market& m, bool was_synced, SyncAction a, const DepthDelta* live) {
    if (was_synced && !m.sync->synced()) {
      ++stats.gaps;
      clear_market(m);
      return;
    }
    if (a != SyncAction::kBookUpdated) return;
    if (!was_synced) {
      ++stats.syncs;
      reconcile(m);
    } else if (live != nullptr) {
      apply_delta_levels(m, *live);
    }
    update_marks(m);
  }

  void apply_ws(const record::FrameLine& l) {
    if (backpack::parse_ws_frame(parser, backpack::JsonInput(l.payload), frame).code != backpack::ParseErrc::kOk) {
      ++stats.parse_errors;
      return;
    }
    switch (frame.type) {
      case backpack::WsFrameType::kDepth: {
        Market* m = market_for(frame.depth.symbol);
        if (m == nullptr) {
          ++stats.unknown_symbol;
          return;
        }
        ++stats.depth_frames;
        const bool was = m->sync->synced();
        exchange.batch_begin();
        const SyncAction a = m->sync->on_delta(frame.depth, l.receive_time_us);
        after_sync_action(*m, was, a, &frame.depth);
        exchange.batch_end();
        return;
      }
      case backpack::WsFrameType::kBookTicker:
        ++stats.book_tickers;
        return;
      case backpack::WsFrameType::kTrade:
        ++stats.trades;
        return;
      default:
        ++stats.other_frames;
        return;
    }
  }

  void apply_rest_depth(const record::FrameLine& l) {
    simdjson::dom::element doc;
    std::string_view sym;
    simdjson::dom::element data;
    if (dom.parse(l.payload.data(), l.payload.size()).get(doc) || doc["symbol"].get_string().get(sym) ||
        doc["data"].get(data)) {
      ++stats.parse_errors;
      return;
    }
    Market* m = market_for(sym);
    if (m == nullptr) {
      ++stats.unknown_symbol;
      return;
    }
    const std::string body = simdjson::minify(data);
    if (!backpack::parse_depth_snapshot(parser, backpack::JsonInput(body), snapshot).ok()) {
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
    simdjson::dom::element doc;
    std::string_view type;
    if (dom.parse(l.payload.data(), l.payload.size()).get(doc) || doc["type"].get_string().get(type)) {
      ++stats.parse_errors;
      return;
    }
    ++stats.events;
    if (type != "reconnect") return;  // gap/resync: DepthSync sees the ids themselves
    // A reconnect loses everything in flight: restart sync (for one symbol or all) and withdraw liquidity.
    std::string_view sym;
    const bool one = doc["symbol"].get_string().get(sym) == simdjson::SUCCESS;
    Market* only = one ? market_for(sym) : nullptr;
    if (one && only == nullptr) return;
    exchange.batch_begin();
    for (auto& m : markets) {
      if (only != nullptr && m.get() != only) continue;
      if (m->sync->synced()) ++stats.gaps;
      m->sync->reset();
      clear_market(*m);
    }
    exchange.batch_end();
  }

  bool apply_one() {
    if (!has_pending) return false;
    switch (pending.kind) {
      case record::FrameKind::kWs:
        apply_ws(pending);
        break;
      case record::FrameKind::kRestDepth:
        apply_rest_depth(pending);
        break;
      case record::FrameKind::kEvent:
        apply_event(pending);
        break;
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
  std::unordered_map<OrderId, OrderLoc> locations;
  record::FrameLine pending;
  bool has_pending = false;
  TimestampUs recording_start = 0;
  bool started = false;
  TimestampUs replay_start = 0;
  backpack::JsonParser parser;
  backpack::WsFrame frame;
  DepthSnapshot snapshot;
  simdjson::dom::parser dom;
  ReplayStats stats;
};

ReplayModel::ReplayModel(Exchange& exchange, record::FrameSource& source, ReplayOptions options)
    : impl_(std::make_unique<Impl>(exchange, source, std::move(options))) {}

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
