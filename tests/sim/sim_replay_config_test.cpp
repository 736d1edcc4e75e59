// [replay] in sim.toml and SimRuntime's replay hook.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include "bparb/sim/backpack/recording_lines.hpp"
#include "bparb/sim/sim_config.hpp"
#include "bparb/sim/sim_runtime.hpp"

namespace bparb::sim {
namespace {

TEST(SimReplayConfigTest, ParsesAndValidatesTheReplaySection) {
  const SimConfig c = parse_sim_config(R"(
[replay]
enabled = true
path = "rec"
speed = 10.0
start_us = 1723161255000000
symbols = { BTC_USDC = "SOL_USDC" }
)",
                                       "t.toml");
  EXPECT_TRUE(c.replay.enabled);
  EXPECT_EQ(c.replay.path, "rec");
  EXPECT_EQ(c.replay.speed, 10.0);
  EXPECT_EQ(c.replay.start_us, 1723161255000000);
  ASSERT_EQ(c.replay.symbols.size(), 1u);
  EXPECT_EQ(c.replay.symbols[0].first, "BTC_USDC");
  EXPECT_EQ(c.replay.symbols[0].second, "SOL_USDC");
  EXPECT_FALSE(default_sim_config().replay.enabled);
  EXPECT_THROW(parse_sim_config("[replay]\nenabled = true\n", "t.toml"),
               SimConfigError); // no path
  EXPECT_THROW(parse_sim_config("[replay]\nspeed = 0.0\n", "t.toml"),
               SimConfigError);
  EXPECT_THROW(parse_sim_config("[replay]\nbogus = 1\n", "t.toml"),
               SimConfigError);
}

TEST(SimReplayConfigTest, RuntimeReplacesTheModelWithTheRecording) {
  const std::string toml = R"(
[runtime]
step_interval_ms = 0
start_time_ms = 1723161255000
[exchange]
markets = ["SOL_USDC", "SOL_USDC_PERP"]
[replay]
enabled = true
path = ")" + std::string(BPARB_SOURCE_DIR) +
                           R"(/tests/record/data/sample.frames"
)";
  const SimConfig c = parse_sim_config(toml, "t.toml");
  ManualClock wall(1'723'161'255'000'000);
  boost::asio::io_context io;
  SimRuntime rt(io, c, &wall, make_backpack_frame_decoder);
  EXPECT_EQ(rt.model(), nullptr);
  ASSERT_NE(rt.replay(), nullptr);
  rt.step(); // recording time = its first line: nothing applied beyond it
  wall.advance_us(200'000);
  rt.step(); // +200 ms: the snapshot and the 102..103 delta are in
  EXPECT_EQ(rt.exchange().best_bid("SOL_USDC"), Decimal::from_string("150.05"));
  EXPECT_EQ(rt.exchange().best_ask("SOL_USDC"), Decimal::from_string("150.12"));
  wall.advance_us(300'000);
  rt.step(); // the reconnect event withdraws the liquidity
  EXPECT_FALSE(rt.exchange().best_bid("SOL_USDC").has_value());
  EXPECT_TRUE(rt.replay()->finished());
}

} // namespace
} // namespace bparb::sim
