#pragma once
// Converts hftbacktest's Binance recordings (gzip text, one `<local_ts_ns> <raw Binance JSON>` per line)
// into our recording format with Backpack-shaped frames, so that a Binance spot + USDⓈ-M pair can stand in
// for SOL_USDC / SOL_USDC_PERP in replays and backtests.
//
// Mapping (all times µs: local ns / 1000, Binance ms * 1000):
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
// Prices/quantities are re-rendered at the stand-in market's decimals after an exact check that they lie
// on its tick/step (never rounded); a level off the grid is counted and skipped (stats.off_grid).
// Stand-in specs: spot tick 0.01 / step 0.000001 (the BTC spot file has quantities at 1e-6, finer than
// Binance's 1e-5 lot), perp tick 0.1 / step 0.001; tick * step stays within Decimal's 1e-9 so bpsim
// notionals are exact.
// Lines are sorted by receive time per file (stable: a file's out-of-order lines are counted), then
// spot and perp are merged by receive time (ties: spot first).
#include <cstdint>
#include <string>
#include <vector>

#include "bparb/core/decimal.hpp"
#include "bparb/core/market_spec.hpp"
#include "bparb/record/frame_source.hpp"

namespace bparb::record {

struct BinanceMarketStats {
  std::uint64_t lines = 0;
  std::uint64_t depth = 0;
  std::uint64_t snapshots = 0;
  std::uint64_t book_tickers = 0;
  std::uint64_t trades = 0;
  std::uint64_t gaps = 0;          // depth chain breaks (written as event lines)
  std::uint64_t off_grid = 0;      // levels/prices not on the stand-in tick/step (skipped)
  std::uint64_t malformed = 0;     // unparseable lines (skipped)
  std::uint64_t unknown = 0;       // other streams (skipped)
  std::uint64_t out_of_order = 0;  // lines whose local time is below the previous line's (re-sorted)
};

struct ImportedLine {
  TimestampUs receive_time_us = 0;
  FrameKind kind = FrameKind::kWs;
  std::string market;  // our symbol, for the directory layout
  std::string payload;
};

// The stand-in MarketSpec used for conversion (and suitable for bpsim: no price bands, min qty = step).
MarketSpec binance_stand_in_spec(const std::string& symbol, bool perp);

// Converts one hftbacktest file. `perp` selects futures continuity (pu). Throws std::runtime_error if the
// file cannot be read.
std::vector<ImportedLine> convert_binance_file(const std::string& path, const MarketSpec& spec, bool perp,
                                               BinanceMarketStats& stats);

// Merges two converted files by receive time (stable; ties: `a` first).
std::vector<ImportedLine> merge_by_time(std::vector<ImportedLine> a, std::vector<ImportedLine> b);

// Writes lines: `out` ending in .frames or .frames.gz -> one file; otherwise a recording directory
// `out/<market>/<YYYY-MM-DD>.frames.gz` (created). Returns the files written.
std::vector<std::string> write_recording(const std::vector<ImportedLine>& lines, const std::string& out);

}  // namespace bparb::record
