#pragma once
// Helpers for bpsim integration tests: an in-process bpsim (SimRuntime + SimServer on their own
// io_context thread, port 0) and small Beast clients that talk to it over real loopback sockets.
// Every client operation is bounded by a timeout so a broken server fails the test instead of
// hanging it. The clients' Beast code lives in bpsim_test_clients.cpp, compiled once: instantiated
// inline here it cost every test file that includes this header most of its compile time.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <array>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/http/verb.hpp>
#include <chrono>
#include <deque>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "bparb/core/clock.hpp"
#include "bparb/sim/backpack/server.hpp"
#include "bparb/sim/backpack/ws_hub.hpp"
#include "bparb/sim/sim_config.hpp"
#include "bparb/sim/sim_runtime.hpp"
#include "bparb/venue/backpack/requests.hpp"
#include "bparb/venue/backpack/signer.hpp"
#include "bparb/venue/backpack/signing.hpp"

namespace bpsim_test {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
namespace bp = bparb::backpack;
namespace sim = bparb::sim;
using bparb::Decimal;

constexpr auto kIoTimeout = std::chrono::seconds(5);

inline bp::SigningKey key_from_byte(std::uint8_t first) {
  std::array<std::uint8_t, 32> seed{};
  for (std::size_t i = 0; i < seed.size(); ++i) seed[i] = static_cast<std::uint8_t>(first + i);
  return bp::SigningKey::from_seed(seed);
}
// docs/backpack.md §1.5 test key (seed 00..1f): X-API-Key A6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg=.
inline bp::SigningKey test_key() {
  return key_from_byte(0);
}

inline std::int64_t wall_ms() {
  return bparb::SystemClock().now_ms();
}

// ---------------------------------------------------------------- JSON

struct Json {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  bool ok = false;
  explicit Json(const std::string& text) {
    simdjson::padded_string p(text);
    ok = parser.parse(p).get(root) == simdjson::SUCCESS;
  }
};

inline std::string str_of(simdjson::dom::element e, const char* key) {
  std::string_view s;
  if (e[key].get_string().get(s) != simdjson::SUCCESS) return "<missing or not a string: " + std::string(key) + ">";
  return std::string(s);
}
inline std::int64_t int_of(simdjson::dom::element e, const char* key) {
  std::int64_t v = 0;
  if (e[key].get_int64().get(v) != simdjson::SUCCESS) return INT64_MIN;
  return v;
}
inline bool is_null(simdjson::dom::element e, const char* key) {
  simdjson::dom::element v;
  return e[key].get(v) == simdjson::SUCCESS && v.is_null();
}
inline bool has(simdjson::dom::element e, const char* key) {
  simdjson::dom::element v;
  return e[key].get(v) == simdjson::SUCCESS;
}
inline Decimal dec_of(simdjson::dom::element e, const char* key) {
  return Decimal::from_string(str_of(e, key));
}

// ---------------------------------------------------------------- in-process server

// Test account: the test key with USDC 100000, SOL 50, BTC 1. No automatic model steps (the books
// hold the model's initial maker ladders and stay still unless a test steps them) and background
// takers off, so REST/WS contents are deterministic.
inline sim::SimConfig test_config() {
  sim::SimConfig cfg = sim::default_sim_config();
  cfg.runtime.step_interval_ms = 0;
  cfg.model.background_trading = false;
  sim::AccountSetup a;
  a.api_key = test_key().public_key_base64();
  a.balances = {{"USDC", Decimal::from_int(100000)}, {"SOL", Decimal::from_int(50)}, {"BTC", Decimal::from_int(1)}};
  cfg.exchange.accounts.push_back(a);
  return cfg;
}

class SimProcess {
 public:
  explicit SimProcess(sim::SimConfig cfg = test_config())
      : guard_(net::make_work_guard(io_)), runtime_(io_, cfg), server_(io_, runtime_, cfg.server) {
    server_.start();
    runtime_.start();
    thread_ = std::thread([this] { io_.run(); });
  }
  ~SimProcess() {
    on_server([this] {
      runtime_.stop();
      server_.stop();
    });
    guard_.reset();
    io_.stop();
    thread_.join();
  }
  SimProcess(const SimProcess&) = delete;
  SimProcess& operator=(const SimProcess&) = delete;

