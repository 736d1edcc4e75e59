#pragma once
// Asynchronous HTTP/1.1 client for ONE origin, driven by a single-threaded boost::asio::io_context.
//
// - Keep-alive: connections are reused; before a reused connection carries a request it is probed
//   (non-blocking peek) and discarded if the server has closed it, so a stale socket costs a reconnect,
//   not a failed request.
// - Retries: a request that fails on a REUSED connection before any response byte arrived is retried
//   once on a fresh connection ONLY if it is retry-safe (GET/HEAD by default). Orders (POST/DELETE)
//   are never retried: the caller gets the error plus `maybe_sent` and decides (OutcomeUnknown).
// - A small pool (max_connections, default 4) so a slow GET does not block an order; requests beyond
//   that wait in a bounded FIFO queue. Each connection carries one request at a time.
// - Per-request deadline covering connect, TLS, write and read; on expiry the connection is dropped.
// - TLS: system CA store + optional extra CA file, SNI, host-name verification. See SecurityOptions.
//
// Callbacks run on the io_context thread, never synchronously inside request().
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bparb/core/clock.hpp"
#include "bparb/net/errors.hpp"
#include "bparb/net/url.hpp"

namespace boost::asio {
class io_context;
}

namespace bparb::net {

enum class HttpMethod : std::uint8_t { kGet, kPost, kDelete, kPatch, kPut, kHead };
const char* to_string(HttpMethod m) noexcept;

struct HttpHeader {
  std::string name;
  std::string value;
};

struct HttpRequest {
  HttpMethod method = HttpMethod::kGet;
  std::string target = "/";  // path + query, e.g. "/api/v1/depth?symbol=SOL_USDC&limit=100"
  std::string body;
  std::string content_type;  // sent only when non-empty
  std::vector<HttpHeader> headers;
  DurationUs timeout_us = 0;  // 0 = HttpClientOptions::default_timeout_us
  // Whether the client may resend this request by itself after a stale keep-alive connection.
  // Unset = true for GET/HEAD, false for everything else.
  std::optional<bool> retry_safe;
};

struct HttpResponse {
  int status = 0;
  std::string body;
  std::vector<HttpHeader> headers;
  // Case-insensitive lookup; empty view when absent.
  std::string_view header(std::string_view name) const noexcept;
};

struct HttpResult {
  TransportError error = TransportError::kNone;
  std::string error_message;  // transport detail (never contains request headers)
  // True once any request byte may have left this process: after such a failure the server may have
  // acted on the request. False for resolve/connect/TLS-handshake failures and queue timeouts.
  bool maybe_sent = false;
  std::uint32_t attempts = 0;  // 1, or 2 after a transparent retry
  HttpResponse response;       // meaningful when error == kNone

  bool ok() const noexcept { return error == TransportError::kNone; }
};

// The HttpResult passed to a callback is owned by the client (connection storage reused for the next
// response): it is valid until the callback returns. Copy or move out what must outlive the call
// (moving the body out is fine, it only costs that connection an allocation next time).
// libstdc++ keeps a std::function target inline only when it is trivially copyable and at most 16
// bytes (e.g. [this, index] or [&a, &b]); larger captures cost a heap allocation per request.
using HttpCallback = std::function<void(HttpResult& result)>;

struct HttpClientOptions {
  std::string base_url;  // "https://api.backpack.exchange" or "http://127.0.0.1:8080" (path ignored)
  SecurityOptions security;
  std::size_t max_connections = 4;
  std::size_t max_queued = 256;
  DurationUs default_timeout_us = 10 * kUsPerSecond;
  std::size_t max_body_bytes = 64u << 20;  // /markets and /depth?limit=1000 are large
  std::string user_agent = "bparb/0.1";
};

struct HttpCounters {
  std::uint64_t requests = 0;   // accepted by request()
  std::uint64_t responses = 0;  // complete HTTP responses (any status)
  std::uint64_t connections_opened = 0;
  std::uint64_t connections_reused = 0;  // requests sent on an already-open connection
  std::uint64_t stale_discarded = 0;     // idle connections found closed by the server before reuse
  std::uint64_t retries = 0;
  std::uint64_t timeouts = 0;
  std::uint64_t failures = 0;  // results with error != kNone
  // Handler / response-header memory that did not fit a connection's preallocated pool and came from
  // the heap (TLS handshakes, unusually many or long headers). Flat once warm on the order path.
  std::uint64_t pool_misses = 0;
};

class HttpClient {
 public:
  // Throws std::invalid_argument when the URL is malformed or refused by the security rules.
  HttpClient(boost::asio::io_context& ioc, HttpClientOptions opts);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  void request(HttpRequest req, HttpCallback cb);
  // Same, without taking the request: `req` must stay alive and unchanged until `cb` has run (or the
  // client is destroyed). Lets a caller reuse one request object and its string capacity (orders).
  void request_lent(const HttpRequest& req, HttpCallback cb);

  // Fails every queued and in-flight request with kCancelled and closes all connections.
  void shutdown();

  const Url& origin() const noexcept;
  const HttpCounters& counters() const noexcept;
  std::size_t open_connections() const noexcept;
  std::size_t queued() const noexcept;

 private:
  class Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace bparb::net
