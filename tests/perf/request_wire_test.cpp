// HttpClient writes order requests itself (src/net/request_wire.cpp) instead of building a Beast
// message: the bytes must equal what Beast's serializer produced for the message HttpClient used to
// build, for every request that does not go to Beast anyway (needs_beast_serializer), and writing
// must not allocate once the buffer is warm.
#include "../../src/net/request_wire.hpp"  // NOLINT: internal header under test

#include <gtest/gtest.h>

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <random>
#include <sstream>
#include <string>

#include "../../src/bench/alloc_counter.hpp"  // NOLINT: counting allocator (linked in bparb_perf_tests only)

namespace bparb::net {
namespace {

namespace http = boost::beast::http;

http::verb to_verb(HttpMethod m) {
  switch (m) {
    case HttpMethod::kGet:
      return http::verb::get;
    case HttpMethod::kPost:
      return http::verb::post;
    case HttpMethod::kDelete:
      return http::verb::delete_;
    case HttpMethod::kPatch:
      return http::verb::patch;
    case HttpMethod::kPut:
      return http::verb::put;
    case HttpMethod::kHead:
      return http::verb::head;
  }
  return http::verb::get;
}

// The message exactly as HttpClient::Impl::start() built it before, serialized by Beast.
std::string beast_bytes(const HttpRequest& r, const std::string& host, const std::string& ua) {
  http::request<http::string_body> req;
  req.version(11);
  req.method(to_verb(r.method));
  req.target(r.target);
  req.set(http::field::host, host);
  req.set(http::field::user_agent, ua);
  req.keep_alive(true);
  for (const auto& h : r.headers) req.set(h.name, h.value);
  if (!r.content_type.empty()) req.set(http::field::content_type, r.content_type);
  req.body() = r.body;
  req.prepare_payload();
  std::ostringstream os;
  os << req;
  return os.str();
}

HttpRequest order_request() {
  HttpRequest r;
  r.method = HttpMethod::kPost;
  r.target = "/api/v1/orders";
  r.body = R"([{"clientId":1001,"orderType":"Limit","price":"150.42","quantity":"0.67","side":"Bid"}])";
  r.content_type = "application/json; charset=utf-8";
  r.headers = {{"X-API-Key", "lXiEXLMR6T3aD+Tq2qN8d2bF2v2dJgqkqWUTv0aH+cs="},
               {"X-Signature", std::string(88, 'A')},
               {"X-Timestamp", "1795132860000"},
               {"X-Window", "5000"}};
  return r;
}

TEST(RequestWire, OrderRequestBytesEqualBeasts) {
  const HttpRequest r = order_request();
  ASSERT_FALSE(detail::needs_beast_serializer(r));
  std::string out;
  detail::write_request_wire(r, "127.0.0.1:8080", "bparb/0.1", out);
  EXPECT_EQ(out, beast_bytes(r, "127.0.0.1:8080", "bparb/0.1"));
  EXPECT_EQ(out.substr(0, 35), "POST /api/v1/orders HTTP/1.1\r\nHost:");
  EXPECT_NE(out.find("\r\nContent-Length: 87\r\n\r\n[{"), std::string::npos) << out;
}

TEST(RequestWire, RandomRequestsEqualBeasts) {
  std::mt19937_64 rng(17);
  const HttpMethod methods[] = {HttpMethod::kGet,   HttpMethod::kPost, HttpMethod::kDelete,
                                HttpMethod::kPatch, HttpMethod::kPut,  HttpMethod::kHead};
  const char* names[] = {"X-API-Key",  "x-api-key",    "X-Window",   "Accept", "Host",
                         "user-agent", "Content-Type", "Connection", "X-Empty"};
  const char* values[] = {"abc", "", " padded ", "5000", "close", "application/x-www-form-urlencoded", "a:b"};
  int compared = 0;
  for (int i = 0; i < 5000; ++i) {
    HttpRequest r;
    r.method = methods[rng() % 6];
    r.target = rng() % 2 ? "/api/v1/depth?symbol=SOL_USDC&limit=100" : "/";
    if (rng() % 2) r.body = std::string(rng() % 300, 'x');
    if (rng() % 2) r.content_type = rng() % 2 ? "application/json" : "text/plain";
    const int nh = static_cast<int>(rng() % 8);
    for (int k = 0; k < nh; ++k) r.headers.push_back({names[rng() % 9], values[rng() % 7]});
    if (detail::needs_beast_serializer(r)) continue;
    std::string out = "stale bytes from the previous request";
    detail::write_request_wire(r, "api.backpack.exchange", "bparb/0.1", out);
    ASSERT_EQ(out, beast_bytes(r, "api.backpack.exchange", "bparb/0.1")) << i;
    ++compared;
  }
  EXPECT_GT(compared, 4000);
  // Many headers (beyond the inline field array) still match.
  HttpRequest big = order_request();
  for (int k = 0; k < 30; ++k) big.headers.push_back({"X-H" + std::to_string(k % 20), std::to_string(k)});
  std::string out;
  detail::write_request_wire(big, "h", "ua", out);
  EXPECT_EQ(out, beast_bytes(big, "h", "ua"));
}

TEST(RequestWire, UnusualRequestsStayWithBeast) {
  HttpRequest r = order_request();
  r.headers.push_back({"Content-Length", "5"});
  EXPECT_TRUE(detail::needs_beast_serializer(r));
  r = order_request();
  r.headers.push_back({"transfer-encoding", "chunked"});
  EXPECT_TRUE(detail::needs_beast_serializer(r));
  r = order_request();
  r.headers.push_back({"X-Bad", "a\r\nInjected: 1"});
  EXPECT_TRUE(detail::needs_beast_serializer(r));
  r = order_request();
  r.target = "/a b";
  EXPECT_TRUE(detail::needs_beast_serializer(r));
  r = order_request();
  r.headers.push_back({"", "x"});
  EXPECT_TRUE(detail::needs_beast_serializer(r));
}

#if !defined(__SANITIZE_ADDRESS__)
TEST(RequestWire, WritingAWarmBufferDoesNotAllocate) {
  const HttpRequest r = order_request();
  std::string out;
  detail::write_request_wire(r, "127.0.0.1:8080", "bparb/0.1", out);  // warm: the buffer grows once
  bench::alloc_counting_begin();
  for (int i = 0; i < 1000; ++i) detail::write_request_wire(r, "127.0.0.1:8080", "bparb/0.1", out);
  const bench::AllocStats s = bench::alloc_counting_end();
  EXPECT_EQ(s.allocations, 0u);
}
#endif

}  // namespace
}  // namespace bparb::net
