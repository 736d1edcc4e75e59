#include "bparb/sim/order_book_sim.hpp"

#include <algorithm>

namespace bparb::sim {

void OrderBookSim::add(Side side, std::int64_t price_ticks, const BookEntry& e) {
  Level& lvl = side_levels(side)[price_ticks];
  std::uint32_t n = free_;
  if (n != kNoNode) {
    free_ = nodes_[n].next;
  } else {
    n = static_cast<std::uint32_t>(nodes_.size());
    nodes_.emplace_back();
  }
  nodes_[n] = Node{e, lvl.tail, kNoNode};
  if (lvl.tail != kNoNode) {
    nodes_[lvl.tail].next = n;
  } else {
    lvl.head = n;
  }
  lvl.tail = n;
  touched_before_.push_back(lvl.total_lots);
  lvl.total_lots += e.remaining_lots;
  ++count_;
  touched_.emplace_back(side, price_ticks);
}

std::uint32_t OrderBookSim::find_in(const Level& l, OrderId id, bool newest_first) const noexcept {
  if (newest_first) {
    for (std::uint32_t n = l.tail; n != kNoNode; n = nodes_[n].prev)
      if (nodes_[n].entry.id == id) return n;
    return kNoNode;
  }
  for (std::uint32_t n = l.head; n != kNoNode; n = nodes_[n].next)
    if (nodes_[n].entry.id == id) return n;
  return kNoNode;
}

void OrderBookSim::erase_node(LevelMap& m, LevelMap::iterator it, std::uint32_t node) noexcept {
  Level& l = it->second;
  const Node& x = nodes_[node];
  if (x.prev != kNoNode) {
    nodes_[x.prev].next = x.next;
  } else {
    l.head = x.next;
  }
  if (x.next != kNoNode) {
    nodes_[x.next].prev = x.prev;
  } else {
    l.tail = x.prev;
  }
  nodes_[node].next = free_;
  free_ = node;
  --count_;
  if (l.head == kNoNode) m.erase(it);
}

std::int64_t OrderBookSim::remove(Side side, std::int64_t price_ticks, OrderId id) {
  LevelMap& m = side_levels(side);
  const auto it = m.find(price_ticks);
  if (it == m.end()) return 0;
  // Ids are unique, so the search order does not change the answer; cancels mostly hit recent orders.
  const std::uint32_t n = find_in(it->second, id, true);
  if (n == kNoNode) return 0;
  const std::int64_t lots = nodes_[n].entry.remaining_lots;
  touched_before_.push_back(it->second.total_lots);
  it->second.total_lots -= lots;
  erase_node(m, it, n);
  touched_.emplace_back(side, price_ticks);
  return lots;
}

bool OrderBookSim::reduce(Side side, std::int64_t price_ticks, OrderId id, std::int64_t lots) {
  LevelMap& m = side_levels(side);
  const auto it = m.find(price_ticks);
  if (it == m.end()) return false;
  const std::uint32_t n = find_in(it->second, id, false);  // fills hit the front of the queue
  if (n == kNoNode) return false;
  BookEntry& e = nodes_[n].entry;
  if (lots > e.remaining_lots) lots = e.remaining_lots;
  touched_before_.push_back(it->second.total_lots);
  e.remaining_lots -= lots;
  it->second.total_lots -= lots;
  if (e.remaining_lots == 0) erase_node(m, it, n);
  touched_.emplace_back(side, price_ticks);
  return true;
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
  const LevelMap& m = side_levels(side);
  if (m.empty()) return std::nullopt;
  return m.begin()->first;
}

std::int64_t OrderBookSim::best_lots(Side side) const noexcept {
  const LevelMap& m = side_levels(side);
  return m.empty() ? 0 : m.begin()->second.total_lots;
}

const OrderBookSim::Level* OrderBookSim::level(Side side, std::int64_t price_ticks) const noexcept {
  const LevelMap& m = side_levels(side);
  const auto it = m.find(price_ticks);
  return it == m.end() ? nullptr : &it->second;
}

std::int64_t OrderBookSim::level_lots(Side side, std::int64_t price_ticks) const noexcept {
  const Level* l = level(side, price_ticks);
  return l ? l->total_lots : 0;
}

}  // namespace bparb::sim
