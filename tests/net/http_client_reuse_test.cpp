// HttpClient reuses per-connection storage between responses (the result handed to callbacks, header
// strings, the body buffer) and can send a lent request. These tests pin that nothing of one response
// shows through in the next, and that a lent request goes out exactly as the caller left it.
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "../support/test_servers.hpp"
#include "bparb/net/http_client.hpp"

namespace bparb::net {
namespace {

using namespace std::chrono_literals;
using testing::HttpAction;
using testing::HttpTestServer;
using testing::run_until;
using testing::SeenRequest;

HttpClientOptions reuse_opts_for(const HttpTestServer& s) {
  HttpClientOptions o;
  o.base_url = s.base_url();
  o.default_timeout_us = 2 * kUsPerSecond;
  o.max_connections = 1;  // every request on the same connection, so the same storage
  return o;
}

TEST(HttpClientReuse, EachResponseShowsOnlyItsOwnHeadersAndBody) {
  boost::asio::io_context ioc;
  // Request i answers with i % 3 extra headers and a body whose length goes long, short, empty.
  HttpTestServer server(ioc, [](const SeenRequest& r) {
    const int i = std::stoi(r.target.substr(1));
    HttpAction a;
    a.status = 200 + i % 2;
    a.body = i % 3 == 0 ? std::string(300, static_cast<char>('a' + i % 26)) : i % 3 == 1 ? "short" : "";
    for (int k = 0; k < i % 3; ++k)
      a.headers.emplace_back("X-Extra-" + std::to_string(k), "value-" + std::to_string(i));
    return a;
  });
  HttpClient client(ioc, reuse_opts_for(server));
  struct Seen {
    int status = 0;
    std::string body;
    std::size_t headers = 0;
    std::string extra0, extra1, extra2;
  };
  std::vector<Seen> seen;
  std::size_t base_headers = 0;
  for (int i = 0; i < 9; ++i) {
    HttpRequest r;
    r.target = "/" + std::to_string(i);
    client.request(std::move(r), [&seen](HttpResult& res) {
      ASSERT_TRUE(res.ok()) << res.error_message;
      seen.push_back({res.response.status, res.response.body, res.response.headers.size(),
                      std::string(res.response.header("x-extra-0")), std::string(res.response.header("X-Extra-1")),
                      std::string(res.response.header("X-Extra-2"))});
    });
    ASSERT_TRUE(run_until(ioc, [&] { return seen.size() == static_cast<std::size_t>(i + 1); }));
    if (i == 0) base_headers = seen[0].headers;
  }
  for (int i = 0; i < 9; ++i) {
    const Seen& s = seen[static_cast<std::size_t>(i)];
    EXPECT_EQ(s.status, 200 + i % 2) << i;
    EXPECT_EQ(s.body, i % 3 == 0 ? std::string(300, static_cast<char>('a' + i % 26)) : i % 3 == 1 ? "short" : "") << i;
    EXPECT_EQ(s.headers, base_headers + static_cast<std::size_t>(i % 3)) << i;
    EXPECT_EQ(s.extra0, i % 3 >= 1 ? "value-" + std::to_string(i) : "") << i;
    EXPECT_EQ(s.extra1, i % 3 >= 2 ? "value-" + std::to_string(i) : "") << i;
    EXPECT_EQ(s.extra2, "") << i;
  }
  EXPECT_EQ(client.counters().connections_opened, 1u);
}

TEST(HttpClientReuse, ABodyMovedOutOfTheResultStaysTheCallersAndTheNextResponseIsComplete) {
  boost::asio::io_context ioc;
  HttpTestServer server(ioc, [](const SeenRequest& r) {
    HttpAction a;
    a.body = "body of " + r.target;
    return a;
  });
  HttpClient client(ioc, reuse_opts_for(server));
  std::vector<std::string> kept;
  for (int i = 0; i < 3; ++i) {
    HttpRequest r;
    r.target = "/r" + std::to_string(i);
    client.request(std::move(r), [&kept](HttpResult& res) { kept.push_back(std::move(res.response.body)); });
    ASSERT_TRUE(run_until(ioc, [&] { return kept.size() == static_cast<std::size_t>(i + 1); }));
  }
  EXPECT_EQ(kept, (std::vector<std::string>{"body of /r0", "body of /r1", "body of /r2"}));
}

TEST(HttpClientReuse, LentRequestGoesOutAsTheCallerLeftItEachTime) {
  boost::asio::io_context ioc;
  HttpTestServer server(ioc);
  HttpClient client(ioc, reuse_opts_for(server));
  HttpRequest req;
  req.method = HttpMethod::kPost;
  req.target = "/api/v1/orders";
  req.content_type = "application/json; charset=utf-8";
  req.headers = {{"X-Signature", ""}, {"X-Window", "5000"}};
  int done = 0;
  for (int i = 0; i < 4; ++i) {
    // Rewritten in place between sends, as RestClient's order slots do.
    req.body = R"({"clientId":)" + std::to_string(100 + i) + "}";
    req.headers[0].value = "sig-" + std::to_string(i);
    client.request_lent(req, [&done](HttpResult& r) {
      EXPECT_TRUE(r.ok()) << r.error_message;
      ++done;
    });
    ASSERT_TRUE(run_until(ioc, [&] { return done == i + 1; }));
  }
  ASSERT_EQ(server.requests().size(), 4u);
  for (std::size_t i = 0; i < 4; ++i) {
    const auto& seen = server.requests()[i];
    EXPECT_EQ(seen.method, "POST");
    EXPECT_EQ(seen.body, R"({"clientId":)" + std::to_string(100 + i) + "}");
    EXPECT_EQ(seen.raw["X-Signature"], "sig-" + std::to_string(i));
    EXPECT_EQ(seen.raw["X-Window"], "5000");
  }
}

TEST(HttpClientReuse, ChunkedAnswerIsAssembledAndItsHeadersKept) {
  boost::asio::io_context ioc;
  HttpTestServer server(ioc, [](const SeenRequest&) {
    HttpAction a;
    a.kind = HttpAction::kRawBytes;
    a.raw =
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
        "X-Ratelimit-Remaining: 17\r\n\r\n5\r\n[1,2,\r\n3\r\n3]\n\r\n0\r\n\r\n";
    return a;
  });
  HttpClient client(ioc, reuse_opts_for(server));
  std::optional<HttpResult> res;
  HttpRequest r;
  r.target = "/chunked";
  client.request(std::move(r), [&res](HttpResult& x) { res = std::move(x); });
  ASSERT_TRUE(run_until(ioc, [&] { return res.has_value(); }));
  ASSERT_TRUE(res->ok()) << res->error_message;
  EXPECT_EQ(res->response.body, "[1,2,3]\n");
  EXPECT_EQ(res->response.header("x-ratelimit-remaining"), "17");
  EXPECT_EQ(res->response.header("Transfer-Encoding"), "chunked");
}

}  // namespace
}  // namespace bparb::net
