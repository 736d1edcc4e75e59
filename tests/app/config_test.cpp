#include "bparb/app/config.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "app_test_util.hpp"

namespace bparb::app {
namespace {

using ::testing::AllOf;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

const std::string kSrc = BPARB_SOURCE_DIR;

// Parses `text` as "test.toml"; returns the error lines (empty if it loaded).
std::vector<std::string> errors_of(const std::string& text) {
  try {
    (void)parse_config_string(text, "test.toml");
    return {};
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.file(), "test.toml");
    EXPECT_EQ(std::string(e.what()).find(e.errors().front()), 0u) << "what() starts with the first error";
    return e.errors();
  }
}

Config load_text(const std::string& text) {
  return parse_config_string(text, "test.toml");
}

const std::string kPaper = "[exchange]\nmode = \"paper\"\n";
const std::string kLive = "[exchange]\nmode = \"live\"\n";

// ---------------------------------------------------------------------------------------------------
// The shipped files.

TEST(ConfigFiles, ReferenceConfigLoadsAndDocumentsTheDefaults) {
  const Config c = load_config(kSrc + "/config/bparb.toml");
  const Config d;  // defaults
  EXPECT_EQ(c.exchange.mode, Mode::kLive);
  EXPECT_EQ(c.exchange.rest_url, "https://api.backpack.exchange");
  EXPECT_EQ(c.exchange.ws_url, "wss://ws.backpack.exchange");
  EXPECT_EQ(c.enabled_pair_count(), 5u);
  // Every value written in the reference file equals the built-in default (the file documents them).
  EXPECT_EQ(c.exchange.env_file, d.exchange.env_file);
  EXPECT_EQ(c.exchange.max_requests_per_minute, d.exchange.max_requests_per_minute);
  EXPECT_EQ(c.exchange.rest_timeout_us, d.exchange.rest_timeout_us);
  EXPECT_EQ(c.exchange.ws_stale_timeout_us, d.exchange.ws_stale_timeout_us);
  EXPECT_EQ(c.paper.sim_config, d.paper.sim_config);
  EXPECT_EQ(c.paper.duration_us, d.paper.duration_us);
  EXPECT_EQ(c.paper.port, d.paper.port);
  EXPECT_EQ(c.risk.max_position_usd, d.risk.max_position_usd);
  EXPECT_EQ(c.risk.max_total_exposure_usd, d.risk.max_total_exposure_usd);
  EXPECT_EQ(c.risk.max_daily_loss_usd, d.risk.max_daily_loss_usd);
  EXPECT_EQ(c.risk.min_account_balance_usd, d.risk.min_account_balance_usd);
  EXPECT_EQ(c.risk.max_book_age_us, d.risk.max_book_age_us);
  EXPECT_EQ(c.risk.max_orders_per_minute, d.risk.max_orders_per_minute);
  EXPECT_EQ(c.risk.margin_headroom, d.risk.margin_headroom);
  EXPECT_EQ(c.risk.max_unhedged_usd, d.risk.max_unhedged_usd);
  EXPECT_EQ(c.strategy.min_spread_threshold, d.strategy.min_spread_threshold);
  EXPECT_EQ(c.strategy.min_execution_threshold, d.strategy.min_execution_threshold);
  EXPECT_EQ(c.strategy.large_spread_threshold, d.strategy.large_spread_threshold);
  EXPECT_EQ(c.strategy.position_size_usd, d.strategy.position_size_usd);
  EXPECT_EQ(c.strategy.confidence_threshold, d.strategy.confidence_threshold);
  EXPECT_EQ(c.strategy.min_closing_spread, d.strategy.min_closing_spread);
  EXPECT_EQ(c.strategy.take_profit_usd, d.strategy.take_profit_usd);
  EXPECT_EQ(c.strategy.take_profit_fraction, d.strategy.take_profit_fraction);
  EXPECT_EQ(c.strategy.max_holding_us, d.strategy.max_holding_us);
  EXPECT_EQ(c.strategy.funding_against_limit, d.strategy.funding_against_limit);
  EXPECT_EQ(c.strategy.opening_delay_us, d.strategy.opening_delay_us);
  EXPECT_EQ(c.strategy.max_open_positions, d.strategy.max_open_positions);
  EXPECT_EQ(c.strategy.allow_spot_borrow, d.strategy.allow_spot_borrow);
  EXPECT_EQ(c.strategy.expected_holding_us, d.strategy.expected_holding_us);
  EXPECT_EQ(c.strategy.slippage_allowance, d.strategy.slippage_allowance);
  EXPECT_EQ(c.strategy.liquidity_buffer, d.strategy.liquidity_buffer);
  EXPECT_EQ(c.strategy.stats_interval_us, d.strategy.stats_interval_us);
  EXPECT_EQ(c.strategy.tick_us, d.strategy.tick_us);
  EXPECT_EQ(c.execution.use_maker_for_large_spreads, d.execution.use_maker_for_large_spreads);
  EXPECT_EQ(c.execution.order_timeout_us, d.execution.order_timeout_us);
  EXPECT_EQ(c.execution.fallback_to_taker, d.execution.fallback_to_taker);
  EXPECT_EQ(c.execution.spot_market_slippage_buffer, d.execution.spot_market_slippage_buffer);
  EXPECT_EQ(c.execution.perpetual_market_slippage_buffer, d.execution.perpetual_market_slippage_buffer);
  EXPECT_EQ(c.execution.hedge_deadline_us, d.execution.hedge_deadline_us);
  EXPECT_EQ(c.execution.maker_reprice_bps, d.execution.maker_reprice_bps);
  EXPECT_EQ(c.execution.request_window_ms, d.execution.request_window_ms);
  ASSERT_EQ(c.pairs.size(), d.pairs.size());
  for (std::size_t i = 0; i < c.pairs.size(); ++i) {
    EXPECT_EQ(c.pairs[i].base, d.pairs[i].base);
    EXPECT_EQ(c.pairs[i].spot_symbol, d.pairs[i].spot_symbol);
    EXPECT_EQ(c.pairs[i].perp_symbol, d.pairs[i].perp_symbol);
    EXPECT_EQ(c.pairs[i].enabled, d.pairs[i].enabled);
  }
  EXPECT_EQ(c.logging.file, d.logging.file);
  EXPECT_EQ(c.logging.level, d.logging.level);
  EXPECT_EQ(c.logging.max_size_mb, d.logging.max_size_mb);
  EXPECT_EQ(c.logging.max_files, d.logging.max_files);
  EXPECT_EQ(c.logging.console, d.logging.console);
  EXPECT_EQ(c.logging.console_level, d.logging.console_level);
  EXPECT_EQ(c.logging.flush_interval_seconds, d.logging.flush_interval_seconds);
  EXPECT_EQ(c.journal.enabled, d.journal.enabled);
  EXPECT_EQ(c.journal.path, d.journal.path);
  EXPECT_EQ(c.service.enabled, d.service.enabled);
  EXPECT_EQ(c.service.address, d.service.address);
  EXPECT_EQ(c.service.port, d.service.port);
  EXPECT_EQ(c.recovery.unexplained_positions, d.recovery.unexplained_positions);
  EXPECT_EQ(c.shutdown.flatten_on_shutdown, d.shutdown.flatten_on_shutdown);
  EXPECT_EQ(c.shutdown.timeout_us, d.shutdown.timeout_us);
  EXPECT_TRUE(c.warnings.empty());
}

TEST(ConfigFiles, PaperConfigLoads) {
  const Config c = load_config(kSrc + "/config/paper.toml");
  EXPECT_EQ(c.exchange.mode, Mode::kPaper);
  EXPECT_EQ(c.enabled_pair_count(), 5u);
  EXPECT_EQ(c.pairs[0].spot_symbol, "SOL_USDC");
  EXPECT_EQ(c.pairs[4].perp_symbol, "JUP_USDC_PERP");
  EXPECT_EQ(c.paper.duration_us, 3600 * kUsPerSecond);
  EXPECT_EQ(c.strategy.opening_delay_us, 5 * kUsPerSecond);
  EXPECT_EQ(c.logging.level, LogLevel::kDebug);
  EXPECT_EQ(c.service.port, 8781);
  EXPECT_EQ(c.source_path, kSrc + "/config/paper.toml");
}

TEST(ConfigFiles, ValidateOnlyReturnsErrorsWithoutThrowing) {
  EXPECT_TRUE(validate_config_file(kSrc + "/config/bparb.toml").empty());
  testing::ScratchDir dir;
  const std::string bad = dir.file("bad.toml");
  testing::write_file(bad, "[exchange]\nmode = \"papr\"\n");
  const auto errs = validate_config_file(bad);
  ASSERT_EQ(errs.size(), 1u);
  EXPECT_THAT(errs[0], StartsWith(bad + ":2:8: exchange.mode: \"papr\" is not allowed (did you mean \"paper\"?)"));
  const auto missing = validate_config_file(dir.file("nope.toml"));
  ASSERT_EQ(missing.size(), 1u);
  EXPECT_THAT(missing[0],
              AllOf(HasSubstr(dir.file("nope.toml")), HasSubstr("cannot open config file"), HasSubstr("No such file")));
}

// ---------------------------------------------------------------------------------------------------
// Values.

TEST(ConfigValues, MinimalFileTakesDefaults) {
  const Config c = load_text(kPaper);
  EXPECT_EQ(c.exchange.mode, Mode::kPaper);
  EXPECT_EQ(c.pairs.size(), 5u);
  EXPECT_EQ(c.pairs[1].base, "BTC");
  EXPECT_EQ(c.pairs[1].spot_symbol, "BTC_USDC");
  EXPECT_EQ(c.pairs[1].perp_symbol, "BTC_USDC_PERP");
  EXPECT_EQ(c.risk.max_position_usd, Decimal::from_int(1000));
  EXPECT_EQ(c.execution.request_window_ms, 5000);
  EXPECT_FALSE(c.strategy.allow_spot_borrow);
}

TEST(ConfigValues, DecimalsAreExactFromFloatIntegerAndString) {
  const Config c = load_text(kPaper +
                             "[risk]\nmax_position_usd = 1234.56\nmax_total_exposure_usd = \"9999.123456789\"\n"
                             "max_daily_loss_usd = 250\n[strategy]\nmin_spread_threshold = 0.0015\n"
                             "min_execution_threshold = 0.002\nmin_closing_spread = -0.0005\n");
  EXPECT_EQ(c.risk.max_position_usd, Decimal::from_string("1234.56"));
  EXPECT_EQ(c.risk.max_total_exposure_usd.raw(), 9'999'123'456'789);
  EXPECT_EQ(c.risk.max_daily_loss_usd, Decimal::from_int(250));
  EXPECT_EQ(c.strategy.min_spread_threshold.raw(), 1'500'000);  // 0.0015 exactly, no binary residue
  EXPECT_EQ(c.strategy.min_closing_spread.raw(), -500'000);
}

TEST(ConfigValues, DurationsConvertToMicroseconds) {
  const Config c = load_text(kPaper +
                             "[strategy]\nmax_holding_hours = 1.5\nexpected_holding_hours = 0.25\n"
                             "opening_delay_seconds = 0\n[risk]\nmax_book_age_ms = 750\n"
                             "[execution]\nhedge_deadline_seconds = 0.5\n[paper]\nduration_seconds = 90\n");
  EXPECT_EQ(c.strategy.max_holding_us, 5'400'000'000);  // 1.5 h
  EXPECT_EQ(c.strategy.expected_holding_us, 900'000'000);
  EXPECT_EQ(c.strategy.opening_delay_us, 0);
  EXPECT_EQ(c.risk.max_book_age_us, 750'000);
  EXPECT_EQ(c.execution.hedge_deadline_us, 500'000);
  EXPECT_EQ(c.paper.duration_us, 90'000'000);
}

TEST(ConfigValues, EngineTickIsTwoHundredMillisecondsUnlessSetWithinItsRange) {
  EXPECT_EQ(load_text(kPaper).strategy.tick_us, 200'000);
  EXPECT_EQ(load_text(kPaper + "[strategy]\ntick_ms = 50\n").strategy.tick_us, 50'000);
  const auto e = errors_of(kPaper + "[strategy]\ntick_ms = 5\n");
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0], "test.toml:4:11: strategy.tick_ms: 5 is out of range; allowed: >= 10 and <= 1000");
}

TEST(ConfigValues, ReloadNamesEveryReloadableKeyThatChangedAndNothingElse) {
  const Config a = load_text(kPaper);
  EXPECT_TRUE(threshold_changes(a, a).empty());
  const Config b = load_text(kPaper + "[strategy]\ntick_ms = 50\n[risk]\nmax_daily_loss_usd = 75\n");
  const std::vector<std::string> c = threshold_changes(a, b);
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[0], "strategy.tick_us 200000 -> 50000");
  EXPECT_EQ(c[1].rfind("risk.max_daily_loss_usd ", 0), 0u) << c[1];
  EXPECT_NE(c[1].find(" -> 75"), std::string::npos) << c[1];
}

TEST(ConfigValues, PairsAsCoinListOrTables) {
  Config c = load_text("pairs = [\"SOL\", \"ETH\"]\n" + kPaper);
  ASSERT_EQ(c.pairs.size(), 2u);
  EXPECT_EQ(c.pairs[1].spot_symbol, "ETH_USDC");
  EXPECT_EQ(c.pairs[1].perp_symbol, "ETH_USDC_PERP");

  c = load_text(kPaper +
                "[[pairs]]\nbase = \"SUI\"\n[[pairs]]\nbase = \"JUP\"\nspot = \"JUP_USDC\"\n"
                "perp = \"JUP_USDC_PERP\"\nenabled = false\n");
  ASSERT_EQ(c.pairs.size(), 2u);
  EXPECT_EQ(c.pairs[0].perp_symbol, "SUI_USDC_PERP");
  EXPECT_TRUE(c.pairs[0].enabled);
  EXPECT_FALSE(c.pairs[1].enabled);
  EXPECT_EQ(c.enabled_pair_count(), 1u);
}

TEST(ConfigValues, LiveModeMayUsePlainHttpOnlyToLoopback) {
  const Config c = load_text(kLive + "rest_url = \"http://127.0.0.1:9000\"\nws_url = \"ws://localhost:9000/ws\"\n");
  EXPECT_EQ(c.exchange.rest_url, "http://127.0.0.1:9000");
  EXPECT_EQ(c.exchange.ws_url, "ws://localhost:9000/ws");
}

TEST(ConfigValues, WarningsForIgnoredUrlsAndExposedService) {
  const Config c = load_text(kPaper +
                             "rest_url = \"https://api.backpack.exchange\"\n[service]\naddress = \"0.0.0.0\"\n"
                             "allow_remote = true\n");
  // (A third warning appears when paper.sim_config does not exist relative to the test's directory.)
  EXPECT_THAT(c.warnings,
              Contains(AllOf(StartsWith("test.toml: exchange.rest_url/ws_url"), HasSubstr("ignored in paper mode"))));
  EXPECT_THAT(c.warnings, Contains(HasSubstr("service.address 0.0.0.0 exposes the status/metrics endpoint beyond "
                                             "this host (service.allow_remote = true)")));
  const Config quiet = load_text(kPaper + "[paper]\nsim_config = \"" + kSrc + "/config/paper.toml\"\n");
  EXPECT_TRUE(quiet.warnings.empty());
  const Config missing = load_text(kPaper + "[paper]\nsim_config = \"/nonexistent/sim.toml\"\n");
  ASSERT_EQ(missing.warnings.size(), 1u);
  EXPECT_THAT(missing.warnings[0], HasSubstr("paper.sim_config \"/nonexistent/sim.toml\" does not exist"));
}

// [service] is off by default; turned on it is served without a warning; a non-loopback address is an
// error unless allow_remote says so.
TEST(ConfigValues, ServiceLoopbackUnlessAllowRemote) {
  const std::string sim = "[paper]\nsim_config = \"" + kSrc + "/config/paper.toml\"\n";
  const Config off = load_text(kPaper + sim + "[service]\naddress = \"127.0.0.1\"\nport = 9000\n");
  EXPECT_FALSE(off.service.enabled);
  EXPECT_FALSE(off.service.allow_remote);
  EXPECT_EQ(off.service.port, 9000);
  EXPECT_TRUE(off.warnings.empty());
  EXPECT_FALSE(Config{}.service.enabled);
  const Config on = load_text(kPaper + sim + "[service]\nenabled = true\nport = 9000\n");
  EXPECT_TRUE(on.service.enabled);
  EXPECT_TRUE(on.warnings.empty());
  const Config v6 = load_text(kPaper + sim + "[service]\nenabled = true\naddress = \"::1\"\n");
  EXPECT_TRUE(v6.warnings.empty());
  const auto e = errors_of(kPaper + sim + "[service]\nenabled = true\naddress = \"192.168.1.5\"\n");
  ASSERT_EQ(e.size(), 1u);
  EXPECT_THAT(e[0], StartsWith("test.toml:"));
  EXPECT_THAT(e[0], HasSubstr("service.address: \"192.168.1.5\" is not a loopback address; allowed: 127.0.0.0/8 "
                              "or ::1, or any IP literal together with service.allow_remote = true"));
  const Config remote =
      load_text(kPaper + sim + "[service]\nenabled = true\naddress = \"192.168.1.5\"\nallow_remote = true\n");
  EXPECT_TRUE(remote.service.allow_remote);
  ASSERT_EQ(remote.warnings.size(), 1u);
}

// ---------------------------------------------------------------------------------------------------
// One test per kind of bad input: each checks file, position, key, bad value and what is allowed.

TEST(ConfigErrors, UnknownKeyWithSuggestion) {
  const auto e = errors_of(kPaper + "[risk]\nmax_positon_usd = 100\n");
  ASSERT_EQ(e.size(), 1u);
  EXPECT_THAT(e[0], StartsWith("test.toml:4:1: risk.max_positon_usd: unknown key (did you mean 'max_position_usd'?)"));
  EXPECT_THAT(e[0], HasSubstr("allowed keys in [risk]: max_position_usd, max_total_exposure_usd"));
}

TEST(ConfigErrors, UnknownKeyWithoutNearMatchListsAllowedKeys) {
  const auto e = errors_of(kPaper + "[journal]\ncompression = true\n");
  ASSERT_EQ(e.size(), 1u);
  EXPECT_THAT(e[0], StartsWith("test.toml:4:1: journal.compression: unknown key; allowed keys in [journal]: "
                               "enabled, path"));
}

TEST(ConfigErrors, KeyInTheWrongSectionPointsToItsSection) {
  auto e = errors_of(kPaper + "[strategy]\nmax_daily_loss_usd = 50\n");
  ASSERT_EQ(e.size(), 1u);
  EXPECT_THAT(e[0], HasSubstr("strategy.max_daily_loss_usd: unknown key (did you mean risk.max_daily_loss_usd? "
                              "it belongs in [risk])"));
  // The classic TOML slip: a top-level key written after a [section] header.
  e = errors_of(kPaper + "[logging]\nlevel = \"info\"\npairs = [\"SOL\"]\n");
  ASSERT_EQ(e.size(), 1u);
  EXPECT_THAT(e[0], HasSubstr("logging.pairs: unknown key (did you mean the top-level 'pairs'? top-level keys must "
                              "come before the first [section])"));
}

TEST(ConfigErrors, UnknownSectionWithSuggestion) {
  const auto e = errors_of(kPaper + "[stratgy]\nposition_size_usd = 100\n");
  ASSERT_EQ(e.size(), 1u);
  EXPECT_THAT(e[0], StartsWith("test.toml:3:2: stratgy: unknown section [stratgy] (did you mean [strategy]?)"));
  EXPECT_THAT(e[0], HasSubstr("allowed sections: [exchange], [paper], [risk], [strategy]"));
}

TEST(ConfigErrors, WrongTypes) {
  const auto e = errors_of(kPaper +
                           "[execution]\nfallback_to_taker = \"yes\"\nrequest_window_ms = \"5000\"\n"
                           "[strategy]\nposition_size_usd = true\n[logging]\nfile = 5\n");
  ASSERT_EQ(e.size(), 4u);
  EXPECT_EQ(e[0],
            "test.toml:4:21: execution.fallback_to_taker: wrong type, got string \"yes\"; allowed: true or false "
            "(unquoted)");
  EXPECT_EQ(e[1],
            "test.toml:5:21: execution.request_window_ms: wrong type, got string \"5000\"; allowed: an integer from "
            "1 to 60000");
  EXPECT_THAT(e[2], StartsWith("test.toml:7:21: strategy.position_size_usd: wrong type, got boolean true; allowed: "
                               "a number"));
  EXPECT_EQ(e[3], "test.toml:9:8: logging.file: wrong type, got integer 5; allowed: a quoted string");
}

TEST(ConfigErrors, SectionThatIsNotATable) {
  const auto e = errors_of("risk = 5\n" + kPaper);
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0], "test.toml:1:8: risk: wrong type, got integer 5; allowed: a table ([risk])");
}

TEST(ConfigErrors, OutOfRange) {
  const auto e = errors_of(kPaper +
                           "[risk]\nmax_daily_loss_usd = -5\nmargin_headroom = 1.5\n"
                           "[strategy]\nmin_spread_threshold = 0.5\nliquidity_buffer = 0.5\n");
  ASSERT_EQ(e.size(), 4u);
  EXPECT_EQ(e[0], "test.toml:4:22: risk.max_daily_loss_usd: -5 is out of range; allowed: > 0");
  EXPECT_EQ(e[1],
            "test.toml:5:19: risk.margin_headroom: 1.5 is out of range; allowed: > 0 and <= 1 (fraction of "
            "equity)");
  // 0.5 as a threshold is a percentage typed as a fraction: the message says what the unit is.
  EXPECT_EQ(e[2],
            "test.toml:7:24: strategy.min_spread_threshold: 0.5 is out of range; allowed: >= 0 and <= 0.1 (a "
            "fraction: 0.002 means 0.2 %)");
  EXPECT_THAT(e[3], HasSubstr("strategy.liquidity_buffer: 0.5 is out of range; allowed: >= 1 and <= 1000"));
}

TEST(ConfigErrors, RequestWindowAboveExchangeMaximum) {
  const auto e = errors_of(kPaper + "[execution]\nrequest_window_ms = 60001\n");
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0],
            "test.toml:4:21: execution.request_window_ms: 60001 is out of range; allowed: an integer from 1 to 60000");
  EXPECT_TRUE(errors_of(kPaper + "[execution]\nrequest_window_ms = 60000\n").empty());
}

