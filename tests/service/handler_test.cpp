// Request handling without sockets: the Host check that defeats DNS rebinding, routing (404/405), the
// health and readiness verdicts of a published snapshot, and the shapes of the status JSON and of the
// Prometheus text.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <simdjson.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>

#include "bparb/service/http.hpp"
#include "bparb/service/render.hpp"

namespace bparb::service {
namespace {

namespace http = boost::beast::http;

constexpr TimestampUs kHandlerT0 = 1'700'000'000'000'000;

Request get(std::string_view target, std::string_view host = "127.0.0.1:8780", http::verb verb = http::verb::get) {
  Request r{verb, std::string(target), 11};
  if (!host.empty()) r.set(http::field::host, host);
  return r;
}

Snapshot sample() {
  Snapshot s;
  s.started_us = kHandlerT0;
  s.taken_us = kHandlerT0 + 90 * kUsPerSecond + 250'000;
  s.version = "0.1.0";
  s.mode = "paper";
  s.config_hash = "ab12";
  s.trading = true;
  s.stale_book_us = 2 * kUsPerSecond;
  VenueHealth v;
  v.name = "backpack";
  v.stream_connected = true;
  v.reconnects = 2;
  v.book_resyncs = 3;
  v.books = {{"SOL_USDC", true, s.taken_us - 100'000}, {"SOL_USDC_PERP", true, s.taken_us - 50'000}};
  v.last_message_us = s.taken_us - 20'000;
  v.margin_available = Decimal::from_string("8123.5");
  v.margin_used = Decimal::from_string("1876.67");
  v.fills_missing_from_stream = 1;
  v.order_ack.record(12'000);
  v.order_ack.record(40'000);
  v.tick_to_order.record(35);
  v.rest_tracked = true;
  v.rest_backing_off = true;
  v.rest_backoffs = 2;
  v.rest_http_429 = 5;
  s.venues.push_back(v);
  s.liquidity = {{"backpack", "SOL_USDC_PERP", "maker", 1, Decimal::from_string("187.5")},
                 {"backpack", "SOL_USDC_PERP", "taker", 2, Decimal::from_string("375.25")}};
  s.funding_rates = {{"SOL_USDC_PERP", Decimal::from_string("0.0000125")}};
  s.reloads = {2, 1, 0};
  s.journal_write.record(180);
  s.events = {{5, kHandlerT0, "error", "an older error"},
              {8, kHandlerT0 + 1, "error", "Journal: write failed \"disk full\""},
              {9, kHandlerT0 + 2, "warning", "a later warning"}};
  PairView p;
  p.name = "SOL";
  p.phase = "open";
  p.open = true;
  p.position_id = 7;
  p.spot = {"SOL_USDC", Decimal::from_string("1.25"), Decimal::from_string("150.10")};
  p.perp = {"SOL_USDC_PERP", Decimal::from_string("-1.25"), Decimal::from_string("150.40")};
  p.fees_usd = Decimal::from_string("0.12");
  p.has_basis = true;
  p.basis = Decimal::from_string("0.002");
  p.perp_mid = Decimal::from_string("150.4");
  s.pairs.push_back(p);
  s.open_orders = 1;
  s.orders_sent = 4;
  s.fills = 4;
  s.refusals = {{"max_position_usd", 2}};
  s.last_refusal = Refusal{s.taken_us - kUsPerSecond,     "SOL", "spot", "max_position_usd", Decimal::from_int(1000),
                           Decimal::from_string("1200.5")};
  s.run_pnl = {Decimal::from_string("0.30"), Decimal::from_string("0.12"), Decimal::from_string("-0.01")};
  s.today_pnl = s.run_pnl;
  s.equity = Decimal::from_string("10000.17");
  s.venues.back().equity = s.equity;
  s.orders_rejected = 3;
  s.orders_rejected_by_reason[static_cast<std::size_t>(RejectClass::kRateLimited)] = 2;
  s.orders_rejected_by_reason[static_cast<std::size_t>(RejectClass::kPostOnlyWouldTake)] = 1;
  return s;
}

struct HandlerTest : ::testing::Test {
  Handler h{"127.0.0.1", 8780, kUsPerSecond};
};

TEST_F(HandlerTest, HostMustNameTheBoundAddressOrLocalhost) {
  EXPECT_TRUE(h.host_allowed("127.0.0.1:8780"));
  EXPECT_TRUE(h.host_allowed("127.0.0.1"));
  EXPECT_TRUE(h.host_allowed("localhost:8780"));
  EXPECT_TRUE(h.host_allowed("LocalHost"));
  EXPECT_FALSE(h.host_allowed("attacker.example:8780"));  // a rebound DNS name
  EXPECT_FALSE(h.host_allowed("127.0.0.1:8781"));         // another port
  EXPECT_FALSE(h.host_allowed("127.0.0.2:8780"));
  EXPECT_FALSE(h.host_allowed(""));
  EXPECT_FALSE(h.host_allowed("localhost.attacker.example"));
  Handler v6{"::1", 9000, kUsPerSecond};
  EXPECT_TRUE(v6.host_allowed("[::1]:9000"));
  EXPECT_TRUE(v6.host_allowed("[::1]"));
  EXPECT_FALSE(v6.host_allowed("[::1"));
  EXPECT_FALSE(v6.host_allowed("127.0.0.1:9000"));
  Handler any{"0.0.0.0", 9000, kUsPerSecond};
  EXPECT_TRUE(any.host_allowed("192.0.2.10:9000"));
  EXPECT_FALSE(any.host_allowed("bot.example:9000"));
}

TEST_F(HandlerTest, WrongHostIs421AndMissingHostIs400) {
  h.publish(sample());
  const TimestampUs now = sample().taken_us;
  EXPECT_EQ(h.handle(get("/healthz", "evil.example:8780"), now).result_int(), 421u);
  EXPECT_EQ(h.handle(get("/healthz", ""), now).result_int(), 400u);
  EXPECT_FALSE(h.handle(get("/healthz", "evil.example"), now).keep_alive());
}

TEST_F(HandlerTest, UnknownPathIs404WrongMethodIs405AndNoCorsHeaders) {
  h.publish(sample());
  const TimestampUs now = sample().taken_us;
  EXPECT_EQ(h.handle(get("/index.html"), now).result_int(), 404u);  // the page is at / only
  EXPECT_EQ(h.handle(get("/api/v1/statusx"), now).result_int(), 404u);
  const Response post = h.handle(get("/metrics", "127.0.0.1:8780", http::verb::post), now);
  EXPECT_EQ(post.result_int(), 405u);
  EXPECT_EQ(post[http::field::allow], "GET, HEAD");
  EXPECT_EQ(h.handle(get("/api/v1/status", "localhost", http::verb::options), now).result_int(), 405u);
  for (const char* path : {"/", "/healthz", "/readyz", "/api/v1/status", "/metrics"}) {
    const Response r = h.handle(get(path), now);
    EXPECT_EQ(r.find(http::field::access_control_allow_origin), r.end()) << path;
  }
  const Response head = h.handle(get("/metrics", "127.0.0.1", http::verb::head), now);
  EXPECT_EQ(head.result_int(), 200u);
  EXPECT_TRUE(head.body().empty());
}

TEST_F(HandlerTest, HealthzFollowsTheSnapshotsFreshness) {
  EXPECT_EQ(h.handle(get("/healthz"), kHandlerT0).result_int(), 503u);  // nothing published yet
  Snapshot s = sample();
  h.publish(s);
  EXPECT_EQ(h.handle(get("/healthz"), s.taken_us + 2 * kUsPerSecond).result_int(), 200u);
  // Three intervals without a snapshot: the timer did not fire, the loop is not turning.
  const Response stale = h.handle(get("/healthz"), s.taken_us + 4 * kUsPerSecond);
  EXPECT_EQ(stale.result_int(), 503u);
  EXPECT_EQ(h.handle(get("/readyz"), s.taken_us + 4 * kUsPerSecond).result_int(), 503u);
}

TEST_F(HandlerTest, ReadyzListsEveryReason) {
  Snapshot s = sample();
  h.publish(s);
  EXPECT_EQ(h.handle(get("/readyz"), s.taken_us).result_int(), 200u);
  s.venues[0].stream_connected = false;
  s.venues[0].books[0].valid = false;
  s.venues[0].books[1].last_update_us = s.taken_us - 3 * kUsPerSecond;  // older than stale_book_us
  s.trading_state = "ReduceOnly";
  s.state_reason = "daily_loss";
  h.publish(s);
  const Response r = h.handle(get("/readyz"), s.taken_us);
  EXPECT_EQ(r.result_int(), 503u);
  EXPECT_NE(r.body().find("backpack: stream down"), std::string::npos) << r.body();
  EXPECT_NE(r.body().find("SOL_USDC: book not synced"), std::string::npos) << r.body();
  EXPECT_NE(r.body().find("SOL_USDC_PERP: book stale"), std::string::npos) << r.body();
  EXPECT_NE(r.body().find("trading state ReduceOnly (daily_loss)"), std::string::npos) << r.body();
  Snapshot starting = sample();
  starting.trading = false;
  EXPECT_EQ(readiness_reasons(starting), std::vector<std::string>{"recovery pending: not trading yet"});
  Snapshot halted = sample();
  halted.trading_state = "Halted";
  EXPECT_EQ(readiness_reasons(halted).size(), 1u);
}

TEST_F(HandlerTest, StatusIsJsonWithMoneyAsExactDecimalStrings) {
  Snapshot s = sample();
  h.publish(s);
  const Response r = h.handle(get("/api/v1/status"), s.taken_us);
  ASSERT_EQ(r.result_int(), 200u);
  EXPECT_EQ(r[http::field::content_type], "application/json");
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(r.body()).get(doc), simdjson::SUCCESS) << r.body();
  EXPECT_EQ(std::string_view(doc["mode"]), "paper");
  EXPECT_EQ(std::string_view(doc["trading_state"]), "Active");
  EXPECT_FALSE(bool(doc["opening_paused"]));
  EXPECT_EQ(std::string_view(doc["uptime_seconds"]), "90.250000");
  EXPECT_TRUE(bool(doc["ready"]));
  EXPECT_EQ(std::string_view(doc["config_sha256"]), "ab12");
  EXPECT_FALSE(bool(doc["venues"].at(0)["books"].at(0)["valid"].is_null()));
  simdjson::dom::element pair = doc["pairs"].at(0);
  EXPECT_EQ(std::string_view(pair["phase"]), "open");
  EXPECT_EQ(std::string_view(pair["basis"]), "0.002");
  EXPECT_EQ(std::string_view(pair["position"]["spot"]["quantity"]), "1.25");
  EXPECT_EQ(std::string_view(pair["position"]["perp"]["quantity"]), "-1.25");
  EXPECT_EQ(std::string_view(pair["position"]["perp"]["average_price"]), "150.4");
  EXPECT_EQ(std::int64_t(doc["open_orders"]), 1);
  EXPECT_EQ(std::string_view(doc["pnl_today"]["spread"]), "0.3");
  EXPECT_EQ(std::string_view(doc["pnl_today"]["fees"]), "0.12");
  EXPECT_EQ(std::string_view(doc["pnl_today"]["funding"]), "-0.01");
  EXPECT_EQ(std::string_view(doc["pnl_today"]["net"]), "0.17");
  EXPECT_EQ(std::string_view(doc["last_refusal"]["rule"]), "max_position_usd");
  EXPECT_EQ(std::string_view(doc["last_refusal"]["value"]), "1200.5");
  EXPECT_EQ(std::string_view(doc["equity"]), "10000.17");
  EXPECT_EQ(std::string_view(doc["strategy"]), "basis");
  simdjson::dom::element venue = doc["venues"].at(0);
  EXPECT_EQ(std::string_view(venue["last_message_age_seconds"]), "0.020000");
  EXPECT_EQ(std::string_view(venue["margin_available"]), "8123.5");
  EXPECT_EQ(std::string_view(venue["margin_used"]), "1876.67");
  EXPECT_TRUE(bool(venue["rest"]["backing_off"]));
  EXPECT_EQ(std::int64_t(venue["rest"]["backoffs"]), 2);
  EXPECT_EQ(std::int64_t(venue["rest"]["http_429"]), 5);
  // The latency histograms summarised from their buckets: 12 ms and 40 ms acks fall in 10..25 ms and
  // 25..50 ms, so the median is the first bucket's top and p90/p99 interpolate into the second.
  simdjson::dom::element ack = venue["latency"]["order_ack"];
  EXPECT_EQ(std::int64_t(ack["count"]), 2);
  EXPECT_EQ(std::string_view(ack["p50_s"]), "0.025000");
  EXPECT_EQ(std::string_view(ack["p90_s"]), "0.045000");
  EXPECT_EQ(std::string_view(ack["p99_s"]), "0.049500");
  EXPECT_EQ(std::string_view(venue["latency"]["tick_to_order"]["p50_s"]), "0.000037");
  EXPECT_EQ(std::int64_t(doc["journal_write"]["count"]), 1);
  // The newest error among the held log lines.
  EXPECT_EQ(std::int64_t(doc["last_error"]["seq"]), 8);
  EXPECT_EQ(std::string_view(doc["last_error"]["level"]), "error");
  EXPECT_EQ(std::string_view(doc["last_error"]["text"]), "Journal: write failed \"disk full\"");
  EXPECT_EQ(std::string_view(doc["journal_write"]["p99_s"]), "0.000248");
  // Starting up: no pairs, no position, nulls where nothing is known yet.
  Snapshot bare;
  bare.taken_us = kHandlerT0;
  bare.started_us = kHandlerT0;
  ASSERT_EQ(parser.parse(render_status_json(bare)).get(doc), simdjson::SUCCESS);
  EXPECT_TRUE(doc["last_refusal"].is_null());
  EXPECT_TRUE(doc["equity"].is_null());
  EXPECT_FALSE(bool(doc["ready"]));
  EXPECT_EQ(std::int64_t(doc["journal_write"]["count"]), 0);
  EXPECT_TRUE(doc["journal_write"]["p50_s"].is_null());
  EXPECT_TRUE(doc["last_error"].is_null());
}

// One exposition line `name{label="value",...} number` split up; false when it is not of that shape.
// (By hand: std::regex trips GCC 12's -Wmaybe-uninitialized in the sanitizer build.)
struct MetricLine {
  std::string name;
  std::vector<std::string> labels;
};
bool parse_metric_line(std::string_view line, MetricLine& out) {
  std::size_t i = 0;
  auto lower = [&](char c) { return (c >= 'a' && c <= 'z') || c == '_'; };
  while (i < line.size() && lower(line[i])) out.name += line[i++];
  if (!out.name.starts_with("bparb_")) return false;
  if (i < line.size() && line[i] == '{') {
    ++i;
    while (true) {
      std::string label;
      while (i < line.size() && lower(line[i])) label += line[i++];
      if (label.empty() || line.substr(i, 2) != "=\"") return false;
      i += 2;
      const std::size_t close = line.find('"', i);
      if (close == std::string_view::npos) return false;
      i = close + 1;
      out.labels.push_back(label);
      if (i < line.size() && line[i] == ',') {
        ++i;
        continue;
      }
      if (i >= line.size() || line[i] != '}') return false;
      ++i;
      break;
    }
  }
  if (i >= line.size() || line[i] != ' ') return false;
  Decimal value;
  return Decimal::parse(line.substr(i + 1), value) == DecimalParseError::kOk;
}

// Every sample line is `name{labels} value` with a bparb_ name that a # TYPE line declared, counters end
// in _total and label names come from a closed set (no order ids: they would grow without bound).
TEST_F(HandlerTest, MetricsAreBoundedPrometheusText) {
  Snapshot s = sample();
  h.publish(s);
  const Response r = h.handle(get("/metrics"), s.taken_us);
  ASSERT_EQ(r.result_int(), 200u);
  EXPECT_EQ(r[http::field::content_type], "text/plain; version=0.0.4; charset=utf-8");
  static const std::set<std::string> kLabels = {"venue",     "symbol",    "reason", "state", "version", "mode",
                                                "component", "liquidity", "result", "le",    "strategy"};
  std::istringstream in(r.body());
  std::string line;
  std::map<std::string, std::string> types;
  std::set<std::string> seen;
  while (std::getline(in, line)) {
    if (line.rfind("# HELP bparb_", 0) == 0) continue;
    if (line.rfind("# TYPE ", 0) == 0) {
      std::istringstream t(line.substr(7));
      std::string name, type;
      t >> name >> type;
      EXPECT_TRUE(type == "counter" || type == "gauge" || type == "histogram") << line;
      types[name] = type;
      continue;
    }
    MetricLine m;
    ASSERT_TRUE(parse_metric_line(line, m)) << line;
    // A histogram's samples are its family's name + _bucket (with `le`), _sum and _count.
    std::string family = m.name;
    for (const char* suffix : {"_bucket", "_sum", "_count"})
      if (!types.count(family) && family.ends_with(suffix)) family.resize(family.size() - std::strlen(suffix));
    ASSERT_TRUE(types.count(family)) << "no TYPE before " << line;
    if (types[family] == "histogram") {
      EXPECT_TRUE(family.ends_with("_seconds")) << line;
      EXPECT_EQ(m.name.ends_with("_bucket"), std::find(m.labels.begin(), m.labels.end(), "le") != m.labels.end())
          << line;
    } else {
      EXPECT_EQ(types[family] == "counter", m.name.ends_with("_total")) << line;
      EXPECT_EQ(std::find(m.labels.begin(), m.labels.end(), "le"), m.labels.end()) << line;
    }
    for (const std::string& l : m.labels) EXPECT_TRUE(kLabels.count(l)) << line;
    seen.insert(family);
  }
  for (const char* want : {"bparb_build_info",
                           "bparb_uptime_seconds",
                           "bparb_ws_connected",
                           "bparb_ws_reconnects_total",
                           "bparb_book_valid",
                           "bparb_book_resyncs_total",
                           "bparb_orders_sent_total",
                           "bparb_orders_rejected_total",
                           "bparb_orders_cancelled_total",
                           "bparb_fills_total",
                           "bparb_fees_usd",
                           "bparb_position_base",
                           "bparb_basis_ratio",
                           "bparb_trading_state",
                           "bparb_opening_paused",
                           "bparb_equity_usd",
                           "bparb_risk_refusals_total",
                           "bparb_pnl_usd",
                           "bparb_ws_last_message_timestamp_seconds",
                           "bparb_fills_by_liquidity_total",
                           "bparb_filled_notional_usd_total",
                           "bparb_hedge_imbalance_base",
                           "bparb_hedge_imbalance_usd",
                           "bparb_funding_rate",
                           "bparb_margin_available_usd",
                           "bparb_margin_used_usd",
                           "bparb_reconciliation_mismatches_total",
                           "bparb_config_reloads_total",
                           "bparb_order_ack_latency_seconds",
                           "bparb_tick_to_order_seconds",
                           "bparb_journal_write_seconds",
                           "bparb_rest_backoff",
                           "bparb_rest_backoffs_total",
                           "bparb_rest_rate_limited_total"})
    EXPECT_TRUE(seen.count(want)) << want;
  EXPECT_NE(r.body().find("bparb_position_base{symbol=\"SOL_USDC_PERP\"} -1.25\n"), std::string::npos);
  EXPECT_NE(r.body().find("bparb_trading_state{state=\"Active\"} 1\n"), std::string::npos);
  EXPECT_NE(r.body().find("bparb_uptime_seconds 90.250000\n"), std::string::npos);
  EXPECT_NE(r.body().find("bparb_rest_backoff{venue=\"backpack\"} 1\n"), std::string::npos);
  EXPECT_NE(r.body().find("bparb_rest_backoffs_total{venue=\"backpack\"} 2\n"), std::string::npos);
  EXPECT_NE(r.body().find("bparb_rest_rate_limited_total{venue=\"backpack\"} 5\n"), std::string::npos);
  // The order path's series carry the strategy.
  EXPECT_NE(r.body().find("bparb_orders_sent_total{strategy=\"basis\"} 4\n"), std::string::npos);
  EXPECT_NE(r.body().find("bparb_fills_total{strategy=\"basis\"} 4\n"), std::string::npos);
  EXPECT_NE(r.body().find("bparb_tick_to_order_seconds_count{venue=\"backpack\",strategy=\"basis\"} 1\n"),
            std::string::npos);
  // Rejections by reason: every RejectClass value, zero included (a closed list).
  EXPECT_NE(r.body().find("bparb_orders_rejected_total{strategy=\"basis\",reason=\"rate_limited\"} 2\n"),
            std::string::npos);
  EXPECT_NE(r.body().find("bparb_orders_rejected_total{strategy=\"basis\",reason=\"post_only_would_take\"} 1\n"),
            std::string::npos);
  for (std::size_t i = 0; i < kRejectClassCount; ++i) {
    const std::string series = fmt::format("bparb_orders_rejected_total{{strategy=\"basis\",reason=\"{}\"}} ",
                                           reject_class_name(static_cast<RejectClass>(i)));
    EXPECT_NE(r.body().find(series), std::string::npos) << series;
  }
  EXPECT_NE(r.body().find("bparb_equity_usd{venue=\"backpack\"} 10000.17\n"), std::string::npos);
  s.strategy = "market_maker";
  EXPECT_NE(render_metrics(s).find("bparb_orders_rejected_total{strategy=\"market_maker\",reason=\"other\"} 0\n"),
            std::string::npos);
}

// Debian's prometheus package ships promtool; without it the check is skipped.
TEST_F(HandlerTest, PromtoolAcceptsTheMetrics) {
  if (std::system("command -v promtool > /dev/null 2>&1") != 0) GTEST_SKIP() << "promtool not installed";
  const std::filesystem::path file =
      std::filesystem::temp_directory_path() / ("bparb_metrics_" + std::to_string(::getpid()) + ".txt");
  std::ofstream(file) << render_metrics(sample());
  const std::string cmd = "promtool check metrics < " + file.string() + " > " + file.string() + ".out 2>&1";
  const int rc = std::system(cmd.c_str());
  std::ifstream out(file.string() + ".out");
  const std::string said((std::istreambuf_iterator<char>(out)), std::istreambuf_iterator<char>());
  EXPECT_EQ(rc, 0) << said;
  std::filesystem::remove(file);
  std::filesystem::remove(file.string() + ".out");
}

TEST(DailySplit, TodayIsTheRunTotalsSinceTheFirstTradingSnapshotOfTheUtcDay) {
  DailySplit d;
  Snapshot s;
  const TimestampUs midnight = 1'700'006'400'000'000;  // a multiple of 86'400 s
  s.started_us = midnight + 3'600 * kUsPerSecond;
  s.taken_us = s.started_us;
  s.trading = false;
  d.update(s);
  EXPECT_EQ(s.today_pnl.net(), Decimal::zero());
  s.trading = true;
  s.run_pnl = {Decimal::from_int(5), Decimal::from_int(1), Decimal::zero()};  // restored from earlier days
  d.update(s);
  EXPECT_EQ(s.today_pnl.net(), Decimal::zero());
  EXPECT_EQ(s.today_since_us, s.started_us);
  s.run_pnl = {Decimal::from_int(7), Decimal::from_int(2), Decimal::from_int(1)};
  d.update(s);
  EXPECT_EQ(s.today_pnl.spread, Decimal::from_int(2));
  EXPECT_EQ(s.today_pnl.fees, Decimal::from_int(1));
  EXPECT_EQ(s.today_pnl.funding, Decimal::from_int(1));
  s.taken_us = midnight + 86'400 * kUsPerSecond + 1;  // next day: a new baseline
  d.update(s);
  EXPECT_EQ(s.today_pnl.net(), Decimal::zero());
  EXPECT_EQ(s.today_since_us, midnight + 86'400 * kUsPerSecond);
}

TEST(Tally, CountsRefusalsByRuleAndKeepsTheLast) {
  Tally t;
  RiskDecision d;
  d.allowed = false;
  d.rule = RiskRule::kMaxPosition;
  d.limit = Decimal::from_int(1000);
  d.value = Decimal::from_string("1200.5");
  t.refusal(kHandlerT0, "SOL", "spot", d);
  d.rule = RiskRule::kStaleBook;
  t.refusal(kHandlerT0 + 1, "BTC", "perp", d);
  t.refusal(kHandlerT0 + 2, "BTC", "perp", d);
  t.order_cancelled();
  Snapshot s;
  collect_tally(s, t);
  EXPECT_EQ(s.orders_cancelled, 1u);
  ASSERT_EQ(s.refusals.size(), 2u);
  EXPECT_EQ(s.refusals[0].rule, rule_name(RiskRule::kStaleBook));
  EXPECT_EQ(s.refusals[0].count, 2u);
  EXPECT_EQ(s.refusals[1].rule, rule_name(RiskRule::kMaxPosition));
  EXPECT_EQ(s.refusals[1].count, 1u);
  ASSERT_TRUE(s.last_refusal);
  EXPECT_EQ(s.last_refusal->pair, "BTC");
  EXPECT_EQ(s.last_refusal->at_us, kHandlerT0 + 2);
}

TEST(Addresses, LoopbackAndWildcard) {
  EXPECT_TRUE(is_loopback_address("127.0.0.1"));
  EXPECT_TRUE(is_loopback_address("127.1.2.3"));
  EXPECT_TRUE(is_loopback_address("::1"));
  EXPECT_FALSE(is_loopback_address("0.0.0.0"));
  EXPECT_FALSE(is_loopback_address("192.168.1.2"));
  EXPECT_FALSE(is_loopback_address("localhost"));
  EXPECT_TRUE(is_wildcard_address("0.0.0.0"));
  EXPECT_TRUE(is_wildcard_address("::"));
}

}  // namespace
}  // namespace bparb::service
