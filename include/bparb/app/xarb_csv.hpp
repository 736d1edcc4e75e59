#pragma once
// The cross-venue arbitrage's CSV files, with the seed bot's exact headers (docs/cross_venue.md §6):
//   bbo_<TICKER>_<date>.csv     one row every 5 s: both venues' touch, the two spreads and the signal
//   trades_<TICKER>_<date>.csv  one row per completed two-leg trade, with its fees and P&L net of them
// One file per UTC day (DailyCsv: a new file at midnight, appended to across restarts, header once).
// Time comes from the injected clock; `timestamp` is ISO 8601 UTC to the millisecond.
// Off the hot path: a row every 5 s and per trade may format with std::string.
#include <string>
#include <string_view>

#include "bparb/app/daily_csv.hpp"
#include "bparb/core/clock.hpp"
#include "bparb/core/decimal.hpp"
#include "bparb/strategy/cross_venue/xarb_signal.hpp"

namespace bparb::app {

inline constexpr std::string_view kXarbBboCsvHeader =
    "timestamp,backpack_bid,backpack_ask,lighter_bid,lighter_ask,long_spread,short_spread,signal\n";
inline constexpr std::string_view kXarbTradesCsvHeader =
    "timestamp,direction,quantity,backpack_side,backpack_price,lighter_side,lighter_price,spread_captured,"
    "pnl_estimate,backpack_fee,lighter_fee\n";

// "2026-11-21T23:59:59.500Z".
std::string iso_utc_ms(TimestampUs t);

// Both venues' touch (zero = that side is empty) and the direction the core would trade now, if any.
struct XarbBboSample {
  Decimal backpack_bid;
  Decimal backpack_ask;
  Decimal lighter_bid;
  Decimal lighter_ask;
  bool has_signal = false;
  XarbDirection signal = XarbDirection::kLongBackpack;
};

// A completed entry: both legs' average fill prices and the fees the venues charged (quote currency).
struct XarbTradeSample {
  XarbDirection direction = XarbDirection::kLongBackpack;
  Decimal quantity;
  Decimal backpack_price;
  Decimal lighter_price;
  Decimal backpack_fee;
  Decimal lighter_fee;
};

class XarbCsvWriter {
 public:
  static constexpr DurationUs kBboInterval = 5 * kUsPerSecond;

  // `clock` must outlive the writer. Files go to `dir` (which must exist) as bbo_<ticker>_<date>.csv and
  // trades_<ticker>_<date>.csv.
  XarbCsvWriter(std::string dir, std::string_view ticker, const Clock& clock);

  // Writes a row when 5 s have passed since the last one (the first call always writes): call it on every
  // book update, or from a timer. Returns whether a row was written. Throws std::runtime_error naming the
  // file when it cannot be written.
  bool on_bbo(const XarbBboSample& s);
  // One row, flushed at once (a trader tails this file).
  void on_trade(const XarbTradeSample& t);
  void flush();

  const std::string& bbo_path() const noexcept { return bbo_.path(); }
  const std::string& trades_path() const noexcept { return trades_.path(); }

 private:
  const Clock& clock_;
  DailyCsv bbo_;
  DailyCsv trades_;
  TimestampUs last_bbo_us_ = 0;
  bool wrote_bbo_ = false;
};

}  // namespace bparb::app
