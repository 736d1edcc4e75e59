// One server on a loopback port, driven by a blocking client on another thread: keep-alive, the Host
// check, the header bound, the per-connection rate bound, the connection bound and the idle close.
#include <gtest/gtest.h>
#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <chrono>
#include <functional>
#include <thread>

#include "bparb/service/control.hpp"
#include "bparb/service/http.hpp"

namespace bparb::service {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

struct Client {
  asio::io_context io;
  tcp::socket sock{io};
  beast::flat_buffer buf;
  explicit Client(std::uint16_t port) { sock.connect({asio::ip::make_address("127.0.0.1"), port}); }
  // Sends one request; the answer, or a response with result 0 when the server closed the connection.
  Response ask(std::string_view target, std::string_view host, std::size_t extra_header_bytes = 0) {
    Request req{http::verb::get, std::string(target), 11};
    req.set(http::field::host, host);
    if (extra_header_bytes) req.set("X-Pad", std::string(extra_header_bytes, 'x'));
    beast::error_code ec;
    http::write(sock, req, ec);
    Response res;
    if (!ec) http::read(sock, buf, res, ec);
    if (ec) res.result(0);
    return res;
  }
  bool closed_by_peer() {
    char c;
    beast::error_code ec;
    sock.read_some(asio::buffer(&c, 1), ec);
    return ec == asio::error::eof || ec == asio::error::connection_reset;
  }
};

TEST(ServiceServer, ServesKeepAliveAndEnforcesItsBounds) {
  asio::io_context io;
  SystemClock clock;
  ServerOptions o;
  o.port = 0;
  o.max_connections = 2;
  o.max_requests_per_second = 5;
  o.idle_timeout_us = 300'000;
  o.snapshot_interval_us = 50'000;
  int snapshots = 0;
  Server server(io, clock, std::make_shared<spdlog::logger>("t", std::make_shared<spdlog::sinks::null_sink_mt>()), o,
                [&](Snapshot& s) {
                  ++snapshots;
                  s.mode = "paper";
                  s.trading = true;
                });
  auto port = server.start();
  ASSERT_TRUE(port) << port.error();
  const std::string host = "127.0.0.1:" + std::to_string(*port);
  EXPECT_EQ(server.url(), "http://" + host);

  std::atomic<bool> done{false};
  std::thread client([&] {
    {
      Client c(*port);
      EXPECT_EQ(c.ask("/healthz", host).result_int(), 200u);
      const Response status = c.ask("/api/v1/status", host);  // same connection
      EXPECT_EQ(status.result_int(), 200u);
      EXPECT_NE(status.body().find("\"mode\":\"paper\""), std::string::npos);
      EXPECT_EQ(c.ask("/readyz", "localhost").result_int(), 200u);
      EXPECT_EQ(c.ask("/metrics", host).result_int(), 200u);
      EXPECT_EQ(c.ask("/nope", host).result_int(), 404u);
      // More than five requests within a second: refused and closed. (A loop, not a count: a loaded machine
      // may let a window boundary fall between two requests.)
      Response r;
      int answered = 0;
      while (answered < 100 && (r = c.ask("/healthz", host)).result_int() == 200u) ++answered;
      EXPECT_EQ(r.result_int(), 429u);
      EXPECT_TRUE(c.closed_by_peer());
    }
    {
      Client c(*port);
      EXPECT_EQ(c.ask("/healthz", "rebind.example:" + std::to_string(*port)).result_int(), 421u);
      EXPECT_TRUE(c.closed_by_peer());
    }
    {
      Client c(*port);
      EXPECT_EQ(c.ask("/healthz", host, std::size_t{16} * 1024).result_int(), 431u);
    }
    {
      Client a(*port), b(*port);
      EXPECT_EQ(a.ask("/healthz", host).result_int(), 200u);
      EXPECT_EQ(b.ask("/healthz", host).result_int(), 200u);
      Client third(*port);  // over max_connections: closed before anything is read
      EXPECT_TRUE(third.closed_by_peer());
      // Idle connections are closed by the server after idle_timeout_us.
      EXPECT_TRUE(a.closed_by_peer());
    }
    done = true;
  });
  while (!done) io.run_for(std::chrono::milliseconds(20));
  client.join();
  server.stop();
  io.run_for(std::chrono::milliseconds(20));
  EXPECT_GE(snapshots, 2);  // the first at start, then on the timer
}

struct PauseCounter final : ControlTarget {
  int pauses = 0;  // written on the server's loop, read after it stopped
  ControlResult pause() override {
    ++pauses;
    ControlResult r;
    r.message = "paused";
    return r;
  }
  ControlResult resume() override { return {}; }
  ControlResult cancel_all() override { return {}; }
  ControlResult flatten() override { return {}; }
  ControlResult reload() override { return {}; }
};

// The control paths through the real server: the Host check before the token, the body bound, and the
// action run on the server's loop.
TEST(ServiceServer, ServesTheControlPathsBehindTheHostCheckAndTheBodyBound) {
  asio::io_context io;
  SystemClock clock;
  ServerOptions o;
  o.port = 0;
  const auto log = std::make_shared<spdlog::logger>("t", std::make_shared<spdlog::sinks::null_sink_mt>());
  Server server(io, clock, log, o, [](Snapshot&) {});
  PauseCounter target;
  const std::string token = "0123456789abcdef0123";
  server.set_control(std::make_shared<ControlHandler>(token, target, log));
  auto port = server.start();
  ASSERT_TRUE(port) << port.error();
  const std::string host = "127.0.0.1:" + std::to_string(*port);

  std::atomic<bool> done{false};
  std::thread client([&] {
    auto post = [&](std::string_view host_header, std::string body, bool with_token) -> unsigned {
      Client c(*port);
      Request req{http::verb::post, "/api/v1/pause", 11};
      req.set(http::field::host, host_header);
      if (with_token) req.set(http::field::authorization, "Bearer " + token);
      req.body() = std::move(body);
      req.prepare_payload();
      beast::error_code ec;
      http::write(c.sock, req, ec);
      Response res;
      if (!ec) http::read(c.sock, c.buf, res, ec);
      return ec ? 0u : res.result_int();
    };
    EXPECT_EQ(post(host, "", true), 200u);
    EXPECT_EQ(post("rebind.example:" + std::to_string(*port), "", true), 421u);
    EXPECT_EQ(post(host, std::string(o.max_body_bytes + 1, 'x'), true), 413u);
    EXPECT_EQ(post(host, "", false), 401u);
    done = true;
  });
  while (!done) io.run_for(std::chrono::milliseconds(20));
  client.join();
  server.stop();
  io.run_for(std::chrono::milliseconds(20));
  EXPECT_EQ(target.pauses, 1);
}

TEST(ServiceServer, RefusesANonLoopbackAddressWithoutAllowRemote) {
  asio::io_context io;
  SystemClock clock;
  ServerOptions o;
  o.address = "0.0.0.0";
  o.port = 0;
  Server server(io, clock, spdlog::default_logger(), o, [](Snapshot&) {});
  auto r = server.start();
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().find("allow_remote"), std::string::npos) << r.error();
}

}  // namespace
}  // namespace bparb::service