  std::uint16_t port() const { return server_.port(); }

  // Runs `fn` on the server thread and waits for it (the server is single-threaded: never touch its
  // objects from the test thread directly).
  template <class Fn>
  auto on_server(Fn fn) -> decltype(fn()) {
    std::packaged_task<decltype(fn())()> task(std::move(fn));
    auto fut = task.get_future();
    net::post(io_, [&task] { task(); });
    return fut.get();
  }

  sim::SimRuntime& runtime_unsafe() { return runtime_; }  // only inside on_server()
  sim::SimServer& server_unsafe() { return server_; }

 private:
  net::io_context io_;
  net::executor_work_guard<net::io_context::executor_type> guard_;
  sim::SimRuntime runtime_;
  sim::SimServer server_;
  std::thread thread_;
};

// ---------------------------------------------------------------- HTTP client (keep-alive)

struct HttpResult {
  int status = 0;
  std::string body;
  std::string content_type;
  std::map<std::string, std::string> headers;
  bool transport_ok = false;
};

class HttpConn {
 public:
  explicit HttpConn(std::uint16_t port);
  ~HttpConn();
  HttpConn(const HttpConn&) = delete;
  HttpConn& operator=(const HttpConn&) = delete;

  HttpResult request(http::verb verb, const std::string& target, const std::string& body = {},
                     const std::vector<std::pair<std::string, std::string>>& headers = {});
  HttpResult get(const std::string& target) { return request(http::verb::get, target); }
  HttpResult post(const std::string& target, const std::string& body) {
    return request(http::verb::post, target, body);
  }

  // ---- signed requests built by the client's RequestWriter (the daemon's own client path)
  struct Auth {
    const bp::SigningKey* key = nullptr;
    std::int64_t timestamp_ms = 0;  // 0 = now
    std::int64_t window_ms = 5000;
    bool send_window = true;
  };

  HttpResult send_written(http::verb verb, std::string_view path, const bp::WrittenRequest& w, const Auth& a,
                          bool body_is_query) {
    std::vector<std::pair<std::string, std::string>> h;
    h.emplace_back("X-API-Key", a.key->public_key_base64());
    h.emplace_back("X-Signature", std::string(w.signature));
    h.emplace_back("X-Timestamp", std::string(w.timestamp));
    if (a.send_window) h.emplace_back("X-Window", std::string(w.window));
    h.emplace_back("X-Broker-Id", "1400");  // ccxt sends it; bpsim must ignore it
    std::string target(path);
    std::string body;
    if (body_is_query) {
      if (!w.body.empty()) target += "?" + std::string(w.body);
    } else {
      body = std::string(w.body);
    }
    return request(verb, target, body, h);
  }

  bp::RequestAuth auth_of(const Auth& a) const {
    bp::RequestAuth ra;
    ra.key = a.key;
    ra.timestamp_ms = a.timestamp_ms != 0 ? a.timestamp_ms : wall_ms();
    ra.window_ms = a.window_ms;
    return ra;
  }

