// [alerts] and [[alerts.sinks]]: what loads, and what each mistake is told.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "bparb/app/alert_setup.hpp"
#include "bparb/app/config.hpp"

namespace bparb::app {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::vector<std::string> alerts_errors_of(const std::string& text) {
  try {
    (void)parse_config_string(text, "test.toml");
    return {};
  } catch (const ConfigError& e) {
    return e.errors();
  }
}

const std::string kAlertsPaper = "[exchange]\nmode = \"paper\"\n";

TEST(ConfigAlerts, OffByDefault) {
  const Config c = parse_config_string(kAlertsPaper, "test.toml");
  EXPECT_FALSE(c.alerts.enabled());
}

TEST(ConfigAlerts, ThreeSinkKindsLoad) {
  const Config c = parse_config_string(kAlertsPaper + R"(
[alerts]
queue_size = 50
timeout_ms = 3000
max_attempts = 3
naked_leg_seconds = 20
rejects_count = 4
rejects_seconds = 30
[[alerts.sinks]]
kind = "webhook"
url = "https://hooks.example.com/bparb"
events = ["start", "stop", "fills"]
[[alerts.sinks]]
kind = "telegram"
token_env = "BPARB_TELEGRAM_TOKEN"
chat_id = -1001234567890
[[alerts.sinks]]
kind = "discord"
url = "https://discord.com/api/webhooks/1/abc"
events = ["daily_digest"]
)",
                                       "test.toml");
  ASSERT_EQ(c.alerts.sinks.size(), 3u);
  EXPECT_EQ(c.alerts.queue_size, 50);
  EXPECT_EQ(c.alerts.timeout_us, 3 * kUsPerSecond);
  EXPECT_EQ(c.alerts.max_attempts, 3);
  EXPECT_EQ(c.alerts.naked_leg_us, 20 * kUsPerSecond);
  EXPECT_EQ(c.alerts.rejects_count, 4);
  EXPECT_EQ(c.alerts.rejects_window_us, 30 * kUsPerSecond);
  const auto& w = c.alerts.sinks[0];
  EXPECT_EQ(w.name, "webhook#0");
  EXPECT_EQ(w.events, alerts::event_bit(alerts::AlertEvent::kStart) | alerts::event_bit(alerts::AlertEvent::kStop) |
                          alerts::event_bit(alerts::AlertEvent::kFills));
  const auto& t = c.alerts.sinks[1];
  EXPECT_EQ(t.kind, alerts::SinkKind::kTelegram);
  EXPECT_EQ(t.chat_id, "-1001234567890");
  EXPECT_EQ(t.token_env, "BPARB_TELEGRAM_TOKEN");
  EXPECT_TRUE(t.token.empty());  // resolved at start-up, never from the file
  EXPECT_EQ(t.events, alerts::default_events());
  EXPECT_EQ(c.alerts.sinks[2].events, alerts::event_bit(alerts::AlertEvent::kDailyDigest));
}

TEST(ConfigAlerts, UnknownEventIsRefusedWithTheList) {
  EXPECT_THAT(alerts_errors_of(kAlertsPaper + "[[alerts.sinks]]\nkind = \"webhook\"\nurl = \"https://h.example/x\"\n"
                                              "events = [\"start\", \"fils\"]\n"),
              ElementsAre("test.toml:6:20: alerts.sinks[0].events: unknown event \"fils\" (did you mean \"fills\"?); "
                          "allowed: an array of event names from: start, stop, trading_state, leg_risk, naked_leg, "
                          "stale_feed, reconnect_storm, rejects, reconciliation_mismatch, config_reload, "
                          "daily_digest, fills, mm_breaker, mm_hedge, mm_inventory_cap, mm_quotes_stopped"));
}

