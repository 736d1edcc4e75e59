// The simulated Lighter's WebSocket channels, read with venue/lighter's frame parser and BookSync.
#include "bparb/sim/lighter/ws_hub.hpp"

#include <gtest/gtest.h>

#include <deque>

#include "bparb/book/order_book.hpp"
#include "bparb/venue/lighter/book_sync.hpp"
#include "bparb/venue/lighter/parsers.hpp"
#include "sim_lighter_test_util.hpp"

namespace bparb::sim::lighter::testing {
namespace {

struct FakeConn final : LighterWsConnection {
  std::deque<std::string> frames;
  void send_text(std::shared_ptr<const std::string> f) override { frames.push_back(*f); }
  std::string pop() {
    if (frames.empty()) return {};
    std::string s = std::move(frames.front());
    frames.pop_front();
    return s;
  }
};

class LighterHubTest : public ::testing::Test {
 protected:
  Fixture f;
  LighterApi api{*f.ex, f.clock, f.rules};
  LighterHub hub{api, f.clock};
  FakeConn conn;
  bl::JsonParser parser;
  bl::WsFrame frame;

  void SetUp() override {
    hub.attach(&conn);
    ASSERT_TRUE(parse(conn.pop()).ok());
    EXPECT_EQ(frame.type, bl::WsType::kConnected);
  }
  bl::ParseError parse(const std::string& text) { return bl::parse_ws_frame(parser, text, frame); }
  void sub(const std::string& channel, const std::string& auth = {}) {
    std::string m = R"({"type":"subscribe","channel":")" + channel + "\"";
    if (!auth.empty()) m += R"(,"auth":")" + auth + "\"";
    hub.on_client_message(&conn, m + "}");
  }
  TxOutcome submit(const bl::SignedTx& t) { return api.submit(static_cast<int>(t.tx_type), t.tx_info()); }
};

TEST_F(LighterHubTest, BookStaysValidThroughBookSyncAndMatchesTheExchange) {
  MarketSpec spec = eth_spec(true);
  OrderBook book(spec);
  bl::BookSync sync(book, 0, f.clock);
  ASSERT_EQ(submit(f.create(*f.bob, f.bob_nonce, 1, 10'000, 200'100, true)).code, 200);
  sub("order_book/0");
  // Orders on both sides, cancels, a partial fill: every frame must chain.
  ASSERT_EQ(submit(f.create(*f.bob, f.bob_nonce, 2, 20'000, 200'200, true)).code, 200);
  ASSERT_EQ(submit(f.create(*f.alice, f.alice_nonce, 3, 15'000, 199'900, false)).code, 200);
  ASSERT_EQ(submit(f.create(*f.alice, f.alice_nonce, 4, 5'000, 199'800, false)).code, 200);
  ASSERT_EQ(submit(f.create(*f.alice, f.alice_nonce, 5, 4'000, 200'100, false, 0)).code, 200);  // IOC take
  bl::SignedTx c;
  ASSERT_FALSE(f.alice->sign_cancel_order(bl::CancelOrderTx{0, 4, {}}, f.alice_nonce++, f.expiry(), c));
  ASSERT_EQ(submit(c).code, 200);
  int updates = 0;
  std::int64_t prev_nonce = -1;
  while (!conn.frames.empty()) {
    const std::string text = conn.pop();
    ASSERT_TRUE(parse(text).ok()) << text;
    ASSERT_EQ(frame.type, bl::WsType::kOrderBook);
    if (!frame.book.snapshot) {
      ++updates;
      EXPECT_EQ(frame.book.begin_nonce, prev_nonce);
    }
    EXPECT_GT(frame.book.nonce, frame.book.begin_nonce);
    prev_nonce = frame.book.nonce;
    const bl::SyncResult r = sync.on_frame(frame.book);
    ASSERT_EQ(r.action, bl::SyncAction::kNone) << bl::to_string(r.event) << " " << text;
  }
  EXPECT_EQ(updates, 5);
  ASSERT_TRUE(sync.synced());
  auto depth = f.ex->depth_snapshot("ETH_USDC_PERP", 0);
  ASSERT_TRUE(depth);
  EXPECT_EQ(book.best_ask().price, D("2001.00"));
  EXPECT_EQ(book.best_ask().quantity, D("0.6000"));
  EXPECT_EQ(book.best_bid().price, D("1999.00"));
  EXPECT_EQ(book.best_bid().quantity, D("1.5000"));
  EXPECT_EQ(book.levels(Side::kAsk).size(), depth->asks.size());
  EXPECT_EQ(book.levels(Side::kBid).size(), depth->bids.size());
}

