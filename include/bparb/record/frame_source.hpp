#pragma once
// One line of a market-data recording and the minimal interface its consumers read it through.
// Header-only on purpose: bpsim's ReplayModel (src/sim) consumes recordings through FrameSource
// without linking the reader (gzip codec) — RecordingReader (recording.hpp) implements it, and tests can
// feed in-memory lines with VectorFrameSource.
//
// Line format (full description in recording.hpp and tests/record/FORMAT.md):
//   <receive_time_us> [<venue>] <kind> <payload>\n      kind = ws | rest_depth | event; no venue = backpack
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bparb/core/clock.hpp"
#include "bparb/core/venue.hpp"

namespace bparb::record {

enum class FrameKind : std::uint8_t {
  kWs,         // payload: the raw WebSocket text frame, byte for byte as received
  kRestDepth,  // payload: {"symbol":"SOL_USDC","data":<GET /api/v1/depth response body>}
  kEvent,      // payload: {"type":"reconnect"|"gap"|"resync",...} — connection/sequence incidents
};

constexpr std::string_view frame_kind_name(FrameKind k) noexcept {
  switch (k) {
    case FrameKind::kWs:
      return "ws";
    case FrameKind::kRestDepth:
      return "rest_depth";
    case FrameKind::kEvent:
      return "event";
  }
  return "?";
}

// `payload` points into the source's line buffer: valid until the next call to next().
struct FrameLine {
  TimestampUs receive_time_us = 0;
  FrameKind kind = FrameKind::kWs;
  std::string_view payload;
  VenueId venue = VenueId::kBackpack;  // whose wire format the payload is in (an untagged line: Backpack)
};

class FrameSource {
 public:
  virtual ~FrameSource() = default;
  // The next well-formed line in order; false at the end (or when the source failed — see its stats).
  virtual bool next(FrameLine& out) = 0;
};

// In-memory lines (tests, generated scenarios). Lines are delivered in the order given.
class VectorFrameSource final : public FrameSource {
 public:
  struct Line {
    TimestampUs receive_time_us = 0;
    FrameKind kind = FrameKind::kWs;
    std::string payload;
    VenueId venue = VenueId::kBackpack;
  };
  VectorFrameSource() = default;
  explicit VectorFrameSource(std::vector<Line> lines) : lines_(std::move(lines)) {}
  void add(TimestampUs t, FrameKind k, std::string payload) { lines_.push_back({t, k, std::move(payload)}); }
  bool next(FrameLine& out) override {
    if (pos_ >= lines_.size()) return false;
    const Line& l = lines_[pos_++];
    out.receive_time_us = l.receive_time_us;
    out.kind = l.kind;
    out.payload = l.payload;
    out.venue = l.venue;
    return true;
  }
  std::size_t size() const noexcept { return lines_.size(); }

 private:
  std::vector<Line> lines_;
  std::size_t pos_ = 0;
};

}  // namespace bparb::record
