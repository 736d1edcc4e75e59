#pragma once
// How the replayers (bpsim's ReplayModel, the backtest runner) read a venue's recorded market data
// (tests/record/FORMAT.md) without knowing its wire format: the venue's front-end supplies a decoder
// (Backpack: sim/backpack/recording_lines.hpp) that turns each recorded line into neutral events — a
// depth delta or snapshot, a public trade, a mark price with funding — and the replayers consume only those.
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string_view>

#include "bparb/book/depth_types.hpp"
#include "bparb/core/decimal.hpp"
#include "bparb/core/venue.hpp"

namespace bparb::sim {

// kSnapshot: a venue whose stream opens with the whole book (Lighter's subscribed/order_book) records it
// as a WebSocket line rather than a rest_depth line.
enum class RecordedFrameKind : std::uint8_t { kDepth, kBookTicker, kTrade, kMarkPrice, kOther, kSnapshot };

// A public trade: the tape the maker queue model reads.
struct RecordedTrade {
  std::string_view symbol;
  Decimal price;
  Decimal quantity;
  bool buyer_is_maker = false;  // the seller was the aggressor
};

// A mark price; on perps also the current funding rate for the settlement at next_funding_ms.
struct RecordedMark {
  std::string_view symbol;
  Decimal mark_price;
  bool has_funding = false;
  Decimal funding_rate;
  std::int64_t next_funding_ms = 0;
};

// One decoded WebSocket line. Views (and `depth`) are valid until the decoder's next call.
struct RecordedWsFrame {
  RecordedFrameKind kind = RecordedFrameKind::kOther;
  const DepthDelta* depth = nullptr;           // kDepth
  RecordedTrade trade;                         // kTrade
  std::span<const RecordedTrade> more_trades;  // kTrade: the frame's further trades, in order (Lighter)
  RecordedMark mark;                           // kMarkPrice
  const DepthSnapshot* snapshot = nullptr;     // kSnapshot
  std::string_view snapshot_symbol;            // kSnapshot
};

// An event line: {"type":"reconnect"|"gap"|...,"symbol":...(optional)}.
struct RecordedEvent {
  std::string_view type;                   // "reconnect", "gap", ...
  std::optional<std::string_view> symbol;  // absent (or not a string): the event concerns every market
};

class RecordedFrameDecoder {
 public:
  virtual ~RecordedFrameDecoder() = default;
  // The venue whose recorded lines (record::FrameLine::venue) this decoder reads.
  virtual VenueId venue() const noexcept = 0;
  // A WebSocket line: false if it does not parse.
  virtual bool ws_frame(std::string_view payload, RecordedWsFrame& out) = 0;
  // True if the WebSocket line is of a stream no replayer uses, recognised without parsing it (a replayer
  // that only counts such frames skips the parse; a malformed one is then not seen as malformed).
  virtual bool unused_ws_frame(std::string_view payload) const noexcept = 0;
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
