// bpsim network front end: Beast HTTP/1.1 keep-alive + WebSocket upgrade on one listener.
//
// WebSocket keepalive (Backpack behaviour): a Ping frame every ws_ping_interval_ms; when a Ping stays
// unanswered (no Pong) for ws_pong_timeout_ms the server sends Close. Slow consumers: each
// connection's send queue holds at most ws_send_queue_max frames; an overflow logs a warning and
// closes the connection hard. Fault-injected drops also close hard (like a network failure).
#include "bparb/sim/backpack/server.hpp"

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

#include "bparb/sim/backpack/rest_api.hpp"
#include "bparb/sim/backpack/ws_hub.hpp"
#include "bparb/sim/sim_runtime.hpp"

namespace bparb::sim {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using SteadyClock = std::chrono::steady_clock;

class HttpSession;
class WsSession;

struct SimServer::Impl : std::enable_shared_from_this<SimServer::Impl> {
  Impl(net::io_context& io_, SimRuntime& rt_, ServerConfig cfg_)
      : io(io_),
        rt(rt_),
        cfg(std::move(cfg_)),
        api(rt_),
        hub(std::make_unique<WsHub>(rt_)),
        acceptor(io_),
        maintenance(io_) {}

  void start();
  void stop();
  void do_accept();
  void arm_maintenance();
  void drop_ws(std::string_view why) {
    if (!hub) return;
    std::size_t n = hub->close_all(why, /*hard=*/true);
    rt.faults().note_ws_drop(n, why);
  }

  net::io_context& io;
  SimRuntime& rt;
  ServerConfig cfg;
  RestApi api;
  std::unique_ptr<WsHub> hub;  // reset by stop(): sessions must check it
  tcp::acceptor acceptor;
  net::steady_timer maintenance;
  ServerCounters counters;
  std::map<HttpSession*, std::weak_ptr<HttpSession>> http_sessions;
  std::uint16_t port = 0;
  bool running = false;
  std::uint64_t next_conn_id = 1;
};

// ---------------------------------------------------------------- WebSocket session

class WsSession final : public WsConnection, public std::enable_shared_from_this<WsSession> {
 public:
  WsSession(tcp::socket&& s, std::shared_ptr<SimServer::Impl> srv)
      : ws_(std::move(s)),
        srv_(std::move(srv)),
        ping_timer_(ws_.get_executor()),
        pong_deadline_(ws_.get_executor()),
        delay_timer_(ws_.get_executor()),
        id_(srv_->next_conn_id++) {}

  void run(http::request<http::string_body>&& req) {
    req_ = std::move(req);
    ws_.set_option(websocket::stream_base::timeout{std::chrono::seconds(10), websocket::stream_base::none(), false});
    ws_.set_option(websocket::stream_base::decorator(
        [](websocket::response_type& res) { res.set(http::field::server, "bpsim"); }));
    ws_.read_message_max(1u << 20);
    ws_.control_callback([this](websocket::frame_type kind, beast::string_view) {
      if (kind != websocket::frame_type::pong) return;
      ++srv_->counters.ws_pongs_received;
      awaiting_pong_ = false;
      pong_deadline_.cancel();
    });
    ws_.async_accept(req_, beast::bind_front_handler(&WsSession::on_accept, shared_from_this()));
  }

  void send_text(std::shared_ptr<const std::string> frame) override {
    if (closing_) return;
    if (queue_.size() >= srv_->cfg.ws_send_queue_max) {
      ++srv_->counters.ws_slow_consumer_closes;
      spdlog::warn("bpsim ws: connection {} send queue overflow ({} frames queued): slow consumer, closing", id_,
                   queue_.size());
      close_connection("slow consumer", /*hard=*/true);
      return;
    }
    auto ready = SteadyClock::now();
    if (std::int64_t d = srv_->rt.faults().ws_delay_ms(); d > 0) ready += std::chrono::milliseconds(d);
    if (!queue_.empty() && queue_.back().ready > ready) ready = queue_.back().ready;  // keep frame order
    queue_.push_back(Out{std::move(frame), ready});
    if (!writing_) do_write();
  }