TEST(ConfigAlerts, EachMistakeNamesKeyValueAndRange) {
  EXPECT_THAT(alerts_errors_of(kAlertsPaper + "[alerts]\nqueue_size = 0\n"),
              ElementsAre("test.toml:4:14: alerts.queue_size: 0 is out of range; allowed: an integer from 1 to 10000"));
  EXPECT_THAT(alerts_errors_of(kAlertsPaper + "[[alerts.sinks]]\nkind = \"slack\"\n"),
              ElementsAre(HasSubstr("alerts.sinks[0].kind: \"slack\" is not allowed; allowed: \"webhook\", "
                                    "\"telegram\", \"discord\"")));
  EXPECT_THAT(alerts_errors_of(kAlertsPaper + "[[alerts.sinks]]\nkind = \"webhook\"\n"),
              ElementsAre(HasSubstr("alerts.sinks[0].url: missing required key for kind = \"webhook\"")));
  EXPECT_THAT(alerts_errors_of(kAlertsPaper +
                               "[[alerts.sinks]]\nkind = \"discord\"\nurl = \"http://discord.com/api/webhooks/1/s\"\n"),
              ElementsAre(AllOf(HasSubstr("alerts.sinks[0].url: \"http://discord.com/…\" is refused"),
                                ::testing::Not(HasSubstr("webhooks/1/s")))));
  EXPECT_THAT(alerts_errors_of(kAlertsPaper + "[[alerts.sinks]]\nkind = \"telegram\"\ntoken_env = \"bad name\"\n"),
              ElementsAre(HasSubstr("alerts.sinks[0].chat_id: missing required key for kind = \"telegram\""),
                          HasSubstr("alerts.sinks[0].token_env: \"bad name\" is not a variable name")));
  EXPECT_THAT(alerts_errors_of(kAlertsPaper +
                               "[[alerts.sinks]]\nkind = \"webhook\"\nurl = \"https://h.example/x\"\nvolume = 3\n"),
              ElementsAre(HasSubstr("volume")));
}

TEST(ConfigAlerts, ABotTokenInTheFileIsRefusedAndNotEchoed) {
  const auto errs = alerts_errors_of(kAlertsPaper +
                                     "[[alerts.sinks]]\nkind = \"telegram\"\nchat_id = 1\ntoken_env = \"T\"\n"
                                     "token = \"123456:AAAAsecretsecret\"\n");
  ASSERT_EQ(errs.size(), 1u);
  EXPECT_THAT(errs[0], HasSubstr("alerts.sinks[0].token: a bot token is not accepted in the config file"));
  EXPECT_THAT(errs[0], ::testing::Not(HasSubstr("AAAAsecret")));
}

TEST(ConfigAlerts, TelegramTokenComesFromTheEnvironment) {
  Config c = parse_config_string(
      kAlertsPaper + "[[alerts.sinks]]\nkind = \"telegram\"\nchat_id = 7\ntoken_env = \"BPARB_ALERTS_TEST_TOKEN\"\n",
      "test.toml");
  c.exchange.env_file = "/nonexistent/.env";
  ::unsetenv("BPARB_ALERTS_TEST_TOKEN");
  try {
    (void)alert_options(c);
    ADD_FAILURE() << "a missing token must refuse the start";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(std::string(e.what()), HasSubstr("telegram#0: BPARB_ALERTS_TEST_TOKEN is not set"));
  }
  ::setenv("BPARB_ALERTS_TEST_TOKEN", "999:from-the-environment", 1);
  EXPECT_EQ(alert_options(c).sinks[0].token, "999:from-the-environment");
  ::unsetenv("BPARB_ALERTS_TEST_TOKEN");
}

}  // namespace
}  // namespace bparb::app

namespace bparb::app {
namespace {

TEST(ConfigAlerts, ChangingAlertsNeedsARestartAndNamesNoUrl) {
  const Config a = parse_config_string("[exchange]\nmode = \"paper\"\n", "a.toml");
  const Config b = parse_config_string(
      "[exchange]\nmode = \"paper\"\n[[alerts.sinks]]\nkind = \"discord\"\nurl = "
      "\"https://discord.com/api/webhooks/1/s\"\n",
      "b.toml");
  EXPECT_THAT(restart_required_changes(a, b), ::testing::ElementsAre("alerts: off -> discord#0"));
  EXPECT_TRUE(restart_required_changes(b, b).empty());
}

}  // namespace
}  // namespace bparb::app
