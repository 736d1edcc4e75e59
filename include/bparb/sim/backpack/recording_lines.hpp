#pragma once
// Parses the non-WebSocket lines of a recording (tests/record/FORMAT.md) for the two replayers, bpsim's
// ReplayModel and the backtest runner, so the line formats are known in one place:
//   rest_depth  {"symbol":"SOL_USDC","data":<REST GET /api/v1/depth body>}
//   event       {"type":"reconnect"|"gap"|...,"symbol":"SOL_USDC"(optional),"detail":...}
// WebSocket lines are plain frames: backpack::parse_ws_frame. Not a hot path (a DOM parse per line).
#include <memory>
#include <optional>
#include <string_view>

#include "bparb/book/depth_types.hpp"
#include "bparb/sim/recorded_frames.hpp"

namespace bparb::sim {

class RecordingLineParser {
 public:
  RecordingLineParser();
  ~RecordingLineParser();
  RecordingLineParser(const RecordingLineParser&) = delete;
  RecordingLineParser& operator=(const RecordingLineParser&) = delete;

  // A rest_depth payload in two steps, so the caller can skip (and count) unknown markets before the
  // snapshot is parsed: false if the payload is not an object with a string "symbol" and a "data".
  // `symbol` stays valid until the next call.
  bool rest_depth_symbol(std::string_view payload, std::string_view& symbol);
  // The snapshot in "data" of the last successful rest_depth_symbol(); false if it is not one.
  bool rest_depth_snapshot(DepthSnapshot& out);

  using Event = RecordedEvent;
  // An event payload: false if it is not an object with a string "type". Views valid until the next call.
  bool event(std::string_view payload, Event& out);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Backpack's recorded frames for the neutral replayer (ReplayModel): WebSocket lines through
// backpack::parse_ws_frame, rest_depth and event lines through RecordingLineParser.
std::unique_ptr<RecordedFrameDecoder> make_backpack_frame_decoder();

}  // namespace bparb::sim
