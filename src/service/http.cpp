#include "bparb/service/http.hpp"

#include <arpa/inet.h>

#include <array>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <chrono>
#include <optional>
#include <utility>

#include "bparb/service/control.hpp"
#include "bparb/service/live_page_html.hpp"
#include "bparb/service/render.hpp"
#include "bparb/service/stream.hpp"

namespace bparb::service {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

bool is_loopback_address(std::string_view address) noexcept {
  boost::system::error_code ec;
  const asio::ip::address a = asio::ip::make_address(std::string(address), ec);
  return !ec && a.is_loopback();
}

bool is_wildcard_address(std::string_view address) noexcept {
  boost::system::error_code ec;
  const asio::ip::address a = asio::ip::make_address(std::string(address), ec);
  return !ec && a.is_unspecified();
}

// ---------------------------------------------------------------- Handler

Handler::Handler(std::string bound_address, std::uint16_t port, DurationUs snapshot_interval_us)
    : address_(std::move(bound_address)), port_(port), fresh_us_(3 * snapshot_interval_us) {}

void Handler::publish(const Snapshot& s) {
  published_ = true;
  taken_us_ = s.taken_us;
  not_ready_ = readiness_reasons(s);
  status_json_ = render_status_json(s);
  metrics_ = render_metrics(s);
  views_.publish(std::make_shared<const Snapshot>(s));
  // One render per snapshot, shared by every stream client. A comment every 15 events keeps a proxy that
  // counts idle bytes, rather than events, from closing a stream.
  auto event = std::make_shared<std::string>();
  ++published_count_;
  if (published_count_ % 15 == 0) append_sse_comment(*event, "keep-alive");
  append_sse_event(*event, "snapshot", published_count_,
                   render_stream_data(status_json_, views_.positions_json(), views_.orders_json()));
  stream_event_ = std::move(event);
}

bool Handler::host_allowed(std::string_view host) const {
  // Split "name[:port]" / "[v6][:port]".
  std::string_view name = host;
  std::string_view port;
  if (!host.empty() && host.front() == '[') {
    const std::size_t close = host.find(']');
    if (close == std::string_view::npos) return false;
    name = host.substr(1, close - 1);
    std::string_view rest = host.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return false;
      port = rest.substr(1);
    }
  } else {
    const std::size_t colon = host.find(':');
    if (colon != std::string_view::npos) {
      name = host.substr(0, colon);
      port = host.substr(colon + 1);
    }
  }
  if (!port.empty() && port != std::to_string(port_)) return false;
  if (name.empty()) return false;
  std::string lower(name);
  for (char& c : lower) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  if (lower == "localhost") return true;
  boost::system::error_code ec;
  const asio::ip::address given = asio::ip::make_address(lower, ec);
  if (ec) return false;  // a DNS name other than localhost: the rebinding case
  const asio::ip::address bound = asio::ip::make_address(address_, ec);
  if (ec) return false;
  if (bound.is_unspecified()) return true;  // any IP literal reaches a wildcard bind
  return given == bound;
}

Response Handler::error(unsigned status, std::string_view text, unsigned version, bool keep_alive) {
  Response r{static_cast<http::status>(status), version};
  r.set(http::field::content_type, "text/plain; charset=utf-8");
  r.set(http::field::cache_control, "no-store");
  r.body() = std::string(text) + "\n";
  r.keep_alive(keep_alive);
  r.prepare_payload();
  return r;
}

std::optional<Response> Handler::misdirected(const Request& req) const {
  const auto host = req.find(http::field::host);
  if (host == req.end()) return error(400, "missing Host header", req.version(), false);
  if (!host_allowed(std::string_view(host->value().data(), host->value().size())))
    return error(421, "Host does not name this server", req.version(), false);
  return std::nullopt;
}

