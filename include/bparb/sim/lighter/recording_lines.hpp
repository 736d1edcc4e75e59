#pragma once
// Lighter's recorded frames for the replayers (`bparb record --venue lighter`, tests/record/FORMAT.md):
// `ws` lines are the venue's order_book/{m} and trade/{m} frames as received, read with the client's own
// frame parser (venue/lighter/parsers.hpp); `event` lines are {"type":"reconnect"|"resync","market_id":N}.
// There are no rest_depth lines: the venue's subscribed/order_book frame is the snapshot.
//
// The neutral events (docs/lighter.md, "Replaying a recording"):
// - a subscribed/order_book frame is a snapshot whose last id is its `nonce`;
// - an update/order_book frame is a depth delta with first id `begin_nonce + 1` and last id `nonce`, so the
//   replayer's rule "first id = the previous last id + 1" is Lighter's "begin_nonce = the previous frame's
//   nonce": a break leaves the book invalid until the next snapshot;
// - each trade of an update/trade frame is a public trade (the maker side from `is_maker_ask`); the
//   subscribed/trade frame (trades from before the subscription) is only counted;
// - the market is named `lighter:<market id>` (the lines carry no symbol).
#include <memory>

#include "bparb/sim/recorded_frames.hpp"

namespace bparb::sim {

std::unique_ptr<RecordedFrameDecoder> make_lighter_frame_decoder();

}  // namespace bparb::sim
