#pragma once
// Reader for recorded market-data lines, used by the depth-replay tool and the replay benchmark.
//
// Line format (hftbacktest recorder, docs/binance_import.md): "<local_ts> <raw WS JSON>", or
// the bare JSON. The JSON is either a combined-stream envelope {"stream":..,"data":{..}} or a bare
// REST depth snapshot {"lastUpdateId":..,"bids":[..],"asks":[..]}.
// Formats:
//  - binance-spot: depthUpdate {U,u,b,a,E(ms)}; sequencing U == prev u + 1 (same rule as Backpack).
//  - binance-usdm: depthUpdate {U,u,pu,b,a,T(ms)}; sequencing pu == prev u, so U is reported as pu + 1
//    to let DepthSync's U == prev u + 1 rule apply unchanged.
//  - backpack: depth {U,u,b,a,T(us)} (numbers or strings), snapshot lastUpdateId string, timestamp us.
// Tool code (not hot path): allocation and simdjson's DOM parser are fine here.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "bparb/book/depth_types.hpp"
#include "bparb/core/decimal.hpp"

namespace bparb::bench {

enum class FeedFormat : std::uint8_t { kBinanceSpot, kBinanceUsdm, kBackpack };
bool parse_feed_format(std::string_view s, FeedFormat& out) noexcept;

enum class LineKind : std::uint8_t {
  kDepth,       // `delta` filled
  kSnapshot,    // `snapshot` filled
  kBookTicker,  // `quote` filled
  kOther,       // valid JSON of a stream we do not replay (trades, ...)
  kError,       // malformed: see error()
};

// Best bid/ask as published by the venue's own bookTicker stream, to cross-check the rebuilt book.
struct TopQuote {
  std::int64_t update_id = 0;
  Decimal bid;
  Decimal bid_qty;
  Decimal ask;
  Decimal ask_qty;
  bool has_bid = false;
  bool has_ask = false;
};

class RecordedLineParser {
 public:
  // local_ts_to_us: divisor turning the line's local timestamp prefix into microseconds (1000 for ns).
  RecordedLineParser(FeedFormat format, std::int64_t local_ts_to_us);
  ~RecordedLineParser();
  RecordedLineParser(const RecordedLineParser&) = delete;
  RecordedLineParser& operator=(const RecordedLineParser&) = delete;

  // `local_us` is 0 if the line has no timestamp prefix. Output structs are cleared and refilled.
  LineKind parse(std::string_view line, DepthDelta& delta, DepthSnapshot& snapshot, TopQuote& quote,
                 TimestampUs& local_us);
  const std::string& error() const noexcept { return error_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  FeedFormat format_;
  std::int64_t ts_div_;
  std::string error_;
};

}  // namespace bparb::bench
