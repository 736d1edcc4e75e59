// [[script]] in the sim config: scheduled basis moves applied by SimRuntime at their simulated time.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <string>

#include "bparb/sim/sim_config.hpp"
#include "bparb/sim/sim_runtime.hpp"

namespace bparb::sim {
namespace {

std::string script_error_of(const std::string& toml) {
  try {
    parse_sim_config(toml, "paper-sim.toml");
  } catch (const SimConfigError& e) {
    return e.what();
  }
  return "no error";
}

TEST(SimScript, ParsesEventsAndOrdersThemByTime) {
  const SimConfig c = parse_sim_config(R"(
[[script]]
at_seconds = 90
coin = "ETH"
basis_bps = -40
[[script]]
at_seconds = 20.5
coin = "SOL"
basis_bps = 90
)",
                                       "paper-sim.toml");
  ASSERT_EQ(c.script.size(), 2u);
  EXPECT_EQ(c.script[0].coin, "SOL");
  EXPECT_EQ(c.script[0].at_seconds, 20.5);
  EXPECT_EQ(c.script[0].basis_bps, 90.0);
  EXPECT_EQ(c.script[1].coin, "ETH");
  EXPECT_EQ(c.script[1].basis_bps, -40.0);
  EXPECT_TRUE(parse_sim_config("", "empty.toml").script.empty());
}

TEST(SimScript, BadEventsNameTheKeyAndTheAllowedValues) {
  EXPECT_NE(script_error_of("[[script]]\nat_seconds = 5\ncoin = \"DOGE\"\nbasis_bps = 10\n").find("script[0].coin"),
            std::string::npos);
  EXPECT_NE(script_error_of("[[script]]\nat_seconds = 5\ncoin = \"DOGE\"\nbasis_bps = 10\n").find("[[model.coins]]"),
            std::string::npos);
  EXPECT_NE(
      script_error_of("[[script]]\nat_seconds = -1\ncoin = \"SOL\"\nbasis_bps = 10\n").find("script[0].at_seconds"),
      std::string::npos);
  EXPECT_NE(
      script_error_of("[[script]]\nat_seconds = 5\ncoin = \"SOL\"\nbasis_bps = 20000\n").find("script[0].basis_bps"),
      std::string::npos);
  EXPECT_NE(script_error_of("[[script]]\nat_seconds = 5\ncoin = \"SOL\"\n").find("script[0].basis_bps: required"),
            std::string::npos);
  EXPECT_NE(script_error_of("[[script]]\nat_seconds = 5\ncoin = \"SOL\"\nbasis_bps = 1\nbsis = 2\n").find("bsis"),
            std::string::npos);
  EXPECT_NE(script_error_of("script = 5\n").find("array of tables"), std::string::npos);
  EXPECT_NE(
      script_error_of("[runtime]\nmodel_enabled = false\n[[script]]\nat_seconds = 5\ncoin = \"SOL\"\nbasis_bps = 1\n")
          .find("needs the market model"),
      std::string::npos);
}

TEST(SimScript, RuntimeMovesTheBasisOnceAtItsTimeAndTheModelCarriesOn) {
  SimConfig c = parse_sim_config(R"(
[runtime]
step_interval_ms = 0
seed = 3
[[script]]
at_seconds = 2
coin = "SOL"
basis_bps = 90
)",
                                 "t.toml");
  for (auto& coin : c.model.coins) {  // a still basis, so only the script moves it
    coin.basis_vol_bps = 0;
    coin.jump_rate_per_hour = 0;
    coin.basis_reversion_per_hour = 0;
    coin.basis_mean_bps = 0;
  }
  ManualClock wall(1'780'000'000'000'000);
  boost::asio::io_context io;
  SimRuntime rt(io, c, &wall);
  ASSERT_NE(rt.model(), nullptr);
  rt.step();
  EXPECT_EQ(rt.model()->basis_bps("SOL").value_or(-1), 0.0);
  wall.advance_us(1'999'000);
  rt.step();
  EXPECT_EQ(rt.model()->basis_bps("SOL").value_or(-1), 0.0) << "not before its time";
  wall.advance_us(1'000);
  rt.step();
  EXPECT_EQ(rt.model()->basis_bps("SOL").value_or(-1), 90.0);
  rt.model()->set_basis_bps("SOL", 10.0);  // the market (here: a test) moves it again
  wall.advance_us(5'000'000);
  rt.step();
  EXPECT_EQ(rt.model()->basis_bps("SOL").value_or(-1), 10.0) << "each event fires once";
  EXPECT_EQ(rt.model()->basis_bps("ETH").value_or(-1), 0.0);
}

}  // namespace
}  // namespace bparb::sim
