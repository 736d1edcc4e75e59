#pragma once
// Scripted loopback servers for the network tests. They run on the same io_context as the client
// under test, so a test is a single thread: issue requests, then run_until(predicate).
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace bparb::net::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
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

class HttpTestServer {
 public:
  using Handler = std::function<HttpAction(const SeenRequest&)>;

  explicit HttpTestServer(asio::io_context& ioc, Handler h = {})
      : ioc_(ioc), acceptor_(ioc, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)), handler_(std::move(h)) {
    accept();
  }
  ~HttpTestServer() { stop(); }

  void stop() {
    boost::system::error_code ec;
    acceptor_.close(ec);
    for (auto& c : conns_) c->sock.close(ec);
  }

  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port()); }
  std::size_t accepted() const { return conns_.size(); }
  std::size_t closed_by_server() const { return closed_by_server_; }
  std::size_t peer_closed() const { return peer_closed_; }
  const std::vector<SeenRequest>& requests() const { return requests_; }
  void set_handler(Handler h) { handler_ = std::move(h); }

 private:
  struct Conn {
    explicit Conn(tcp::socket s) : sock(std::move(s)), timer(sock.get_executor()) {}
    tcp::socket sock;
    asio::steady_timer timer;
    beast::flat_buffer buf;
    http::request<http::string_body> req;
    http::response<http::string_body> res;
    std::string raw;
    std::size_t index = 0;
  };

  void accept() {
    acceptor_.async_accept([this](boost::system::error_code ec, tcp::socket s) {
      if (ec) return;
      auto c = std::make_shared<Conn>(std::move(s));
      c->index = conns_.size();
      conns_.push_back(c);
      read(c);
      accept();
    });
  }

  void read(const std::shared_ptr<Conn>& c) {
    c->req = {};
    http::async_read(c->sock, c->buf, c->req, [this, c](boost::system::error_code ec, std::size_t) {
      if (ec) {
        if (ec == http::error::end_of_stream || ec == asio::error::eof || ec == asio::error::connection_reset) {
          ++peer_closed_;
        }
        return;
      }
      SeenRequest seen{std::string(c->req.method_string()), std::string(c->req.target()), c->req.body(), c->index,
                       c->req};
      requests_.push_back(seen);
      HttpAction a = handler_ ? handler_(seen) : HttpAction{};
      if (a.delay.count() > 0) {
        c->timer.expires_after(a.delay);
        c->timer.async_wait([this, c, a](boost::system::error_code tec) {
          if (!tec) act(c, a);
        });
      } else {
        act(c, a);
      }
    });
  }

  void act(const std::shared_ptr<Conn>& c, const HttpAction& a) {
    boost::system::error_code ec;
    if (!c->sock.is_open()) return;
    if (a.kind == HttpAction::kCloseWithoutResponse) {
      c->sock.shutdown(tcp::socket::shutdown_both, ec);
      c->sock.close(ec);
      ++closed_by_server_;
      return;
    }
    if (a.kind == HttpAction::kRawBytes) {
      c->raw = a.raw;
      asio::async_write(c->sock, asio::buffer(c->raw), [this, c](boost::system::error_code, std::size_t) {
        boost::system::error_code e2;
        c->sock.shutdown(tcp::socket::shutdown_both, e2);
        c->sock.close(e2);
        ++closed_by_server_;
      });
      return;
    }
    c->res = {};
    c->res.version(11);
    c->res.result(a.status);
    c->res.set(http::field::content_type, a.content_type);
    for (const auto& [k, v] : a.headers) c->res.set(k, v);
    c->res.keep_alive(true);
    c->res.body() = a.body;
    c->res.prepare_payload();
    const bool close_after = a.close_after;
    http::async_write(c->sock, c->res, [this, c, close_after](boost::system::error_code wec, std::size_t) {
      if (wec) return;
      if (close_after) {
        boost::system::error_code e2;
        c->sock.shutdown(tcp::socket::shutdown_both, e2);
        c->sock.close(e2);
        ++closed_by_server_;
        return;
      }
      read(c);
    });
  }

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
  explicit WsTestServer(asio::io_context& ioc)
      : ioc_(ioc), acceptor_(ioc, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
    accept();
  }
  ~WsTestServer() { stop(); }

  void stop() {
    boost::system::error_code ec;
    acceptor_.close(ec);
    drop_all();
  }

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
  void drop_all() {
    for (auto& s : sessions_) {
      boost::system::error_code ec;
      beast::get_lowest_layer(s->ws).socket().close(ec);
    }
    sessions_.clear();
  }
  // Sends a text frame on the newest session.
  void push(std::string text) {
    if (sessions_.empty()) return;
    auto s = sessions_.back();
    s->out.push_back(std::move(text));
    if (!s->writing) write(s);
  }

 private:
  struct Session {
    explicit Session(tcp::socket sock) : ws(std::move(sock)) {}
    websocket::stream<beast::tcp_stream> ws;
    beast::flat_buffer buf;
    std::vector<std::string> out;
    bool writing = false;
    std::size_t index = 0;
  };

  void accept() {
    acceptor_.async_accept([this](boost::system::error_code ec, tcp::socket sock) {
      if (ec) return;
      auto s = std::make_shared<Session>(std::move(sock));
      s->ws.async_accept([this, s](boost::system::error_code aec) {
        if (aec) return;
        s->index = handshakes_++;
        sessions_.push_back(s);
        if (!silent) read(s);
      });
      accept();
    });
  }

  void read(const std::shared_ptr<Session>& s) {
    s->ws.async_read(s->buf, [this, s](boost::system::error_code ec, std::size_t) {
      if (ec) {
        if (ec == websocket::error::closed) ++close_frames_;
        return;
      }
      std::string text = beast::buffers_to_string(s->buf.data());
      s->buf.consume(s->buf.size());
      received_.push_back(text);
      if (on_text) on_text(s->index, text);
      if (echo) {
        s->out.push_back(text);
        if (!s->writing) write(s);
      }
      read(s);
    });
  }

  void write(const std::shared_ptr<Session>& s) {
    s->writing = true;
    s->ws.text(true);
    s->ws.async_write(asio::buffer(s->out.front()), [this, s](boost::system::error_code ec, std::size_t) {
      s->writing = false;
      if (ec) return;
      s->out.erase(s->out.begin());
      if (!s->out.empty()) write(s);
    });
  }

  asio::io_context& ioc_;
  tcp::acceptor acceptor_;
  std::vector<std::shared_ptr<Session>> sessions_;
  std::size_t handshakes_ = 0;
  std::size_t close_frames_ = 0;
  std::vector<std::string> received_;
};

}  // namespace bparb::net::testing
