// The Beast HTTP and WebSocket clients of bpsim_test_util.hpp, compiled once for the whole integration suite
// (their stream templates are the most expensive code a test file can instantiate).
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include "bpsim_test_util.hpp"

namespace bpsim_test {

namespace websocket = beast::websocket;

// ---------------------------------------------------------------- HTTP client (keep-alive)

struct HttpConn::Transport {
  explicit Transport(std::uint16_t p) : port(p), stream(ioc) {}
  std::uint16_t port;
  net::io_context ioc;
  beast::tcp_stream stream;
  beast::flat_buffer buf;
};

HttpConn::HttpConn(std::uint16_t port) : transport_(std::make_unique<Transport>(port)) {
  transport_->stream.expires_after(kIoTimeout);
  transport_->stream.connect(tcp::endpoint(net::ip::address_v4::loopback(), port));
}

HttpConn::~HttpConn() = default;

HttpResult HttpConn::request(http::verb verb, const std::string& target, const std::string& body,
                             const std::vector<std::pair<std::string, std::string>>& headers) {
  Transport& t = *transport_;
  http::request<http::string_body> req{verb, target, 11};
  req.set(http::field::host, "127.0.0.1:" + std::to_string(t.port));
  req.keep_alive(true);
  for (const auto& [k, v] : headers) req.set(k, v);
  if (!body.empty()) {
    req.set(http::field::content_type, "application/json; charset=utf-8");
    req.body() = body;
  }
  req.prepare_payload();
  HttpResult out;
  http::response<http::string_body> res;
  beast::error_code ec;
  t.stream.expires_after(kIoTimeout);
  http::async_write(t.stream, req, [&](beast::error_code e, std::size_t) { ec = e; });
  t.ioc.restart();
  t.ioc.run();
  if (ec) return out;
  t.stream.expires_after(kIoTimeout);
  http::async_read(t.stream, t.buf, res, [&](beast::error_code e, std::size_t) { ec = e; });
  t.ioc.restart();
  t.ioc.run();
  if (ec) return out;
  out.transport_ok = true;
  out.status = static_cast<int>(res.result_int());
  out.body = res.body();
  out.content_type = std::string(res[http::field::content_type]);
  for (const auto& f : res) out.headers[std::string(f.name_string())] = std::string(f.value());
  return out;
}

// ---------------------------------------------------------------- WebSocket client

struct WsConn::Session {
  Session() : ws(ioc) {}

  void start_read() {
    ws.async_read(buf, [this](beast::error_code ec, std::size_t) {
      if (ec) {
        closed = true;
        return;
      }
      frames.push_back(beast::buffers_to_string(buf.data()));
      buf.consume(buf.size());
      start_read();
    });
  }
  template <class Pred>
  void run_until(Pred pred, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!pred()) {
      const auto now = std::chrono::steady_clock::now();
      if (now >= deadline) break;
      ioc.restart();
      ioc.run_one_for(deadline - now);
    }
  }

  net::io_context ioc;
  websocket::stream<beast::tcp_stream> ws;
  beast::flat_buffer buf;
  std::deque<std::string> frames;
  std::string out;
  beast::error_code handshake_ec;
  bool closed = false;
  int pings = 0;
};

WsConn::WsConn(std::uint16_t port, const std::string& path) : session_(std::make_unique<Session>()) {
  Session& s = *session_;
  beast::get_lowest_layer(s.ws).expires_after(kIoTimeout);
  beast::get_lowest_layer(s.ws).connect(tcp::endpoint(net::ip::address_v4::loopback(), port));
  beast::get_lowest_layer(s.ws).expires_never();
  s.ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
  s.ws.control_callback([&s](websocket::frame_type kind, beast::string_view) {
    if (kind == websocket::frame_type::ping) ++s.pings;
  });
  bool done = false;
  s.ws.async_handshake("127.0.0.1:" + std::to_string(port), path, [&](beast::error_code e) {
    s.handshake_ec = e;
    done = true;
  });
  s.run_until([&] { return done; }, kIoTimeout);
  if (!s.handshake_ec && done) s.start_read();
}

WsConn::~WsConn() = default;

bool WsConn::ok() const {
  return !session_->handshake_ec && !session_->closed;
}

void WsConn::send(const std::string& text) {
  Session& s = *session_;
  bool done = false;
  s.out = text;
  s.ws.async_write(net::buffer(s.out), [&](beast::error_code, std::size_t) { done = true; });
  s.run_until([&] { return done; }, kIoTimeout);
}

std::optional<std::string> WsConn::next(std::chrono::milliseconds timeout) {
  Session& s = *session_;
  s.run_until([&] { return !s.frames.empty() || s.closed; }, timeout);
  if (s.frames.empty()) return std::nullopt;
  std::string f = std::move(s.frames.front());
  s.frames.pop_front();
  return f;
}

void WsConn::pump(std::chrono::milliseconds d) {
  session_->run_until([] { return false; }, d);
}

bool WsConn::wait_closed(std::chrono::milliseconds timeout) {
  Session& s = *session_;
  s.run_until([&] { return s.closed; }, timeout);
  return s.closed;
}

int WsConn::pings() const {
  return session_->pings;
}
bool WsConn::closed() const {
  return session_->closed;
}
std::size_t WsConn::buffered() const {
  return session_->frames.size();
}

}  // namespace bpsim_test
