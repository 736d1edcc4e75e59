// LighterAdapter against the simulated Lighter: a post-only order is accepted and then seen resting on
// the account stream, a crossing IOC fills with the right price, quantity and fee, a cancel is reported,
// refusals (before sending and by the venue) carry their class, and a socket dropped before the answer
// leaves the order unknown until a query resolves it; a query reports the fills the stream missed. A replace
// is one ModifyOrder (the old id ends cancelled, the new one is accepted and fills), a refused modify or
// cancel comes back as a cancel refusal, and a cancel-all ends every resting order.
#include "bparb/venue/lighter/adapter.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "client_test_util.hpp"

namespace bparb::lighter::testing {
namespace {

struct Recorded : LighterAdapterSink {
  struct Query {
    ClientId id = 0;
    bool found = false;
    bparb::OrderStatus status = bparb::OrderStatus::kNew;
    Decimal executed;
  };
  struct Event {
    exec::OrderUpdate u;
    std::string order_id;
  };
  std::vector<exec::OrderAck> acks;
  std::vector<std::string> ack_codes;
  std::vector<Event> events;
  std::vector<exec::FillReport> fills;
  std::vector<Query> queries;
  struct Refusal {
    exec::CancelRefusal r;
    std::string code;
  };
  std::vector<Refusal> refusals;

  void on_ack(const exec::OrderAck& a) override {
    acks.push_back(a);
    ack_codes.emplace_back(a.code);
  }
  void on_order_event(const exec::OrderUpdate& u, std::string_view id) override {
    events.push_back({u, std::string(id)});
  }
  void on_fill(const exec::FillReport& f) override { fills.push_back(f); }
  void on_query(ClientId id, bool found, bparb::OrderStatus s, Decimal executed) override {
    queries.push_back({id, found, s, executed});
  }
  void on_cancel_refused(const exec::CancelRefusal& r) override { refusals.push_back({r, std::string(r.code)}); }

  const exec::OrderAck* ack(ClientId id) const {
    for (const auto& a : acks)
      if (a.client_id == id) return &a;
    return nullptr;
  }
  const exec::OrderUpdate* event(ClientId id, exec::OrderUpdate::Kind k) const {
    for (const auto& e : events)
      if (e.u.client_id == id && e.u.kind == k) return &e.u;
    return nullptr;
  }
};

struct Harness {
  Loopback& lb;
  InstrumentTable instruments;
  InstrumentId eth = kNoInstrument;
  LighterRest rest;
  LighterWs ws;
  Recorded sink;
  std::unique_ptr<LighterTxSender> sender;
  std::unique_ptr<LighterAdapter> adapter;
  int account_frames = 0;

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

  explicit Harness(Loopback& l)
      : lb(l), rest(l.io, rest_options(l)), ws(l.io, l.f.clock, ws_options(l), l.f.alice.get()) {
    eth = instruments.add(VenueId::kLighter, sim::lighter::testing::eth_spec(true));
    LighterWsHandlers h;
    h.on_account = [this](const WsFrame& f) {
      ++account_frames;
      adapter->on_account_frame(f);
    };
    ws.set_handlers(std::move(h));
    ws.add_account_all(kAlice);
    sender = std::make_unique<LighterTxSender>(l.io, l.f.clock, *l.f.alice, rest, ws);
    adapter = std::make_unique<LighterAdapter>(l.io, l.f.clock, *l.f.alice, rest, *sender, instruments, sink);
    // The market as the venue describes it (decimals, minimums, fees).
    std::optional<MarketDetails> eth_market;
    rest.order_book_details(0, [&](RestResult<std::vector<MarketDetails>>& r) {
      ASSERT_TRUE(r.has_value());
      ASSERT_FALSE(r->empty());
      eth_market = r->front();
    });
    EXPECT_TRUE(lb.run_until([&] { return eth_market.has_value(); }));
    if (eth_market) adapter->add_market(eth, *eth_market);
  }

