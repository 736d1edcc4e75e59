#pragma once
// What one backtest produced: the contract between the replay runner (runner.hpp) and the report
// writers (report.hpp). Everything here is deterministic for the same data and config: no wall-clock
// figures (replay speed is printed by the command, never written into the report).
#include <cstdint>
#include <string>
#include <vector>

#include "bparb/core/clock.hpp"
#include "bparb/core/decimal.hpp"

namespace bparb::backtest {

// Account value marked to the books at a point in time (USD / quote asset).
struct EquityPoint {
  TimestampUs t = 0;
  Decimal equity;      // realized + unrealized − fees + funding since the start (P&L, not balance)
  Decimal realized;    // closed trades' spread capture
  Decimal fees;        // cumulative fees paid (positive = cost)
  Decimal funding;     // cumulative funding received (negative = paid)
  Decimal unrealized;  // open positions marked at executable exit prices
};

// Executable basis of one pair at one time, from the engine's own books, in basis points:
// perp premium = (perp bid − spot ask) / spot ask; spot premium = (spot bid − perp ask) / perp ask.
struct BasisSample {
  TimestampUs t = 0;
  double perp_premium_bps = 0;
  double spot_premium_bps = 0;
};

// Percentiles of one direction's basis over every book update of the run (not the down-sampled series).
struct BasisPercentiles {
  std::uint64_t samples = 0;
  double p50 = 0, p75 = 0, p90 = 0, p99 = 0, min = 0, max = 0;  // bps
};

struct PairSeries {
  std::string pair;                  // "SOL"
  std::string spot_symbol;           // "SOL_USDC"
  std::string perp_symbol;           // "SOL_USDC_PERP"
  std::vector<BasisSample> basis;    // down-sampled for charts (at most one sample per sample_interval_us)
  BasisPercentiles perp_premium;     // all updates
  BasisPercentiles spot_premium;
};

struct TradeRecord {
  std::uint64_t id = 0;       // the engine's position number
  std::string pair;
  std::string direction;      // "perp_premium" | "spot_premium"
  TimestampUs opened_us = 0;
  TimestampUs closed_us = 0;  // 0 = still open at the end (marked, not closed)
  double entry_basis_bps = 0;
  double exit_basis_bps = 0;
  Decimal quantity;           // base asset, per leg
  Decimal spread_pnl;         // price P&L of both legs
  Decimal fees;               // positive = cost
  Decimal funding;            // positive = received
  Decimal net_pnl;            // spread_pnl − fees + funding
  std::string exit_reason;    // "convergence", "take_profit", "max_holding", "funding", "end_of_data", ...
};

struct RefusalCount {
  std::string reason;  // risk rule or sizing/confidence reason, e.g. "confidence", "max_open_positions"
  std::uint64_t count = 0;
};

struct BacktestResult {
  // Inputs, echoed so a report says what it is a report of.
  std::string config_path;
  std::string data_path;
  TimestampUs from_us = 0;  // first and last replayed receive time
  TimestampUs to_us = 0;
  std::uint64_t sample_interval_us = 1'000'000;

  // Replay counters.
  std::uint64_t events = 0;           // lines replayed (ws + rest_depth + event)
  std::uint64_t malformed_frames = 0; // counted and skipped
  std::uint64_t resyncs = 0;          // book resynchronisations (gaps, reconnects)

  std::vector<EquityPoint> equity;    // down-sampled, plus a point at every fill
  std::vector<PairSeries> pairs;
  std::vector<TradeRecord> trades;    // in opening order

  std::uint64_t opportunities_seen = 0;   // episodes above min_spread_threshold
  std::uint64_t opportunities_taken = 0;  // episodes that opened a position
  std::vector<RefusalCount> refusals;     // why the rest were not taken, sorted by count desc then reason

  // Totals (exact).
  Decimal spread_capture;
  Decimal fees;
  Decimal funding;
  Decimal net_pnl;
  Decimal max_drawdown;              // largest peak-to-trough fall of `equity`, positive
  std::uint64_t wins = 0;            // closed trades with net_pnl > 0
  std::uint64_t losses = 0;
  double mean_holding_seconds = 0;   // closed trades
  double max_holding_seconds = 0;
};

// One row of a --sweep grid.
struct SweepParam {
  std::string key;    // dotted TOML key, e.g. "strategy.min_execution_threshold"
  std::string value;  // as written into the config
};

struct SweepRow {
  std::vector<SweepParam> params;
  std::uint64_t trades = 0;
  std::uint64_t wins = 0;
  Decimal net_pnl;
  Decimal max_drawdown;
  Decimal fees;
  Decimal funding;
};

}  // namespace bparb::backtest
