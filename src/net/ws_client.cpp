#include "bparb/net/ws_client.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <chrono>
#include <deque>
#include <stdexcept>

#include "tls_util.hpp"

namespace bparb::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using SteadyClock = std::chrono::steady_clock;

const char* to_string(DisconnectReason r) noexcept {
  switch (r) {
    case DisconnectReason::kClosedByUser:
      return "closed_by_user";
    case DisconnectReason::kClosedByPeer:
      return "closed_by_peer";
    case DisconnectReason::kSilence:
      return "silence";
    case DisconnectReason::kReadError:
      return "read_error";
    case DisconnectReason::kWriteError:
      return "write_error";
  }
  return "unknown";
}

class WsClient::Impl : public std::enable_shared_from_this<Impl> {
 public:
  using PlainWs = websocket::stream<beast::tcp_stream>;
  using TlsWs = websocket::stream<beast::ssl_stream<beast::tcp_stream>>;

  // One connection attempt / connection. Handlers hold it alive; a handler whose session is no longer
  // the current one returns without doing anything.
  struct Session {
    explicit Session(asio::io_context& ioc) : resolver(ioc) {}
    beast::tcp_stream& tcp() { return tls ? beast::get_lowest_layer(*tls) : beast::get_lowest_layer(*plain); }
    template <class F>
    void with_ws(F&& f) {
      if (tls) {
        f(*tls);
      } else {
        f(*plain);
      }
    }
    std::unique_ptr<PlainWs> plain;
    std::unique_ptr<TlsWs> tls;
    tcp::resolver resolver;
    beast::flat_buffer buffer;
  };
  using SessionPtr = std::shared_ptr<Session>;

  enum class State : std::uint8_t { kStopped, kConnecting, kOpen, kBackoff };

  Impl(asio::io_context& ioc, WsClientOptions opts)
      : ioc_(ioc),
        opts_(std::move(opts)),
        backoff_(opts_.backoff),
        connect_timer_(ioc),
        silence_timer_(ioc),
        reconnect_timer_(ioc) {
    auto url = parse_url(opts_.url);
    if (!url) throw std::invalid_argument("WsClient: " + url.error());
    url_ = std::move(*url);
    if (url_.scheme != Scheme::kWs && url_.scheme != Scheme::kWss) {
      throw std::invalid_argument("WsClient: url must be ws:// or wss://, got '" + opts_.url + "'");
    }
    if (auto why = check_security(url_, opts_.security); !why.empty()) {
      throw std::invalid_argument("WsClient: " + why);
    }
    if (url_.tls()) ssl_ = detail::make_client_tls_context(opts_.security);
    if (opts_.connect_timeout_us <= 0) opts_.connect_timeout_us = 10 * kUsPerSecond;
  }

  MessageHandler on_message_;
  ConnectedHandler on_connected_;
  DisconnectedHandler on_disconnected_;

  void start() {
    if (state_ != State::kStopped) return;
    connect_now();
  }

  bool send(std::string_view text) {
    if (state_ != State::kOpen || !session_) return false;
    outq_.emplace_back(text);
    if (!writing_) do_write(session_);
    return true;
  }

  void close(bool notify) {
    const State prev = state_;
    state_ = State::kStopped;
    connect_timer_.cancel();
    silence_timer_.cancel();
    reconnect_timer_.cancel();
    outq_.clear();
    writing_ = false;
    SessionPtr s = std::move(session_);
    session_.reset();
    if (!s) return;
    if (prev == State::kOpen) {
      ++counters_.disconnects;
      // Close handshake on the detached session; a timer bounds it.
      auto timer = std::make_shared<asio::steady_timer>(ioc_);
      timer->expires_after(std::chrono::microseconds(std::max<DurationUs>(opts_.close_timeout_us, kUsPerMs)));
      timer->async_wait([s, timer](boost::system::error_code ec) {
        if (!ec) s->tcp().close();
      });
      s->with_ws([&](auto& ws) {
        ws.async_close(websocket::close_code::normal, [s, timer](boost::system::error_code) {
          timer->cancel();
          s->tcp().close();
        });
      });
      if (notify && on_disconnected_) {
        DisconnectInfo info{DisconnectReason::kClosedByUser, "close() called"};
        on_disconnected_(info);
      }
    } else {
      s->resolver.cancel();
      s->tcp().close();
    }
  }