  void connect() {
    ws.start();
    ASSERT_TRUE(lb.run_until([&] { return account_frames >= 1; }));
  }

  exec::OrderSpec order(ClientId id, Side side, const char* price, const char* qty) const {
    exec::OrderSpec o;
    o.client_id = id;
    o.market = &instruments.market(eth);
    o.instrument = eth;
    o.side = side;
    o.type = OrderType::kLimit;
    o.tif = TimeInForce::kGtc;
    o.price = D(price);
    o.quantity = D(qty);
    return o;
  }
  void place(const exec::OrderSpec& o) { adapter->place_orders(std::span<const exec::OrderSpec>(&o, 1)); }
};

TEST(LighterAdapterTest, PostOnlyRestsThenCancelAndACrossingIocFills) {
  Loopback lb;
  Harness h(lb);
  h.connect();

  exec::OrderSpec maker = h.order(11, Side::kBid, "1990.00", "0.0100");
  maker.post_only = true;
  h.place(maker);
  ASSERT_TRUE(lb.run_until([&] { return h.sink.ack(11) != nullptr; }));
  EXPECT_EQ(h.sink.ack(11)->kind, exec::OrderAck::Kind::kAccepted);
  EXPECT_EQ(h.sink.ack(11)->status, bparb::OrderStatus::kNew);  // taken; the stream tells the rest
  ASSERT_TRUE(lb.run_until([&] { return h.sink.event(11, exec::OrderUpdate::Kind::kAccepted) != nullptr; }));
  EXPECT_EQ(h.adapter->tracked_orders(), 1u);

  h.adapter->cancel_order(h.eth, 11);
  ASSERT_TRUE(lb.run_until([&] { return h.sink.event(11, exec::OrderUpdate::Kind::kCancelled) != nullptr; }));
  EXPECT_EQ(h.adapter->tracked_orders(), 0u);
  EXPECT_FALSE(h.sink.events.front().order_id.empty());

  // Bob rests an ask at 2000.00 for 0.0100; Alice's IOC bid at 2001.00 takes it.
  std::int64_t bob_nonce = 0;
  const SignedTx ask = lb.f.create(*lb.f.bob, bob_nonce, 900, 100, 200'000, true);
  ASSERT_EQ(lb.server->api().submit(14, ask.tx_info()).code, 200);
  exec::OrderSpec taker = h.order(12, Side::kBid, "2001.00", "0.0100");
  taker.tif = TimeInForce::kIoc;
  h.place(taker);
  ASSERT_TRUE(lb.run_until([&] { return !h.sink.fills.empty(); }));
  ASSERT_TRUE(lb.run_until([&] { return h.sink.ack(12) != nullptr; }));
  EXPECT_EQ(h.sink.ack(12)->kind, exec::OrderAck::Kind::kAccepted);
  ASSERT_EQ(h.sink.fills.size(), 1u);
  const exec::FillReport& f = h.sink.fills[0];
  EXPECT_EQ(f.client_id, 12u);
  EXPECT_EQ(f.side, Side::kBid);
  EXPECT_EQ(f.price, D("2000.00"));
  EXPECT_EQ(f.quantity, D("0.0100"));
  EXPECT_FALSE(f.maker);
  EXPECT_EQ(f.fee, D("0.004"));  // 20 USDC notional x 0.02 %
  EXPECT_EQ(f.fee_symbol, "USDC");
  EXPECT_GE(f.trade_id, 0);
  EXPECT_EQ(f.cumulative_quantity, D("0.0100"));
  EXPECT_TRUE(f.order_filled);
  EXPECT_EQ(f.symbol, "ETH_USDC_PERP");
  lb.settle(5);
  EXPECT_EQ(h.adapter->tracked_orders(), 0u);
}

TEST(LighterAdapterTest, RefusalsCarryTheirClass) {
  Loopback lb;
  Harness h(lb);
  h.connect();

  // Below the market's minimum base amount (0.005): refused before anything is sent.
  h.place(h.order(21, Side::kBid, "1990.00", "0.0010"));
  // Beyond the price band (half the last price): the venue refuses it.
  h.place(h.order(22, Side::kBid, "900.00", "0.1000"));
  // Wider than the venue's client order index.
  h.place(h.order(kMaxLighterClientId + 1, Side::kBid, "1990.00", "0.0100"));
  ASSERT_TRUE(lb.run_until([&] { return h.sink.acks.size() >= 3; }));

  ASSERT_NE(h.sink.ack(21), nullptr);
  EXPECT_EQ(h.sink.ack(21)->kind, exec::OrderAck::Kind::kRejected);
  EXPECT_EQ(h.sink.ack(21)->reject, RejectClass::kOther);
  ASSERT_NE(h.sink.ack(22), nullptr);
  EXPECT_EQ(h.sink.ack(22)->kind, exec::OrderAck::Kind::kRejected);
  EXPECT_EQ(h.sink.ack(22)->reject, RejectClass::kPriceOutOfBand);
  ASSERT_NE(h.sink.ack(kMaxLighterClientId + 1), nullptr);
  EXPECT_EQ(h.sink.ack(kMaxLighterClientId + 1)->kind, exec::OrderAck::Kind::kRejected);
  EXPECT_EQ(h.sink.fills.size(), 0u);
  EXPECT_EQ(h.adapter->tracked_orders(), 0u);
  EXPECT_EQ(h.sender->counters().sent_ws + h.sender->counters().sent_rest, 1u);  // only #22 left the process

  EXPECT_EQ(reject_class(LighterError::kNotEnoughMargin), RejectClass::kInsufficientFunds);
  EXPECT_EQ(reject_class(LighterError::kTooManyRequests), RejectClass::kRateLimited);
  EXPECT_EQ(reject_class(LighterError::kInvalidPublicKey), RejectClass::kBadSignature);
  EXPECT_EQ(reject_class(LighterError::kReduceOnlyIncreasesPosition), RejectClass::kReduceOnlyRefused);
  EXPECT_EQ(reject_class(OrderError::kPriceOffTick), RejectClass::kOffTickOrStep);
}

TEST(LighterAdapterTest, ADroppedSocketLeavesTheOrderUnknownUntilAQueryResolvesIt) {
  Loopback lb;
  Harness h(lb);
  h.connect();
  // A first order makes the key's nonce known, so the next one is written on the socket at once.
  exec::OrderSpec first = h.order(30, Side::kBid, "1980.00", "0.0100");
  first.post_only = true;
  h.place(first);
  ASSERT_TRUE(lb.run_until([&] { return h.sink.ack(30) != nullptr; }));
  ASSERT_EQ(h.sink.ack(30)->kind, exec::OrderAck::Kind::kAccepted);
  const std::int64_t nonce_before = lb.server->api().next_nonce(kAlice, kKey);

  exec::OrderSpec o = h.order(31, Side::kBid, "1990.00", "0.0100");
  o.post_only = true;
  h.place(o);
  h.ws.close();  // written, never answered
  ASSERT_TRUE(lb.run_until([&] { return h.sink.ack(31) != nullptr; }));
  EXPECT_EQ(h.sink.ack(31)->kind, exec::OrderAck::Kind::kUnknown);

  h.adapter->query_order(h.eth, 31);
  ASSERT_TRUE(lb.run_until([&] { return !h.sink.queries.empty(); }));
  const Recorded::Query& q = h.sink.queries[0];
  EXPECT_EQ(q.id, 31u);
  // Whether the venue got the transaction before the socket closed is the transport's business; either
  // way the query says so, and a found order is resting with nothing executed.
  const bool resting = lb.server->api().next_nonce(kAlice, kKey) > nonce_before;
  EXPECT_EQ(q.found, resting);
  if (q.found) {
    EXPECT_EQ(q.status, bparb::OrderStatus::kNew);
    EXPECT_TRUE(q.executed.is_zero());
    EXPECT_NE(h.sink.event(31, exec::OrderUpdate::Kind::kAccepted), nullptr);
    EXPECT_EQ(h.adapter->tracked_orders(), 2u);
  } else {
    EXPECT_EQ(h.adapter->tracked_orders(), 1u);
  }

  // A query for an id that was never placed answers "not found".
  h.adapter->query_order(h.eth, 32);
  ASSERT_TRUE(lb.run_until([&] { return h.sink.queries.size() >= 2; }));
  EXPECT_FALSE(h.sink.queries[1].found);
}

TEST(LighterAdapterTest, AQueryReportsTheFillsTheStreamMissed) {
  Loopback lb;
  Harness h(lb);  // never connected: the order goes over REST and no account frame arrives
  exec::OrderSpec o = h.order(41, Side::kBid, "1990.00", "0.0100");
  o.post_only = true;
  h.place(o);
  ASSERT_TRUE(lb.run_until([&] { return h.sink.ack(41) != nullptr; }));
  ASSERT_EQ(h.sink.ack(41)->kind, exec::OrderAck::Kind::kAccepted);
  // Bob's IOC ask takes it while nobody listens.
  std::int64_t bob_nonce = 0;
  const SignedTx hit = lb.f.create(*lb.f.bob, bob_nonce, 901, 100, 199'000, true, 0);
  ASSERT_EQ(lb.server->api().submit(14, hit.tx_info()).code, 200);

  h.adapter->query_order(h.eth, 41);
  ASSERT_TRUE(lb.run_until([&] { return !h.sink.queries.empty(); }));
  EXPECT_TRUE(h.sink.queries[0].found);
  EXPECT_EQ(h.sink.queries[0].status, bparb::OrderStatus::kFilled);
  EXPECT_EQ(h.sink.queries[0].executed, D("0.0100"));
  ASSERT_EQ(h.sink.fills.size(), 1u);
  const exec::FillReport& f = h.sink.fills[0];
  EXPECT_EQ(f.price, D("1990.00"));
  EXPECT_EQ(f.quantity, D("0.0100"));
  EXPECT_TRUE(f.maker);             // post-only: it made liquidity
  EXPECT_EQ(f.fee, D("0.000398"));  // 19.90 USDC notional x 0.002 %
  EXPECT_EQ(f.trade_id, -1);        // no trade in an orders answer
  EXPECT_TRUE(f.order_filled);
  EXPECT_EQ(h.adapter->tracked_orders(), 0u);
}

// Alice's resting orders at the venue (Exchange account 0).
std::vector<sim::SimOrder> alice_open(Loopback& lb) {
  return lb.f.ex->open_orders(0);
}

TEST(LighterAdapterTest, AReplaceIsOneModifyTheNewIdFills) {
  Loopback lb;
  Harness h(lb);
  h.connect();
  exec::OrderSpec first = h.order(61, Side::kBid, "1990.00", "0.0100");
  first.post_only = true;
  h.place(first);
  ASSERT_TRUE(lb.run_until([&] { return h.sink.event(61, exec::OrderUpdate::Kind::kAccepted) != nullptr; }));
  const std::string venue_id = h.sink.events.back().order_id;

  exec::OrderSpec next = h.order(62, Side::kBid, "1985.00", "0.0200");
  next.post_only = true;
  h.adapter->replace_order(61, next);
  ASSERT_TRUE(lb.run_until(
      [&] { return h.sink.ack(62) != nullptr && h.sink.event(62, exec::OrderUpdate::Kind::kAccepted) != nullptr; }));
  EXPECT_EQ(h.sink.ack(62)->kind, exec::OrderAck::Kind::kAccepted);
  const exec::OrderUpdate* old_end = h.sink.event(61, exec::OrderUpdate::Kind::kCancelled);
  ASSERT_NE(old_end, nullptr);
  EXPECT_TRUE(old_end->cumulative_quantity.is_zero());
  EXPECT_EQ(h.sink.events.back().order_id, venue_id);  // the venue's order lives on under its id
  EXPECT_TRUE(h.sink.refusals.empty());
  EXPECT_EQ(h.adapter->tracked_orders(), 1u);
  // One order at the venue, at the new price and size; no cancel and no second order were sent.
  const auto open = alice_open(lb);
  ASSERT_EQ(open.size(), 1u);
  EXPECT_EQ(open[0].price, D("1985.00"));
  EXPECT_EQ(open[0].quantity, D("0.0200"));
  EXPECT_EQ(h.sender->counters().sent_ws + h.sender->counters().sent_rest, 2u);
  // A query by the new id finds the venue's order (it still carries the first client order index).
  h.adapter->query_order(h.eth, 62);
  ASSERT_TRUE(lb.run_until([&] { return !h.sink.queries.empty(); }));
  EXPECT_TRUE(h.sink.queries[0].found);
  EXPECT_EQ(h.sink.queries[0].status, bparb::OrderStatus::kNew);
  EXPECT_TRUE(h.sink.queries[0].executed.is_zero());

  // Bob's IOC ask takes it: the fill is the new id's, in full.
  std::int64_t bob_nonce = 0;
  const SignedTx hit = lb.f.create(*lb.f.bob, bob_nonce, 902, 200, 198'500, true, 0);
  ASSERT_EQ(lb.server->api().submit(14, hit.tx_info()).code, 200);
  ASSERT_TRUE(lb.run_until([&] { return !h.sink.fills.empty(); }));
  const exec::FillReport& f = h.sink.fills[0];
  EXPECT_EQ(f.client_id, 62u);
  EXPECT_EQ(f.price, D("1985.00"));
  EXPECT_EQ(f.quantity, D("0.0200"));
  EXPECT_EQ(f.cumulative_quantity, D("0.0200"));
  EXPECT_TRUE(f.order_filled);
  EXPECT_TRUE(f.maker);
  lb.settle(5);
  EXPECT_EQ(h.sink.event(62, exec::OrderUpdate::Kind::kCancelled), nullptr);  // the modify was no cancel
  EXPECT_EQ(h.adapter->tracked_orders(), 0u);
}

TEST(LighterAdapterTest, ARefusedModifyLeavesTheOldOrderAndIsACancelRefusal) {
  Loopback lb;
  Harness h(lb);
  h.connect();
  exec::OrderSpec first = h.order(71, Side::kBid, "1990.00", "0.0100");
  first.post_only = true;
  h.place(first);
  ASSERT_TRUE(lb.run_until([&] { return h.sink.event(71, exec::OrderUpdate::Kind::kAccepted) != nullptr; }));

  // Beyond the price band: the venue refuses the modify and the order stays as it was.
  exec::OrderSpec next = h.order(72, Side::kBid, "900.00", "0.1000");
  next.post_only = true;
  h.adapter->replace_order(71, next);
  ASSERT_TRUE(lb.run_until([&] { return h.sink.ack(72) != nullptr && !h.sink.refusals.empty(); }));
  EXPECT_EQ(h.sink.ack(72)->kind, exec::OrderAck::Kind::kRejected);
  EXPECT_EQ(h.sink.ack(72)->reject, RejectClass::kPriceOutOfBand);
  EXPECT_EQ(h.sink.refusals[0].r.client_id, 71u);
  EXPECT_EQ(h.sink.refusals[0].r.reject, RejectClass::kPriceOutOfBand);
  EXPECT_FALSE(h.sink.refusals[0].r.ambiguous);
  EXPECT_FALSE(h.sink.refusals[0].code.empty());
  lb.settle(5);
  EXPECT_EQ(h.sink.event(71, exec::OrderUpdate::Kind::kCancelled), nullptr);
  const auto open = alice_open(lb);
  ASSERT_EQ(open.size(), 1u);
  EXPECT_EQ(open[0].price, D("1990.00"));
  EXPECT_EQ(h.adapter->tracked_orders(), 1u);

  // The old order still cancels under its own id.
  h.adapter->cancel_order(h.eth, 71);
  ASSERT_TRUE(lb.run_until([&] { return h.sink.event(71, exec::OrderUpdate::Kind::kCancelled) != nullptr; }));
  EXPECT_EQ(h.adapter->tracked_orders(), 0u);
}

TEST(LighterAdapterTest, ACancelOfAnOrderAlreadyGoneIsRefused) {
  Loopback lb;
  Harness h(lb);
  h.connect();
  exec::OrderSpec o = h.order(81, Side::kBid, "1990.00", "0.0100");
  o.post_only = true;
  h.place(o);
  ASSERT_TRUE(lb.run_until([&] { return h.sink.event(81, exec::OrderUpdate::Kind::kAccepted) != nullptr; }));
  // Bob fills it before our cancel arrives.
  std::int64_t bob_nonce = 0;
  const SignedTx hit = lb.f.create(*lb.f.bob, bob_nonce, 903, 100, 199'000, true, 0);
  ASSERT_EQ(lb.server->api().submit(14, hit.tx_info()).code, 200);
  h.adapter->cancel_order(h.eth, 81);
  ASSERT_TRUE(lb.run_until([&] { return !h.sink.refusals.empty(); }));
  const exec::CancelRefusal& r = h.sink.refusals[0].r;
  EXPECT_EQ(r.client_id, 81u);
  EXPECT_EQ(r.reject, RejectClass::kOther);  // not for rate: the kernel queries the order
  EXPECT_FALSE(r.ambiguous);
  EXPECT_EQ(h.sink.refusals[0].code, to_string(LighterError::kOrderInactive));
  ASSERT_TRUE(lb.run_until([&] { return !h.sink.fills.empty(); }));
  EXPECT_EQ(h.sink.fills[0].client_id, 81u);
  EXPECT_TRUE(h.sink.fills[0].order_filled);
}

TEST(LighterAdapterTest, CancelAllEndsEveryRestingOrderOfTheMarket) {
  Loopback lb;
  Harness h(lb);
  h.connect();
  for (ClientId id : {91, 92}) {
    exec::OrderSpec o = h.order(id, Side::kBid, id == 91 ? "1990.00" : "1980.00", "0.0100");
    o.post_only = true;
    h.place(o);
  }
  ASSERT_TRUE(lb.run_until([&] {
    return h.sink.event(91, exec::OrderUpdate::Kind::kAccepted) != nullptr &&
           h.sink.event(92, exec::OrderUpdate::Kind::kAccepted) != nullptr;
  }));
  std::optional<std::string> answer;  // "" = taken
  h.adapter->cancel_all("ETH_USDC_PERP", [&](const exec::VenueError* e) { answer = e ? e->code : ""; });
  ASSERT_TRUE(lb.run_until([&] {
    return answer.has_value() && h.sink.event(91, exec::OrderUpdate::Kind::kCancelled) != nullptr &&
           h.sink.event(92, exec::OrderUpdate::Kind::kCancelled) != nullptr;
  }));
  EXPECT_EQ(*answer, "");
  EXPECT_TRUE(alice_open(lb).empty());
  EXPECT_EQ(h.adapter->tracked_orders(), 0u);

  // A market the adapter does not know is answered, never sent.
  std::optional<std::string> unknown;
  h.adapter->cancel_all("DOGE_USDC_PERP", [&](const exec::VenueError* e) { unknown = e ? e->code : ""; });
  ASSERT_TRUE(lb.run_until([&] { return unknown.has_value(); }));
  EXPECT_EQ(*unknown, "NO_MARKET");
  // Every market at once.
  std::optional<std::string> all;
  h.adapter->cancel_all("", [&](const exec::VenueError* e) { all = e ? e->code : ""; });
  ASSERT_TRUE(lb.run_until([&] { return all.has_value(); }));
  EXPECT_EQ(*all, "");
}

}  // namespace
}  // namespace bparb::lighter::testing
