// The alert's neutral form, the bytes each sink kind receives, the burst detector and the daily digest.
#include "bparb/alerts/payload.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <string>

#include "bparb/alerts/alert.hpp"
#include "bparb/alerts/alerter.hpp"
#include "bparb/alerts/rate_trigger.hpp"

namespace bparb::alerts {
namespace {

constexpr TimestampUs kAt = 1'796'601'600 * kUsPerSecond + 1'500'000;  // 2026-12-07T00:00:01.5Z

Alert sample() {
  Alert a;
  a.event = AlertEvent::kTradingState;
  a.severity = Severity::kCritical;
  a.at_us = kAt;
  a.text = "Active -> Halted: daily loss \"limit\"";
  a.fields = {{"state", "Halted"}, {"loss_usd", "-100.5"}};
  return a;
}

TEST(AlertNames, RoundTripAndDefaults) {
  for (std::size_t i = 0; i < kAlertEventCount; ++i) {
    const auto e = static_cast<AlertEvent>(i);
    ASSERT_EQ(parse_alert_event(alert_event_name(e)), e);
  }
  EXPECT_FALSE(parse_alert_event("fill").has_value());
  EXPECT_EQ(alert_event_list(),
            "start, stop, trading_state, leg_risk, naked_leg, stale_feed, reconnect_storm, rejects, "
            "reconciliation_mismatch, config_reload, daily_digest, fills, mm_breaker, mm_hedge, mm_inventory_cap, "
            "mm_quotes_stopped");
  EXPECT_EQ(default_events() & event_bit(AlertEvent::kFills), 0u);
  EXPECT_NE(default_events() & event_bit(AlertEvent::kDailyDigest), 0u);
}

TEST(AlertTime, Iso8601Utc) {
  EXPECT_EQ(utc_iso8601(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(utc_iso8601(kAt), "2026-12-07T00:00:01Z");
  EXPECT_EQ(utc_iso8601(951'782'400 * kUsPerSecond), "2000-02-29T00:00:00Z");
}

TEST(Payload, WebhookIsOneJsonObjectWithDecimalStrings) {
  EXPECT_EQ(webhook_body(sample()),
            R"({"event":"trading_state","severity":"critical","at":"2026-12-07T00:00:01Z",)"
            R"("text":"Active -> Halted: daily loss \"limit\"","fields":{"state":"Halted","loss_usd":"-100.5"}})");
}

TEST(Payload, JsonEscapesControlCharacters) {
  std::string out;
  append_json_string(out, std::string("a\\b\n\x01") + "é");
  EXPECT_EQ(out, "\"a\\\\b\\n\\u0001é\"");
}

TEST(Payload, TelegramAndDiscord) {
  EXPECT_EQ(telegram_body(sample(), "-100123"),
            R"({"chat_id":"-100123","text":"[critical] trading_state: Active -> Halted: daily loss \"limit\"\n)"
            R"(state: Halted\nloss_usd: -100.5"})");
  EXPECT_EQ(discord_body(sample()),
            R"({"content":"[critical] trading_state: Active -> Halted: daily loss \"limit\"\nstate: Halted\n)"
            R"(loss_usd: -100.5"})");
  EXPECT_EQ(telegram_target("123:abc"), "/bot123:abc/sendMessage");
  Alert big = sample();
  big.text.assign(5000, 'x');
  EXPECT_LT(discord_body(big).size(), 2000u);
  EXPECT_LT(telegram_body(big, "1").size(), 4096u);
}

TEST(RateTriggerTest, FiresOncePerBurstWithinTheWindow) {
  RateTrigger t(3, 10 * kUsPerSecond);
  EXPECT_FALSE(t.hit(0));
  EXPECT_FALSE(t.hit(20 * kUsPerSecond));  // too far apart
  EXPECT_FALSE(t.hit(21 * kUsPerSecond));
  EXPECT_TRUE(t.hit(22 * kUsPerSecond));   // 20, 21, 22 within 10 s
  EXPECT_FALSE(t.hit(23 * kUsPerSecond));  // same burst: quiet
  EXPECT_FALSE(t.hit(31 * kUsPerSecond));
  EXPECT_TRUE(t.hit(33 * kUsPerSecond));  // 23, 31, 33; a window after the last alert
}

TEST(Digest, SplitsTheDayAsDifferencesOfTotals) {
  boost::asio::io_context io;
  ManualClock clock(kAt);
  AlertsOptions o;
  Alerter al(io, clock, spdlog::default_logger(), o);
  DigestTotals t0;
  t0.realized_pnl = Decimal::from_string("10");
  t0.fees = Decimal::from_string("1.25");
  t0.net = Decimal::from_string("8.75");
  t0.opened = 2;
  const Alert first = al.digest(1'796'601'600 * kUsPerSecond, t0);
  EXPECT_EQ(first.event, AlertEvent::kDailyDigest);
  EXPECT_EQ(first.text, "P&L of 2026-12-06 (UTC): net 8.75 USD");
  DigestTotals t1 = t0;
  t1.realized_pnl = Decimal::from_string("12.5");
  t1.fees = Decimal::from_string("1.5");
  t1.funding = Decimal::from_string("0.125");
  t1.net = Decimal::from_string("11.125");
  t1.closed = 1;
  const Alert second = al.digest(1'796'688'000 * kUsPerSecond, t1);
  EXPECT_EQ(webhook_body(second),
            R"({"event":"daily_digest","severity":"info","at":"2026-12-08T00:00:00Z","text":"P&L of 2026-12-07 (UTC): )"
            R"(net 2.375 USD","fields":{"day":"2026-12-07","realized_pnl_usd":"2.5","fees_usd":"0.25",)"
            R"("funding_usd":"0.125","net_usd":"2.375","positions_opened":"0","positions_closed":"1"}})");
}

TEST(Alerter, NoSinksMeansNothingIsWanted) {
  boost::asio::io_context io;
  ManualClock clock(kAt);
  Alerter al(io, clock, spdlog::default_logger(), AlertsOptions{});
  EXPECT_FALSE(al.wants(AlertEvent::kStart));
  al.notify(AlertEvent::kStart, Severity::kInfo, "x");
  EXPECT_TRUE(al.status().empty());
  EXPECT_EQ(io.poll(), 0u);
}

}  // namespace
}  // namespace bparb::alerts
