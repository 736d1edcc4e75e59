#pragma once
// Keeps one market's OrderBook in step with the venue's order_book/{market} subscription through the
// nonce chain (docs/lighter.md, "Order book continuity"). Pure state machine: frames come in already
// parsed, time comes from the injected Clock, and the only output is a decision for the caller
// (resubscribe or not). No allocation per frame once the book's and the frame's vectors are warm.
//
//   awaiting snapshot --snapshot--> synced --update chained (begin_nonce == last nonce)--> synced
//          ^                           |
//          +--- gap / crossed / bad level / silence: book invalid, "resubscribe" ---+
//
// While awaiting a snapshot the book is invalid and updates are dropped (counted); only a fresh
// snapshot makes it valid again. Silence is measured from the last frame received (or from the last
// resubscribe decision), so a subscription that never answers is resubscribed again after each limit.
#include <cstdint>

#include "bparb/book/order_book.hpp"
#include "bparb/core/clock.hpp"
#include "bparb/venue/lighter/messages.hpp"

namespace bparb::lighter {

struct BookSyncConfig {
  DurationUs max_silence_us = 15 * kUsPerSecond;  // > this without a frame: resubscribe
};

enum class SyncAction : std::uint8_t {
  kNone,         // frame applied or harmlessly dropped; nothing to do
  kResubscribe,  // the book is invalid: unsubscribe + subscribe order_book/{market}
};

enum class SyncEvent : std::uint8_t {
  kApplied,         // update applied (or snapshot loaded)
  kSnapshot,        // snapshot loaded, book valid again
  kDropped,         // update while awaiting a snapshot (no action: the resubscribe is under way)
  kGap,             // begin_nonce != previous nonce
  kCrossed,         // best bid >= best ask after applying
  kBadLevel,        // a level off the market's tick/step grid (the book would be wrong)
  kStale,           // silence longer than the limit
  kWrongMarket,     // frame for another market: ignored
  kNonceNotRising,  // nonce <= begin_nonce
};
const char* to_string(SyncEvent e) noexcept;

struct SyncResult {
  SyncAction action = SyncAction::kNone;
  SyncEvent event = SyncEvent::kApplied;
};

struct BookSyncStats {
  std::uint64_t snapshots = 0;
  std::uint64_t updates = 0;
  std::uint64_t dropped = 0;
  std::uint64_t gaps = 0;
  std::uint64_t crossed = 0;
  std::uint64_t bad_levels = 0;
  std::uint64_t stale = 0;
  std::uint64_t wrong_market = 0;
  std::uint64_t resubscribes = 0;
};

class BookSync {
 public:
  // `book` must be built with the market's tick 10^-price_decimals and step 10^-size_decimals
  // (book_spec()). Both references must outlive this object.
  BookSync(OrderBook& book, std::int64_t market_id, const Clock& clock, BookSyncConfig config = {}) noexcept;

  // Applies one parsed order_book frame. `frame.levels` may be swapped with internal storage (its
  // capacity is kept either way); the caller just reuses the frame for the next parse.
  SyncResult on_frame(BookFrame& frame) noexcept;
  // Staleness check: call periodically (e.g. from the connection's timer).
  SyncResult on_timer() noexcept;
  // The caller (re)subscribed on its own (connect, reconnect): wait for a snapshot.
  void reset() noexcept;

  bool synced() const noexcept { return synced_; }
  std::int64_t last_nonce() const noexcept { return last_nonce_; }
  const BookSyncStats& stats() const noexcept { return stats_; }
  const OrderBook& book() const noexcept { return book_; }

 private:
  SyncResult invalidate(SyncEvent why) noexcept;

  OrderBook& book_;
  std::int64_t market_id_;
  const Clock& clock_;
  BookSyncConfig config_;
  DepthSnapshot snapshot_;  // the frame's level vectors are swapped in for load_snapshot()
  std::int64_t last_nonce_ = 0;
  TimestampUs last_frame_us_ = 0;
  bool synced_ = false;
  BookSyncStats stats_;
};

// A book spec for a Lighter market: tick 10^-price_decimals, step 10^-size_decimals.
MarketSpec book_spec(const MarketDetails& m);

}  // namespace bparb::lighter
