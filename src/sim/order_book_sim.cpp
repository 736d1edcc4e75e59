#include "bparb/sim/order_book_sim.hpp"

#include <algorithm>

namespace bparb::sim {

void OrderBookSim::add(Side side, std::int64_t price_ticks, const BookEntry& e) {
  BookLevel& lvl = side == Side::kBid ? bids_[price_ticks] : asks_[price_ticks];
  touched_before_.push_back(lvl.total_lots);
  lvl.queue.push_back(e);
  lvl.total_lots += e.remaining_lots;
  ++count_;
  touched_.emplace_back(side, price_ticks);
}

template <class M>
std::int64_t OrderBookSim::remove_in(M& m, Side side, std::int64_t price_ticks, OrderId id) {
  auto it = m.find(price_ticks);
  if (it == m.end()) return 0;
  auto& q = it->second.queue;
  for (auto e = q.begin(); e != q.end(); ++e) {
    if (e->id != id) continue;
    const std::int64_t lots = e->remaining_lots;
    touched_before_.push_back(it->second.total_lots);
    it->second.total_lots -= lots;
    q.erase(e);
    --count_;
    if (q.empty()) m.erase(it);
    touched_.emplace_back(side, price_ticks);
    return lots;
  }
  return 0;
}

std::int64_t OrderBookSim::remove(Side side, std::int64_t price_ticks, OrderId id) {
  return side == Side::kBid ? remove_in(bids_, side, price_ticks, id) : remove_in(asks_, side, price_ticks, id);
}

template <class M>
bool OrderBookSim::reduce_in(M& m, Side side, std::int64_t price_ticks, OrderId id, std::int64_t lots) {
  auto it = m.find(price_ticks);
  if (it == m.end()) return false;
  auto& q = it->second.queue;
  for (auto e = q.begin(); e != q.end(); ++e) {
    if (e->id != id) continue;
    if (lots > e->remaining_lots) lots = e->remaining_lots;
    touched_before_.push_back(it->second.total_lots);
    e->remaining_lots -= lots;
    it->second.total_lots -= lots;
    if (e->remaining_lots == 0) {
      q.erase(e);
      --count_;
    }
    if (q.empty()) m.erase(it);
    touched_.emplace_back(side, price_ticks);
    return true;
  }
  return false;
}

bool OrderBookSim::reduce(Side side, std::int64_t price_ticks, OrderId id, std::int64_t lots) {
  return side == Side::kBid ? reduce_in(bids_, side, price_ticks, id, lots)
                            : reduce_in(asks_, side, price_ticks, id, lots);
}

const std::vector<std::pair<Side, std::int64_t>>& OrderBookSim::take_changed() {
  touch_scratch_.clear();
  for (std::size_t i = 0; i < touched_.size(); ++i)
    touch_scratch_.push_back(TouchScratch{touched_[i].first, touched_[i].second, i, touched_before_[i]});
  // By level, then by write order: the first write of each level holds its total at the last publish.
  std::sort(touch_scratch_.begin(), touch_scratch_.end(), [](const TouchScratch& a, const TouchScratch& b) {
    if (a.side != b.side) return a.side < b.side;
    if (a.ticks != b.ticks) return a.ticks < b.ticks;
    return a.seq < b.seq;
  });
  changed_.clear();
  for (std::size_t i = 0; i < touch_scratch_.size(); ++i) {
    const TouchScratch& t = touch_scratch_[i];
    if (i > 0 && touch_scratch_[i - 1].side == t.side && touch_scratch_[i - 1].ticks == t.ticks) continue;
    if (level_lots(t.side, t.ticks) != t.before) changed_.emplace_back(t.side, t.ticks);
  }
  clear_touched();
  return changed_;
}

std::optional<std::int64_t> OrderBookSim::best_price(Side side) const noexcept {
  if (side == Side::kBid) {
    if (bids_.empty()) return std::nullopt;
    return bids_.begin()->first;
  }
  if (asks_.empty()) return std::nullopt;
  return asks_.begin()->first;
}

std::int64_t OrderBookSim::best_lots(Side side) const noexcept {
  if (side == Side::kBid) return bids_.empty() ? 0 : bids_.begin()->second.total_lots;
  return asks_.empty() ? 0 : asks_.begin()->second.total_lots;
}

const BookLevel* OrderBookSim::level(Side side, std::int64_t price_ticks) const noexcept {
  if (side == Side::kBid) {
    auto it = bids_.find(price_ticks);
    return it == bids_.end() ? nullptr : &it->second;
  }
  auto it = asks_.find(price_ticks);
  return it == asks_.end() ? nullptr : &it->second;
}

std::int64_t OrderBookSim::level_lots(Side side, std::int64_t price_ticks) const noexcept {
  const BookLevel* l = level(side, price_ticks);
  return l ? l->total_lots : 0;
}

}  // namespace bparb::sim
