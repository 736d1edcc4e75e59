#pragma once
// Which part of the venue's fills history (GET /wapi/v1/history/fills on Backpack) the fills reconciliation asks for on
// each poll.
//
// Why the window moves: asked from process start, every 2-second poll re-downloads and re-parses every
// fill of the run, and once the run has more fills than one page (limit 1000, newest first) the oldest
// fall out of the answer without notice. A row only needs to stay in the window until it has been seen
// on two polls in a row (the rule that keeps a stream frame still in flight from being booked twice), so
// the window starts at the last successful poll, less a margin for the exchange/local clock offset and
// for fills that reach the history late, and never later than the oldest row still waiting for its
// second sighting.
#include <cstdint>

namespace bparb::runtime {

inline constexpr std::int64_t kFillsWindowMarginMs = 60'000;

// started_ms: when the daemon started (local clock, ms). last_ok_sent_ms: when the last poll that got an
// answer was sent (0 before the first). oldest_suspect_ms: exchange timestamp of the oldest row missing
// from the stream on the last poll (0 when none).
constexpr std::int64_t fills_window_from_ms(std::int64_t started_ms, std::int64_t last_ok_sent_ms,
                                            std::int64_t oldest_suspect_ms) noexcept {
  std::int64_t from = (last_ok_sent_ms > started_ms ? last_ok_sent_ms : started_ms) - kFillsWindowMarginMs;
  if (oldest_suspect_ms > 0 && oldest_suspect_ms < from) from = oldest_suspect_ms;
  return from;
}

}  // namespace bparb::runtime