TEST_F(LighterHubTest, AccountAllShowsTheFillWithExactAmounts) {
  ASSERT_EQ(submit(f.create(*f.bob, f.bob_nonce, 21, 30'000, 200'050, true)).code, 200);
  sub("account_all/1001");
  ASSERT_TRUE(parse(conn.pop()).ok());
  EXPECT_EQ(frame.type, bl::WsType::kAccountAll);
  EXPECT_TRUE(frame.snapshot);
  EXPECT_TRUE(frame.orders.empty());
  sub("trade/0");
  conn.frames.clear();

  // Alice buys 0.5 ETH with an IOC limit at 2001: fills 0.5 at Bob's 2000.50.
  ASSERT_EQ(submit(f.create(*f.alice, f.alice_nonce, 22, 5'000, 200'100, false, 0)).code, 200);
  bool saw_fill = false;
  bool saw_position = false;
  bool saw_public_trade = false;
  while (!conn.frames.empty()) {
    const std::string text = conn.pop();
    ASSERT_TRUE(parse(text).ok()) << text;
    if (frame.type == bl::WsType::kTrade) {
      ASSERT_EQ(frame.trades.size(), 1u);
      EXPECT_EQ(frame.trades[0].size, D("0.5000"));
      EXPECT_EQ(frame.trades[0].bid_account_id, kAlice);
      EXPECT_EQ(frame.trades[0].ask_account_id, kBob);
      EXPECT_TRUE(frame.trades[0].is_maker_ask);
      saw_public_trade = true;
      continue;
    }
    ASSERT_EQ(frame.type, bl::WsType::kAccountAll) << text;
    EXPECT_FALSE(frame.snapshot);
    EXPECT_EQ(frame.account, kAlice);
    if (!frame.trades.empty()) {
      const bl::Trade& t = frame.trades[0];
      EXPECT_EQ(t.price, D("2000.50"));
      EXPECT_EQ(t.size, D("0.5000"));
      EXPECT_EQ(t.usd_amount, D("1000.25"));
      ASSERT_EQ(frame.orders.size(), 1u);
      EXPECT_EQ(frame.orders[0].client_order_index, 22);
      EXPECT_EQ(frame.orders[0].filled_base_amount, D("0.5000"));
      EXPECT_EQ(frame.orders[0].filled_quote_amount, D("1000.25"));
      EXPECT_EQ(frame.orders[0].status, bl::OrderStatus::kFilled);
      saw_fill = true;
    }
    if (!frame.positions.empty()) {
      EXPECT_EQ(frame.positions[0].market_id, 0);
      EXPECT_EQ(frame.positions[0].signed_size, D("0.5"));
      EXPECT_EQ(frame.positions[0].avg_entry_price, D("2000.50"));
      saw_position = true;
    }
  }
  EXPECT_TRUE(saw_fill);
  EXPECT_TRUE(saw_position);
  EXPECT_TRUE(saw_public_trade);
  // The account over REST agrees: long 0.5 at 2000.50.
  bl::Account acc;
  HttpRequest r;
  r.method = "GET";
  r.target = "/api/v1/account?by=index&value=1001";
  ASSERT_TRUE(bl::parse_account(parser, api.handle(r).body, acc).ok());
  ASSERT_EQ(acc.positions.size(), 1u);
  EXPECT_EQ(acc.positions[0].signed_size, D("0.5"));
}

// The faults the cross-venue scenarios use. cap_next_fills: Alice's IOC for 1 ETH matches half of it; the order is
// reported as asked, 0.5 filled, its rest cancelled for want of liquidity. drop_connections_on_next_orders: the
// next order closes every connection before any frame about it, and still executes.
TEST_F(LighterHubTest, ACappedIocIsReportedAsAskedAndADroppedConnectionMissesTheNextOrdersFrames) {
  ASSERT_EQ(submit(f.create(*f.bob, f.bob_nonce, 31, 30'000, 200'050, true)).code, 200);
  sub("account_all/1001");
  conn.frames.clear();
  api.cap_next_fills(D("0.5"), 1);
  ASSERT_EQ(submit(f.create(*f.alice, f.alice_nonce, 32, 10'000, 200'100, false, 0)).code, 200);
  EXPECT_EQ(api.fills_capped(), 1);
  bool saw_end = false;
  while (!conn.frames.empty()) {
    const std::string text = conn.pop();
    ASSERT_TRUE(parse(text).ok()) << text;
    if (frame.type != bl::WsType::kAccountAll || frame.orders.empty()) continue;
    const bl::Order& o = frame.orders[0];
    EXPECT_EQ(o.initial_base_amount, D("1.0000")) << text;
    if (o.status != bl::OrderStatus::kCanceled) continue;
    EXPECT_EQ(o.filled_base_amount, D("0.5000")) << text;
    EXPECT_EQ(o.remaining_base_amount, D("0")) << text;
    EXPECT_STREQ(o.cancel_reason, "not-enough-liquidity") << text;
    saw_end = true;
  }
  EXPECT_TRUE(saw_end);

  int closed = 0;
  hub.set_connection_closer([&] {
    ++closed;
    hub.detach(&conn);
  });
  hub.drop_connections_on_next_orders(1);
  conn.frames.clear();
  ASSERT_EQ(submit(f.create(*f.alice, f.alice_nonce, 33, 10'000, 200'100, false, 0)).code, 200);
  EXPECT_EQ(closed, 1);
  EXPECT_EQ(hub.connection_drops(), 1);
  EXPECT_TRUE(conn.frames.empty()) << conn.frames.front();
  EXPECT_EQ(api.fills_capped(), 1) << "the cap was for one order";
  bl::Account acc;
  HttpRequest r;
  r.method = "GET";
  r.target = "/api/v1/account?by=index&value=1001";
  ASSERT_TRUE(bl::parse_account(parser, api.handle(r).body, acc).ok());
  ASSERT_EQ(acc.positions.size(), 1u);
  EXPECT_EQ(acc.positions[0].signed_size, D("1.5")) << "both orders executed";
}

