#pragma once
// Origins the network clients talk to, and the security rules for them. Parsing happens once at
// start-up, so these helpers may allocate and report errors as text.
#include <cstdint>
#include <string>
#include <string_view>

#include "bparb/core/expected.hpp"

namespace bparb::net {

enum class Scheme : std::uint8_t { kHttp, kHttps, kWs, kWss };

struct Url {
  Scheme scheme = Scheme::kHttp;
  std::string host;          // "api.backpack.exchange", "127.0.0.1", "::1" (no brackets)
  std::uint16_t port = 0;    // explicit or the scheme default (80/443)
  std::string target = "/";  // path + query, always starts with '/'

  bool tls() const noexcept { return scheme == Scheme::kHttps || scheme == Scheme::kWss; }
  // "host:port" with brackets around IPv6 literals: the HTTP Host header / WS handshake host.
  std::string host_header() const;
};

// Accepts http://, https://, ws://, wss:// (case-insensitive scheme), optional port, optional path.
// Rejects user-info, fragments, empty hosts, bad ports.
Expected<Url, std::string> parse_url(std::string_view text);

// True for "localhost", 127.0.0.0/8 and ::1 (also ::ffff:127.x.x.x). Decided from the text alone:
// no DNS lookup, so a name that merely resolves to loopback does not count.
bool is_loopback_host(std::string_view host) noexcept;

// Transport security knobs shared by HttpClient and WsClient.
struct SecurityOptions {
  // Plain http:// / ws:// is accepted only for loopback hosts unless this is set explicitly.
  bool allow_insecure_http = false;
  // Certificate + host-name verification. May be false ONLY for loopback hosts (a test server with a
  // self-signed certificate); a non-loopback host with verification off is refused.
  bool tls_verify = true;
  // Extra trust anchor (PEM file) on top of the system CA store; empty = system store only.
  std::string ca_file;
};

// Empty string when `url` may be used with `opts`; otherwise the reason it is refused.
std::string check_security(const Url& url, const SecurityOptions& opts);

}  // namespace bparb::net
