#pragma once
// Price-time priority limit order book on integer ticks and lots, used by the simulated exchange's
// matching engine. It knows nothing about accounts' money: it keeps queues, level totals and a
// journal of touched levels (so the exchange can publish one depth delta per operation).
//
// A warm book does not allocate: each side's levels are a map whose nodes come from a node pool
// (sim/node_pool.hpp), and each level's queue is a doubly linked list of order nodes taken from one array
// shared by both sides and given back on removal. (A sorted array of levels was tried: the background book
// of a replay is thousands of levels deep and most of its level changes are deep, so every insert and
// erase moved thousands of levels.)
#include <cstdint>
#include <iterator>
#include <limits>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "bparb/core/types.hpp"
#include "bparb/sim/node_pool.hpp"
#include "bparb/sim/sim_types.hpp"

namespace bparb::sim {

struct BookEntry {
  OrderId id = 0;
  AccountId account = 0;
  std::int64_t remaining_lots = 0;
};

class OrderBookSim {
 public:
  static constexpr std::uint32_t kNoNode = std::numeric_limits<std::uint32_t>::max();

  struct Level {
    std::int64_t total_lots = 0;
    std::uint32_t head = kNoNode;  // oldest order = first to fill
    std::uint32_t tail = kNoNode;  // newest order
  };

  // The orders resting at one level, oldest first. Valid until the book is next modified.
  class Queue {
   public:
    class iterator {
     public:
      using iterator_category = std::forward_iterator_tag;
      using value_type = BookEntry;
      using difference_type = std::ptrdiff_t;
      using pointer = const BookEntry*;
      using reference = const BookEntry&;

      iterator() = default;
      const BookEntry& operator*() const noexcept { return (*book_).nodes_[node_].entry; }
      const BookEntry* operator->() const noexcept { return &(*book_).nodes_[node_].entry; }
      iterator& operator++() noexcept {
        node_ = book_->nodes_[node_].next;
        return *this;
      }
      iterator operator++(int) noexcept {
        iterator old = *this;
        ++*this;
        return old;
      }
      bool operator==(const iterator& o) const noexcept { return node_ == o.node_; }

     private:
      friend class Queue;
      iterator(const OrderBookSim* book, std::uint32_t node) noexcept : book_(book), node_(node) {}
      const OrderBookSim* book_ = nullptr;
      std::uint32_t node_ = kNoNode;
    };

    iterator begin() const noexcept { return iterator(book_, head_); }
    iterator end() const noexcept { return iterator(book_, kNoNode); }
    bool empty() const noexcept { return head_ == kNoNode; }
    const BookEntry& front() const noexcept { return book_->nodes_[head_].entry; }  // not empty

   private:
    friend class OrderBookSim;
    Queue(const OrderBookSim* book, std::uint32_t head) noexcept : book_(book), head_(head) {}
    const OrderBookSim* book_;
    std::uint32_t head_;
  };

  // Orders prices best first: descending for bids, ascending for asks.
  struct BestFirst {
    bool descending = false;
    bool operator()(std::int64_t a, std::int64_t b) const noexcept { return descending ? a > b : a < b; }
  };
  using LevelMap = std::map<std::int64_t, Level, BestFirst, NodePoolAllocator<std::pair<const std::int64_t, Level>>>;

  OrderBookSim() : bids_(BestFirst{true}), asks_(BestFirst{false}) {}

  // Append at the back of its price level (time priority). remaining_lots must be > 0.
  void add(Side side, std::int64_t price_ticks, const BookEntry& e);
  // Remove a resting order; returns the lots it still had (0 if not found).
  std::int64_t remove(Side side, std::int64_t price_ticks, OrderId id);
  // Reduce a resting order by `lots` (fill or trim); removes it when it reaches zero.
  // Returns false if the order is not at that level.
  bool reduce(Side side, std::int64_t price_ticks, OrderId id, std::int64_t lots);

  std::optional<std::int64_t> best_price(Side side) const noexcept;
  std::int64_t best_lots(Side side) const noexcept;  // 0 if empty
  std::int64_t level_lots(Side side, std::int64_t price_ticks) const noexcept;
  bool empty(Side side) const noexcept { return side_levels(side).empty(); }
  std::size_t order_count() const noexcept { return count_; }

  // Levels of one side, best first: (price ticks, level).
  const LevelMap& levels(Side side) const noexcept { return side_levels(side); }
  // The level at `price_ticks` or nullptr.
  const Level* level(Side side, std::int64_t price_ticks) const noexcept;
  Queue queue(const Level& l) const noexcept { return Queue(this, l.head); }

  // Levels written since the last clear (may contain duplicates; a level may be back at its old total).
  const std::vector<std::pair<Side, std::int64_t>>& touched() const noexcept { return touched_; }
  std::vector<std::pair<Side, std::int64_t>>& touched() noexcept { return touched_; }
  void clear_touched() noexcept {
    touched_.clear();
    touched_before_.clear();
  }
  // The touched levels whose total now differs from what it was at their first touch since the last
  // clear (i.e. at the last publish), each once, ordered by (side, price ascending); clears the
  // journal. A level cancelled and re-placed at the same total is not in it: a real exchange's depth
  // diff does not carry it either. The reference stays valid until the next call.
  const std::vector<std::pair<Side, std::int64_t>>& take_changed();

 private:
  struct Node {
    BookEntry entry;
    std::uint32_t prev = kNoNode;
    std::uint32_t next = kNoNode;
  };

  LevelMap& side_levels(Side s) noexcept { return s == Side::kBid ? bids_ : asks_; }
  const LevelMap& side_levels(Side s) const noexcept { return s == Side::kBid ? bids_ : asks_; }
  std::uint32_t find_in(const Level& l, OrderId id, bool newest_first) const noexcept;
  // Unlinks `node` from its level and returns it to the pool; drops the level when it is left empty.
  void erase_node(LevelMap& m, LevelMap::iterator it, std::uint32_t node) noexcept;

  LevelMap bids_;
  LevelMap asks_;
  std::vector<Node> nodes_;
  std::uint32_t free_ = kNoNode;  // first free node (linked through next)
  std::size_t count_ = 0;
  std::vector<std::pair<Side, std::int64_t>> touched_;
  std::vector<std::int64_t> touched_before_;  // parallel to touched_: the level's total before that write
  struct TouchScratch {
    Side side;
    std::int64_t ticks;
    std::size_t seq;
    std::int64_t before;
  };
  std::vector<TouchScratch> touch_scratch_;  // reused by take_changed()
  std::vector<std::pair<Side, std::int64_t>> changed_;
};

}  // namespace bparb::sim
