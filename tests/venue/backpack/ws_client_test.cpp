// BackpackWs: subscriptions (public + signed private) across reconnects, and frame dispatch.
#include "bparb/venue/backpack/ws_client.hpp"

#include <gtest/gtest.h>

#include <array>

#include "../../support/test_servers.hpp"
#include "bparb/venue/backpack/signer.hpp"

namespace bparb::backpack {
namespace {

using namespace std::chrono_literals;
using net::testing::run_until;
using net::testing::WsTestServer;

constexpr std::int64_t kTs = 1614550000000;

SigningKey ws_test_key() {
  std::array<std::uint8_t, 32> seed{};
  for (std::uint8_t i = 0; i < 32; ++i) seed[i] = i;
  return SigningKey::from_seed(seed);
}

BackpackWsOptions opts_for(const std::string& url) {
  BackpackWsOptions o;
  o.ws.url = url;
  o.ws.backoff.initial_us = 5 * kUsPerMs;
  o.ws.backoff.max_us = 20 * kUsPerMs;
  o.ws.backoff.jitter = 0;
  return o;
}

// Pulls the "signature":[key, sig, ts, window] strings out of a private subscribe message.
std::vector<std::string> signature_fields(const std::string& msg) {
  std::vector<std::string> out;
  auto pos = msg.find("\"signature\":[");
  if (pos == std::string::npos) return out;
  pos += 13;
  while (out.size() < 4) {
    const auto a = msg.find('"', pos);
    const auto b = msg.find('"', a + 1);
    if (a == std::string::npos || b == std::string::npos) break;
    out.push_back(msg.substr(a + 1, b - a - 1));
    pos = b + 1;
  }
  return out;
}

TEST(BackpackWs, SubscribesOnConnectAndReSignsPrivateStreamsOnReconnect) {
  boost::asio::io_context ioc;
  WsTestServer server(ioc);
  server.echo = false;
  ManualClock clock(kTs * kUsPerMs);
  SigningKey key = ws_test_key();
  BackpackWs ws(ioc, clock, opts_for(server.url()), &key);
  EXPECT_TRUE(ws.subscribe("depth.SOL_USDC"));
  EXPECT_TRUE(ws.subscribe("account.orderUpdate"));
  EXPECT_TRUE(ws.subscribe("depth.SOL_USDC"));  // duplicate: remembered once
  EXPECT_EQ(ws.subscriptions().size(), 2u);
  int connected = 0;
  ws.add_connected_listener([&] { ++connected; });
  ws.start();
  ASSERT_TRUE(run_until(ioc, [&] { return server.received().size() == 2; }));
  EXPECT_EQ(server.received()[0], R"({"method":"SUBSCRIBE","params":["depth.SOL_USDC"]})");
  const auto first = signature_fields(server.received()[1]);
  ASSERT_EQ(first.size(), 4u) << server.received()[1];
  EXPECT_EQ(first[0], "A6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg=");
  // docs/backpack.md §1.5: instruction=subscribe&timestamp=1614550000000&window=5000
  EXPECT_EQ(first[1], "Uf+mBpqN/y/EzT77rzrj7ga4mdvZmzq4XW+Lh+9B0K0wLMFJrInMKcACIpSpVaPNzrFEpPhINxEP2rNI3E92CA==");
  EXPECT_EQ(first[2], "1614550000000");
  EXPECT_EQ(first[3], "5000");

  clock.advance_us(90 * kUsPerSecond);  // the outage outlasts the old signature's window
  server.drop_all();
  ASSERT_TRUE(run_until(ioc, [&] { return server.received().size() == 4; }));
  EXPECT_EQ(connected, 2);
  EXPECT_EQ(server.received()[2], R"({"method":"SUBSCRIBE","params":["depth.SOL_USDC"]})");
  const auto second = signature_fields(server.received()[3]);
  ASSERT_EQ(second.size(), 4u);
  EXPECT_EQ(second[2], "1614550090000");
  EXPECT_NE(second[1], first[1]);
  EXPECT_TRUE(
      verify_signature_base64(second[0], second[1], "instruction=subscribe&timestamp=1614550090000&window=5000"));
}

TEST(BackpackWs, PrivateStreamNeedsAKey) {
  boost::asio::io_context ioc;
  ManualClock clock(kTs * kUsPerMs);
  BackpackWs ws(ioc, clock, opts_for("ws://127.0.0.1:1/"), nullptr);
  EXPECT_FALSE(ws.subscribe("account.orderUpdate"));
  EXPECT_TRUE(ws.subscribe("bookTicker.SOL_USDC"));
  EXPECT_FALSE(ws.subscribe(""));
  EXPECT_EQ(ws.subscriptions().size(), 1u);
}

TEST(BackpackWs, RejectsBadOptions) {
  boost::asio::io_context ioc;
  ManualClock clock(0);
  auto o = opts_for("wss://ws.backpack.exchange");
  o.ws.security.tls_verify = false;
  EXPECT_THROW(BackpackWs(ioc, clock, o), std::invalid_argument);
  o = opts_for("ws://127.0.0.1:1/");
  o.window_ms = 0;
  EXPECT_THROW(BackpackWs(ioc, clock, o), std::invalid_argument);
}

TEST(BackpackWs, DispatchesTypedFramesAndSkipsMalformedOnes) {
  boost::asio::io_context ioc;
  WsTestServer server(ioc);
  server.echo = false;
  ManualClock clock(kTs * kUsPerMs);
  BackpackWs ws(ioc, clock, opts_for(server.url()), nullptr);
  std::vector<std::string> seen;
  BackpackWsHandlers h;
  h.on_depth = [&](const DepthDelta& d, TimestampUs t) {
    EXPECT_EQ(t, kTs * kUsPerMs);
    seen.push_back("depth " + std::string(d.symbol) + " " + std::to_string(d.first_update_id) + "-" +
                   std::to_string(d.last_update_id) + " bids=" + std::to_string(d.bids.size()));
  };
  h.on_book_ticker = [&](const BookTickerEvent& e, TimestampUs) {
    seen.push_back("bookTicker " + std::string(e.symbol) + " " + e.bid_price.str() + "/" + e.ask_price.str());
  };
  h.on_trade = [&](const TradeEvent& e, TimestampUs) { seen.push_back("trade " + e.price.str()); };
  h.on_mark_price = [&](const MarkPriceEvent& e, TimestampUs) { seen.push_back("mark " + e.mark_price.str()); };
  h.on_order_update = [&](const OrderUpdateEvent& e, TimestampUs) {
    seen.push_back("order " + std::string(e.order_id) + " " + std::string(to_string(e.event)));
  };
  h.on_position_update = [&](const PositionUpdateEvent& e, TimestampUs) {
    seen.push_back("position " + e.net_quantity.str());
  };
  h.on_error_frame = [&](const WsErrorEvent& e) { seen.push_back("error " + std::to_string(e.code)); };
  ws.set_handlers(h);
  ws.subscribe("depth.SOL_USDC");
  ws.start();
  ASSERT_TRUE(run_until(ioc, [&] { return server.received().size() == 1; }));
  server.push(R"({"stream":"depth.SOL_USDC","data":{"e":"depth","E":"1759338824897386","T":"1759338824895616",)"
              R"("U":101,"u":102,"s":"SOL_USDC","a":[],"b":[["150.10","2.5"]]}})");
  server.push("{not json");
  server.push(R"({"stream":"bookTicker.SOL_USDC","data":{"A":"0.4087","B":"0.0020","E":"1754517402450016",)"
              R"("T":"1754517402449064","a":"150.12","b":"150.1","e":"bookTicker","s":"SOL_USDC","u":1328288557}})");
  server.push(R"({"stream":"kline.1m.SOL_USDC","data":{"e":"kline"}})");
  server.push(R"({"id":null,"error":{"code":4006,"message":"Invalid stream"}})");
  server.push(R"({"stream":"depth.SOL_USDC","data":{"e":"depth","U":"x"}})");  // bad field type
  server.push(R"({"stream":"trade.SOL_USDC","data":{"E":"1754601477746429","T":"1754601477744000","a":"5121860761",)"
              R"("b":"5121861755","e":"trade","m":false,"p":"150.25","q":"0.0008","s":"SOL_USDC","t":10782547}})");
  ASSERT_TRUE(run_until(ioc, [&] { return ws.counters().frames == 7; }));
  ASSERT_EQ(seen.size(), 4u);
  EXPECT_EQ(seen[0], "depth SOL_USDC 101-102 bids=1");
  EXPECT_EQ(seen[1], "bookTicker SOL_USDC 150.1/150.12");
  EXPECT_EQ(seen[2], "error 4006");
  EXPECT_EQ(seen[3], "trade 150.25");
  EXPECT_EQ(ws.counters().malformed, 2u);
  EXPECT_EQ(ws.counters().unknown, 1u);
  EXPECT_EQ(ws.counters().error_frames, 1u);
  EXPECT_TRUE(ws.connected());  // malformed frames never cost the connection
  EXPECT_EQ(ws.transport().counters().disconnects, 0u);
}

TEST(BackpackWs, HandleFrameDecodesPrivateEventsWithoutANetwork) {
  boost::asio::io_context ioc;
  ManualClock clock(kTs * kUsPerMs);
  BackpackWs ws(ioc, clock, opts_for("ws://127.0.0.1:1/"), nullptr);
  std::vector<std::string> seen;
  ws.handlers().on_order_update = [&](const OrderUpdateEvent& e, TimestampUs) {
    seen.push_back("order " + std::string(e.order_id) + " " + std::string(to_string(e.event)) + " " +
                   e.fill_quantity.str());
  };
  ws.handlers().on_position_update = [&](const PositionUpdateEvent& e, TimestampUs) {
    seen.push_back("position " + e.net_quantity.str());
  };
  const std::string fill =
      R"({"stream":"account.orderUpdate","data":{"E":"1754939110175879","L":"4299.16","N":"ETH","O":"USER",)"
      R"("Q":"4.30","S":"Bid","T":"1754939110174705","V":"RejectTaker","X":"Filled","Z":"4.299160","e":"orderFill",)"
      R"("f":"GTC","i":"5406825793","l":"0.0010","m":false,"n":"0.000001","o":"MARKET","q":"0.0010","r":false,)"
      R"("s":"ETH_USDC","t":2888471,"z":"0.0010"}})";
  const std::string pos =
      R"({"stream":"account.positionUpdate","data":{"B":"4236.36","E":"1754943862040486","M":"4235.88650933",)"
      R"("P":"-0.000473","Q":"0.0010","T":"1754943862040487","b":"4238.479","e":"positionOpened","f":"0.02",)"
      R"("i":5411399049,"l":"0","m":"0.0125","n":"4.23588650933","p":"0","q":"0.0010","s":"ETH_USDC_PERP"}})";
  ws.handle_frame(fill.data(), fill.size(), fill.size());
  ws.handle_frame(pos.data(), pos.size(), pos.size());
  ws.handle_frame("", 0, 0);
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0], "order 5406825793 orderFill 0.001");
  EXPECT_EQ(seen[1], "position 0.001");
  EXPECT_EQ(ws.counters().malformed, 1u);
}

}  // namespace
}  // namespace bparb::backpack
