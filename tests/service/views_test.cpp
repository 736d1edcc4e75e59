// The read views without sockets: query parsing (every bad value is a 400 naming the parameter and what is
// allowed), UTC period starts, the fills ring, the event kinds, and the JSON of positions, orders, fills,
// events and P&L as the handler serves them from a published snapshot.
#include "bparb/service/views.hpp"

#include <gtest/gtest.h>
#include <simdjson.h>
#include <spdlog/logger.h>

#include <memory>
#include <string>

#include "bparb/service/event_log.hpp"
#include "bparb/service/http.hpp"

namespace bparb::service {
namespace {

namespace http = boost::beast::http;
using simdjson::dom::element;

constexpr TimestampUs kViewsT0 = 1'700'000'000'000'000;  // 2023-11-14 22:13:20 UTC, a Tuesday
constexpr TimestampUs kDay = 86'400 * kUsPerSecond;

Request view_get(std::string_view target) {
  Request r{http::verb::get, std::string(target), 11};
  r.set(http::field::host, "127.0.0.1:8780");
  return r;
}

Decimal views_dec(const char* s) {
  return Decimal::from_string(s);
}

Snapshot views_sample() {
  Snapshot s;
  s.started_us = kViewsT0;
  s.taken_us = kViewsT0 + 60 * kUsPerSecond;
  s.version = "0.1.0";
  s.mode = "paper";
  s.trading = true;
  PairView p;
  p.name = "SOL";
  p.phase = "open";
  p.open = true;
  p.position_id = 7;
  p.spot = {"SOL_USDC", views_dec("3.327336"), views_dec("150")};
  p.perp = {"SOL_USDC_PERP", views_dec("-3.33"), views_dec("151.3")};
  p.fees_usd = views_dec("0.6515145");
  p.has_basis = true;
  p.spot_mid = views_dec("150.05");
  p.perp_mid = views_dec("151.25");
  p.entry_basis = views_dec("0.008666666");
  p.opened_us = kViewsT0 + 20 * kUsPerSecond;
  s.pairs.push_back(p);
  PairView flat;
  flat.name = "BTC";
  flat.phase = "flat";
  s.pairs.push_back(flat);
  OrderView o;
  o.client_id = 5'000'000'001ULL;  // beyond 32 bits
  o.symbol = "SOL_USDC";
  o.pair = "SOL";
  o.side = Side::kAsk;
  o.price = views_dec("150.42");
  o.quantity = views_dec("3.32");
  o.filled = views_dec("1.1");
  o.purpose = "Exit";
  o.state = "Open";
  o.post_only = true;
  o.sent_us = s.taken_us - 2'500'000;
  s.orders.push_back(o);
  s.open_orders = 1;
  FillRing ring;
  ring.push(kViewsT0 + 20 * kUsPerSecond, "SOL", "SOL_USDC", Side::kBid, views_dec("150"), views_dec("3.33"),
            views_dec("0.002664"), "SOL", true, 3, 41);
  ring.push(kViewsT0 + 21 * kUsPerSecond, "SOL", "SOL_USDC_PERP", Side::kAsk, views_dec("151.3"), views_dec("3.33"),
            views_dec("0.2518812"), "USDC", false, -1, 42);
  ring.copy_to(s.recent_fills);
  s.fills_total = ring.total();
  s.events = {{1, kViewsT0, "info", "Journal: j.sqlite (fresh)"},
              {2, kViewsT0 + 1, "info", "Opened position #7 SOL PerpPremium spot=3.3 perp=-3.33"},
              {3, kViewsT0 + 2, "error", "LEG RISK SOL: \"quoted\" line"}};
  s.run_pnl = {views_dec("0"), views_dec("0.6515145"), views_dec("0")};
  auto r = std::make_shared<PnlReport>();
  r->computed_us = s.taken_us;
  PnlPeriod today;
  today.start_us = pnl_period_start(PnlPeriodKind::kDay, s.taken_us);
  today.fees = views_dec("0.6515145");
  today.fills = 2;
  r->days = {today};
  r->weeks = r->days;
  r->weeks[0].start_us = pnl_period_start(PnlPeriodKind::kWeek, s.taken_us);
  r->months = r->days;
  r->months[0].start_us = pnl_period_start(PnlPeriodKind::kMonth, s.taken_us);
  r->positions = {
      {"SOL", 7, true, kViewsT0 + 20 * kUsPerSecond, 0, views_dec("0"), views_dec("0.6515145"), views_dec("0")}};
  r->total_fees = views_dec("0.6515145");
  s.pnl = r;
  s.config_json = std::make_shared<const std::string>("{\"exchange\":{\"env_file\":\"[redacted]\"}}\n");
  return s;
}

struct Served {
  unsigned status;
  std::string body;
};
Served serve(const Snapshot& s, std::string_view target) {
  Handler h("127.0.0.1", 8780, kUsPerSecond);
  h.publish(s);
  Response r = h.handle(view_get(target), s.taken_us);
  return {r.result_int(), r.body()};
}

TEST(ViewQueries, SinceAndPeriodAreParsedStrictly) {
  EXPECT_EQ(parse_since("", "ms").since, 0);
  EXPECT_EQ(parse_since("since=1700000000000", "ms").since, 1'700'000'000'000);
  for (const char* bad : {"since=-1", "since=abc", "since=", "since=1e9", "since=1234567890123456789"}) {
    const ViewQuery q = parse_since(bad, "milliseconds since the epoch");
    EXPECT_NE(q.error.find("since: '"), std::string::npos) << bad << ": " << q.error;
    EXPECT_NE(q.error.find("allowed: a whole number"), std::string::npos) << q.error;
  }
  EXPECT_EQ(parse_since("limit=5", "ms").error, "unknown query parameter 'limit'; allowed: since");
  EXPECT_EQ(parse_period("").period, PnlPeriodKind::kDay);
  EXPECT_EQ(parse_period("period=week").period, PnlPeriodKind::kWeek);
  EXPECT_EQ(parse_period("period=month").period, PnlPeriodKind::kMonth);
  EXPECT_EQ(parse_period("period=year").error, "period: 'year' is not allowed; allowed: day, week, month (UTC)");
  EXPECT_EQ(query_value("a=1&since=7&b", "since"), "7");
  EXPECT_EQ(query_value("a=1&b", "b"), "");
  EXPECT_FALSE(query_value("a=1", "since").has_value());
}

TEST(ViewQueries, PeriodsStartAtUtcMidnightMondayAndTheFirst) {
  // kT0 = Tuesday 2023-11-14 22:13:20 UTC.
  const TimestampUs day = pnl_period_start(PnlPeriodKind::kDay, kViewsT0);
  EXPECT_EQ(day, 1'699'920'000LL * kUsPerSecond);                                                // 2023-11-14 00:00
  EXPECT_EQ(pnl_period_start(PnlPeriodKind::kWeek, kViewsT0), day - kDay);                       // Monday 11-13
  EXPECT_EQ(pnl_period_start(PnlPeriodKind::kMonth, kViewsT0), 1'698'796'800LL * kUsPerSecond);  // 2023-11-01
  EXPECT_EQ(pnl_period_start(PnlPeriodKind::kWeek, day - kDay), day - kDay);                     // a Monday is its own
  EXPECT_EQ(pnl_period_start(PnlPeriodKind::kMonth, 1'709'164'800LL * kUsPerSecond),             // 2024-02-29 (leap)
            1'706'745'600LL * kUsPerSecond);                                                     // 2024-02-01
}

TEST(FillRingTest, KeepsTheLastFillsOldestFirst) {
  FillRing ring;
  for (std::int64_t i = 0; i < static_cast<std::int64_t>(FillRing::kCapacity) + 10; ++i)
    ring.push(i, "SOL", "SOL_USDC", Side::kBid, views_dec("1"), views_dec("1"), views_dec("0"), "USDC", false, i, 1);
  EXPECT_EQ(ring.size(), FillRing::kCapacity);
  EXPECT_EQ(ring.total(), FillRing::kCapacity + 10);
  std::vector<FillView> out;
  ring.copy_to(out);
  ASSERT_EQ(out.size(), FillRing::kCapacity);
  EXPECT_EQ(out.front().trade_id, 10);
  EXPECT_EQ(out.back().trade_id, static_cast<std::int64_t>(FillRing::kCapacity) + 9);
}

TEST(EventLog, RecordsInfoLinesWithSequenceNumbersAndKinds) {
  auto sink = std::make_shared<EventLogSink>();
  spdlog::logger log("t", sink);
  log.set_level(spdlog::level::debug);
  log.debug("Quote detail: not for the ring");
  log.info("Fill SOL SOL_USDC Bid 1 @ 150 fee=0.1");
  log.warn("Risk refused SOL spot leg: rule=max_position_usd");
  for (std::size_t i = 0; i < EventLogSink::kCapacity; ++i) log.info("line {}", i);
  std::vector<EventView> all;
  sink->copy_since(0, all);
  ASSERT_EQ(all.size(), EventLogSink::kCapacity);  // the first two went out of the ring
  EXPECT_EQ(all.front().seq, 3u);
  EXPECT_EQ(sink->last_seq(), EventLogSink::kCapacity + 2);
  std::vector<EventView> tail;
  sink->copy_since(sink->last_seq() - 1, tail);
  ASSERT_EQ(tail.size(), 1u);
  EXPECT_EQ(tail[0].text, "line " + std::to_string(EventLogSink::kCapacity - 1));
  EXPECT_EQ(event_kind("Fill SOL SOL_USDC Bid"), "fill");
  EXPECT_EQ(event_kind("Risk refused SOL"), "refusal");
  EXPECT_EQ(event_kind("Closed position #1 SOL pnl=1.18"), "position_closed");
  EXPECT_EQ(event_kind("WebSocket connected"), "log");
}

TEST(Views, PositionsShowLegsRealizedSplitAndNetExposurePerCoin) {
  const Served r = serve(views_sample(), "/api/v1/positions");
  ASSERT_EQ(r.status, 200u) << r.body;
  simdjson::dom::parser parser;
  element doc;
  ASSERT_EQ(parser.parse(r.body).get(doc), simdjson::SUCCESS) << r.body;
  element p = doc["positions"].at(0);
  EXPECT_EQ(std::string_view(p["pair"]), "SOL");
  EXPECT_EQ(std::int64_t(p["id"]), 7);
  EXPECT_EQ(std::string_view(p["legs"].at(0)["quantity"]), "3.327336");
  EXPECT_EQ(std::string_view(p["legs"].at(1)["average_price"]), "151.3");
  EXPECT_EQ(std::string_view(p["legs"].at(1)["mark"]), "151.25");
  EXPECT_EQ(std::string_view(p["realized"]["fees"]), "0.6515145");
  EXPECT_EQ(std::string_view(p["realized"]["net"]), "-0.6515145");
  EXPECT_EQ(doc["positions"].get_array().size(), 1u);  // the flat pair has no position
  element sol = doc["exposure"].at(0);
  EXPECT_EQ(std::string_view(sol["net"]), "-0.002664");
  EXPECT_EQ(std::string_view(sol["net_usd"]), "-0.40293");  // -0.002664 * 151.25
  EXPECT_TRUE(doc["exposure"].at(1)["net_usd"].is_null());  // no mark without valid books
}

TEST(Views, OrdersCarry64BitClientIdsAndTheirAge) {
  const Served r = serve(views_sample(), "/api/v1/orders");
  ASSERT_EQ(r.status, 200u);
  EXPECT_NE(r.body.find(R"("client_id":5000000001,"pair":"SOL","symbol":"SOL_USDC","side":"sell","price":"150.42",)"
                        R"("quantity":"3.32","filled":"1.1","purpose":"Exit","state":"Open","post_only":true,)"
                        R"("reduce_only":false,)"),
            std::string::npos)
      << r.body;
  EXPECT_NE(r.body.find(R"("age_seconds":"2.500000")"), std::string::npos) << r.body;
}

TEST(Views, FillsSinceFiltersByMillisecondsAndShowUnknownTradeIdsAsNull) {
  const Snapshot s = views_sample();
  const Served all = serve(s, "/api/v1/fills");
  ASSERT_EQ(all.status, 200u);
  EXPECT_NE(all.body.find(R"("side":"buy","price":"150","quantity":"3.33","fee":"0.002664","fee_symbol":"SOL",)"
                          R"("liquidity":"maker","trade_id":3,"client_id":41)"),
            std::string::npos)
      << all.body;
  EXPECT_NE(all.body.find(R"("trade_id":null)"), std::string::npos);
  const std::string since = std::to_string((kViewsT0 + 21 * kUsPerSecond) / kUsPerMs);
  const Served later = serve(s, "/api/v1/fills?since=" + since);
  EXPECT_EQ(later.body.find("SOL_USDC\""), std::string::npos) << later.body;
  EXPECT_NE(later.body.find("SOL_USDC_PERP"), std::string::npos) << later.body;
  const Served bad = serve(s, "/api/v1/fills?since=yesterday");
  EXPECT_EQ(bad.status, 400u);
  EXPECT_EQ(bad.body,
            "since: 'yesterday' is not allowed; allowed: a whole number 0..999999999999999999 (milliseconds since "
            "the epoch)\n");
}

TEST(Views, EventsSinceASequenceNumberAreEscapedRecords) {
  const Served r = serve(views_sample(), "/api/v1/events?since=1");
  ASSERT_EQ(r.status, 200u);
  simdjson::dom::parser parser;
  element doc;
  ASSERT_EQ(parser.parse(r.body).get(doc), simdjson::SUCCESS) << r.body;
  EXPECT_EQ(std::uint64_t(doc["last_seq"]), 3u);
  ASSERT_EQ(doc["events"].get_array().size(), 2u);
  EXPECT_EQ(std::string_view(doc["events"].at(0)["kind"]), "position_opened");
  EXPECT_EQ(std::string_view(doc["events"].at(1)["level"]), "error");
  EXPECT_EQ(std::string_view(doc["events"].at(1)["text"]), "LEG RISK SOL: \"quoted\" line");
}

TEST(Views, PnlPerPeriodAndItsErrors) {
  Snapshot s = views_sample();
  for (const char* period : {"day", "week", "month"}) {
    const Served r = serve(s, std::string("/api/v1/pnl?period=") + period);
    ASSERT_EQ(r.status, 200u) << r.body;
    EXPECT_NE(r.body.find(std::string(R"({"period":")") + period + "\""), std::string::npos) << r.body;
  }
  const Served week = serve(s, "/api/v1/pnl?period=week");
  EXPECT_NE(week.body.find(R"("start":"2023-11-13")"), std::string::npos) << week.body;
  EXPECT_NE(week.body.find(R"("fees":"0.6515145","funding":"0","net":"-0.6515145"},"fills":2)"), std::string::npos);
  EXPECT_EQ(serve(s, "/api/v1/pnl?period=quarter").status, 400u);
  // Rendered again when a new report is published, not from a stale cache.
  Handler h("127.0.0.1", 8780, kUsPerSecond);
  h.publish(s);
  auto next = std::make_shared<PnlReport>(*s.pnl);
  next->total_funding = views_dec("0.31");
  s.pnl = next;
  h.publish(s);
  EXPECT_NE(h.handle(view_get("/api/v1/pnl"), s.taken_us)
                .body()
                .find(R"("total":{"spread":"0","fees":"0.6515145","funding":"0.31")"),
            std::string::npos);
  s.pnl = nullptr;
  EXPECT_EQ(serve(s, "/api/v1/pnl").status, 503u);
  auto failed = std::make_shared<PnlReport>();
  failed->error = "journal j.sqlite: cannot read positions";
  s.pnl = failed;
  const Served r = serve(s, "/api/v1/pnl");
  EXPECT_EQ(r.status, 503u);
  EXPECT_EQ(r.body, "journal j.sqlite: cannot read positions\n");
}

TEST(Views, ConfigIsServedAsGivenAndUnknownParametersAreRefused) {
  const Snapshot s = views_sample();
  const Served c = serve(s, "/api/v1/config");
  EXPECT_EQ(c.status, 200u);
  EXPECT_EQ(c.body, *s.config_json);
  const Served bad = serve(s, "/api/v1/positions?verbose=1");
  EXPECT_EQ(bad.status, 400u);
  EXPECT_EQ(bad.body, "unknown query parameter 'verbose'; allowed: none\n");
  Handler h("127.0.0.1", 8780, kUsPerSecond);
  EXPECT_EQ(h.handle(view_get("/api/v1/orders"), kViewsT0).result_int(), 503u);  // nothing published yet
  Request post = view_get("/api/v1/orders");
  post.method(http::verb::post);
  h.publish(s);
  EXPECT_EQ(h.handle(post, s.taken_us).result_int(), 405u);
  EXPECT_EQ(h.handle(view_get("/api/v1/orderz"), s.taken_us).result_int(), 404u);
}

}  // namespace
}  // namespace bparb::service