  void close_connection(std::string_view reason, bool hard) override {
    if (closing_) return;
    spdlog::info("bpsim ws: closing connection {} ({}{})", id_, reason, hard ? ", hard" : "");
    closing_ = true;
    detach();
    ping_timer_.cancel();
    pong_deadline_.cancel();
    delay_timer_.cancel();
    if (hard) {
      beast::error_code ec;
      beast::get_lowest_layer(ws_).socket().shutdown(tcp::socket::shutdown_both, ec);
      beast::get_lowest_layer(ws_).close();
      return;
    }
    if (ping_in_flight_ || writing_) {
      close_pending_ = true;  // Beast allows one close at a time and not during ping; finish first
      return;
    }
    do_close();
  }

 private:
  struct Out {
    std::shared_ptr<const std::string> frame;
    SteadyClock::time_point ready;
  };

  void on_accept(beast::error_code ec) {
    if (ec) {
      spdlog::info("bpsim ws: handshake failed: {}", ec.message());
      return;
    }
    if (!srv_->hub) {
      close_connection("server stopping", true);
      return;
    }
    ++srv_->counters.ws_connections;
    srv_->hub->attach(this);
    attached_ = true;
    spdlog::info("bpsim ws: connection {} open ({} total)", id_, srv_->hub->connection_count());
    arm_ping();
    do_read();
  }

  void detach() {
    if (attached_ && srv_->hub) srv_->hub->detach(this);
    attached_ = false;
  }

  void do_read() { ws_.async_read(rbuf_, beast::bind_front_handler(&WsSession::on_read, shared_from_this())); }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec) {
      if (!closing_) spdlog::info("bpsim ws: connection {} closed by peer ({})", id_, ec.message());
      finish();
      return;
    }
    std::string text = beast::buffers_to_string(rbuf_.data());
    rbuf_.consume(rbuf_.size());
    if (attached_ && srv_->hub && !closing_) srv_->hub->on_client_message(this, text);
    if (!closing_) do_read();
  }

  void do_write() {
    if (queue_.empty() || (closing_ && !close_pending_)) {
      writing_ = false;
      if (close_pending_ && !ping_in_flight_) do_close();
      return;
    }
    if (closing_) {  // graceful close requested: drop what is queued
      queue_.clear();
      writing_ = false;
      if (!ping_in_flight_) do_close();
      return;
    }
    writing_ = true;
    const auto ready = queue_.front().ready;
    if (ready > SteadyClock::now()) {
      delay_timer_.expires_at(ready);
      delay_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
        if (ec) {
          self->writing_ = false;
          return;
        }
        self->write_front();
      });
      return;
    }
    write_front();
  }

  void write_front() {
    if (closing_) {
      writing_ = false;
      if (close_pending_ && !ping_in_flight_) do_close();
      return;
    }
    ws_.text(true);
    ws_.async_write(net::buffer(*queue_.front().frame),
                    beast::bind_front_handler(&WsSession::on_write, shared_from_this()));
  }

  void on_write(beast::error_code ec, std::size_t) {
    if (ec) {
      writing_ = false;
      finish();
      return;
    }
    queue_.pop_front();
    do_write();
  }

  void arm_ping() {
    ping_timer_.expires_after(std::chrono::milliseconds(srv_->cfg.ws_ping_interval_ms));
    ping_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec || self->closing_) return;
      self->send_ping();
      self->arm_ping();
    });
  }

  void send_ping() {
    if (ping_in_flight_) return;
    ping_in_flight_ = true;
    ++srv_->counters.ws_pings_sent;
    if (!awaiting_pong_) {
      awaiting_pong_ = true;
      pong_deadline_.expires_after(std::chrono::milliseconds(srv_->cfg.ws_pong_timeout_ms));
      pong_deadline_.async_wait([self = shared_from_this()](beast::error_code ec) {
        if (ec || self->closing_ || !self->awaiting_pong_) return;
        ++self->srv_->counters.ws_pong_timeouts;
        spdlog::warn("bpsim ws: connection {} sent no Pong within {} ms, closing", self->id_,
                     self->srv_->cfg.ws_pong_timeout_ms);
        self->close_connection("pong timeout", /*hard=*/false);
      });
    }
    ws_.async_ping({}, [self = shared_from_this()](beast::error_code) {
      self->ping_in_flight_ = false;
      if (self->close_pending_ && !self->writing_) self->do_close();
    });
  }

  void do_close() {
    if (close_started_) return;
    close_started_ = true;
    close_pending_ = false;
    ws_.async_close(websocket::close_code::normal,
                    [self = shared_from_this()](beast::error_code) { beast::get_lowest_layer(self->ws_).close(); });
  }

  void finish() {
    closing_ = true;
    detach();
    ping_timer_.cancel();
    pong_deadline_.cancel();
    delay_timer_.cancel();
  }

  websocket::stream<beast::tcp_stream> ws_;
  std::shared_ptr<SimServer::Impl> srv_;
  http::request<http::string_body> req_;
  beast::flat_buffer rbuf_;
  std::deque<Out> queue_;
  net::steady_timer ping_timer_;
  net::steady_timer pong_deadline_;
  net::steady_timer delay_timer_;
  std::uint64_t id_;
  bool attached_ = false;
  bool writing_ = false;
  bool closing_ = false;
  bool close_pending_ = false;
  bool close_started_ = false;
  bool ping_in_flight_ = false;
  bool awaiting_pong_ = false;
};

