#pragma once
// A recording turned into compact, already-parsed replay events: each recorded line becomes one
// ParsedEvent (a depth delta or snapshot, a trade, a mark price, a reset, or a note of what to count; a
// Lighter trade frame of several trades becomes one trade event each), read by the decoder of the line's
// venue tag (Backpack's, or Lighter's: docs/lighter.md, "Replaying a recording"), with the book levels of
// all events in one flat arena. Parsing is what a replay spends most of its time on, so a sweep parses
// the recording once and every grid point replays the same events; a single run parses line by line
// into a one-event recording it reuses.
//
// Parsing here depends on the recording only, never on the configuration: whether a symbol is a
// configured market is decided at replay time, so the counts (unknown symbol, malformed) come out as
// if each line were decoded while it is replayed.
#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "bparb/book/depth_types.hpp"
#include "bparb/core/clock.hpp"
#include "bparb/core/decimal.hpp"
#include "bparb/core/venue.hpp"
#include "bparb/record/frame_source.hpp"
#include "bparb/sim/recorded_frames.hpp"

namespace bparb::backtest {

enum class ParsedKind : std::uint8_t {
  kDepth,              // a depth delta: ids, times, levels
  kMark,               // a mark price (with funding when `flag`)
  kTrade,              // a public trade (`flag`: buyer is maker)
  kOtherFrame,         // a WebSocket frame the replay only counts
  kMalformed,          // a line that does not parse
  kSnapshot,           // a rest_depth snapshot (Lighter: a subscribed/order_book frame): last id, timestamp, levels
  kSnapshotMalformed,  // a rest_depth line with a symbol whose snapshot does not parse
  kReset,              // a reconnect event (Lighter: or resync): every market, or `symbol` when `flag`
  kIgnoredEvent,       // another event (gaps show in the depth ids themselves)
  kNoDecoder,          // a line of a venue no decoder reads: the replay stops with an error there
};

struct ParsedEvent {
  TimestampUs receive_time_us = 0;
  ParsedKind kind = ParsedKind::kOtherFrame;
  VenueId venue = VenueId::kBackpack;
  bool flag = false;
  std::uint32_t symbol = 0;                                     // index into ParsedRecording::symbol()
  std::uint32_t first_level = 0, bid_count = 0, ask_count = 0;  // bids then asks in the level arena
  std::int64_t first_id = 0;                                    // depth: U
  std::int64_t last_id = 0;                                     // depth: u; snapshot: lastUpdateId
  TimestampUs time1_us = 0, time2_us = 0;                       // depth: E, T; snapshot: its timestamp in time1_us
  std::int64_t next_funding_ms = 0;                             // mark
  Decimal value1, value2;  // trade: price, quantity; mark: mark price, funding rate
};

class ParsedRecording {
 public:
  ParsedRecording();
  ~ParsedRecording();
  ParsedRecording(ParsedRecording&&) noexcept;
  ParsedRecording& operator=(ParsedRecording&&) noexcept;

  // Parses one line and appends its event.
  void append(const record::FrameLine& line);
  // Forgets the events and levels (their storage and the symbols are kept for reuse).
  void clear_events() noexcept;

  std::span<const ParsedEvent> events() const noexcept { return events_; }
  std::span<const LevelUpdate> bids(const ParsedEvent& e) const noexcept {
    return {levels_.data() + e.first_level, e.bid_count};
  }
  std::span<const LevelUpdate> asks(const ParsedEvent& e) const noexcept {
    return {levels_.data() + e.first_level + e.bid_count, e.ask_count};
  }
  std::string_view symbol(std::uint32_t index) const noexcept { return *symbols_[index]; }

 private:
  sim::RecordedFrameDecoder* decoder_for(VenueId v);
  std::uint32_t intern(std::string_view s);
  void add_levels(ParsedEvent& e, const std::vector<LevelUpdate>& bids, const std::vector<LevelUpdate>& asks);
  void parse_ws(sim::RecordedFrameDecoder& d, std::string_view payload, ParsedEvent& e);
  void parse_rest_depth(sim::RecordedFrameDecoder& d, std::string_view payload, ParsedEvent& e);
  void parse_event(sim::RecordedFrameDecoder& d, std::string_view payload, ParsedEvent& e);

  std::vector<ParsedEvent> events_;
  std::vector<LevelUpdate> levels_;
  std::vector<std::unique_ptr<std::string>> symbols_;  // stable addresses: views handed out stay valid
  std::array<std::unique_ptr<sim::RecordedFrameDecoder>, kVenueCount> decoders_;  // by VenueId
  std::array<bool, kVenueCount> no_decoder_{};
  sim::RecordedWsFrame frame_;
  DepthSnapshot snapshot_;
};

// Parsed events in chunks, in recording order.
class ParsedSource {
 public:
  virtual ~ParsedSource() = default;
  // The next chunk of events; null at the end. Valid until the next call.
  virtual const ParsedRecording* next_chunk() = 0;
};

// Reads and parses a FrameSource on a thread of its own, `chunk_events` lines a chunk, at most
// `chunks_in_flight` chunks ahead of the replay, so the replay thread only applies events. Chunks are
// reused: once their storage has grown, nothing is allocated per line. The source belongs to the parse
// thread until this object is destroyed (which stops and joins it): read its stats and errors after.
class ParseAhead final : public ParsedSource {
 public:
  explicit ParseAhead(record::FrameSource& source, std::size_t chunk_events = 4096, std::size_t chunks_in_flight = 4);
  ~ParseAhead() override;
  ParseAhead(const ParseAhead&) = delete;
  ParseAhead& operator=(const ParseAhead&) = delete;
  // Rethrows what the parse thread threw.
  const ParsedRecording* next_chunk() override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace bparb::backtest
