// The multi-venue form of the sim config ([venues.NAME]) and SimWorld: several venues on one clock.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <string>

#include "bparb/sim/sim_config.hpp"
#include "bparb/sim/sim_world.hpp"

namespace bparb::sim {
namespace {

constexpr const char* kKey = "A6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg=";

std::string venues_error_of(const std::string& toml) {
  try {
    (void)parse_sim_venues_config(toml, "v.toml");
  } catch (const SimConfigError& e) {
    return e.what();
  }
  return "(accepted)";
}

TEST(SimVenuesConfig, AFileWithoutVenuesIsOneBackpackVenueReadAsBefore) {
  const std::string toml = "[server]\nport = 9123\n[runtime]\nseed = 7\n[fees]\nperp_taker_bps = \"4\"\n";
  const SimVenuesConfig v = parse_sim_venues_config(toml, "s.toml");
  const SimConfig one = parse_sim_config(toml, "s.toml");
  EXPECT_FALSE(v.multi_venue);
  ASSERT_EQ(v.venues.size(), 1u);
  EXPECT_EQ(v.venues[0].name, "backpack");
  EXPECT_EQ(v.venues[0].protocol, VenueProtocol::kBackpack);
  EXPECT_EQ(v.venues[0].sim.server.port, one.server.port);
  EXPECT_EQ(v.venues[0].sim.runtime.seed, 7u);
  EXPECT_EQ(v.venues[0].sim.exchange.fees.perp_taker_bps, one.exchange.fees.perp_taker_bps);
  EXPECT_EQ(v.runtime.seed, 7u);
  // Its messages are the single-venue loader's, word for word.
  EXPECT_EQ(venues_error_of("[server]\nport = 70000\n"), "v.toml: server.port = 70000: must be in [0, 65535]");
}

TEST(SimVenuesConfig, VenuesInheritTheTopLevelAndOverrideTheirOwnSections) {
  const std::string toml = std::string(R"(
[runtime]
seed = 10
time_scale = 60.0
[exchange]
markets = ["SOL_USDC", "SOL_USDC_PERP"]
[fees]
perp_taker_bps = "5"
[follow]
noise_bps = 2.0
[[accounts]]
api_key = ")") + kKey + R"("
balances = { USDC = "1000" }

[venues.zeta]
protocol = "backpack"
[venues.zeta.server]
port = 9001
[venues.zeta.fees]
perp_taker_bps = "3.5"
[[venues.zeta.market]]
symbol = "SOL_USDC_PERP"
funding_interval_ms = 28800000
[[venues.zeta.accounts]]
api_key = ")" + kKey + R"("
balances = { USDC = "42" }
[venues.zeta.faults]
http_429_next = 2
[venues.zeta.follow]
lag_ms = 1500

[venues.backpack]
[venues.backpack.runtime]
seed = 99
model_enabled = false
)";
  const SimVenuesConfig v = parse_sim_venues_config(toml, "v.toml");
  EXPECT_TRUE(v.multi_venue);
  EXPECT_EQ(v.runtime.time_scale, 60.0);
  ASSERT_EQ(v.venues.size(), 2u);
  // File order, not the alphabetical order of the keys.
  const VenueConfig& z = v.venues[0];
  const VenueConfig& b = v.venues[1];
  EXPECT_EQ(z.name, "zeta");
  EXPECT_EQ(b.name, "backpack");
  EXPECT_EQ(b.protocol, VenueProtocol::kBackpack);  // named after its protocol
  EXPECT_EQ(z.sim.server.port, 9001);
  EXPECT_EQ(b.sim.server.port, 0);
  EXPECT_EQ(z.sim.exchange.fees.perp_taker_bps, Decimal::from_string("3.5"));
  EXPECT_EQ(b.sim.exchange.fees.perp_taker_bps, Decimal::from_string("5"));
  ASSERT_EQ(z.sim.exchange.markets.size(), 2u);
  EXPECT_EQ(z.sim.exchange.markets[1].spec.funding_interval_ms, 28'800'000);
  EXPECT_EQ(b.sim.exchange.markets[1].spec.funding_interval_ms, 3'600'000);
  ASSERT_EQ(z.sim.exchange.accounts.size(), 1u);  // replaced, not added to
  EXPECT_EQ(z.sim.exchange.accounts[0].balances[0].second, Decimal::from_string("42"));
  ASSERT_EQ(b.sim.exchange.accounts.size(), 1u);
  EXPECT_EQ(b.sim.exchange.accounts[0].balances[0].second, Decimal::from_string("1000"));
  EXPECT_EQ(z.sim.faults.http_429_next, 2);
  EXPECT_EQ(b.sim.faults.http_429_next, 0);
  EXPECT_EQ(z.sim.runtime.seed, 10u);  // runtime.seed + position
  EXPECT_EQ(b.sim.runtime.seed, 99u);
  EXPECT_TRUE(z.sim.runtime.model_enabled);
  EXPECT_FALSE(b.sim.runtime.model_enabled);
  EXPECT_EQ(z.sim.model.follow.lag_ms, 1500);
  EXPECT_EQ(z.sim.model.follow.noise_bps, 2.0);  // the top-level [follow] is every venue's default
  EXPECT_EQ(b.sim.model.follow.lag_ms, 0);
  EXPECT_EQ(b.sim.model.follow.noise_bps, 2.0);
}

TEST(SimVenuesConfig, RefusesWhatOneVenueCannotMean) {
  // A lighter venue needs its [lighter] section (sim_lighter_venue_config_test.cpp covers its keys).
  EXPECT_EQ(venues_error_of("[venues.lighter]\n"),
            "v.toml: venues.lighter.lighter: required for a lighter venue: its [[venues.NAME.lighter.markets]] at "
            "least");
  EXPECT_EQ(venues_error_of("[venues.x]\n"),
            "v.toml: venues.x.protocol = \"x\": required when the venue's name is not a protocol (allowed: "
            "backpack, lighter)");
  EXPECT_EQ(venues_error_of("[venues.x]\nprotocol = \"ftx\"\n"),
            "v.toml: venues.x.protocol = \"ftx\": allowed: backpack, lighter");
  EXPECT_EQ(venues_error_of("[venues.backpack.server]\nport = 70000\n"),
            "v.toml: venues.backpack.server.port = 70000: must be in [0, 65535]");
  EXPECT_EQ(venues_error_of("[venues.backpack]\nbogus = 1\n").rfind("v.toml: venues.backpack.bogus: unknown key", 0),
            0u);
  EXPECT_EQ(venues_error_of("[venues.backpack.runtime]\ntime_scale = 2.0\n")
                .rfind("v.toml: venues.backpack.runtime.time_scale: one simulation clock serves every venue", 0),
            0u);
  EXPECT_EQ(venues_error_of("[venues.a]\nprotocol = \"backpack\"\nserver = { port = 9000 }\n"
                            "[venues.b]\nprotocol = \"backpack\"\nserver = { port = 9000 }\n"),
            "v.toml: venues.b.server.port = 9000: already the port of venue \"a\" (each venue listens on its own port; "
            "0 = ephemeral)");
  EXPECT_EQ(venues_error_of("venues = {}\n"), "v.toml: venues = {}: must hold at least one [venues.NAME] table");
  EXPECT_EQ(venues_error_of("venues = 3\n"), "v.toml: venues = 3: must be a table");
}

TEST(SimVenuesConfig, TheShippedTwoVenueExampleLoads) {
  const SimVenuesConfig v = load_sim_venues_config(std::string(BPARB_SOURCE_DIR) + "/config/sim-two-venues.toml");
  ASSERT_TRUE(v.multi_venue);
  ASSERT_EQ(v.venues.size(), 2u);
  EXPECT_EQ(v.venues[0].name, "backpack");
  EXPECT_EQ(v.venues[1].name, "second");
  EXPECT_EQ(v.venues[1].sim.exchange.markets.size(), 2u);
  EXPECT_EQ(v.venues[1].sim.exchange.fees.perp_taker_bps, Decimal::from_string("3.5"));
  EXPECT_NE(v.venues[0].sim.runtime.seed, v.venues[1].sim.runtime.seed);
  EXPECT_EQ(v.venues[0].sim.model.follow.lag_ms, 0);
  EXPECT_EQ(v.venues[1].sim.model.follow.lag_ms, 250);
  EXPECT_EQ(v.venues[1].sim.model.follow.dislocation_mean_bps, 25.0);
}

TEST(SimWorld, HostsEveryVenueOnOneClock) {
  const SimVenuesConfig cfg = parse_sim_venues_config(R"(
[runtime]
step_interval_ms = 0
start_time_ms = 1700000000000
time_scale = 10.0
[exchange]
markets = ["SOL_USDC", "SOL_USDC_PERP"]
[venues.backpack]
[venues.other]
protocol = "backpack"
exchange = { markets = ["SOL_USDC_PERP"] }
)",
                                                      "w.toml");
  ManualClock wall(1'000'000);
  boost::asio::io_context io;
  SimWorld world(io, cfg, &wall);
  ASSERT_EQ(world.venue_count(), 2u);
  EXPECT_EQ(world.find("other"), &world.venue(1));
  EXPECT_EQ(world.find("none"), nullptr);
  EXPECT_EQ(world.venue(0).exchange().markets().size(), 2u);
  EXPECT_EQ(world.venue(1).exchange().markets().size(), 1u);
  EXPECT_NE(&world.venue(0).exchange(), &world.venue(1).exchange());
  wall.advance_us(3 * kUsPerSecond);
  world.step();
  // Both venues run on the world's clock: 3 wall seconds at time_scale 10 from the configured start.
  const TimestampUs expect = 1'700'000'000'000'000 + 30 * kUsPerSecond;
  EXPECT_EQ(world.sim_clock().now_us(), expect);
  EXPECT_EQ(&world.venue(0).sim_clock(), &world.sim_clock());
  EXPECT_EQ(&world.venue(1).sim_clock(), &world.sim_clock());
  EXPECT_EQ(world.venue(0).exchange().clock().now_us(), expect);
  EXPECT_EQ(world.venue(1).steps(), 1u);
  EXPECT_EQ(world.steps(), 1u);
  EXPECT_EQ(world.venue(1).config().runtime.time_scale, 10.0);
  // Independent books: an order on one venue leaves the other's untouched.
  ASSERT_TRUE(world.venue(0).exchange().best_bid("SOL_USDC_PERP").has_value());
  ASSERT_TRUE(world.venue(1).exchange().best_bid("SOL_USDC_PERP").has_value());
  EXPECT_FALSE(world.venue(1).exchange().market("SOL_USDC"));
}

}  // namespace
}  // namespace bparb::sim