TEST(ConfigErrors, NumbersThatAreNotExactDecimals) {
  const auto e = errors_of(kPaper +
                           "[risk]\nmax_position_usd = \"1,000\"\nmax_unhedged_usd = 0.0000000001\n"
                           "max_total_exposure_usd = 1e12\nmin_account_balance_usd = nan\n");
  ASSERT_EQ(e.size(), 4u);
  EXPECT_THAT(e[0], HasSubstr("risk.max_position_usd: got string \"1,000\", which is not a decimal number"));
  EXPECT_THAT(e[1], HasSubstr("risk.max_unhedged_usd: got float 1e-10, which has more than 9 decimal places"));
  EXPECT_THAT(e[2], HasSubstr("risk.max_total_exposure_usd: got float 1e+12, which is too large; allowed: > 0"));
  EXPECT_THAT(e[3], HasSubstr("risk.min_account_balance_usd: got float nan, which is not a decimal number"));
}

TEST(ConfigErrors, DurationFinerThanAMicrosecond) {
  const auto e = errors_of(kPaper + "[risk]\nmax_book_age_ms = 1.0005\n");
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0],
            "test.toml:4:19: risk.max_book_age_ms: 1.0005 is finer than one microsecond; allowed: >= 1 and "
            "<= 60000");
}

