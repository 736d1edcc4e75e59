// MmParams: defaults, validation messages, and the [mm] TOML reader.
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "bparb/strategy/market_maker/mm_params_toml.hpp"
#include "mm_test_util.hpp"

namespace bparb::mmtest {
namespace {

TEST(MmParams, DefaultsAreTheDocumentedOnesAndValid) {
  const MmParams p;
  EXPECT_EQ(p.flow_window_ms, 2'000);
  EXPECT_EQ(p.flow_ema_alpha, D("0.4"));
  EXPECT_EQ(p.side_switch_ratio, D("1.3"));
  EXPECT_EQ(p.min_side_hold_ms, 1'500);
  EXPECT_EQ(p.price_offset_ticks, 0);
  EXPECT_EQ(p.equity_fraction, D("0.01"));
  EXPECT_EQ(p.max_quote_usd, D("30"));
  EXPECT_EQ(p.requote_ticks, 1);
  EXPECT_EQ(p.max_quote_age_ms, 0);
  EXPECT_EQ(p.requote_persist_ms, 300);
  EXPECT_EQ(p.inventory_cap_fraction, D("0.15"));
  EXPECT_EQ(p.inventory_soft_fraction, D("0.8"));
  EXPECT_EQ(p.hedge_fraction, D("0.6"));
  EXPECT_TRUE(validate_mm_params(p).empty());
  EXPECT_EQ(mm_param_keys().size(), 27u);
}

TEST(MmParams, EachProblemNamesKeyValueAndRange) {
  MmParams p;
  p.flow_ema_alpha = D("1.5");
  p.requote_ticks = 0;
  const auto errors = validate_mm_params(p);
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0], "mm.flow_ema_alpha: 1.5 is out of range; allowed: > 0 and <= 1 (weight of the newest ratio)");
  EXPECT_EQ(errors[1], "mm.requote_ticks: 0 is out of range; allowed: an integer from 1 to 1000");
}

TEST(MmParams, CrossChecks) {
  MmParams p;
  p.max_quote_age_ms = 50;
  p.rate_limit_backoff_max_ms = 1'000;
  p.max_requests_per_window = 1;
  const auto errors = validate_mm_params(p);
  ASSERT_EQ(errors.size(), 3u);
  EXPECT_EQ(errors[0], "mm.max_quote_age_ms: 50 is out of range; allowed: 0 (off) or an integer from 100 to 3600000");
  EXPECT_EQ(errors[1],
            "mm.rate_limit_backoff_max_ms: 1000 is below mm.rate_limit_backoff_ms 2000; allowed: "
            "rate_limit_backoff_max_ms >= rate_limit_backoff_ms");
  EXPECT_NE(errors[2].find("mm.request_headroom_fraction: 0.2 leaves no request"), std::string::npos);
}

TEST(MmParams, TheCoreRefusesInvalidParameters) {
  MmParams p;
  p.side_switch_ratio = D("1");
  try {
    MarketMakerCore c(p, sol_perp());
    FAIL() << "accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("mm.side_switch_ratio: 1 is out of range; allowed: > 1 and <= 100"),
              std::string::npos)
        << e.what();
  }
}

TEST(MmParamsToml, ReadsIntegersFloatsAndStrings) {
  const toml::table t = toml::parse(R"(
flow_window_ms = 3000
flow_ema_alpha = 0.25
max_quote_usd = "12.5"
inventory_cap_fraction = 1
max_quote_age_ms = 2000
)");
  const MmParamsRead r = read_mm_params(t, "mm.toml");
  ASSERT_TRUE(r.ok()) << r.errors.front();
  EXPECT_EQ(r.params.flow_window_ms, 3'000);
  EXPECT_EQ(r.params.flow_ema_alpha, D("0.25"));
  EXPECT_EQ(r.params.max_quote_usd, D("12.5"));
  EXPECT_EQ(r.params.inventory_cap_fraction, D("1"));
  EXPECT_EQ(r.params.max_quote_age_ms, 2'000);
  EXPECT_EQ(r.params.side_switch_ratio, D("1.3"));  // absent: default
}

TEST(MmParamsToml, ReportsEveryProblemWithItsPosition) {
  const toml::table t = toml::parse(R"(flow_ema_alpha = 2
requote_ticks = "one"
min_side_hold = 1500
hedge_fraction = 0.0000000001
cooldown_ms = 1.5
)");
  const MmParamsRead r = read_mm_params(t, "bparb.toml");
  ASSERT_EQ(r.errors.size(), 5u);
  EXPECT_EQ(r.errors[0],
            "bparb.toml:1:18: mm.flow_ema_alpha: 2 is out of range; allowed: > 0 and <= 1 (weight of the newest "
            "ratio)");
  EXPECT_EQ(r.errors[1],
            "bparb.toml:4:18: mm.hedge_fraction: got float 1e-10, which has more than 9 decimal places; allowed: > 0 "
            "and <= 1 (of the excess over the cap)");
  EXPECT_EQ(r.errors[2],
            "bparb.toml:2:17: mm.requote_ticks: wrong type, got string \"one\"; allowed: an integer from 1 to 1000");
  EXPECT_EQ(r.errors[3],
            "bparb.toml:5:15: mm.cooldown_ms: wrong type, got float 1.5; allowed: an integer from 0 to 3600000");
  EXPECT_NE(r.errors[4].find("bparb.toml:3:1: mm.min_side_hold: unknown key (did you mean 'min_side_hold_ms'?)"),
            std::string::npos)
      << r.errors[4];
  EXPECT_EQ(r.params.flow_ema_alpha, D("0.4"));  // refused values keep the default
}

// A reload (SIGHUP) changes only the keys the core reads when it decides; the others were built into its
// guards and are named back, unchanged.
TEST(MmParams, LiveKeysApplyTheOthersAreNamedAndKept) {
  MmParams next;
  next.max_quote_usd = D("10");
  next.cooldown_ms = 1'000;
  next.flow_window_ms = 5'000;
  next.reject_burst_count = 3;
  const MmParams merged = with_live_mm_params(MmParams{}, next);
  EXPECT_EQ(merged.max_quote_usd, D("10"));
  EXPECT_EQ(merged.cooldown_ms, 1'000);
  EXPECT_EQ(merged.flow_window_ms, MmParams{}.flow_window_ms);
  EXPECT_EQ(merged.reject_burst_count, MmParams{}.reject_burst_count);
  EXPECT_TRUE(mm_param_is_live("max_quote_usd"));
  EXPECT_FALSE(mm_param_is_live("flow_window_ms"));
  EXPECT_FALSE(mm_param_is_live("no_such_key"));

  MarketMakerCore core(MmParams{}, sol_perp());
  const std::vector<std::string> kept = core.set_params(next);
  EXPECT_EQ(kept, (std::vector<std::string>{"flow_window_ms", "reject_burst_count"}));
  MmParams bad;
  bad.flow_ema_alpha = D("2");
  EXPECT_THROW((void)core.set_params(bad), std::invalid_argument);
}

TEST(MmParams, ValuesListEveryKeyInTableOrder) {
  const auto values = mm_param_values(MmParams{});
  const std::vector<std::string> keys = mm_param_keys();
  ASSERT_EQ(values.size(), keys.size());
  for (std::size_t i = 0; i < keys.size(); ++i) EXPECT_EQ(values[i].first, keys[i]);
  EXPECT_EQ(values.front().second, "0.4");  // flow_ema_alpha
}

}  // namespace
}  // namespace bparb::mmtest
