#pragma once
// `bparb backtest --config FILE --data DIR [--from T] [--to T] --report DIR [--sweep key=from:to:step]...`
//
// Replays a recording (tests/record/FORMAT.md) through the live engine code against bpsim's matching engine
// (backtest::Runner) and writes DIR/summary.json and DIR/report.html (with --sweep also sweep.csv/.md: the
// grid ranked by net P&L, then drawdown). The pieces are exposed for tests.
#include <iosfwd>
#include <span>
#include <string>
#include <vector>

#include "bparb/app/config.hpp"
#include "bparb/backtest/runner.hpp"
#include "bparb/backtest/sweep.hpp"

namespace bparb::app {

int cmd_backtest(std::span<const std::string> args, std::ostream& out, std::ostream& err);

// A copy of the config file's TOML with `key` set to `value` (an integer when it has no '.', else a
// decimal string), re-validated by the same loader. Throws ConfigError naming the key on a bad value.
Config config_with(const std::string& config_path, const std::vector<std::pair<std::string, std::string>>& overrides);

// Config -> runner settings: the same engine/risk mapping as the daemon, the [backtest] table, and the
// pairs' market specs (from paper.sim_config or the Binance stand-in specs). Throws std::runtime_error
// naming what is missing.
backtest::RunnerConfig runner_config(const Config& cfg);

}  // namespace bparb::app
