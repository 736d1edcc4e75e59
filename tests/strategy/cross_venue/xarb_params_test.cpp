// The `[xarb]` table reader: values, and an error naming file, position, key, value and range for each
// bad entry.
#include <gtest/gtest.h>

#include <string>

#include "bparb/strategy/cross_venue/xarb_params_toml.hpp"
#include "xarb_test_util.hpp"

namespace bparb::xarbtest {
namespace {

XarbParamsRead read(std::string_view text) {
  const toml::table root = toml::parse(text, std::string_view("xarb.toml"));
  return read_xarb_params(*root["xarb"].as_table(), "xarb.toml");
}

TEST(XarbParams, DefaultsAreValid) {
  EXPECT_EQ(validate(XarbParams{}), nullptr);
  EXPECT_EQ(validate(base_params()), nullptr);
  XarbParams p;
  p.max_depth_fraction = D("0");
  EXPECT_STREQ(validate(p), "max_depth_fraction");
  p = XarbParams{};
  p.max_book_age_ms = 0;
  EXPECT_STREQ(validate(p), "max_book_age_ms");
}

TEST(XarbParams, ReadsEveryKindOfKey) {
  const XarbParamsRead r = read(R"([xarb]
target_notional_usd = 250
long_threshold = 12.5
short_threshold = "7.25"
min_net_edge_bps = 0.4
expected_holding_s = 7200
lighter_fee_tier = "premium"
exit_as_maker = true
max_position_backpack = "0.05"
max_position_lighter = 0.05
min_closing_spread = -1
)");
  ASSERT_TRUE(r.ok()) << r.errors.front();
  EXPECT_EQ(r.params.target_notional_usd, D("250"));
  EXPECT_EQ(r.params.long_threshold, D("12.5"));
  EXPECT_EQ(r.params.short_threshold, D("7.25"));
  EXPECT_EQ(r.params.min_net_edge_bps, D("0.4"));  // a float read as written, not 0.40000000000000002
  EXPECT_EQ(r.params.expected_holding_s, 7200);
  EXPECT_EQ(r.params.lighter_fee_tier, LighterFeeTier::kPremium);
  EXPECT_TRUE(r.params.exit_as_maker);
  EXPECT_EQ(r.params.max_position_backpack, D("0.05"));
  EXPECT_EQ(r.params.max_position_lighter, D("0.05"));
  EXPECT_EQ(r.params.min_closing_spread, D("-1"));
  EXPECT_EQ(r.params.min_entry_spread_bps, XarbParams{}.min_entry_spread_bps);  // absent: default
}

TEST(XarbParams, EachErrorNamesFileKeyValueAndRange) {
  const XarbParamsRead r = read(R"([xarb]
max_depth_fraction = 1.5
long_threshold = "abc"
stale_after_ms = 2.5
lighter_fee_tier = "gold"
exit_as_maker = "yes"
min_net_edge = 2
target_notional_usd = 0
)");
  ASSERT_EQ(r.errors.size(), 7u);
  const auto has = [&r](const std::string& s) {
    for (const std::string& e : r.errors) {
      if (e == s) return true;
    }
    return false;
  };
  EXPECT_TRUE(
      has("xarb.toml:2:22: xarb.max_depth_fraction: got 1.5, out of range; allowed: (0, 1] of the thinner "
          "depth"));
  EXPECT_TRUE(
      has("xarb.toml:3:18: xarb.long_threshold: got string \"abc\", not a decimal number; allowed: [0, "
          "1000000] USD per unit"));
  EXPECT_TRUE(
      has("xarb.toml:4:18: xarb.stale_after_ms: wrong type, got float 2.5; allowed: an integer in [1, "
          "600000] milliseconds"));
  EXPECT_TRUE(
      has("xarb.toml:5:20: xarb.lighter_fee_tier: got string \"gold\"; allowed: \"standard\" or "
          "\"premium\""));
  EXPECT_TRUE(has("xarb.toml:6:17: xarb.exit_as_maker: got string \"yes\"; allowed: true or false"));
  EXPECT_TRUE(
      has("xarb.toml:8:23: xarb.target_notional_usd: got 0, out of range; allowed: (0, 10000000] USD per "
          "leg"));
  bool unknown = false;
  for (const std::string& e : r.errors) {
    if (e.rfind("xarb.toml:7:1: xarb.min_net_edge: unknown key; allowed keys in [xarb]: target_notional_usd ", 0) ==
        0) {
      unknown = e.find(" min_net_edge_bps ") != std::string::npos && e.find(" exit_as_maker") != std::string::npos;
    }
  }
  EXPECT_TRUE(unknown);
  // Refused values leave the defaults.
  EXPECT_EQ(r.params.max_depth_fraction, XarbParams{}.max_depth_fraction);
  EXPECT_EQ(r.params.lighter_fee_tier, LighterFeeTier::kStandard);
}

TEST(XarbParams, StalenessPenaltyMustBeAbleToApply) {
  XarbParamsRead r = read("[xarb]\nstale_after_ms = 6000\n");  // default max_book_age_ms 5000
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0],
            "xarb.toml: xarb.stale_after_ms: 6000 is above xarb.max_book_age_ms = 5000 (a book that old is refused "
            "before its staleness penalty applies); allowed: stale_after_ms <= max_book_age_ms");
  r = read("[xarb]\nstale_after_ms = 6000\nmax_book_age_ms = 6000\n");
  EXPECT_TRUE(r.ok());
  XarbParams p;
  p.stale_after_ms = 6'000;
  EXPECT_STREQ(validate(p), "stale_after_ms");
}

TEST(XarbParams, LighterTierFees) {
  EXPECT_EQ(lighter_tier_fees(LighterFeeTier::kStandard).maker_bps, D("0"));
  EXPECT_EQ(lighter_tier_fees(LighterFeeTier::kStandard).taker_bps, D("0"));
  EXPECT_EQ(lighter_tier_fees(LighterFeeTier::kPremium).maker_bps, D("0.4"));
  EXPECT_EQ(lighter_tier_fees(LighterFeeTier::kPremium).taker_bps, D("2.8"));
  LighterFeeTier t = LighterFeeTier::kPremium;
  EXPECT_TRUE(parse_lighter_fee_tier("standard", t));
  EXPECT_EQ(t, LighterFeeTier::kStandard);
  EXPECT_FALSE(parse_lighter_fee_tier("Premium", t));
  EXPECT_STREQ(to_string(LighterFeeTier::kPremium), "premium");
}

}  // namespace
}  // namespace bparb::xarbtest
