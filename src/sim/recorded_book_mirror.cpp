#include "bparb/sim/recorded_book_mirror.hpp"

#include <algorithm>

namespace bparb::sim {

std::int64_t book_level_lots(const OrderBook& book, Side side, std::int64_t ticks) noexcept {
  return book.lots_at(side, ticks);
}

RecordedBookMirror::RecordedBookMirror(Exchange& exchange, AccountId maker, const MarketSpec& spec,
                                       MirrorCounters& counters)
    : exchange_(exchange), maker_(maker), spec_(spec), counters_(counters) {}

void RecordedBookMirror::note_delta(bool was_synced, SyncAction a, bool synced, const DepthDelta& d) {
  if (!was_synced || a != SyncAction::kBookUpdated || full_) {
    if (!synced || a == SyncAction::kBookUpdated) full_ = true;
    return;
  }
  if (dirty_.size() > 65'536) {  // long quiet stretch: one full compare is cheaper than the list
    full_ = true;
    dirty_.clear();
    return;
  }
  for (Side s : {Side::kBid, Side::kAsk}) {
    for (const LevelUpdate& l : s == Side::kBid ? d.bids : d.asks) {
      // Only levels the book accepted: a rejected one did not change the recorded book.
      if (!l.price.is_positive() || !l.price.is_multiple_of(spec_.tick_size) || l.quantity.is_negative() ||
          !l.quantity.is_multiple_of(spec_.step_size)) {
        continue;
      }
      dirty_.emplace_back(s, l.price.to_units(spec_.tick_size));
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
    dirty_.clear();
    return;
  }
  exchange_.batch_begin();
  if (full_ || withdrawn_) {
    reconcile(book);
  } else if (!dirty_.empty()) {
    std::sort(dirty_.begin(), dirty_.end());
    dirty_.erase(std::unique(dirty_.begin(), dirty_.end()), dirty_.end());
    for (int pass = 0; pass < 2; ++pass) {
      for (const auto& [side, ticks] : dirty_) {
        const std::int64_t want = book_level_lots(book, side, ticks);
        const std::int64_t have = background_lots(side, ticks);
        if ((pass == 0) == (want < have) && want != have) set_level(side, ticks, want);
      }
    }
  }
  exchange_.batch_end();
  dirty_.clear();
  full_ = false;
  withdrawn_ = false;
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
    it = lvls.emplace(ticks, LevelOrders{}).first;
  }
  LevelOrders& lv = it->second;
  // Decrease: cancel the newest orders (they are last in the queue), re-add any shortfall below.
  while (lv.total > target && !lv.orders.empty()) {
    const auto [oid, rem] = lv.orders.back();
    lv.orders.pop_back();
    lv.total -= rem;
    locations_.erase(oid);
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
    req.quantity = spec_.lots_to_quantity(target - lv.total);
    req.time_in_force = TimeInForce::kGtc;
    auto r = exchange_.execute(maker_, req);
    if (!r) {
      refuse(nullptr, reject_name(r.error()));
    } else {
      ++counters_.orders_placed;
      const SimOrder& o = *r;
      if (o.is_open()) {
        const std::int64_t rem = (*o.quantity - o.executed_quantity).to_units(spec_.step_size);
        lv.orders.emplace_back(o.id, rem);
        lv.total += rem;
        locations_[o.id] = {side, ticks};
      } else if (o.status == OrderStatus::kExpired) {
        refuse("background order expired (crossed recorded book?)", {});
      }
    }
  }
  if (lv.orders.empty()) lvls.erase(it);
}

void RecordedBookMirror::refuse(const char* what, std::string_view reject) {
  ++counters_.orders_refused;
  if (!counters_.first_refusal.empty()) return;  // the message is built once: refusals may be frequent
  counters_.first_refusal = spec_.symbol + ": " + (what != nullptr ? std::string(what) : std::string(reject));
}

void RecordedBookMirror::on_trade(const TradeEvent& t) {
  for (OrderId id : {t.buyer_order_id, t.seller_order_id}) {
    auto it = locations_.find(id);
    if (it == locations_.end()) continue;
    const auto [side, ticks] = it->second;
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
      if (rem == 0) {
        orders_at.erase(orders_at.begin() + static_cast<std::ptrdiff_t>(i));
        locations_.erase(it);
      }
      break;
    }
    if (orders_at.empty()) lvls.erase(lit);
  }
}

std::int64_t RecordedBookMirror::background_lots(Side side, std::int64_t ticks) const noexcept {
  const Levels& lvls = side == Side::kBid ? bids_ : asks_;
  const auto it = lvls.find(ticks);
  return it == lvls.end() ? 0 : it->second.total;
}

}  // namespace bparb::sim
