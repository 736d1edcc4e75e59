#pragma once
// The operator's HTTP/1.1 surface (docs/service.md): GET /healthz, /readyz, /api/v1/status, /metrics,
// the read views of views.hpp (/api/v1/positions, orders, fills, events, pnl, config), the live page at /
// and its event stream /api/v1/stream (stream.hpp),
// served on the daemon's own io_context, single-threaded, keep-alive. Every answer is built from the last
// published Snapshot; the server takes one every `snapshot_interval_us` from the provider, so a client
// can neither stall the loop nor make it do more than one snapshot per interval.
//
// Defences, since a browser on the same host can be made to talk to a loopback port: the Host header
// must name the bound address or localhost (DNS rebinding: 421), no CORS headers are ever sent (a
// cross-origin page cannot read an answer), only GET/HEAD (POST on the control paths: service/control.hpp), bounded
// request line + headers and body, a bounded request rate per connection, idle connections closed, a bounded number of
// connections.
#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bparb/core/clock.hpp"
#include "bparb/core/expected.hpp"
#include "bparb/service/snapshot.hpp"

namespace bparb::service {

class ControlHandler;

using Request = boost::beast::http::request<boost::beast::http::string_body>;
using Response = boost::beast::http::response<boost::beast::http::string_body>;

struct ServerOptions {
  std::string address = "127.0.0.1";
  std::uint16_t port = 8780;  // 0 = any free port (tests)
  bool allow_remote = false;  // a non-loopback address is refused without it
  std::size_t max_connections = 16;
  std::size_t max_header_bytes = std::size_t{8} * 1024;  // request line + headers
  std::size_t max_body_bytes = 1024;                     // GETs carry none; a little slack for odd clients
  std::uint32_t max_requests_per_second = 20;            // per connection; above it: 429 and the connection is closed
  DurationUs idle_timeout_us = 30 * kUsPerSecond;
  DurationUs snapshot_interval_us = kUsPerSecond;
  std::size_t max_stream_clients = 4;  // open /api/v1/stream answers; the next one is 503 (they count as connections)
};

// True for 127.0.0.0/8 and ::1.
bool is_loopback_address(std::string_view address) noexcept;
// True for 0.0.0.0 and ::.
bool is_wildcard_address(std::string_view address) noexcept;

// Request handling without sockets: the Host check, routing and the cached answers of the last snapshot.
class Handler {
 public:
  Handler(std::string bound_address, std::uint16_t port, DurationUs snapshot_interval_us);

  // Renders the snapshot's answers once; later requests copy them.
  void publish(const Snapshot& s);
  // The answer to one parsed request at `now`.
  Response handle(const Request& req, TimestampUs now) const;
  // True when `host` (a Host header value) names this server: the bound address or localhost, with or
  // without the port. A wildcard bind accepts any IP literal (never a DNS name).
  bool host_allowed(std::string_view host) const;
  // 400 without a Host header, 421 when it does not name this server; nullopt when the Host is fine.
  std::optional<Response> misdirected(const Request& req) const;
  // A canned error answer (also used by the server for size and rate violations).
  static Response error(unsigned status, std::string_view text, unsigned version, bool keep_alive);

  bool has_snapshot() const noexcept { return published_; }
  // The last snapshot's `snapshot` event, framed for the stream (null before the first snapshot). Shared,
  // so a write under way keeps its bytes while the next snapshot is published.
  const std::shared_ptr<const std::string>& stream_event() const noexcept { return stream_event_; }

 private:
  std::string address_;
  std::uint16_t port_;
  DurationUs fresh_us_;
  bool published_ = false;
  TimestampUs taken_us_ = 0;
  std::vector<std::string> not_ready_;
  std::string status_json_;
  std::string metrics_;
  ViewCache views_;  // positions, orders, fills, events, pnl, config (views.hpp)
  std::uint64_t published_count_ = 0;
  std::shared_ptr<const std::string> stream_event_;
};

// The listening side. Sessions keep a shared state alive, so the server may be destroyed before the
// io_context runs their last handlers.
class Server {
 public:
  // Fills a fresh snapshot whose taken_us and started_us the server has set; today's P&L is the server's.
  using Provider = std::function<void(Snapshot&)>;

  Server(boost::asio::io_context& io, const Clock& clock, std::shared_ptr<spdlog::logger> log, ServerOptions opts,
         Provider provider);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and listens, takes the first snapshot and arms the snapshot timer. The bound port, or why not
  // (naming the address).
  Expected<std::uint16_t, std::string> start();
  // Serves the control paths (service/control.hpp) with `control` from now on; before start().
  void set_control(std::shared_ptr<ControlHandler> control);
  // Closes the listener and every connection, stops the timer.
  void stop() noexcept;
  std::uint16_t port() const noexcept;  // the bound port (after start)
  std::string url() const;              // http://address:port

  struct State;

 private:
  void take_snapshot();
  void arm_timer();
  void accept();
  void feed_streams();

  std::shared_ptr<State> state_;
  Provider provider_;
  TimestampUs started_us_ = 0;
  DailySplit daily_;
};

}  // namespace bparb::service
