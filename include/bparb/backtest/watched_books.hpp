#pragma once
// The recorded books of markets no strategy trades in the backtest (another venue's: Lighter's, from
// `bparb record --venue lighter`). Each is followed exactly as recorded — snapshot, deltas chained by
// their ids, a reset on a reconnect or resync event — only for the report's book-validity section
// (docs/lighter.md, "Replaying a recording"). A market's book is made at its first line; nothing here
// touches the simulated venue, the engine or the traded markets' books.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "bparb/backtest/coverage.hpp"
#include "bparb/backtest/parsed_recording.hpp"
#include "bparb/book/depth_sync.hpp"
#include "bparb/book/depth_types.hpp"
#include "bparb/book/order_book.hpp"
#include "bparb/core/market_spec.hpp"

namespace bparb::backtest {

class WatchedBooks {
 public:
  struct Counts {
    std::uint64_t depth_frames = 0;
    std::uint64_t snapshots = 0;
    std::uint64_t other_frames = 0;  // trades (nothing trades these markets) and frames of no use
    std::uint64_t malformed = 0;
  };

  // Markets are added to `validity` as they appear; it must outlive this object.
  explicit WatchedBooks(BookValidityTracker& validity) noexcept : validity_(validity) {}

  // One parsed event of such a market. Throws std::runtime_error for a line no decoder reads.
  void on_event(const ParsedRecording& r, const ParsedEvent& e);
  // Each book's validity at `t` (after every line, like the traded books).
  void note_validity(TimestampUs t) noexcept;
  const Counts& counts() const noexcept { return counts_; }
  std::size_t size() const noexcept { return books_.size(); }

 private:
  struct Book {
    std::string symbol;
    MarketSpec spec;
    std::unique_ptr<OrderBook> book;
    std::unique_ptr<DepthSync> sync;
    std::size_t validity_index = 0;
  };
  Book& book(std::string_view symbol);

  BookValidityTracker& validity_;
  std::vector<std::unique_ptr<Book>> books_;
  Counts counts_;
  DepthDelta delta_;
  DepthSnapshot snapshot_;
};

}  // namespace bparb::backtest
