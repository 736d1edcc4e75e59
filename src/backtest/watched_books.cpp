#include "bparb/backtest/watched_books.hpp"

#include <stdexcept>

namespace bparb::backtest {

WatchedBooks::Book& WatchedBooks::book(std::string_view symbol) {
  for (auto& b : books_)
    if (b->symbol == symbol) return *b;
  auto b = std::make_unique<Book>();
  b->symbol = std::string(symbol);
  b->spec.symbol = b->symbol;
  // The recording does not say the market's tick and step: the book keeps prices and sizes in Decimal's
  // finest unit, so every recorded level is on its grid.
  b->spec.tick_size = Decimal::from_raw(1);
  b->spec.step_size = Decimal::from_raw(1);
  b->book = std::make_unique<OrderBook>(b->spec, 64);
  DepthSyncConfig sc;
  sc.snapshot_delay = 0;  // the venue's snapshots are recorded frames, never requested
  sc.max_buffered = 4096;
  sc.reserve_levels = 8;
  b->sync = std::make_unique<DepthSync>(*b->book, sc);
  b->validity_index = validity_.add(b->symbol, false);
  books_.push_back(std::move(b));
  return *books_.back();
}

void WatchedBooks::on_event(const ParsedRecording& r, const ParsedEvent& e) {
  switch (e.kind) {
    case ParsedKind::kDepth: {
      Book& b = book(r.symbol(e.symbol));
      delta_.symbol = r.symbol(e.symbol);
      delta_.first_update_id = e.first_id;
      delta_.last_update_id = e.last_id;
      delta_.event_time_us = e.time1_us;
      delta_.engine_time_us = e.time2_us;
      delta_.bids.assign(r.bids(e).begin(), r.bids(e).end());
      delta_.asks.assign(r.asks(e).begin(), r.asks(e).end());
      ++counts_.depth_frames;
      validity_.depth_frame(b.validity_index);
      (void)b.sync->on_delta(delta_, e.receive_time_us);  // a break leaves it awaiting the next snapshot
      return;
    }
    case ParsedKind::kSnapshot: {
      Book& b = book(r.symbol(e.symbol));
      snapshot_.last_update_id = e.last_id;
      snapshot_.timestamp_us = e.time1_us;
      snapshot_.bids.assign(r.bids(e).begin(), r.bids(e).end());
      snapshot_.asks.assign(r.asks(e).begin(), r.asks(e).end());
      ++counts_.snapshots;
      validity_.snapshot(b.validity_index);
      (void)b.sync->on_snapshot(snapshot_, e.receive_time_us);
      return;
    }
    case ParsedKind::kReset:
      for (auto& b : books_)
        if (!e.flag || b->symbol == r.symbol(e.symbol)) b->sync->reset();
      return;
    case ParsedKind::kTrade:
    case ParsedKind::kMark:
    case ParsedKind::kOtherFrame:
      ++counts_.other_frames;
      return;
    case ParsedKind::kMalformed:
    case ParsedKind::kSnapshotMalformed:
      ++counts_.malformed;
      return;
    case ParsedKind::kIgnoredEvent:
      return;
    case ParsedKind::kNoDecoder:
      throw std::runtime_error("backtest: recorded lines of venue " + std::string(venue_name(e.venue)) +
                               " cannot be replayed (no decoder for its frames)");
  }
}

void WatchedBooks::note_validity(TimestampUs t) noexcept {
  for (const auto& b : books_) validity_.set(b->validity_index, b->sync->synced(), t);
}

}  // namespace bparb::backtest
