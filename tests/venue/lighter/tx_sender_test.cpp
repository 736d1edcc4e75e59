// LighterTxSender against the simulated Lighter: create + cancel over the WebSocket, seen on the
// account channel; a nonce another client consumed costs exactly one resync; REST when the socket is
// down; a socket lost with a transaction in flight leaves it unknown and the nonce is fetched again.
#include "bparb/venue/lighter/tx_sender.hpp"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "client_test_util.hpp"

namespace bparb::lighter::testing {
namespace {

struct Client {
  Loopback& lb;
  LighterRest rest;
  LighterWs ws;
  std::unique_ptr<LighterTxSender> sender;
  std::vector<TxAnswer> answers;
  std::vector<TxWritten> written;
  std::vector<std::size_t> answers_when_written;  // answers heard when each attempt was told written
  std::map<std::int64_t, OrderStatus> status;     // client order index -> last status on the account channel
  int account_snapshots = 0;

  static LighterRestOptions rest_options(Loopback& l) {
    LighterRestOptions o;
    o.http.base_url = l.server->http_url();
    return o;
  }
  static LighterWsOptions ws_options(Loopback& l) {
    LighterWsOptions o;
    o.ws.url = l.server->ws_url();
    o.ws.backoff.initial_us = 10 * kUsPerMs;
    o.timer_period_us = 10 * kUsPerMs;
    return o;
  }

  explicit Client(Loopback& l)
      : lb(l), rest(l.io, rest_options(l)), ws(l.io, l.f.clock, ws_options(l), l.f.alice.get()) {
    LighterWsHandlers h;
    h.on_account = [this](const WsFrame& f) {
      if (f.snapshot) ++account_snapshots;
      for (const Order& o : f.orders) status[o.client_order_index] = o.status;
    };
    ws.set_handlers(std::move(h));
    ws.add_account_orders(0);
    sender = std::make_unique<LighterTxSender>(l.io, l.f.clock, *l.f.alice, rest, ws);
    sender->on_answer([this](const TxAnswer& a) { answers.push_back(a); });
    sender->on_written([this](const TxWritten& w) {
      written.push_back(w);
      answers_when_written.push_back(answers.size());
    });
  }

  void connect() {
    ws.start();
    ASSERT_TRUE(lb.run_until([&] { return account_snapshots >= 1; }));
  }

  CreateOrderTx order(std::int64_t coi, std::uint32_t price = 199'000) const {
    CreateOrderTx t;
    t.market_index = 0;
    t.client_order_index = coi;
    t.base_amount = 10'000;
    t.price = price;
    t.time_in_force = 1;
    t.order_expiry = lb.f.clock.now_ms() + 24 * 3600 * 1000;
    return t;
  }