TEST_F(LighterHubTest, AccountOrdersNeedsAValidTokenOfThatAccount) {
  sub("account_orders/0/1001");
  ASSERT_TRUE(parse(conn.pop()).ok());
  EXPECT_EQ(frame.type, bl::WsType::kError);
  sub("account_orders/0/1001", f.token(*f.bob));
  ASSERT_TRUE(parse(conn.pop()).ok());
  EXPECT_EQ(frame.type, bl::WsType::kError);
  sub("account_orders/0/1001", f.token(*f.alice));
  ASSERT_TRUE(parse(conn.pop()).ok());
  EXPECT_EQ(frame.type, bl::WsType::kAccountOrders);
  sub("account_orders/0/1001", f.token(*f.alice));
  ASSERT_TRUE(parse(conn.pop()).ok());
  EXPECT_EQ(frame.type, bl::WsType::kError);
  EXPECT_EQ(frame.error_code, 30003);

  ASSERT_EQ(submit(f.create(*f.alice, f.alice_nonce, 31, 10'000, 199'000, false)).code, 200);
  ASSERT_TRUE(parse(conn.pop()).ok());
  ASSERT_EQ(frame.type, bl::WsType::kAccountOrders);
  ASSERT_EQ(frame.orders.size(), 1u);
  EXPECT_EQ(frame.orders[0].client_order_index, 31);
  EXPECT_EQ(frame.orders[0].status, bl::OrderStatus::kOpen);
}

TEST_F(LighterHubTest, SendTxOverTheSocketAcceptsObjectAndStringTxInfo) {
  const bl::SignedTx a = f.create(*f.alice, f.alice_nonce, 41, 10'000, 199'000, false);
  hub.on_client_message(
      &conn, R"({"type":"jsonapi/sendtx","data":{"id":"x1","tx_type":14,"tx_info":)" + std::string(a.tx_info()) + "}}");
  ASSERT_TRUE(parse(conn.pop()).ok());
  ASSERT_EQ(frame.type, bl::WsType::kSendTx);
  EXPECT_EQ(frame.error_code, 200);
  EXPECT_EQ(std::string(frame.send_tx.tx_hash.data(), 80), Fixture::hash_hex(a));

  const bl::SignedTx b = f.create(*f.alice, f.alice_nonce, 42, 10'000, 198'000, false);
  std::string quoted;
  for (char ch : b.tx_info()) {
    if (ch == '"') quoted += '\\';
    quoted += ch;
  }
  hub.on_client_message(&conn, R"({"type":"jsonapi/sendtx","data":{"tx_type":14,"tx_info":")" + quoted + "\"}}");
  ASSERT_TRUE(parse(conn.pop()).ok());
  EXPECT_EQ(frame.error_code, 200);
  // The same transaction again: stale nonce.
  hub.on_client_message(&conn, R"({"type":"jsonapi/sendtx","data":{"tx_type":14,"tx_info":")" + quoted + "\"}}");
  ASSERT_TRUE(parse(conn.pop()).ok());
  EXPECT_EQ(frame.error_code, 21104);
  EXPECT_EQ(f.ex->open_orders(0).size(), 2u);

  hub.on_client_message(&conn, R"({"type":"ping"})");
  ASSERT_TRUE(parse(conn.pop()).ok());
  EXPECT_EQ(frame.type, bl::WsType::kPong);
}

}  // namespace
}  // namespace bparb::sim::lighter::testing
