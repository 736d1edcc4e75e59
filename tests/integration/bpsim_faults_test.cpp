// Every bpsim fault kind, switched on through the control endpoint (POST /_bpsim/faults) and
// observed from the client side, plus the counters GET /_bpsim/faults reports.
#include <gtest/gtest.h>

#include "bpsim_test_util.hpp"

namespace bpsim_test {
namespace {

class BpsimFaults : public ::testing::Test {
 protected:
  BpsimFaults() : sim_(), http_(sim_.port()) {}

  void set_faults(const std::string& json) {
    auto r = http_.post("/_bpsim/faults", json);
    ASSERT_EQ(r.status, 200) << r.body;
  }
  std::int64_t counter(const char* name) {
    auto r = http_.get("/_bpsim/faults");
    Json j(r.body);
    return int_of(j.root["counters"].value(), name);
  }
  void wait_subscribers(const std::string& stream) {
    for (int i = 0; i < 200; ++i) {
      if (sim_.on_server([&] { return sim_.server_unsafe().hub().subscriber_count(stream); }) >= 1) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    FAIL() << "no subscriber on " << stream;
  }
  HttpResult place(const bp::OrderRequest& o) { return http_.signed_order(o, HttpConn::Auth{&key_}); }

  SimProcess sim_;
  HttpConn http_;
  bp::SigningKey key_ = test_key();
};

bp::OrderRequest faults_market(std::string_view symbol, bparb::Side side, const char* qty) {
  bp::OrderRequest o;
  o.symbol = symbol;
  o.side = side;
  o.type = bparb::OrderType::kMarket;
  o.quantity = Decimal::from_string(qty);
  return o;
}

TEST_F(BpsimFaults, Http429BurstThenNormal) {
  set_faults(R"({"http_429": 2})");
  auto a = http_.get("/api/v1/ping");
  auto b = http_.get("/api/v1/markets");
  auto c = http_.get("/api/v1/ping");
  EXPECT_EQ(a.status, 429);
  EXPECT_EQ(str_of(Json(a.body).root, "code"), "TOO_MANY_REQUESTS");
  EXPECT_EQ(b.status, 429);
  EXPECT_EQ(c.status, 200);
  EXPECT_EQ(counter("http_429"), 2);
}

TEST_F(BpsimFaults, Http503AfterPlaceStillPlacesTheOrder) {
  set_faults(R"({"http_503_after_place": 1})");
  auto r = place(far_bid("SOL_USDC", "100.00", "1"));
  EXPECT_EQ(r.status, 503);
  auto open = http_.signed_get("/api/v1/orders", {{"symbol", "SOL_USDC"}}, HttpConn::Auth{&key_});
  Json j(open.body);
  simdjson::dom::array arr;
  ASSERT_EQ(j.root.get_array().get(arr), simdjson::SUCCESS);
  EXPECT_EQ(arr.size(), 1u);                                         // the order exists although the client saw 503
  EXPECT_EQ(place(far_bid("SOL_USDC", "100.00", "1")).status, 200);  // one-shot
  EXPECT_EQ(counter("http_503_after_place"), 1);
}

TEST_F(BpsimFaults, RejectOrdersForOneMarketOnly) {
  set_faults(R"({"reject_orders": ["SOL_USDC"]})");
  auto r = place(far_bid("SOL_USDC", "100.00", "1"));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(str_of(Json(r.body).root, "code"), "INVALID_ORDER");
  EXPECT_EQ(place(far_bid("SOL_USDC_PERP", "100.00", "1")).status, 200);
  std::vector<bp::OrderRequest> batch{far_bid("SOL_USDC", "100.00", "1"), far_bid("SOL_USDC_PERP", "100.00", "1")};
  auto b = http_.signed_batch(batch, HttpConn::Auth{&key_});
  ASSERT_EQ(b.status, 200) << b.body;
  Json jb(b.body);
  simdjson::dom::array arr;
  ASSERT_EQ(jb.root.get_array().get(arr), simdjson::SUCCESS);
  EXPECT_EQ(str_of(arr.at(0).value(), "operation"), "Err");
  EXPECT_EQ(str_of(arr.at(1).value(), "operation"), "Ok");
  EXPECT_EQ(counter("orders_rejected"), 2);
  set_faults(R"({"reject_orders": []})");
  EXPECT_EQ(place(far_bid("SOL_USDC", "100.00", "1")).status, 200);
}

TEST_F(BpsimFaults, FillRatioCapForcesPartialFills) {
  set_faults(R"({"fill_ratio_cap": "0.5"})");
  auto r = place(faults_market("SOL_USDC_PERP", bparb::Side::kBid, "3"));
  ASSERT_EQ(r.status, 200) << r.body;
  Json j(r.body);
  EXPECT_EQ(dec_of(j.root, "quantity"), Decimal::from_int(3));  // as requested
  EXPECT_EQ(dec_of(j.root, "executedQuantity"), Decimal::from_string("1.5"));
  EXPECT_EQ(str_of(j.root, "status"), "Expired");
  EXPECT_EQ(counter("fills_capped"), 1);
  // GTC limit orders are not capped (documented).
  set_faults(R"({"fill_ratio_cap": "1"})");
  auto full = place(faults_market("SOL_USDC_PERP", bparb::Side::kBid, "3"));
  EXPECT_EQ(str_of(Json(full.body).root, "status"), "Filled");
}

TEST_F(BpsimFaults, ClockSkewShiftsServerTimeAndSignatureExpiry) {
  set_faults(R"({"clock_skew_ms": 30000})");
  const std::int64_t server = std::stoll(http_.get("/api/v1/time").body);
  EXPECT_GT(server - wall_ms(), 25'000);
  // Signed with the client's unskewed clock and a 5 s window: the server thinks it expired.
  auto r = http_.signed_get("/api/v1/capital", {}, HttpConn::Auth{&key_});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(str_of(Json(r.body).root, "message"), "Request has expired");
  // A client that synced to /api/v1/time succeeds.
  HttpConn::Auth synced{&key_, server};
  EXPECT_EQ(http_.signed_get("/api/v1/capital", {}, synced).status, 200);
  EXPECT_GE(counter("skewed_time_answers"), 2);
}

TEST_F(BpsimFaults, RestLatencyIsAddedAndCounted) {
  set_faults(R"({"rest_latency_ms": {"min": 20, "max": 40}})");
  for (int i = 0; i < 3; ++i) EXPECT_EQ(http_.get("/api/v1/ping").body, "pong");
  set_faults(R"({"rest_latency_ms": 0})");
  EXPECT_EQ(counter("rest_delayed"), 3);
}

TEST_F(BpsimFaults, DepthGapSkipsAnUpdateId) {
  WsConn ws(sim_.port());
  ws.send(subscribe_msg({"depth.SOL_USDC"}));
  wait_subscribers("depth.SOL_USDC");
  const std::int64_t before =
      std::stoll(str_of(Json(http_.get("/api/v1/depth?symbol=SOL_USDC").body).root, "lastUpdateId"));
  set_faults(R"({"depth_gap": {"symbol": "SOL_USDC", "count": 1}})");
  ASSERT_EQ(place(far_bid("SOL_USDC", "101.00", "1")).status, 200);  // its delta is withheld
  ASSERT_EQ(place(far_bid("SOL_USDC", "102.00", "1")).status, 200);
  ASSERT_EQ(place(far_bid("SOL_USDC", "103.00", "1")).status, 200);
  auto f1 = ws.next();
  auto f2 = ws.next();
  ASSERT_TRUE(f1 && f2);
  Json j1(*f1), j2(*f2);
  const auto d1 = j1.root["data"].value(), d2 = j2.root["data"].value();
  EXPECT_GT(int_of(d1, "U"), before + 1);           // the client sees U != prev u + 1
  EXPECT_EQ(int_of(d2, "U"), int_of(d1, "u") + 1);  // later frames are contiguous again
  EXPECT_EQ(counter("depth_gaps"), 1);
  EXPECT_FALSE(ws.next(std::chrono::milliseconds(100)).has_value());
}

TEST_F(BpsimFaults, StalledStreamSendsNothingUntilTheStallEnds) {
  WsConn ws(sim_.port());
  ws.send(subscribe_msg({"depth.SOL_USDC", "depth.BTC_USDC"}));
  wait_subscribers("depth.BTC_USDC");
  set_faults(R"({"stall": {"stream": "depth.SOL_USDC", "seconds": 1}})");
  ASSERT_EQ(place(far_bid("SOL_USDC", "101.00", "1")).status, 200);
  ASSERT_EQ(place(far_bid("BTC_USDC", "50000.0", "0.001")).status, 200);
  auto f = ws.next();
  ASSERT_TRUE(f.has_value());
  EXPECT_TRUE(frame_on(*f, "depth.BTC_USDC")) << *f;  // only the unstalled stream
  EXPECT_FALSE(ws.next(std::chrono::milliseconds(100)).has_value());
  EXPECT_EQ(counter("stalled_frames"), 1);
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  ASSERT_EQ(place(far_bid("SOL_USDC", "102.00", "1")).status, 200);
  auto g = ws.next();
  ASSERT_TRUE(g.has_value());
  EXPECT_TRUE(frame_on(*g, "depth.SOL_USDC")) << *g;
}

TEST_F(BpsimFaults, MalformedFrameIsNotValidJson) {
  WsConn ws(sim_.port());
  ws.send(subscribe_msg({"depth.SOL_USDC"}));
  wait_subscribers("depth.SOL_USDC");
  set_faults(R"({"malformed_frames": 1})");
  ASSERT_EQ(place(far_bid("SOL_USDC", "101.00", "1")).status, 200);
  ASSERT_EQ(place(far_bid("SOL_USDC", "102.00", "1")).status, 200);
  auto bad = ws.next();
  auto good = ws.next();
  ASSERT_TRUE(bad && good);
  EXPECT_FALSE(Json(*bad).ok) << *bad;
  EXPECT_TRUE(Json(*good).ok) << *good;
  EXPECT_EQ(counter("malformed_frames"), 1);
}

TEST_F(BpsimFaults, WsLatencyDelaysButKeepsOrder) {
  WsConn ws(sim_.port());
  ws.send(subscribe_msg({"depth.SOL_USDC"}));
  wait_subscribers("depth.SOL_USDC");
  set_faults(R"({"ws_latency_ms": {"min": 5, "max": 50}})");
  for (const char* px : {"101.00", "102.00", "103.00", "104.00"}) {
    ASSERT_EQ(place(far_bid("SOL_USDC", px, "1")).status, 200);
  }
  std::int64_t prev_u = -1;
  for (int i = 0; i < 4; ++i) {
    auto f = ws.next();
    ASSERT_TRUE(f.has_value());
    Json j(*f);
    auto d = j.root["data"].value();
    if (prev_u >= 0) {
      EXPECT_EQ(int_of(d, "U"), prev_u + 1);
    }
    prev_u = int_of(d, "u");
  }
  EXPECT_EQ(counter("ws_delayed"), 4);
}

TEST_F(BpsimFaults, DropWsNowAndPeriodically) {
  WsConn a(sim_.port()), b(sim_.port());
  ASSERT_TRUE(a.ok() && b.ok());
  for (int i = 0; i < 200; ++i) {
    if (sim_.on_server([&] { return sim_.server_unsafe().ws_connection_count(); }) == 2) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  set_faults(R"({"drop_ws": true})");
  EXPECT_TRUE(a.wait_closed(std::chrono::milliseconds(2000)));
  EXPECT_TRUE(b.wait_closed(std::chrono::milliseconds(2000)));
  EXPECT_EQ(counter("ws_drops"), 1);
  EXPECT_EQ(counter("ws_connections_dropped"), 2);

  set_faults(R"({"drop_ws_every_s": 1})");
  WsConn c(sim_.port());
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE(c.wait_closed(std::chrono::milliseconds(3000)));
  EXPECT_GE(counter("ws_drops"), 2);
  set_faults(R"({"drop_ws_every_s": 0})");
}

// A cancel answered 202 has not happened yet: the order still rests after the answer and is gone once the
// effect delay has passed; the cancel after it is answered as usual.
TEST_F(BpsimFaults, CancelAcceptedAnswers202AndTakesEffectLater) {
  set_faults(R"({"cancel_accepted": 1, "cancel_accepted_effect_ms": 300})");
  bp::OrderRequest o = far_bid("SOL_USDC_PERP", "100.00", "1");
  o.client_id = 71;
  ASSERT_EQ(place(o).status, 200);
  bp::CancelRequest c;
  c.symbol = "SOL_USDC_PERP";
  c.client_id = 71;
  const auto answer = http_.signed_cancel(c, HttpConn::Auth{&key_});
  EXPECT_EQ(answer.status, 202);
  EXPECT_TRUE(answer.body.empty()) << answer.body;
  auto open_count = [&] {
    auto r = http_.signed_get("/api/v1/orders", {{"symbol", "SOL_USDC_PERP"}}, HttpConn::Auth{&key_});
    Json j(r.body);
    simdjson::dom::array arr;
    EXPECT_EQ(j.root.get_array().get(arr), simdjson::SUCCESS) << r.body;
    return arr.size();
  };
  EXPECT_EQ(open_count(), 1u) << "the accepted cancel took effect at once";
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  EXPECT_EQ(open_count(), 0u) << "the accepted cancel never took effect";
  EXPECT_EQ(counter("cancels_accepted"), 1);
  // One-shot: the next cancel is answered 200 with the order (here: it is gone already).
  o.client_id = 72;
  ASSERT_EQ(place(o).status, 200);
  c.client_id = 72;
  const auto second = http_.signed_cancel(c, HttpConn::Auth{&key_});
  EXPECT_EQ(second.status, 200) << second.body;
  EXPECT_EQ(str_of(Json(second.body).root, "status"), "Cancelled");
}

// A delayed cancel is carried out and answered late; the order can trade while the cancel waits.
TEST_F(BpsimFaults, CancelLatencyCarriesTheCancelOutLate) {
  set_faults(R"({"cancel_latency_ms": 400})");
  bp::OrderRequest o = far_bid("SOL_USDC_PERP", "100.00", "1");
  o.client_id = 81;
  ASSERT_EQ(place(o).status, 200);
  // While the cancel waits, a taker fills the order on the simulator's thread.
  std::atomic<std::int64_t> filled{-1};
  std::thread taker([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(150));
    filled = sim_.on_server([&] {
      sim::Exchange& ex = sim_.runtime_unsafe().exchange();
      const auto acct = ex.find_account(key_.public_key_base64());
      const auto open = ex.open_orders(*acct, std::string_view("SOL_USDC_PERP"));
      if (open.size() != 1) return std::int64_t{0};
      return ex.fill_resting(open[0].id, sim_.runtime_unsafe().model()->taker_account(), 1'000'000);
    });
  });
  bp::CancelRequest c;
  c.symbol = "SOL_USDC_PERP";
  c.client_id = 81;
  const auto started = std::chrono::steady_clock::now();
  const auto answer = http_.signed_cancel(c, HttpConn::Auth{&key_});
  const auto waited = std::chrono::steady_clock::now() - started;
  taker.join();
  EXPECT_GE(waited, std::chrono::milliseconds(400));
  EXPECT_GT(filled.load(), 0) << "the order was no longer resting while its cancel waited";
  // The order filled while the cancel waited: the late cancel finds nothing to cancel.
  EXPECT_NE(answer.status, 200) << answer.body;
  EXPECT_EQ(counter("cancels_delayed"), 1);
  set_faults(R"({"cancel_latency_ms": 0})");
}

TEST_F(BpsimFaults, ResetClearsSettingsButKeepsCounters) {
  set_faults(R"({"http_429": 1, "clock_skew_ms": 100, "reject_orders": ["BTC_USDC"]})");
  EXPECT_EQ(http_.get("/api/v1/ping").status, 429);
  set_faults(R"({"reset": true, "http_429": 0})");
  auto r = http_.get("/_bpsim/faults");
  Json j(r.body);
  auto s = j.root["settings"].value();
  EXPECT_EQ(int_of(s, "clock_skew_ms"), 0);
  EXPECT_EQ(int_of(j.root["counters"].value(), "http_429"), 1);
  EXPECT_NE(r.body.find("\"reject_orders\":[]"), std::string::npos);
}

// Faults configured at start-up (config [faults]) apply from the first request.
TEST(BpsimFaultsConfig, StartupFaultsApply) {
  sim::SimConfig cfg = test_config();
  cfg.faults.http_429_next = 1;
  cfg.faults.reject_order_symbols = {"ETH_USDC"};
  SimProcess s(cfg);
  HttpConn http(s.port());
  EXPECT_EQ(http.get("/api/v1/ping").status, 429);
  EXPECT_EQ(http.get("/api/v1/ping").status, 200);
  bp::SigningKey key = test_key();
  auto r = http.signed_order(far_bid("ETH_USDC", "1000.00", "0.01"), HttpConn::Auth{&key});
  EXPECT_EQ(r.status, 400);
}

}  // namespace
}  // namespace bpsim_test
