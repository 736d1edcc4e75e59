// Delivery against a local HTTP receiver on loopback (Beast, tests/support/test_servers.hpp): the payloads
// that arrive, retries with back-off, a 429's retry-after, a dead port, a slow receiver. Timing claims are
// lower bounds only (a timer never fires early), never "how fast".
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "../support/test_servers.hpp"
#include "bparb/alerts/alerter.hpp"

namespace bparb::alerts {
namespace {

using namespace std::chrono_literals;
using net::testing::HttpAction;
using net::testing::HttpTestServer;
using net::testing::run_until;
using net::testing::SeenRequest;
using Steady = std::chrono::steady_clock;

SinkOptions sink(SinkKind kind, std::string url, EventMask events = default_events() | event_bit(AlertEvent::kFills)) {
  SinkOptions s;
  s.kind = kind;
  s.name = std::string(sink_kind_name(kind)) + "#0";
  s.url = std::move(url);
  s.events = events;
  return s;
}

AlertsOptions fast(std::vector<SinkOptions> sinks) {
  AlertsOptions o;
  o.sinks = std::move(sinks);
  o.backoff_initial_us = 20 * kUsPerMs;
  o.backoff_max_us = 200 * kUsPerMs;
  o.timeout_us = 2 * kUsPerSecond;
  o.max_attempts = 4;
  return o;
}

struct AlertDelivery : ::testing::Test {
  boost::asio::io_context io;
  SystemClock clock;
  std::vector<Steady::time_point> arrivals;
};

TEST_F(AlertDelivery, EachSinkKindReceivesItsPayload) {
  HttpTestServer server(io, [](const SeenRequest&) { return HttpAction{}; });
  SinkOptions tg = sink(SinkKind::kTelegram, server.base_url());
  tg.name = "telegram#1";
  tg.token = "123456:TESTTOKEN";
  tg.chat_id = "-100777";
  Alerter al(io, clock, spdlog::default_logger(),
             fast({sink(SinkKind::kWebhook, server.base_url() + "/hooks/bparb?x=1"), tg,
                   sink(SinkKind::kDiscord, server.base_url() + "/api/webhooks/1/abc", event_bit(AlertEvent::kStop))}));
  al.notify(AlertEvent::kStart, Severity::kInfo, "bparb started", {{"mode", "paper"}});
  al.notify(AlertEvent::kStop, Severity::kInfo, "bparb stopped", {{"net_usd", "1.5"}});
  ASSERT_TRUE(run_until(
      io, [&] { return server.requests().size() == 5; }, 5000ms));
  ASSERT_TRUE(run_until(io, [&] {
    std::uint64_t sent = 0;
    for (const SinkStatus& s : al.status()) sent += s.counters.sent;
    return sent == 5;
  }));
  std::vector<std::string> got;
  for (const SeenRequest& r : server.requests()) {
    EXPECT_EQ(r.method, "POST");
    EXPECT_EQ(r.raw[boost::beast::http::field::content_type], "application/json");
    got.push_back(r.target + " " + r.body);
  }
  std::sort(got.begin(), got.end());
  ASSERT_EQ(got.size(), 5u);
  EXPECT_EQ(got[0], R"(/api/webhooks/1/abc {"content":"[info] stop: bparb stopped\nnet_usd: 1.5"})");
  EXPECT_EQ(
      got[1],
      R"(/bot123456:TESTTOKEN/sendMessage {"chat_id":"-100777","text":"[info] start: bparb started\nmode: paper"})");
  EXPECT_EQ(
      got[2],
      R"(/bot123456:TESTTOKEN/sendMessage {"chat_id":"-100777","text":"[info] stop: bparb stopped\nnet_usd: 1.5"})");
  EXPECT_EQ(got[3].substr(0, 58), R"(/hooks/bparb?x=1 {"event":"start","severity":"info","at":")");
  EXPECT_NE(got[3].find(R"("text":"bparb started","fields":{"mode":"paper"}})"), std::string::npos);
  EXPECT_NE(got[4].find(R"("event":"stop")"), std::string::npos);
}

TEST_F(AlertDelivery, ServerErrorsAreRetriedWithGrowingBackoff) {
  int n = 0;
  HttpTestServer server(io, [&](const SeenRequest&) {
    arrivals.push_back(Steady::now());
    HttpAction a;
    a.status = ++n <= 2 ? 503 : 200;
    return a;
  });
  Alerter al(io, clock, spdlog::default_logger(), fast({sink(SinkKind::kWebhook, server.base_url() + "/h")}));
  al.notify(AlertEvent::kLegRisk, Severity::kWarning, "hedging");
  ASSERT_TRUE(run_until(
      io, [&] { return al.status()[0].counters.sent == 1; }, 5000ms));
  const SinkCounters c = al.status()[0].counters;
  EXPECT_EQ(c.retries, 2u);
  EXPECT_EQ(c.failed, 0u);
  ASSERT_EQ(arrivals.size(), 3u);
  // Back-off 20 ms then 40 ms, each at most 20 % jittered away: lower bounds 16 ms and 32 ms.
  EXPECT_GE(arrivals[1] - arrivals[0], 16ms);
  EXPECT_GE(arrivals[2] - arrivals[1], 32ms);
}

TEST_F(AlertDelivery, TooManyRequestsWaitsForRetryAfter) {
  int n = 0;
  HttpTestServer server(io, [&](const SeenRequest&) {
    arrivals.push_back(Steady::now());
    HttpAction a;
    if (++n == 1) {
      a.status = 429;
      a.headers.push_back({"Retry-After", "1"});
    }
    return a;
  });
  AlertsOptions o = fast({sink(SinkKind::kWebhook, server.base_url() + "/h")});
  o.backoff_max_us = 5 * kUsPerSecond;
  Alerter al(io, clock, spdlog::default_logger(), o);
  al.notify(AlertEvent::kRejects, Severity::kWarning, "rejects");
  ASSERT_TRUE(run_until(
      io, [&] { return al.status()[0].counters.sent == 1; }, 5000ms));
  ASSERT_EQ(arrivals.size(), 2u);
  EXPECT_GE(arrivals[1] - arrivals[0], 1000ms);  // not the 20 ms back-off
}

TEST_F(AlertDelivery, TelegramRetryAfterInTheBodyIsHonoured) {
  int n = 0;
  HttpTestServer server(io, [&](const SeenRequest&) {
    arrivals.push_back(Steady::now());
    HttpAction a;
    if (++n == 1) {
      a.status = 429;
      a.content_type = "application/json";
      a.body = R"({"ok":false,"error_code":429,"description":"Too Many Requests","parameters":{"retry_after":1}})";
    }
    return a;
  });
  SinkOptions tg = sink(SinkKind::kTelegram, server.base_url());
  tg.token = "1:T";
  tg.chat_id = "5";
  AlertsOptions o = fast({tg});
  o.backoff_max_us = 5 * kUsPerSecond;
  Alerter al(io, clock, spdlog::default_logger(), o);
  al.notify(AlertEvent::kStart, Severity::kInfo, "x");
  ASSERT_TRUE(run_until(
      io, [&] { return al.status()[0].counters.sent == 1; }, 5000ms));
  ASSERT_EQ(arrivals.size(), 2u);
  EXPECT_GE(arrivals[1] - arrivals[0], 1000ms);
}

TEST_F(AlertDelivery, ClientErrorIsNotRetried) {
  HttpTestServer server(io, [&](const SeenRequest&) {
    HttpAction a;
    a.status = 404;
    return a;
  });
  Alerter al(io, clock, spdlog::default_logger(), fast({sink(SinkKind::kWebhook, server.base_url() + "/gone")}));
  al.notify(AlertEvent::kStart, Severity::kInfo, "x");
  ASSERT_TRUE(run_until(io, [&] { return al.status()[0].counters.failed == 1; }));
  EXPECT_EQ(al.status()[0].counters.retries, 0u);
  EXPECT_EQ(server.requests().size(), 1u);
}

TEST_F(AlertDelivery, DeadPortGivesUpAfterMaxAttempts) {
  const std::uint16_t port = net::testing::unused_port(io);
  AlertsOptions o = fast({sink(SinkKind::kWebhook, "http://127.0.0.1:" + std::to_string(port) + "/h")});
  o.max_attempts = 3;
  Alerter al(io, clock, spdlog::default_logger(), o);
  al.notify(AlertEvent::kStart, Severity::kInfo, "one");
  al.notify(AlertEvent::kStop, Severity::kInfo, "two");
  ASSERT_TRUE(run_until(
      io, [&] { return al.status()[0].counters.failed == 2; }, 5000ms));
  const SinkStatus s = al.status()[0];
  EXPECT_EQ(s.counters.sent, 0u);
  EXPECT_EQ(s.counters.retries, 4u);  // two retries per alert
  EXPECT_EQ(s.queued, 0u);
}

TEST_F(AlertDelivery, SlowReceiverBoundsTheQueueAndTheLoopKeepsTurning) {
  HttpTestServer server(io, [&](const SeenRequest&) {
    HttpAction a;
    a.delay = 300ms;
    return a;
  });
  AlertsOptions o = fast({sink(SinkKind::kWebhook, server.base_url() + "/h")});
  o.queue_size = 3;
  Alerter al(io, clock, spdlog::default_logger(), o);
  // A timer on the same io_context: it must keep firing while the receiver is slow.
  int ticks = 0;
  boost::asio::steady_timer tick(io);
  std::function<void()> arm = [&] {
    tick.expires_after(50ms);
    tick.async_wait([&](const boost::system::error_code& ec) {
      if (ec) return;
      ++ticks;
      arm();
    });
  };
  arm();
  for (int i = 0; i < 10; ++i) al.notify(AlertEvent::kFills, Severity::kInfo, "fill " + std::to_string(i));
  EXPECT_TRUE(server.requests().empty());  // notify only queues: nothing is sent inside the call
  EXPECT_EQ(al.status()[0].queued, 3u);
  EXPECT_EQ(al.status()[0].counters.dropped, 7u);
  // While the first is in flight, more arrive: the queue stays bounded and the oldest waiting one goes.
  ASSERT_TRUE(run_until(io, [&] { return server.requests().size() == 1; }));
  for (int i = 10; i < 14; ++i) al.notify(AlertEvent::kFills, Severity::kInfo, "fill " + std::to_string(i));
  EXPECT_EQ(al.status()[0].queued, 3u);
  EXPECT_EQ(al.status()[0].counters.dropped, 11u);
  ASSERT_TRUE(run_until(
      io, [&] { return al.status()[0].counters.sent == 3; }, 10000ms));
  std::vector<std::string> texts;
  for (const SeenRequest& r : server.requests()) texts.push_back(r.body.substr(r.body.find("\"text\"")));
  ASSERT_EQ(texts.size(), 3u);
  EXPECT_EQ(texts[0].substr(0, 15), R"("text":"fill 7")");
  EXPECT_EQ(texts[1].substr(0, 16), R"("text":"fill 12")");
  EXPECT_EQ(texts[2].substr(0, 16), R"("text":"fill 13")");
  // Three responses of at least 300 ms each: a 50 ms timer had room for well over 3 firings.
  EXPECT_GE(ticks, 3);
  tick.cancel();
}

TEST_F(AlertDelivery, ReceiverSlowerThanTheTimeoutCountsAsFailure) {
  HttpTestServer server(io, [&](const SeenRequest&) {
    HttpAction a;
    a.delay = 2000ms;
    return a;
  });
  AlertsOptions o = fast({sink(SinkKind::kWebhook, server.base_url() + "/h")});
  o.timeout_us = 150 * kUsPerMs;
  o.max_attempts = 2;
  Alerter al(io, clock, spdlog::default_logger(), o);
  al.notify(AlertEvent::kStart, Severity::kInfo, "x");
  ASSERT_TRUE(run_until(
      io, [&] { return al.status()[0].counters.failed == 1; }, 5000ms));
  EXPECT_EQ(al.status()[0].counters.retries, 1u);
  EXPECT_EQ(server.requests().size(), 2u);
}

TEST_F(AlertDelivery, DrainDeliversWhatIsQueuedAfterTheLoopStopped) {
  HttpTestServer server(io, [](const SeenRequest&) { return HttpAction{}; });
  Alerter al(io, clock, spdlog::default_logger(), fast({sink(SinkKind::kWebhook, server.base_url() + "/h")}));
  io.stop();
  al.notify(AlertEvent::kStop, Severity::kInfo, "bye");
  EXPECT_TRUE(al.drain(3 * kUsPerSecond));
  EXPECT_EQ(al.status()[0].counters.sent, 1u);
}

}  // namespace
}  // namespace bparb::alerts