  HttpResult signed_get(std::string_view path, std::vector<std::pair<std::string, std::string>> params, const Auth& a) {
    std::vector<bp::SignParam> sp;
    for (const auto& [k, v] : params) sp.push_back({k, v});
    bp::WrittenRequest w;
    auto err = writer_.write_query(bp::instruction_for("GET", path), sp, auth_of(a), w);
    EXPECT_EQ(err, bp::RequestError::kOk);
    return send_written(http::verb::get, path, w, a, true);
  }
  HttpResult signed_order(const bp::OrderRequest& o, const Auth& a) {
    bp::WrittenRequest w;
    auto err = writer_.write_order(o, auth_of(a), w);
    EXPECT_EQ(err, bp::RequestError::kOk) << bp::to_string(err);
    return send_written(http::verb::post, "/api/v1/order", w, a, false);
  }
  HttpResult signed_batch(const std::vector<bp::OrderRequest>& orders, const Auth& a) {
    bp::WrittenRequest w;
    auto err = writer_.write_batch(orders, auth_of(a), w);
    EXPECT_EQ(err, bp::RequestError::kOk) << bp::to_string(err);
    return send_written(http::verb::post, "/api/v1/orders", w, a, false);
  }
  HttpResult signed_cancel(const bp::CancelRequest& c, const Auth& a) {
    bp::WrittenRequest w;
    auto err = writer_.write_cancel(c, auth_of(a), w);
    EXPECT_EQ(err, bp::RequestError::kOk) << bp::to_string(err);
    return send_written(http::verb::delete_, "/api/v1/order", w, a, false);
  }
  HttpResult signed_cancel_all(std::string_view symbol, const Auth& a) {
    bp::WrittenRequest w;
    auto err = writer_.write_cancel_all(symbol, bp::CancelAllKind::kAll, auth_of(a), w);
    EXPECT_EQ(err, bp::RequestError::kOk) << bp::to_string(err);
    return send_written(http::verb::delete_, "/api/v1/orders", w, a, false);
  }

 private:
  struct Transport;  // the keep-alive Beast stream (bpsim_test_clients.cpp)
  std::unique_ptr<Transport> transport_;
  bp::RequestWriter writer_;
};

// ---------------------------------------------------------------- WebSocket client

class WsConn {
 public:
  explicit WsConn(std::uint16_t port, const std::string& path = "/");
  ~WsConn();
  WsConn(const WsConn&) = delete;
  WsConn& operator=(const WsConn&) = delete;

  bool ok() const;

  void send(const std::string& text);

  // Next frame within `timeout`, or nullopt (timeout or closed).
  std::optional<std::string> next(std::chrono::milliseconds timeout = std::chrono::milliseconds(2000));
  // First frame for which pred() holds (earlier frames are discarded).
  std::optional<std::string> next_matching(const std::function<bool(const std::string&)>& pred,
                                           std::chrono::milliseconds timeout = std::chrono::milliseconds(3000)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return std::nullopt;
      auto f = next(left);
      if (!f) return std::nullopt;
      if (pred(*f)) return f;
    }
  }
  // Pumps the connection (answers pings) for `d`.
  void pump(std::chrono::milliseconds d);
  bool wait_closed(std::chrono::milliseconds timeout);
  int pings() const;
  bool closed() const;
  std::size_t buffered() const;

 private:
  struct Session;  // the Beast WebSocket stream and the frames read so far (bpsim_test_clients.cpp)
  std::unique_ptr<Session> session_;
};

inline std::string subscribe_msg(const std::vector<std::string>& streams) {
  std::string m = R"({"method":"SUBSCRIBE","params":[)";
  for (std::size_t i = 0; i < streams.size(); ++i) m += (i ? ",\"" : "\"") + streams[i] + "\"";
  return m + "]}";
}
inline std::string private_subscribe_msg(const std::vector<std::string>& streams, const bp::SigningKey& key,
                                         std::int64_t ts_ms = 0, std::int64_t window = 5000) {
  std::vector<std::string_view> sv(streams.begin(), streams.end());
  return bp::ws_subscribe_message(sv, &key, ts_ms != 0 ? ts_ms : wall_ms(), window);
}

inline bool frame_on(const std::string& frame, const std::string& stream) {
  return frame.find("\"stream\":\"" + stream + "\"") != std::string::npos;
}

// A resting post-only bid far below the market (never fills).
inline bp::OrderRequest far_bid(std::string_view symbol, const char* price, const char* qty) {
  bp::OrderRequest o;
  o.symbol = symbol;
  o.side = bparb::Side::kBid;
  o.type = bparb::OrderType::kLimit;
  o.price = Decimal::from_string(price);
  o.quantity = Decimal::from_string(qty);
  o.post_only = true;
  return o;
}

}  // namespace bpsim_test