// ---------------------------------------------------------------- HTTP session

class HttpSession final : public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(tcp::socket&& s, std::shared_ptr<SimServer::Impl> srv)
      : stream_(std::move(s)), srv_(std::move(srv)), delay_(stream_.get_executor()) {}

  void run() {
    srv_->http_sessions[this] = weak_from_this();
    do_read();
  }

  void close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.close();
    delay_.cancel();
  }

  ~HttpSession() {
    if (srv_) srv_->http_sessions.erase(this);
  }

 private:
  void do_read() {
    parser_.emplace();
    parser_->body_limit(srv_->cfg.max_body_bytes);
    parser_->header_limit(64 * 1024);
    stream_.expires_after(std::chrono::milliseconds(srv_->cfg.http_idle_timeout_ms));
    http::async_read(stream_, buf_, *parser_, beast::bind_front_handler(&HttpSession::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec == http::error::end_of_stream) {
      beast::error_code ignored;
      stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
      return;
    }
    if (ec == http::error::body_limit || ec == http::error::header_limit) {
      respond_error(413, "Request too large");
      return;
    }
    if (ec) {
      if (ec != beast::error::timeout && ec != net::error::operation_aborted && ec != net::error::connection_reset) {
        spdlog::debug("bpsim http: read error: {}", ec.message());
      }
      return;
    }
    if (!srv_->running) return;
    auto& req = parser_->get();
    if (websocket::is_upgrade(req)) {
      std::string_view target = req.target();
      std::string_view path = target.substr(0, target.find('?'));
      if ((path == "/" || path == "/ws") && srv_->hub) {
        stream_.expires_never();
        std::make_shared<WsSession>(stream_.release_socket(), srv_)->run(parser_->release());
        return;
      }
    }
    ++srv_->counters.http_requests;
    RestRequest rr;
    rr.method = req.method_string();
    rr.target = req.target();
    rr.body = req.body();
    rr.api_key = req["X-API-Key"];
    rr.signature = req["X-Signature"];
    rr.timestamp = req["X-Timestamp"];
    rr.window = req["X-Window"];
    RestOutcome out = srv_->api.handle(rr);
    if (out.actions.drop_ws_now) srv_->drop_ws("control endpoint");
    const unsigned version = req.version();
    const bool keep_alive = req.keep_alive();
    if (out.deferred) {
      // The request is carried out later on its own timer: closing the connection does not undo it.
      auto timer = std::make_shared<net::steady_timer>(srv_->io, std::chrono::milliseconds(out.deferred.after_ms));
      if (out.deferred.answered_now) {
        timer->async_wait([timer, run = std::move(out.deferred.run), srv = srv_](beast::error_code wec) {
          if (!wec && srv->running) (void)run();
        });
      } else {
        timer->async_wait([timer, run = std::move(out.deferred.run), self = shared_from_this(), version, keep_alive,
                           delay_ms = out.delay_ms](beast::error_code wec) {
          if (wec || !self->srv_->running) return;
          self->answer(run(), version, keep_alive, delay_ms);
        });
        return;
      }
    }
    answer(std::move(out.response), version, keep_alive, out.delay_ms);
  }

  void answer(RestResponse response, unsigned version, bool keep_alive, std::int64_t delay_ms) {
    res_ = {};
    res_.version(version);
    res_.result(static_cast<http::status>(response.status));
    res_.set(http::field::server, "bpsim");
    res_.set(http::field::content_type, response.content_type);
    for (const auto& [k, v] : response.headers) res_.set(k, v);
    res_.body() = std::move(response.body);
    res_.keep_alive(keep_alive);
    res_.prepare_payload();
    if (delay_ms > 0) {
      delay_.expires_after(std::chrono::milliseconds(delay_ms));
      delay_.async_wait([self = shared_from_this()](beast::error_code wec) {
        if (wec) return;
        self->write();
      });
      return;
    }
    write();
  }

  void respond_error(int status, std::string_view message) {
    res_ = {};
    res_.version(11);
    res_.result(static_cast<http::status>(status));
    res_.set(http::field::server, "bpsim");
    res_.set(http::field::content_type, "application/json; charset=utf-8");
    res_.body() = std::string(R"({"code":"INVALID_CLIENT_REQUEST","message":")") + std::string(message) + "\"}";
    res_.keep_alive(false);
    res_.prepare_payload();
    write();
  }

  void write() {
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
  std::shared_ptr<SimServer::Impl> srv_;
  net::steady_timer delay_;
  beast::flat_buffer buf_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> res_;
};

// ---------------------------------------------------------------- listener

void SimServer::Impl::start() {
  if (running) return;
  beast::error_code ec;
  const auto addr = net::ip::make_address(cfg.listen_address, ec);
  if (ec) throw std::runtime_error("bpsim: bad listen address '" + cfg.listen_address + "': " + ec.message());
  const tcp::endpoint ep(addr, cfg.port);
  acceptor.open(ep.protocol(), ec);
  if (!ec) acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(ep, ec);
  if (!ec) acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    throw std::runtime_error("bpsim: cannot listen on " + cfg.listen_address + ":" + std::to_string(cfg.port) + ": " +
                             ec.message());
  }
  port = acceptor.local_endpoint().port();
  running = true;
  spdlog::info("bpsim server listening on {}:{}", cfg.listen_address, port);
  do_accept();
  arm_maintenance();
}

