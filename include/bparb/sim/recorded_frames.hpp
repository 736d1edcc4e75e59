#pragma once
// How the replayers read a venue's recorded market data (tests/record/FORMAT.md) without knowing its
// wire format: the venue's front-end supplies a decoder (Backpack: sim/backpack/recording_lines.hpp).
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

#include "bparb/book/depth_types.hpp"

namespace bparb::sim {

enum class RecordedFrameKind : std::uint8_t { kDepth, kBookTicker, kTrade, kOther };

// An event line: {"type":"reconnect"|"gap"|...,"symbol":...(optional)}.
struct RecordedEvent {
  std::string_view type;                   // "reconnect", "gap", ...
  std::optional<std::string_view> symbol;  // absent (or not a string): the event concerns every market
};

class RecordedFrameDecoder {
 public:
  virtual ~RecordedFrameDecoder() = default;
  // A WebSocket line: false if it does not parse. For kDepth, `*depth` is the delta, valid until the next
  // call.
  virtual bool ws_frame(std::string_view payload, RecordedFrameKind& kind, const DepthDelta*& depth) = 0;
  // A rest_depth payload in two steps, so the caller can skip (and count) unknown markets before the
  // snapshot is parsed: false if the payload has no symbol and data. `symbol` stays valid until the next call.
  virtual bool rest_depth_symbol(std::string_view payload, std::string_view& symbol) = 0;
  // The snapshot of the last successful rest_depth_symbol(); false if it is not one.
  virtual bool rest_depth_snapshot(DepthSnapshot& out) = 0;
  // An event payload: false if it has no string "type". Views valid until the next call.
  virtual bool event(std::string_view payload, RecordedEvent& out) = 0;
};

using RecordedFrameDecoderFactory = std::unique_ptr<RecordedFrameDecoder> (*)();

}  // namespace bparb::sim
