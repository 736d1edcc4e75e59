#include "bparb/backtest/parsed_recording.hpp"

#include "bparb/sim/backpack/recording_lines.hpp"

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
    case VenueId::kLighter:  // nothing records Lighter's streams yet
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
  if (ev.type != "reconnect") return void(e.kind = ParsedKind::kIgnoredEvent);
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

}  // namespace bparb::backtest
