#pragma once
// CSV files the seed's users know (bbo_<BASE>_<date>.csv from `bparb record`, trades_<BASE>_<date>.csv of the
// daemon's own fills): one file per UTC day, appended to across restarts, header written once per file.
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "bparb/core/client_id.hpp"
#include "bparb/core/clock.hpp"
#include "bparb/core/decimal.hpp"

namespace bparb::app {

// "2026-11-21" for a time in that UTC day.
std::string utc_date(TimestampUs t);

class DailyCsv {
 public:
  DailyCsv() = default;
  DailyCsv(std::string dir, std::string prefix, std::string_view header)
      : dir_(std::move(dir)), prefix_(std::move(prefix)), header_(header) {}
  ~DailyCsv() { close(); }
  DailyCsv(const DailyCsv&) = delete;
  DailyCsv& operator=(const DailyCsv&) = delete;
  DailyCsv(DailyCsv&& o) noexcept;
  DailyCsv& operator=(DailyCsv&& o) noexcept;

  // Opens DIR/PREFIX<date>.csv for the UTC day of `t` (a new file at midnight); throws std::runtime_error
  // naming the path when it cannot be opened.
  void roll(TimestampUs t);
  // Appends `row` (which ends with '\n') to the file of t's day; throws naming the file on a write error.
  void put(TimestampUs t, std::string_view row);
  void flush();
  void close();
  std::uint64_t bytes() const noexcept { return bytes_; }
  const std::string& path() const noexcept { return path_; }

 private:
  std::string dir_;
  std::string prefix_;  // "bbo_SOL_"
  std::string_view header_;
  std::string path_;
  std::FILE* f_ = nullptr;
  TimestampUs day_end_ = 0;
  std::uint64_t bytes_ = 0;
};

inline constexpr std::string_view kBboCsvHeader =
    "timestamp_us,spot_bid,spot_ask,perp_bid,perp_ask,perp_premium_pct,spot_premium_pct\n";
// One row per fill of the daemon's own orders.
inline constexpr std::string_view kTradesCsvHeader =
    "timestamp_us,pair,position_id,purpose,symbol,side,quantity,price,fee,fee_symbol,liquidity,client_id\n";

struct TradeCsvRow {
  TimestampUs t = 0;
  std::string_view pair;
  std::uint64_t position_id = 0;  // 0 = not attached to a position (e.g. adopting a leftover)
  std::string_view purpose;       // entry / exit / hedge / reprice / fallback
  std::string_view symbol;
  std::string_view side;  // Bid / Ask
  Decimal quantity;
  Decimal price;
  Decimal fee;
  std::string_view fee_symbol;
  bool maker = false;
  ClientId client_id = 0;
};

// trades_<BASE>_<date>.csv per pair in one directory. Fills are rare (not the per-frame path), so a row
// may format with std::string.
class TradesCsv {
 public:
  explicit TradesCsv(std::string dir) : dir_(std::move(dir)) {}
  void write(const TradeCsvRow& row);
  void flush();
  std::uint64_t rows() const noexcept { return rows_; }

 private:
  struct PerPair {
    std::string pair;
    DailyCsv file;
  };
  std::string dir_;
  std::vector<PerPair> pairs_;
  std::uint64_t rows_ = 0;
};

}  // namespace bparb::app
