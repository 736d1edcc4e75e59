// Heap allocations per order through backpack::RestClient once warm: execute_batch / execute_order
// (RequestWriter body + ED25519 signature + auth headers into a reused order slot) -> HttpClient ->
// loopback -> response parsed into the slot's reused result -> the caller's callback. The server is a
// POSIX-socket thread with static buffers (canned_server.hpp), so every counted allocation is the
// client's. Orders are placed from inside the io_context (each callback places the next), as the
// daemon does from its feed handlers: asio's per-thread caches exist only there.
#include <gtest/gtest.h>

#include <array>
#include <boost/asio/io_context.hpp>
#include <cstdio>
#include <cstring>
#include <string>

#include "../../src/bench/alloc_counter.hpp"  // NOLINT: counting allocator
#include "bparb/venue/backpack/rest_client.hpp"
#include "bparb/venue/backpack/signer.hpp"
#include "canned_server.hpp"

namespace bparb::backpack {
namespace {

using perf::CannedServer;

constexpr char kBatchBody[] =
    R"([{"operation":"Ok","orderType":"Limit","id":"4228978400","clientId":101,"createdAt":1753626206800,)"
    R"("executedQuantity":"0","executedQuoteQuantity":"0","postOnly":false,"price":"141.20","quantity":"12.00",)"
    R"("reduceOnly":null,"selfTradePrevention":"RejectTaker","side":"Bid","status":"New","symbol":"SOL_USDC",)"
    R"("timeInForce":"IOC"},)"
    R"({"operation":"Ok","orderType":"Limit","id":"4228978401","clientId":102,"createdAt":1753626206800,)"
    R"("executedQuantity":"0","executedQuoteQuantity":"0","postOnly":false,"price":"141.90","quantity":"12.00",)"
    R"("reduceOnly":null,"selfTradePrevention":"RejectTaker","side":"Ask","status":"New","symbol":"SOL_USDC_PERP",)"
    R"("timeInForce":"IOC"}])";

constexpr char kOrderBody[] =
    R"({"orderType":"Limit","id":"4228978402","clientId":103,"createdAt":1753626206800,)"
    R"("executedQuantity":"0","executedQuoteQuantity":"0","postOnly":false,"price":"141.20","quantity":"12.00",)"
    R"("reduceOnly":null,"selfTradePrevention":"RejectTaker","side":"Bid","status":"New","symbol":"SOL_USDC",)"
    R"("timeInForce":"IOC"})";

// An exchange-like 200 answer (built before counting; the server keeps a view of it).
std::string answer(std::string_view body) {
  return "HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\nX-Request-Id: 0f3c1d5e-7a0b-4c55-9d7e-2b1f8e6a4c31\r\n\r\n" +
         std::string(body);
}

SigningKey test_key() {
  std::array<std::uint8_t, 32> seed{};
  for (std::uint8_t i = 0; i < 32; ++i) seed[i] = static_cast<std::uint8_t>(i * 7 + 1);
  return SigningKey::from_seed(seed);
}

RestClientOptions options(int port) {
  RestClientOptions o;
  o.http.base_url = "http://127.0.0.1:" + std::to_string(port);
  o.http.max_connections = 1;
  o.rate_limit.requests_per_minute = 1'000'000;  // the manual clock never refills the bucket
  o.rate_limit.burst = 1'000'000;
  o.rate_limit.reserved_for_orders = 10;
  return o;
}

OrderRequest leg(std::string_view symbol, Side side, const char* price, std::uint32_t client_id) {
  OrderRequest r;
  r.symbol = symbol;
  r.side = side;
  r.type = OrderType::kLimit;
  r.quantity = Decimal::from_string("12");
  r.price = Decimal::from_string(price);
  r.price_decimals = 2;
  r.quantity_decimals = 2;
  r.time_in_force = TimeInForce::kIoc;
  r.client_id = client_id;
  return r;
}

// Everything a round trip needs, reached through one pointer so the callbacks capture 8 bytes.
struct Run {
  RestClient* rest = nullptr;
  std::array<OrderRequest, 2> legs;
  int remaining = 0;
  int done = 0;
  int good = 0;
  int warm = 0;
  bench::AllocStats counted;
  bool single = false;

