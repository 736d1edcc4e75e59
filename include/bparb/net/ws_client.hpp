#pragma once
// Asynchronous WebSocket client (ws:// or wss://) with automatic reconnect, driven by a
// single-threaded boost::asio::io_context.
//
// - on_message(view) is called straight from the receive buffer (no copy per frame; the buffer is
//   reused). The view is valid only during the call, and at least kReceivePadding readable bytes
//   follow it, so simdjson can parse in place (padded_string_view(data, size, size + padding)).
// - Server pings are answered by Beast automatically; our control callback only notes activity.
// - Silence: if nothing (data, ping or pong) arrives for `silence_timeout_us`, the connection is
//   considered dead and replaced. Halfway through the silence window a ping is sent to provoke traffic.
// - Reconnect with exponential backoff + seeded jitter (Backoff); the backoff resets once a new
//   connection has delivered its first frame.
// - on_connected() runs after every successful handshake (first and each reconnect): the owner sends
//   its subscriptions there (private ones re-signed with a fresh timestamp).
// - on_disconnected(info) runs once whenever an established connection ends (error, silence, peer
//   close, or close()).
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "bparb/core/clock.hpp"
#include "bparb/net/backoff.hpp"
#include "bparb/net/url.hpp"

namespace boost::asio {
class io_context;
}

namespace bparb::net {

inline constexpr std::size_t kReceivePadding = 64;  // == SIMDJSON_PADDING in simdjson 3.x

enum class DisconnectReason : std::uint8_t {
  kClosedByUser,
  kClosedByPeer,  // WebSocket close frame or TCP EOF from the server
  kSilence,       // no frame within silence_timeout_us
  kReadError,     // socket / TLS / protocol error while reading
  kWriteError,    // error while sending
};
const char* to_string(DisconnectReason r) noexcept;

struct DisconnectInfo {
  DisconnectReason reason = DisconnectReason::kClosedByUser;
  std::string message;  // error text or close reason from the peer
};

struct WsClientOptions {
  std::string url;  // "wss://ws.backpack.exchange" or "ws://127.0.0.1:9000/"
  SecurityOptions security;
  DurationUs connect_timeout_us = 10 * kUsPerSecond;  // resolve + TCP + TLS + WS handshake
  // Backpack pings every 60 s, so a healthy connection is never silent for long; 0 disables.
  DurationUs silence_timeout_us = 90 * kUsPerSecond;
  bool ping_when_quiet = true;                     // send a ping after silence_timeout_us / 2 without traffic
  DurationUs close_timeout_us = 2 * kUsPerSecond;  // close(): wait this long for the close handshake
  BackoffOptions backoff;
  bool auto_reconnect = true;
  std::size_t max_message_bytes = 16u << 20;
  std::size_t initial_buffer_bytes = 64u << 10;  // receive buffer reserved per connection
  std::string user_agent = "bparb/0.1";
};

struct WsCounters {
  std::uint64_t connect_attempts = 0;
  std::uint64_t connects = 0;          // successful handshakes
  std::uint64_t reconnects = 0;        // successful handshakes after the first
  std::uint64_t connect_failures = 0;  // attempts that did not reach an open connection
  std::uint64_t disconnects = 0;       // established connections that ended
  std::uint64_t silence_timeouts = 0;
  std::uint64_t frames_received = 0;
  std::uint64_t bytes_received = 0;
  std::uint64_t frames_sent = 0;
  std::uint64_t pings_sent = 0;
  std::uint64_t control_frames = 0;  // pings/pongs received
};

class WsClient {
 public:
  using MessageHandler = std::function<void(std::string_view)>;
  using ConnectedHandler = std::function<void()>;
  using DisconnectedHandler = std::function<void(const DisconnectInfo&)>;

  // Throws std::invalid_argument when the URL is malformed or refused by the security rules.
  WsClient(boost::asio::io_context& ioc, WsClientOptions opts);
  ~WsClient();  // equivalent to close() without callbacks
  WsClient(const WsClient&) = delete;
  WsClient& operator=(const WsClient&) = delete;

  void on_message(MessageHandler h);
  void on_connected(ConnectedHandler h);
  void on_disconnected(DisconnectedHandler h);

  // Starts connecting (and keeps reconnecting until close()). Calling start() again after close()
  // restarts the client.
  void start();
  // Queues a text frame on the current connection. False when not connected (the message is dropped:
  // subscriptions belong in on_connected, which runs again after a reconnect).
  bool send(std::string_view text);
  // Clean close handshake (bounded by close_timeout_us); no reconnect afterwards.
  void close();

  bool connected() const noexcept;
  const WsCounters& counters() const noexcept;
  const Url& url() const noexcept;
  // Delay that the next reconnect will use is drawn from here (exposed for tests and metrics).
  const Backoff& backoff() const noexcept;

 private:
  class Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace bparb::net
