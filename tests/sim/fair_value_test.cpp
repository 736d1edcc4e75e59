// The shared fair value and venues that follow it: two venues' books track one price, a venue's own lag
// and dislocation show, and a dislocation converges. Virtual clock, one step a simulated second.
#include "bparb/sim/fair_value.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <cmath>
#include <optional>

#include "bparb/sim/sim_config.hpp"
#include "bparb/sim/sim_world.hpp"

namespace bparb::sim {
namespace {

constexpr TimestampUs kStart = 1'700'000'000'000'000;

FairValueConfig two_coins() {
  FairValueConfig c;
  c.seed = 5;
  c.history_us = 10 * kUsPerSecond;
  c.coins = {{"SOL", 0.8, 150.0}, {"BTC", 0.5, 95000.0}};
  return c;
}

TEST(FairValue, OnePathWhateverTheQueries) {
  FairValue coarse(two_coins(), kStart);
  FairValue fine(two_coins(), kStart);
  // fine is asked every 100 ms, coarse once every 7 s: the same values at the same times.
  TimestampUs tf = kStart;
  for (TimestampUs t = kStart; t <= kStart + 63 * kUsPerSecond; t += 7 * kUsPerSecond) {
    for (; tf <= t; tf += 100'000) (void)fine.at(0, tf);
    EXPECT_EQ(coarse.at("SOL", t), fine.at("SOL", t));
    EXPECT_EQ(coarse.at(1, t), fine.at(1, t));
  }
  EXPECT_EQ(fine.at(0, kStart - kUsPerSecond), fine.at(0, kStart + 40 * kUsPerSecond))
      << "both before the kept 10 s of history: the oldest point";
  EXPECT_NE(fine.at(0, kStart + 60 * kUsPerSecond), 150.0);  // it moved
  EXPECT_EQ(coarse.at("ETH", kStart), std::nullopt);
  FairValue fresh(two_coins(), kStart);
  EXPECT_EQ(fresh.at(0, kStart - 5), 150.0);
  EXPECT_EQ(fresh.at(0, kStart + 99'999), 150.0);  // the grid point at or before t
  EXPECT_NE(fresh.at(0, kStart + 100'000), 150.0);
  FairValueConfig dup = two_coins();
  dup.coins.push_back({"SOL", 1, 1});
  EXPECT_THROW(FairValue(dup, kStart), std::invalid_argument);
}

// Venue "a" follows the fair value exactly; venue "b" 2 s late, with its own noise and dislocations.
SimVenuesConfig two_followers() {
  return parse_sim_venues_config(R"(
[runtime]
seed = 3
step_interval_ms = 0
start_time_ms = 1700000000000
[exchange]
markets = ["SOL_USDC", "SOL_USDC_PERP"]
[model]
background_trading = false
[venues.backpack]
[venues.b]
protocol = "backpack"
[venues.b.follow]
lag_ms = 2000
noise_bps = 1.0
noise_half_life_s = 20
dislocation_rate_per_hour = 20
dislocation_mean_bps = 40
dislocation_half_life_s = 15
)",
                                 "f.toml");
}

double book_mid(Exchange& ex, const char* symbol) {
  return (ex.best_bid(symbol)->to_double() + ex.best_ask(symbol)->to_double()) / 2;
}

double bps(double a, double b) {
  return (a / b - 1.0) * 10000.0;
}

TEST(FairValueVenues, BooksFollowTheSharedValueAndADislocationConverges) {
  ManualClock wall(1'000'000);
  boost::asio::io_context io;
  SimWorld world(io, two_followers(), &wall);
  FairValue* fair = world.fair_value();
  ASSERT_NE(fair, nullptr);
  MarketModel& a = *world.venue(0).model();
  MarketModel& b = *world.venue(1).model();
  ASSERT_EQ(a.config().follow.lag_ms, 0);
  ASSERT_EQ(b.config().follow.lag_ms, 2000);

  // An episode opens when b is more than 20 bps away from the fair value and closes when it is back
  // within 3 bps.
  bool open = false;
  TimestampUs open_since = 0;
  int episodes = 0;
  DurationUs longest = 0;
  double widest = 0;
  for (int s = 1; s <= 1800; ++s) {
    wall.advance_us(kUsPerSecond);
    world.step();
    const TimestampUs now = world.sim_clock().now_us();
    const double f_now = *fair->at("SOL", now);
    const double f_lag = *fair->at("SOL", now - 2 * kUsPerSecond);
    // a: exactly the fair value; its book within the ladder's re-quote threshold and a tick of it.
    ASSERT_DOUBLE_EQ(*a.mid("SOL"), f_now) << s;
    ASSERT_LT(std::fabs(bps(book_mid(world.venue(0).exchange(), "SOL_USDC"), f_now)), 2.0) << s;
    // b: the fair value 2 s ago, moved by its own offset; its book follows that.
    const double off = *b.fair_offset_bps("SOL");
    ASSERT_NEAR(bps(*b.mid("SOL"), f_lag), off, 1e-6) << s;
    ASSERT_LT(std::fabs(bps(book_mid(world.venue(1).exchange(), "SOL_USDC"), *b.mid("SOL"))), 2.0) << s;
    widest = std::max(widest, std::fabs(off));
    if (!open && std::fabs(off) > 20) {
      open = true;
      open_since = now;
    }
    if (open && std::fabs(off) < 3) {
      ++episodes;
      longest = std::max(longest, now - open_since);
      open = false;
    }
  }
  EXPECT_GE(episodes, 2) << "widest offset " << widest << " bps";
  EXPECT_FALSE(open);
  // With a 15 s half-life a dislocation is back under 3 bps within a few half-lives (a second one arriving
  // meanwhile makes an episode longer).
  EXPECT_LT(longest, 180 * kUsPerSecond);
  EXPECT_EQ(a.fair_offset_bps("SOL"), 0.0);
}

TEST(FairValueVenues, AForcedDislocationDecaysByItsHalfLife) {
  SimVenuesConfig cfg = two_followers();
  cfg.venues[1].sim.model.follow.noise_bps = 0;
  cfg.venues[1].sim.model.follow.dislocation_rate_per_hour = 0;
  ManualClock wall(1'000'000);
  boost::asio::io_context io;
  SimWorld world(io, cfg, &wall);
  MarketModel& b = *world.venue(1).model();
  ASSERT_TRUE(b.dislocate("SOL", 60));
  EXPECT_FALSE(world.venue(0).model()->dislocate("DOGE", 1));
  for (int s = 1; s <= 15; ++s) {
    wall.advance_us(kUsPerSecond);
    world.step();
  }
  EXPECT_NEAR(*b.fair_offset_bps("SOL"), 30.0, 1e-6);  // one half-life
  const TimestampUs now = world.sim_clock().now_us();
  const double f_lag = *world.fair_value()->at("SOL", now - 2 * kUsPerSecond);
  EXPECT_NEAR(bps(book_mid(world.venue(1).exchange(), "SOL_USDC"), f_lag), 30.0, 2.0);
  for (int s = 1; s <= 75; ++s) {
    wall.advance_us(kUsPerSecond);
    world.step();
  }
  EXPECT_NEAR(*b.fair_offset_bps("SOL"), 60.0 / 64, 1e-6);  // six half-lives
  // set_mid on a following venue is a dislocation too: it converges back from there.
  const double f2 = *world.fair_value()->at("SOL", world.sim_clock().now_us() - 2 * kUsPerSecond);
  ASSERT_TRUE(b.set_mid("SOL", f2 * 1.001));
  EXPECT_NEAR(*b.fair_offset_bps("SOL"), 10.0, 1e-6);
}

TEST(FairValueVenues, OneVenueWithoutAWorldHasNoFairValue) {
  ManualClock wall(kStart);
  boost::asio::io_context io;
  SimConfig one = parse_sim_config("[runtime]\nstep_interval_ms = 0\n", "one.toml");
  SimRuntime rt(io, one, &wall);
  EXPECT_EQ(rt.model()->fair_offset_bps("SOL"), std::nullopt);
  EXPECT_FALSE(rt.model()->dislocate("SOL", 10));
  EXPECT_THROW(parse_sim_config("[follow]\nlag_ms = 5\n", "one.toml"), SimConfigError);
  EXPECT_EQ(std::string([] {
              try {
                (void)parse_sim_venues_config("[venues.backpack.follow]\nlag_ms = -1\n", "v.toml");
              } catch (const SimConfigError& e) {
                return std::string(e.what());
              }
              return std::string("(accepted)");
            }()),
            "v.toml: venues.backpack.follow.lag_ms = -1: must be in [0, 600000]");
}

}  // namespace
}  // namespace bparb::sim
