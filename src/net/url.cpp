#include "bparb/net/url.hpp"

#include <algorithm>
#include <boost/asio/ip/address.hpp>
#include <cctype>
#include <charconv>

#include "bparb/net/errors.hpp"

namespace bparb::net {

namespace {

bool iequals(std::string_view a, std::string_view b) noexcept {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace

const char* to_string(TransportError e) noexcept {
  switch (e) {
    case TransportError::kNone:
      return "none";
    case TransportError::kResolveFailed:
      return "resolve_failed";
    case TransportError::kConnectFailed:
      return "connect_failed";
    case TransportError::kTls:
      return "tls";
    case TransportError::kTimeout:
      return "timeout";
    case TransportError::kClosed:
      return "closed";
    case TransportError::kProtocol:
      return "protocol";
    case TransportError::kQueueFull:
      return "queue_full";
    case TransportError::kCancelled:
      return "cancelled";
  }
  return "unknown";
}

std::string Url::host_header() const {
  std::string h;
  const bool v6 = host.find(':') != std::string::npos;
  if (v6) h += '[';
  h += host;
  if (v6) h += ']';
  const bool default_port = (tls() && port == 443) || (!tls() && port == 80);
  if (!default_port) {
    h += ':';
    h += std::to_string(port);
  }
  return h;
}

Expected<Url, std::string> parse_url(std::string_view text) {
  Url url;
  const auto sep = text.find("://");
  if (sep == std::string_view::npos) return unexpected(std::string("URL has no scheme: '") + std::string(text) + "'");
  const std::string_view scheme = text.substr(0, sep);
  if (iequals(scheme, "http")) {
    url.scheme = Scheme::kHttp;
  } else if (iequals(scheme, "https")) {
    url.scheme = Scheme::kHttps;
  } else if (iequals(scheme, "ws")) {
    url.scheme = Scheme::kWs;
  } else if (iequals(scheme, "wss")) {
    url.scheme = Scheme::kWss;
  } else {
    return unexpected("unsupported URL scheme '" + std::string(scheme) + "' (expected http, https, ws or wss)");
  }
  std::string_view rest = text.substr(sep + 3);
  if (rest.find('#') != std::string_view::npos) return unexpected(std::string("URL fragments are not supported"));
  const auto path_pos = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, path_pos);
  std::string_view target = path_pos == std::string_view::npos ? std::string_view{} : rest.substr(path_pos);
  if (authority.find('@') != std::string_view::npos) {
    return unexpected(std::string("credentials in URLs are refused (they would end up in logs)"));
  }
  std::string_view host;
  std::string_view port_text;
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return unexpected(std::string("unterminated IPv6 literal in URL"));
    host = authority.substr(1, close - 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return unexpected(std::string("junk after IPv6 literal in URL"));
      port_text = after.substr(1);
      if (port_text.empty()) return unexpected(std::string("empty port in URL"));
    }
  } else {
    const auto colon = authority.find(':');
    host = authority.substr(0, colon);
    if (colon != std::string_view::npos) {
      port_text = authority.substr(colon + 1);
      if (port_text.empty()) return unexpected(std::string("empty port in URL"));
    }
  }
  if (host.empty()) return unexpected("URL has no host: '" + std::string(text) + "'");
  for (char c : host) {
    const auto u = static_cast<unsigned char>(c);
    if (!(std::isalnum(u) || c == '.' || c == '-' || c == '_' || c == ':')) {
      return unexpected("invalid character in URL host: '" + std::string(host) + "'");
    }
  }
  if (!port_text.empty()) {
    unsigned v = 0;
    const auto [p, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), v);
    if (ec != std::errc{} || p != port_text.data() + port_text.size() || v == 0 || v > 65535) {
      return unexpected("invalid port in URL: '" + std::string(port_text) + "'");
    }
    url.port = static_cast<std::uint16_t>(v);
  } else {
    url.port = url.tls() ? 443 : 80;
  }
  url.host = std::string(host);
  std::transform(url.host.begin(), url.host.end(), url.host.begin(),
                 [](char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); });
  if (target.empty()) {
    url.target = "/";
  } else if (target.front() == '?') {
    url.target = "/" + std::string(target);
  } else {
    url.target = std::string(target);
  }
  return url;
}

bool is_loopback_host(std::string_view host) noexcept {
  if (iequals(host, "localhost") || iequals(host, "localhost.")) return true;
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  boost::system::error_code ec;
  // make_address needs a NUL-terminated copy; hosts are short.
  char buf[64];
  if (host.size() >= sizeof(buf)) return false;
  std::copy(host.begin(), host.end(), buf);
  buf[host.size()] = '\0';
  const auto addr = boost::asio::ip::make_address(buf, ec);
  if (ec) return false;
  if (addr.is_loopback()) return true;
  if (addr.is_v6() && addr.to_v6().is_v4_mapped()) {
    return boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, addr.to_v6()).is_loopback();
  }
  return false;
}

std::string check_security(const Url& url, const SecurityOptions& opts) {
  const bool loopback = is_loopback_host(url.host);
  if (!url.tls() && !loopback && !opts.allow_insecure_http) {
    return "plain-text connection to non-loopback host '" + url.host +
           "' refused: use https:// / wss:// (or set allow_insecure_http explicitly)";
  }
  if (url.tls() && !opts.tls_verify && !loopback) {
    return "TLS verification can only be disabled for loopback hosts; refusing '" + url.host + "'";
  }
  return {};
}

}  // namespace bparb::net
