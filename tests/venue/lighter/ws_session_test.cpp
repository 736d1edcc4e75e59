// LighterWs against the simulated Lighter on loopback: the book follows the venue's, a broken chain,
// a crossed book and silence each make it invalid until a fresh snapshot, the account channel's token
// is renewed with its subscription, pings go out, and the session reconnects after an outage.
#include "bparb/venue/lighter/ws_session.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "bparb/venue/lighter/rest_client.hpp"
#include "client_test_util.hpp"

namespace bparb::lighter::testing {
namespace {

LighterWsOptions session_ws_options(const std::string& url) {
  LighterWsOptions o;
  o.ws.url = url;
  o.ws.backoff.initial_us = 10 * kUsPerMs;
  o.ws.backoff.max_us = 50 * kUsPerMs;
  o.timer_period_us = 10 * kUsPerMs;
  return o;
}

MarketDetails fetch_market(Loopback& lb, std::int64_t id) {
  LighterRestOptions ro;
  ro.http.base_url = lb.server->http_url();
  LighterRest rest(lb.io, ro);
  std::vector<MarketDetails> out;
  bool done = false;
  rest.order_book_details(id, [&](RestResult<std::vector<MarketDetails>>& r) {
    if (r) out = std::move(*r);
    done = true;
  });
  EXPECT_TRUE(lb.run_until([&] { return done; }));
  EXPECT_EQ(out.size(), 1u);
  return out.empty() ? MarketDetails{} : out[0];
}

// Sends one signed transaction straight to the simulator (the test's own "other client").
void session_place(Loopback& lb, const SignedTx& tx) {
  const auto out = lb.server->api().submit(static_cast<int>(tx.tx_type), tx.tx_info());
  ASSERT_EQ(out.code, 200) << out.message;
}

std::string update_frame(std::int64_t begin_nonce, std::int64_t nonce, const char* bids) {
  std::string s = R"({"channel":"order_book:0","offset":7,"order_book":{"code":0,"asks":[],"bids":)";
  s += bids;
  s += R"(,"offset":7,"nonce":)" + std::to_string(nonce) + R"(,"last_updated_at":1800000000000000,"begin_nonce":)" +
       std::to_string(begin_nonce) + R"(},"timestamp":1800000000000,"type":"update/order_book"})";
  return s;
}

TEST(LighterWsTest, BookTradesAndResubscribeOnBreaks) {
  Loopback lb;
  Fixture& f = lb.f;
  const MarketDetails eth = fetch_market(lb, 0);
  LighterWs ws(lb.io, f.clock, session_ws_options(lb.server->ws_url()));
  std::vector<Trade> trades;
  int book_events = 0;
  LighterWsHandlers h;
  h.on_trade = [&](const Trade& t) { trades.push_back(t); };
  h.on_book = [&](std::int64_t id) {
    EXPECT_EQ(id, 0);
    ++book_events;
  };
  ws.set_handlers(std::move(h));
  ws.add_book(eth);
  ws.add_trades(0);
  EXPECT_FALSE(ws.book_valid(0));
  ws.start();
  ASSERT_TRUE(lb.run_until([&] { return ws.book_valid(0); }));

  // A resting bid and a crossing ask: the book follows and the trade arrives.
  session_place(lb, f.create(*f.alice, f.alice_nonce, 1, 20'000, 199'000, false));
  session_place(lb, f.create(*f.bob, f.bob_nonce, 2, 5'000, 201'000, true));
  ASSERT_TRUE(lb.run_until([&] {
    const OrderBook* b = ws.book(0);
    return !b->best_ask().empty && !b->best_bid().empty;
  }));
  session_place(lb, f.create(*f.bob, f.bob_nonce, 3, 5'000, 199'000, true, 0));
  ASSERT_TRUE(lb.run_until([&] { return !trades.empty(); }));
  EXPECT_EQ(trades[0].price, D("1990.00"));
  EXPECT_EQ(trades[0].size, D("0.5000"));
  ASSERT_TRUE(lb.run_until([&] { return ws.book(0)->best_bid().quantity == D("1.5000"); }));
  EXPECT_TRUE(ws.book_valid(0));

  // A broken nonce chain: invalid at once, valid again from the fresh snapshot.
  const std::int64_t last = ws.book_sync(0)->last_nonce();
  const std::string gap = update_frame(last + 5, last + 6, "[]");
  ws.handle_frame(gap.data(), gap.size(), gap.size());
  EXPECT_FALSE(ws.book_valid(0));
  EXPECT_EQ(ws.counters().resubscribes, 1u);
  ASSERT_TRUE(lb.run_until([&] { return ws.book_valid(0); }));
  EXPECT_EQ(ws.book(0)->best_bid().quantity, D("1.5000"));

  // A crossed book (a bid above the best ask): the same.
  const std::string crossed = update_frame(ws.book_sync(0)->last_nonce(), ws.book_sync(0)->last_nonce() + 2,
                                           R"([{"price":"2020.00","size":"1.0000"}])");
  ws.handle_frame(crossed.data(), crossed.size(), crossed.size());
  EXPECT_FALSE(ws.book_valid(0));
  EXPECT_EQ(ws.book_sync(0)->stats().crossed, 1u);
  ASSERT_TRUE(lb.run_until([&] { return ws.book_valid(0); }));
  EXPECT_EQ(ws.book(0)->best_bid().price, D("1990.00"));

  // Silence beyond the limit (the injected clock): the timer resubscribes.
  f.clock.advance_us(16 * kUsPerSecond);
  ASSERT_TRUE(lb.run_until([&] { return ws.book_sync(0)->stats().stale == 1; }));
  ASSERT_TRUE(lb.run_until([&] { return ws.book_valid(0); }));
  EXPECT_EQ(ws.counters().resubscribes, 3u);
  EXPECT_EQ(ws.counters().malformed, 0u);
  EXPECT_GT(book_events, 6);
  ws.close();
}

TEST(LighterWsTest, AccountChannelTokenIsRenewedWithItsSubscription) {
  Loopback lb;
  Fixture& f = lb.f;
  LighterWs ws(lb.io, f.clock, session_ws_options(lb.server->ws_url()), f.alice.get());
  int snapshots = 0;
  std::vector<std::int64_t> seen_orders;
  std::vector<std::int64_t> errors;
  LighterWsHandlers h;
  h.on_account = [&](const WsFrame& fr) {
    EXPECT_EQ(fr.type, WsType::kAccountOrders);
    if (fr.snapshot) ++snapshots;
    for (const Order& o : fr.orders) seen_orders.push_back(o.client_order_index);
  };
  h.on_error = [&](std::int64_t code, std::string_view) { errors.push_back(code); };
  ws.set_handlers(std::move(h));
  ASSERT_TRUE(ws.add_account_orders(0));
  ws.start();
  ASSERT_TRUE(lb.run_until([&] { return snapshots == 1; }));
  EXPECT_EQ(ws.counters().token_refreshes, 1u);
  session_place(lb, f.create(*f.alice, f.alice_nonce, 42, 10'000, 199'000, false));
  ASSERT_TRUE(lb.run_until([&] { return !seen_orders.empty(); }));
  EXPECT_EQ(seen_orders.back(), 42);

  // Up to the renewal point (7 h lifetime, renewed 10 min ahead): a new token and a fresh subscription.
  const TimestampUs due = ws.token_refresh_at_us();
  ASSERT_GT(due, f.clock.now_us());
  f.clock.set_us(due);
  ASSERT_TRUE(lb.run_until([&] { return snapshots == 2; }));
  EXPECT_EQ(ws.counters().token_refreshes, 2u);
  EXPECT_GT(ws.token_refresh_at_us(), due);
  EXPECT_TRUE(errors.empty());  // neither "already subscribed" nor "invalid auth token"

  LighterWs anonymous(lb.io, f.clock, session_ws_options(lb.server->ws_url()));
  EXPECT_FALSE(anonymous.add_account_orders(0));
  ws.close();
}

TEST(LighterWsTest, ReconnectsAfterAnOutageAndResubscribes) {
  Loopback lb;
  Fixture& f = lb.f;
  const MarketDetails eth = fetch_market(lb, 0);
  LighterWsOptions opts = session_ws_options(lb.server->ws_url());
  opts.book.max_silence_us = 3600 * kUsPerSecond;  // only the ping interval matters here
  LighterWs ws(lb.io, f.clock, opts);
  int disconnects = 0;
  LighterWsHandlers h;
  h.on_disconnected = [&](const net::DisconnectInfo&) { ++disconnects; };
  ws.set_handlers(std::move(h));
  ws.add_book(eth);
  ws.start();
  ASSERT_TRUE(lb.run_until([&] { return ws.book_valid(0); }));
  // Nothing sent for longer than the ping interval: a ping, answered (no silence, no disconnect).
  EXPECT_EQ(ws.counters().pings_sent, 0u);
  f.clock.advance_us(31 * kUsPerSecond);
  ASSERT_TRUE(lb.run_until([&] { return ws.counters().pings_sent == 1; }));
  lb.settle(5);
  EXPECT_EQ(ws.counters().pings_sent, 1u);
  EXPECT_EQ(disconnects, 0);

  const std::uint16_t port = lb.server->port();
  lb.server->stop();
  ASSERT_TRUE(lb.run_until([&] { return disconnects == 1; }));
  EXPECT_FALSE(ws.book_valid(0));
  lb.settle(5);  // a few refused attempts while nobody listens
  EXPECT_FALSE(ws.connected());

  lb.server.reset();
  sim::lighter::LighterRules rules = f.rules;
  rules.port = port;
  lb.server = std::make_unique<sim::lighter::LighterServer>(lb.io, *f.ex, f.clock, rules);
  lb.server->start();
  ASSERT_TRUE(lb.run_until([&] { return ws.book_valid(0); }));
  EXPECT_EQ(ws.counters().connects, 2u);
  EXPECT_GE(ws.transport().counters().connect_failures, 1u);
  ws.close();
}

}  // namespace
}  // namespace bparb::lighter::testing

namespace bparb::lighter::testing {
namespace {

TEST(LighterWsTest, AccountAllNeedsNoToken) {
  Loopback lb;
  Fixture& f = lb.f;
  LighterWs ws(lb.io, f.clock, session_ws_options(lb.server->ws_url()));  // no signer
  int snapshots = 0;
  std::vector<std::int64_t> orders;
  LighterWsHandlers h;
  h.on_account = [&](const WsFrame& fr) {
    EXPECT_EQ(fr.type, WsType::kAccountAll);
    if (fr.snapshot) ++snapshots;
    for (const Order& o : fr.orders) orders.push_back(o.client_order_index);
  };
  ws.set_handlers(std::move(h));
  ws.add_account_all(kBob);
  ws.start();
  ASSERT_TRUE(lb.run_until([&] { return snapshots == 1; }));
  EXPECT_EQ(ws.counters().token_refreshes, 0u);
  session_place(lb, f.create(*f.bob, f.bob_nonce, 31, 10'000, 201'000, true));
  ASSERT_TRUE(lb.run_until([&] { return !orders.empty(); }));
  EXPECT_EQ(orders.back(), 31);
  ws.close();
}

}  // namespace
}  // namespace bparb::lighter::testing
