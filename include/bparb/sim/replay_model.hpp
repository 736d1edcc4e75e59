#pragma once
// bpsim replay mode: drives each market's BACKGROUND liquidity from a recorded feed
// (include/bparb/record/recording.hpp, tests/record/FORMAT.md) instead of the synthetic MarketModel.
//
// For every recorded market that the Exchange also lists, the recorded depth is followed with a
// DepthSync + OrderBook exactly as our live client does (rest_depth lines are the snapshots). Each
// change is then mirrored into the Exchange as resting orders of one `unlimited` maker account: the
// maker's resting quantity at each price is set to the recorded absolute quantity — increases add an
// order at the back of the level's queue (behind ours), decreases cancel the newest maker orders at
// that price (re-adding any shortfall), zero cancels the level. So the Exchange's book equals the
// recorded book, except where OUR orders rest or have consumed background liquidity (until the
// recording next sets that level). Trades in the recording are informational only: our orders trade
// against the replayed liquidity, never against recorded trades.
//
// Recorded gaps are not papered over: when the depth chain breaks (or an `event` reconnect line
// arrives) the market's background liquidity is withdrawn (empty book) until the next rest_depth
// line resynchronises it. Perp mark = perp mid, index = spot mid (the perp symbol minus "_PERP");
// spot mark = index = spot mid, so funding and margin work (exact mids; while the spot book is not
// valid the perp keeps the exchange's current index).
//
// Time: step(now) applies every line with receive time <= recording_start + (now - first step's
// now) * speed, then calls exchange.advance_to(now) (funding, markPrice/ticker events). Lines before
// recording_start are applied at the first step (fast-forward).
// Not thread-safe; single-threaded like the Exchange. Not a hot path (maps, and a DOM parse for
// each snapshot, are fine here).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bparb/book/order_book.hpp"
#include "bparb/core/clock.hpp"
#include "bparb/record/frame_source.hpp"
#include "bparb/sim/exchange.hpp"
#include "bparb/sim/recorded_book_mirror.hpp"
#include "bparb/sim/recorded_frames.hpp"

namespace bparb::sim {

struct ReplayOptions {
  std::string maker_api_key = "bpsim-replay-maker";  // reused if the exchange already has it
  double speed = 1.0;                                // recorded µs per simulated µs (> 0)
  TimestampUs recording_start_us = 0;                // 0 = the first line's receive time
  // recorded symbol -> exchange symbol; symbols not listed map to themselves. Recorded markets the
  // exchange does not list are skipped (stats.unknown_symbol).
  std::vector<std::pair<std::string, std::string>> symbol_map;
  bool set_marks = true;  // drive mark/index from the replayed mids
};

// orders_placed / orders_cancelled / orders_refused / first_refusal: the background mirror's calls.
struct ReplayStats : MirrorCounters {
  std::uint64_t lines = 0;           // lines applied
  std::uint64_t depth_frames = 0;    // depth frames passed to the market's DepthSync
  std::uint64_t snapshots = 0;       // rest_depth lines passed to DepthSync
  std::uint64_t syncs = 0;           // times a market's book became valid (full reconcile)
  std::uint64_t book_tickers = 0;    // informational
  std::uint64_t trades = 0;          // informational
  std::uint64_t events = 0;          // event lines
  std::uint64_t gaps = 0;            // valid books invalidated by a chain break or a reconnect event
  std::uint64_t other_frames = 0;    // ws frames of other streams (ignored)
  std::uint64_t parse_errors = 0;    // lines whose payload did not parse (skipped)
  std::uint64_t unknown_symbol = 0;  // lines for markets the exchange does not list
  std::uint64_t other_venue = 0;     // lines tagged with another venue than the decoder's (skipped)
};

class ReplayModel {
 public:
  // Registers (or reuses) the unlimited maker account and reads the first line. `source` must outlive
  // this object; `frames` reads the recorded venue's line formats (Backpack: make_backpack_frame_decoder()).
  // Throws std::invalid_argument for speed <= 0 or no decoder.
  ReplayModel(Exchange& exchange, record::FrameSource& source, std::unique_ptr<RecordedFrameDecoder> frames,
              ReplayOptions options = {});
  ~ReplayModel();
  ReplayModel(const ReplayModel&) = delete;
  ReplayModel& operator=(const ReplayModel&) = delete;

  // Applies the lines due at simulated time `now` (see above), then exchange.advance_to(now).
  void step(TimestampUs now);
  // Applies every line with receive time <= `recording_time_us` (backtests, tests). Returns lines applied.
  // Does not call advance_to.
  std::size_t apply_until(TimestampUs recording_time_us);
  // Applies exactly one line if any is left. False at the end.
  bool apply_next();

  bool finished() const noexcept;
  TimestampUs recording_start_us() const noexcept;
  // Receive time of the next line to apply; -1 when finished.
  TimestampUs next_line_time_us() const noexcept;
  // The recorded book of a market as followed by DepthSync (by EXCHANGE symbol); nullptr if unknown.
  const OrderBook* recorded_book(std::string_view symbol) const noexcept;
  bool synced(std::string_view symbol) const noexcept;
  AccountId maker_account() const noexcept;
  const ReplayStats& stats() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace bparb::sim
