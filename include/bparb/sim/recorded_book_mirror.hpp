#pragma once
// Keeps the Exchange's BACKGROUND liquidity of one market equal to a recorded book, as resting orders of
// one `unlimited` maker account. Shared by bpsim's ReplayModel (syncs after every recorded change) and
// the backtest runner (syncs lazily, only when one of our orders arrives or rests on the market — the
// reason it replays ~1M events/s).
//
// The maker's resting quantity at a price is set to the recorded absolute quantity: increases add an
// order at the back of the level's queue (behind ours), decreases cancel the newest maker orders there
// (re-adding any shortfall), zero cancels the level. Levels the recording changed since the last sync
// are re-set; levels it did not touch keep what our own orders left of them (on_trade), so the result of
// a lazy sync equals mirroring every change at once. After a snapshot/resync the whole book is compared;
// while the recorded book is invalid (gap, reconnect) the background is withdrawn.
// Not thread-safe; single-threaded like the Exchange.
#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "bparb/book/depth_sync.hpp"
#include "bparb/book/order_book.hpp"
#include "bparb/core/market_spec.hpp"
#include "bparb/sim/exchange.hpp"
#include "bparb/sim/node_pool.hpp"

namespace bparb::sim {

// Exchange calls made by the mirrors that share one of these (usually all markets of one run).
struct MirrorCounters {
  std::uint64_t orders_placed = 0;
  std::uint64_t orders_cancelled = 0;
  std::uint64_t orders_refused = 0;  // Exchange errors or immediate expiry (e.g. self-trade on a crossed record)
  std::string first_refusal;         // message of the first refusal (diagnostics)
};

// Quantity (lots) at `ticks` on one side of `book`; 0 if the level is absent. Binary search.
std::int64_t book_level_lots(const OrderBook& book, Side side, std::int64_t ticks) noexcept;

// A set of prices (ticks) noted between two reads, read out in ascending order, each once (the levels of one
// side a recording changed since the mirror's last sync). Most lie within kSpan ticks around the first one
// noted: one bit each, so a note is a bit set and the set bits read out already sorted and unique; the others
// are listed and sorted when read. Capacity is kept across clear().
class NotedPrices {
 public:
  static constexpr std::uint64_t kSpan = std::uint64_t{1} << 16;

  NotedPrices() : bits_(kSpan / 64) {}
  void add(std::int64_t ticks);
  // f(ticks) for every noted price, ascending, once each.
  template <class F>
  void for_each(F&& f);
  void clear() noexcept;

 private:
  std::vector<std::uint64_t> bits_;  // bit i: price base_ + i noted
  std::int64_t base_ = 0;
  bool empty_ = true;
  std::size_t lo_word_ = std::numeric_limits<std::size_t>::max();  // the words holding set bits: [lo, hi]
  std::size_t hi_word_ = 0;
  std::vector<std::int64_t> outside_;  // noted prices outside the span (repeats included)
};

template <class F>
void NotedPrices::for_each(F&& f) {
  std::sort(outside_.begin(), outside_.end());
  outside_.erase(std::unique(outside_.begin(), outside_.end()), outside_.end());
  auto out = outside_.begin();
  for (std::size_t w = lo_word_; w <= hi_word_ && w < bits_.size(); ++w) {
    for (std::uint64_t b = bits_[w]; b != 0; b &= b - 1) {
      const std::uint64_t off = w * 64 + static_cast<std::uint64_t>(std::countr_zero(b));
      const auto ticks = static_cast<std::int64_t>(static_cast<std::uint64_t>(base_) + off);
      for (; out != outside_.end() && *out < ticks; ++out) f(*out);
      f(ticks);
    }
  }
  for (; out != outside_.end(); ++out) f(*out);
}

class RecordedBookMirror {
 public:
  // `exchange`, `spec` and `counters` must outlive the mirror; `maker` is an account of `exchange`.
  RecordedBookMirror(Exchange& exchange, AccountId maker, const MarketSpec& spec, MirrorCounters& counters);
  RecordedBookMirror(const RecordedBookMirror&) = delete;
  RecordedBookMirror& operator=(const RecordedBookMirror&) = delete;

  // Records what one depth delta changed: `was_synced` / `synced` are DepthSync::synced() before and after
  // on_delta(), `a` its result. Cheap (no Exchange call); the next sync() applies it.
  void note_delta(bool was_synced, SyncAction a, bool synced, const DepthDelta& d);
  // The same for a delta just applied to `book` (the recorded book sync() follows): the levels it accepted are
  // taken from book.applied_ticks(), already converted, instead of converting the delta's levels again.
  void note_applied(bool was_synced, SyncAction a, bool synced, const OrderBook& book);
  // Compare every level at the next sync (a snapshot, a reconnect).
  void mark_full() noexcept { full_ = true; }
  // Brings the background up to `book` (the recorded book the deltas were applied to): withdrawn while
  // the book is invalid, whole-book reconcile after mark_full()/withdrawal, else only the noted levels.
  // Removals go first, then raises: a moving book never crosses the background with itself.
  void sync(const OrderBook& book);

  // A trade on this market (ExchangeListener::on_trade): keeps the quantities true where our orders
  // consumed background liquidity. Trades not involving the maker's orders are ignored.
  void on_trade(const TradeEvent& t);

  // The maker's resting lots at a price (tests, diagnostics).
  std::int64_t background_lots(Side side, std::int64_t ticks) const noexcept;
  bool withdrawn() const noexcept { return withdrawn_; }

 private:
  struct LevelOrders {
    std::vector<std::pair<OrderId, std::int64_t>> orders;  // oldest first: (order id, remaining lots)
    std::int64_t total = 0;
  };
  using Levels = std::map<std::int64_t, LevelOrders, std::less<>,
                          NodePoolAllocator<std::pair<const std::int64_t, LevelOrders>>>;  // by price ticks

  Levels& levels(Side s) noexcept { return s == Side::kBid ? bids_ : asks_; }
  // note_delta()/note_applied(): whether this delta's levels are to be noted (else a full compare is due or
  // nothing changed).
  bool noting(bool was_synced, SyncAction a, bool synced) noexcept;
  void set_level(Side side, std::int64_t ticks, std::int64_t target);
  // A level enters and leaves the table through these: a closed level's order list keeps its capacity for
  // the next level opened, so a warm mirror does not allocate.
  Levels::iterator open_level(Levels& lvls, std::int64_t ticks);
  void close_level(Levels& lvls, Levels::iterator it);
  void sync_dirty(const OrderBook& book);
  void clear_dirty() noexcept;
  void reconcile(const OrderBook& book);
  void withdraw();
  void refuse(const char* what, std::string_view reject);  // reject: reject_name() of the exchange's answer

  Exchange& exchange_;
  AccountId maker_;
  const MarketSpec& spec_;
  MirrorCounters& counters_;
  Levels bids_, asks_;
  std::vector<std::vector<std::pair<OrderId, std::int64_t>>> spare_orders_;  // order lists of closed levels
  LevelUnits units_;                     // the recorded book's own level checks: a level it refused did not change it
  NotedPrices dirty_bids_, dirty_asks_;  // levels changed since the last sync
  std::size_t noted_ = 0;                // levels noted since the last sync, repeats included
  // Levels of a sync that differ from the book: (side, ticks, recorded lots); reused.
  struct Pending {
    Side side;
    std::int64_t ticks;
    std::int64_t want;
  };
  std::vector<Pending> pending_;
  bool full_ = true;       // compare every level at the next sync (snapshot, resync, overflow)
  bool withdrawn_ = true;  // background removed because the recorded book is invalid
};

}  // namespace bparb::sim