  bool connected() const noexcept { return state_ == State::kOpen; }
  const WsCounters& counters() const noexcept { return counters_; }
  const Url& url() const noexcept { return url_; }
  const Backoff& backoff() const noexcept { return backoff_; }

 private:
  void connect_now() {
    state_ = State::kConnecting;
    ++counters_.connect_attempts;
    auto s = std::make_shared<Session>(ioc_);
    if (ssl_) {
      s->tls = std::make_unique<TlsWs>(ioc_, *ssl_);
    } else {
      s->plain = std::make_unique<PlainWs>(ioc_);
    }
    s->buffer.reserve(opts_.initial_buffer_bytes);
    session_ = s;

    connect_timer_.expires_after(std::chrono::microseconds(opts_.connect_timeout_us));
    connect_timer_.async_wait([self = shared_from_this(), s](boost::system::error_code ec) {
      if (ec || self->session_ != s || self->state_ != State::kConnecting) return;
      self->fail_attempt(s, "connect timeout");
    });

    s->resolver.async_resolve(
        url_.host, std::to_string(url_.port),
        [self = shared_from_this(), s](boost::system::error_code ec, tcp::resolver::results_type results) {
          if (self->session_ != s) return;
          if (ec) return self->fail_attempt(s, "resolve: " + ec.message());
          self->tcp_connect(s, results);
        });
  }

  void tcp_connect(const SessionPtr& s, const tcp::resolver::results_type& results) {
    s->tcp().async_connect(results, [self = shared_from_this(), s](boost::system::error_code ec, const tcp::endpoint&) {
      if (self->session_ != s) return;
      if (ec) return self->fail_attempt(s, "connect: " + ec.message());
      boost::system::error_code ignored;
      s->tcp().socket().set_option(tcp::no_delay(true), ignored);
      if (s->tls) {
        std::string err;
        if (!detail::prepare_tls_stream(s->tls->next_layer(), self->url_.host, self->opts_.security.tls_verify, err)) {
          return self->fail_attempt(s, err);
        }
        s->tls->next_layer().async_handshake(ssl::stream_base::client, [self, s](boost::system::error_code hec) {
          if (self->session_ != s) return;
          if (hec) return self->fail_attempt(s, "tls: " + hec.message());
          self->ws_handshake(s);
        });
      } else {
        self->ws_handshake(s);
      }
    });
  }

  void ws_handshake(const SessionPtr& s) {
    s->with_ws([&](auto& ws) {
      websocket::stream_base::timeout t{};
      t.handshake_timeout = std::chrono::microseconds(opts_.connect_timeout_us);
      t.idle_timeout = websocket::stream_base::none();  // silence detection is ours (see arm_silence)
      t.keep_alive_pings = false;
      ws.set_option(t);
      ws.set_option(websocket::stream_base::decorator(
          [ua = opts_.user_agent](websocket::request_type& req) { req.set(beast::http::field::user_agent, ua); }));
      ws.read_message_max(opts_.max_message_bytes);
      ws.auto_fragment(false);
      Impl* raw = this;
      // Informational only: Beast answers pings itself. Must not start I/O from here.
      ws.control_callback([raw](websocket::frame_type kind, beast::string_view) {
        if (kind == websocket::frame_type::close) return;
        ++raw->counters_.control_frames;
        raw->note_activity();
      });
      ws.async_handshake(url_.host_header(), url_.target, [self = shared_from_this(), s](boost::system::error_code ec) {
        if (self->session_ != s) return;
        if (ec) return self->fail_attempt(s, "websocket handshake: " + ec.message());
        self->on_open(s);
      });
    });
  }

