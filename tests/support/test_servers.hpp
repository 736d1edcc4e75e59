#pragma once
// Scripted loopback servers for the network tests. They run on the same io_context as the client
// under test, so a test is a single thread: issue requests, then run_until(predicate).
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace bparb::net::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

// Runs the io_context until `pred` holds or `limit` passes. Returns pred().
inline bool run_until(asio::io_context& ioc, const std::function<bool()>& pred,
                      std::chrono::milliseconds limit = std::chrono::milliseconds(3000)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!pred()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    if (ioc.stopped()) ioc.restart();
    ioc.run_one_for(std::chrono::milliseconds(5));
  }
  return true;
}

// Runs pending handlers for `d` (used only to let a peer's close reach us, never for timing claims).
inline void run_for(asio::io_context& ioc, std::chrono::milliseconds d) {
  const auto deadline = std::chrono::steady_clock::now() + d;
  while (std::chrono::steady_clock::now() < deadline) {
    if (ioc.stopped()) ioc.restart();
    ioc.run_one_for(std::chrono::milliseconds(2));
  }
}

// A port on 127.0.0.1 that nothing listens on (bound then released).
inline std::uint16_t unused_port(asio::io_context& ioc) {
  tcp::acceptor a(ioc, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  const auto p = a.local_endpoint().port();
  a.close();
  return p;
}

struct SeenRequest {
  std::string method;
  std::string target;
  std::string body;
  std::size_t connection = 0;  // index of the TCP connection it arrived on
  http::request<http::string_body> raw;
};

// What the scripted HTTP server does with one request.
struct HttpAction {
  enum Kind { kRespond, kCloseWithoutResponse, kRawBytes } kind = kRespond;
  unsigned status = 200;
  std::string body = "ok";
  std::string content_type = "text/plain";
  std::vector<std::pair<std::string, std::string>> headers;
  std::chrono::milliseconds delay{0};
  bool close_after = false;  // close the socket after the response (while still claiming keep-alive)
  std::string raw;           // kRawBytes: written verbatim, then the socket is closed
};

// The servers' code is compiled once, in tests/support/test_servers.cpp: Beast's stream and parser templates
// are what makes a test file slow to compile, and ten test files use these servers.
class HttpTestServer {
 public:
  using Handler = std::function<HttpAction(const SeenRequest&)>;

  explicit HttpTestServer(asio::io_context& ioc, Handler h = {});
  ~HttpTestServer();
  HttpTestServer(const HttpTestServer&) = delete;
  HttpTestServer& operator=(const HttpTestServer&) = delete;

  void stop();

  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port()); }
  std::size_t accepted() const { return conns_.size(); }
  std::size_t closed_by_server() const { return closed_by_server_; }
  std::size_t peer_closed() const { return peer_closed_; }
  const std::vector<SeenRequest>& requests() const { return requests_; }
  void set_handler(Handler h) { handler_ = std::move(h); }

 private:
  struct Conn;
  void accept();
  void read(const std::shared_ptr<Conn>& c);
  void act(const std::shared_ptr<Conn>& c, const HttpAction& a);

  asio::io_context& ioc_;
  tcp::acceptor acceptor_;
  Handler handler_;
  std::vector<std::shared_ptr<Conn>> conns_;
  std::vector<SeenRequest> requests_;
  std::size_t closed_by_server_ = 0;
  std::size_t peer_closed_ = 0;
};

// Scripted WebSocket server. Modes: echo (default), or silent (accepts the handshake, then neither
// reads nor writes, so the client's pings go unanswered).
class WsTestServer {
 public:
  explicit WsTestServer(asio::io_context& ioc);
  ~WsTestServer();
  WsTestServer(const WsTestServer&) = delete;
  WsTestServer& operator=(const WsTestServer&) = delete;

  void stop();

  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
  std::string url() const { return "ws://127.0.0.1:" + std::to_string(port()) + "/"; }

  bool echo = true;
  bool silent = false;
  // Called for every text message received (after the optional echo).
  std::function<void(std::size_t session, const std::string&)> on_text;

  std::size_t handshakes() const { return handshakes_; }
  std::size_t close_frames() const { return close_frames_; }
  const std::vector<std::string>& received() const { return received_; }

  // Abruptly closes every TCP connection (no close frame): what a crashed server looks like.
  void drop_all();
  // Sends a text frame on the newest session.
  void push(std::string text);

 private:
  struct Session;
  void accept();
  void read(const std::shared_ptr<Session>& s);
  void write(const std::shared_ptr<Session>& s);

  asio::io_context& ioc_;
  tcp::acceptor acceptor_;
  std::vector<std::shared_ptr<Session>> sessions_;
  std::size_t handshakes_ = 0;
  std::size_t close_frames_ = 0;
  std::vector<std::string> received_;
};

}  // namespace bparb::net::testing
