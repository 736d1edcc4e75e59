#pragma once
// Price-time priority limit order book on integer ticks and lots, used by the simulated exchange's
// matching engine. It knows nothing about accounts' money: it keeps queues, level totals and a
// journal of touched levels (so the exchange can publish one depth delta per operation).
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "bparb/core/types.hpp"
#include "bparb/sim/sim_types.hpp"

namespace bparb::sim {

struct BookEntry {
  OrderId id = 0;
  AccountId account = 0;
  std::int64_t remaining_lots = 0;
};

struct BookLevel {
  std::int64_t total_lots = 0;
  std::deque<BookEntry> queue;  // front = oldest = first to fill
};

class OrderBookSim {
 public:
  using BidMap = std::map<std::int64_t, BookLevel, std::greater<std::int64_t>>;  // best (highest) first
  using AskMap = std::map<std::int64_t, BookLevel>;                              // best (lowest) first

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
  bool empty(Side side) const noexcept { return side == Side::kBid ? bids_.empty() : asks_.empty(); }
  std::size_t order_count() const noexcept { return count_; }

  const BidMap& bids() const noexcept { return bids_; }
  const AskMap& asks() const noexcept { return asks_; }
  // The level at `price_ticks` or nullptr.
  const BookLevel* level(Side side, std::int64_t price_ticks) const noexcept;

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
  template <class M>
  std::int64_t remove_in(M& m, Side side, std::int64_t price_ticks, OrderId id);
  template <class M>
  bool reduce_in(M& m, Side side, std::int64_t price_ticks, OrderId id, std::int64_t lots);

  BidMap bids_;
  AskMap asks_;
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
