// bpsim REST over real loopback sockets: public endpoints, signed order round trip, auth failures,
// batch Ok/Err, history endpoints, control endpoints.
#include <gtest/gtest.h>

#include <algorithm>

#include "bpsim_test_util.hpp"

namespace bpsim_test {
namespace {

class BpsimRest : public ::testing::Test {
 protected:
  BpsimRest() : sim_(), http_(sim_.port()) {}
  SimProcess sim_;
  HttpConn http_;
  bp::SigningKey key_ = test_key();
  HttpConn::Auth auth() { return HttpConn::Auth{&key_}; }
};

TEST_F(BpsimRest, MarketsListAllDefaultMarketsWithExchangeTypes) {
  auto r = http_.get("/api/v1/markets");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "application/json; charset=utf-8");
  Json j(r.body);
  ASSERT_TRUE(j.ok);
  simdjson::dom::array arr;
  ASSERT_EQ(j.root.get_array().get(arr), simdjson::SUCCESS);
  EXPECT_EQ(arr.size(), 10u);
  bool saw_perp = false;
  for (auto m : arr) {
    if (str_of(m, "symbol") != "SOL_USDC_PERP") continue;
    saw_perp = true;
    EXPECT_EQ(str_of(m, "marketType"), "PERP");
    EXPECT_EQ(str_of(m, "baseSymbol"), "SOL");
    EXPECT_EQ(str_of(m, "quoteSymbol"), "USDC");
    EXPECT_EQ(int_of(m, "fundingInterval"), 3600000);  // a JSON number, ms
    EXPECT_EQ(str_of(m["filters"]["price"].value(), "tickSize"), "0.01");
    EXPECT_EQ(str_of(m["filters"]["quantity"].value(), "stepSize"), "0.01");
    EXPECT_EQ(str_of(m["imfFunction"].value(), "type"), "sqrt");
    EXPECT_EQ(str_of(m, "orderBookState"), "Open");
  }
  EXPECT_TRUE(saw_perp);

  auto spot_only = http_.get("/api/v1/markets?marketType=SPOT");
  Json js(spot_only.body);
  simdjson::dom::array spots;
  ASSERT_EQ(js.root.get_array().get(spots), simdjson::SUCCESS);
  EXPECT_EQ(spots.size(), 5u);
  for (auto m : spots) {
    EXPECT_EQ(str_of(m, "marketType"), "SPOT");
    EXPECT_TRUE(is_null(m, "fundingInterval"));
    EXPECT_TRUE(is_null(m, "imfFunction"));
  }
  EXPECT_EQ(http_.get("/api/v1/markets?marketType=FUTURE").status, 400);

