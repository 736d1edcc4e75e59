#pragma once
// Internal to src/net: TLS context + per-stream setup shared by HttpClient and WsClient.
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ssl.hpp>
#include <memory>
#include <stdexcept>
#include <string>

#include "bparb/net/url.hpp"

namespace bparb::net::detail {

// System CA store (+ optional extra CA file), peer verification on unless the caller (already
// checked by check_security) disabled it for a loopback host. TLS 1.2 minimum.
inline std::unique_ptr<boost::asio::ssl::context> make_client_tls_context(const SecurityOptions& sec) {
  namespace ssl = boost::asio::ssl;
  auto ctx = std::make_unique<ssl::context>(ssl::context::tls_client);
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                   ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  boost::system::error_code ec;
  ctx->set_default_verify_paths(ec);
  if (ec) throw std::runtime_error("cannot load the system CA store: " + ec.message());
  if (!sec.ca_file.empty()) {
    ctx->load_verify_file(sec.ca_file, ec);
    if (ec) throw std::runtime_error("cannot load CA file '" + sec.ca_file + "': " + ec.message());
  }
  ctx->set_verify_mode(sec.tls_verify ? ssl::verify_peer : ssl::verify_none);
  return ctx;
}

// SNI (host names only: RFC 6066 forbids IP literals) and host-name / IP verification.
// Returns false with `err` set when OpenSSL refuses the SNI name.
template <class SslStream>
bool prepare_tls_stream(SslStream& s, const std::string& host, bool verify, std::string& err) {
  namespace ssl = boost::asio::ssl;
  boost::system::error_code ec;
  (void)boost::asio::ip::make_address(host, ec);
  const bool is_ip = !ec;
  if (!is_ip) {
    if (SSL_set_tlsext_host_name(s.native_handle(), host.c_str()) != 1) {
      err = "cannot set SNI host name";
      return false;
    }
  }
  if (verify) {
    s.set_verify_mode(ssl::verify_peer);
    s.set_verify_callback(ssl::host_name_verification(host));
  } else {
    s.set_verify_mode(ssl::verify_none);
  }
  return true;
}

}  // namespace bparb::net::detail
