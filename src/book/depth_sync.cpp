#include "bparb/book/depth_sync.hpp"

namespace bparb {

const char* to_string(SyncState s) noexcept {
  switch (s) {
    case SyncState::kAwaitingSnapshot:
      return "AwaitingSnapshot";
    case SyncState::kSynced:
      return "Synced";
  }
  return "?";
}

const char* to_string(SyncAction a) noexcept {
  switch (a) {
    case SyncAction::kNone:
      return "None";
    case SyncAction::kBookUpdated:
      return "BookUpdated";
    case SyncAction::kBookInvalidated:
      return "BookInvalidated";
    case SyncAction::kRequestSnapshot:
      return "RequestSnapshot";
  }
  return "?";
}

DepthSync::DepthSync(OrderBook& book, DepthSyncConfig config) : book_(book), config_(config) {
  if (config_.max_buffered == 0) config_.max_buffered = 1;
  ring_.resize(config_.max_buffered);
  for (Slot& s : ring_) {
    s.delta.bids.reserve(config_.reserve_levels);
    s.delta.asks.reserve(config_.reserve_levels);
  }
  book_.clear();
}

void DepthSync::reset() noexcept {
  head_ = 0;
  count_ = 0;
  state_ = State::kAwaitingSnapshot;
  snapshot_outstanding_ = false;
  last_id_ = 0;
  book_.clear();
}

void DepthSync::drop_front() noexcept {
  head_ = (head_ + 1) % ring_.size();
  --count_;
}

SyncAction DepthSync::maybe_request() noexcept {
  if (snapshot_outstanding_ || count_ < config_.snapshot_delay) return SyncAction::kNone;
  snapshot_outstanding_ = true;
  ++stats_.snapshot_requests;
  return SyncAction::kRequestSnapshot;
}

void DepthSync::apply_to_book(const DepthDelta& delta, TimestampUs received_us) noexcept {
  const ApplyResult r = book_.apply(delta, received_us);
  last_id_ = delta.last_update_id;
  ++stats_.applied;
  if (!r.ok()) {
    ++stats_.malformed;
    stats_.rejected_levels += r.rejected;
  }
  if (book_.crossed()) ++stats_.crossed;
}

SyncAction DepthSync::buffer_delta(const DepthDelta& delta, TimestampUs received_us) noexcept {
  if (count_ > 0) {
    const DepthDelta& last = back().delta;
    if (delta.last_update_id <= last.last_update_id) {
      ++stats_.dropped;  // replay of something already buffered
      return SyncAction::kNone;
    }
    if (delta.first_update_id > last.last_update_id + 1) {
      // The buffered chain is broken: no snapshot can bridge it, so keep only what follows the gap.
      ++stats_.gaps;
      head_ = 0;
      count_ = 0;
    }
  }
  bool overflow = false;
  if (count_ == ring_.size()) {
    drop_front();
    ++stats_.overflows;
    overflow = true;
  }
  Slot& s = ring_[(head_ + count_) % ring_.size()];
  ++count_;
  // Copy assignment into reserved vectors: no allocation unless this delta is wider than any before.
  s.delta.symbol = {};
  s.delta.first_update_id = delta.first_update_id;
  s.delta.last_update_id = delta.last_update_id;
  s.delta.event_time_us = delta.event_time_us;
  s.delta.engine_time_us = delta.engine_time_us;
  s.delta.bids.assign(delta.bids.begin(), delta.bids.end());
  s.delta.asks.assign(delta.asks.begin(), delta.asks.end());
  s.received_us = received_us;
  ++stats_.buffered;
  if (overflow && !snapshot_outstanding_) {
    // The oldest delta is gone; a snapshot must now be at least as new as the new oldest one.
    snapshot_outstanding_ = true;
    ++stats_.snapshot_requests;
    return SyncAction::kRequestSnapshot;
  }
  return maybe_request();
}

SyncAction DepthSync::on_delta(const DepthDelta& delta, TimestampUs received_us) noexcept {
  if (delta.first_update_id <= 0 || delta.last_update_id < delta.first_update_id) {
    ++stats_.malformed;
    return SyncAction::kNone;
  }
  if (state_ == State::kAwaitingSnapshot) return buffer_delta(delta, received_us);

  if (delta.last_update_id <= last_id_) {
    ++stats_.dropped;
    return SyncAction::kNone;
  }
  if (delta.first_update_id <= last_id_ + 1) {
    apply_to_book(delta, received_us);
    return SyncAction::kBookUpdated;
  }
  // Gap: updates last_id_+1 .. U-1 were lost, the book can no longer be trusted.
  ++stats_.gaps;
  ++stats_.resyncs;
  book_.clear();
  state_ = State::kAwaitingSnapshot;
  // Any request still in flight was made for the old chain; the snapshot check will judge its reply,
  // but a fresh request must be allowed.
  snapshot_outstanding_ = false;
  head_ = 0;
  count_ = 0;
  const SyncAction a = buffer_delta(delta, received_us);
  return a == SyncAction::kRequestSnapshot ? a : SyncAction::kBookInvalidated;
}

SyncAction DepthSync::on_snapshot(const DepthSnapshot& snapshot, TimestampUs received_us) noexcept {
  if (state_ == State::kSynced) {
    ++stats_.snapshots_ignored;
    return SyncAction::kNone;
  }
  snapshot_outstanding_ = false;
  const std::int64_t id = snapshot.last_update_id;
  while (count_ > 0 && front().delta.last_update_id <= id) {
    drop_front();
    ++stats_.dropped;
  }
  if (count_ > 0 && front().delta.first_update_id - 1 > id) {
    // The snapshot predates the oldest delta we hold: updates in between are unknown.
    ++stats_.snapshots_too_old;
    snapshot_outstanding_ = true;
    ++stats_.snapshot_requests;
    return SyncAction::kRequestSnapshot;
  }
  const ApplyResult r = book_.load_snapshot(snapshot, received_us);
  stats_.rejected_levels += r.rejected;
  last_id_ = id;
  ++stats_.snapshots;
  // The buffer is contiguous (checked when buffering) and its first delta straddles the snapshot id.
  while (count_ > 0) {
    const Slot& s = front();
    apply_to_book(s.delta, s.received_us);
    drop_front();
  }
  head_ = 0;
  state_ = State::kSynced;
  book_.set_valid(true);
  return SyncAction::kBookUpdated;
}

SyncAction DepthSync::on_snapshot_failed() noexcept {
  snapshot_outstanding_ = false;
  if (state_ == State::kSynced) return SyncAction::kNone;
  return maybe_request();
}

}  // namespace bparb
