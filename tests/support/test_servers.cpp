// The scripted loopback servers of test_servers.hpp: their Beast stream and parser instantiations live here,
// compiled once for every suite that uses them.
#include "test_servers.hpp"

#include <boost/asio/write.hpp>
#include <boost/beast/websocket.hpp>

namespace bparb::net::testing {

struct HttpTestServer::Conn {
  explicit Conn(tcp::socket s) : sock(std::move(s)), timer(sock.get_executor()) {}
  tcp::socket sock;
  asio::steady_timer timer;
  beast::flat_buffer buf;
  http::request<http::string_body> req;
  http::response<http::string_body> res;
  std::string raw;
  std::size_t index = 0;
};

HttpTestServer::HttpTestServer(asio::io_context& ioc, Handler h)
    : ioc_(ioc), acceptor_(ioc, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)), handler_(std::move(h)) {
  accept();
}

HttpTestServer::~HttpTestServer() {
  stop();
}

void HttpTestServer::stop() {
  boost::system::error_code ec;
  acceptor_.close(ec);
  for (auto& c : conns_) c->sock.close(ec);
}

void HttpTestServer::accept() {
  acceptor_.async_accept([this](boost::system::error_code ec, tcp::socket s) {
    if (ec) return;
    auto c = std::make_shared<Conn>(std::move(s));
    c->index = conns_.size();
    conns_.push_back(c);
    read(c);
    accept();
  });
}

void HttpTestServer::read(const std::shared_ptr<Conn>& c) {
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

void HttpTestServer::act(const std::shared_ptr<Conn>& c, const HttpAction& a) {
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

struct WsTestServer::Session {
  explicit Session(tcp::socket sock) : ws(std::move(sock)) {}
  beast::websocket::stream<beast::tcp_stream> ws;
  beast::flat_buffer buf;
  std::vector<std::string> out;
  bool writing = false;
  std::size_t index = 0;
};

WsTestServer::WsTestServer(asio::io_context& ioc)
    : ioc_(ioc), acceptor_(ioc, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
  accept();
}

WsTestServer::~WsTestServer() {
  stop();
}

void WsTestServer::stop() {
  boost::system::error_code ec;
  acceptor_.close(ec);
  drop_all();
}

void WsTestServer::drop_all() {
  for (auto& s : sessions_) {
    boost::system::error_code ec;
    beast::get_lowest_layer(s->ws).socket().close(ec);
  }
  sessions_.clear();
}

void WsTestServer::push(std::string text) {
  if (sessions_.empty()) return;
  auto s = sessions_.back();
  s->out.push_back(std::move(text));
  if (!s->writing) write(s);
}

void WsTestServer::accept() {
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

void WsTestServer::read(const std::shared_ptr<Session>& s) {
  s->ws.async_read(s->buf, [this, s](boost::system::error_code ec, std::size_t) {
    if (ec) {
      if (ec == beast::websocket::error::closed) ++close_frames_;
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

void WsTestServer::write(const std::shared_ptr<Session>& s) {
  s->writing = true;
  s->ws.text(true);
  s->ws.async_write(asio::buffer(s->out.front()), [this, s](boost::system::error_code ec, std::size_t) {
    s->writing = false;
    if (ec) return;
    s->out.erase(s->out.begin());
    if (!s->out.empty()) write(s);
  });
}

}  // namespace bparb::net::testing
