// bpsim WebSocket over real loopback sockets: depth stream contiguous with the REST snapshot,
// public stream frames, invalid streams, private subscribe + order/position events, keepalive.
#include <gtest/gtest.h>

#include <boost/asio/write.hpp>
#include <map>

#include "bpsim_test_util.hpp"

namespace bpsim_test {
namespace {

using WsBook = std::map<Decimal, Decimal>;  // price -> quantity

void apply_levels(WsBook& book, simdjson::dom::array levels) {
  for (auto lvl : levels) {
    std::string_view px, qty;
    ASSERT_EQ(lvl.at(0).get_string().get(px), simdjson::SUCCESS);
    ASSERT_EQ(lvl.at(1).get_string().get(qty), simdjson::SUCCESS);
    const Decimal q = Decimal::from_string(qty);
    if (q.is_zero()) {
      book.erase(Decimal::from_string(px));
    } else {
      book[Decimal::from_string(px)] = q;
    }
  }
}

struct Snapshot {
  std::int64_t last_update_id = 0;
  WsBook bids, asks;
};

Snapshot rest_snapshot(HttpConn& http, const std::string& symbol) {
  Snapshot s;
  auto r = http.get("/api/v1/depth?symbol=" + symbol + "&limit=1000");
  EXPECT_EQ(r.status, 200);
  Json j(r.body);
  s.last_update_id = std::stoll(str_of(j.root, "lastUpdateId"));
  simdjson::dom::array bids, asks;
  EXPECT_EQ(j.root["bids"].get_array().get(bids), simdjson::SUCCESS);
  EXPECT_EQ(j.root["asks"].get_array().get(asks), simdjson::SUCCESS);
  apply_levels(s.bids, bids);
  apply_levels(s.asks, asks);
  return s;
}

class BpsimWs : public ::testing::Test {
 protected:
  static sim::SimConfig config() {
    sim::SimConfig cfg = test_config();
    cfg.server.ws_ping_interval_ms = 100;
    cfg.server.ws_pong_timeout_ms = 300;
    return cfg;
  }
  BpsimWs() : sim_(config()), http_(sim_.port()) {}

