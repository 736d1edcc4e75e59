// The simulated Lighter's network front end: Beast HTTP/1.1 keep-alive + WebSocket upgrade on one
// listener. The venue expects clients to keep a connection alive with their own pings (docs/lighter.md);
// the server answers both WebSocket-level and {"type":"ping"} pings and sends none itself.
#include "bparb/sim/lighter/server.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <deque>
#include <map>
#include <optional>

#include "bparb/sim/lighter/ws_hub.hpp"

namespace bparb::sim::lighter {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;

namespace {
constexpr std::size_t kSendQueueMax = 10'000;  // frames; beyond this the client is too slow: close
constexpr std::uint32_t kMaxBodyBytes = 1u << 20;
}  // namespace

class HttpSession;

struct LighterServer::Impl : std::enable_shared_from_this<LighterServer::Impl> {
  Impl(net::io_context& io_, Exchange& ex, const Clock& wall_, LighterRules rules)
      : io(io_),
        wall(wall_),
        address(rules.listen_address),
        want_port(rules.port),
        api(std::make_unique<LighterApi>(ex, wall_, std::move(rules))),
        hub(std::make_unique<LighterHub>(*api, wall_)),
        acceptor(io_),
        poll_timer(io_) {}

  void do_accept();
  void arm_poll();

  net::io_context& io;
  const Clock& wall;
  std::string address;
  std::uint16_t want_port = 0;
  std::unique_ptr<LighterApi> api;
  std::unique_ptr<LighterHub> hub;  // reset by stop(): sessions check it
  tcp::acceptor acceptor;
  net::steady_timer poll_timer;
  std::map<void*, std::function<void()>> closers;     // live sessions' close functions
  std::map<void*, std::function<void()>> ws_closers;  // the WebSocket sessions' among them
  std::uint16_t port = 0;
  bool running = false;
};

class WsSession final : public LighterWsConnection, public std::enable_shared_from_this<WsSession> {
 public:
  WsSession(tcp::socket&& s, std::shared_ptr<LighterServer::Impl> srv) : ws_(std::move(s)), srv_(std::move(srv)) {}

  void run(http::request<http::string_body>&& req) {
    req_ = std::move(req);
    ws_.set_option(websocket::stream_base::timeout{std::chrono::seconds(10), websocket::stream_base::none(), false});
    ws_.read_message_max(1u << 20);
    ws_.async_accept(req_, beast::bind_front_handler(&WsSession::on_accept, shared_from_this()));
  }

  void send_text(std::shared_ptr<const std::string> frame) override {
    if (closing_) return;
    if (queue_.size() >= kSendQueueMax) {
      spdlog::warn("bpsim lighter ws: send queue overflow, closing");
      close();
      return;
    }
    queue_.push_back(std::move(frame));
    if (!writing_) do_write();
  }

  void close() {
    if (closing_) return;
    closing_ = true;
    detach();
    beast::error_code ec;
    beast::get_lowest_layer(ws_).socket().shutdown(tcp::socket::shutdown_both, ec);
    beast::get_lowest_layer(ws_).close();
  }

 private:
  void on_accept(beast::error_code ec) {
    if (ec || !srv_->hub) return;
    srv_->closers[this] = [w = weak_from_this()] {
      if (auto s = w.lock()) s->close();
    };
    srv_->ws_closers[this] = srv_->closers[this];
    attached_ = true;
    srv_->hub->attach(this);
    do_read();
  }

  void detach() {
    if (attached_ && srv_->hub) srv_->hub->detach(this);
    if (attached_) srv_->closers.erase(this);
    if (attached_) srv_->ws_closers.erase(this);
    attached_ = false;
  }

  void do_read() { ws_.async_read(rbuf_, beast::bind_front_handler(&WsSession::on_read, shared_from_this())); }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec) {
      closing_ = true;
      detach();
      return;
    }
    const std::string text = beast::buffers_to_string(rbuf_.data());
    rbuf_.consume(rbuf_.size());
    if (attached_ && srv_->hub && !closing_) srv_->hub->on_client_message(this, text);
    if (!closing_) do_read();
  }

  void do_write() {
    if (queue_.empty() || closing_) {
      writing_ = false;
      return;
    }
    writing_ = true;
    ws_.text(true);
    ws_.async_write(net::buffer(*queue_.front()), beast::bind_front_handler(&WsSession::on_write, shared_from_this()));
  }

  void on_write(beast::error_code ec, std::size_t) {
    if (ec) {
      writing_ = false;
      closing_ = true;
      detach();
      return;
    }
    queue_.pop_front();
    do_write();
  }

  websocket::stream<beast::tcp_stream> ws_;
  std::shared_ptr<LighterServer::Impl> srv_;
  http::request<http::string_body> req_;
  beast::flat_buffer rbuf_;
  std::deque<std::shared_ptr<const std::string>> queue_;
  bool attached_ = false;
  bool writing_ = false;
  bool closing_ = false;
};

