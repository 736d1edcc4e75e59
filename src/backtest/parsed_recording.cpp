#include "bparb/backtest/parsed_recording.hpp"

#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>

#include "bparb/sim/backpack/recording_lines.hpp"
#include "bparb/sim/lighter/recording_lines.hpp"

namespace bparb::backtest {

ParsedRecording::ParsedRecording() = default;
ParsedRecording::~ParsedRecording() = default;
ParsedRecording::ParsedRecording(ParsedRecording&&) noexcept = default;
ParsedRecording& ParsedRecording::operator=(ParsedRecording&&) noexcept = default;

void ParsedRecording::clear_events() noexcept {
  events_.clear();
  levels_.clear();
}

// The recorded-frame decoder of a venue's recordings (the line's venue tag), made at its first line;
// null if none exists.
sim::RecordedFrameDecoder* ParsedRecording::decoder_for(VenueId v) {
  const auto i = static_cast<std::size_t>(v);
  if (decoders_[i] || no_decoder_[i]) return decoders_[i].get();
  switch (v) {
    case VenueId::kBackpack:
      decoders_[i] = sim::make_backpack_frame_decoder();
      break;
    case VenueId::kLighter:
      decoders_[i] = sim::make_lighter_frame_decoder();
      break;
  }
  no_decoder_[i] = !decoders_[i];
  return decoders_[i].get();
}

std::uint32_t ParsedRecording::intern(std::string_view s) {
  for (std::size_t i = 0; i < symbols_.size(); ++i)
    if (*symbols_[i] == s) return static_cast<std::uint32_t>(i);
  symbols_.push_back(std::make_unique<std::string>(s));
  return static_cast<std::uint32_t>(symbols_.size() - 1);
}

void ParsedRecording::add_levels(ParsedEvent& e, const std::vector<LevelUpdate>& bids,
                                 const std::vector<LevelUpdate>& asks) {
  e.first_level = static_cast<std::uint32_t>(levels_.size());
  e.bid_count = static_cast<std::uint32_t>(bids.size());
  e.ask_count = static_cast<std::uint32_t>(asks.size());
  levels_.insert(levels_.end(), bids.begin(), bids.end());
  levels_.insert(levels_.end(), asks.begin(), asks.end());
}

void ParsedRecording::parse_ws(sim::RecordedFrameDecoder& d, std::string_view payload, ParsedEvent& e) {
  // Frames of streams the replay has no use for are counted without being parsed (so a malformed one
  // is not counted as malformed).
  if (d.unused_ws_frame(payload)) return void(e.kind = ParsedKind::kOtherFrame);
  if (!d.ws_frame(payload, frame_)) return void(e.kind = ParsedKind::kMalformed);
  switch (frame_.kind) {
    case sim::RecordedFrameKind::kDepth: {
      const DepthDelta& depth = *frame_.depth;
      e.kind = ParsedKind::kDepth;
      e.symbol = intern(depth.symbol);
      e.first_id = depth.first_update_id;
      e.last_id = depth.last_update_id;
      e.time1_us = depth.event_time_us;
      e.time2_us = depth.engine_time_us;
      add_levels(e, depth.bids, depth.asks);
      return;
    }
    case sim::RecordedFrameKind::kMarkPrice: {
      const sim::RecordedMark& m = frame_.mark;
      e.kind = ParsedKind::kMark;
      e.symbol = intern(m.symbol);
      e.flag = m.has_funding;
      e.value1 = m.mark_price;
      e.value2 = m.funding_rate;
      e.next_funding_ms = m.next_funding_ms;
      return;
    }
    case sim::RecordedFrameKind::kTrade: {
      const sim::RecordedTrade& t = frame_.trade;
      e.kind = ParsedKind::kTrade;
      e.symbol = intern(t.symbol);
      e.flag = t.buyer_is_maker;
      e.value1 = t.price;
      e.value2 = t.quantity;
      // A frame of several trades (Lighter) is one event each, at the line's time (`e` is not used after:
      // appending may move it).
      const ParsedEvent first = e;
      for (const sim::RecordedTrade& more : frame_.more_trades) {
        ParsedEvent& m = events_.emplace_back(first);
        m.symbol = intern(more.symbol);
        m.flag = more.buyer_is_maker;
        m.value1 = more.price;
        m.value2 = more.quantity;
      }
      return;
    }
    case sim::RecordedFrameKind::kSnapshot: {
      const DepthSnapshot& s = *frame_.snapshot;
      e.kind = ParsedKind::kSnapshot;
      e.symbol = intern(frame_.snapshot_symbol);
      e.last_id = s.last_update_id;
      e.time1_us = s.timestamp_us;
      add_levels(e, s.bids, s.asks);
      return;
    }
    case sim::RecordedFrameKind::kBookTicker:
    case sim::RecordedFrameKind::kOther:
      e.kind = ParsedKind::kOtherFrame;
      return;
  }
}

void ParsedRecording::parse_rest_depth(sim::RecordedFrameDecoder& d, std::string_view payload, ParsedEvent& e) {
  std::string_view sym;
  if (!d.rest_depth_symbol(payload, sym)) return void(e.kind = ParsedKind::kMalformed);
  e.symbol = intern(sym);
  if (!d.rest_depth_snapshot(snapshot_)) return void(e.kind = ParsedKind::kSnapshotMalformed);
  e.kind = ParsedKind::kSnapshot;
  e.last_id = snapshot_.last_update_id;
  e.time1_us = snapshot_.timestamp_us;
  add_levels(e, snapshot_.bids, snapshot_.asks);
}

void ParsedRecording::parse_event(sim::RecordedFrameDecoder& d, std::string_view payload, ParsedEvent& e) {
  sim::RecordedEvent ev;
  if (!d.event(payload, ev)) return void(e.kind = ParsedKind::kMalformed);
  // Lighter's recorder writes "resync" when its book went invalid and it subscribed again: the venue's
  // next snapshot follows, which must replace the replayed book even if that one never broke.
  const bool reset = ev.type == "reconnect" || (d.venue() == VenueId::kLighter && ev.type == "resync");
  if (!reset) return void(e.kind = ParsedKind::kIgnoredEvent);
  e.kind = ParsedKind::kReset;
  e.flag = ev.symbol.has_value();
  if (ev.symbol) e.symbol = intern(*ev.symbol);
}

void ParsedRecording::append(const record::FrameLine& line) {
  ParsedEvent& e = events_.emplace_back();
  e.receive_time_us = line.receive_time_us;
  e.venue = line.venue;
  sim::RecordedFrameDecoder* d = decoder_for(line.venue);
  if (d == nullptr) return void(e.kind = ParsedKind::kNoDecoder);
  switch (line.kind) {
    case record::FrameKind::kWs:
      parse_ws(*d, line.payload, e);
      return;
    case record::FrameKind::kRestDepth:
      parse_rest_depth(*d, line.payload, e);
      return;
    case record::FrameKind::kEvent:
      parse_event(*d, line.payload, e);
      return;
  }
}

struct ParseAhead::Impl {
  Impl(record::FrameSource& s, std::size_t chunk, std::size_t in_flight)
      : source(s), chunk_events(chunk == 0 ? 1 : chunk) {
    for (std::size_t i = 0; i < (in_flight < 2 ? 2 : in_flight); ++i) {
      all.push_back(std::make_unique<ParsedRecording>());
      free.push_back(all.back().get());
    }
    ring.resize(all.size());
    thread = std::thread([this] { produce(); });
  }