  void wait_subscribers(const std::string& stream, std::size_t n) {
    for (int i = 0; i < 200; ++i) {
      if (sim_.on_server([&] { return sim_.server_unsafe().hub().subscriber_count(stream); }) >= n) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    FAIL() << "no subscriber on " << stream;
  }

  SimProcess sim_;
  HttpConn http_;
  bp::SigningKey key_ = test_key();
  HttpConn::Auth auth() { return HttpConn::Auth{&key_}; }
};

TEST_F(BpsimWs, DepthFramesAreContiguousWithTheRestSnapshotAndRebuildTheBook) {
  const std::string sym = "SOL_USDC_PERP";
  WsConn ws(sim_.port());
  ASSERT_TRUE(ws.ok());
  ws.send(subscribe_msg({"depth." + sym, "bookTicker." + sym, "trade." + sym}));
  wait_subscribers("depth." + sym, 1);
  Snapshot snap = rest_snapshot(http_, sym);
  ASSERT_FALSE(snap.bids.empty());
  ASSERT_FALSE(snap.asks.empty());

  // New level, same level grows, cancel, then a taker sweep.
  auto a = http_.signed_order(far_bid(sym, "120.00", "1"), auth());
  ASSERT_EQ(a.status, 200) << a.body;
  ASSERT_EQ(http_.signed_order(far_bid(sym, "120.00", "2"), auth()).status, 200);
  bp::CancelRequest c;
  c.symbol = sym;
  const std::string id = str_of(Json(a.body).root, "id");
  c.order_id = id;
  ASSERT_EQ(http_.signed_cancel(c, auth()).status, 200);
  bp::OrderRequest mkt;
  mkt.symbol = sym;
  mkt.side = bparb::Side::kBid;
  mkt.type = bparb::OrderType::kMarket;
  mkt.quantity = Decimal::from_int(3);
  ASSERT_EQ(http_.signed_order(mkt, auth()).status, 200);

  Snapshot after = rest_snapshot(http_, sym);
  ASSERT_GT(after.last_update_id, snap.last_update_id);

  std::int64_t prev_u = snap.last_update_id;
  int depth_frames = 0, trades = 0, tickers = 0;
  while (prev_u < after.last_update_id) {
    auto f = ws.next();
    ASSERT_TRUE(f.has_value()) << "missing depth frames after u=" << prev_u;
    Json j(*f);
    ASSERT_TRUE(j.ok) << *f;
    auto data = j.root["data"].value();
    const std::string e = str_of(data, "e");
    if (e == "trade") {
      ++trades;
      EXPECT_EQ(str_of(j.root, "stream"), "trade." + sym);
      EXPECT_GT(int_of(data, "t"), 0);
      std::string_view E;
      EXPECT_EQ(data["E"].get_string().get(E), simdjson::SUCCESS);  // E as a string of µs
      continue;
    }
    if (e == "bookTicker") {
      ++tickers;
      EXPECT_GT(int_of(data, "u"), 0);
      continue;
    }
    ASSERT_EQ(e, "depth") << *f;
    EXPECT_EQ(str_of(j.root, "stream"), "depth." + sym);
    EXPECT_EQ(str_of(data, "s"), sym);
    const std::int64_t U = int_of(data, "U"), u = int_of(data, "u");  // numbers
    EXPECT_EQ(U, prev_u + 1) << "gap in depth sequence: " << *f;
    EXPECT_GE(u, U);
    std::string_view T;
    EXPECT_EQ(data["T"].get_string().get(T), simdjson::SUCCESS);
    simdjson::dom::array bids, asks;
    ASSERT_EQ(data["b"].get_array().get(bids), simdjson::SUCCESS);
    ASSERT_EQ(data["a"].get_array().get(asks), simdjson::SUCCESS);
    apply_levels(snap.bids, bids);
    apply_levels(snap.asks, asks);
    prev_u = u;
    ++depth_frames;
  }
  EXPECT_EQ(prev_u, after.last_update_id);
  // bookTicker follows the depth delta of the same event: collect what is still queued.
  while (auto f = ws.next(std::chrono::milliseconds(200))) {
    if (frame_on(*f, "bookTicker." + sym)) ++tickers;
  }
  EXPECT_GE(depth_frames, 4);
  EXPECT_GE(trades, 1);
  EXPECT_GE(tickers, 1);  // the sweep moved the best ask
  EXPECT_EQ(snap.bids, after.bids);
  EXPECT_EQ(snap.asks, after.asks);
  EXPECT_EQ(after.bids.count(Decimal::from_int(120)), 1u);
  EXPECT_EQ(after.bids[Decimal::from_int(120)], Decimal::from_int(2));
}

TEST_F(BpsimWs, MarkPriceAndTickerStreamsCarryBackpackFields) {
  WsConn ws(sim_.port(), "/ws");  // the /ws path also upgrades
  ASSERT_TRUE(ws.ok());
  ws.send(subscribe_msg({"markPrice.BTC_USDC_PERP", "ticker.BTC_USDC"}));
  wait_subscribers("markPrice.BTC_USDC_PERP", 1);
  // The exchange publishes marks/tickers from advance_to() at a 1 s cadence; force one round now.
  sim_.on_server([&] {
    sim_.runtime_unsafe().exchange().publish_mark_prices();
    sim_.runtime_unsafe().exchange().publish_tickers();
  });
  auto mark = ws.next_matching([](const std::string& f) { return frame_on(f, "markPrice.BTC_USDC_PERP"); });
  ASSERT_TRUE(mark.has_value());
  Json jm(*mark);
  auto d = jm.root["data"].value();
  EXPECT_EQ(str_of(d, "e"), "markPrice");
  EXPECT_GT(dec_of(d, "p"), Decimal::from_int(1000));
  EXPECT_TRUE(has(d, "f"));
  EXPECT_TRUE(has(d, "i"));
  EXPECT_EQ(int_of(d, "n") % 3'600'000, 0);  // next funding, ms on the hour
  auto tick = ws.next_matching([](const std::string& f) { return frame_on(f, "ticker.BTC_USDC"); });
  ASSERT_TRUE(tick.has_value());
  Json jt(*tick);
  EXPECT_EQ(str_of(jt.root["data"].value(), "e"), "ticker");
  EXPECT_TRUE(has(jt.root["data"].value(), "V"));
}

TEST_F(BpsimWs, InvalidStreamsAndRequestsGetErrorFrames) {
  WsConn ws(sim_.port());
  ASSERT_TRUE(ws.ok());
  ws.send(subscribe_msg({"depth.NOPE_USDC"}));
  auto e1 = ws.next();
  ASSERT_TRUE(e1.has_value());
  EXPECT_EQ(*e1, R"({"error":{"code":4006,"message":"Invalid stream"},"id":null})");
  ws.send(subscribe_msg({"kline.1m.SOL_USDC"}));
  auto e2 = ws.next();
  ASSERT_TRUE(e2.has_value());
  EXPECT_NE(e2->find("4006"), std::string::npos);
  ws.send(R"({"method":"SUBSCRIBE","params":["bookTicker.SOL_USDC"],"id":7})");  // valid: no answer
  ws.send("garbage");
  auto e3 = ws.next();
  ASSERT_TRUE(e3.has_value());
  EXPECT_NE(e3->find("\"code\":4000"), std::string::npos) << *e3;
  ws.send(R"({"method":"LIST","params":[],"id":9})");
  auto e4 = ws.next();
  ASSERT_TRUE(e4.has_value());
  EXPECT_NE(e4->find("\"id\":9"), std::string::npos) << *e4;
  // Private stream without a signature.
  ws.send(subscribe_msg({"account.orderUpdate"}));
  auto e5 = ws.next();
  ASSERT_TRUE(e5.has_value());
  EXPECT_NE(e5->find("Missing signature"), std::string::npos) << *e5;
  // Signed by a key that is not ours but claiming ours.
  bp::SigningKey other = key_from_byte(0x40);
  std::string msg = private_subscribe_msg({"account.orderUpdate"}, other);
  const std::string other_pub = other.public_key_base64();
  msg.replace(msg.find(other_pub), other_pub.size(), key_.public_key_base64());
  ws.send(msg);
  auto e6 = ws.next();
  ASSERT_TRUE(e6.has_value());
  EXPECT_NE(e6->find("Invalid signature"), std::string::npos) << *e6;
  // Expired.
  ws.send(private_subscribe_msg({"account.orderUpdate"}, key_, wall_ms() - 20'000));
  auto e7 = ws.next();
  ASSERT_TRUE(e7.has_value());
  EXPECT_NE(e7->find("Request has expired"), std::string::npos) << *e7;
  EXPECT_TRUE(ws.ok());  // errors do not close the connection
}

TEST_F(BpsimWs, PrivateStreamsDeliverOrderAndPositionEvents) {
  WsConn ws(sim_.port());
  ASSERT_TRUE(ws.ok());
  ws.send(private_subscribe_msg({"account.orderUpdate", "account.positionUpdate.SOL_USDC_PERP"}, key_));
  for (int i = 0; i < 200; ++i) {
    if (sim_.on_server([&] { return sim_.server_unsafe().hub().counters().private_subscribes; }) >= 1) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  bp::OrderRequest o = far_bid("SOL_USDC", "100.00", "1.5");
  o.client_id = 7;
  auto placed = http_.signed_order(o, auth());
  ASSERT_EQ(placed.status, 200) << placed.body;
  const std::string id = str_of(Json(placed.body).root, "id");

  auto acc = ws.next_matching([](const std::string& f) { return f.find("orderAccepted") != std::string::npos; });
  ASSERT_TRUE(acc.has_value());
  Json ja(*acc);
  EXPECT_EQ(str_of(ja.root, "stream"), "account.orderUpdate");
  auto d = ja.root["data"].value();
  EXPECT_EQ(str_of(d, "s"), "SOL_USDC");
  EXPECT_EQ(str_of(d, "S"), "Bid");
  EXPECT_EQ(str_of(d, "o"), "LIMIT");
  EXPECT_EQ(str_of(d, "f"), "GTC");
  EXPECT_EQ(str_of(d, "X"), "New");
  EXPECT_EQ(str_of(d, "i"), id);
  EXPECT_EQ(int_of(d, "c"), 7);
  EXPECT_EQ(dec_of(d, "q"), Decimal::from_string("1.5"));
  EXPECT_EQ(dec_of(d, "p"), Decimal::from_int(100));
  EXPECT_EQ(dec_of(d, "Q"), Decimal::from_int(150));
  EXPECT_EQ(str_of(d, "O"), "USER");
  std::string_view E;
  EXPECT_EQ(d["E"].get_string().get(E), simdjson::SUCCESS);

  bp::CancelRequest c;
  c.symbol = "SOL_USDC";
  c.client_id = 7;
  ASSERT_EQ(http_.signed_cancel(c, auth()).status, 200);
  auto can = ws.next_matching([](const std::string& f) { return f.find("orderCancelled") != std::string::npos; });
  ASSERT_TRUE(can.has_value());
  EXPECT_EQ(str_of(Json(*can).root["data"].value(), "X"), "Cancelled");

  // Market buy on the perp: fills + position opened.
  bp::OrderRequest m;
  m.symbol = "SOL_USDC_PERP";
  m.side = bparb::Side::kBid;
  m.type = bparb::OrderType::kMarket;
  m.quantity = Decimal::from_int(2);
  ASSERT_EQ(http_.signed_order(m, auth()).status, 200);
  Decimal filled;
  while (filled < Decimal::from_int(2)) {
    auto fill = ws.next_matching([](const std::string& f) { return f.find("\"orderFill\"") != std::string::npos; });
    ASSERT_TRUE(fill.has_value()) << "filled so far " << filled.str();
    Json jf(*fill);
    auto fd = jf.root["data"].value();
    EXPECT_EQ(str_of(fd, "o"), "MARKET");
    EXPECT_EQ(str_of(fd, "N"), "USDC");
    EXPECT_GT(int_of(fd, "t"), 0);
    EXPECT_TRUE(has(fd, "L"));
    EXPECT_TRUE(has(fd, "n"));
    filled += dec_of(fd, "l");
  }
  EXPECT_EQ(filled, Decimal::from_int(2));
  auto pos = ws.next_matching([](const std::string& f) { return f.find("positionOpened") != std::string::npos; });
  ASSERT_TRUE(pos.has_value());
  Json jpos(*pos);
  EXPECT_EQ(str_of(jpos.root, "stream"), "account.positionUpdate.SOL_USDC_PERP");
  EXPECT_EQ(dec_of(jpos.root["data"].value(), "q"), Decimal::from_int(2));
  EXPECT_GT(int_of(jpos.root["data"].value(), "i"), 0);  // position id as a number

  // A new subscriber gets the snapshot without "e".
  WsConn ws2(sim_.port());
  ws2.send(private_subscribe_msg({"account.positionUpdate"}, key_));
  auto snap = ws2.next();
  ASSERT_TRUE(snap.has_value());
  Json js(*snap);
  EXPECT_EQ(str_of(js.root, "stream"), "account.positionUpdate");
  EXPECT_FALSE(has(js.root["data"].value(), "e"));
  EXPECT_EQ(dec_of(js.root["data"].value(), "q"), Decimal::from_int(2));
  EXPECT_EQ(str_of(js.root["data"].value(), "s"), "SOL_USDC_PERP");
}

TEST_F(BpsimWs, ServerPingsAndClosesConnectionsThatNeverPong) {
  {
    WsConn ws(sim_.port());
    ASSERT_TRUE(ws.ok());
    ws.pump(std::chrono::milliseconds(700));  // Beast's client answers each Ping with a Pong
    EXPECT_GE(ws.pings(), 3);
    EXPECT_FALSE(ws.closed());  // 700 ms > the 300 ms pong timeout: the Pongs kept it open
  }
  EXPECT_GE(sim_.on_server([&] { return sim_.server_unsafe().counters().ws_pongs_received; }), 3u);

  // A raw client that completes the handshake and then never reads: no Pong ever comes back.
  net::io_context ioc;
  tcp::socket raw(ioc);
  raw.connect(tcp::endpoint(net::ip::address_v4::loopback(), sim_.port()));
  const std::string upgrade =
      "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
  net::write(raw, net::buffer(upgrade));
  std::string resp(256, '\0');
  const std::size_t n = raw.read_some(net::buffer(resp));
  resp.resize(n);
  ASSERT_EQ(resp.rfind("HTTP/1.1 101", 0), 0u) << resp;
  const auto before = sim_.on_server([&] { return sim_.server_unsafe().counters().ws_pong_timeouts; });
  EXPECT_EQ(before, 0u);
  std::uint64_t timeouts = 0;
  for (int i = 0; i < 200 && timeouts == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    timeouts = sim_.on_server([&] { return sim_.server_unsafe().counters().ws_pong_timeouts; });
  }
  EXPECT_EQ(timeouts, 1u);
  // The server sent a Close frame (opcode 0x8) after the pings (opcode 0x9) it wrote.
  std::string bytes;
  raw.non_blocking(true);
  for (int i = 0; i < 100; ++i) {
    char buf[512];
    boost::system::error_code ec;
    const std::size_t got = raw.read_some(net::buffer(buf), ec);
    if (!ec) bytes.append(buf, got);
    if (bytes.find('\x88') != std::string::npos || (ec && ec != net::error::would_block)) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_NE(bytes.find('\x89'), std::string::npos) << "no Ping frame seen";
  EXPECT_NE(bytes.find('\x88'), std::string::npos) << "no Close frame seen";
}

TEST_F(BpsimWs, UpgradeOnOtherPathsIsRefused) {
  WsConn ws(sim_.port(), "/stream");
  EXPECT_FALSE(ws.ok());
}

class BpsimWsSlow : public ::testing::Test {
 protected:
  static sim::SimConfig config() {
    sim::SimConfig cfg = test_config();
    cfg.server.ws_send_queue_max = 2;
    cfg.faults.ws_latency.min_ms = cfg.faults.ws_latency.max_ms = 200;  // frames wait in the queue
    return cfg;
  }
  SimProcess sim_{config()};
};

TEST_F(BpsimWsSlow, SendQueueOverflowClosesTheConnection) {
  HttpConn http(sim_.port());
  bp::SigningKey key = test_key();
  WsConn ws(sim_.port());
  ws.send(subscribe_msg({"depth.SOL_USDC", "bookTicker.SOL_USDC", "trade.SOL_USDC"}));
  for (int i = 0; i < 200; ++i) {
    if (sim_.on_server([&] { return sim_.server_unsafe().hub().subscriber_count("trade.SOL_USDC"); }) == 1) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  bp::OrderRequest m;
  m.symbol = "SOL_USDC";
  m.side = bparb::Side::kBid;
  m.type = bparb::OrderType::kMarket;
  m.quantity = Decimal::from_int(20);  // sweeps several levels: trades + depth + bookTicker in one go
  ASSERT_EQ(http.signed_order(m, HttpConn::Auth{&key}).status, 200);
  EXPECT_TRUE(ws.wait_closed(std::chrono::milliseconds(2000)));
  EXPECT_EQ(sim_.on_server([&] { return sim_.server_unsafe().counters().ws_slow_consumer_closes; }), 1u);
}

}  // namespace
}  // namespace bpsim_test
