#pragma once
// The maker queue model of the simulated venue (backtest/sim_venue.hpp): where our resting orders stand
// in the recorded queue at their price. A post-only order resting at price P starts behind the recorded
// quantity at P when it reaches the exchange. Recorded trades at P (on its side) consume that quantity
// first, the rest fills our order; a trade through P (a worse price) fills it outright; the quantity ahead
// never exceeds what the recorded book still shows at P (cancels ahead advance us).
// It decides which of our orders a recorded trade reaches and with how many lots; the venue fills them.
#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "bparb/book/order_book.hpp"
#include "bparb/core/types.hpp"
#include "bparb/sim/sim_types.hpp"

namespace bparb::backtest {

class QueueModel {
 public:
  static constexpr std::size_t kMaxHits = 8;  // orders one recorded trade can reach
  using Hits = std::array<sim::OrderId, kMaxHits>;

  QueueModel() { resting_.reserve(64); }

  // Our order `id` rests on `market` at `ticks`, behind `ahead_lots` of recorded quantity.
  void add(sim::OrderId id, std::size_t market, Side side, std::int64_t ticks, std::int64_t ahead_lots);
  // The order is no longer open.
  void drop(sim::OrderId id) noexcept;
  bool empty() const noexcept { return resting_.empty(); }
  bool has_resting(std::size_t market) const noexcept;
  // The recorded level shrank (cancels, trades, a new snapshot): the queue ahead of us is at most what
  // `book` still shows at our price.
  void trim(std::size_t market, const OrderBook& book) noexcept;
  // A recorded trade of `lots` at `ticks` on `market`, the buyer maker or not: consumes the queue ahead of
  // our orders it reaches and writes those orders (in resting order) into `hits`; `lots` becomes what is
  // left for them. Returns the number of hits.
  std::size_t on_trade(std::size_t market, std::int64_t ticks, bool buyer_is_maker, std::int64_t& lots,
                       Hits& hits) noexcept;

 private:
  struct Resting {
    sim::OrderId order_id = 0;
    std::size_t market = 0;
    Side side = Side::kBid;
    std::int64_t ticks = 0;
    std::int64_t ahead_lots = 0;
  };
  std::vector<Resting> resting_;
};

}  // namespace bparb::backtest
