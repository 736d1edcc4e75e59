// Heap allocations per order request through net::HttpClient once warm (keep-alive connection open):
// request() -> request bytes -> write -> response parse -> callback. The server is a plain POSIX socket
// thread with static buffers, so every counted allocation is the client's. The requests themselves are
// built before counting (that is RestClient's part, measured by bparb-bench tick-to-wire).
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "../../src/bench/alloc_counter.hpp"  // NOLINT: counting allocator
#include "bparb/net/http_client.hpp"
#include "canned_server.hpp"

namespace bparb::net {
namespace {

using perf::CannedServer;

HttpRequest order_request() {
  HttpRequest r;
  r.method = HttpMethod::kPost;
  r.target = "/api/v1/orders";
  r.body = std::string(260, 'x');
  r.content_type = "application/json; charset=utf-8";
  r.headers.reserve(4);
  r.headers.push_back({"X-API-Key", std::string(44, 'k')});
  r.headers.push_back({"X-Signature", std::string(88, 's')});
  r.headers.push_back({"X-Timestamp", "1795132860000"});
  r.headers.push_back({"X-Window", "5000"});
  r.retry_safe = false;
  return r;
}

#if !defined(__SANITIZE_ADDRESS__)  // ASan owns the allocator: nothing to count
TEST(HttpOrderPath, AllocationsPerOrderRequestOnceWarm) {
  CannedServer server("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n[]");
  boost::asio::io_context ioc;
  HttpClientOptions o;
  o.base_url = "http://127.0.0.1:" + std::to_string(server.port());
  o.max_connections = 1;
  HttpClient client(ioc, o);

  constexpr int kWarm = 50, kCounted = 200;
  std::vector<HttpRequest> reqs;
  for (int i = 0; i < kWarm + kCounted; ++i) reqs.push_back(order_request());
  int done = 0, ok = 0;
  auto one = [&](int i) {
    client.request(std::move(reqs[static_cast<std::size_t>(i)]), [&done, &ok](HttpResult& r) {
      ++done;
      ok += r.ok() && r.response.status == 200 && r.response.body == "[]";
    });
    const int want = done + 1;
    while (done < want) {
      if (ioc.stopped()) ioc.restart();
      ioc.run_one_for(std::chrono::milliseconds(200));
    }
  };
  for (int i = 0; i < kWarm; ++i) one(i);
  bench::alloc_counting_begin();
  for (int i = kWarm; i < kWarm + kCounted; ++i) one(i);
  const bench::AllocStats s = bench::alloc_counting_end();
  ASSERT_EQ(ok, kWarm + kCounted);
  EXPECT_EQ(client.counters().connections_opened, 1u);  // keep-alive: one connection throughout
  const double per = static_cast<double>(s.allocations) / kCounted;
  std::printf("HttpClient order round trip once warm: %.2f allocations (%.0f bytes) per request\n", per,
              static_cast<double>(s.bytes) / kCounted);
  RecordProperty("allocations_per_request", std::to_string(per));
  // Nothing once warm (was 11.5 before the per-connection handler/field memory, the request
  // ring and the reused HttpResult; see BENCHMARKS.md §4).
  EXPECT_EQ(s.allocations, 0u);
}

// The same with one request object lent again and again (RestClient's order slots do this) and an
// exchange-like answer: several headers, chunked body. The result's body and headers keep their
// capacity; the callback sees them by reference.
TEST(HttpOrderPath, LentRequestChunkedAnswerOnceWarm) {
  static const char kChunked[] =
      "HTTP/1.1 200 OK\r\nDate: Sat, 21 Nov 2026 16:00:00 GMT\r\nContent-Type: application/json; charset=utf-8\r\n"
      "Transfer-Encoding: chunked\r\nConnection: keep-alive\r\nX-Request-Id: 0f3c1d5e-7a0b-4c55-9d7e-2b1f8e6a4c31\r\n"
      "Vary: Accept-Encoding\r\n\r\n"
      "10\r\n[{\"operation\":\"O\r\n6\r\nk\"}]  \r\n0\r\n\r\n";
  CannedServer server(kChunked);
  boost::asio::io_context ioc;
  HttpClientOptions o;
  o.base_url = "http://127.0.0.1:" + std::to_string(server.port());
  o.max_connections = 1;
  HttpClient client(ioc, o);
  const HttpRequest req = order_request();

  constexpr int kWarm = 50, kCounted = 200;
  int done = 0, ok = 0;
  auto one = [&] {
    client.request_lent(req, [&done, &ok](HttpResult& r) {
      ++done;
      ok += r.ok() && r.response.status == 200 && r.response.body == "[{\"operation\":\"Ok\"}]  " &&
            r.response.header("x-request-id") == "0f3c1d5e-7a0b-4c55-9d7e-2b1f8e6a4c31" &&
            r.response.headers.size() == 6;
    });
    const int want = done + 1;
    while (done < want) {
      if (ioc.stopped()) ioc.restart();
      ioc.run_one_for(std::chrono::milliseconds(200));
    }
  };
  for (int i = 0; i < kWarm; ++i) one();
  bench::alloc_counting_begin();
  for (int i = 0; i < kCounted; ++i) one();
  const bench::AllocStats s = bench::alloc_counting_end();
  ASSERT_EQ(ok, kWarm + kCounted);
  EXPECT_EQ(client.counters().connections_opened, 1u);
  EXPECT_NE(std::strstr(server.last_head(), "X-Signature: ssss"), nullptr);  // the lent request went out
  EXPECT_EQ(s.allocations, 0u) << s.bytes << " bytes";
}
#endif

}  // namespace
}  // namespace bparb::net
