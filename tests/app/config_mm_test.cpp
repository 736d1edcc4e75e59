// [strategy] kind and [mm]: the market maker's part of the config file, its errors and what a reload changes.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "bparb/app/config.hpp"
#include "bparb/app/node_options.hpp"

namespace bparb::app {
namespace {

using ::testing::AllOf;
using ::testing::AnyOf;
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

const std::string kMmSrc = BPARB_SOURCE_DIR;
const std::string kMmPaper = "[exchange]\nmode = \"paper\"\n";
const std::string kMm = kMmPaper + "[strategy]\nkind = \"market_maker\"\n[mm]\nmarkets = [\"SOL_USDC_PERP\"]\n";

std::vector<std::string> mm_errors_of(const std::string& text) {
  try {
    (void)parse_config_string(text, "test.toml");
    return {};
  } catch (const ConfigError& e) {
    return e.errors();
  }
}

TEST(ConfigMm, PaperMmFileLoadsAsAMarketMaker) {
  const Config c = load_config(kMmSrc + "/config/paper-mm.toml");
  EXPECT_EQ(c.strategy.kind, StrategyKind::kMarketMaker);
  EXPECT_EQ(c.exchange.mode, Mode::kPaper);
  EXPECT_EQ(c.mm.markets, std::vector<std::string>{"SOL_USDC_PERP"});
  EXPECT_EQ(c.mm.params.equity_fraction, Decimal::from_string("0.0003"));
  EXPECT_EQ(c.mm.params.max_quote_age_ms, 2000);
  EXPECT_EQ(c.mm.params.flow_window_ms, MmParams{}.flow_window_ms);  // untouched keys keep their defaults
  EXPECT_FALSE(c.mm.flatten_on_stop);
  // (Whether paper.sim_config exists depends on the working directory: only the market maker's warnings count.)
  EXPECT_THAT(c.warnings, Not(Contains(AnyOf(HasSubstr("[mm]"), HasSubstr("max_orders_per_minute")))));
}

TEST(ConfigMm, FlattenOnStopIsABoolean) {
  EXPECT_TRUE(parse_config_string(kMm + "flatten_on_stop = true\n", "test.toml").mm.flatten_on_stop);
  EXPECT_THAT(mm_errors_of(kMm + "flatten_on_stop = \"yes\"\n"), Contains(HasSubstr("mm.flatten_on_stop")));
}

TEST(ConfigMm, ExistingConfigsStayBasis) {
  for (const char* f : {"/config/paper.toml", "/config/bparb.toml"}) {
    const Config c = load_config(kMmSrc + f);
    EXPECT_EQ(c.strategy.kind, StrategyKind::kBasis) << f;
    EXPECT_FALSE(c.mm.present) << f;
  }
}

TEST(ConfigMm, KindIsOneOfTwoNames) {
  EXPECT_THAT(mm_errors_of("[strategy]\nkind = \"maker\"\n"),
              Contains(AllOf(HasSubstr("test.toml:2:8: strategy.kind: \"maker\" is not allowed"),
                             HasSubstr("allowed: \"basis\", \"market_maker\""))));
  EXPECT_THAT(mm_errors_of("[strategy]\nkind = 3\n"), Contains(HasSubstr("strategy.kind: wrong type, got integer 3")));
}

TEST(ConfigMm, MarketMakerNeedsItsMarkets) {
  EXPECT_THAT(mm_errors_of("[strategy]\nkind = \"market_maker\"\n"),
              Contains(HasSubstr("strategy.kind: \"market_maker\" needs an [mm] table naming its markets")));
  EXPECT_THAT(mm_errors_of("[strategy]\nkind = \"market_maker\"\n[mm]\nequity_fraction = 0.01\n"),
              Contains(HasSubstr("mm.markets: missing")));
  EXPECT_THAT(mm_errors_of(kMm + "[mm.x]\n"), Not(IsEmpty()));
}

TEST(ConfigMm, MarketsMustBeDistinctPerpSymbols) {
  const std::string head = "[strategy]\nkind = \"market_maker\"\n[mm]\n";
  EXPECT_THAT(mm_errors_of(head + "markets = [\"SOL_USDC\"]\n"),
              Contains(AllOf(HasSubstr("test.toml:4:"), HasSubstr("mm.markets: got string \"SOL_USDC\""),
                             HasSubstr("ending in _PERP"))));
  EXPECT_THAT(mm_errors_of(head + "markets = [\"SOL_USDC_PERP\", \"SOL_USDC_PERP\"]\n"),
              Contains(HasSubstr("\"SOL_USDC_PERP\" is listed twice")));
  EXPECT_THAT(mm_errors_of(head + "markets = []\n"), Contains(HasSubstr("mm.markets: 0 market(s)")));
  EXPECT_THAT(mm_errors_of(head + "markets = \"SOL_USDC_PERP\"\n"), Contains(HasSubstr("mm.markets: wrong type")));
}

TEST(ConfigMm, TheSelectorReadsItsThresholdsAndNeedsNoMarkets) {
  const std::string head = "[exchange]\nmode = \"live\"\n[strategy]\nkind = \"market_maker\"\n[mm]\n[mm.selector]\n";
  const Config c =
      parse_config_string(head +
                              "enabled = true\nmax_markets = 3\nmin_quote_volume_usd = 2000000\n"
                              "max_spread_bps = 2.5\nmin_top_depth_usd = 1000\nexclude = [\"JUP_USDC_PERP\"]\n",
                          "test.toml");
  const MarketSelectorParams& p = c.mm.selector;
  EXPECT_TRUE(p.enabled);
  EXPECT_TRUE(c.mm.markets.empty());
  EXPECT_EQ(p.max_markets, 3);
  EXPECT_EQ(p.min_quote_volume_usd, Decimal::from_int(2'000'000));
  EXPECT_EQ(p.max_spread_bps, Decimal::from_string("2.5"));
  EXPECT_EQ(p.min_top_depth_usd, Decimal::from_int(1'000));
  EXPECT_EQ(p.exclude, std::vector<std::string>{"JUP_USDC_PERP"});
  // Paper mode funds the account from the listed perps: the selector there needs them as its candidates.
  EXPECT_THAT(mm_errors_of(kMmPaper + "[strategy]\nkind = \"market_maker\"\n[mm]\n[mm.selector]\nenabled = true\n"),
              Contains(HasSubstr("mm.markets: missing; paper mode funds the simulated account")));
  // Off, the markets are required as before.
  EXPECT_THAT(mm_errors_of(head + "enabled = false\n"), Contains(HasSubstr("mm.markets: missing")));
  EXPECT_FALSE(parse_config_string(kMm, "test.toml").mm.selector.enabled);
}

TEST(ConfigMm, SelectorErrorsNameFileLineKeyValueAndRange) {
  const std::string head = kMmPaper + "[strategy]\nkind = \"market_maker\"\n[mm]\n[mm.selector]\nenabled = true\n";
  EXPECT_THAT(mm_errors_of(head + "max_markets = 9\n"),
              Contains("test.toml:8:15: mm.selector.max_markets: 9 is out of range; allowed: an integer from 1 to 8"));
  EXPECT_THAT(mm_errors_of(head + "max_spread_bps = 0\n"),
              Contains("test.toml:8:18: mm.selector.max_spread_bps: 0 is out of range; allowed: > 0 and <= 1000"));
  EXPECT_THAT(mm_errors_of(head + "min_quote_volume_usd = -5\n"),
              Contains(HasSubstr("mm.selector.min_quote_volume_usd: -5 is out of range; allowed: >= 0")));
  EXPECT_THAT(mm_errors_of(head + "exclude = [\"JUP_USDC\"]\n"),
              Contains(AllOf(HasSubstr("test.toml:8:"), HasSubstr("mm.selector.exclude: got string \"JUP_USDC\""),
                             HasSubstr("not a perp symbol"))));
  EXPECT_THAT(mm_errors_of(head + "max_market = 2\n"),
              Contains(AllOf(HasSubstr("mm.selector.max_market: unknown key"), HasSubstr("'max_markets'"))));
  EXPECT_THAT(mm_errors_of(kMm + "selector = 3\n"), Contains(HasSubstr("mm.selector: wrong type, got integer 3")));
}

TEST(ConfigMm, ParameterErrorsNameFileLineKeyValueAndRange) {
  const auto e = mm_errors_of(kMm + "flow_ema_alpha = 1.5\nrequote_ticks = 0\n");
  EXPECT_THAT(e, Contains("test.toml:7:18: mm.flow_ema_alpha: 1.5 is out of range; allowed: > 0 and <= 1 (weight of "
                          "the newest ratio)"));
  EXPECT_THAT(e, Contains(AllOf(HasSubstr("test.toml:8:17: mm.requote_ticks: 0 is out of range"),
                                HasSubstr("an integer from 1 to 1000"))));
  // Between keys, once every key is valid on its own.
  EXPECT_THAT(mm_errors_of(kMm + "rate_limit_backoff_ms = 5000\nrate_limit_backoff_max_ms = 1000\n"),
              Contains(HasSubstr("mm.rate_limit_backoff_max_ms: 1000 is below mm.rate_limit_backoff_ms 5000")));
}

TEST(ConfigMm, UnknownKeyIsReportedOnceWithTheClosestName) {
  const auto e = mm_errors_of(kMm + "equity_fractoin = 0.01\n");
  ASSERT_EQ(e.size(), 1u) << e.front();
  EXPECT_THAT(e.front(), AllOf(HasSubstr("test.toml:7:1: mm.equity_fractoin: unknown key"),
                               HasSubstr("did you mean 'equity_fraction'?")));
}

TEST(ConfigMm, AnOrderCapBelowTheRequestBudgetIsWarnedAbout) {
  const Config c = parse_config_string(kMm, "test.toml");  // risk.max_orders_per_minute 60, budget 50 per 10 s
  EXPECT_THAT(c.warnings, Contains(HasSubstr("risk.max_orders_per_minute 60 is below the market maker's request "
                                             "budget of 300 per minute")));
  const Config ok = parse_config_string(
      kMmPaper + "[risk]\nmax_orders_per_minute = 300\n" + kMm.substr(kMmPaper.size()), "test.toml");
  EXPECT_THAT(ok.warnings, Not(Contains(HasSubstr("max_orders_per_minute"))));
}

TEST(ConfigMm, MmTableWithTheBasisStrategyIsIgnoredWithAWarning) {
  const Config c = parse_config_string(kMmPaper + "[mm]\nmarkets = [\"SOL_USDC_PERP\"]\n", "test.toml");
  EXPECT_EQ(c.strategy.kind, StrategyKind::kBasis);
  EXPECT_THAT(c.warnings, Contains(HasSubstr("[mm] is read only with [strategy] kind = \"market_maker\"")));
}

// SIGHUP: the keys the core reads when it decides apply; the ones it builds structures from, the markets and
// the kind wait for a restart, and the running config keeps their old values.
TEST(ConfigMm, ReloadAppliesLiveKeysAndNamesTheOthers) {
  const std::filesystem::path file =
      std::filesystem::temp_directory_path() / ("bparb_mm_reload_" + std::to_string(::getpid()) + ".toml");
  std::ofstream(file) << kMm;
  Config running = load_config(file.string());
  std::ofstream(file) << kMmPaper
                      << "[strategy]\nkind = \"basis\"\n[mm]\nmarkets = [\"BTC_USDC_PERP\"]\nequity_fraction = "
                         "0.02\nflow_window_ms = 5000\n";
  const runtime::ReloadOutcome r = reload_thresholds(running);
  std::filesystem::remove(file);
  ASSERT_EQ(r.status, runtime::ReloadOutcome::Status::kApplied) << r.error;
  EXPECT_THAT(r.changes, Contains("mm.equity_fraction 0.01 -> 0.02"));
  EXPECT_THAT(r.restart_required, Contains(HasSubstr("mm.flow_window_ms")));
  EXPECT_THAT(r.restart_required, Contains(HasSubstr("mm.markets")));
  EXPECT_THAT(r.restart_required, Contains(HasSubstr("strategy.kind")));
  EXPECT_EQ(running.mm.params.equity_fraction, Decimal::from_string("0.02"));
  EXPECT_EQ(running.mm.params.flow_window_ms, MmParams{}.flow_window_ms);
  EXPECT_EQ(running.strategy.kind, StrategyKind::kMarketMaker);
  EXPECT_EQ(running.mm.markets, std::vector<std::string>{"SOL_USDC_PERP"});
}

}  // namespace
}  // namespace bparb::app
