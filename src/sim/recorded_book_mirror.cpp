#include "bparb/sim/recorded_book_mirror.hpp"

#include <algorithm>
#include <limits>

namespace bparb::sim {

std::int64_t book_level_lots(const OrderBook& book, Side side, std::int64_t ticks) noexcept {
  return book.lots_at(side, ticks);
}

RecordedBookMirror::RecordedBookMirror(Exchange& exchange, AccountId maker, const MarketSpec& spec,
                                       MirrorCounters& counters)
    : exchange_(exchange), maker_(maker), spec_(spec), counters_(counters), units_(spec.tick_size, spec.step_size) {}

void NotedPrices::add(std::int64_t ticks) {
  if (empty_) {
    base_ = ticks - static_cast<std::int64_t>(kSpan / 2);
    empty_ = false;
  }
  // Unsigned: a price below base_ wraps to a large offset and is listed like one above the span.
  const std::uint64_t off = static_cast<std::uint64_t>(ticks) - static_cast<std::uint64_t>(base_);
  if (off >= kSpan) return outside_.push_back(ticks);
  const std::size_t w = off / 64;
  bits_[w] |= std::uint64_t{1} << (off % 64);
  lo_word_ = std::min(lo_word_, w);
  hi_word_ = std::max(hi_word_, w);
}

void NotedPrices::clear() noexcept {
  for (std::size_t w = lo_word_; w <= hi_word_ && w < bits_.size(); ++w) bits_[w] = 0;
  lo_word_ = std::numeric_limits<std::size_t>::max();
  hi_word_ = 0;
  outside_.clear();
  empty_ = true;
}

void RecordedBookMirror::clear_dirty() noexcept {
  dirty_bids_.clear();
  dirty_asks_.clear();
  noted_ = 0;
}

bool RecordedBookMirror::noting(bool was_synced, SyncAction a, bool synced) noexcept {
  if (!was_synced || a != SyncAction::kBookUpdated || full_) {
    if (!synced || a == SyncAction::kBookUpdated) full_ = true;
    return false;
  }
  if (noted_ > 65'536) {  // long quiet stretch: one full compare is cheaper than the list
    full_ = true;
    clear_dirty();
    return false;
  }
  return true;
}

void RecordedBookMirror::note_applied(bool was_synced, SyncAction a, bool synced, const OrderBook& book) {
  if (!noting(was_synced, a, synced)) return;
  for (Side s : {Side::kBid, Side::kAsk}) {
    NotedPrices& dirty = s == Side::kBid ? dirty_bids_ : dirty_asks_;
    const std::span<const std::int64_t> ticks = book.applied_ticks(s);
    for (const std::int64_t t : ticks) dirty.add(t);
    noted_ += ticks.size();
  }
}

void RecordedBookMirror::note_delta(bool was_synced, SyncAction a, bool synced, const DepthDelta& d) {
  if (!noting(was_synced, a, synced)) return;
  for (Side s : {Side::kBid, Side::kAsk}) {
    NotedPrices& dirty = s == Side::kBid ? dirty_bids_ : dirty_asks_;
    for (const LevelUpdate& l : s == Side::kBid ? d.bids : d.asks) {
      std::int64_t ticks = 0;
      std::int64_t lots = 0;
      // Only levels the book accepted: a rejected one did not change the recorded book.
      if (units_.convert(l.price, l.quantity, ticks, lots) != LevelError::kOk) continue;
      dirty.add(ticks);
      ++noted_;
    }
  }
}

void RecordedBookMirror::sync(const OrderBook& book) {
  if (!book.valid()) {
    if (!withdrawn_) {
      exchange_.batch_begin();
      withdraw();
      exchange_.batch_end();
      withdrawn_ = true;
    }
    full_ = true;
    clear_dirty();
    return;
  }
  exchange_.batch_begin();
  if (full_ || withdrawn_) {
    reconcile(book);
  } else {
    sync_dirty(book);
  }
  exchange_.batch_end();
  clear_dirty();
  full_ = false;
  withdrawn_ = false;
}

// The noted levels in (side, price) order, bids first: lowered first, then raised. Each level's recorded and
// background quantities are looked up once; a level's background changes only through its own set_level()
// (our orders trade only with the level being set), so the raise pass re-reads only the levels it raises.
void RecordedBookMirror::sync_dirty(const OrderBook& book) {
  pending_.clear();
  for (Side s : {Side::kBid, Side::kAsk}) {
    (s == Side::kBid ? dirty_bids_ : dirty_asks_).for_each([&](std::int64_t ticks) {
      const std::int64_t want = book_level_lots(book, s, ticks);
      const std::int64_t have = background_lots(s, ticks);
      if (want == have) return;
      if (want < have) set_level(s, ticks, want);
      pending_.push_back(Pending{s, ticks, want});
    });
  }
  for (const Pending& p : pending_)
    if (p.want > background_lots(p.side, p.ticks)) set_level(p.side, p.ticks, p.want);
}

void RecordedBookMirror::reconcile(const OrderBook& book) {
  for (Side s : {Side::kBid, Side::kAsk}) {
    std::vector<std::pair<std::int64_t, std::int64_t>> lower;
    for (const auto& [t, lv] : levels(s)) {
      const std::int64_t want = book_level_lots(book, s, t);
      if (want < lv.total) lower.emplace_back(t, want);
    }
    for (const auto& [t, q] : lower) set_level(s, t, q);
  }
  // Raise from the far end toward the touch on both sides.
  for (Side s : {Side::kBid, Side::kAsk})
    for (const PriceLevel& l : book.levels(s)) set_level(s, l.price_ticks, l.qty_lots);
}

void RecordedBookMirror::withdraw() {
  for (Side s : {Side::kBid, Side::kAsk}) {
    std::vector<std::int64_t> prices;
    for (const auto& [t, lv] : levels(s)) prices.push_back(t);
    for (std::int64_t t : prices) set_level(s, t, 0);
  }
}

void RecordedBookMirror::set_level(Side side, std::int64_t ticks, std::int64_t target) {
  Levels& lvls = levels(side);
  auto it = lvls.find(ticks);
  if (it == lvls.end()) {
    if (target <= 0) return;
    it = open_level(lvls, ticks);
  }
  LevelOrders& lv = it->second;
  // Decrease: cancel the newest orders (they are last in the queue), re-add any shortfall below.
  while (lv.total > target && !lv.orders.empty()) {
    const auto [oid, rem] = lv.orders.back();
    lv.orders.pop_back();
    lv.total -= rem;
    OrderRef ref;
    ref.order_id = oid;
    if (exchange_.cancel(maker_, spec_.symbol, ref)) ++counters_.orders_cancelled;
  }
  if (lv.total < target) {
    SimOrderRequest req;
    req.symbol = spec_.symbol;
    req.side = side;
    req.order_type = OrderType::kLimit;
    req.price = spec_.ticks_to_price(ticks);
    const std::int64_t lots = target - lv.total;
    req.quantity = spec_.lots_to_quantity(lots);
    req.time_in_force = TimeInForce::kGtc;
    auto r = exchange_.execute(maker_, req);
    // An order crossing one of ours trades on arrival, and on_trade() may erase this level while it is
    // empty: `lv` and `it` are not used past execute(), the level is looked up again.
    it = lvls.find(ticks);
    if (!r) {
      refuse(nullptr, reject_name(r.error()));
    } else {
      ++counters_.orders_placed;
      const SimOrder& o = *r;
      if (o.is_open()) {
        // Usually nothing traded on arrival: the order rests with what was asked (no division).
        const std::int64_t rem =
            o.executed_quantity.is_zero() ? lots : (*o.quantity - o.executed_quantity).to_units(spec_.step_size);
        if (it == lvls.end()) it = open_level(lvls, ticks);
        it->second.orders.emplace_back(o.id, rem);
        it->second.total += rem;
      } else if (o.status == OrderStatus::kExpired) {
        refuse("background order expired (crossed recorded book?)", {});
      }
    }
  }
  if (it != lvls.end() && it->second.orders.empty()) close_level(lvls, it);
}

RecordedBookMirror::Levels::iterator RecordedBookMirror::open_level(Levels& lvls, std::int64_t ticks) {
  LevelOrders lv;
  if (!spare_orders_.empty()) {
    lv.orders = std::move(spare_orders_.back());
    spare_orders_.pop_back();
  }
  return lvls.emplace(ticks, std::move(lv)).first;
}

void RecordedBookMirror::close_level(Levels& lvls, Levels::iterator it) {
  it->second.orders.clear();
  spare_orders_.push_back(std::move(it->second.orders));
  lvls.erase(it);
}

void RecordedBookMirror::refuse(const char* what, std::string_view reject) {
  ++counters_.orders_refused;
  if (!counters_.first_refusal.empty()) return;  // the message is built once: refusals may be frequent
  counters_.first_refusal = spec_.symbol + ": " + (what != nullptr ? std::string(what) : std::string(reject));
}

// A background order trades only as the resting maker (one that crosses on arrival is not listed yet when
// its trades are reported), so at its own level: the buyer's on the bid side, the seller's on the ask side.
void RecordedBookMirror::on_trade(const TradeEvent& t) {
  const std::int64_t ticks = t.price.to_units(spec_.tick_size);
  for (const auto& [id, side] : {std::pair{t.buyer_order_id, Side::kBid}, std::pair{t.seller_order_id, Side::kAsk}}) {
    Levels& lvls = levels(side);
    auto lit = lvls.find(ticks);
    if (lit == lvls.end()) continue;
    const std::int64_t lots = t.quantity.to_units(spec_.step_size);
    auto& orders_at = lit->second.orders;
    for (std::size_t i = 0; i < orders_at.size(); ++i) {
      auto& [oid, rem] = orders_at[i];
      if (oid != id) continue;
      const std::int64_t take = std::min(rem, lots);
      rem -= take;
      lit->second.total -= take;
      if (rem == 0) orders_at.erase(orders_at.begin() + static_cast<std::ptrdiff_t>(i));
      break;
    }
    if (orders_at.empty()) close_level(lvls, lit);
  }
}

std::int64_t RecordedBookMirror::background_lots(Side side, std::int64_t ticks) const noexcept {
  const Levels& lvls = side == Side::kBid ? bids_ : asks_;
  const auto it = lvls.find(ticks);
  return it == lvls.end() ? 0 : it->second.total;
}

}  // namespace bparb::sim