  void on_open(const SessionPtr& s) {
    connect_timer_.cancel();
    state_ = State::kOpen;
    ++counters_.connects;
    if (ever_connected_) ++counters_.reconnects;
    ever_connected_ = true;
    first_frame_pending_ = true;
    ping_sent_ = false;
    note_activity();
    arm_silence(s);
    do_read(s);
    if (on_connected_) on_connected_();
  }

  void note_activity() noexcept {
    last_activity_ = SteadyClock::now();
    ping_sent_ = false;
  }

  void do_read(const SessionPtr& s) {
    s->with_ws([&](auto& ws) {
      ws.async_read(s->buffer, [self = shared_from_this(), s](boost::system::error_code ec, std::size_t n) {
        self->on_read(s, ec, n);
      });
    });
  }

  void on_read(const SessionPtr& s, boost::system::error_code ec, std::size_t n) {
    if (session_ != s || state_ != State::kOpen) return;
    if (ec) {
      if (ec == websocket::error::closed) {
        std::string why;
        s->with_ws([&](auto& ws) { why = std::string(ws.reason().reason.c_str()); });
        return fail_session(s, DisconnectReason::kClosedByPeer, why.empty() ? "peer closed" : why);
      }
      if (ec == asio::error::eof || ec == asio::error::connection_reset || ec == ssl::error::stream_truncated) {
        return fail_session(s, DisconnectReason::kClosedByPeer, ec.message());
      }
      return fail_session(s, DisconnectReason::kReadError, ec.message());
    }
    note_activity();
    ++counters_.frames_received;
    counters_.bytes_received += n;
    if (first_frame_pending_) {
      first_frame_pending_ = false;
      backoff_.reset();  // this connection works: the next outage starts from the initial delay
    }
    // Guarantee kReceivePadding readable bytes after the frame (no realloc once the buffer is warm).
    s->buffer.prepare(kReceivePadding);
    const auto data = s->buffer.data();
    if (on_message_) on_message_(std::string_view(static_cast<const char*>(data.data()), data.size()));
    s->buffer.consume(s->buffer.size());
    if (session_ == s && state_ == State::kOpen) do_read(s);
  }

  void do_write(const SessionPtr& s) {
    writing_ = true;
    s->with_ws([&](auto& ws) {
      ws.text(true);
      ws.async_write(asio::buffer(outq_.front()),
                     [self = shared_from_this(), s](boost::system::error_code ec, std::size_t) {
                       if (self->session_ != s) return;
                       self->writing_ = false;
                       if (ec) return self->fail_session(s, DisconnectReason::kWriteError, ec.message());
                       ++self->counters_.frames_sent;
                       self->outq_.pop_front();
                       if (!self->outq_.empty() && self->state_ == State::kOpen) self->do_write(s);
                     });
    });
  }

  void arm_silence(const SessionPtr& s) {
    if (opts_.silence_timeout_us <= 0) return;
    const auto silence = std::chrono::microseconds(opts_.silence_timeout_us);
    const auto due = last_activity_ + ((opts_.ping_when_quiet && !ping_sent_) ? silence / 2 : silence);
    silence_timer_.expires_at(due);
    silence_timer_.async_wait([self = shared_from_this(), s](boost::system::error_code ec) {
      if (ec || self->session_ != s || self->state_ != State::kOpen) return;
      self->check_silence(s);
    });
  }

