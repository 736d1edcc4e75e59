// RestClient's pooled order path (reused order slots, lent requests): many orders in flight (more than
// the 16 slots it starts with, so it adds slots), orders placed from inside a callback, answers of
// different sizes into a reused result, and no callback once the client is gone.
#include <gtest/gtest.h>

#include <array>
#include <map>
#include <optional>
#include <string>

#include "../../support/test_servers.hpp"
#include "bparb/venue/backpack/rest_client.hpp"
#include "bparb/venue/backpack/signer.hpp"

namespace bparb::backpack {
namespace {

using namespace std::chrono_literals;
using net::testing::HttpAction;
using net::testing::HttpTestServer;
using net::testing::run_for;
using net::testing::run_until;
using net::testing::SeenRequest;

SigningKey slots_test_key() {
  std::array<std::uint8_t, 32> seed{};
  for (std::uint8_t i = 0; i < 32; ++i) seed[i] = static_cast<std::uint8_t>(100 + i);
  return SigningKey::from_seed(seed);
}

std::string order_json(const std::string& client_id, const char* symbol) {
  return R"({"clientId":)" + client_id +
         R"(,"createdAt":1753626206762,"executedQuantity":"0","executedQuoteQuantity":"0","id":"4228978331",)"
         R"("orderType":"Limit","postOnly":false,"price":"150.25","quantity":"0.5","reduceOnly":null,)"
         R"("selfTradePrevention":"RejectTaker","side":"Bid","status":"New","symbol":")" +
         symbol + R"(","timeInForce":"IOC"})";
}

// Every "clientId":N in a request body, in order.
std::vector<std::string> client_ids(const std::string& body) {
  std::vector<std::string> out;
  const std::string key = "\"clientId\":";
  for (std::size_t at = body.find(key); at != std::string::npos; at = body.find(key, at + 1)) {
    const std::size_t b = at + key.size();
    out.push_back(body.substr(b, body.find_first_not_of("0123456789", b) - b));
  }
  return out;
}

// Answers an order with that order, a batch with one Ok element per leg (+ an Err for a leg whose
// client id ends in 9), each echoing the leg's client id.
HttpAction echo(const SeenRequest& r) {
  HttpAction a;
  a.content_type = "application/json; charset=utf-8";
  const auto ids = client_ids(r.body);
  if (r.target == "/api/v1/order") {
    a.body = order_json(ids.empty() ? "0" : ids[0], "SOL_USDC");
    return a;
  }
  a.body = "[";
  for (const auto& id : ids) {
    if (a.body.size() > 1) a.body += ',';
    if (id.back() == '9') {
      a.body += R"({"operation":"Err","code":"INVALID_ORDER","message":"Invalid order"})";
    } else {
      a.body += R"({"operation":"Ok",)" + order_json(id, "SOL_USDC_PERP").substr(1);
    }
  }
  a.body += "]";
  return a;
}

OrderRequest slots_order(std::uint32_t client_id, std::string_view symbol = "SOL_USDC") {
  OrderRequest o;
  o.symbol = symbol;
  o.side = Side::kBid;
  o.type = OrderType::kLimit;
  o.price = Decimal::from_string("150.25");
  o.quantity = Decimal::from_string("0.5");
  o.time_in_force = TimeInForce::kIoc;
  o.client_id = client_id;
  return o;
}

class RestClientSlots : public ::testing::Test {
 protected:
  RestClientSlots() : clock_(1614550000000 * kUsPerMs), key_(slots_test_key()), server_(ioc_, echo) {}
  std::unique_ptr<RestClient> make_client() {
    RestClientOptions o;
    o.http.base_url = server_.base_url();
    o.http.default_timeout_us = 2 * kUsPerSecond;
    o.rate_limit.burst = 10'000;
    o.rate_limit.requests_per_minute = 100'000;
    return std::make_unique<RestClient>(ioc_, clock_, o, &key_);
  }
  boost::asio::io_context ioc_;
  ManualClock clock_;
  SigningKey key_;
  HttpTestServer server_;
};

TEST_F(RestClientSlots, MoreBatchesInFlightThanSlotsEachGetsItsOwnAnswer) {
  auto client = make_client();
  constexpr int kBatches = 40;  // more than the 16 order slots RestClient starts with: it adds slots
  std::map<int, std::vector<std::uint32_t>> answered;
  int errors = 0;
  for (int i = 0; i < kBatches; ++i) {
    const std::array<OrderRequest, 2> legs = {slots_order(1000 + 2 * i), slots_order(1001 + 2 * i, "SOL_USDC_PERP")};
    client->execute_batch(legs, [&answered, &errors, i](RestResult<std::vector<BatchOrderResult>>& r) {
      if (!r) return void(++errors);
      for (const auto& e : *r) answered[i].push_back(e.ok ? e.order.client_id.value_or(0) : 1u);
    });
  }
  ASSERT_TRUE(run_until(
      ioc_, [&] { return static_cast<int>(answered.size()) + errors == kBatches; }, 5s));
  EXPECT_EQ(errors, 0);
  for (int i = 0; i < kBatches; ++i) {
    const std::uint32_t a = 1000 + 2 * i, b = 1001 + 2 * i;
    // Leg ids ending in 9 were answered with an Err element (reported as 1 here).
    const std::vector<std::uint32_t> want = {a % 10 == 9 ? 1u : a, b % 10 == 9 ? 1u : b};
    EXPECT_EQ(answered[i], want) << "batch " << i;
  }
  EXPECT_EQ(client->counters().orders_sent, static_cast<std::uint64_t>(kBatches));
  EXPECT_EQ(server_.requests().size(), static_cast<std::size_t>(kBatches));
}

