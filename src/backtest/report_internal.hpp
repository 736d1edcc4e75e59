#pragma once
// Figures derived from a BacktestResult that both summary.json and report.html show, computed once
// here so the two files never disagree. Private to src/backtest/report*.cpp.
#include <cstdint>
#include <optional>
#include <vector>

#include "bparb/backtest/result.hpp"

namespace bparb::backtest::report_internal {

struct Derived {
  std::uint64_t closed_trades = 0;
  std::uint64_t open_trades = 0;
  std::optional<double> win_rate;          // wins / (wins + losses); none without closed trades
  std::optional<double> median_holding_s;  // over closed trades
  std::uint64_t not_taken = 0;             // opportunities_seen − opportunities_taken (never negative)
  std::uint64_t refusals_total = 0;        // sum of refusal counts (may differ from not_taken)
  std::optional<double> take_rate;         // taken / seen
  std::vector<RefusalCount> refusals;      // count desc, then reason (re-sorted: never trust input order)
  bool has_equity = false;
  Decimal equity_final, equity_min, equity_max;
};

Derived derive(const BacktestResult& r);

// Holding time of a closed trade in seconds; none while open.
std::optional<double> holding_seconds(const TradeRecord& t);

}  // namespace bparb::backtest::report_internal
