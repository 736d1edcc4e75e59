#pragma once
// `--sweep key=from:to:step` grid specs (pure: parsing and value generation; applying a value to a
// config is the command's job, see app/backtest_command.hpp).
#include <string>
#include <vector>

namespace bparb::backtest {

struct SweepSpec {
  std::string key;                  // dotted: "strategy.min_execution_threshold"
  std::vector<std::string> values;  // from, from+step, ... <= to (exact decimal strings, canonical: "0.001")
};

// "strategy.min_execution_threshold=0.001:0.004:0.001" -> key + values (inclusive of `to` when the grid
// lands on it). The key must be <table>.<key> with table strategy, risk or execution; from <= to,
// step > 0, decimals with at most 9 places, at most 1000 values. False with `error` naming the problem
// and the argument ("--sweep strategy.x: step must be > 0, got 0").
bool parse_sweep_spec(const std::string& text, SweepSpec& out, std::string& error);

}  // namespace bparb::backtest