  void produce() {
    try {
      record::FrameLine line;
      for (;;) {
        ParsedRecording* c = nullptr;
        {
          std::unique_lock lock(mutex);
          changed.wait(lock, [&] { return stop || !free.empty(); });
          if (stop) return;
          c = free.back();
          free.pop_back();
        }
        c->clear_events();
        bool end = false;
        while (c->events().size() < chunk_events) {
          if (!source.next(line)) {
            end = true;
            break;
          }
          c->append(line);
        }
        {
          std::lock_guard lock(mutex);
          if (c->events().empty()) {
            free.push_back(c);
          } else {
            ring[(ring_head + ring_count++) % ring.size()] = c;
          }
          done = end;
        }
        changed.notify_all();
        if (end) return;
      }
    } catch (...) {
      {
        std::lock_guard lock(mutex);
        error = std::current_exception();
        done = true;
      }
      changed.notify_all();
    }
  }

  const ParsedRecording* next_chunk() {
    std::unique_lock lock(mutex);
    if (current != nullptr) {
      free.push_back(current);
      current = nullptr;
      changed.notify_all();
    }
    changed.wait(lock, [&] { return ring_count > 0 || done; });
    if (ring_count > 0) {
      current = ring[ring_head];
      ring_head = (ring_head + 1) % ring.size();
      --ring_count;
      return current;
    }
    if (error) std::rethrow_exception(error);
    return nullptr;
  }

  ~Impl() {
    {
      std::lock_guard lock(mutex);
      stop = true;
    }
    changed.notify_all();
    thread.join();
  }

  record::FrameSource& source;
  const std::size_t chunk_events;
  std::vector<std::unique_ptr<ParsedRecording>> all;
  std::vector<ParsedRecording*> free;
  std::vector<ParsedRecording*> ring;  // published chunks, in order: ring_count of them from ring_head
  std::size_t ring_head = 0, ring_count = 0;
  ParsedRecording* current = nullptr;  // the consumer's, returned at its next call
  bool done = false, stop = false;
  std::exception_ptr error;
  std::mutex mutex;
  std::condition_variable changed;
  std::thread thread;
};

ParseAhead::ParseAhead(record::FrameSource& source, std::size_t chunk_events, std::size_t chunks_in_flight)
    : impl_(std::make_unique<Impl>(source, chunk_events, chunks_in_flight)) {}
ParseAhead::~ParseAhead() = default;
const ParsedRecording* ParseAhead::next_chunk() {
  return impl_->next_chunk();
}

}  // namespace bparb::backtest