  auto one = http_.get("/api/v1/market?symbol=BTC_USDC_PERP");
  ASSERT_EQ(one.status, 200);
  Json jo(one.body);
  EXPECT_EQ(str_of(jo.root, "symbol"), "BTC_USDC_PERP");
  EXPECT_EQ(http_.get("/api/v1/market?symbol=DOGE_USDC").status, 400);
  EXPECT_EQ(http_.get("/api/v1/market").status, 400);
}

TEST_F(BpsimRest, DepthIsAscendingOnBothSidesWithStringUpdateIdAndMicrosecondTimestamp) {
  const std::int64_t before_us = bparb::SystemClock().now_us();
  auto r = http_.get("/api/v1/depth?symbol=SOL_USDC_PERP&limit=5");
  ASSERT_EQ(r.status, 200);
  Json j(r.body);
  ASSERT_TRUE(j.ok);
  std::string_view last_update;
  ASSERT_EQ(j.root["lastUpdateId"].get_string().get(last_update), simdjson::SUCCESS);  // a string
  EXPECT_GT(std::stoll(std::string(last_update)), 0);
  const std::int64_t ts = int_of(j.root, "timestamp");
  EXPECT_GE(ts, before_us - 5'000'000);  // µs, near now
  EXPECT_LE(ts, bparb::SystemClock().now_us() + 5'000'000);
  for (const char* side : {"asks", "bids"}) {
    simdjson::dom::array levels;
    ASSERT_EQ(j.root[side].get_array().get(levels), simdjson::SUCCESS);
    ASSERT_EQ(levels.size(), 5u) << side;
    Decimal prev;
    bool first = true;
    for (auto lvl : levels) {
      std::string_view px, qty;
      ASSERT_EQ(lvl.at(0).get_string().get(px), simdjson::SUCCESS);
      ASSERT_EQ(lvl.at(1).get_string().get(qty), simdjson::SUCCESS);
      Decimal p = Decimal::from_string(px);
      if (!first) {
        EXPECT_LT(prev, p) << side << " must be ascending";
      }
      prev = p;
      first = false;
    }
  }
  // Best bid (last bid) below best ask (first ask).
  std::string_view best_bid, best_ask;
  simdjson::dom::array bids, asks;
  ASSERT_EQ(j.root["bids"].get_array().get(bids), simdjson::SUCCESS);
  ASSERT_EQ(j.root["asks"].get_array().get(asks), simdjson::SUCCESS);
  ASSERT_EQ(bids.at(4).at(0).get_string().get(best_bid), simdjson::SUCCESS);
  ASSERT_EQ(asks.at(0).at(0).get_string().get(best_ask), simdjson::SUCCESS);
  EXPECT_LT(Decimal::from_string(best_bid), Decimal::from_string(best_ask));

  EXPECT_EQ(http_.get("/api/v1/depth?symbol=SOL_USDC_PERP&limit=7").status, 400);
  EXPECT_EQ(http_.get("/api/v1/depth?symbol=NOPE").status, 400);
  EXPECT_EQ(http_.get("/api/v1/depth").status, 400);
}

TEST_F(BpsimRest, TickerMarkPricesFundingTradesStatusPingTime) {
  auto t = http_.get("/api/v1/ticker?symbol=SOL_USDC");
  ASSERT_EQ(t.status, 200);
  Json jt(t.body);
  EXPECT_EQ(str_of(jt.root, "symbol"), "SOL_USDC");
  std::string_view trades;
  EXPECT_EQ(jt.root["trades"].get_string().get(trades), simdjson::SUCCESS);  // string per spec
  EXPECT_TRUE(has(jt.root, "lastPrice"));

  auto ts = http_.get("/api/v1/tickers");
  Json jts(ts.body);
  simdjson::dom::array tarr;
  ASSERT_EQ(jts.root.get_array().get(tarr), simdjson::SUCCESS);
  EXPECT_EQ(tarr.size(), 10u);

  auto mp = http_.get("/api/v1/markPrices");
  Json jm(mp.body);
  simdjson::dom::array marr;
  ASSERT_EQ(jm.root.get_array().get(marr), simdjson::SUCCESS);
  EXPECT_EQ(marr.size(), 5u);  // perps by default
  for (auto m : marr) {
    EXPECT_NE(str_of(m, "symbol").find("_PERP"), std::string::npos);
    EXPECT_GT(int_of(m, "nextFundingTimestamp"), 0);
    EXPECT_EQ(int_of(m, "nextFundingTimestamp") % 3'600'000, 0);  // on the hourly grid
    EXPECT_TRUE(has(m, "fundingRate"));
  }
  auto mp1 = http_.get("/api/v1/markPrices?symbol=ETH_USDC_PERP");
  Json jm1(mp1.body);
  simdjson::dom::array m1;
  ASSERT_EQ(jm1.root.get_array().get(m1), simdjson::SUCCESS);  // array even with symbol
  ASSERT_EQ(m1.size(), 1u);
  EXPECT_EQ(str_of(m1.at(0).value(), "symbol"), "ETH_USDC_PERP");

  auto fr = http_.get("/api/v1/fundingRates?symbol=SOL_USDC_PERP");
  EXPECT_EQ(fr.status, 200);
  EXPECT_EQ(fr.headers.count("X-TOTAL"), 1u);
  EXPECT_EQ(http_.get("/api/v1/fundingRates").status, 400);

  auto tr = http_.get("/api/v1/trades?symbol=SOL_USDC&limit=10");
  EXPECT_EQ(tr.status, 200);
  EXPECT_EQ(tr.body.front(), '[');
  EXPECT_EQ(http_.get("/api/v1/trades?symbol=SOL_USDC&limit=abc").status, 400);

  auto st = http_.get("/api/v1/status");
  EXPECT_EQ(st.body, R"({"message":null,"status":"Ok"})");

  auto ping = http_.get("/api/v1/ping");
  EXPECT_EQ(ping.status, 200);
  EXPECT_EQ(ping.body, "pong");
  EXPECT_EQ(ping.content_type.rfind("text/plain", 0), 0u);

  auto tm = http_.get("/api/v1/time");
  EXPECT_EQ(tm.content_type.rfind("text/plain", 0), 0u);
  const std::int64_t server_ms = std::stoll(tm.body);
  EXPECT_LT(std::abs(server_ms - wall_ms()), 5000);

  auto assets = http_.get("/api/v1/assets");
  EXPECT_EQ(assets.status, 200);
  EXPECT_NE(assets.body.find("\"symbol\":\"USDC\""), std::string::npos);
}

TEST_F(BpsimRest, UnknownPathIs404JsonAndKeepAliveReusesOneConnection) {
  auto r = http_.get("/api/v1/nope");
  EXPECT_EQ(r.status, 404);
  Json j(r.body);
  EXPECT_EQ(str_of(j.root, "code"), "RESOURCE_NOT_FOUND");
  EXPECT_EQ(http_.request(http::verb::put, "/api/v1/order").status, 404);
  // All of the above and these ran on the single connection http_ holds.
  for (int i = 0; i < 5; ++i) EXPECT_EQ(http_.get("/api/v1/ping").body, "pong");
  const auto conns = sim_.on_server([&] { return sim_.server_unsafe().counters().http_connections; });
  EXPECT_EQ(conns, 1u);
}

TEST_F(BpsimRest, SignedOrderRoundTrip) {
  // Place a resting post-only bid far below the market.
  bp::OrderRequest o = far_bid("SOL_USDC", "100.00", "2.50");
  o.client_id = 42;
  o.price_decimals = 2;
  o.quantity_decimals = 2;
  auto placed = http_.signed_order(o, auth());
  ASSERT_EQ(placed.status, 200) << placed.body;
  Json jp(placed.body);
  EXPECT_EQ(str_of(jp.root, "status"), "New");
  EXPECT_EQ(str_of(jp.root, "orderType"), "Limit");
  EXPECT_EQ(int_of(jp.root, "clientId"), 42);
  EXPECT_EQ(dec_of(jp.root, "price"), Decimal::from_int(100));
  EXPECT_EQ(dec_of(jp.root, "quantity"), Decimal::from_string("2.5"));
  EXPECT_EQ(dec_of(jp.root, "executedQuantity"), Decimal::zero());
  EXPECT_TRUE(is_null(jp.root, "triggerPrice"));               // nulls emitted like the real API
  EXPECT_GT(int_of(jp.root, "createdAt"), 1'600'000'000'000);  // ms int
  const std::string id = str_of(jp.root, "id");

  // Balance: 250 USDC locked.
  auto cap = http_.signed_get("/api/v1/capital", {}, auth());
  ASSERT_EQ(cap.status, 200) << cap.body;
  Json jc(cap.body);
  EXPECT_EQ(dec_of(jc.root["USDC"].value(), "locked"), Decimal::from_int(250));
  EXPECT_EQ(dec_of(jc.root["USDC"].value(), "available"), Decimal::from_int(100000 - 250));

  auto q = http_.signed_get("/api/v1/order", {{"symbol", "SOL_USDC"}, {"orderId", id}}, auth());
  ASSERT_EQ(q.status, 200) << q.body;
  EXPECT_EQ(str_of(Json(q.body).root, "id"), id);
  auto qc = http_.signed_get("/api/v1/order", {{"symbol", "SOL_USDC"}, {"clientId", "42"}}, auth());
  ASSERT_EQ(qc.status, 200) << qc.body;

  auto open = http_.signed_get("/api/v1/orders", {{"symbol", "SOL_USDC"}}, auth());
  ASSERT_EQ(open.status, 200);
  EXPECT_NE(open.body.find("\"id\":\"" + id + "\""), std::string::npos);

  bp::CancelRequest c;
  c.symbol = "SOL_USDC";
  c.order_id = id;
  auto cancelled = http_.signed_cancel(c, auth());
  ASSERT_EQ(cancelled.status, 200) << cancelled.body;
  EXPECT_EQ(str_of(Json(cancelled.body).root, "status"), "Cancelled");

  auto gone = http_.signed_get("/api/v1/order", {{"symbol", "SOL_USDC"}, {"orderId", id}}, auth());
  EXPECT_EQ(gone.status, 404);
  EXPECT_EQ(str_of(Json(gone.body).root, "code"), "RESOURCE_NOT_FOUND");

  // History shows it with a naive ISO createdAt.
  auto hist = http_.signed_get("/wapi/v1/history/orders", {{"symbol", "SOL_USDC"}}, auth());
  ASSERT_EQ(hist.status, 200) << hist.body;
  Json jh(hist.body);
  simdjson::dom::array harr;
  ASSERT_EQ(jh.root.get_array().get(harr), simdjson::SUCCESS);
  ASSERT_GE(harr.size(), 1u);
  EXPECT_EQ(str_of(harr.at(0).value(), "status"), "Cancelled");
  EXPECT_EQ(str_of(harr.at(0).value(), "createdAt").size(), std::string("2025-07-27T18:05:40.897").size());
}

TEST_F(BpsimRest, TakerOrderFillsAndShowsInFillsHistoryAccountAndPositions) {
  // Market buy 1 SOL perp: fills against the model's ask ladder, opens a long position.
  bp::OrderRequest o;
  o.symbol = "SOL_USDC_PERP";
  o.side = bparb::Side::kBid;
  o.type = bparb::OrderType::kMarket;
  o.quantity = Decimal::one();
  auto r = http_.signed_order(o, auth());
  ASSERT_EQ(r.status, 200) << r.body;
  Json j(r.body);
  EXPECT_EQ(str_of(j.root, "status"), "Filled");
  EXPECT_EQ(dec_of(j.root, "executedQuantity"), Decimal::one());
  EXPECT_FALSE(has(j.root, "price"));  // MarketOrder shape
  const Decimal quote = dec_of(j.root, "executedQuoteQuantity");
  EXPECT_GT(quote, Decimal::from_int(100));
  const std::string id = str_of(j.root, "id");

  auto fills = http_.signed_get("/wapi/v1/history/fills", {{"symbol", "SOL_USDC_PERP"}, {"fillType", "User"}}, auth());
  ASSERT_EQ(fills.status, 200) << fills.body;
  Json jf(fills.body);
  simdjson::dom::array farr;
  ASSERT_EQ(jf.root.get_array().get(farr), simdjson::SUCCESS);
  ASSERT_GE(farr.size(), 1u);
  Decimal filled, notional, fees;
  for (auto f : farr) {
    EXPECT_EQ(str_of(f, "orderId"), id);
    EXPECT_EQ(str_of(f, "feeSymbol"), "USDC");
    bool maker = true;
    EXPECT_EQ(f["isMaker"].get_bool().get(maker), simdjson::SUCCESS);
    EXPECT_FALSE(maker);
    EXPECT_GT(int_of(f, "tradeId"), 0);
    filled += dec_of(f, "quantity");
    notional += dec_of(f, "price").mul(dec_of(f, "quantity"), bparb::Rounding::kNearest);
    fees += dec_of(f, "fee");
  }
  EXPECT_EQ(filled, Decimal::one());
  EXPECT_EQ(notional, quote);
  // Taker fee 5 bps of the notional (Tier 1 perp), per fill rounded by the exchange: within 1e-6.
  const Decimal expected_fee = quote.mul(Decimal::from_string("0.0005"), bparb::Rounding::kNearest);
  EXPECT_LE((fees - expected_fee).abs(), Decimal::from_string("0.000001"));
  EXPECT_EQ(http_.signed_get("/wapi/v1/history/fills", {{"fillType", "Adl"}}, auth()).body, "[]");

  auto pos = http_.signed_get("/api/v1/position", {}, auth());
  ASSERT_EQ(pos.status, 200) << pos.body;
  Json jpos(pos.body);
  simdjson::dom::array parr;
  ASSERT_EQ(jpos.root.get_array().get(parr), simdjson::SUCCESS);
  ASSERT_EQ(parr.size(), 1u);
  EXPECT_EQ(str_of(parr.at(0).value(), "symbol"), "SOL_USDC_PERP");
  EXPECT_EQ(dec_of(parr.at(0).value(), "netQuantity"), Decimal::one());
  std::string_view pid;
  EXPECT_EQ(parr.at(0)["positionId"].get_string().get(pid), simdjson::SUCCESS);

  auto acct = http_.signed_get("/api/v1/account", {}, auth());
  ASSERT_EQ(acct.status, 200) << acct.body;
  Json ja(acct.body);
  EXPECT_EQ(dec_of(ja.root, "futuresTakerFee"), Decimal::from_int(5));
  EXPECT_EQ(dec_of(ja.root, "spotMakerFee"), Decimal::from_int(8));

  auto coll = http_.signed_get("/api/v1/capital/collateral", {}, auth());
  ASSERT_EQ(coll.status, 200) << coll.body;
  Json jcol(coll.body);
  EXPECT_GT(dec_of(jcol.root, "netEquity"), Decimal::from_int(90000));
  EXPECT_TRUE(has(jcol.root, "collateral"));

  auto funding = http_.signed_get("/wapi/v1/history/funding", {}, auth());
  EXPECT_EQ(funding.status, 200) << funding.body;
  EXPECT_EQ(funding.body, "[]");  // no settlement has happened yet
}

TEST_F(BpsimRest, AuthFailuresAnswer400WithExchangeCodes) {
  auto code_msg = [](const HttpResult& r) {
    Json j(r.body);
    return str_of(j.root, "code") + "|" + str_of(j.root, "message");
  };
  // Missing headers.
  auto none = http_.get("/api/v1/capital");
  EXPECT_EQ(none.status, 400);
  EXPECT_EQ(code_msg(none), "INVALID_CLIENT_REQUEST|Missing header X-API-Key");

  // Expired: timestamp 10 s ago with a 5 s window.
  HttpConn::Auth old = auth();
  old.timestamp_ms = wall_ms() - 10'000;
  auto expired = http_.signed_get("/api/v1/capital", {}, old);
  EXPECT_EQ(expired.status, 400);
  EXPECT_EQ(code_msg(expired), "INVALID_CLIENT_REQUEST|Request has expired");
  // ... but fine with a 60 s window.
  old.window_ms = 60'000;
  EXPECT_EQ(http_.signed_get("/api/v1/capital", {}, old).status, 200);

  // Bad signature: signed by another key but sent with ours.
  bp::SigningKey other = key_from_byte(0x40);
  bp::RequestWriter w;
  bp::WrittenRequest wr;
  bp::RequestAuth ra{&other, wall_ms(), 5000};
  ASSERT_EQ(w.write_query("balanceQuery", {}, ra, wr), bp::RequestError::kOk);
  auto bad = http_.request(http::verb::get, "/api/v1/capital", {},
                           {{"X-API-Key", key_.public_key_base64()},
                            {"X-Signature", std::string(wr.signature)},
                            {"X-Timestamp", std::string(wr.timestamp)},
                            {"X-Window", "5000"}});
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(code_msg(bad), "INVALID_CLIENT_REQUEST|Invalid signature");

  // Tampered body: signature was for price 100.00, body says 101.00.
  bp::OrderRequest o = far_bid("SOL_USDC", "100.00", "1");
  ASSERT_EQ(w.write_order(o, bp::RequestAuth{&key_, wall_ms(), 5000}, wr), bp::RequestError::kOk);
  std::string body(wr.body);
  body.replace(body.find("100"), 3, "101");
  auto tampered = http_.request(http::verb::post, "/api/v1/order", body,
                                {{"X-API-Key", key_.public_key_base64()},
                                 {"X-Signature", std::string(wr.signature)},
                                 {"X-Timestamp", std::string(wr.timestamp)},
                                 {"X-Window", std::string(wr.window)}});
  EXPECT_EQ(tampered.status, 400);
  EXPECT_EQ(code_msg(tampered), "INVALID_CLIENT_REQUEST|Invalid signature");

  // Unknown key: valid signature by a key that is not a bpsim account.
  auto unknown = http_.signed_get("/api/v1/capital", {}, HttpConn::Auth{&other});
  EXPECT_EQ(unknown.status, 400);
  EXPECT_EQ(code_msg(unknown), "UNAUTHORIZED|Unknown API key");

  // Window above 60000.
  ASSERT_EQ(w.write_query("balanceQuery", {}, bp::RequestAuth{&key_, wall_ms(), 60'000}, wr), bp::RequestError::kOk);
  auto too_wide = http_.request(http::verb::get, "/api/v1/capital", {},
                                {{"X-API-Key", key_.public_key_base64()},
                                 {"X-Signature", std::string(wr.signature)},
                                 {"X-Timestamp", std::string(wr.timestamp)},
                                 {"X-Window", "60001"}});
  EXPECT_EQ(code_msg(too_wide), "INVALID_CLIENT_REQUEST|Invalid X-Window header");

  // No X-Window header: the default 5000 must be what was signed.
  HttpConn::Auth no_window = auth();
  no_window.send_window = false;
  EXPECT_EQ(http_.signed_get("/api/v1/capital", {}, no_window).status, 200);

  // Garbage timestamp.
  auto garbage = http_.request(
      http::verb::get, "/api/v1/capital", {},
      {{"X-API-Key", key_.public_key_base64()}, {"X-Signature", std::string(wr.signature)}, {"X-Timestamp", "soon"}});
  EXPECT_EQ(code_msg(garbage), "INVALID_CLIENT_REQUEST|Invalid X-Timestamp header");
}

TEST_F(BpsimRest, MalformedOrderBodiesGetClearAnswers) {
  auto send_raw = [&](const std::string& body) {
    // Sign exactly nothing useful: parse errors come before authentication.
    return http_.request(http::verb::post, "/api/v1/order", body,
                         {{"X-API-Key", key_.public_key_base64()}, {"X-Signature", "x"}, {"X-Timestamp", "1"}});
  };
  for (const std::string body : {"", "{", "[]", R"({"symbol":"SOL_USDC","side":"Up","orderType":"Limit"})",
                                 R"({"symbol":"SOL_USDC","side":"Bid","orderType":"Limit","price":"abc"})"}) {
    auto r = send_raw(body);
    EXPECT_EQ(r.status, 400) << body;
    Json j(r.body);
    EXPECT_EQ(str_of(j.root, "code"), "INVALID_CLIENT_REQUEST") << body;
    EXPECT_NE(str_of(j.root, "message").find("parse request payload error"), std::string::npos) << r.body;
  }
  // Valid JSON, bad business values -> the exchange's own code (tick violation).
  bp::OrderRequest o = far_bid("SOL_USDC", "100.001", "1");
  auto tick = http_.signed_order(o, auth());
  EXPECT_EQ(tick.status, 400) << tick.body;
  EXPECT_NE(str_of(Json(tick.body).root, "code").find("INVALID"), std::string::npos) << tick.body;
}

TEST_F(BpsimRest, BatchAnswersOkAndErrPerOrder) {
  std::vector<bp::OrderRequest> orders;
  orders.push_back(far_bid("SOL_USDC", "100.00", "1"));
  orders.push_back(far_bid("SOL_USDC", "100.001", "1"));  // off tick -> Err
  orders.push_back(far_bid("SOL_USDC_PERP", "101.00", "2"));
  auto r = http_.signed_batch(orders, auth());
  ASSERT_EQ(r.status, 200) << r.body;
  Json j(r.body);
  simdjson::dom::array arr;
  ASSERT_EQ(j.root.get_array().get(arr), simdjson::SUCCESS);
  ASSERT_EQ(arr.size(), 3u);
  EXPECT_EQ(str_of(arr.at(0).value(), "operation"), "Ok");
  EXPECT_EQ(str_of(arr.at(0).value(), "status"), "New");
  EXPECT_EQ(str_of(arr.at(1).value(), "operation"), "Err");
  EXPECT_FALSE(str_of(arr.at(1).value(), "code").empty());
  EXPECT_FALSE(str_of(arr.at(1).value(), "message").empty());
  EXPECT_EQ(str_of(arr.at(2).value(), "operation"), "Ok");
  EXPECT_EQ(str_of(arr.at(2).value(), "symbol"), "SOL_USDC_PERP");

  auto open = http_.signed_get("/api/v1/orders", {}, auth());
  Json jo(open.body);
  simdjson::dom::array oarr;
  ASSERT_EQ(jo.root.get_array().get(oarr), simdjson::SUCCESS);
  EXPECT_EQ(oarr.size(), 2u);
  auto perp_only = http_.signed_get("/api/v1/orders", {{"marketType", "PERP"}}, auth());
  Json jpo(perp_only.body);
  simdjson::dom::array parr;
  ASSERT_EQ(jpo.root.get_array().get(parr), simdjson::SUCCESS);
  EXPECT_EQ(parr.size(), 1u);

  auto all = http_.signed_cancel_all("SOL_USDC", auth());
  ASSERT_EQ(all.status, 200) << all.body;
  Json ja(all.body);
  simdjson::dom::array carr;
  ASSERT_EQ(ja.root.get_array().get(carr), simdjson::SUCCESS);
  ASSERT_EQ(carr.size(), 1u);
  EXPECT_EQ(str_of(carr.at(0).value(), "status"), "Cancelled");

  // Cancel with neither id.
  bp::CancelRequest none;
  none.symbol = "SOL_USDC";
  bp::RequestWriter w;
  bp::WrittenRequest wr;
  EXPECT_NE(w.write_cancel(none, bp::RequestAuth{&key_, wall_ms(), 5000}, wr), bp::RequestError::kOk);
}

TEST_F(BpsimRest, ControlEndpointsValidateInput) {
  auto bad_key = http_.post("/_bpsim/faults", R"({"http_492":1})");
  EXPECT_EQ(bad_key.status, 400);
  EXPECT_NE(bad_key.body.find("http_492"), std::string::npos);
  auto bad_range = http_.post("/_bpsim/faults", R"({"fill_ratio_cap":"1.5"})");
  EXPECT_EQ(bad_range.status, 400);
  EXPECT_NE(bad_range.body.find("fill_ratio_cap"), std::string::npos);
  EXPECT_EQ(http_.post("/_bpsim/faults", "not json").status, 400);
  EXPECT_EQ(http_.post("/_bpsim/scenario", R"({"teleport":true})").status, 400);

  auto sc = http_.post("/_bpsim/scenario", R"({"background_trading":false,"set_basis":{"symbol":"SUI","bps":40}})");
  ASSERT_EQ(sc.status, 200) << sc.body;
  Json j(sc.body);
  double basis = 0;
  ASSERT_EQ(j.root["coins"]["SUI"]["basis_bps"].get_double().get(basis), simdjson::SUCCESS);
  EXPECT_NEAR(basis, 40.0, 1e-6);
  bool bg = true;
  ASSERT_EQ(j.root["background_trading"].get_bool().get(bg), simdjson::SUCCESS);
  EXPECT_FALSE(bg);

  auto dep = http_.post("/_bpsim/scenario",
                        R"({"deposit":{"api_key":")" + key_.public_key_base64() + R"(","asset":"ETH","amount":"2"}})");
  ASSERT_EQ(dep.status, 200) << dep.body;
  auto cap = http_.signed_get("/api/v1/capital", {}, auth());
  EXPECT_EQ(dec_of(Json(cap.body).root["ETH"].value(), "available"), Decimal::from_int(2));
}

}  // namespace
}  // namespace bpsim_test
