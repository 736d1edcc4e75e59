// [strategy] kind = "cross_venue" and [xarb]: the cross-venue part of the config file, its errors, what a reload
// changes and what the daemon's pieces are given.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "bparb/app/config.hpp"
#include "bparb/app/daemon.hpp"
#include "bparb/app/engine_config.hpp"
#include "bparb/app/node_options.hpp"
#include "bparb/app/xarb_node.hpp"
#include "bparb/sim/sim_config.hpp"

namespace bparb::app {
namespace {

using ::testing::AllOf;
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

const std::string kLighter =
    "[venues.lighter]\nrest_url = \"http://127.0.0.1:1\"\nws_url = \"ws://127.0.0.1:1/stream\"\naccount_index = 1001\n"
    "api_key_index = 4\nmarkets = [\"BTC\"]\n";
const std::string kXarb =
    "[exchange]\nmode = \"paper\"\n[strategy]\nkind = \"cross_venue\"\n[xarb]\ncoin = \"BTC\"\n"
    "max_position_backpack = 0.01\nmax_position_lighter = 0.01\n";

std::vector<std::string> xarb_errors_of(const std::string& text) {
  try {
    (void)parse_config_string(text, "test.toml");
    return {};
  } catch (const ConfigError& e) {
    return e.errors();
  }
}

TEST(ConfigXarb, TheCoinNamesBothMarketsAndTheCoreKeysAreRead) {
  const Config c = parse_config_string(kXarb + "long_threshold = 5\nbackpack_slippage_bps = 15\n" + kLighter, "t.toml");
  EXPECT_EQ(c.strategy.kind, StrategyKind::kCrossVenue);
  EXPECT_EQ(c.xarb.backpack_market, "BTC_USDC_PERP");
  EXPECT_EQ(c.xarb.lighter_market, "BTC");
  EXPECT_EQ(c.xarb.params.long_threshold, Decimal::from_int(5));
  EXPECT_EQ(c.xarb.params.max_position_lighter, Decimal::from_string("0.01"));
  EXPECT_EQ(c.xarb.backpack_slippage_bps, Decimal::from_int(15));
  // Start-up loads Backpack's perp alone; the engine's hedges use each venue's buffer.
  EXPECT_EQ(startup_options(c, false).perps, std::vector<std::string>{"BTC_USDC_PERP"});
  EXPECT_TRUE(startup_options(c, false).pairs.empty());
  EXPECT_EQ(engine_params(c).basis.spot_slippage_buffer, Decimal::from_string("0.0015"));
  EXPECT_EQ(engine_params(c).basis.perp_slippage_buffer, Decimal::from_string("0.002"));
}

TEST(ConfigXarb, CrossVenueNeedsItsTableItsCoinAndTheLighterMarket) {
  EXPECT_THAT(xarb_errors_of("[exchange]\nmode = \"paper\"\n[strategy]\nkind = \"cross_venue\"\n"),
              Contains(HasSubstr("strategy.kind: \"cross_venue\" needs an [xarb] table")));
  EXPECT_THAT(
      xarb_errors_of("[exchange]\nmode = \"paper\"\n[strategy]\nkind = \"cross_venue\"\n[xarb]\nlong_threshold = 1\n"),
      Contains(HasSubstr("xarb.coin: missing")));
  EXPECT_THAT(xarb_errors_of(kXarb), Contains(AllOf(HasSubstr("venues.lighter.markets: must list \"BTC\""),
                                                    HasSubstr("xarb.lighter_market"))));
}

TEST(ConfigXarb, BadValuesNameTheFileKeyValueAndRange) {
  EXPECT_THAT(xarb_errors_of(kXarb + "long_threshold = -1\n" + kLighter),
              Contains(AllOf(HasSubstr("test.toml:"), HasSubstr("xarb.long_threshold: got -1, out of range"),
                             HasSubstr("allowed:"))));
  EXPECT_THAT(xarb_errors_of(kXarb + "lighter_slippage_bps = 900\n" + kLighter),
              Contains(AllOf(HasSubstr("xarb.lighter_slippage_bps"), HasSubstr("900"), HasSubstr("<= 500"))));
  EXPECT_THAT(
      xarb_errors_of("[exchange]\nmode = \"paper\"\n[strategy]\nkind = \"cross_venue\"\n[xarb]\ncoin = \"btc\"\n" +
                     kLighter),
      Contains(HasSubstr("xarb.coin: got \"btc\"")));
  EXPECT_THAT(xarb_errors_of(kXarb + "long_treshold = 5\n" + kLighter), Contains(HasSubstr("xarb.long_treshold")));
}

TEST(ConfigXarb, AReloadChangesTheThresholdsAndSaysWhatNeedsARestart) {
  const Config a = parse_config_string(kXarb + kLighter, "t.toml");
  const Config b = parse_config_string(kXarb + "short_threshold = 7\nlighter_slippage_bps = 30\n" + kLighter, "t.toml");
  const std::vector<std::string> ch = threshold_changes(a, b);
  EXPECT_THAT(ch, Contains(HasSubstr("xarb.short_threshold 0 -> 7")));
  EXPECT_THAT(ch, Contains(HasSubstr("xarb.lighter_slippage_bps 20 -> 30")));
  EXPECT_THAT(restart_required_changes(a, b), IsEmpty());
  Config c = a;
  c.xarb.coin = "ETH";
  EXPECT_THAT(restart_required_changes(a, c), Contains(HasSubstr("xarb.coin")));
}

// Which leg goes first: the three words, the wait for the first leg's fills, the strategy given both, a bad word or
// wait named with file, key, value and what is allowed; both follow a reload.
TEST(ConfigXarb, LegOrderChoosesWhichVenueGoesFirstAndIsReloadable) {
  const Config a = parse_config_string(kXarb + kLighter, "t.toml");
  EXPECT_EQ(a.xarb.leg_order, LegSequence::kTogether);
  EXPECT_EQ(a.xarb.first_leg_timeout_us, 2 * kUsPerSecond);
  const Config b =
      parse_config_string(kXarb + "leg_order = \"lighter_first\"\nfirst_leg_timeout_ms = 750\n" + kLighter, "t.toml");
  EXPECT_EQ(b.xarb.leg_order, LegSequence::kLeg1First);
  EXPECT_EQ(b.xarb.first_leg_timeout_us, 750 * kUsPerMs);
  EXPECT_EQ(cross_venue_params(b.xarb).leg_order, LegSequence::kLeg1First);
  EXPECT_EQ(cross_venue_params(b.xarb).first_leg_timeout_us, 750 * kUsPerMs);
  EXPECT_EQ(parse_config_string(kXarb + "leg_order = \"backpack_first\"\n" + kLighter, "t.toml").xarb.leg_order,
            LegSequence::kLeg0First);
  EXPECT_THAT(xarb_errors_of(kXarb + "leg_order = \"lighter-first\"\n" + kLighter),
              Contains(AllOf(HasSubstr("test.toml:"), HasSubstr("xarb.leg_order: \"lighter-first\" is not allowed"),
                             HasSubstr("allowed: \"together\", \"backpack_first\", \"lighter_first\""))));
  EXPECT_THAT(xarb_errors_of(kXarb + "first_leg_timeout_ms = 5\n" + kLighter),
              Contains(AllOf(HasSubstr("test.toml:"), HasSubstr("xarb.first_leg_timeout_ms"), HasSubstr("5"),
                             HasSubstr(">= 10"))));
  const std::vector<std::string> ch = threshold_changes(a, b);
  EXPECT_THAT(ch, Contains(HasSubstr("xarb.leg_order together -> lighter_first")));
  EXPECT_THAT(ch, Contains(HasSubstr("xarb.first_leg_timeout_us")));
  EXPECT_THAT(restart_required_changes(a, b), IsEmpty());
}

TEST(ConfigXarb, AnXarbTableOutsideCrossVenueIsAWarning) {
  const Config c = parse_config_string("[exchange]\nmode = \"paper\"\n[xarb]\ncoin = \"BTC\"\n", "t.toml");
  EXPECT_THAT(c.warnings, Contains(HasSubstr("[xarb] is read only with [strategy] kind = \"cross_venue\"")));
}

TEST(ConfigXarb, ThePaperFilesTradeBtcAcrossVenuesWithADislocationScriptedOnLighter) {
  const std::string src = BPARB_SOURCE_DIR;
  const Config c = load_config(src + "/config/paper-xvenue.toml");
  EXPECT_EQ(c.strategy.kind, StrategyKind::kCrossVenue);
  EXPECT_EQ(c.xarb.coin, "BTC");
  ASSERT_TRUE(c.venues.lighter.has_value());
  EXPECT_EQ(c.venues.lighter->markets, std::vector<std::string>{"BTC"});
  const sim::SimConfig sc = sim::load_sim_config(src + "/config/paper-xvenue-sim.toml");
  ASSERT_EQ(sc.script.size(), 1u);
  EXPECT_TRUE(sc.script[0].dislocation);
  EXPECT_EQ(sc.script[0].coin, "BTC");
  EXPECT_GT(sc.script[0].basis_bps, 0.0);
}

TEST(ConfigXarb, AScriptEntryIsABasisOrADislocationNotBoth) {
  const std::string both = "[[script]]\nat_seconds = 1\ncoin = \"BTC\"\nbasis_bps = 5\ndislocation_bps = 5\n";
  EXPECT_THROW((void)sim::parse_sim_config(both, "s.toml"), sim::SimConfigError);
  const std::string none = "[[script]]\nat_seconds = 1\ncoin = \"BTC\"\n";
  EXPECT_THROW((void)sim::parse_sim_config(none, "s.toml"), sim::SimConfigError);
}

TEST(ConfigXarb, TheXarbCommandChecksItsOptionsThroughTheConfigLoaderBeforeStartingAnything) {
  std::ostringstream out, err;
  const std::vector<std::string> no_ticker{"--size", "0.001"};
  EXPECT_EQ(cmd_xarb(no_ticker, out, err), 2);
  EXPECT_THAT(err.str(), HasSubstr("--ticker is required"));
  err.str("");
  const std::vector<std::string> bad_size{
      "--ticker", "BTC", "--size", "-1", "--config", std::string(BPARB_SOURCE_DIR) + "/config/paper-xvenue.toml"};
  EXPECT_EQ(cmd_xarb(bad_size, out, err), 2);
  EXPECT_THAT(err.str(), HasSubstr("xarb.target_quantity: got -1, out of range"));
  err.str("");
  const std::vector<std::string> not_a_number{"--ticker", "BTC", "--long-threshold", "five"};
  EXPECT_EQ(cmd_xarb(not_a_number, out, err), 2);
  EXPECT_THAT(err.str(), HasSubstr("--long-threshold: expected a decimal number, got \"five\""));
}

}  // namespace
}  // namespace bparb::app
