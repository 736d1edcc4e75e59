#include "bparb/backtest/sweep.hpp"

#include <gtest/gtest.h>

namespace bparb::backtest {
namespace {

TEST(BacktestSweep, ParsesAnInclusiveExactGrid) {
  SweepSpec s;
  std::string e;
  ASSERT_TRUE(parse_sweep_spec("strategy.min_execution_threshold=0.001:0.004:0.001", s, e)) << e;
  EXPECT_EQ(s.key, "strategy.min_execution_threshold");
  EXPECT_EQ(s.values, (std::vector<std::string>{"0.001", "0.002", "0.003", "0.004"}));
  // Exact decimals: 0.1 steps never drift (a double grid would give 0.30000000000000004).
  ASSERT_TRUE(parse_sweep_spec("risk.max_position_usd=0.1:0.3:0.1", s, e)) << e;
  EXPECT_EQ(s.values, (std::vector<std::string>{"0.1", "0.2", "0.3"}));
  // `to` not on the grid: the last value below it.
  ASSERT_TRUE(parse_sweep_spec("execution.maker_reprice_bps=1:6:2", s, e)) << e;
  EXPECT_EQ(s.values, (std::vector<std::string>{"1", "3", "5"}));
  ASSERT_TRUE(parse_sweep_spec("strategy.min_closing_spread=-0.002:0:0.001", s, e)) << e;
  EXPECT_EQ(s.values, (std::vector<std::string>{"-0.002", "-0.001", "0"}));
  ASSERT_TRUE(parse_sweep_spec("strategy.max_open_positions=2:2:1", s, e)) << e;
  EXPECT_EQ(s.values, (std::vector<std::string>{"2"}));
  // The market maker's [mm] keys.
  ASSERT_TRUE(parse_sweep_spec("mm.requote_ticks=1:3:1", s, e)) << e;
  EXPECT_EQ(s.values, (std::vector<std::string>{"1", "2", "3"}));
  // The cross-venue strategy's [xarb] keys.
  ASSERT_TRUE(parse_sweep_spec("xarb.min_net_edge_bps=2:20:6", s, e)) << e;
  EXPECT_EQ(s.values, (std::vector<std::string>{"2", "8", "14", "20"}));
}

TEST(BacktestSweep, BadSpecsNameTheProblem) {
  SweepSpec s;
  const std::pair<const char*, const char*> cases[] = {
      {"strategy.min_execution_threshold", "expected key=from:to:step"},
      {"=1:2:1", "expected key=from:to:step"},
      {"exchange.mode=1:2:1", "is not allowed"},
      {"strategy=1:2:1", "is not allowed"},
      {"strategy.=1:2:1", "is not allowed"},
      {"strategy.a.b=1:2:1", "is not allowed"},
      {"strategy.x=1:2", "expected from:to:step"},
      {"strategy.x=1:2:3:4", "expected from:to:step"},
      {"strategy.x=a:2:1", "from \"a\" is not a decimal"},
      {"strategy.x=1:2:0.0000000001", "step \"0.0000000001\" is not a decimal"},
      {"strategy.x=1:1e3:1", "to \"1e3\" is not a decimal"},
      {"strategy.x=1:2:0", "step must be > 0"},
      {"strategy.x=1:2:-1", "step must be > 0"},
      {"strategy.x=3:2:1", "from 3 is above to 2"},
      {"strategy.x=0:1:0.0001", "more than 1000 values"},
  };
  for (const auto& [text, want] : cases) {
    std::string e;
    EXPECT_FALSE(parse_sweep_spec(text, s, e)) << text;
    EXPECT_NE(e.find(want), std::string::npos) << text << " -> " << e;
    EXPECT_NE(e.find("--sweep"), std::string::npos) << e;
  }
}

}  // namespace
}  // namespace bparb::backtest