  const TxAnswer& wait_answer(std::size_t n) {
    EXPECT_TRUE(lb.run_until([&] { return answers.size() >= n; }));
    return answers.at(n - 1);
  }
};

TEST(LighterTxSenderTest, CreateAndCancelOverTheSocketShowOnTheAccountChannel) {
  Loopback lb;
  Client c(lb);
  c.connect();

  ASSERT_FALSE(c.sender->send(c.order(77), 1));
  const TxAnswer& created = c.wait_answer(1);
  EXPECT_EQ(created.tag, 1u);
  EXPECT_EQ(created.result.state, SubmitState::kSubmitted);
  EXPECT_EQ(created.route, TxRoute::kWebSocket);
  EXPECT_EQ(created.nonce, 0);
  ASSERT_TRUE(lb.run_until([&] { return c.status.count(77) && c.status[77] == OrderStatus::kOpen; }));

  ASSERT_FALSE(c.sender->send(CancelOrderTx{0, 77, {}}, 2));
  const TxAnswer& cancelled = c.wait_answer(2);
  EXPECT_EQ(cancelled.result.state, SubmitState::kSubmitted);
  EXPECT_EQ(cancelled.type, TxType::kCancelOrder);
  EXPECT_EQ(cancelled.nonce, 1);
  ASSERT_TRUE(lb.run_until([&] { return c.status[77] == OrderStatus::kCanceled; }));

  // A refusal is typed and does not cost a resync: the nonce is reused, one transaction at a time.
  CreateOrderTx off_band = c.order(78, 1);  // price 0.01: far outside the band
  ASSERT_FALSE(c.sender->send(off_band, 3));
  const TxAnswer& refused = c.wait_answer(3);
  EXPECT_EQ(refused.result.state, SubmitState::kRefused);
  EXPECT_EQ(refused.result.action, ErrorAction::kReject);
  EXPECT_TRUE(c.sender->nonces().guarded());
  ASSERT_FALSE(c.sender->send(c.order(79), 4));
  const TxAnswer& after = c.wait_answer(4);
  EXPECT_EQ(after.result.state, SubmitState::kSubmitted);
  EXPECT_EQ(after.nonce, 2);  // the refused transaction's nonce, not consumed
  EXPECT_FALSE(c.sender->nonces().guarded());
  EXPECT_EQ(c.sender->counters().nonce_fetches, 1u);
  EXPECT_EQ(c.sender->counters().sent_rest, 0u);
  EXPECT_EQ(c.sender->counters().unmatched_replies, 0u);  // every reply found its transaction by id

  EXPECT_EQ(c.sender->send(CancelOrderTx{-1, 1, {}}, 5), TxSendError::kInvalidTx);
  // Each transaction the venue heard was told written on the socket, once, before its answer; the one that
  // would not sign never was.
  ASSERT_EQ(c.written.size(), 4u);
  for (std::size_t i = 0; i < c.written.size(); ++i) {
    EXPECT_EQ(c.written[i].tag, i + 1);
    EXPECT_EQ(c.written[i].route, TxRoute::kWebSocket);
    EXPECT_EQ(c.answers_when_written[i], i);
    EXPECT_GT(c.written[i].at_us, 0);
  }
  EXPECT_EQ(c.written[1].type, TxType::kCancelOrder);
}

TEST(LighterTxSenderTest, APoolTakesOnlyOtherSlotsOfTheSameAccount) {
  Loopback lb;
  Client c(lb);
  EXPECT_EQ(c.sender->key_count(), 1u);
  EXPECT_FALSE(c.sender->add_key(*lb.f.alice));  // its slot is in the pool already
  EXPECT_FALSE(c.sender->add_key(*lb.f.bob));    // another account
  auto other = Signer::create(
      [] {
        std::array<char, 80> hex{};
        PrivateKey::generate().to_hex(hex);
        return std::string(hex.data(), hex.size());
      }(),
      SignerConfig{304, kAlice, 5});
  ASSERT_TRUE(other.has_value());
  EXPECT_TRUE(c.sender->add_key(*other));
  EXPECT_EQ(c.sender->key_count(), 2u);
  EXPECT_EQ(c.sender->nonce_pool().size(), 2u);
  ASSERT_NE(c.sender->nonce_pool().key(5), nullptr);
  // Slot 5 is not registered on the venue: its nextNonce is refused, so it never has a nonce to send with,
  // and the transactions go on the first key meanwhile (a key waiting for its nonce holds no other).
  c.connect();
  ASSERT_FALSE(c.sender->send(c.order(40), 1));
  ASSERT_FALSE(c.sender->send(c.order(41), 2));
  c.wait_answer(2);
  for (const TxAnswer& a : c.answers) {
    EXPECT_EQ(a.result.state, SubmitState::kSubmitted);
    EXPECT_EQ(a.api_key_index, kKey);
  }
  EXPECT_TRUE(lb.run_until([&] { return c.sender->counters().nonce_fetch_failures >= 1; }));
  EXPECT_EQ(lb.server->api().next_nonce(kAlice, kKey), 2);
}

TEST(LighterTxSenderTest, ANonceUsedElsewhereResyncsOnce) {
  Loopback lb;
  Client c(lb);
  c.connect();
  ASSERT_FALSE(c.sender->send(c.order(1), 1));
  ASSERT_EQ(c.wait_answer(1).result.state, SubmitState::kSubmitted);

  // Another client on the same key takes the next nonce behind the sender's back.
  std::int64_t other = 1;
  const SignedTx foreign = lb.f.create(*lb.f.alice, other, 500, 10'000, 198'000, false);
  ASSERT_EQ(lb.server->api().submit(14, foreign.tx_info()).code, 200);

  // Three at once with nonces 1, 2, 3: the venue expects 2, so 1 hears "invalid nonce" and 2, 3 are
  // taken. One fetch (once nothing is in flight) gives 4, and the first is re-signed with it.
  for (std::uint64_t i = 0; i < 3; ++i) {
    ASSERT_FALSE(c.sender->send(c.order(10 + static_cast<std::int64_t>(i)), 10 + i));
  }
  c.wait_answer(4);
  std::map<std::uint64_t, TxAnswer> by_tag;
  for (const TxAnswer& a : c.answers) by_tag[a.tag] = a;
  for (std::uint64_t tag = 10; tag < 13; ++tag) EXPECT_EQ(by_tag[tag].result.state, SubmitState::kSubmitted) << tag;
  EXPECT_EQ(by_tag[10].attempts, 2u);
  EXPECT_EQ(by_tag[10].nonce, 4);
  EXPECT_EQ(by_tag[11].attempts, 1u);
  EXPECT_EQ(by_tag[11].nonce, 2);
  EXPECT_EQ(by_tag[12].nonce, 3);
  EXPECT_EQ(c.sender->counters().nonce_fetches, 2u);  // the first one and exactly one resync
  EXPECT_EQ(c.sender->nonces().resyncs(), 2u);
  EXPECT_EQ(c.sender->counters().nonce_resends, 1u);
  EXPECT_EQ(lb.server->api().next_nonce(kAlice, kKey), 5);
  ASSERT_TRUE(lb.run_until([&] { return c.status.count(12) && c.status[12] == OrderStatus::kOpen; }));
}

TEST(LighterTxSenderTest, RestWhenTheSocketIsDownAndUnknownWhenItDropsMidFlight) {
  Loopback lb;
  Client c(lb);
  // Never connected: REST carries the transaction.
  ASSERT_FALSE(c.sender->send(c.order(5), 1));
  const TxAnswer& by_rest = c.wait_answer(1);
  EXPECT_EQ(by_rest.route, TxRoute::kRest);
  EXPECT_EQ(by_rest.result.state, SubmitState::kSubmitted);

  c.connect();
  ASSERT_FALSE(c.sender->send(c.order(6), 2));
  EXPECT_EQ(c.sender->busy_slots(), 1u);
  c.ws.close();  // written, never answered
  const TxAnswer& lost = c.wait_answer(2);
  EXPECT_EQ(lost.result.state, SubmitState::kUnknown);
  EXPECT_EQ(lost.route, TxRoute::kWebSocket);
  // No guess after a lost answer: the next transaction waits for a fresh nextNonce.
  ASSERT_FALSE(c.sender->send(c.order(7), 3));
  const TxAnswer& next = c.wait_answer(3);
  EXPECT_EQ(next.result.state, SubmitState::kSubmitted);
  EXPECT_EQ(next.route, TxRoute::kRest);
  EXPECT_EQ(c.sender->counters().nonce_fetches, 2u);
  EXPECT_EQ(c.sender->counters().unknown, 1u);
  // Told written on the route each took, before its answer (the REST one from the handler posted after the
  // request was handed to the HTTP client).
  ASSERT_EQ(c.written.size(), 3u);
  EXPECT_EQ(c.written[0].route, TxRoute::kRest);
  EXPECT_EQ(c.written[1].route, TxRoute::kWebSocket);
  EXPECT_EQ(c.written[2].route, TxRoute::kRest);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(c.written[i].tag, i + 1);
    EXPECT_EQ(c.written[i].type, TxType::kCreateOrder);
    EXPECT_EQ(c.answers_when_written[i], i);
  }
}

}  // namespace
}  // namespace bparb::lighter::testing

