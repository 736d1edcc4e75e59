#include "bparb/net/http_client.hpp"

#include <gtest/gtest.h>

#include <optional>

#include "../support/test_servers.hpp"

namespace bparb::net {
namespace {

using namespace std::chrono_literals;
using testing::HttpAction;
using testing::HttpTestServer;
using testing::run_for;
using testing::run_until;
using testing::SeenRequest;

HttpClientOptions opts_for(const HttpTestServer& s) {
  HttpClientOptions o;
  o.base_url = s.base_url();
  o.default_timeout_us = 2 * kUsPerSecond;
  return o;
}

HttpRequest get(std::string target) {
  HttpRequest r;
  r.target = std::move(target);
  return r;
}

HttpRequest post(std::string target, std::string body) {
  HttpRequest r;
  r.method = HttpMethod::kPost;
  r.target = std::move(target);
  r.body = std::move(body);
  r.content_type = "application/json; charset=utf-8";
  return r;
}

TEST(HttpClient, DeliversStatusHeadersAndBody) {
  boost::asio::io_context ioc;
  HttpTestServer server(ioc, [](const SeenRequest& r) {
    HttpAction a;
    a.status = r.target == "/missing" ? 404 : 200;
    a.body = R"({"echo":")" + r.target + "\"}";
    a.content_type = "application/json";
    a.headers = {{"X-Total", "17"}};
    return a;
  });
  HttpClient client(ioc, opts_for(server));
  std::optional<HttpResult> ok, missing;
  client.request(get("/api/v1/x?a=1"), [&](HttpResult& r) { ok = std::move(r); });
  client.request(get("/missing"), [&](HttpResult& r) { missing = std::move(r); });
  ASSERT_TRUE(run_until(ioc, [&] { return ok && missing; }));
  ASSERT_TRUE(ok->ok()) << ok->error_message;
  EXPECT_EQ(ok->response.status, 200);
  EXPECT_EQ(ok->response.body, R"({"echo":"/api/v1/x?a=1"})");
  EXPECT_EQ(ok->response.header("x-total"), "17");
  EXPECT_EQ(ok->response.header("Content-Type"), "application/json");
  EXPECT_EQ(ok->response.header("X-Absent"), "");
  // An HTTP error status is a response, not a transport error.
  ASSERT_TRUE(missing->ok());
  EXPECT_EQ(missing->response.status, 404);
}

TEST(HttpClient, SendsMethodBodyAndHeaders) {
  boost::asio::io_context ioc;
  HttpTestServer server(ioc);
  HttpClient client(ioc, opts_for(server));
  HttpRequest r = post("/api/v1/order", R"({"symbol":"SOL_USDC"})");
  r.headers.push_back({"X-API-Key", "abc"});
  bool done = false;
  client.request(std::move(r), [&](HttpResult& res) {
    EXPECT_TRUE(res.ok());
    done = true;
  });
  ASSERT_TRUE(run_until(ioc, [&] { return done; }));
  ASSERT_EQ(server.requests().size(), 1u);
  const auto& seen = server.requests()[0];
  EXPECT_EQ(seen.method, "POST");
  EXPECT_EQ(seen.target, "/api/v1/order");
  EXPECT_EQ(seen.body, R"({"symbol":"SOL_USDC"})");
  EXPECT_EQ(seen.raw["X-API-Key"], "abc");
  EXPECT_EQ(seen.raw["Content-Type"], "application/json; charset=utf-8");
  EXPECT_EQ(seen.raw["Host"], "127.0.0.1:" + std::to_string(server.port()));
}

TEST(HttpClient, KeepAliveReusesOneConnection) {
  boost::asio::io_context ioc;
  HttpTestServer server(ioc);
  HttpClient client(ioc, opts_for(server));
  int done = 0;
  std::function<void()> next = [&] {
    client.request(get("/n" + std::to_string(done)), [&](HttpResult& r) {
      EXPECT_TRUE(r.ok()) << r.error_message;
      ++done;
      if (done < 5) next();
    });
  };
  next();
  ASSERT_TRUE(run_until(ioc, [&] { return done == 5; }));
  EXPECT_EQ(server.accepted(), 1u);
  EXPECT_EQ(server.requests().size(), 5u);
  for (const auto& r : server.requests()) EXPECT_EQ(r.connection, 0u);
  EXPECT_EQ(client.counters().connections_opened, 1u);
  EXPECT_EQ(client.counters().connections_reused, 4u);
  EXPECT_EQ(client.open_connections(), 1u);
}

TEST(HttpClient, TimeoutFires) {
  boost::asio::io_context ioc;
  HttpTestServer server(ioc, [](const SeenRequest&) {
    HttpAction a;
    a.delay = 2000ms;  // far beyond the request timeout
    return a;
  });
  HttpClient client(ioc, opts_for(server));
  HttpRequest r = get("/slow");
  r.timeout_us = 100 * kUsPerMs;
  std::optional<HttpResult> res;
  client.request(std::move(r), [&](HttpResult& x) { res = std::move(x); });
  ASSERT_TRUE(run_until(
      ioc, [&] { return res.has_value(); }, 1500ms));
  EXPECT_EQ(res->error, TransportError::kTimeout);
  EXPECT_TRUE(res->maybe_sent);  // the server did receive it
  EXPECT_EQ(client.counters().timeouts, 1u);
  EXPECT_EQ(client.open_connections(), 0u);  // a timed-out connection is never reused
}

TEST(HttpClient, ServerClosedIdleConnectionIsReplaced) {
  boost::asio::io_context ioc;
  HttpTestServer server(ioc, [](const SeenRequest& r) {
    HttpAction a;
    a.close_after = r.target == "/first";  // server-side idle close while the client holds the socket
    return a;
  });
  HttpClient client(ioc, opts_for(server));
  std::optional<HttpResult> first, second;
  client.request(get("/first"), [&](HttpResult& r) { first = std::move(r); });
  ASSERT_TRUE(run_until(ioc, [&] { return first && server.closed_by_server() == 1; }));
  ASSERT_TRUE(first->ok());
  EXPECT_EQ(client.open_connections(), 1u);  // the client still believes it is alive
  run_for(ioc, 20ms);                        // let the FIN reach the client's socket
  // A POST: the stale connection must be detected before sending, not by a failed order.
  client.request(post("/second", "{}"), [&](HttpResult& r) { second = std::move(r); });
  ASSERT_TRUE(run_until(ioc, [&] { return second.has_value(); }));
  ASSERT_TRUE(second->ok()) << second->error_message;
  EXPECT_EQ(second->attempts, 1u);
  EXPECT_EQ(server.accepted(), 2u);
  EXPECT_EQ(client.counters().stale_discarded, 1u);
  EXPECT_EQ(client.counters().retries, 0u);
}

// The server reads the second request on a reused connection and closes without answering (the race
// where its idle timer fires just as our request arrives).
HttpTestServer::Handler drop_second_request_on_first_connection() {
  return [](const SeenRequest& r) {
    HttpAction a;
    if (r.connection == 0 && r.target != "/warmup") a.kind = HttpAction::kCloseWithoutResponse;
    return a;
  };
}

TEST(HttpClient, StaleConnectionRetriesIdempotentGet) {
  boost::asio::io_context ioc;
  HttpTestServer server(ioc, drop_second_request_on_first_connection());
  HttpClient client(ioc, opts_for(server));
  std::optional<HttpResult> warm, res;
  client.request(get("/warmup"), [&](HttpResult& r) { warm = std::move(r); });
  ASSERT_TRUE(run_until(ioc, [&] { return warm.has_value(); }));
  client.request(get("/data"), [&](HttpResult& r) { res = std::move(r); });
  ASSERT_TRUE(run_until(ioc, [&] { return res.has_value(); }));
  ASSERT_TRUE(res->ok()) << res->error_message;
  EXPECT_EQ(res->attempts, 2u);
  EXPECT_EQ(client.counters().retries, 1u);
  ASSERT_EQ(server.requests().size(), 3u);
  EXPECT_EQ(server.requests()[2].connection, 1u);  // the retry went out on a fresh connection
}

TEST(HttpClient, NonIdempotentRequestIsNeverRetried) {
  boost::asio::io_context ioc;
  HttpTestServer server(ioc, drop_second_request_on_first_connection());
  HttpClient client(ioc, opts_for(server));
  std::optional<HttpResult> warm, res;
  client.request(get("/warmup"), [&](HttpResult& r) { warm = std::move(r); });
  ASSERT_TRUE(run_until(ioc, [&] { return warm.has_value(); }));
  client.request(post("/api/v1/order", R"({"side":"Bid"})"), [&](HttpResult& r) { res = std::move(r); });
  ASSERT_TRUE(run_until(ioc, [&] { return res.has_value(); }));
  EXPECT_EQ(res->error, TransportError::kClosed);
  EXPECT_TRUE(res->maybe_sent);  // the caller must treat the order as OutcomeUnknown
  EXPECT_EQ(res->attempts, 1u);
  EXPECT_EQ(client.counters().retries, 0u);
  run_for(ioc, 20ms);
  ASSERT_EQ(server.requests().size(), 2u);  // exactly one POST reached the server
  EXPECT_EQ(server.requests()[1].method, "POST");
  EXPECT_EQ(server.accepted(), 1u);
}

TEST(HttpClient, ExplicitRetrySafeOverridesMethodDefault) {
  boost::asio::io_context ioc;
  HttpTestServer server(ioc, drop_second_request_on_first_connection());
  HttpClient client(ioc, opts_for(server));
  std::optional<HttpResult> warm, res;
  client.request(get("/warmup"), [&](HttpResult& r) { warm = std::move(r); });
  ASSERT_TRUE(run_until(ioc, [&] { return warm.has_value(); }));
  HttpRequest g = get("/not-safe");
  g.retry_safe = false;
  client.request(std::move(g), [&](HttpResult& r) { res = std::move(r); });
  ASSERT_TRUE(run_until(ioc, [&] { return res.has_value(); }));
  EXPECT_EQ(res->error, TransportError::kClosed);
  EXPECT_EQ(client.counters().retries, 0u);
}

TEST(HttpClient, ConnectFailureIsReportedAsNotSent) {
  boost::asio::io_context ioc;
  HttpClientOptions o;
  o.base_url = "http://127.0.0.1:" + std::to_string(testing::unused_port(ioc));
  HttpClient client(ioc, o);
  std::optional<HttpResult> res;
  client.request(post("/api/v1/order", "{}"), [&](HttpResult& r) { res = std::move(r); });
  ASSERT_TRUE(run_until(ioc, [&] { return res.has_value(); }));
  EXPECT_EQ(res->error, TransportError::kConnectFailed);
  EXPECT_FALSE(res->maybe_sent);
  EXPECT_STREQ(to_string(res->error), "connect_failed");
}

TEST(HttpClient, MalformedResponseIsProtocolError) {
  boost::asio::io_context ioc;
  HttpTestServer server(ioc, [](const SeenRequest&) {
    HttpAction a;
    a.kind = HttpAction::kRawBytes;
    a.raw = "HTTP/1.1 abc NOPE\r\nContent-Length: 2\r\n\r\nok";
    return a;
  });
  HttpClient client(ioc, opts_for(server));
  std::optional<HttpResult> res;
  client.request(get("/x"), [&](HttpResult& r) { res = std::move(r); });
  ASSERT_TRUE(run_until(ioc, [&] { return res.has_value(); }));
  EXPECT_EQ(res->error, TransportError::kProtocol) << res->error_message;
}

TEST(HttpClient, TruncatedBodyIsClosedError) {
  boost::asio::io_context ioc;
  HttpTestServer server(ioc, [](const SeenRequest&) {
    HttpAction a;
    a.kind = HttpAction::kRawBytes;
    a.raw = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"partial\":";
    return a;
  });
  HttpClient client(ioc, opts_for(server));
  std::optional<HttpResult> res;
  client.request(get("/x"), [&](HttpResult& r) { res = std::move(r); });
  ASSERT_TRUE(run_until(ioc, [&] { return res.has_value(); }));
  EXPECT_EQ(res->error, TransportError::kClosed) << res->error_message;
  EXPECT_EQ(client.counters().retries, 0u);  // bytes arrived: not a stale connection, no retry
}

TEST(HttpClient, BodyOverLimitIsProtocolError) {
  boost::asio::io_context ioc;
  HttpTestServer server(ioc, [](const SeenRequest&) {
    HttpAction a;
    a.body.assign(4096, 'x');
    return a;
  });
  HttpClientOptions o = opts_for(server);
  o.max_body_bytes = 1024;
  HttpClient client(ioc, o);
  std::optional<HttpResult> res;
  client.request(get("/big"), [&](HttpResult& r) { res = std::move(r); });
  ASSERT_TRUE(run_until(ioc, [&] { return res.has_value(); }));
  EXPECT_EQ(res->error, TransportError::kProtocol);
}

TEST(HttpClient, PoolLetsAFastRequestPassASlowOne) {
  boost::asio::io_context ioc;
  HttpTestServer server(ioc, [](const SeenRequest& r) {
    HttpAction a;
    if (r.target == "/slow") a.delay = 600ms;
    return a;
  });
  HttpClient client(ioc, opts_for(server));
  std::vector<std::string> order;
  client.request(get("/slow"), [&](HttpResult& r) {
    EXPECT_TRUE(r.ok());
    order.push_back("slow");
  });
  client.request(post("/order", "{}"), [&](HttpResult& r) {
    EXPECT_TRUE(r.ok());
    order.push_back("order");
  });
  ASSERT_TRUE(run_until(ioc, [&] { return order.size() == 2; }));
  EXPECT_EQ(order[0], "order");
  EXPECT_EQ(order[1], "slow");
  EXPECT_EQ(server.accepted(), 2u);
}

TEST(HttpClient, RequestsBeyondThePoolQueueAndQueueIsBounded) {
  boost::asio::io_context ioc;
  HttpTestServer server(ioc);
  HttpClientOptions o = opts_for(server);
  o.max_connections = 1;
  o.max_queued = 3;
  HttpClient client(ioc, o);
  std::vector<TransportError> results;
  for (int i = 0; i < 5; ++i) {
    client.request(get("/q" + std::to_string(i)), [&](HttpResult& r) { results.push_back(r.error); });
  }
  ASSERT_TRUE(run_until(ioc, [&] { return results.size() == 5; }));
  int ok = 0, full = 0;
  for (auto e : results) {
    ok += e == TransportError::kNone;
    full += e == TransportError::kQueueFull;
  }
  EXPECT_EQ(ok, 3);
  EXPECT_EQ(full, 2);
  EXPECT_EQ(server.accepted(), 1u);  // max_connections = 1: all served on one connection, in order
  ASSERT_EQ(server.requests().size(), 3u);
  EXPECT_EQ(server.requests()[0].target, "/q0");
  EXPECT_EQ(server.requests()[2].target, "/q2");
}

TEST(HttpClient, ShutdownCancelsPendingRequests) {
  boost::asio::io_context ioc;
  HttpTestServer server(ioc, [](const SeenRequest&) {
    HttpAction a;
    a.delay = 1000ms;
    return a;
  });
  HttpClient client(ioc, opts_for(server));
  std::optional<HttpResult> res, after;
  client.request(get("/slow"), [&](HttpResult& r) { res = std::move(r); });
  ASSERT_TRUE(run_until(ioc, [&] { return server.requests().size() == 1; }));
  client.shutdown();
  client.request(get("/late"), [&](HttpResult& r) { after = std::move(r); });
  ASSERT_TRUE(run_until(ioc, [&] { return res && after; }));
  EXPECT_EQ(res->error, TransportError::kCancelled);
  EXPECT_EQ(after->error, TransportError::kCancelled);
}

TEST(HttpClient, CallbacksNeverRunInsideRequest) {
  boost::asio::io_context ioc;
  HttpClientOptions o;
  o.base_url = "http://127.0.0.1:1";
  o.max_queued = 0;  // every request is refused immediately...
  HttpClient client(ioc, o);
  bool called = false;
  client.request(get("/"), [&](HttpResult& r) {
    EXPECT_EQ(r.error, TransportError::kQueueFull);
    called = true;
  });
  EXPECT_FALSE(called);  // ...but still reported asynchronously
  ASSERT_TRUE(run_until(ioc, [&] { return called; }));
}

}  // namespace
}  // namespace bparb::net
