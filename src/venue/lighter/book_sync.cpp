// The order_book nonce chain (docs/lighter.md, "Order book continuity").
#include "bparb/venue/lighter/book_sync.hpp"

#include <utility>

namespace bparb::lighter {

const char* to_string(SyncEvent e) noexcept {
  switch (e) {
    case SyncEvent::kApplied:
      return "applied";
    case SyncEvent::kSnapshot:
      return "snapshot";
    case SyncEvent::kDropped:
      return "dropped (awaiting snapshot)";
    case SyncEvent::kGap:
      return "nonce gap";
    case SyncEvent::kCrossed:
      return "crossed book";
    case SyncEvent::kBadLevel:
      return "level off the market grid";
    case SyncEvent::kStale:
      return "silence";
    case SyncEvent::kWrongMarket:
      return "frame for another market";
    case SyncEvent::kNonceNotRising:
      return "nonce not above begin_nonce";
  }
  return "?";
}

BookSync::BookSync(OrderBook& book, std::int64_t market_id, const Clock& clock, BookSyncConfig config) noexcept
    : book_(book), market_id_(market_id), clock_(clock), config_(config), last_frame_us_(clock.now_us()) {
  book_.set_valid(false);
}

void BookSync::reset() noexcept {
  synced_ = false;
  book_.set_valid(false);
  last_frame_us_ = clock_.now_us();
}

SyncResult BookSync::invalidate(SyncEvent why) noexcept {
  book_.set_valid(false);
  synced_ = false;
  switch (why) {
    case SyncEvent::kGap:
    case SyncEvent::kNonceNotRising:
      ++stats_.gaps;
      break;
    case SyncEvent::kCrossed:
      ++stats_.crossed;
      break;
    case SyncEvent::kBadLevel:
      ++stats_.bad_levels;
      break;
    case SyncEvent::kStale:
      ++stats_.stale;
      break;
    default:
      break;
  }
  ++stats_.resubscribes;
  // The silence timer restarts: the new subscription gets a full period to deliver its snapshot.
  last_frame_us_ = clock_.now_us();
  return SyncResult{SyncAction::kResubscribe, why};
}

SyncResult BookSync::on_frame(BookFrame& frame) noexcept {
  if (frame.market_id != market_id_) {
    ++stats_.wrong_market;
    return SyncResult{SyncAction::kNone, SyncEvent::kWrongMarket};
  }
  const TimestampUs now = clock_.now_us();
  last_frame_us_ = now;
  if (frame.snapshot) {
    // load_snapshot() takes a DepthSnapshot: lend it the frame's vectors instead of copying levels.
    std::swap(snapshot_.bids, frame.levels.bids);
    std::swap(snapshot_.asks, frame.levels.asks);
    snapshot_.last_update_id = frame.nonce;
    snapshot_.timestamp_us = frame.last_updated_at_us;
    const ApplyResult r = book_.load_snapshot(snapshot_, now);
    std::swap(snapshot_.bids, frame.levels.bids);
    std::swap(snapshot_.asks, frame.levels.asks);
    if (!r.ok()) return invalidate(SyncEvent::kBadLevel);
    if (book_.crossed()) return invalidate(SyncEvent::kCrossed);
    book_.set_valid(true);
    synced_ = true;
    last_nonce_ = frame.nonce;
    ++stats_.snapshots;
    return SyncResult{SyncAction::kNone, SyncEvent::kSnapshot};
  }
  if (!synced_) {
    ++stats_.dropped;
    return SyncResult{SyncAction::kNone, SyncEvent::kDropped};
  }
  if (frame.begin_nonce != last_nonce_) return invalidate(SyncEvent::kGap);
  if (frame.nonce <= frame.begin_nonce) return invalidate(SyncEvent::kNonceNotRising);
  const ApplyResult r = book_.apply(frame.levels, now);
  if (!r.ok()) return invalidate(SyncEvent::kBadLevel);
  if (book_.crossed()) return invalidate(SyncEvent::kCrossed);
  last_nonce_ = frame.nonce;
  ++stats_.updates;
  return SyncResult{SyncAction::kNone, SyncEvent::kApplied};
}

SyncResult BookSync::on_timer() noexcept {
  if (clock_.now_us() - last_frame_us_ > config_.max_silence_us) return invalidate(SyncEvent::kStale);
  return SyncResult{SyncAction::kNone, synced_ ? SyncEvent::kApplied : SyncEvent::kDropped};
}

MarketSpec book_spec(const MarketDetails& m) {
  MarketSpec s;
  s.symbol = m.symbol;
  s.base_symbol = m.symbol;
  s.quote_symbol = "USDC";
  s.type = m.kind == MarketKind::kPerp ? MarketType::kPerp : MarketType::kSpot;
  s.tick_size = m.tick_size();
  s.step_size = m.step_size();
  s.min_quantity = m.min_base_amount;
  return s;
}

}  // namespace bparb::lighter
