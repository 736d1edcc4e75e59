// RestClient against a scripted Backpack-like HTTP server on 127.0.0.1 (tests/support/test_servers.hpp).
#include "bparb/venue/backpack/rest_client.hpp"

#include <gtest/gtest.h>

#include <array>
#include <optional>

#include "../../support/test_servers.hpp"
#include "bparb/venue/backpack/signer.hpp"

namespace bparb::backpack {
namespace {

using namespace std::chrono_literals;
using net::testing::HttpAction;
using net::testing::HttpTestServer;
using net::testing::run_for;
using net::testing::run_until;
using net::testing::SeenRequest;

constexpr std::int64_t kRestTs = 1614550000000;  // docs/backpack.md §1.5 test-vector timestamp

SigningKey rest_test_key() {
  std::array<std::uint8_t, 32> seed{};
  for (std::uint8_t i = 0; i < 32; ++i) seed[i] = i;
  return SigningKey::from_seed(seed);
}

HttpAction rest_json(unsigned status, std::string body) {
  HttpAction a;
  a.status = status;
  a.body = std::move(body);
  a.content_type = "application/json; charset=utf-8";
  return a;
}

const char* kOpenOrder =
    R"({"clientId":42,"createdAt":1753626206762,"executedQuantity":"0","executedQuoteQuantity":"0",)"
    R"("id":"4228978331","orderType":"Limit","postOnly":true,"price":"150.25","quantity":"0.5","reduceOnly":null,)"
    R"("relatedOrderId":null,"selfTradePrevention":"RejectTaker","side":"Bid","status":"New","symbol":"SOL_USDC",)"
    R"("timeInForce":"GTC","triggerBy":null,"triggerPrice":null,"triggerQuantity":null,"triggeredAt":null})";

class RestClientTest : public ::testing::Test {
 protected:
  RestClientTest() : clock_(kRestTs * kUsPerMs), key_(rest_test_key()), server_(ioc_) {}

  RestClient& client() {
    RestClientOptions o;
    return client(o);
  }
  RestClient& client(const RestClientOptions& in) {
    RestClientOptions o = in;
    o.http.base_url = server_.base_url();
    o.http.default_timeout_us = 2 * kUsPerSecond;
    o.retry_initial_us = 5 * kUsPerMs;
    client_ = std::make_unique<RestClient>(ioc_, clock_, o, &key_);
    return *client_;
  }

  template <class T>
  std::optional<RestResult<T>> wait(std::optional<RestResult<T>>& slot) {
    EXPECT_TRUE(run_until(ioc_, [&] { return slot.has_value(); }));
    return slot;
  }

