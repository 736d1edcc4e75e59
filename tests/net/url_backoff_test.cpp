#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <stdexcept>

#include "bparb/net/backoff.hpp"
#include "bparb/net/http_client.hpp"
#include "bparb/net/url.hpp"
#include "bparb/net/ws_client.hpp"

namespace bparb::net {
namespace {

TEST(Url, ParsesSchemesPortsAndTargets) {
  auto u = parse_url("https://api.backpack.exchange");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->scheme, Scheme::kHttps);
  EXPECT_EQ(u->host, "api.backpack.exchange");
  EXPECT_EQ(u->port, 443);
  EXPECT_EQ(u->target, "/");
  EXPECT_EQ(u->host_header(), "api.backpack.exchange");

  auto w = parse_url("WS://127.0.0.1:9001/stream?x=1");
  ASSERT_TRUE(w);
  EXPECT_EQ(w->scheme, Scheme::kWs);
  EXPECT_EQ(w->port, 9001);
  EXPECT_EQ(w->target, "/stream?x=1");
  EXPECT_EQ(w->host_header(), "127.0.0.1:9001");

  auto v6 = parse_url("http://[::1]:8080");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->host_header(), "[::1]:8080");

  auto q = parse_url("http://localhost?a=b");
  ASSERT_TRUE(q);
  EXPECT_EQ(q->port, 80);
  EXPECT_EQ(q->target, "/?a=b");
}

TEST(Url, RejectsMalformed) {
  EXPECT_FALSE(parse_url("api.backpack.exchange"));
  EXPECT_FALSE(parse_url("ftp://host"));
  EXPECT_FALSE(parse_url("http://"));
  EXPECT_FALSE(parse_url("http://host:0"));
  EXPECT_FALSE(parse_url("http://host:65536"));
  EXPECT_FALSE(parse_url("http://host:12a"));
  EXPECT_FALSE(parse_url("http://host:"));
  EXPECT_FALSE(parse_url("http://user:pw@host"));
  EXPECT_FALSE(parse_url("http://[::1"));
  EXPECT_FALSE(parse_url("http://ho st"));
  EXPECT_FALSE(parse_url("http://host/#frag"));
  auto e = parse_url("gopher://x");
  ASSERT_FALSE(e);
  EXPECT_NE(e.error().find("gopher"), std::string::npos);
}

TEST(Url, LoopbackDetectionIsTextual) {
  EXPECT_TRUE(is_loopback_host("127.0.0.1"));
  EXPECT_TRUE(is_loopback_host("127.1.2.3"));
  EXPECT_TRUE(is_loopback_host("localhost"));
  EXPECT_TRUE(is_loopback_host("LOCALHOST"));
  EXPECT_TRUE(is_loopback_host("::1"));
  EXPECT_TRUE(is_loopback_host("[::1]"));
  EXPECT_TRUE(is_loopback_host("::ffff:127.0.0.1"));
  EXPECT_FALSE(is_loopback_host("128.0.0.1"));
  EXPECT_FALSE(is_loopback_host("10.0.0.1"));
  EXPECT_FALSE(is_loopback_host("localhost.evil.com"));
  EXPECT_FALSE(is_loopback_host("api.backpack.exchange"));
  EXPECT_FALSE(is_loopback_host(""));
}

TEST(Security, RulesForPlainTextAndVerification) {
  SecurityOptions strict;
  EXPECT_TRUE(check_security(*parse_url("https://api.backpack.exchange"), strict).empty());
  EXPECT_TRUE(check_security(*parse_url("http://127.0.0.1:1"), strict).empty());
  EXPECT_FALSE(check_security(*parse_url("http://api.backpack.exchange"), strict).empty());
  EXPECT_FALSE(check_security(*parse_url("ws://10.1.1.1:9000"), strict).empty());

  SecurityOptions insecure_http;
  insecure_http.allow_insecure_http = true;
  EXPECT_TRUE(check_security(*parse_url("http://10.1.1.1:9000"), insecure_http).empty());

  SecurityOptions no_verify;
  no_verify.tls_verify = false;
  EXPECT_TRUE(check_security(*parse_url("https://127.0.0.1:8443"), no_verify).empty());
  EXPECT_TRUE(check_security(*parse_url("wss://localhost:8443"), no_verify).empty());
  const std::string why = check_security(*parse_url("https://api.backpack.exchange"), no_verify);
  EXPECT_NE(why.find("loopback"), std::string::npos) << why;
  EXPECT_FALSE(check_security(*parse_url("wss://ws.backpack.exchange"), no_verify).empty());
  // allow_insecure_http does not unlock unverified TLS.
  no_verify.allow_insecure_http = true;
  EXPECT_FALSE(check_security(*parse_url("https://api.backpack.exchange"), no_verify).empty());
}