TEST(ConfigErrors, MissingRequiredMode) {
  auto e = errors_of("[risk]\nmax_position_usd = 1000\n");
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0], "test.toml: exchange.mode: missing required key; allowed: \"paper\", \"live\"");
  e = errors_of("[exchange]\nenv_file = \".env\"\n");
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0], "test.toml:1:1: exchange.mode: missing required key; allowed: \"paper\", \"live\"");
}

TEST(ConfigErrors, BadChoiceWithSuggestion) {
  const auto e = errors_of("[exchange]\nmode = \"Live\"\n[logging]\nlevel = \"warning\"\n");
  ASSERT_EQ(e.size(), 2u);
  EXPECT_EQ(e[0],
            "test.toml:2:8: exchange.mode: \"Live\" is not allowed (did you mean \"live\"?); allowed: "
            "\"paper\", \"live\"");
  EXPECT_EQ(e[1],
            "test.toml:4:9: logging.level: \"warning\" is not allowed (did you mean \"warn\"?); allowed: "
            "\"trace\", \"debug\", \"info\", \"warn\", \"error\", \"critical\", \"off\"");
}

TEST(ConfigErrors, InvalidSymbols) {
  const auto e = errors_of(kPaper +
                           "[[pairs]]\nbase = \"sol\"\n[[pairs]]\nbase = \"BTC\"\nspot = \"BTCUSDC\"\n"
                           "perp = \"BTC_USDT_PERP\"\n[[pairs]]\nbase = \"BONK\"\nperp = \"kBONK_USDC_PERP\"\n"
                           "[[pairs]]\nbase = \"ETH-1\"\n");
  ASSERT_EQ(e.size(), 5u);
  EXPECT_EQ(e[0],
            "test.toml:4:8: pairs[0].base: \"sol\" is not a valid base coin (did you mean \"SOL\"?); allowed: "
            "1-20 upper-case letters/digits such as \"SOL\"");
  EXPECT_EQ(e[1],
            "test.toml:7:8: pairs[1].spot: \"BTCUSDC\" is not a valid spot symbol for this pair; allowed: "
            "\"BTC_USDC\" (the pair's base coin against USDC)");
  EXPECT_THAT(e[2], HasSubstr("pairs[1].perp: \"BTC_USDT_PERP\" is not a valid perpetual symbol for this pair; "
                              "allowed: \"BTC_USDC_PERP\""));
  EXPECT_THAT(e[3], HasSubstr("pairs[2].perp: \"kBONK_USDC_PERP\" is not a valid perpetual symbol"));
  EXPECT_THAT(e[4], HasSubstr("pairs[3].base: \"ETH-1\" is not a valid base coin; allowed:"));
}