class HttpSession final : public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(tcp::socket&& s, std::shared_ptr<LighterServer::Impl> srv)
      : stream_(std::move(s)), srv_(std::move(srv)) {}

  void run() {
    srv_->closers[this] = [w = weak_from_this()] {
      if (auto s = w.lock()) s->close();
    };
    do_read();
  }

  void close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.close();
  }

  ~HttpSession() { srv_->closers.erase(this); }

 private:
  void do_read() {
    parser_.emplace();
    parser_->body_limit(kMaxBodyBytes);
    stream_.expires_after(std::chrono::seconds(60));
    http::async_read(stream_, buf_, *parser_, beast::bind_front_handler(&HttpSession::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec || !srv_->running) return;
    auto& req = parser_->get();
    if (websocket::is_upgrade(req)) {
      const std::string_view target = req.target();
      const std::string_view path = target.substr(0, target.find('?'));
      if ((path == "/stream" || path == "/") && srv_->hub) {
        stream_.expires_never();
        srv_->closers.erase(this);
        std::make_shared<WsSession>(stream_.release_socket(), srv_)->run(parser_->release());
        return;
      }
    }
    HttpRequest r;
    r.method = req.method_string();
    r.target = req.target();
    r.body = req.body();
    r.content_type = req[http::field::content_type];
    r.authorization = req[http::field::authorization];
    HttpResponse out = srv_->api->handle(r);
    res_ = {};
    res_.version(req.version());
    res_.result(static_cast<http::status>(out.status));
    res_.set(http::field::server, "bpsim");
    res_.set(http::field::content_type, "application/json");
    res_.body() = std::move(out.body);
    res_.keep_alive(req.keep_alive());
    res_.prepare_payload();
    http::async_write(stream_, res_, beast::bind_front_handler(&HttpSession::on_write, shared_from_this()));
  }

  void on_write(beast::error_code ec, std::size_t) {
    if (ec) return;
    if (!res_.keep_alive()) {
      beast::error_code ignored;
      stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
      return;
    }
    do_read();
  }

  beast::tcp_stream stream_;
  std::shared_ptr<LighterServer::Impl> srv_;
  beast::flat_buffer buf_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> res_;
};

void LighterServer::Impl::do_accept() {
  acceptor.async_accept(io, [self = shared_from_this()](beast::error_code ec, tcp::socket s) {
    if (!self->running) return;
    if (!ec) {
      beast::error_code ignored;
      s.set_option(tcp::no_delay(true), ignored);
      std::make_shared<HttpSession>(std::move(s), self)->run();
    }
    self->do_accept();
  });
}

// The scheduled cancel-all (dead-man switch) fires on time even when no request arrives.
void LighterServer::Impl::arm_poll() {
  poll_timer.expires_after(std::chrono::milliseconds(250));
  poll_timer.async_wait([self = shared_from_this()](beast::error_code ec) {
    if (ec || !self->running) return;
    self->api->poll();
    self->arm_poll();
  });
}

LighterServer::LighterServer(net::io_context& io, Exchange& exchange, const Clock& wall_clock, LighterRules rules)
    : impl_(std::make_shared<Impl>(io, exchange, wall_clock, std::move(rules))) {
  // The hub's connection-drop fault closes the WebSocket sessions (a copy: closing one erases it).
  impl_->hub->set_connection_closer([s = impl_.get()] {
    std::vector<std::function<void()>> closers;
    for (auto& [p, f] : s->ws_closers) closers.push_back(f);
    for (auto& f : closers) f();
  });
}

LighterServer::~LighterServer() {
  stop();
  // The hub and api unregister from the Exchange here, whatever sessions still hold the Impl.
  impl_->hub.reset();
  impl_->api.reset();
}

void LighterServer::start() {
  Impl& s = *impl_;
  if (s.running) return;
  beast::error_code ec;
  const auto addr = net::ip::make_address(s.address, ec);
  if (ec) throw std::runtime_error("bpsim lighter: bad listen address '" + s.address + "'");
  const tcp::endpoint ep(addr, s.want_port);
  s.acceptor.open(ep.protocol(), ec);
  if (!ec) s.acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) s.acceptor.bind(ep, ec);
  if (!ec) s.acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) throw std::runtime_error("bpsim lighter: cannot listen on " + s.address + ": " + ec.message());
  s.port = s.acceptor.local_endpoint().port();
  s.running = true;
  spdlog::info("bpsim lighter listening on {}:{}", s.address, s.port);
  s.do_accept();
  s.arm_poll();
}

void LighterServer::stop() {
  Impl& s = *impl_;
  if (!s.running) return;
  s.running = false;
  beast::error_code ec;
  s.acceptor.close(ec);
  s.poll_timer.cancel();
  // Copy: closing a session erases it from the map.
  std::vector<std::function<void()>> closers;
  for (auto& [p, f] : s.closers) closers.push_back(f);
  for (auto& f : closers) f();
}

std::uint16_t LighterServer::port() const {
  return impl_->port;
}
std::string LighterServer::http_url() const {
  return "http://" + impl_->address + ":" + std::to_string(impl_->port);
}
std::string LighterServer::ws_url() const {
  return "ws://" + impl_->address + ":" + std::to_string(impl_->port) + "/stream";
}
LighterApi& LighterServer::api() noexcept {
  return *impl_->api;
}
LighterHub& LighterServer::hub() noexcept {
  return *impl_->hub;
}

}  // namespace bparb::sim::lighter