void SimServer::Impl::do_accept() {
  acceptor.async_accept(io, [self = shared_from_this()](beast::error_code ec, tcp::socket s) {
    if (!self->running) return;
    if (!ec) {
      ++self->counters.http_connections;
      beast::error_code ignored;
      s.set_option(tcp::no_delay(true), ignored);
      std::make_shared<HttpSession>(std::move(s), self)->run();
    }
    self->do_accept();
  });
}

void SimServer::Impl::arm_maintenance() {
  maintenance.expires_after(std::chrono::milliseconds(250));
  maintenance.async_wait([self = shared_from_this()](beast::error_code ec) {
    if (ec || !self->running) return;
    if (self->rt.faults().periodic_drop_due(self->rt.wall_clock().now_us())) self->drop_ws("periodic drop_ws_every_s");
    self->arm_maintenance();
  });
}

void SimServer::Impl::stop() {
  if (!running) return;
  running = false;
  beast::error_code ec;
  acceptor.close(ec);
  maintenance.cancel();
  if (hub) hub->close_all("server shutdown", /*hard=*/false);
  // Copy: closing may destroy sessions, which erase themselves from the map.
  std::vector<std::shared_ptr<HttpSession>> live;
  for (auto& [p, w] : http_sessions) {
    if (auto s = w.lock()) live.push_back(std::move(s));
  }
  for (auto& s : live) s->close();
  hub.reset();
  spdlog::info("bpsim server stopped");
}

// ---------------------------------------------------------------- SimServer

SimServer::SimServer(net::io_context& io, SimRuntime& runtime, ServerConfig config)
    : impl_(std::make_shared<Impl>(io, runtime, std::move(config))) {}

SimServer::~SimServer() {
  stop();
}

void SimServer::start() {
  impl_->start();
}
void SimServer::stop() {
  impl_->stop();
}
std::uint16_t SimServer::port() const {
  return impl_->port;
}
std::string SimServer::http_url() const {
  return "http://" + impl_->cfg.listen_address + ":" + std::to_string(impl_->port);
}
std::string SimServer::ws_url() const {
  return "ws://" + impl_->cfg.listen_address + ":" + std::to_string(impl_->port);
}
WsHub& SimServer::hub() noexcept {
  return *impl_->hub;
}
const ServerCounters& SimServer::counters() const noexcept {
  return impl_->counters;
}
std::size_t SimServer::ws_connection_count() const noexcept {
  return impl_->hub ? impl_->hub->connection_count() : 0;
}

}  // namespace bparb::sim