TEST(ConfigErrors, DuplicatePairs) {
  auto e = errors_of("pairs = [\"SOL\", \"BTC\", \"SOL\"]\n" + kPaper);
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0],
            "test.toml:1:24: pairs[2]: duplicate pair \"SOL\" (already defined by pairs[0]); allowed: each "
            "base coin once");
  e = errors_of(kPaper + "[[pairs]]\nbase = \"ETH\"\n[[pairs]]\nbase = \"ETH\"\nenabled = false\n");
  ASSERT_EQ(e.size(), 1u);
  EXPECT_THAT(e[0], StartsWith("test.toml:6:8: pairs[1]: duplicate pair \"ETH\" (already defined by pairs[0])"));
}

TEST(ConfigErrors, PairsShapeProblems) {
  auto e = errors_of("pairs = []\n" + kPaper);
  ASSERT_EQ(e.size(), 1u);
  EXPECT_THAT(e[0], HasSubstr("pairs: the list is empty; allowed: at least one pair"));
  e = errors_of("pairs = [\"SOL\", 3]\n" + kPaper);
  ASSERT_EQ(e.size(), 1u);
  EXPECT_THAT(e[0], HasSubstr("pairs[1]: wrong type, got integer 3; allowed: a coin symbol string or a table"));
  e = errors_of(kPaper + "[[pairs]]\nspot = \"SOL_USDC\"\n");
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0], "test.toml:3:1: pairs[0].base: missing required key; allowed: a coin symbol string such as \"SOL\"");
  e = errors_of(kPaper + "[[pairs]]\nbase = \"SOL\"\nenabled = false\n");
  ASSERT_EQ(e.size(), 1u);
  EXPECT_THAT(e[0], HasSubstr("pairs: every pair is disabled; allowed: at least one pair with enabled = true"));
  e = errors_of(kPaper + "[[pairs]]\nbase = \"SOL\"\nsymbol = \"SOL_USDC\"\n");
  ASSERT_EQ(e.size(), 1u);
  EXPECT_THAT(e[0], HasSubstr("pairs[0].symbol: unknown key; allowed keys in [pairs]: base, spot, perp, enabled"));
}