TEST(Security, ClientsRefuseVerificationOffForRemoteHosts) {
  boost::asio::io_context ioc;
  HttpClientOptions h;
  h.base_url = "https://api.backpack.exchange";
  h.security.tls_verify = false;
  EXPECT_THROW(HttpClient(ioc, h), std::invalid_argument);
  h.base_url = "http://api.backpack.exchange";
  h.security.tls_verify = true;
  EXPECT_THROW(HttpClient(ioc, h), std::invalid_argument);
  h.base_url = "not a url";
  EXPECT_THROW(HttpClient(ioc, h), std::invalid_argument);
  h.base_url = "ws://127.0.0.1:1";  // wrong scheme for HTTP
  EXPECT_THROW(HttpClient(ioc, h), std::invalid_argument);
  h.base_url = "https://127.0.0.1:8443";
  h.security.tls_verify = false;
  EXPECT_NO_THROW(HttpClient(ioc, h));

  WsClientOptions w;
  w.url = "wss://ws.backpack.exchange";
  w.security.tls_verify = false;
  EXPECT_THROW(WsClient(ioc, w), std::invalid_argument);
  w.url = "ws://ws.backpack.exchange";
  w.security.tls_verify = true;
  EXPECT_THROW(WsClient(ioc, w), std::invalid_argument);
  w.url = "https://127.0.0.1:1";
  EXPECT_THROW(WsClient(ioc, w), std::invalid_argument);
  w.url = "wss://127.0.0.1:8443";
  w.security.tls_verify = false;
  EXPECT_NO_THROW(WsClient(ioc, w));
}

TEST(Backoff, GrowsExponentiallyAndIsCapped) {
  BackoffOptions o;
  o.initial_us = 100 * kUsPerMs;
  o.max_us = 1000 * kUsPerMs;
  o.multiplier = 2.0;
  o.jitter = 0.0;
  Backoff b(o);
  EXPECT_EQ(b.next(), 100 * kUsPerMs);
  EXPECT_EQ(b.next(), 200 * kUsPerMs);
  EXPECT_EQ(b.next(), 400 * kUsPerMs);
  EXPECT_EQ(b.next(), 800 * kUsPerMs);
  EXPECT_EQ(b.next(), 1000 * kUsPerMs);  // capped
  for (int i = 0; i < 100; ++i) EXPECT_EQ(b.next(), 1000 * kUsPerMs);
  b.reset();
  EXPECT_EQ(b.next(), 100 * kUsPerMs);
}

TEST(Backoff, JitterStaysInBandAndIsSeeded) {
  BackoffOptions o;
  o.initial_us = 100 * kUsPerMs;
  o.max_us = 800 * kUsPerMs;
  o.jitter = 0.5;
  o.seed = 42;
  Backoff a(o), b(o);
  o.seed = 43;
  Backoff c(o);
  bool any_differs = false;
  DurationUs base = 100 * kUsPerMs;
  for (int i = 0; i < 20; ++i) {
    const DurationUs da = a.next();
    EXPECT_EQ(da, b.next());  // same seed, same sequence
    any_differs |= (da != c.next());
    EXPECT_LE(da, base);
    EXPECT_GE(da, base / 2);
    base = std::min<DurationUs>(base * 2, 800 * kUsPerMs);
  }
  EXPECT_TRUE(any_differs);
}

TEST(Backoff, SanitisesOptions) {
  BackoffOptions o;
  o.initial_us = 0;  // below 1 ms -> 1 ms
  o.max_us = -5;
  o.multiplier = 0.5;  // < 1 -> 1
  o.jitter = 7;        // > 1 -> 1
  Backoff b(o);
  for (int i = 0; i < 10; ++i) {
    const DurationUs d = b.next();
    EXPECT_GE(d, kUsPerMs);
    EXPECT_LE(d, kUsPerMs);
  }
}

}  // namespace
}  // namespace bparb::net
