#pragma once
// Converts hftbacktest's Binance recordings (gzip text, `<local_ts> <raw Binance JSON>`; docs/binance_import.md
// describes the source format) into our recording format with Backpack-shaped frames, so that a
// Binance spot + USDⓈ-M pair can stand in for SOL_USDC / SOL_USDC_PERP in replays and backtests.
//
// Local timestamps: hftbacktest files carry nanoseconds (newer) or microseconds (older samples). The unit
// is detected from the first timestamp's magnitude (or given); every line must then date between
// 2010-01-01 and 2100-01-01 UTC, otherwise the file is refused naming the file and line (a wrong unit
// is 1000x off and lands decades away, so the window tells the units apart unambiguously).
//
// Mapping (all times µs: local time in its unit -> µs, Binance ms * 1000):
//  - `<s>@depth@100ms` / `@depth@0ms` -> ws {"stream":"depth.<SYM>","data":{"e":"depth","E","s","a","b","U","u","T"}}
//    (T = Binance T, or E on spot which has none). Binance futures chain diffs with `pu` (= previous u)
//    and U is NOT previous u + 1; we emit U = previous u + 1 whenever pu == previous u, so the Backpack
//    rule `U == prev u + 1` holds. Any break of the chain (futures pu != prev u, spot U != prev u + 1)
//    is written as an `event` {"type":"gap",...} line and the frame keeps a U that shows the gap.
//  - the bare REST snapshot {"lastUpdateId",...} -> rest_depth {"symbol":..,"data":{"asks","bids"
//    (both ascending, best bid last, like Backpack),"lastUpdateId":"<id>","timestamp":µs}}.
//  - bookTicker -> ws bookTicker.<SYM> {"e":"bookTicker","E","s","a","A","b","B","u","T"}; spot
//    bookTicker has no exchange time: E = T = receive time.
//  - trade -> ws trade.<SYM> {"e":"trade","E","s","p","q","t","T","m"} (Binance gives no order ids).
//  - USDⓈ-M markPrice (`<s>@markPrice` / `@markPrice@1s`: mark p, index i, funding rate r, next funding
//    time T ms) -> ws markPrice.<SYM> {"e":"markPrice","E","s","p","f" (= r),"i","n" (= T, ms),"T" (= E)},
//    Backpack's markPrice shape; mark/index are kept exactly as given (they are averages, not on the tick).
// Prices/quantities are re-rendered at the stand-in market's decimals after an exact check that they lie
// on its tick/step (never rounded); a level off the grid is counted and skipped (stats.off_grid).
// Stand-in specs: spot tick 0.01 / step 0.000001 (the BTC spot file has quantities at 1e-6, finer than
// Binance's 1e-5 lot), perp tick 0.1 / step 0.001; tick * step stays within Decimal's 1e-9 so bpsim
// notionals are exact.
// Lines are sorted by receive time per file (stable: a file's out-of-order lines are counted), then
// spot and perp are merged by receive time (ties: spot first).
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "bparb/core/decimal.hpp"
#include "bparb/core/market_spec.hpp"
#include "bparb/record/frame_source.hpp"

namespace bparb::record {

enum class TimestampUnit : std::uint8_t { kAuto, kNanoseconds, kMicroseconds, kMilliseconds };
// "auto" | "ns" | "us" | "ms"; false if none of them.
bool parse_timestamp_unit(std::string_view s, TimestampUnit& out) noexcept;
std::string_view timestamp_unit_name(TimestampUnit u) noexcept;  // "ns", "us", "ms", "auto"

// The window a local receive time must lie in to be believed: [2010-01-01, 2100-01-01) UTC, in µs.
inline constexpr TimestampUs kPlausibleFromUs = 1'262'304'000 * kUsPerSecond;
inline constexpr TimestampUs kPlausibleToUs = 4'102'444'800 * kUsPerSecond;

// "2024-08-08 23:54:13.937085 UTC" (µs precision).
std::string format_utc_us(TimestampUs t);

struct BinanceMarketStats {
  std::uint64_t lines = 0;
  std::uint64_t depth = 0;
  std::uint64_t snapshots = 0;
  std::uint64_t book_tickers = 0;
  std::uint64_t trades = 0;
  std::uint64_t mark_prices = 0;                 // markPrice frames (mark, index, funding rate, next funding time)
  std::uint64_t gaps = 0;                        // depth chain breaks (written as event lines)
  std::uint64_t off_grid = 0;                    // levels/prices not on the stand-in tick/step (skipped)
  std::uint64_t malformed = 0;                   // unparseable lines (skipped)
  std::uint64_t unknown = 0;                     // other streams (skipped)
  std::uint64_t out_of_order = 0;                // lines whose local time is below the previous line's (re-sorted)
  TimestampUnit ts_unit = TimestampUnit::kAuto;  // the unit used (detected or given)
  bool ts_unit_detected = false;                 // true when it was detected from the data
  TimestampUs first_us = 0;                      // earliest / latest local receive time converted (µs)
  TimestampUs last_us = 0;
};

// Why the backtest will not get a book for this market, or empty: depth frames but no REST snapshot to
// start them from (Binance diffs only become a book on top of a snapshot with lastUpdateId inside their
// range). Says what the recording still carries (bookTicker, trades) and that the backtest, which needs
// the book, will refuse the run. Wording for the importer's message.
std::string depth_sync_problem(const BinanceMarketStats& s);

struct ImportedLine {
  TimestampUs receive_time_us = 0;
  FrameKind kind = FrameKind::kWs;
  std::string market;  // our symbol, for the directory layout
  std::string payload;
};

// The stand-in MarketSpec used for conversion (and suitable for bpsim: no price bands, min qty = step).
MarketSpec binance_stand_in_spec(const std::string& symbol, bool perp);

// Converts one hftbacktest file. `perp` selects futures continuity (pu). Throws std::runtime_error if the
// file cannot be read, or (message "<path>:<line>: ...") if a local timestamp does not date plausibly
// in `unit` (kAuto: the unit detected from the first timestamp).
std::vector<ImportedLine> convert_binance_file(const std::string& path, const MarketSpec& spec, bool perp,
                                               BinanceMarketStats& stats, TimestampUnit unit = TimestampUnit::kAuto);

// Merges two converted files by receive time (stable; ties: `a` first).
std::vector<ImportedLine> merge_by_time(std::vector<ImportedLine> a, std::vector<ImportedLine> b);

// Writes lines: `out` ending in .frames or .frames.gz -> one file; otherwise a recording directory
// `out/<market>/<YYYY-MM-DD>.frames.gz` (created). Returns the files written.
std::vector<std::string> write_recording(const std::vector<ImportedLine>& lines, const std::string& out);

}  // namespace bparb::record