TEST(ConfigErrors, InconsistentThresholds) {
  auto e = errors_of(kPaper +
                     "[strategy]\nmin_spread_threshold = 0.003\nmin_execution_threshold = 0.002\n"
                     "large_spread_threshold = 0.004\n");
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0],
            "test.toml:5:27: strategy.min_execution_threshold: 0.002 is below strategy.min_spread_threshold "
            "0.003; allowed: min_execution_threshold >= min_spread_threshold (every tradeable spread is an "
            "opportunity)");
  e = errors_of(kPaper + "[strategy]\nlarge_spread_threshold = 0.0015\n");
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0],
            "test.toml:4:26: strategy.large_spread_threshold: 0.0015 is below strategy.min_execution_threshold "
            "0.002 (default); allowed: large_spread_threshold >= min_execution_threshold");
  // A closing spread above the execution threshold is consistent: the entry's expected net subtracts it.
  e = errors_of(kPaper + "[strategy]\nmin_closing_spread = 0.003\n");
  EXPECT_TRUE(e.empty());
}

TEST(ConfigErrors, InconsistentLimits) {
  const auto e =
      errors_of(kPaper +
                "max_requests_per_minute = 100\n[risk]\nmax_position_usd = 6000\nmax_orders_per_minute = 200\n"
                "[strategy]\nposition_size_usd = 7000\nexpected_holding_hours = 100\n");
  ASSERT_EQ(e.size(), 4u);
  EXPECT_THAT(e[0], StartsWith("test.toml:5:20: risk.max_position_usd: 6000 exceeds risk.max_total_exposure_usd 5000 "
                               "(default); allowed: max_position_usd <= max_total_exposure_usd"));
  EXPECT_THAT(e[1], StartsWith("test.toml:6:25: risk.max_orders_per_minute: 200 exceeds "
                               "exchange.max_requests_per_minute 100;"));
  EXPECT_THAT(e[2], StartsWith("test.toml:8:21: strategy.position_size_usd: 7000 exceeds risk.max_position_usd 6000;"));
  EXPECT_THAT(e[3], StartsWith("test.toml:9:26: strategy.expected_holding_hours: 100 exceeds "
                               "strategy.max_holding_hours 72 (default);"));
}