namespace bparb::lighter::testing {
namespace {

TEST(LighterTxSenderTest, NoNonceNoSendAndATimelyRefusal) {
  Loopback lb;
  const std::uint16_t port = lb.server->port();
  lb.server->stop();  // nobody answers nextNonce
  LighterRestOptions ro;
  ro.http.base_url = "http://127.0.0.1:" + std::to_string(port);
  LighterRest rest(lb.io, ro);
  LighterWsOptions wo;
  wo.ws.url = "ws://127.0.0.1:" + std::to_string(port) + "/stream";
  LighterWs ws(lb.io, lb.f.clock, wo, lb.f.alice.get());  // never started
  TxSenderOptions so;
  so.timer_period_us = 5 * kUsPerMs;
  LighterTxSender sender(lb.io, lb.f.clock, *lb.f.alice, rest, ws, so);
  std::vector<TxAnswer> answers;
  sender.on_answer([&](const TxAnswer& a) { answers.push_back(a); });
  ASSERT_FALSE(sender.send(CancelAllOrdersTx{}, 9));
  ASSERT_TRUE(lb.run_until([&] { return sender.counters().nonce_fetch_failures >= 2; }));  // retried
  EXPECT_TRUE(answers.empty());
  EXPECT_EQ(sender.counters().sent_rest + sender.counters().sent_ws, 0u);
  lb.f.clock.advance_us(so.queue_timeout_us);
  ASSERT_TRUE(lb.run_until([&] { return !answers.empty(); }));
  EXPECT_EQ(answers[0].tag, 9u);
  EXPECT_EQ(answers[0].result.state, SubmitState::kRefused);
  EXPECT_EQ(answers[0].result.action, ErrorAction::kRetry);
  EXPECT_EQ(answers[0].route, TxRoute::kNone);
  EXPECT_EQ(answers[0].attempts, 0u);
  EXPECT_EQ(sender.busy_slots(), 0u);
}

}  // namespace
}  // namespace bparb::lighter::testing