Response Handler::handle(const Request& req, TimestampUs now) const {
  const unsigned v = req.version();
  const bool ka = req.keep_alive();
  if (auto refused = misdirected(req)) return std::move(*refused);
  const std::string_view target(req.target().data(), req.target().size());
  const std::string_view path = target.substr(0, target.find('?'));
  const bool known = path == "/" || path == "/healthz" || path == "/readyz" || path == "/api/v1/status" ||
                     path == "/metrics" || path == kStreamPath || ViewCache::is_view_path(path);
  if (!known) return error(404, "not found", v, ka);
  if (path == kStreamPath) {
    // The server takes a GET of the stream over before it reaches here (it needs the connection).
    if (req.method() == http::verb::get) return error(503, "the stream is served by the server only", v, false);
    Response r = error(405, "method not allowed", v, ka);
    r.set(http::field::allow, "GET");
    return r;
  }
  if (req.method() != http::verb::get && req.method() != http::verb::head) {
    Response r = error(405, "method not allowed", v, ka);
    r.set(http::field::allow, "GET, HEAD");
    return r;
  }
  auto answer = [&](unsigned status, std::string_view type, std::string body) {
    Response r{static_cast<http::status>(status), v};
    r.set(http::field::content_type, type);
    r.set(http::field::cache_control, "no-store");
    r.body() = std::move(body);
    r.keep_alive(ka);
    r.prepare_payload();
    if (req.method() == http::verb::head) r.body().clear();  // Content-Length stays that of the GET
    return r;
  };
  if (path == "/") {
    // Static, so served before the first snapshot too. Its script and style are inline: the policy allows
    // those and same-origin fetches only, and no page may frame it.
    Response r = answer(200, "text/html; charset=utf-8", std::string(kLivePageHtml));
    r.set("Content-Security-Policy",
          "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; "
          "img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'");
    r.set("X-Content-Type-Options", "nosniff");
    r.set("Referrer-Policy", "no-referrer");
    return r;
  }
  const bool fresh = published_ && now - taken_us_ <= fresh_us_;
  if (path == "/healthz") {
    if (fresh) return answer(200, "text/plain; charset=utf-8", "ok\n");
    return answer(503, "text/plain; charset=utf-8",
                  published_ ? "stale: the event loop is not turning\n" : "starting: no snapshot yet\n");
  }
  if (path == "/readyz") {
    if (!fresh) return answer(503, "text/plain; charset=utf-8", "not ready: no fresh snapshot\n");
    if (not_ready_.empty()) return answer(200, "text/plain; charset=utf-8", "ready\n");
    std::string body = "not ready:\n";
    for (const std::string& r : not_ready_) body += "- " + r + "\n";
    return answer(503, "text/plain; charset=utf-8", std::move(body));
  }
  if (!published_) return answer(503, "text/plain; charset=utf-8", "starting: no snapshot yet\n");
  if (path == "/metrics") return answer(200, "text/plain; version=0.0.4; charset=utf-8", metrics_);
  if (ViewCache::is_view_path(path)) {
    const std::size_t q = target.find('?');
    ViewAnswer a = views_.answer(path, q == std::string_view::npos ? std::string_view{} : target.substr(q + 1));
    return answer(a.status, a.content_type, std::move(a.body));
  }
  return answer(200, "application/json", status_json_);
}

// ---------------------------------------------------------------- Server

namespace {

// A connection that became an event stream: the snapshot timer offers it each new event.
class StreamSink {
 public:
  virtual ~StreamSink() = default;
  virtual void offer(const std::shared_ptr<const std::string>& event, TimestampUs now) = 0;
};

}  // namespace

struct Server::State {
  State(asio::io_context& i, const Clock& c, std::shared_ptr<spdlog::logger> l, ServerOptions o)
      : io(i),
        clock(c),
        log(std::move(l)),
        opts(std::move(o)),
        handler(opts.address, opts.port, opts.snapshot_interval_us),
        acceptor(i),
        timer(i),
        stream_slots(opts.max_stream_clients) {}
  asio::io_context& io;
  const Clock& clock;
  std::shared_ptr<spdlog::logger> log;
  ServerOptions opts;
  Handler handler;
  tcp::acceptor acceptor;
  asio::steady_timer timer;
  std::size_t connections = 0;
  bool stopped = false;
  std::vector<std::weak_ptr<beast::tcp_stream>> streams;  // to close them at stop()
  std::shared_ptr<ControlHandler> control;                // null: the control paths are unknown (404)
  StreamSlots stream_slots;
  std::vector<std::weak_ptr<StreamSink>> stream_sinks;
};

namespace {

class Session : public StreamSink, public std::enable_shared_from_this<Session> {
 public:
  Session(std::shared_ptr<Server::State> st, tcp::socket s)
      : st_(std::move(st)), stream_(std::make_shared<beast::tcp_stream>(std::move(s))) {
    ++st_->connections;
    st_->streams.push_back(stream_);
  }
  ~Session() override {
    --st_->connections;
    if (streaming_) {
      st_->stream_slots.release();
      std::erase_if(st_->stream_sinks, [](const std::weak_ptr<StreamSink>& w) { return w.expired(); });
    }
    std::erase_if(st_->streams, [](const std::weak_ptr<beast::tcp_stream>& w) { return w.expired(); });
  }
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  void read() {
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(st_->opts.max_header_bytes));
    parser_->body_limit(st_->opts.max_body_bytes);
    stream_->expires_after(std::chrono::microseconds(st_->opts.idle_timeout_us));
    http::async_read(*stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
  }

