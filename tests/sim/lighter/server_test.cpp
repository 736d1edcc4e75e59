// The simulated Lighter over loopback sockets: REST and WebSocket through Beast, the server's
// io_context on its own thread (the test only talks to it through the sockets).
#include "bparb/sim/lighter/server.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <thread>

#include "bparb/venue/lighter/parsers.hpp"
#include "sim_lighter_test_util.hpp"

namespace bparb::sim::lighter::testing {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;

TEST(LighterServerTest, RestAndWebSocketOverLoopback) {
  Fixture f;
  net::io_context io;
  auto server = std::make_unique<LighterServer>(io, *f.ex, f.clock, f.rules);
  server->start();
  const std::uint16_t port = server->port();
  auto guard = net::make_work_guard(io);
  std::thread runner([&] { io.run(); });

  net::io_context cio;
  tcp::resolver resolver(cio);
  const auto endpoints = resolver.resolve("127.0.0.1", std::to_string(port));
  bl::JsonParser parser;

  // REST: a signed create over multipart/form-data, as the venue's OpenAPI describes sendTx.
  const bl::SignedTx tx = f.create(*f.alice, f.alice_nonce, 5, 10'000, 199'000, false);
  beast::tcp_stream http_stream(cio);
  http_stream.connect(endpoints);
  const std::string boundary = "bparbboundary";
  std::string body;
  body += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"tx_type\"\r\n\r\n14\r\n";
  body += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"tx_info\"\r\n\r\n" + std::string(tx.tx_info()) +
          "\r\n";
  body += "--" + boundary + "--\r\n";
  http::request<http::string_body> req{http::verb::post, "/api/v1/sendTx", 11};
  req.set(http::field::host, "127.0.0.1");
  req.set(http::field::content_type, "multipart/form-data; boundary=" + boundary);
  req.body() = body;
  req.prepare_payload();
  http::write(http_stream, req);
  beast::flat_buffer buf;
  http::response<http::string_body> res;
  http::read(http_stream, buf, res);
  ASSERT_EQ(res.result_int(), 200u) << res.body();
  bl::SendTxResult sent;
  ASSERT_TRUE(bl::parse_send_tx(parser, res.body(), sent).ok());
  EXPECT_EQ(std::string(sent.tx_hash.data(), 80), Fixture::hash_hex(tx));

  // Same connection (keep-alive): the nonce moved on.
  http::request<http::string_body> get{http::verb::get, "/api/v1/nextNonce?account_index=1001&api_key_index=4", 11};
  get.set(http::field::host, "127.0.0.1");
  http::write(http_stream, get);
  res = {};
  http::read(http_stream, buf, res);
  std::int64_t nonce = -1;
  ASSERT_TRUE(bl::parse_next_nonce(parser, res.body(), nonce).ok()) << res.body();
  EXPECT_EQ(nonce, 1);

  // WebSocket: connected, the book snapshot holds the order, a sendtx over the socket updates it.
  websocket::stream<beast::tcp_stream> ws(cio);
  beast::get_lowest_layer(ws).connect(endpoints);
  ws.handshake("127.0.0.1", "/stream");
  bl::WsFrame frame;
  auto read = [&] {
    beast::flat_buffer b;
    ws.read(b);
    const std::string text = beast::buffers_to_string(b.data());
    EXPECT_TRUE(bl::parse_ws_frame(parser, text, frame).ok()) << text;
  };
  read();
  EXPECT_EQ(frame.type, bl::WsType::kConnected);
  ws.text(true);
  ws.write(net::buffer(std::string(R"({"type":"subscribe","channel":"order_book/0"})")));
  read();
  ASSERT_EQ(frame.type, bl::WsType::kOrderBook);
  ASSERT_TRUE(frame.book.snapshot);
  ASSERT_EQ(frame.book.levels.bids.size(), 1u);
  EXPECT_EQ(frame.book.levels.bids[0].price, D("1990.00"));
  const std::int64_t snapshot_nonce = frame.book.nonce;
  const bl::SignedTx ask = f.create(*f.bob, f.bob_nonce, 6, 20'000, 201'000, true);
  ws.write(
      net::buffer(R"({"type":"jsonapi/sendtx","data":{"tx_type":14,"tx_info":)" + std::string(ask.tx_info()) + "}}"));
  bool got_reply = false;
  bool got_update = false;
  while (!got_reply || !got_update) {
    read();
    if (frame.type == bl::WsType::kSendTx) {
      EXPECT_EQ(frame.error_code, 200);
      got_reply = true;
    } else if (frame.type == bl::WsType::kOrderBook) {
      EXPECT_EQ(frame.book.begin_nonce, snapshot_nonce);
      ASSERT_EQ(frame.book.levels.asks.size(), 1u);
      EXPECT_EQ(frame.book.levels.asks[0].quantity, D("2.0000"));
      got_update = true;
    }
  }
  ws.close(websocket::close_code::normal);

  net::post(io, [&] { server->stop(); });
  guard.reset();
  runner.join();
}

}  // namespace
}  // namespace bparb::sim::lighter::testing