TEST(ConfigErrors, InsecureLiveUrl) {
  const auto e = errors_of(kLive + "rest_url = \"http://api.backpack.exchange\"\nws_url = \"ftp://x\"\n");
  ASSERT_EQ(e.size(), 2u);
  EXPECT_EQ(e[0],
            "test.toml:3:12: exchange.rest_url: \"http://api.backpack.exchange\" is unencrypted; allowed in "
            "live mode: https:// URLs, or http:// to a loopback host (127.0.0.1, ::1, localhost) for a local "
            "bpsim");
  EXPECT_EQ(e[1],
            "test.toml:4:10: exchange.ws_url: \"ftp://x\" is not a WebSocket URL; allowed: wss://HOST[:PORT] "
            "such as \"wss://ws.backpack.exchange\"");
  // Loopback means an IP literal, not a host name that starts with "127.".
  EXPECT_THAT(errors_of(kLive + "rest_url = \"http://127.0.0.1.example.com\"\n"),
              ElementsAre(HasSubstr("exchange.rest_url: \"http://127.0.0.1.example.com\" is unencrypted")));
}

TEST(ConfigErrors, ServiceAddressMustBeAnIp) {
  const auto e = errors_of(kPaper + "[service]\naddress = \"localhost\"\nport = 0\n");
  ASSERT_EQ(e.size(), 2u);
  EXPECT_THAT(e[0], HasSubstr("service.address: \"localhost\" is not an IP address"));
  EXPECT_THAT(e[1], HasSubstr("service.port: 0 is out of range; allowed: an integer from 1 to 65535"));
}