 private:
  void on_read(beast::error_code ec) {
    if (st_->stopped) return;
    if (ec == http::error::header_limit) return reply(Handler::error(431, "request header too large", 11, false));
    if (ec == http::error::body_limit) return reply(Handler::error(413, "request body too large", 11, false));
    if (ec) return close();  // end of stream, idle timeout, malformed request
    const TimestampUs now = st_->clock.now_us();
    if (now - window_start_us_ >= kUsPerSecond) {
      window_start_us_ = now;
      window_count_ = 0;
    }
    if (++window_count_ > st_->opts.max_requests_per_second)
      return reply(Handler::error(429, "too many requests on this connection", parser_->get().version(), false));
    const Request& req = parser_->get();
    if (st_->control && control_action_of(std::string_view(req.target().data(), req.target().size()))) {
      if (auto refused = st_->handler.misdirected(req)) return reply(std::move(*refused));
      // The action runs as its own handler on the io_context, never inside this read's completion.
      return asio::post(st_->io, [self = shared_from_this()] {
        if (self->st_->stopped) return;
        self->reply(self->st_->control->handle(self->parser_->get(), self->st_->clock.now_us()));
      });
    }
    const std::string_view target(req.target().data(), req.target().size());
    if (req.method() == http::verb::get && target.substr(0, target.find('?')) == kStreamPath)
      return start_stream(req, now);
    reply(st_->handler.handle(req, now));
  }

  // Every bound of a request holds before the connection becomes a stream; from then on it only writes,
  // and only from the snapshot timer (offer()).
  void start_stream(const Request& req, TimestampUs now) {
    if (auto refused = st_->handler.misdirected(req)) return reply(std::move(*refused));
    const std::shared_ptr<const std::string>& first = st_->handler.stream_event();
    if (!first) return reply(Handler::error(503, "starting: no snapshot yet", req.version(), false));
    if (!st_->stream_slots.try_acquire())
      return reply(Handler::error(503, "too many stream clients", req.version(), false));
    streaming_ = true;
    st_->stream_sinks.push_back(std::static_pointer_cast<StreamSink>(shared_from_this()));
    stream_->expires_never();  // a stream is quiet between events by design; a stalled write is dropped instead
    auto opening = std::make_shared<std::string>(sse_stream_head(2000));
    *opening += *first;
    write_event(std::move(opening), now);
    watch_peer();
  }

  void offer(const std::shared_ptr<const std::string>& event, TimestampUs now) override {
    switch (stream_step(writing_, write_started_us_, now, st_->opts.idle_timeout_us)) {
      case StreamStep::kWrite:
        return write_event(event, now);
      case StreamStep::kSkip:  // this event is missed; the next one carries the whole state again
        return;
      case StreamStep::kDrop:
        return close();
    }
  }

  void write_event(std::shared_ptr<const std::string> event, TimestampUs now) {
    writing_ = true;
    write_started_us_ = now;
    asio::async_write(stream_->socket(), asio::buffer(*event),
                      [self = shared_from_this(), keep = event](beast::error_code ec, std::size_t) {
                        self->writing_ = false;
                        if (ec || self->st_->stopped) self->close();
                      });
  }

  // A stream client sends nothing more; reading tells us at once when it goes away (bytes are dropped).
  void watch_peer() {
    stream_->socket().async_read_some(asio::buffer(peek_),
                                      [self = shared_from_this()](beast::error_code ec, std::size_t) {
                                        if (ec || self->st_->stopped) return self->close();
                                        self->watch_peer();
                                      });
  }

  void reply(Response r) {
    res_ = std::move(r);
    stream_->expires_after(std::chrono::microseconds(st_->opts.idle_timeout_us));
    http::async_write(*stream_, res_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec || !self->res_.keep_alive() || self->st_->stopped) return self->close();
      self->read();
    });
  }

  void close() {
    beast::error_code ignored;
    stream_->socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_->close();
  }

  std::shared_ptr<Server::State> st_;
  std::shared_ptr<beast::tcp_stream> stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  Response res_;
  TimestampUs window_start_us_ = 0;
  std::uint32_t window_count_ = 0;
  bool streaming_ = false;
  bool writing_ = false;
  TimestampUs write_started_us_ = 0;
  std::array<char, 256> peek_{};
};

}  // namespace