namespace bparb::lighter::testing {
namespace {

TEST(LighterTxSenderTest, ReplyIdsAreReadWhenTheyAreOurs) {
  JsonParser p;
  WsFrame f;
  const std::string ours = R"({"code":21104,"id":"17","message":"invalid nonce","type":"jsonapi/sendtx"})";
  ASSERT_TRUE(parse_ws_frame(p, ours, f).ok());
  EXPECT_EQ(f.type, WsType::kSendTx);
  EXPECT_EQ(f.request_id, 17);
  const std::string foreign =
      R"({"code":200,"id":"abc","tx_hash":")" + std::string(80, 'a') + R"(","type":"jsonapi/sendtx"})";
  ASSERT_TRUE(parse_ws_frame(p, foreign, f).ok());
  EXPECT_EQ(f.request_id, -1);
  ASSERT_TRUE(parse_ws_frame(p, R"({"type":"error","code":21104,"message":"invalid nonce"})", f).ok());
  EXPECT_EQ(f.request_id, -1);
}

}  // namespace
}  // namespace bparb::lighter::testing

namespace bparb::lighter::testing {
namespace {

TEST(LighterTxSenderTest, ASilentSocketIsReplacedAndItsTransactionsAreUnknown) {
  Loopback lb;
  Client c(lb);
  c.connect();
  ASSERT_FALSE(c.sender->send(c.order(1), 1));
  ASSERT_EQ(c.wait_answer(1).result.state, SubmitState::kSubmitted);
  ASSERT_FALSE(c.sender->send(c.order(2), 2));  // written; its reply has not been read yet
  lb.f.clock.advance_us(TxSenderOptions{}.ws_reply_timeout_us);
  c.sender->on_timer();
  const TxAnswer& lost = c.wait_answer(2);
  EXPECT_EQ(lost.result.state, SubmitState::kUnknown);
  EXPECT_EQ(c.sender->counters().ws_reply_timeouts, 1u);
  // A fresh socket; the next transaction waits for a fresh nonce and finds its way.
  ASSERT_TRUE(lb.run_until([&] { return c.ws.connected() && c.account_snapshots >= 2; }));
  ASSERT_FALSE(c.sender->send(c.order(3), 3));
  const TxAnswer& next = c.wait_answer(3);
  EXPECT_EQ(next.result.state, SubmitState::kSubmitted);
  EXPECT_EQ(c.sender->counters().nonce_fetches, 2u);
  EXPECT_EQ(c.sender->counters().unmatched_replies, 0u);
}

TEST(LighterTxSenderTest, TheSessionMayOutliveTheSender) {
  Loopback lb;
  Client c(lb);
  c.connect();
  c.sender.reset();
  c.ws.close();  // its disconnect handler must not reach the destroyed sender
  lb.settle(2);
  EXPECT_FALSE(c.ws.connected());
}

}  // namespace
}  // namespace bparb::lighter::testing
