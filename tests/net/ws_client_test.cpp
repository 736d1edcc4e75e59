#include "bparb/net/ws_client.hpp"

#include <gtest/gtest.h>

#include <optional>

#include "../support/test_servers.hpp"

namespace bparb::net {
namespace {

using namespace std::chrono_literals;
using testing::run_for;
using testing::run_until;
using testing::WsTestServer;

WsClientOptions ws_opts_for(const WsTestServer& s) {
  WsClientOptions o;
  o.url = s.url();
  o.connect_timeout_us = 2 * kUsPerSecond;
  o.backoff.initial_us = 10 * kUsPerMs;
  o.backoff.max_us = 40 * kUsPerMs;
  o.backoff.jitter = 0.0;
  return o;
}

TEST(WsClient, EchoRoundTripAndCounters) {
  boost::asio::io_context ioc;
  WsTestServer server(ioc);
  WsClient client(ioc, ws_opts_for(server));
  std::vector<std::string> got;
  int connected = 0;
  client.on_connected([&] {
    ++connected;
    EXPECT_TRUE(client.send("hello"));
    EXPECT_TRUE(client.send(R"({"method":"SUBSCRIBE","params":["depth.SOL_USDC"]})"));
  });
  client.on_message([&](std::string_view m) { got.emplace_back(m); });
  EXPECT_FALSE(client.send("too early"));  // not connected yet: refused, not queued
  client.start();
  ASSERT_TRUE(run_until(ioc, [&] { return got.size() == 2; }));
  EXPECT_EQ(connected, 1);
  EXPECT_EQ(got[0], "hello");
  EXPECT_EQ(got[1], R"({"method":"SUBSCRIBE","params":["depth.SOL_USDC"]})");
  EXPECT_TRUE(client.connected());
  const auto& c = client.counters();
  EXPECT_EQ(c.connects, 1u);
  EXPECT_EQ(c.reconnects, 0u);
  EXPECT_EQ(c.frames_received, 2u);
  EXPECT_EQ(c.frames_sent, 2u);
  EXPECT_EQ(c.bytes_received, 5u + got[1].size());
  ASSERT_EQ(server.received().size(), 2u);
}

TEST(WsClient, ReceiveBufferIsReusedAcrossFrames) {
  boost::asio::io_context ioc;
  WsTestServer server(ioc);
  server.echo = false;
  WsClient client(ioc, ws_opts_for(server));
  std::vector<const char*> ptrs;
  std::vector<std::string> got;
  client.on_connected([&] {
    for (int i = 0; i < 20; ++i) server.push("frame-" + std::to_string(i));
  });
  client.on_message([&](std::string_view m) {
    ptrs.push_back(m.data());
    got.emplace_back(m);
    // The padding promise: kReceivePadding bytes after the frame are readable (ASan would flag it).
    volatile char sink = m.data()[m.size() + kReceivePadding - 1];
    (void)sink;
  });
  client.start();
  ASSERT_TRUE(run_until(ioc, [&] { return got.size() == 20; }));
  EXPECT_EQ(got[7], "frame-7");
  for (auto* p : ptrs) EXPECT_EQ(p, ptrs[0]);  // same storage every frame: no copy, no reallocation
}

TEST(WsClient, ServerDropReconnectsAndCallsOnConnectedAgain) {
  boost::asio::io_context ioc;
  WsTestServer server(ioc);
  WsClient client(ioc, ws_opts_for(server));
  int connected = 0;
  std::vector<DisconnectInfo> drops;
  client.on_connected([&] {
    ++connected;
    client.send("sub-" + std::to_string(connected));  // the owner resubscribes on every connect
  });
  client.on_disconnected([&](const DisconnectInfo& d) { drops.push_back(d); });
  client.start();
  ASSERT_TRUE(run_until(ioc, [&] { return server.received().size() == 1; }));
  server.drop_all();
  ASSERT_TRUE(run_until(ioc, [&] { return server.received().size() == 2; }));
  EXPECT_EQ(connected, 2);
  EXPECT_EQ(server.received()[1], "sub-2");
  ASSERT_EQ(drops.size(), 1u);
  EXPECT_EQ(drops[0].reason, DisconnectReason::kClosedByPeer);
  EXPECT_EQ(client.counters().reconnects, 1u);
  EXPECT_EQ(client.counters().disconnects, 1u);
  EXPECT_EQ(server.handshakes(), 2u);
}

TEST(WsClient, SilenceIsDetectedAndTriggersReconnect) {
  boost::asio::io_context ioc;
  WsTestServer server(ioc);
  server.silent = true;  // handshake, then nothing: our pings are not even answered
  WsClientOptions o = ws_opts_for(server);
  o.silence_timeout_us = 200 * kUsPerMs;
  WsClient client(ioc, o);
  std::vector<DisconnectInfo> drops;
  client.on_disconnected([&](const DisconnectInfo& d) { drops.push_back(d); });
  client.start();
  ASSERT_TRUE(run_until(ioc, [&] { return client.counters().reconnects >= 1; }));
  ASSERT_GE(drops.size(), 1u);
  EXPECT_EQ(drops[0].reason, DisconnectReason::kSilence);
  EXPECT_GE(client.counters().silence_timeouts, 1u);
  EXPECT_GE(client.counters().pings_sent, 1u);  // it tried to provoke traffic first
  EXPECT_GE(client.counters().reconnects, 1u);
}

TEST(WsClient, PingsKeepAQuietButHealthyConnectionAlive) {
  boost::asio::io_context ioc;
  WsTestServer server(ioc);  // reads, so Beast answers our pings with pongs
  WsClientOptions o = ws_opts_for(server);
  o.silence_timeout_us = 400 * kUsPerMs;  // generous: a pong only needs one loopback round trip
  WsClient client(ioc, o);
  client.start();
  ASSERT_TRUE(run_until(ioc, [&] { return client.counters().control_frames >= 2; }));
  EXPECT_GE(client.counters().pings_sent, 2u);
  EXPECT_EQ(client.counters().silence_timeouts, 0u);
  EXPECT_EQ(client.counters().disconnects, 0u);
  EXPECT_EQ(server.handshakes(), 1u);
}

TEST(WsClient, BackoffGrowsWhileTheServerIsDown) {
  boost::asio::io_context ioc;
  WsClientOptions o;
  o.url = "ws://127.0.0.1:" + std::to_string(testing::unused_port(ioc)) + "/";
  o.backoff.initial_us = 5 * kUsPerMs;
  o.backoff.max_us = 20 * kUsPerMs;
  o.backoff.jitter = 0.0;
  WsClient client(ioc, o);
  int connected = 0;
  client.on_connected([&] { ++connected; });
  client.start();
  ASSERT_TRUE(run_until(ioc, [&] { return client.counters().connect_failures >= 5; }));
  EXPECT_EQ(connected, 0);
  EXPECT_GE(client.backoff().attempts(), 5u);
  // The delay sequence itself (5,10,20,20,... ms) is checked in Backoff.GrowsExponentiallyAndIsCapped.
  client.close();
  const auto failures = client.counters().connect_failures;
  run_for(ioc, 50ms);
  EXPECT_EQ(client.counters().connect_failures, failures);  // close() stops the retry loop
}

TEST(WsClient, BackoffResetsAfterAHealthyConnection) {
  boost::asio::io_context ioc;
  WsTestServer server(ioc);
  WsClient client(ioc, ws_opts_for(server));
  int got = 0;
  client.on_connected([&] { client.send("x"); });
  client.on_message([&](std::string_view) { ++got; });
  client.start();
  ASSERT_TRUE(run_until(ioc, [&] { return got == 1; }));
  server.drop_all();
  ASSERT_TRUE(run_until(ioc, [&] { return got == 2; }));
  EXPECT_EQ(client.backoff().attempts(), 0u);  // reset by the first frame of the new connection
}

TEST(WsClient, CleanCloseNotifiesAndDoesNotReconnect) {
  boost::asio::io_context ioc;
  WsTestServer server(ioc);
  WsClient client(ioc, ws_opts_for(server));
  std::vector<DisconnectInfo> drops;
  bool up = false;
  client.on_connected([&] { up = true; });
  client.on_disconnected([&](const DisconnectInfo& d) { drops.push_back(d); });
  client.start();
  ASSERT_TRUE(run_until(ioc, [&] { return up; }));
  client.close();
  EXPECT_FALSE(client.connected());
  ASSERT_TRUE(run_until(ioc, [&] { return server.close_frames() == 1; }));
  run_for(ioc, 50ms);
  ASSERT_EQ(drops.size(), 1u);
  EXPECT_EQ(drops[0].reason, DisconnectReason::kClosedByUser);
  EXPECT_EQ(server.handshakes(), 1u);
  EXPECT_FALSE(client.send("after close"));
}

TEST(WsClient, MessageLargerThanLimitDropsTheConnection) {
  boost::asio::io_context ioc;
  WsTestServer server(ioc);
  server.echo = false;
  WsClientOptions o = ws_opts_for(server);
  o.max_message_bytes = 1024;
  o.auto_reconnect = false;
  WsClient client(ioc, o);
  std::vector<DisconnectInfo> drops;
  int frames = 0;
  client.on_connected([&] { server.push(std::string(4096, 'x')); });
  client.on_message([&](std::string_view) { ++frames; });
  client.on_disconnected([&](const DisconnectInfo& d) { drops.push_back(d); });
  client.start();
  ASSERT_TRUE(run_until(ioc, [&] { return !drops.empty(); }));
  EXPECT_EQ(frames, 0);
  EXPECT_EQ(drops[0].reason, DisconnectReason::kReadError);
  run_for(ioc, 30ms);
  EXPECT_EQ(server.handshakes(), 1u);  // auto_reconnect = false
}

}  // namespace
}  // namespace bparb::net
