// TLS rules against an in-test HTTPS / WSS server on 127.0.0.1 with a certificate generated here.
#include <gtest/gtest.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <unistd.h>

#include <boost/asio/ssl.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>

#include "bparb/net/http_client.hpp"
#include "bparb/net/ws_client.hpp"
#include "../support/test_servers.hpp"

namespace bparb::net {
namespace {

namespace ssl = boost::asio::ssl;
using testing::run_until;

struct Pem {
  std::string cert;
  std::string key;
};

std::string bio_to_string(BIO* bio) {
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<std::size_t>(n));
}

// Self-signed P-256 certificate with the given subjectAltName, e.g. "DNS:localhost,IP:127.0.0.1".
Pem make_self_signed(const std::string& san) {
  EVP_PKEY* pkey = EVP_EC_gen("P-256");
  X509* x = X509_new();
  X509_set_version(x, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
  X509_gmtime_adj(X509_getm_notBefore(x), -3600);
  X509_gmtime_adj(X509_getm_notAfter(x), 3600);
  X509_set_pubkey(x, pkey);
  X509_NAME* name = X509_get_subject_name(x);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("bparb test"), -1, -1, 0);
  X509_set_issuer_name(x, name);
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, x, x, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, NID_subject_alt_name, san.c_str());
  X509_add_ext(x, ext, -1);
  X509_EXTENSION_free(ext);
  X509_EXTENSION* bc = X509V3_EXT_conf_nid(nullptr, &ctx, NID_basic_constraints, "critical,CA:TRUE");
  X509_add_ext(x, bc, -1);
  X509_EXTENSION_free(bc);
  X509_sign(x, pkey, EVP_sha256());

  Pem out;
  BIO* cb = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(cb, x);
  out.cert = bio_to_string(cb);
  BIO_free(cb);
  BIO* kb = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(kb, pkey, nullptr, nullptr, 0, nullptr, nullptr);
  out.key = bio_to_string(kb);
  BIO_free(kb);
  X509_free(x);
  EVP_PKEY_free(pkey);
  return out;
}

std::string write_temp(const std::string& text, const std::string& name) {
  const auto path = std::filesystem::temp_directory_path() / (name + "_" + std::to_string(::getpid()) + ".pem");
  std::ofstream(path) << text;
  return path.string();
}

// Minimal keep-alive HTTPS server and WSS echo server on one port (the first request decides).
class TlsTestServer {
 public:
  TlsTestServer(boost::asio::io_context& ioc, const Pem& pem, bool websocket)
      : ctx_(ssl::context::tls_server),
        acceptor_(ioc, {boost::asio::ip::make_address("127.0.0.1"), 0}),
        ws_(websocket) {
    ctx_.use_certificate_chain(boost::asio::buffer(pem.cert));
    ctx_.use_private_key(boost::asio::buffer(pem.key), ssl::context::pem);
    accept();
  }
  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
  std::size_t accepted = 0;
  std::size_t handshakes = 0;

 private:
  using Tls = boost::beast::ssl_stream<boost::beast::tcp_stream>;
  struct Conn {
    Conn(boost::asio::ip::tcp::socket s, ssl::context& ctx) : tls(std::move(s), ctx), ws(tls) {}
    Tls tls;
    boost::beast::websocket::stream<Tls&> ws;
    boost::beast::flat_buffer buf;
    boost::beast::http::request<boost::beast::http::string_body> req;
    boost::beast::http::response<boost::beast::http::string_body> res;
  };

  void accept() {
    acceptor_.async_accept([this](boost::system::error_code ec, boost::asio::ip::tcp::socket s) {
      if (ec) return;
      ++accepted;
      auto c = std::make_shared<Conn>(std::move(s), ctx_);
      c->tls.async_handshake(ssl::stream_base::server, [this, c](boost::system::error_code hec) {
        if (hec) return;  // the client refused our certificate
        ++handshakes;
        if (ws_) {
          c->ws.async_accept([this, c](boost::system::error_code aec) {
            if (!aec) ws_read(c);
          });
        } else {
          http_read(c);
        }
      });
      accept();
    });
  }
  void http_read(const std::shared_ptr<Conn>& c) {
    c->req = {};
    boost::beast::http::async_read(c->tls, c->buf, c->req, [this, c](boost::system::error_code ec, std::size_t) {
      if (ec) return;
      c->res = {};
      c->res.version(11);
      c->res.result(200);
      c->res.keep_alive(true);
      c->res.body() = "secure " + std::string(c->req.target());
      c->res.prepare_payload();
      boost::beast::http::async_write(c->tls, c->res, [this, c](boost::system::error_code wec, std::size_t) {
        if (!wec) http_read(c);
      });
    });
  }
  void ws_read(const std::shared_ptr<Conn>& c) {
    c->ws.async_read(c->buf, [this, c](boost::system::error_code ec, std::size_t) {
      if (ec) return;
      c->ws.text(true);
      c->ws.async_write(c->buf.data(), [this, c](boost::system::error_code wec, std::size_t) {
        c->buf.consume(c->buf.size());
        if (!wec) ws_read(c);
      });
    });
  }

  ssl::context ctx_;
  boost::asio::ip::tcp::acceptor acceptor_;
  bool ws_;
};

class TlsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    good_ = new Pem(make_self_signed("DNS:localhost,IP:127.0.0.1"));
    wrong_ = new Pem(make_self_signed("DNS:wrong.example"));
    good_ca_ = new std::string(write_temp(good_->cert, "bparb_good_ca"));
    wrong_ca_ = new std::string(write_temp(wrong_->cert, "bparb_wrong_ca"));
  }
  static void TearDownTestSuite() {
    std::remove(good_ca_->c_str());
    std::remove(wrong_ca_->c_str());
    delete good_;
    delete wrong_;
    delete good_ca_;
    delete wrong_ca_;
  }

  std::optional<HttpResult> get_once(HttpClient& c, const std::string& target = "/x") {
    std::optional<HttpResult> res;
    HttpRequest r;
    r.target = target;
    c.request(std::move(r), [&](HttpResult& x) { res = std::move(x); });
    EXPECT_TRUE(run_until(ioc_, [&] { return res.has_value(); }));
    return res;
  }

  static inline Pem* good_ = nullptr;
  static inline Pem* wrong_ = nullptr;
  static inline std::string* good_ca_ = nullptr;
  static inline std::string* wrong_ca_ = nullptr;
  boost::asio::io_context ioc_;
};

TEST_F(TlsTest, VerificationOffWorksOnLoopbackAndKeepsTheConnection) {
  TlsTestServer server(ioc_, *good_, false);
  HttpClientOptions o;
  o.base_url = "https://127.0.0.1:" + std::to_string(server.port());
  o.security.tls_verify = false;
  HttpClient client(ioc_, o);
  for (int i = 0; i < 3; ++i) {
    auto r = get_once(client, "/n" + std::to_string(i));
    ASSERT_TRUE(r && r->ok()) << (r ? r->error_message : "");
    EXPECT_EQ(r->response.body, "secure /n" + std::to_string(i));
  }
  EXPECT_EQ(server.accepted, 1u);
  EXPECT_EQ(client.counters().connections_reused, 2u);
  // Once the TLS connection is up, requests on it take their operation memory from the connection's
  // pool: the TLS layers' operations fit its blocks.
  const std::uint64_t misses = client.counters().pool_misses;
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(get_once(client)->ok());
  EXPECT_EQ(client.counters().pool_misses, misses);
}

TEST_F(TlsTest, UntrustedCertificateIsRefused) {
  TlsTestServer server(ioc_, *good_, false);
  HttpClientOptions o;
  o.base_url = "https://127.0.0.1:" + std::to_string(server.port());  // verification on, system CAs only
  HttpClient client(ioc_, o);
  auto r = get_once(client);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->error, TransportError::kTls) << r->error_message;
  EXPECT_FALSE(r->maybe_sent);  // nothing left before the handshake failed
  EXPECT_EQ(server.handshakes, 0u);
}

TEST_F(TlsTest, TrustedCaAndMatchingNameIsAccepted) {
  TlsTestServer server(ioc_, *good_, false);
  for (const std::string host : {"127.0.0.1", "localhost"}) {
    HttpClientOptions o;
    o.base_url = "https://" + host + ":" + std::to_string(server.port());
    o.security.ca_file = *good_ca_;
    HttpClient client(ioc_, o);
    auto r = get_once(client);
    ASSERT_TRUE(r && r->ok()) << host << ": " << (r ? r->error_message : "");
    EXPECT_EQ(r->response.body, "secure /x");
  }
}

TEST_F(TlsTest, HostNameMismatchIsRefusedEvenWithATrustedCa) {
  TlsTestServer server(ioc_, *wrong_, false);  // valid chain, but issued for wrong.example
  HttpClientOptions o;
  o.base_url = "https://127.0.0.1:" + std::to_string(server.port());
  o.security.ca_file = *wrong_ca_;
  HttpClient client(ioc_, o);
  auto r = get_once(client);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->error, TransportError::kTls) << r->error_message;
}

TEST_F(TlsTest, MissingCaFileIsAStartupError) {
  HttpClientOptions o;
  o.base_url = "https://127.0.0.1:1";
  o.security.ca_file = "/nonexistent/ca.pem";
  EXPECT_THROW(HttpClient(ioc_, o), std::runtime_error);
}

TEST_F(TlsTest, WssEchoWithVerifiedCertificate) {
  TlsTestServer server(ioc_, *good_, true);
  WsClientOptions o;
  o.url = "wss://127.0.0.1:" + std::to_string(server.port()) + "/";
  o.security.ca_file = *good_ca_;
  WsClient ws(ioc_, o);
  std::vector<std::string> got;
  ws.on_connected([&] { ws.send("over tls"); });
  ws.on_message([&](std::string_view m) { got.emplace_back(m); });
  ws.start();
  ASSERT_TRUE(run_until(ioc_, [&] { return !got.empty(); }));
  EXPECT_EQ(got[0], "over tls");
  ws.close();
}

TEST_F(TlsTest, WssWithUntrustedCertificateKeepsRetryingWithoutConnecting) {
  TlsTestServer server(ioc_, *good_, true);
  WsClientOptions o;
  o.url = "wss://127.0.0.1:" + std::to_string(server.port()) + "/";
  o.backoff.initial_us = 5 * kUsPerMs;
  o.backoff.max_us = 10 * kUsPerMs;
  WsClient ws(ioc_, o);
  bool connected = false;
  ws.on_connected([&] { connected = true; });
  ws.start();
  ASSERT_TRUE(run_until(ioc_, [&] { return ws.counters().connect_failures >= 2; }));
  EXPECT_FALSE(connected);
  EXPECT_EQ(server.handshakes, 0u);
  ws.close();
}

}  // namespace
}  // namespace bparb::net