  void check_silence(const SessionPtr& s) {
    const auto silence = std::chrono::microseconds(opts_.silence_timeout_us);
    const auto idle = SteadyClock::now() - last_activity_;
    if (idle >= silence) {
      ++counters_.silence_timeouts;
      return fail_session(s, DisconnectReason::kSilence, "no frame received within the silence timeout");
    }
    if (opts_.ping_when_quiet && !ping_sent_ && !ping_in_flight_ && idle >= silence / 2) {
      ping_sent_ = true;
      ping_in_flight_ = true;
      ++counters_.pings_sent;
      s->with_ws([&](auto& ws) {
        ws.async_ping({}, [self = shared_from_this(), s](boost::system::error_code ec) {
          self->ping_in_flight_ = false;
          if (self->session_ != s || self->state_ != State::kOpen) return;
          if (ec) self->fail_session(s, DisconnectReason::kWriteError, "ping: " + ec.message());
        });
      });
    }
    arm_silence(s);
  }

  void fail_attempt(const SessionPtr& s, std::string why) {
    if (session_ != s || state_ != State::kConnecting) return;
    ++counters_.connect_failures;
    last_error_ = std::move(why);
    connect_timer_.cancel();
    s->resolver.cancel();
    s->tcp().close();
    session_.reset();
    state_ = State::kBackoff;
    schedule_reconnect();
  }

  void fail_session(const SessionPtr& s, DisconnectReason reason, std::string why) {
    if (session_ != s || state_ != State::kOpen) return;
    ++counters_.disconnects;
    silence_timer_.cancel();
    outq_.clear();
    writing_ = false;
    s->tcp().close();
    session_.reset();
    state_ = State::kBackoff;
    if (on_disconnected_) {
      DisconnectInfo info{reason, std::move(why)};
      on_disconnected_(info);
    }
    if (state_ == State::kBackoff) schedule_reconnect();  // the callback may have called close()/start()
  }

  void schedule_reconnect() {
    if (!opts_.auto_reconnect) {
      state_ = State::kStopped;
      return;
    }
    const DurationUs delay = backoff_.next();
    reconnect_timer_.expires_after(std::chrono::microseconds(delay));
    reconnect_timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (ec || self->state_ != State::kBackoff) return;
      self->connect_now();
    });
  }

  asio::io_context& ioc_;
  WsClientOptions opts_;
  Url url_;
  std::unique_ptr<ssl::context> ssl_;
  Backoff backoff_;
  asio::steady_timer connect_timer_;
  asio::steady_timer silence_timer_;
  asio::steady_timer reconnect_timer_;
  SessionPtr session_;
  State state_ = State::kStopped;
  std::deque<std::string> outq_;
  bool writing_ = false;
  bool ever_connected_ = false;
  bool first_frame_pending_ = false;
  bool ping_sent_ = false;
  bool ping_in_flight_ = false;
  SteadyClock::time_point last_activity_{};
  std::string last_error_;
  WsCounters counters_;
};

WsClient::WsClient(boost::asio::io_context& ioc, WsClientOptions opts)
    : impl_(std::make_shared<Impl>(ioc, std::move(opts))) {}

WsClient::~WsClient() {
  if (!impl_) return;
  impl_->on_message_ = nullptr;
  impl_->on_connected_ = nullptr;
  impl_->on_disconnected_ = nullptr;
  impl_->close(/*notify=*/false);
}

void WsClient::on_message(MessageHandler h) {
  impl_->on_message_ = std::move(h);
}
void WsClient::on_connected(ConnectedHandler h) {
  impl_->on_connected_ = std::move(h);
}
void WsClient::on_disconnected(DisconnectedHandler h) {
  impl_->on_disconnected_ = std::move(h);
}
void WsClient::start() {
  impl_->start();
}
bool WsClient::send(std::string_view text) {
  return impl_->send(text);
}
void WsClient::close() {
  impl_->close(/*notify=*/true);
}
bool WsClient::connected() const noexcept {
  return impl_->connected();
}
const WsCounters& WsClient::counters() const noexcept {
  return impl_->counters();
}
const Url& WsClient::url() const noexcept {
  return impl_->url();
}
const Backoff& WsClient::backoff() const noexcept {
  return impl_->backoff();
}

}  // namespace bparb::net
