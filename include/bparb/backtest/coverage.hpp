#pragma once
// What the recording let the backtest see, per market: how long each order book was valid, and where
// each perp's funding rates came from. Kept apart from the replay loop (runner.cpp calls these at a few
// points: after each line, when trading starts and ends, on markPrice frames, at funding settlements)
// so that it moves unchanged with the loop. Pure bookkeeping: no clock, no I/O, no allocation per line.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "bparb/backtest/result.hpp"
#include "bparb/core/clock.hpp"
#include "bparb/core/decimal.hpp"

namespace bparb::backtest {

class BookValidityTracker {
 public:
  std::size_t add(std::string symbol, bool traded = true);  // returns the market's index
  void depth_frame(std::size_t i) noexcept { ++m_[i].v.depth_frames; }
  void snapshot(std::size_t i) noexcept { ++m_[i].v.snapshots; }
  // Market i's book is (not) valid from `t` on. Cheap when nothing changed (called after every line).
  void set(std::size_t i, bool valid, TimestampUs t) noexcept;
  // The replayed window starts (trading starts) / ends at `t`; only time inside it counts.
  void open_window(TimestampUs t) noexcept;
  void close_window(TimestampUs t) noexcept;
  bool window_opened() const noexcept { return opened_; }
  std::vector<BookValidity> result() const;

 private:
  struct Market {
    BookValidity v;
    bool valid = false;
    TimestampUs since = 0;
  };
  std::vector<Market> m_;
  bool opened_ = false;
  bool closed_ = false;
};

class FundingFeedTracker {
 public:
  std::size_t add(std::string perp_symbol, std::int64_t interval_ms);  // returns the perp's index
  // A recorded funding rate for the settlement at `funding_time_ms`. False (counted as off_grid, not to
  // be used) when that time is not on the perp's interval grid.
  bool recorded(std::size_t i, std::int64_t funding_time_ms) noexcept;
  // The perp settled at `t_ms` (inside the window): with a recorded rate for it, or modelled.
  void settled(std::size_t i, std::int64_t t_ms) noexcept;
  std::int64_t interval_ms(std::size_t i) const noexcept { return f_[i].interval_ms; }
  std::vector<FundingFeed> result() const;

 private:
  struct Perp {
    FundingFeed v;
    std::int64_t interval_ms = 0;
    std::int64_t last_for_ms = -1;  // settlement time of the last usable recorded rate
  };
  std::vector<Perp> f_;
};

// The sentence the backtest command prints when a traded market never had a valid book (empty if all had;
// markets only followed are left out): which market, what the recording held for it, and why that gives
// no book.
std::string no_valid_book_reason(const std::vector<BookValidity>& books);

}  // namespace bparb::backtest