TEST(ConfigErrors, ApiKeysAreRefusedAndNeverEchoed) {
  const std::string secret = testing::kSeed32;
  const auto e = errors_of(kPaper + "api_key = \"" + testing::kApiKey + "\"\nprivate_key = \"" + secret +
                           "\"\n[credentials]\nBACKPACK_API_SECRET = \"hunter2-hunter2\"\n");
  ASSERT_EQ(e.size(), 4u);
  EXPECT_THAT(e[0], StartsWith("test.toml:3:1: exchange.api_key: API credentials are not accepted in the config "
                               "file (value not shown); set BACKPACK_API_KEY and BACKPACK_PRIVATE_KEY"));
  EXPECT_THAT(e[1], StartsWith("test.toml:4:1: exchange.private_key: API credentials are not accepted"));
  EXPECT_THAT(e[2], StartsWith("test.toml:5:2: credentials: unknown section [credentials]"));
  EXPECT_THAT(e[3], StartsWith("test.toml:6:1: credentials.BACKPACK_API_SECRET: API credentials are not accepted"));
  for (const auto& line : e) {
    EXPECT_THAT(line, Not(HasSubstr(secret.substr(0, 12))));
    EXPECT_THAT(line, Not(HasSubstr(std::string(testing::kApiKey).substr(0, 12))));
    EXPECT_THAT(line, Not(HasSubstr("hunter2")));
  }
}

TEST(ConfigErrors, KeyLookingValuesAreNotEchoedEvenUnderOtherKeys) {
  const auto e = errors_of(kPaper + "[logging]\nlevel = \"" + testing::kSeed32 + "\"\n");
  ASSERT_EQ(e.size(), 1u);
  EXPECT_THAT(e[0], HasSubstr("logging.level: <a value that looks like a key; not shown> is not allowed"));
  EXPECT_THAT(e[0], Not(HasSubstr("AAECAwQFBgcI")));
}

TEST(ConfigErrors, SyntaxErrorNamesFileAndPosition) {
  const auto e = errors_of(kPaper + "[risk]\nmax_position_usd = = 5\n");
  ASSERT_EQ(e.size(), 1u);
  EXPECT_THAT(e[0], StartsWith("test.toml:4:"));
  EXPECT_THAT(e[0], HasSubstr("TOML syntax error"));
  // Duplicate keys are a TOML error too.
  const auto d = errors_of(kPaper + "[risk]\nmax_position_usd = 5\nmax_position_usd = 6\n");
  ASSERT_EQ(d.size(), 1u);
  EXPECT_THAT(d[0], AllOf(StartsWith("test.toml:5:"), HasSubstr("TOML syntax error")));
}