  void next() {
    if (remaining == 0) return;
    --remaining;
    if (single) {
      rest->execute_order(legs[0], [this](RestResult<Order>& r) {
        good += r && r->id == "4228978402" && r->client_id == 103u && r->symbol == "SOL_USDC";
        finished();
      });
    } else {
      rest->execute_batch(legs, [this](RestResult<std::vector<BatchOrderResult>>& r) {
        good += r && r->size() == 2 && (*r)[0].ok && (*r)[1].ok && (*r)[0].order.client_id == 101u &&
                (*r)[1].order.symbol == "SOL_USDC_PERP" && (*r)[1].order.side == Side::kAsk;
        finished();
      });
    }
  }
  void finished() {
    ++done;
    if (done == warm) bench::alloc_counting_begin();
    if (remaining == 0 && done > warm) counted = bench::alloc_counting_end();
    next();
  }
};

#if !defined(__SANITIZE_ADDRESS__)  // ASan owns the allocator: nothing to count
void run_orders(std::string_view body, bool single) {
  const std::string response = answer(body);
  CannedServer server(response);
  boost::asio::io_context ioc;
  ManualClock clock(1'753'626'206'000'000);
  const SigningKey key = test_key();
  RestClient rest(ioc, clock, options(server.port()), &key);
  Run run;
  run.rest = &rest;
  run.single = single;
  run.legs = {leg("SOL_USDC", Side::kBid, "141.2", single ? 103 : 101), leg("SOL_USDC_PERP", Side::kAsk, "141.9", 102)};
  constexpr int kWarm = 50, kCounted = 300;
  run.warm = kWarm;
  run.remaining = kWarm + kCounted;
  run.next();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (run.done < kWarm + kCounted && std::chrono::steady_clock::now() < deadline) {
    if (ioc.stopped()) ioc.restart();
    ioc.run_one_for(std::chrono::milliseconds(200));
  }
  if (bench::alloc_counting_active()) bench::alloc_counting_end();
  ASSERT_EQ(run.done, kWarm + kCounted);
  EXPECT_EQ(run.good, kWarm + kCounted);  // every callback saw the parsed answer
  EXPECT_EQ(server.requests(), kWarm + kCounted);
  EXPECT_EQ(rest.counters().orders_sent, static_cast<std::uint64_t>(kWarm + kCounted));
  EXPECT_EQ(rest.http().counters().connections_opened, 1u);
  // The last request really was a signed order (the slot's lent request went out as written).
  EXPECT_NE(std::strstr(server.last_head(), single ? "POST /api/v1/order HTTP/1.1" : "POST /api/v1/orders HTTP/1.1"),
            nullptr);
  EXPECT_NE(std::strstr(server.last_head(), "X-Signature: "), nullptr);
  EXPECT_NE(std::strstr(server.last_head(), "X-API-Key: "), nullptr);
  const double per = static_cast<double>(run.counted.allocations) / kCounted;
  std::printf("RestClient %s round trip once warm: %.2f allocations (%.0f bytes) per request\n",
              single ? "execute_order" : "execute_batch (2 legs)", per,
              static_cast<double>(run.counted.bytes) / kCounted);
  EXPECT_EQ(run.counted.allocations, 0u);
}

TEST(RestOrderPath, TwoLegBatchRoundTripDoesNotAllocateOnceWarm) {
  run_orders(kBatchBody, false);
}

TEST(RestOrderPath, SingleOrderRoundTripDoesNotAllocateOnceWarm) {
  run_orders(kOrderBody, true);
}
#endif

}  // namespace
}  // namespace bparb::backpack
