// bpsim configuration loader (config/sim.toml): the shipped file loads, values land where they
// belong, and bad input gets messages naming the file, key, value and the allowed range.
#include <gtest/gtest.h>

#include <string>

#include "bparb/sim/sim_config.hpp"

namespace bparb::sim {
namespace {

std::string error_of(const std::string& toml) {
  try {
    parse_sim_config(toml, "test.toml");
  } catch (const SimConfigError& e) {
    return e.what();
  }
  return "<no error>";
}

TEST(BpsimConfig, ShippedConfigLoads) {
  SimConfig c = load_sim_config(std::string(BPARB_SOURCE_DIR) + "/config/sim.toml");
  EXPECT_EQ(c.server.listen_address, "127.0.0.1");
  EXPECT_EQ(c.server.port, 0);
  EXPECT_EQ(c.server.ws_ping_interval_ms, 60'000);
  EXPECT_EQ(c.server.ws_pong_timeout_ms, 120'000);
  EXPECT_EQ(c.exchange.markets.size(), 10u);
  ASSERT_EQ(c.exchange.accounts.size(), 1u);
  EXPECT_EQ(c.exchange.accounts[0].api_key, "A6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg=");
  EXPECT_EQ(c.exchange.fees.perp_taker_bps, Decimal::from_int(5));
  EXPECT_EQ(c.exchange.collateral_weights.at("BTC"), Decimal::from_string("0.95"));
  EXPECT_EQ(c.faults.fill_ratio_cap, Decimal::one());
  SimConfig conf = load_sim_config(std::string(BPARB_SOURCE_DIR) + "/tests/conformance/bpsim_conformance.toml");
  EXPECT_EQ(conf.runtime.step_interval_ms, 0);
  EXPECT_EQ(conf.runtime.start_time_ms, 1'767'225'480'000);
}

TEST(BpsimConfig, EmptyFileIsTheDefaults) {
  SimConfig c = parse_sim_config("", "empty.toml");
  SimConfig d = default_sim_config();
  EXPECT_EQ(c.server.port, d.server.port);
  EXPECT_EQ(c.runtime.seed, d.runtime.seed);
  EXPECT_EQ(c.exchange.markets.size(), d.exchange.markets.size());
  EXPECT_TRUE(c.exchange.accounts.empty());
}

TEST(BpsimConfig, ValuesAreApplied) {
  SimConfig c = parse_sim_config(R"(
[server]
port = 18080
ws_ping_interval_ms = 500
[runtime]
seed = 9
time_scale = 60
step_interval_ms = 0
model_enabled = false
[exchange]
markets = ["SOL_USDC", "SOL_USDC_PERP"]
leverage_limit = "5"
[fees]
perp_maker_bps = "-1"
[[market]]
symbol = "SOL_USDC_PERP"
seed_price = "151.5"
funding_interval_ms = 28800000
[model]
background_trading = false
keep_unchanged_levels = false
[[model.coins]]
coin = "SOL"
basis_vol_bps = 30
[model.coins.perp]
levels = 4
[[accounts]]
api_key = "A6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg="
balances = { USDC = "2500.5", SOL = 3 }
fees = { perp_taker_bps = "2.5" }
[faults]
rest_latency_ms = { min = 5, max = 10 }
ws_latency_ms = 7
reject_orders = ["SOL_USDC"]
fill_ratio_cap = "0.25"
clock_skew_ms = -1500
)",
                                 "t.toml");
  EXPECT_EQ(c.server.port, 18080);
  EXPECT_EQ(c.server.ws_ping_interval_ms, 500);
  EXPECT_EQ(c.runtime.seed, 9u);
  EXPECT_DOUBLE_EQ(c.runtime.time_scale, 60.0);
  EXPECT_FALSE(c.runtime.model_enabled);
  ASSERT_EQ(c.exchange.markets.size(), 2u);
  EXPECT_EQ(c.exchange.markets[1].spec.symbol, "SOL_USDC_PERP");
  EXPECT_EQ(c.exchange.markets[1].seed_price, Decimal::from_string("151.5"));
  EXPECT_EQ(c.exchange.markets[1].spec.funding_interval_ms, 28'800'000);
  EXPECT_EQ(c.exchange.leverage_limit, Decimal::from_int(5));
  EXPECT_EQ(c.exchange.fees.perp_maker_bps, Decimal::from_int(-1));
  EXPECT_FALSE(c.model.background_trading);
  EXPECT_FALSE(c.model.keep_unchanged_levels);
  EXPECT_TRUE(default_sim_config().model.keep_unchanged_levels) << "live-shaped depth frames by default";
  bool found = false;
  for (const auto& coin : c.model.coins) {
    if (coin.coin != "SOL") continue;
    found = true;
    EXPECT_DOUBLE_EQ(coin.basis_vol_bps, 30.0);
    EXPECT_EQ(coin.perp.levels, 4);
  }
  EXPECT_TRUE(found);
  ASSERT_EQ(c.exchange.accounts.size(), 1u);
  const auto& a = c.exchange.accounts[0];
  ASSERT_EQ(a.balances.size(), 2u);  // toml++ keeps table keys sorted
  EXPECT_EQ(a.balances[0].first, "SOL");
  EXPECT_EQ(a.balances[0].second, Decimal::from_int(3));
  EXPECT_EQ(a.balances[1].first, "USDC");
  EXPECT_EQ(a.balances[1].second, Decimal::from_string("2500.5"));
  ASSERT_TRUE(a.fees.has_value());
  EXPECT_EQ(a.fees->perp_taker_bps, Decimal::from_string("2.5"));
  EXPECT_EQ(a.fees->perp_maker_bps, Decimal::from_int(-1));  // inherits [fees]
  EXPECT_EQ(c.faults.rest_latency.min_ms, 5);
  EXPECT_EQ(c.faults.rest_latency.max_ms, 10);
  EXPECT_EQ(c.faults.ws_latency.min_ms, 7);
  EXPECT_EQ(c.faults.ws_latency.max_ms, 7);
  EXPECT_EQ(c.faults.reject_order_symbols.count("SOL_USDC"), 1u);
  EXPECT_EQ(c.faults.fill_ratio_cap, Decimal::from_string("0.25"));
  EXPECT_EQ(c.faults.clock_skew_ms, -1500);
}

TEST(BpsimConfig, ErrorsNameFileKeyValueAndRange) {
  EXPECT_EQ(error_of("[server]\nport = 70000\n"), "test.toml: server.port = 70000: must be in [0, 65535]");
  EXPECT_EQ(error_of("[server]\nport = \"80\"\n"), "test.toml: server.port = '80': must be an integer in [0, 65535]");
  EXPECT_NE(
      error_of("[runtime]\ntime_scal = 2\n").find("runtime.time_scal: unknown key (allowed here: seed, time_scale"),
      std::string::npos);
  EXPECT_EQ(error_of("[runtime]\ntime_scale = 0\n"), "test.toml: runtime.time_scale = 0: must be in [0.001, 100000]");
  EXPECT_NE(error_of("[fees]\nspot_maker_bps = 0.5\n").find("fees.spot_maker_bps"), std::string::npos);
  EXPECT_NE(error_of("[fees]\nspot_maker_bps = 0.5\n").find("floats are not exact"), std::string::npos);
  EXPECT_EQ(error_of("[fees]\nspot_taker_bps = \"abc\"\n"),
            "test.toml: fees.spot_taker_bps = \"abc\": not a decimal number");
  EXPECT_EQ(error_of("[faults]\nfill_ratio_cap = \"0\"\n"), "test.toml: faults.fill_ratio_cap = 0: must be in (0, 1]");
  EXPECT_EQ(error_of("[[accounts]]\napi_key = \"abc\"\n"),
            "test.toml: accounts[0].api_key = \"abc\": must be the base64 of a 32-byte ED25519 public key");
  EXPECT_EQ(error_of("[[accounts]]\nbalances = { USDC = \"1\" }\n"),
            "test.toml: accounts[0].api_key: required (base64 ED25519 public key, the X-API-Key value)");
  EXPECT_NE(error_of("[exchange]\nmarkets = [\"DOGE_USDC\"]\n").find("unknown market (known: SOL_USDC"),
            std::string::npos);
  EXPECT_EQ(error_of("[[market]]\nsymbol = \"SOL_USDC\"\nfunding_interval_ms = 3600000\n"),
            "test.toml: market[0].funding_interval_ms = 3600000: only perp markets have funding");
  EXPECT_EQ(error_of("[[market]]\nsymbol = \"SOL_USDC\"\nseed_price = \"150.001\"\n"),
            "test.toml: market[0].seed_price = 150.001: must be a multiple of tick_size 0.01");
  EXPECT_EQ(error_of("[faults]\nrest_latency_ms = { min = 50, max = 10 }\n"),
            "test.toml: faults.rest_latency_ms.min = 50: must not exceed max 10");
  EXPECT_NE(error_of("[server\n").find("test.toml:1:"), std::string::npos);
  EXPECT_NE(error_of("[server\n").find("TOML syntax error"), std::string::npos);
  EXPECT_EQ(error_of("server = 5\n"), "test.toml: server = 5: must be a table");
  EXPECT_THROW(load_sim_config("/nonexistent/sim.toml"), SimConfigError);
}

}  // namespace
}  // namespace bparb::sim