TEST(ConfigErrors, AllErrorsReportedTogetherInFileOrder) {
  testing::ScratchDir dir;
  const std::string path = dir.file("multi.toml");
  testing::write_file(path,
                      "[strategy]\n"
                      "confidence_threshold = 2\n"      // line 2: range
                      "min_spread_threshold = 0.004\n"  // line 3: inconsistent with execution default
                      "[exchange]\n"
                      "mode = \"paper\"\n"
                      "[risk]\n"
                      "max_orders_per_minut = 5\n"    // line 7: unknown
                      "max_book_age_ms = \"soon\"\n"  // line 8: not a number
                      "[execution]\n"
                      "request_window_ms = 120000\n");  // line 10: range
  try {
    (void)load_config(path);
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    ASSERT_EQ(e.errors().size(), 5u) << e.what();
    EXPECT_THAT(e.errors()[0], StartsWith(path + ":2:24: strategy.confidence_threshold: 2 is out of range"));
    EXPECT_THAT(e.errors()[1], StartsWith(path + ":3:24: strategy.min_execution_threshold: 0.002 (default) is below"));
    EXPECT_THAT(e.errors()[2], StartsWith(path + ":7:1: risk.max_orders_per_minut: unknown key (did you mean "
                                                 "'max_orders_per_minute'?)"));
    EXPECT_THAT(e.errors()[3], StartsWith(path + ":8:19: risk.max_book_age_ms: got string \"soon\""));
    EXPECT_THAT(e.errors()[4], StartsWith(path + ":10:21: execution.request_window_ms: 120000 is out of range"));
    // what() carries every line, one per line.
    const std::string what = e.what();
    EXPECT_EQ(std::count(what.begin(), what.end(), '\n'), 4);
    EXPECT_EQ(e.file(), path);
  }
}

TEST(ConfigErrors, UnreadableFileAndDirectory) {
  testing::ScratchDir dir;
  try {
    (void)load_config(dir.path().string());
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_THAT(e.what(), HasSubstr("is a directory; allowed: a TOML file"));
  }
  try {
    (void)load_config(dir.file("missing.toml"));
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()), dir.file("missing.toml") + ": cannot open config file: No such file or directory");
  }
}

TEST(ConfigReload, RestartRequiredChanges) {
  const Config a = load_text(kPaper);
  Config b = load_text(kPaper + "[strategy]\nposition_size_usd = 100\n");
  EXPECT_TRUE(restart_required_changes(a, b).empty()) << "strategy knobs can change on SIGHUP";
  b = load_text(kLive + "[service]\nport = 9000\n");
  b.pairs.pop_back();
  EXPECT_THAT(restart_required_changes(a, b),
              ElementsAre("exchange.mode: paper -> live",
                          "pairs: [SOL_USDC/SOL_USDC_PERP,BTC_USDC/BTC_USDC_PERP,ETH_USDC/ETH_USDC_PERP,SUI_USDC/"
                          "SUI_USDC_PERP,JUP_USDC/JUP_USDC_PERP] -> [SOL_USDC/SOL_USDC_PERP,BTC_USDC/BTC_USDC_PERP,"
                          "ETH_USDC/ETH_USDC_PERP,SUI_USDC/SUI_USDC_PERP]",
                          "service: 127.0.0.1:8780 (disabled) -> 127.0.0.1:9000 (disabled)"));
}

}  // namespace
}  // namespace bparb::app

namespace bparb::app {
namespace {

TEST(ConfigValues, RecoveryAndShutdownKeys) {
  const Config d = load_text(kPaper);
  EXPECT_EQ(d.recovery.unexplained_positions, UnexplainedPolicy::kRefuse);  // an operator decides by default
  EXPECT_FALSE(d.shutdown.flatten_on_shutdown);
  EXPECT_EQ(d.shutdown.timeout_us, 15 * kUsPerSecond);
  const Config c = load_text(kPaper +
                             "[recovery]\nunexplained_positions = \"adopt\"\n"
                             "[shutdown]\nflatten_on_shutdown = true\ntimeout_seconds = 40\n");
  EXPECT_EQ(c.recovery.unexplained_positions, UnexplainedPolicy::kAdopt);
  EXPECT_EQ(unexplained_policy_name(c.recovery.unexplained_positions), "adopt");
  EXPECT_TRUE(c.shutdown.flatten_on_shutdown);
  EXPECT_EQ(c.shutdown.timeout_us, 40 * kUsPerSecond);
  EXPECT_EQ(load_text(kPaper + "[recovery]\nunexplained_positions = \"flag\"\n").recovery.unexplained_positions,
            UnexplainedPolicy::kFlag);
}

TEST(ConfigErrors, BadRecoveryAndShutdownValues) {
  const auto e = errors_of(kPaper +
                           "[recovery]\nunexplained_positions = \"ignore\"\n"
                           "[shutdown]\nflatten_on_shutdown = \"yes\"\ntimeout_seconds = 0\nflaten = true\n");
  ASSERT_EQ(e.size(), 4u) << ::testing::PrintToString(e);
  EXPECT_THAT(e[0], AllOf(StartsWith("test.toml:4:25: recovery.unexplained_positions: \"ignore\" is not allowed"),
                          HasSubstr("\"refuse\", \"flag\", \"adopt\"")));
  EXPECT_THAT(e[1], StartsWith("test.toml:6:23: shutdown.flatten_on_shutdown:"));
  EXPECT_THAT(e[2], StartsWith("test.toml:7:19: shutdown.timeout_seconds:"));
  EXPECT_THAT(e[3], HasSubstr("flaten"));
}

}  // namespace
}  // namespace bparb::app
