// LighterRest against the simulated Lighter on loopback: every endpoint's answer typed, every kind of
// failure typed.
#include "bparb/venue/lighter/rest_client.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "client_test_util.hpp"

namespace bparb::lighter::testing {
namespace {

LighterRestOptions options(const std::string& url) {
  LighterRestOptions o;
  o.http.base_url = url;
  return o;
}

// Calls `start(cb)` and runs the loop until its answer came; returns it.
template <class T, class Start>
std::optional<RestResult<T>> call(Loopback& lb, Start start) {
  std::optional<RestResult<T>> out;
  start([&](RestResult<T>& r) { out.emplace(std::move(r)); });
  EXPECT_TRUE(lb.run_until([&] { return out.has_value(); }));
  return out;
}

TEST(LighterRestTest, MarketsAccountAndNonce) {
  Loopback lb;
  LighterRest rest(lb.io, options(lb.server->http_url()));

  auto details = call<std::vector<MarketDetails>>(lb, [&](auto cb) { rest.order_book_details(255, cb); });
  ASSERT_TRUE(details && details->has_value()) << details->error().describe();
  ASSERT_EQ((*details)->size(), 2u);
  EXPECT_EQ((**details)[0].market_id, 0);
  EXPECT_EQ((**details)[0].kind, MarketKind::kPerp);
  EXPECT_EQ((**details)[0].price_decimals, 2);
  EXPECT_EQ((**details)[0].size_decimals, 4);
  EXPECT_TRUE((**details)[0].has_margin_fractions);
  EXPECT_EQ((**details)[1].market_id, 2048);
  EXPECT_EQ((**details)[1].kind, MarketKind::kSpot);

  auto books = call<std::vector<MarketDetails>>(lb, [&](auto cb) { rest.order_books(cb); });
  ASSERT_TRUE(books && books->has_value()) << books->error().describe();
  EXPECT_EQ((*books)->size(), 2u);

  auto acct = call<Account>(lb, [&](auto cb) { rest.account(kAlice, cb); });
  ASSERT_TRUE(acct && acct->has_value()) << acct->error().describe();
  EXPECT_EQ((*acct)->index, kAlice);

  auto missing = call<Account>(lb, [&](auto cb) { rest.account(4242, cb); });
  ASSERT_TRUE(missing && !missing->has_value());
  EXPECT_EQ(missing->error().kind, RestErrorKind::kApi);
  EXPECT_EQ(missing->error().http_status, 400);
  EXPECT_FALSE(missing->error().message.empty());

  auto nonce = call<std::int64_t>(lb, [&](auto cb) { rest.next_nonce(kAlice, kKey, cb); });
  ASSERT_TRUE(nonce && nonce->has_value());
  EXPECT_EQ(**nonce, 0);
  auto bad_key = call<std::int64_t>(lb, [&](auto cb) { rest.next_nonce(kAlice, 9, cb); });
  ASSERT_TRUE(bad_key && !bad_key->has_value());
  EXPECT_EQ(bad_key->error().venue_error, LighterError::kInvalidPublicKey);
  EXPECT_EQ(bad_key->error().action(), ErrorAction::kReject);
  EXPECT_EQ(rest.counters().api_errors, 2u);
}

TEST(LighterRestTest, SendTxOrdersAndNonceErrors) {
  Loopback lb;
  LighterRest rest(lb.io, options(lb.server->http_url()));
  Fixture& f = lb.f;

  const SignedTx create = f.create(*f.alice, f.alice_nonce, 7, 10'000, 199'000, false);
  auto sent = call<SendTxResult>(lb, [&](auto cb) { rest.send_tx(create.tx_type, create.tx_info(), cb); });
  ASSERT_TRUE(sent && sent->has_value()) << sent->error().describe();
  EXPECT_EQ(std::string((*sent)->tx_hash.data(), 80), Fixture::hash_hex(create));

  const std::string token = f.token(*f.alice);
  auto active = call<OrdersPage>(lb, [&](auto cb) { rest.active_orders(kAlice, 0, token, cb); });
  ASSERT_TRUE(active && active->has_value()) << active->error().describe();
  ASSERT_EQ((*active)->orders.size(), 1u);
  EXPECT_EQ((*active)->orders[0].client_order_index, 7);
  EXPECT_EQ((*active)->orders[0].price, D("1990.00"));
  EXPECT_EQ((*active)->orders[0].status, OrderStatus::kOpen);

  auto unauth = call<OrdersPage>(lb, [&](auto cb) { rest.active_orders(kAlice, 0, "", cb); });
  ASSERT_TRUE(unauth && !unauth->has_value());
  EXPECT_EQ(unauth->error().kind, RestErrorKind::kApi);
  EXPECT_EQ(unauth->error().http_status, 401);

  // A nonce the venue does not expect: typed as invalid nonce, "resync".
  std::int64_t stale = 0;
  const SignedTx replay = f.create(*f.alice, stale, 8, 10'000, 199'000, false);
  auto refused = call<SendTxResult>(lb, [&](auto cb) { rest.send_tx(replay.tx_type, replay.tx_info(), cb); });
  ASSERT_TRUE(refused && !refused->has_value());
  EXPECT_EQ(refused->error().venue_error, LighterError::kInvalidNonce);
  EXPECT_EQ(refused->error().action(), ErrorAction::kResyncNonce);

  // A batch: cancel the resting order and place another, consecutive nonces.
  CancelOrderTx cancel{0, 7, {}};
  SignedTx cancel_tx;
  ASSERT_FALSE(f.alice->sign_cancel_order(cancel, f.alice_nonce++, f.expiry(), cancel_tx));
  const SignedTx second = f.create(*f.alice, f.alice_nonce, 9, 10'000, 198'000, false);
  const TxRef batch[] = {{cancel_tx.tx_type, cancel_tx.tx_info()}, {second.tx_type, second.tx_info()}};
  auto both = call<SendTxBatchResult>(lb, [&](auto cb) { rest.send_tx_batch(batch, cb); });
  ASSERT_TRUE(both && both->has_value()) << both->error().describe();
  ASSERT_EQ((*both)->tx_hashes.size(), 2u);
  EXPECT_EQ(std::string((*both)->tx_hashes[1].data(), 80), Fixture::hash_hex(second));

  InactiveOrdersQuery q;
  q.account_index = kAlice;
  auto inactive = call<OrdersPage>(lb, [&](auto cb) { rest.inactive_orders(q, token, cb); });
  ASSERT_TRUE(inactive && inactive->has_value()) << inactive->error().describe();
  ASSERT_EQ((*inactive)->orders.size(), 1u);
  EXPECT_EQ((*inactive)->orders[0].client_order_index, 7);
  EXPECT_EQ((*inactive)->orders[0].status, OrderStatus::kCanceled);

  auto empty = call<SendTxBatchResult>(lb, [&](auto cb) { rest.send_tx_batch({}, cb); });
  ASSERT_TRUE(empty && !empty->has_value());
  EXPECT_EQ(empty->error().kind, RestErrorKind::kInvalidRequest);
  EXPECT_EQ(rest.counters().transactions, 4u);
}

TEST(LighterRestTest, TradesFundingAndTransportFailures) {
  Loopback lb;
  LighterRest rest(lb.io, options(lb.server->http_url()));
  Fixture& f = lb.f;
  // Two crossing orders make a public trade.
  const SignedTx bid = f.create(*f.alice, f.alice_nonce, 1, 10'000, 201'000, false);
  const SignedTx ask = f.create(*f.bob, f.bob_nonce, 2, 10'000, 201'000, true);
  for (const SignedTx* t : {&bid, &ask}) {
    auto r = call<SendTxResult>(lb, [&](auto cb) { rest.send_tx(t->tx_type, t->tx_info(), cb); });
    ASSERT_TRUE(r && r->has_value()) << r->error().describe();
  }
  auto recent = call<TradesPage>(lb, [&](auto cb) { rest.recent_trades(0, 10, cb); });
  ASSERT_TRUE(recent && recent->has_value()) << recent->error().describe();
  ASSERT_FALSE((*recent)->trades.empty());
  EXPECT_EQ((*recent)->trades[0].size, D("1.0000"));

  // The account's own trades: alice's buy, her order's index on the bid side (the simulator names no
  // counterparty), and only with her token.
  TradesQuery tq;
  tq.account_index = kAlice;
  auto trades = call<TradesPage>(lb, [&](auto cb) { rest.trades(tq, f.token(*f.alice), cb); });
  ASSERT_TRUE(trades && trades->has_value()) << trades->error().describe();
  ASSERT_EQ((*trades)->trades.size(), 1u);
  const Trade& mine = (*trades)->trades[0];
  EXPECT_EQ(mine.bid_account_id, kAlice);
  EXPECT_GE(mine.bid_id, std::int64_t{1} << 48);
  EXPECT_EQ(mine.ask_account_id, 0);
  EXPECT_EQ(mine.size, D("1.0000"));
  EXPECT_EQ(mine.trade_id, (*recent)->trades[0].trade_id);
  auto foreign = call<TradesPage>(lb, [&](auto cb) { rest.trades(tq, f.token(*f.bob), cb); });
  ASSERT_TRUE(foreign && !foreign->has_value());
  EXPECT_EQ(foreign->error().http_status, 401);
  // Funding: none settled yet (an empty page), and only with her token (a typed 401 otherwise).
  FundingQuery fq;
  fq.account_index = kAlice;
  auto funding = call<FundingPage>(lb, [&](auto cb) { rest.position_funding(fq, f.token(*f.alice), cb); });
  ASSERT_TRUE(funding && funding->has_value()) << funding->error().describe();
  EXPECT_TRUE((*funding)->fundings.empty());
  auto foreign_funding = call<FundingPage>(lb, [&](auto cb) { rest.position_funding(fq, f.token(*f.bob), cb); });
  ASSERT_TRUE(foreign_funding && !foreign_funding->has_value());
  EXPECT_EQ(foreign_funding->error().http_status, 401);

  // Nobody listens: a transport error that certainly sent nothing.
  const std::uint16_t port = lb.server->port();
  lb.server->stop();
  LighterRest dead(lb.io, options("http://127.0.0.1:" + std::to_string(port)));
  auto down = call<SendTxResult>(lb, [&](auto cb) { dead.send_tx(bid.tx_type, bid.tx_info(), cb); });
  ASSERT_TRUE(down && !down->has_value());
  EXPECT_EQ(down->error().kind, RestErrorKind::kTransport);
  EXPECT_FALSE(down->error().maybe_sent);
  EXPECT_EQ(down->error().action(), ErrorAction::kRetry);
}

TEST(LighterRestTest, FormEscaping) {
  std::string out;
  append_form_escaped(out, R"({"A":1,"Sig":"ab+/="} x)");
  EXPECT_EQ(out, "%7B%22A%22%3A1%2C%22Sig%22%3A%22ab%2B%2F%3D%22%7D%20x");
}

}  // namespace
}  // namespace bparb::lighter::testing