TEST_F(RestClientSlots, OrdersPlacedFromCallbacksReuseSlotsAndAnswersShrinkAndGrow) {
  auto client = make_client();
  // Alternating 3-leg and 1-leg batches, each placed from the previous one's callback: the slot and
  // its reused result vector must not leak elements from the previous (longer) answer.
  struct Chain {
    RestClient* c;
    int left = 30;
    int next_id = 2000;
    std::vector<std::size_t> sizes;
    std::vector<bool> ids_ok;
    void go() {
      if (left-- == 0) return;
      const std::size_t n = sizes.size() % 2 == 0 ? 3 : 1;
      std::array<OrderRequest, 3> legs = {slots_order(next_id), slots_order(next_id + 1), slots_order(next_id + 2)};
      const int first = next_id;
      next_id += 3;
      if (n == 1) {
        c->execute_order(legs[0], [this, first](RestResult<Order>& r) {
          sizes.push_back(1);
          ids_ok.push_back(r && r->client_id == static_cast<std::uint32_t>(first));
          go();
        });
      } else {
        c->execute_batch(std::span<const OrderRequest>(legs.data(), n),
                         [this, first](RestResult<std::vector<BatchOrderResult>>& r) {
                           sizes.push_back(r ? r->size() : 0);
                           bool ok = r && !r->empty();
                           for (std::size_t k = 0; ok && k < r->size(); ++k) {
                             const std::uint32_t id = static_cast<std::uint32_t>(first) + static_cast<std::uint32_t>(k);
                             ok = id % 10 == 9 ? !(*r)[k].ok : (*r)[k].ok && (*r)[k].order.client_id == id;
                           }
                           ids_ok.push_back(ok);
                           go();
                         });
      }
    }
  } chain{client.get()};
  chain.go();
  ASSERT_TRUE(run_until(
      ioc_, [&] { return chain.sizes.size() == 30u; }, 5s));
  for (std::size_t i = 0; i < chain.sizes.size(); ++i) {
    EXPECT_EQ(chain.sizes[i], i % 2 == 0 ? 3u : 1u) << i;
    EXPECT_TRUE(chain.ids_ok[i]) << i;
  }
  EXPECT_EQ(client->http().counters().connections_opened, 1u);
}

TEST_F(RestClientSlots, NoCallbackOnceTheClientIsDestroyed) {
  server_.set_handler([](const SeenRequest& r) {
    HttpAction a = echo(r);
    a.delay = 1s;  // long enough that the client is gone before the answers, even on a loaded machine
    return a;
  });
  auto client = make_client();
  int called = 0;
  client->execute_order(slots_order(7), [&called](RestResult<Order>&) { ++called; });
  const std::array<OrderRequest, 2> legs = {slots_order(8), slots_order(9)};
  client->execute_batch(legs, [&called](RestResult<std::vector<BatchOrderResult>>&) { ++called; });
  ASSERT_TRUE(run_until(
      ioc_, [&] { return server_.requests().size() == 2u; }, 900ms));  // both requests are on the wire
  client.reset();
  run_for(ioc_, 1300ms);  // the answers arrive at a client that no longer exists
  EXPECT_EQ(called, 0);
}

TEST_F(RestClientSlots, NoCallbackForAFailureQueuedBeforeTheClientWasDestroyed) {
  auto client = make_client();
  client->http().shutdown();  // every request from now on fails (asynchronously, from a posted handler)
  int called = 0;
  client->execute_order(slots_order(7), [&called](RestResult<Order>&) { ++called; });
  client.reset();  // before that handler runs: it must not reach the destroyed client
  run_for(ioc_, 50ms);
  EXPECT_EQ(called, 0);

  auto again = make_client();  // and while the client lives, the failure is delivered as before
  again->http().shutdown();
  std::optional<RestResult<Order>> res;
  again->execute_order(slots_order(8), [&res](RestResult<Order>& r) { res = std::move(r); });
  ASSERT_TRUE(run_until(ioc_, [&] { return res.has_value(); }));
  ASSERT_FALSE(*res);
  EXPECT_EQ(res->error().code, "cancelled");
}

}  // namespace
}  // namespace bparb::backpack