Server::Server(asio::io_context& io, const Clock& clock, std::shared_ptr<spdlog::logger> log, ServerOptions opts,
               Provider provider)
    : state_(std::make_shared<State>(io, clock, std::move(log), std::move(opts))), provider_(std::move(provider)) {}

Server::~Server() {
  stop();
}

Expected<std::uint16_t, std::string> Server::start() {
  State& st = *state_;
  const std::string where = st.opts.address + ":" + std::to_string(st.opts.port);
  boost::system::error_code ec;
  const asio::ip::address addr = asio::ip::make_address(st.opts.address, ec);
  if (ec) return unexpected("service: " + st.opts.address + " is not an IP address");
  if (!addr.is_loopback() && !st.opts.allow_remote)
    return unexpected("service: " + where + " is not a loopback address and allow_remote is false");
  const tcp::endpoint ep(addr, st.opts.port);
  st.acceptor.open(ep.protocol(), ec);
  if (!ec) st.acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) st.acceptor.bind(ep, ec);
  if (!ec) st.acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    boost::system::error_code ignored;
    st.acceptor.close(ignored);
    return unexpected("service: cannot listen on " + where + ": " + ec.message());
  }
  if (st.opts.port == 0) {
    st.opts.port = st.acceptor.local_endpoint(ec).port();
    st.handler = Handler(st.opts.address, st.opts.port, st.opts.snapshot_interval_us);
  }
  if (!addr.is_loopback())
    st.log->warn(
        "Service: listening on {} beyond this host (allow_remote = true): anyone who can reach it reads "
        "the status and metrics",
        url());
  started_us_ = st.clock.now_us();
  take_snapshot();
  arm_timer();
  accept();
  return st.opts.port;
}

void Server::set_control(std::shared_ptr<ControlHandler> control) {
  state_->control = std::move(control);
}

void Server::stop() noexcept {
  State& st = *state_;
  if (st.stopped) return;
  st.stopped = true;
  boost::system::error_code ignored;
  st.acceptor.close(ignored);
  st.timer.cancel();
  for (const auto& w : st.streams)
    if (auto s = w.lock()) s->socket().close(ignored);
}

std::uint16_t Server::port() const noexcept {
  return state_->opts.port;
}

std::string Server::url() const {
  const std::string& a = state_->opts.address;
  const bool v6 = a.find(':') != std::string::npos;
  return "http://" + (v6 ? "[" + a + "]" : a) + ":" + std::to_string(state_->opts.port);
}

void Server::take_snapshot() {
  Snapshot s;
  s.started_us = started_us_;
  s.taken_us = state_->clock.now_us();
  provider_(s);
  daily_.update(s);
  state_->handler.publish(s);
  feed_streams();
}

void Server::feed_streams() {
  State& st = *state_;
  const std::shared_ptr<const std::string>& event = st.handler.stream_event();
  if (!event || st.stream_sinks.empty()) return;
  const TimestampUs now = st.clock.now_us();
  // A sink may close itself while offered an event: walk a copy of the strong references.
  std::vector<std::shared_ptr<StreamSink>> sinks;
  sinks.reserve(st.stream_sinks.size());
  for (const auto& w : st.stream_sinks)
    if (auto s = w.lock()) sinks.push_back(std::move(s));
  for (const auto& s : sinks) s->offer(event, now);
}

void Server::arm_timer() {
  State& st = *state_;
  st.timer.expires_after(std::chrono::microseconds(st.opts.snapshot_interval_us));
  // stop() (also run by the destructor) marks the shared state first: a wait that completes after it
  // never touches `this`.
  std::shared_ptr<State> keep = state_;
  st.timer.async_wait([keep, this](const boost::system::error_code& ec) {
    if (ec || keep->stopped) return;
    take_snapshot();
    arm_timer();
  });
}

void Server::accept() {
  std::shared_ptr<State> st = state_;
  st->acceptor.async_accept([st, this](const boost::system::error_code& ec, tcp::socket sock) {
    if (st->stopped || ec == asio::error::operation_aborted) return;
    if (!ec) {
      if (st->connections >= st->opts.max_connections) {
        // Over the bound: closed at once, before a byte is read.
        boost::system::error_code ignored;
        sock.close(ignored);
      } else {
        std::make_shared<Session>(st, std::move(sock))->read();
      }
    }
    accept();
  });
}

}  // namespace bparb::service
