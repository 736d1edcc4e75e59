#include "bparb/backtest/queue_model.hpp"

#include <algorithm>

#include "bparb/sim/recorded_book_mirror.hpp"

namespace bparb::backtest {

void QueueModel::add(sim::OrderId id, std::size_t market, Side side, std::int64_t ticks, std::int64_t ahead_lots) {
  resting_.push_back(Resting{id, market, side, ticks, ahead_lots});
}

void QueueModel::drop(sim::OrderId id) noexcept {
  for (std::size_t i = 0; i < resting_.size(); ++i) {
    if (resting_[i].order_id != id) continue;
    resting_[i] = resting_.back();
    resting_.pop_back();
    return;
  }
}

bool QueueModel::has_resting(std::size_t market) const noexcept {
  for (const Resting& r : resting_)
    if (r.market == market) return true;
  return false;
}

void QueueModel::trim(std::size_t market, const OrderBook& book) noexcept {
  for (Resting& r : resting_) {
    if (r.market != market) continue;
    r.ahead_lots = std::min(r.ahead_lots, sim::book_level_lots(book, r.side, r.ticks));
  }
}

std::size_t QueueModel::on_trade(std::size_t market, std::int64_t ticks, bool buyer_is_maker, std::int64_t& lots,
                                 Hits& hits) noexcept {
  std::size_t n = 0;
  for (Resting& r : resting_) {
    if (r.market != market || n == kMaxHits) continue;
    const bool through = r.side == Side::kBid ? ticks < r.ticks : ticks > r.ticks;
    // At our price only the aggressor on the other side trades with our queue: a bid at P is hit by a
    // seller (buyer is maker), an ask at P is lifted by a buyer.
    const bool at = ticks == r.ticks && (r.side == Side::kBid) == buyer_is_maker;
    if (!through && !at) continue;
    if (at) {
      const std::int64_t c = std::min(r.ahead_lots, lots);
      r.ahead_lots -= c;
      lots -= c;
      if (lots <= 0) return n;  // the queue ahead took it all: nothing reaches our orders
    } else {
      r.ahead_lots = 0;
    }
    hits[n++] = r.order_id;
  }
  return n;
}

}  // namespace bparb::backtest
