#pragma once
// Keeps an OrderBook in sync with Backpack's depth stream + REST snapshots (docs/backpack.md §6).
//
// Pure state machine: no I/O, no clock. The network layer feeds it every `depth.<symbol>` delta and
// every REST /api/v1/depth response, and acts on the returned SyncAction (fetch a snapshot when told).
//
// Algorithm (ccxt handleOrderBook, Backpack docs):
//  - While AwaitingSnapshot, deltas are buffered (copied into a preallocated ring). The REST snapshot
//    lags the stream, so a snapshot is requested only once `snapshot_delay` deltas are buffered.
//  - On a snapshot: drop buffered deltas with u <= lastUpdateId; the first remaining one must satisfy
//    U - 1 <= lastUpdateId < u, otherwise the snapshot is too old -> request another (buffer kept).
//    Then the buffered deltas are applied in order and the book becomes valid (Synced).
//  - While Synced every delta must continue the chain: U == previous u + 1 normally. A delta wholly
//    in the past (u <= last id) is dropped and counted; one that overlaps (U <= last id < u) is applied,
//    which is exact because levels carry absolute quantities as of u (same rule as the first delta
//    after a snapshot). U > last id + 1 is a gap: it clears the book, marks it invalid, counts a gap
//    and a resync, and starts buffering again from the delta that revealed the gap.
//  - A gap between buffered deltas discards the buffer before it (no snapshot could bridge it).
//  - The buffer is bounded: on overflow the oldest delta is dropped and a fresh snapshot is requested
//    (unless one is already outstanding; every snapshot is checked against the buffer anyway).
//  - Deltas whose own ids are nonsense (U > u, ids <= 0) are counted as malformed and ignored;
//    the next good delta will then show a gap if anything was really lost.
// After warm-up no call allocates (buffered deltas reuse their vectors' capacity).
#include <cstddef>
#include <cstdint>
#include <vector>

#include "bparb/book/depth_types.hpp"
#include "bparb/book/order_book.hpp"
#include "bparb/core/clock.hpp"

namespace bparb {

struct DepthSyncConfig {
  std::size_t snapshot_delay = 10;  // buffered deltas before asking for a snapshot (ccxt snapshotDelay); 0 = at once
  std::size_t max_buffered = 1024;  // ring capacity (>= 1); overflow drops the oldest and re-requests
  std::size_t reserve_levels = 16;  // levels per side pre-reserved in each ring slot (grows once if exceeded)
};

enum class SyncState : std::uint8_t {
  kAwaitingSnapshot,  // buffering deltas; the book is invalid
  kSynced,            // the book is valid and follows the stream
};

// What the caller must do after on_delta()/on_snapshot().
enum class SyncAction : std::uint8_t {
  kNone,             // nothing changed for the consumer (buffered, dropped, ignored, malformed)
  kBookUpdated,      // the book changed and is valid (delta applied, or snapshot + buffer applied)
  kBookInvalidated,  // a sequence gap just invalidated the book; a snapshot will be requested later
  kRequestSnapshot,  // fetch GET /api/v1/depth now and pass it to on_snapshot(). The book is invalid
                     // (this may also be the call that invalidated it when snapshot_delay <= 1).
};

const char* to_string(SyncState s) noexcept;
const char* to_string(SyncAction a) noexcept;

struct DepthSyncStats {
  std::uint64_t applied = 0;            // deltas applied to the book (live or from the buffer)
  std::uint64_t buffered = 0;           // deltas stored while awaiting a snapshot
  std::uint64_t dropped = 0;            // deltas discarded as already covered (u <= lastUpdateId)
  std::uint64_t gaps = 0;               // sequence gaps (U > prev u + 1), while synced or inside the buffer
  std::uint64_t resyncs = 0;            // times a valid book was thrown away (gap while synced)
  std::uint64_t malformed = 0;          // deltas with nonsense ids, or with levels the book rejected
  std::uint64_t rejected_levels = 0;    // individual levels the book rejected (off tick/step, negative)
  std::uint64_t snapshots = 0;          // snapshots that synced the book
  std::uint64_t snapshots_too_old = 0;  // snapshots rejected because lastUpdateId < U - 1 of the oldest delta
  std::uint64_t snapshots_ignored = 0;  // snapshots received while already synced / not requested
  std::uint64_t snapshot_requests = 0;  // kRequestSnapshot returned
  std::uint64_t overflows = 0;          // buffered deltas dropped because the ring was full
  std::uint64_t crossed = 0;            // applies after which best bid >= best ask (counted, not acted on)
};

class DepthSync {
 public:
  using State = SyncState;

  // `book` must outlive this object and stay at the same address (keep both in stable storage, e.g.
  // one heap-allocated per-market struct). The book is cleared and marked invalid.
  explicit DepthSync(OrderBook& book, DepthSyncConfig config = {});
  // Not copyable/movable: a copy would keep pointing at the original book.
  DepthSync(const DepthSync&) = delete;
  DepthSync& operator=(const DepthSync&) = delete;

  // One depth stream message. `received_us` (local receive time, 0 = use the engine time) is passed
  // to the book when the delta is applied, also when applied later from the buffer.
  SyncAction on_delta(const DepthDelta& delta, TimestampUs received_us = 0) noexcept;
  // A REST snapshot arrived. Returns kBookUpdated (synced), kRequestSnapshot (too old: fetch again)
  // or kNone (ignored: already synced).
  SyncAction on_snapshot(const DepthSnapshot& snapshot, TimestampUs received_us = 0) noexcept;
  // The REST request failed or timed out. Returns kRequestSnapshot if enough deltas are buffered to
  // retry immediately, else kNone (the next delta will ask). Back-off between retries is the caller's.
  SyncAction on_snapshot_failed() noexcept;
  // WebSocket (re)connected / resubscribed: forget buffer and sync, clear the book, await a snapshot.
  void reset() noexcept;

  State state() const noexcept { return state_; }
  bool synced() const noexcept { return state_ == State::kSynced; }
  bool snapshot_outstanding() const noexcept { return snapshot_outstanding_; }
  std::size_t buffered_count() const noexcept { return count_; }
  // u of the last applied delta (or the snapshot's lastUpdateId); 0 when never synced.
  std::int64_t last_update_id() const noexcept { return last_id_; }
  const DepthSyncStats& stats() const noexcept { return stats_; }
  const DepthSyncConfig& config() const noexcept { return config_; }
  const OrderBook& book() const noexcept { return book_; }

 private:
  struct Slot {
    DepthDelta delta;  // symbol is always empty: the frame it pointed into is gone
    TimestampUs received_us = 0;
  };

  SyncAction buffer_delta(const DepthDelta& delta, TimestampUs received_us) noexcept;
  SyncAction maybe_request() noexcept;
  void apply_to_book(const DepthDelta& delta, TimestampUs received_us) noexcept;
  void drop_front() noexcept;
  Slot& front() noexcept { return ring_[head_]; }
  Slot& back() noexcept { return ring_[(head_ + count_ - 1) % ring_.size()]; }

  OrderBook& book_;
  DepthSyncConfig config_;
  DepthSyncStats stats_;
  State state_ = State::kAwaitingSnapshot;
  bool snapshot_outstanding_ = false;
  std::int64_t last_id_ = 0;
  std::vector<Slot> ring_;
  std::size_t head_ = 0;
  std::size_t count_ = 0;
};

}  // namespace bparb