  boost::asio::io_context ioc_;
  ManualClock clock_;
  SigningKey key_;
  HttpTestServer server_;
  std::unique_ptr<RestClient> client_;
};

TEST_F(RestClientTest, PublicDepthIsParsedAndUnsigned) {
  server_.set_handler([](const SeenRequest&) {
    return rest_json(200, R"({"asks":[["118318.3","0.00633"],["118567.2","0.08450"]],)"
                          R"("bids":[["1.0","0.38647"],["12.9","1.00000"]],"lastUpdateId":"1504999670",)"
                          R"("timestamp":1753102447307501})");
  });
  auto& c = client();
  std::optional<RestResult<DepthSnapshot>> res;
  c.get_depth("BTC_USDC", 100, [&](RestResult<DepthSnapshot>& r) { res = std::move(r); });
  ASSERT_TRUE(run_until(ioc_, [&] { return res.has_value(); }));
  ASSERT_TRUE(*res) << res->error().message;
  EXPECT_EQ((*res)->last_update_id, 1504999670);
  ASSERT_EQ((*res)->bids.size(), 2u);
  EXPECT_EQ((*res)->bids[1].price, Decimal::from_string("12.9"));
  ASSERT_EQ(server_.requests().size(), 1u);
  const auto& seen = server_.requests()[0];
  EXPECT_EQ(seen.target, "/api/v1/depth?symbol=BTC_USDC&limit=100");
  EXPECT_EQ(seen.raw.count("X-Signature"), 0u);
  EXPECT_EQ(seen.raw.count("X-API-Key"), 0u);
}

TEST_F(RestClientTest, SignedGetCarriesTheDocumentedSignature) {
  server_.set_handler(
      [](const SeenRequest&) { return rest_json(200, R"({"USDC":{"available":"120","locked":"0","staked":"0"}})"); });
  auto& c = client();
  std::optional<RestResult<std::vector<Balance>>> res;
  c.get_capital([&](RestResult<std::vector<Balance>>& r) { res = std::move(r); });
  ASSERT_TRUE(run_until(ioc_, [&] { return res.has_value(); }));
  ASSERT_TRUE(*res) << res->error().message;
  ASSERT_EQ((*res)->size(), 1u);
  EXPECT_EQ((**res)[0].available, Decimal::from_int(120));
  const auto& seen = server_.requests().at(0);
  EXPECT_EQ(seen.target, "/api/v1/capital");
  EXPECT_EQ(seen.raw["X-API-Key"], "A6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg=");
  EXPECT_EQ(seen.raw["X-Timestamp"], "1614550000000");
  EXPECT_EQ(seen.raw["X-Window"], "5000");
  // docs/backpack.md §1.5: instruction=balanceQuery&timestamp=1614550000000&window=5000
  EXPECT_EQ(seen.raw["X-Signature"],
            "nYfMx/rzW4i3vncDLl8SNxrjlZerfdUU1YvITOiclzGv0wbH0+CUQs4pH1hDKd/nhuhm1kBMs99y82z2j0gkDg==");
}

TEST_F(RestClientTest, SignedGetWithQuerySignsTheSortedParams) {
  server_.set_handler([](const SeenRequest&) { return rest_json(200, "[]"); });
  auto& c = client();
  FillsQuery q;
  q.symbol = "SOL_USDC_PERP";
  q.from_ms = 1700000000000;
  q.limit = 10;
  std::optional<RestResult<std::vector<Fill>>> res;
  c.get_fills(q, [&](RestResult<std::vector<Fill>>& r) { res = std::move(r); });
  ASSERT_TRUE(run_until(ioc_, [&] { return res.has_value(); }));
  ASSERT_TRUE(*res) << res->error().message;
  EXPECT_TRUE((*res)->empty());
  const auto& seen = server_.requests().at(0);
  EXPECT_EQ(seen.target, "/wapi/v1/history/fills?fillType=User&from=1700000000000&limit=10&symbol=SOL_USDC_PERP");
  const std::string signed_text =
      "instruction=fillHistoryQueryAll&fillType=User&from=1700000000000&limit=10&symbol=SOL_USDC_PERP"
      "&timestamp=1614550000000&window=5000";
  EXPECT_TRUE(
      verify_signature_base64(std::string(seen.raw["X-API-Key"]), std::string(seen.raw["X-Signature"]), signed_text));
}

TEST_F(RestClientTest, ExecuteOrderSendsSignedBodyAndParsesTheOrder) {
  server_.set_handler([](const SeenRequest&) { return rest_json(200, kOpenOrder); });
  auto& c = client();
  OrderRequest o;
  o.symbol = "SOL_USDC";
  o.side = Side::kBid;
  o.type = OrderType::kLimit;
  o.price = Decimal::from_string("150.25");
  o.quantity = Decimal::from_string("0.5");
  o.post_only = true;
  o.time_in_force = TimeInForce::kGtc;
  o.client_id = 42;
  std::optional<RestResult<Order>> res;
  c.execute_order(o, [&](RestResult<Order>& r) { res = std::move(r); });
  ASSERT_TRUE(run_until(ioc_, [&] { return res.has_value(); }));
  ASSERT_TRUE(*res) << res->error().message;
  EXPECT_EQ((*res)->id, "4228978331");
  EXPECT_EQ((*res)->status, OrderStatus::kNew);
  const auto& seen = server_.requests().at(0);
  EXPECT_EQ(seen.method, "POST");
  EXPECT_EQ(seen.target, "/api/v1/order");
  EXPECT_EQ(seen.raw["Content-Type"], "application/json; charset=utf-8");
  EXPECT_NE(seen.body.find(R"("price":"150.25")"), std::string::npos) << seen.body;
  // docs/backpack.md §1.5 test vector for exactly this order.
  EXPECT_EQ(seen.raw["X-Signature"],
            "Am2nHjbfoyHdzOVOy0v4K4Ud1QlFda/Ll+qvBkFje8cqgAKwMtG1PvGe7tNUF7YK+rgBeMC68OGAEwEGM5n3DQ==");
  EXPECT_EQ(c.counters().orders_sent, 1u);
}

TEST_F(RestClientTest, OrderTimeoutIsOutcomeUnknownNotRejected) {
  server_.set_handler([](const SeenRequest&) {
    HttpAction a = rest_json(200, kOpenOrder);
    a.delay = 2000ms;
    return a;
  });
  RestClientOptions opts;
  opts.order_timeout_us = 100 * kUsPerMs;
  auto& c = client(opts);
  OrderRequest o;
  o.symbol = "SOL_USDC";
  o.type = OrderType::kMarket;
  o.quantity = Decimal::from_string("1");
  std::optional<RestResult<Order>> res;
  c.execute_order(o, [&](RestResult<Order>& r) { res = std::move(r); });
  ASSERT_TRUE(run_until(ioc_, [&] { return res.has_value(); }));
  ASSERT_FALSE(*res);
  EXPECT_EQ(res->error().kind, RestErrorKind::kOutcomeUnknown);
  EXPECT_FALSE(res->error().definitely_not_applied());
  EXPECT_EQ(c.counters().outcome_unknown, 1u);
  EXPECT_EQ(server_.requests().size(), 1u);  // and it was not resent
}

TEST_F(RestClientTest, Order5xxIsOutcomeUnknown) {
  server_.set_handler(
      [](const SeenRequest&) { return rest_json(500, R"({"code":"SERVER_ERROR","message":"Internal"})"); });
  auto& c = client();
  CancelRequest cr;
  cr.symbol = "SOL_USDC";
  cr.order_id = "28";
  std::optional<RestResult<CancelResult>> res;
  c.cancel_order(cr, [&](RestResult<CancelResult>& r) { res = std::move(r); });
  ASSERT_TRUE(run_until(ioc_, [&] { return res.has_value(); }));
  ASSERT_FALSE(*res);
  EXPECT_EQ(res->error().kind, RestErrorKind::kOutcomeUnknown);
  EXPECT_EQ(res->error().http_status, 500);
  EXPECT_EQ(res->error().code, "SERVER_ERROR");
  const auto& seen = server_.requests().at(0);
  EXPECT_EQ(seen.method, "DELETE");
  // docs/backpack.md §1.5: instruction=orderCancel&orderId=28&symbol=BTC_USDT... (here SOL_USDC): verify.
  EXPECT_TRUE(verify_signature_base64(
      std::string(seen.raw["X-API-Key"]), std::string(seen.raw["X-Signature"]),
      "instruction=orderCancel&orderId=28&symbol=SOL_USDC&timestamp=1614550000000&window=5000"));
}

TEST_F(RestClientTest, Order4xxIsADefiniteReject) {
  server_.set_handler(
      [](const SeenRequest&) { return rest_json(400, R"({"code":"INVALID_ORDER","message":"Invalid order"})"); });
  auto& c = client();
  OrderRequest o;
  o.symbol = "SOL_USDC";
  o.price = Decimal::from_string("1");
  o.quantity = Decimal::from_string("1");
  std::optional<RestResult<Order>> res;
  c.execute_order(o, [&](RestResult<Order>& r) { res = std::move(r); });
  ASSERT_TRUE(run_until(ioc_, [&] { return res.has_value(); }));
  ASSERT_FALSE(*res);
  EXPECT_EQ(res->error().kind, RestErrorKind::kApi);
  EXPECT_EQ(res->error().code, "INVALID_ORDER");
  EXPECT_EQ(res->error().message, "Invalid order");
  EXPECT_EQ(res->error().http_status, 400);
  EXPECT_EQ(res->error().reject, RejectClass::kOther);
  EXPECT_TRUE(res->error().definitely_not_applied());
}

// Refusals that share INVALID_CLIENT_REQUEST are told apart where the answer is parsed, so callers test
// RestError::reject instead of the message text.
TEST_F(RestClientTest, ExpiredRequestIsClassifiedOnOrdersAndGets) {
  server_.set_handler([](const SeenRequest&) {
    return rest_json(400, R"({"code":"INVALID_CLIENT_REQUEST","message":"Request has expired"})");
  });
  auto& c = client();
  OrderRequest o;
  o.symbol = "SOL_USDC";
  o.price = Decimal::from_string("1");
  o.quantity = Decimal::from_string("1");
  std::optional<RestResult<Order>> res;
  std::optional<RestResult<std::vector<Order>>> open;
  c.execute_order(o, [&](RestResult<Order>& r) { res = std::move(r); });
  c.get_open_orders("SOL_USDC", [&](RestResult<std::vector<Order>>& r) { open = std::move(r); });
  ASSERT_TRUE(run_until(ioc_, [&] { return res.has_value() && open.has_value(); }));
  ASSERT_FALSE(*res);
  EXPECT_EQ(res->error().kind, RestErrorKind::kApi);
  EXPECT_EQ(res->error().code, "INVALID_CLIENT_REQUEST");
  EXPECT_EQ(res->error().reject, RejectClass::kRequestExpired);
  EXPECT_TRUE(res->error().definitely_not_applied());
  ASSERT_FALSE(*open);
  EXPECT_EQ(open->error().reject, RejectClass::kRequestExpired);
}

// docs/backpack.md §4: every code and wording in the table, and the class it gives.
TEST(BackpackRejects, EveryDocumentedCodeHasItsClass) {
  struct Row {
    const char* code;
    const char* message;
    RejectClass cls;
  };
  const Row rows[] = {
      {"INSUFFICIENT_FUNDS", "Insufficient funds", RejectClass::kInsufficientFunds},
      {"INSUFFICIENT_MARGIN", "Insufficient margin", RejectClass::kInsufficientFunds},
      {"INVALID_MARKET", "", RejectClass::kMarketUnavailable},
      {"INVALID_SYMBOL", "Invalid symbol", RejectClass::kMarketUnavailable},
      {"TRADING_PAUSED", "Trading is paused for this market", RejectClass::kMarketUnavailable},
      {"MAINTENANCE", "", RejectClass::kMarketUnavailable},
      {"FORBIDDEN", "", RejectClass::kAccountRefused},
      {"ACCOUNT_LIQUIDATING", "", RejectClass::kAccountRefused},
      {"ACCOUNT_DEACTIVATED", "", RejectClass::kAccountRefused},
      {"UNAUTHORIZED", "Unknown API key", RejectClass::kAccountRefused},
      {"POSITION_LIMIT", "", RejectClass::kPositionLimit},
      {"TOO_MANY_REQUESTS", "", RejectClass::kRateLimited},
      {"INVALID_SIGNATURE", "", RejectClass::kBadSignature},
      {"INVALID_PRICE", "Price is too far from the last active price", RejectClass::kPriceOutOfBand},
      {"INVALID_PRICE", "Price is out of bounds", RejectClass::kPriceOutOfBand},
      {"INVALID_PRICE", "Price must be positive", RejectClass::kOther},
      {"INVALID_ORDER", "Reduce only orders are only supported on futures markets", RejectClass::kReduceOnlyRefused},
      {"INVALID_ORDER", "Market is in cancel only mode", RejectClass::kMarketUnavailable},
      {"INVALID_ORDER", "Invalid order", RejectClass::kOther},
      {"INVALID_CLIENT_REQUEST", "Request has expired", RejectClass::kRequestExpired},
      {"INVALID_CLIENT_REQUEST", "Invalid signature", RejectClass::kBadSignature},
      {"INVALID_CLIENT_REQUEST", "Invalid X-Signature header", RejectClass::kBadSignature},
      {"INVALID_CLIENT_REQUEST", "Quantity decimal too long", RejectClass::kOffTickOrStep},
      {"INVALID_CLIENT_REQUEST", "Price decimal too long", RejectClass::kOffTickOrStep},
      {"INVALID_CLIENT_REQUEST", "Must specify both", RejectClass::kOther},
      {"INVALID_QUANTITY", "Quantity is below the minimum allowed value", RejectClass::kOther},
      {"RESOURCE_NOT_FOUND", "Order not found", RejectClass::kOther},
      {"SERVER_ERROR", "", RejectClass::kOther},
      // The message alone is not enough: another code with the same words is not an expired request.
      {"INVALID_ORDER", "Request has expired", RejectClass::kOther},
      {"", "Insufficient funds", RejectClass::kOther},
  };
  for (const Row& r : rows)
    EXPECT_EQ(reject_class_name(classify_reject(r.code, r.message)), reject_class_name(r.cls))
        << r.code << " " << r.message;
}

TEST_F(RestClientTest, Order429IsReturnedNotRetried) {
  server_.set_handler(
      [](const SeenRequest&) { return rest_json(429, R"({"code":"TOO_MANY_REQUESTS","message":"slow down"})"); });
  auto& c = client();
  OrderRequest o;
  o.symbol = "SOL_USDC";
  o.price = Decimal::from_string("1");
  o.quantity = Decimal::from_string("1");
  std::optional<RestResult<Order>> res;
  c.execute_order(o, [&](RestResult<Order>& r) { res = std::move(r); });
  ASSERT_TRUE(run_until(ioc_, [&] { return res.has_value(); }));
  ASSERT_FALSE(*res);
  EXPECT_EQ(res->error().kind, RestErrorKind::kRateLimited);
  EXPECT_EQ(res->error().reject, RejectClass::kRateLimited);
  EXPECT_TRUE(res->error().definitely_not_applied());
  run_for(ioc_, 30ms);
  EXPECT_EQ(server_.requests().size(), 1u);
}

TEST_F(RestClientTest, Get429IsRetriedWithBackoff) {
  int calls = 0;
  server_.set_handler([&](const SeenRequest&) {
    ++calls;
    if (calls <= 2) return rest_json(429, R"({"code":"TOO_MANY_REQUESTS","message":"x"})");
    return rest_json(200, "[]");
  });
  auto& c = client();
  std::optional<RestResult<std::vector<Order>>> res;
  c.get_open_orders("SOL_USDC", [&](RestResult<std::vector<Order>>& r) { res = std::move(r); });
  ASSERT_TRUE(run_until(ioc_, [&] { return res.has_value(); }));
  ASSERT_TRUE(*res) << res->error().message;
  EXPECT_EQ(calls, 3);
  EXPECT_EQ(c.counters().retries_429, 2u);
  // Each retry was re-signed: the same timestamp here only because the ManualClock does not move.
  for (const auto& r : server_.requests()) EXPECT_EQ(r.raw["X-Timestamp"], "1614550000000");
}

TEST_F(RestClientTest, Get429GivesUpAfterMaxRetries) {
  server_.set_handler([](const SeenRequest&) { return rest_json(429, "rate limited"); });
  RestClientOptions opts;
  opts.max_429_retries = 2;
  auto& c = client(opts);
  std::optional<RestResult<std::vector<Ticker>>> res;
  c.get_tickers([&](RestResult<std::vector<Ticker>>& r) { res = std::move(r); });
  ASSERT_TRUE(run_until(ioc_, [&] { return res.has_value(); }));
  ASSERT_FALSE(*res);
  EXPECT_EQ(res->error().kind, RestErrorKind::kRateLimited);
  EXPECT_EQ(res->error().http_status, 429);
  EXPECT_EQ(server_.requests().size(), 3u);
}

// One back-off per venue: an order's 429 holds the polls and queries (GETs) until it ends; orders still go.
TEST_F(RestClientTest, An429OnAnOrderHoldsTheGetsUntilTheBackOffEnds) {
  int calls = 0;
  server_.set_handler([&](const SeenRequest&) {
    if (++calls == 1) return rest_json(429, R"({"code":"TOO_MANY_REQUESTS","message":"slow down"})");
    return rest_json(200, "[]");
  });
  RestClientOptions opts;
  opts.http.base_url = server_.base_url();
  opts.http.default_timeout_us = 2 * kUsPerSecond;
  opts.retry_initial_us = 400 * kUsPerMs;  // long enough to see the GET held
  RestClient held(ioc_, clock_, opts, &key_);
  OrderRequest o;
  o.symbol = "SOL_USDC";
  o.price = Decimal::from_string("1");
  o.quantity = Decimal::from_string("1");
  std::optional<RestResult<Order>> order;
  held.execute_order(o, [&](RestResult<Order>& r) { order = std::move(r); });
  ASSERT_TRUE(run_until(ioc_, [&] { return order.has_value(); }));
  EXPECT_EQ(order->error().kind, RestErrorKind::kRateLimited);
  EXPECT_TRUE(held.counters().backing_off);
  EXPECT_EQ(held.counters().backoffs, 1u);

  std::optional<RestResult<std::vector<Order>>> poll;
  held.get_open_orders("SOL_USDC", [&](RestResult<std::vector<Order>>& r) { poll = std::move(r); });
  run_for(ioc_, 100ms);
  EXPECT_FALSE(poll.has_value());
  EXPECT_EQ(server_.requests().size(), 1u);  // the GET waits for the back-off
  EXPECT_EQ(held.counters().held_by_backoff, 1u);
  ASSERT_TRUE(run_until(ioc_, [&] { return poll.has_value(); }));
  EXPECT_TRUE(*poll);
  EXPECT_FALSE(held.counters().backing_off);
  EXPECT_EQ(server_.requests().size(), 2u);
}

// When a back-off ends, one held GET goes first (a probe); the others wait for its answer, so the back-off does
// not end in a burst. Here the probe meets a second 429: the other GET goes only after the probe's retry.
TEST_F(RestClientTest, AfterTheBackOffOneHeldGetGoesFirst) {
  int calls = 0;
  server_.set_handler([&](const SeenRequest&) {
    if (++calls <= 2) return rest_json(429, R"({"code":"TOO_MANY_REQUESTS","message":"slow down"})");
    return rest_json(200, "[]");
  });
  auto& c = client();
  OrderRequest o;
  o.symbol = "SOL_USDC";
  o.price = Decimal::from_string("1");
  o.quantity = Decimal::from_string("1");
  std::optional<RestResult<Order>> order;
  c.execute_order(o, [&](RestResult<Order>& r) { order = std::move(r); });
  ASSERT_TRUE(run_until(ioc_, [&] { return order.has_value(); }));
  std::optional<RestResult<std::vector<Order>>> first;
  std::optional<RestResult<std::vector<Ticker>>> second;
  c.get_open_orders("SOL_USDC", [&](RestResult<std::vector<Order>>& r) { first = std::move(r); });
  c.get_tickers([&](RestResult<std::vector<Ticker>>& r) { second = std::move(r); });
  ASSERT_TRUE(run_until(ioc_, [&] { return first.has_value() && second.has_value(); }));
  EXPECT_TRUE(*first);
  EXPECT_TRUE(*second);
  const auto& seen = server_.requests();
  ASSERT_EQ(seen.size(), 4u);
  EXPECT_EQ(seen[0].method, "POST");
  EXPECT_TRUE(seen[1].target.starts_with("/api/v1/orders")) << seen[1].target;  // the probe: 429
  EXPECT_TRUE(seen[2].target.starts_with("/api/v1/orders")) << seen[2].target;  // its retry: 200
  EXPECT_TRUE(seen[3].target.starts_with("/api/v1/tickers")) << seen[3].target;
  EXPECT_EQ(c.counters().backoffs, 2u);
}

// The venue's Retry-After (delta seconds) sets the back-off's length instead of the doubling.
TEST_F(RestClientTest, RetryAfterSetsTheBackOffsLength) {
  int calls = 0;
  server_.set_handler([&](const SeenRequest&) {
    if (++calls > 1) return rest_json(200, "[]");
    HttpAction a = rest_json(429, R"({"code":"TOO_MANY_REQUESTS","message":"x"})");
    a.headers.emplace_back("Retry-After", "1");
    return a;
  });
  auto& c = client();  // retry_initial_us 5 ms: without the header the retry would go at once
  std::optional<RestResult<std::vector<Ticker>>> res;
  c.get_tickers([&](RestResult<std::vector<Ticker>>& r) { res = std::move(r); });
  run_for(ioc_, 300ms);
  EXPECT_FALSE(res.has_value());
  EXPECT_EQ(server_.requests().size(), 1u);
  EXPECT_TRUE(c.counters().backing_off);
  ASSERT_TRUE(run_until(ioc_, [&] { return res.has_value(); }));
  EXPECT_TRUE(*res);
  EXPECT_EQ(c.counters().retries_429, 1u);
  EXPECT_FALSE(c.counters().backing_off);
}

TEST_F(RestClientTest, ConnectFailureOnAnOrderIsNotSentNotUnknown) {
  RestClientOptions opts;
  opts.http.base_url = "http://127.0.0.1:" + std::to_string(net::testing::unused_port(ioc_));
  RestClient c(ioc_, clock_, opts, &key_);
  OrderRequest o;
  o.symbol = "SOL_USDC";
  o.price = Decimal::from_string("1");
  o.quantity = Decimal::from_string("1");
  std::optional<RestResult<Order>> res;
  c.execute_order(o, [&](RestResult<Order>& r) { res = std::move(r); });
  ASSERT_TRUE(run_until(ioc_, [&] { return res.has_value(); }));
  ASSERT_FALSE(*res);
  EXPECT_EQ(res->error().kind, RestErrorKind::kTransport);
  EXPECT_EQ(res->error().code, "connect_failed");
  EXPECT_TRUE(res->error().definitely_not_applied());
}

TEST_F(RestClientTest, Cancel202IsPending) {
  server_.set_handler([](const SeenRequest&) {
    HttpAction a;
    a.status = 202;
    a.body = "";
    return a;
  });
  auto& c = client();
  CancelRequest cr;
  cr.symbol = "SOL_USDC";
  cr.client_id = 7;
  std::optional<RestResult<CancelResult>> res;
  c.cancel_order(cr, [&](RestResult<CancelResult>& r) { res = std::move(r); });
  ASSERT_TRUE(run_until(ioc_, [&] { return res.has_value(); }));
  ASSERT_TRUE(*res) << res->error().message;
  EXPECT_TRUE((*res)->pending);
  EXPECT_FALSE((*res)->order.has_value());
  EXPECT_NE(server_.requests().at(0).body.find(R"("clientId":7)"), std::string::npos);
}

TEST_F(RestClientTest, CancelAllParsesCancelledOrders) {
  server_.set_handler([](const SeenRequest&) { return rest_json(200, std::string("[") + kOpenOrder + "]"); });
  auto& c = client();
  std::optional<RestResult<CancelAllResult>> res;
  c.cancel_all("SOL_USDC", CancelAllKind::kAll, [&](RestResult<CancelAllResult>& r) { res = std::move(r); });
  ASSERT_TRUE(run_until(ioc_, [&] { return res.has_value(); }));
  ASSERT_TRUE(*res) << res->error().message;
  EXPECT_FALSE((*res)->pending);
  ASSERT_EQ((*res)->orders.size(), 1u);
  EXPECT_EQ(server_.requests().at(0).target, "/api/v1/orders");
}

TEST_F(RestClientTest, OrderQuery404MeansNotResting) {
  server_.set_handler([](const SeenRequest& r) {
    if (r.target.find("orderId=1") != std::string::npos) {
      return rest_json(404, R"({"code":"RESOURCE_NOT_FOUND","message":"Order not found"})");
    }
    return rest_json(200, kOpenOrder);
  });
  auto& c = client();
  std::optional<RestResult<std::optional<Order>>> gone, resting;
  c.get_order("SOL_USDC", "1", [&](RestResult<std::optional<Order>>& r) { gone = std::move(r); });
  c.get_order_by_client_id("SOL_USDC", 42, [&](RestResult<std::optional<Order>>& r) { resting = std::move(r); });
  ASSERT_TRUE(run_until(ioc_, [&] { return gone && resting; }));
  ASSERT_TRUE(*gone);
  EXPECT_FALSE((*gone)->has_value());
  ASSERT_TRUE(*resting);
  ASSERT_TRUE((*resting)->has_value());
  EXPECT_EQ((**resting)->id, "4228978331");
}

TEST_F(RestClientTest, SyncTimeOffsetIsAppliedToTimestamps) {
  server_.set_handler([](const SeenRequest& r) {
    if (r.target == "/api/v1/time") {
      HttpAction a;
      a.body = "1614550005000";
      return a;
    }
    return rest_json(200, R"({"USDC":{"available":"1","locked":"0","staked":"0"}})");
  });
  auto& c = client();
  std::optional<RestResult<ServerTimeSync>> sync;
  c.sync_time([&](RestResult<ServerTimeSync>& r) { sync = std::move(r); });
  ASSERT_TRUE(run_until(ioc_, [&] { return sync.has_value(); }));
  ASSERT_TRUE(*sync) << sync->error().message;
  EXPECT_EQ((*sync)->server_ms, 1614550005000);
  EXPECT_EQ((*sync)->offset_ms, 5000);  // ManualClock: zero RTT
  EXPECT_EQ(c.time_offset_ms(), 5000);
  EXPECT_EQ(c.timestamp_ms(), kRestTs + 5000);
  std::optional<RestResult<std::vector<Balance>>> cap;
  c.get_capital([&](RestResult<std::vector<Balance>>& r) { cap = std::move(r); });
  ASSERT_TRUE(run_until(ioc_, [&] { return cap.has_value(); }));
  EXPECT_EQ(server_.requests().at(1).raw["X-Timestamp"], "1614550005000");
}

TEST_F(RestClientTest, SyncTimeRejectsNonNumericBody) {
  server_.set_handler([](const SeenRequest&) {
    HttpAction a;
    a.body = "<html>maintenance</html>";
    return a;
  });
  auto& c = client();
  std::optional<RestResult<ServerTimeSync>> sync;
  c.sync_time([&](RestResult<ServerTimeSync>& r) { sync = std::move(r); });
  ASSERT_TRUE(run_until(ioc_, [&] { return sync.has_value(); }));
  ASSERT_FALSE(*sync);
  EXPECT_EQ(sync->error().kind, RestErrorKind::kParse);
  EXPECT_EQ(c.time_offset_ms(), 0);
}

TEST_F(RestClientTest, SelfImposedRateLimitDelaysGetsAndRefusesOrders) {
  server_.set_handler([](const SeenRequest&) { return rest_json(200, kOpenOrder); });
  RestClientOptions opts;
  opts.rate_limit = {.requests_per_minute = 1200, .burst = 2, .reserved_for_orders = 1};
  auto& c = client(opts);
  OrderRequest o;
  o.symbol = "SOL_USDC";
  o.price = Decimal::from_string("1");
  o.quantity = Decimal::from_string("1");
  std::optional<RestResult<std::optional<Order>>> g1, g2;
  std::optional<RestResult<Order>> o1, o2;
  c.get_order("SOL_USDC", "5", [&](RestResult<std::optional<Order>>& r) { g1 = std::move(r); });  // token 2 -> 1
  c.get_order("SOL_USDC", "6", [&](RestResult<std::optional<Order>>& r) { g2 = std::move(r); });  // must wait
  c.execute_order(o, [&](RestResult<Order>& r) { o1 = std::move(r); });  // takes the reserved token
  c.execute_order(o, [&](RestResult<Order>& r) { o2 = std::move(r); });  // refused locally
  ASSERT_TRUE(run_until(ioc_, [&] { return g1 && o1 && o2; }));
  ASSERT_TRUE(*g1);
  ASSERT_TRUE(*o1);
  ASSERT_FALSE(*o2);
  EXPECT_EQ(o2->error().kind, RestErrorKind::kRateLimited);
  EXPECT_EQ(o2->error().code, "LOCAL_RATE_LIMIT");
  EXPECT_EQ(o2->error().reject, RejectClass::kRateLimited);
  EXPECT_TRUE(o2->error().definitely_not_applied());
  EXPECT_FALSE(g2.has_value());
  EXPECT_EQ(server_.requests().size(), 2u);
  clock_.advance_us(60 * kUsPerSecond);  // the bucket refills (in Clock time)
  ASSERT_TRUE(run_until(ioc_, [&] { return g2.has_value(); }));
  ASSERT_TRUE(*g2);
  EXPECT_EQ(server_.requests().size(), 3u);
}

TEST_F(RestClientTest, InvalidOrderIsRefusedLocally) {
  auto& c = client();
  OrderRequest o;  // Limit without price or quantity
  o.symbol = "SOL_USDC";
  std::optional<RestResult<Order>> res;
  c.execute_order(o, [&](RestResult<Order>& r) { res = std::move(r); });
  EXPECT_FALSE(res.has_value());  // asynchronous even for local errors
  ASSERT_TRUE(run_until(ioc_, [&] { return res.has_value(); }));
  ASSERT_FALSE(*res);
  EXPECT_EQ(res->error().kind, RestErrorKind::kInvalidRequest);
  EXPECT_TRUE(server_.requests().empty());
}

TEST_F(RestClientTest, SignedCallsWithoutAKeyAreRefused) {
  RestClientOptions opts;
  opts.http.base_url = server_.base_url();
  RestClient c(ioc_, clock_, opts, nullptr);
  std::optional<RestResult<AccountSummary>> acc;
  std::optional<RestResult<Order>> ord;
  c.get_account([&](RestResult<AccountSummary>& r) { acc = std::move(r); });
  OrderRequest o;
  o.symbol = "SOL_USDC";
  o.price = Decimal::from_string("1");
  o.quantity = Decimal::from_string("1");
  c.execute_order(o, [&](RestResult<Order>& r) { ord = std::move(r); });
  ASSERT_TRUE(run_until(ioc_, [&] { return acc && ord; }));
  ASSERT_FALSE(*acc);
  EXPECT_EQ(acc->error().kind, RestErrorKind::kInvalidRequest);
  ASSERT_FALSE(*ord);
  EXPECT_EQ(ord->error().kind, RestErrorKind::kInvalidRequest);
  EXPECT_TRUE(server_.requests().empty());
}

TEST_F(RestClientTest, ErrorBodiesAndGarbageOnGets) {
  server_.set_handler([](const SeenRequest& r) {
    if (r.target.starts_with("/api/v1/ticker")) return rest_json(400, R"({"code":"INVALID_SYMBOL","message":"bad"})");
    if (r.target.starts_with("/api/v1/markPrices")) return rest_json(200, R"({"not":"an array"})");
    return rest_json(502, "<html>bad gateway</html>");
  });
  auto& c = client();
  std::optional<RestResult<Ticker>> t;
  std::optional<RestResult<std::vector<MarkPrice>>> m;
  std::optional<RestResult<std::vector<MarketSpec>>> mk;
  c.get_ticker("NOPE", [&](RestResult<Ticker>& r) { t = std::move(r); });
  c.get_mark_prices("SOL_USDC_PERP", [&](RestResult<std::vector<MarkPrice>>& r) { m = std::move(r); });
  c.get_markets([&](RestResult<std::vector<MarketSpec>>& r) { mk = std::move(r); });
  ASSERT_TRUE(run_until(ioc_, [&] { return t && m && mk; }));
  ASSERT_FALSE(*t);
  EXPECT_EQ(t->error().kind, RestErrorKind::kApi);
  EXPECT_EQ(t->error().code, "INVALID_SYMBOL");
  ASSERT_FALSE(*m);
  EXPECT_EQ(m->error().kind, RestErrorKind::kParse);
  ASSERT_FALSE(*mk);
  EXPECT_EQ(mk->error().kind, RestErrorKind::kHttp);
  EXPECT_EQ(mk->error().http_status, 502);
  EXPECT_EQ(mk->error().message, "<html>bad gateway</html>");
}

TEST_F(RestClientTest, Unparseable2xxOnAnOrderIsOutcomeUnknown) {
  server_.set_handler([](const SeenRequest&) { return rest_json(200, R"({"id":)"); });
  auto& c = client();
  OrderRequest o;
  o.symbol = "SOL_USDC";
  o.price = Decimal::from_string("1");
  o.quantity = Decimal::from_string("1");
  std::optional<RestResult<Order>> res;
  c.execute_order(o, [&](RestResult<Order>& r) { res = std::move(r); });
  ASSERT_TRUE(run_until(ioc_, [&] { return res.has_value(); }));
  ASSERT_FALSE(*res);
  EXPECT_EQ(res->error().kind, RestErrorKind::kOutcomeUnknown);
}

TEST_F(RestClientTest, RejectsBadWindow) {
  RestClientOptions opts;
  opts.http.base_url = server_.base_url();
  opts.window_ms = 60001;
  EXPECT_THROW(RestClient(ioc_, clock_, opts, &key_), std::invalid_argument);
}

}  // namespace
}  // namespace bparb::backpack
