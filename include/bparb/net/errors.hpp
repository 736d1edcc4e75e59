#pragma once
// Transport-level outcomes shared by the HTTP and WebSocket clients.
#include <cstdint>

namespace bparb::net {

enum class TransportError : std::uint8_t {
  kNone = 0,
  kResolveFailed,  // DNS failure: nothing was sent
  kConnectFailed,  // TCP connect failed: nothing was sent
  kTls,            // TLS handshake / certificate / host-name verification failed, or TLS-level error
  kTimeout,        // the per-request (or connect) deadline passed
  kClosed,         // the peer closed or reset the connection before a complete response
  kProtocol,       // malformed HTTP / WebSocket data from the peer, or a body over the size limit
  kQueueFull,      // too many requests waiting for a connection
  kCancelled,      // the client was shut down
};

const char* to_string(TransportError e) noexcept;

}  // namespace bparb::net
