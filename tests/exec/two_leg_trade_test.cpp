// The two-leg trade executor on its own: two markets of the same asset on two venues, no strategy. The
// order events are fed the way the engine feeds them (OMS first, then the executor).
#include "bparb/exec/two_leg_trade.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "bparb/exec/arb_engine.hpp"

namespace bparb::exec {
namespace {

Decimal D(const char* s) {
  return Decimal::from_string(s);
}

constexpr TimestampUs kT0 = 1'795'132'800LL * kUsPerSecond;

MarketSpec eth(const char* symbol) {
  MarketSpec s;
  s.symbol = symbol;
  s.base_symbol = "ETH";
  s.quote_symbol = "USDC";
  s.type = MarketType::kPerp;
  s.tick_size = D("0.01");
  s.min_price = D("0.01");
  s.step_size = D("0.01");
  s.min_quantity = D("0.01");
  return s;
}

struct Sink : CommandSink, EngineObserver {
  std::vector<std::vector<OrderSpec>> batches;
  std::vector<oms::ClientId> cancels;
  int leg_risk = 0;
  void place_orders(std::span<const OrderSpec> o) override { batches.emplace_back(o.begin(), o.end()); }
  void cancel_order(InstrumentId, oms::ClientId id) override { cancels.push_back(id); }
  void query_order(InstrumentId, oms::ClientId) override {}
  void on_event(const EngineEvent& e) override {
    if (std::holds_alternative<event::LegRisk>(e)) ++leg_risk;
  }
};

class TwoLegTradeTest : public ::testing::Test {
 protected:
  TwoLegTradeTest()
      : a_spec_(eth("ETH_USDC_PERP")),
        b_spec_(eth("ETH-PERP")),
        a_(a_spec_),
        b_(b_spec_),
        clock_(kT0),
        risk_(RiskLimits{}, clock_),
        oms_(1),
        trade_(7, params_, oms_, risk_, sink_, sink_) {
    load(a_, "2000.00", "2000.01");
    load(b_, "2001.00", "2001.01");
  }

  void load(OrderBook& book, const char* bid, const char* ask) {
    DepthSnapshot s;
    s.last_update_id = 1;
    s.bids = {{D(bid), D("100")}};
    s.asks = {{D(ask), D("100")}};
    book.load_snapshot(s, kT0);
    book.set_valid(true);
  }

  TradeStart start() {
    TradeStart st;
    st.plan = ExecutionPlan::kTaker;
    st.legs[0] = {VenueId::kBackpack, 0, &a_spec_, &a_, D("0.001"), true, {}, {}, &marks_[0]};
    st.legs[0].on_sell.auto_borrow = true;  // a venue flag the owner wants on this leg's sells
    st.legs[1] = {VenueId::kLighter, 1, &b_spec_, &b_, D("0.001"), true, {}, {}, &marks_[1]};
    st.targets[0] = {Side::kBid, D("1"), D("0.01"), D("0.01")};
    st.targets[1] = {Side::kAsk, D("1"), D("0.01"), D("0.01")};
    return st;
  }

  OrderSpec order(LegIndex leg, Side side, const char* price) {
    OrderSpec o;
    o.pair = 7;
    o.leg = leg;
    o.market = leg == LegIndex::kSpot ? &a_spec_ : &b_spec_;
    o.instrument = leg == LegIndex::kSpot ? 0 : 1;
    o.side = side;
    o.price = D(price);
    o.quantity = D("1");
    return o;
  }

  void fill(oms::ClientId id, Decimal qty, std::int64_t trade_id, TimestampUs now) {
    oms::Order* o = oms_.find(id);
    ASSERT_NE(o, nullptr);
    ASSERT_EQ(oms_.book_fill(*o, trade_id, qty, qty), oms::FillBooking::kBooked);
    trade_.on_fill(trade_leg_of(*o), o->request().side, qty);
    oms_.apply(*o, oms::OrderEvent::kFullFill, now);
    if (oms_.settle(*o)) trade_.on_settled(*o, now);
  }

  // An accepted order's fill that leaves quantity open.
  void partial(oms::ClientId id, Decimal qty, std::int64_t trade_id, TimestampUs now) {
    oms::Order* o = oms_.find(id);
    ASSERT_NE(o, nullptr);
    if (o->state() == oms::OrderState::kPendingNew) oms_.apply(*o, oms::OrderEvent::kAccepted, now);
    ASSERT_EQ(oms_.book_fill(*o, trade_id, qty, qty), oms::FillBooking::kBooked);
    trade_.on_fill(trade_leg_of(*o), o->request().side, qty);
    oms_.apply(*o, oms::OrderEvent::kPartialFill, now);
  }

  // The venue ends the order (an IOC's remainder, or our cancel).
  void cancelled(oms::ClientId id, TimestampUs now) {
    oms::Order* o = oms_.find(id);
    ASSERT_NE(o, nullptr);
    oms_.apply(*o, oms::OrderEvent::kCancelled, now);
    if (oms_.settle(*o)) trade_.on_settled(*o, now);
  }

  void reject(oms::ClientId id, TimestampUs now) {
    oms::Order* o = oms_.find(id);
    ASSERT_NE(o, nullptr);
    oms_.apply(*o, oms::OrderEvent::kRejected, now);
    trade_.on_definitive_reject(trade_leg_of(*o));
    if (oms_.settle(*o)) trade_.on_settled(*o, now);
  }

  MarketSpec a_spec_, b_spec_;
  OrderBook a_, b_;
  ManualClock clock_;
  RiskGate risk_;
  oms::OrderManager oms_;
  EngineParams params_;
  Sink sink_;
  Decimal marks_[2];
  TwoLegTrade trade_;
};

TEST_F(TwoLegTradeTest, BothFirstOrdersGoOutTaggedAndNeutralEndsTheTrade) {
  OrderSpec orders[2] = {order(LegIndex::kSpot, Side::kBid, "2000.01"), order(LegIndex::kPerp, Side::kAsk, "2001.00")};
  ASSERT_TRUE(trade_.start(start(), orders, 2, kT0));
  EXPECT_TRUE(trade_.active());
  EXPECT_TRUE(sink_.batches.empty());  // nothing leaves before launch()
  trade_.launch();
  ASSERT_EQ(sink_.batches.size(), 1u);
  ASSERT_EQ(sink_.batches[0].size(), 2u);
  const OrderSpec sent0 = sink_.batches[0][0];
  const OrderSpec sent1 = sink_.batches[0][1];
  EXPECT_NE(sent0.client_id, sent1.client_id);
  EXPECT_FALSE(sent0.auto_borrow);  // a buy: the sell flags stay off
  EXPECT_FALSE(trade_.drive(kT0));  // both live: wait
  fill(sent0.client_id, D("1"), 11, kT0 + 1);
  EXPECT_FALSE(trade_.drive(kT0 + 1));
  fill(sent1.client_id, D("1"), 12, kT0 + 2);
  EXPECT_TRUE(trade_.drive(kT0 + 2));
  EXPECT_FALSE(trade_.active());
  EXPECT_EQ(sink_.leg_risk, 0);
}

TEST_F(TwoLegTradeTest, ARefusedLegIsNotRetriedAndTheOtherIsUnwoundReduceOnlyWithItsFlags) {
  OrderSpec orders[2] = {order(LegIndex::kSpot, Side::kBid, "2000.01"), order(LegIndex::kPerp, Side::kAsk, "2001.00")};
  ASSERT_TRUE(trade_.start(start(), orders, 2, kT0));
  trade_.launch();
  fill(sink_.batches[0][0].client_id, D("1"), 21, kT0 + 1);
  reject(sink_.batches[0][1].client_id, kT0 + 1);
  EXPECT_FALSE(trade_.drive(kT0 + 2));
  ASSERT_EQ(sink_.batches.size(), 2u);
  const OrderSpec unwind = sink_.batches[1][0];
  EXPECT_EQ(unwind.leg, LegIndex::kSpot);
  EXPECT_EQ(unwind.instrument, 0);  // the leg's instrument: what a cancel or query of it names
  EXPECT_EQ(unwind.side, Side::kAsk);
  EXPECT_EQ(unwind.quantity, D("1"));
  EXPECT_EQ(unwind.tif, TimeInForce::kIoc);
  EXPECT_EQ(unwind.purpose, OrderPurpose::kHedge);
  EXPECT_TRUE(unwind.reduce_only);
  EXPECT_TRUE(unwind.auto_borrow);
  // The bid 2000.00 less the 0.1 % buffer, rounded up to the tick: never beyond the buffer.
  EXPECT_EQ(unwind.price, D("1998.00"));
  EXPECT_EQ(sink_.leg_risk, 1);
  fill(unwind.client_id, D("1"), 22, kT0 + 3);
  EXPECT_TRUE(trade_.drive(kT0 + 3));
}

// Leg 1 first (the slower venue's): only its order leaves; each of its fills sends leg 0's order for what filled, at
// leg 0's planned limit, at once; the remainder cancelled, the trade ends neutral with no hedge.
TEST_F(TwoLegTradeTest, OneLegFirstSendsTheOtherForWhatFilledAsItFills) {
  OrderSpec orders[2] = {order(LegIndex::kSpot, Side::kBid, "2000.01"), order(LegIndex::kPerp, Side::kAsk, "2001.00")};
  TradeStart st = start();
  st.sequence = LegSequence::kLeg1First;
  st.first_leg_timeout_us = 2 * kUsPerSecond;
  ASSERT_TRUE(trade_.start(st, orders, 2, kT0));
  trade_.launch();
  ASSERT_EQ(sink_.batches.size(), 1u);
  ASSERT_EQ(sink_.batches[0].size(), 1u);
  const OrderSpec first = sink_.batches[0][0];
  EXPECT_EQ(first.leg, LegIndex::kPerp);
  EXPECT_FALSE(trade_.drive(kT0 + 1));
  EXPECT_EQ(sink_.batches.size(), 1u) << "nothing on leg 0 before a fill";

  partial(first.client_id, D("0.3"), 31, kT0 + 2);
  EXPECT_FALSE(trade_.drive(kT0 + 2));
  ASSERT_EQ(sink_.batches.size(), 2u);
  const OrderSpec second = sink_.batches[1][0];
  EXPECT_EQ(second.leg, LegIndex::kSpot);
  EXPECT_EQ(second.side, Side::kBid);
  EXPECT_EQ(second.quantity, D("0.3"));
  EXPECT_EQ(second.price, D("2000.01"));
  EXPECT_EQ(second.tif, TimeInForce::kIoc);
  EXPECT_EQ(second.purpose, OrderPurpose::kEntry);
  EXPECT_FALSE(second.reduce_only);
  EXPECT_NE(second.client_id, first.client_id);

  partial(first.client_id, D("0.45"), 32, kT0 + 3);
  cancelled(first.client_id, kT0 + 3);  // the IOC's remainder
  EXPECT_FALSE(trade_.drive(kT0 + 3));
  ASSERT_EQ(sink_.batches.size(), 3u);
  const OrderSpec third = sink_.batches[2][0];
  EXPECT_EQ(third.leg, LegIndex::kSpot);
  EXPECT_EQ(third.quantity, D("0.45"));
  EXPECT_FALSE(trade_.drive(kT0 + 4)) << "leg 0's orders are live";
  fill(second.client_id, D("0.3"), 33, kT0 + 5);
  fill(third.client_id, D("0.45"), 34, kT0 + 5);
  EXPECT_TRUE(trade_.drive(kT0 + 5));
  EXPECT_EQ(sink_.batches.size(), 3u);
  EXPECT_EQ(sink_.leg_risk, 0);
  EXPECT_TRUE(sink_.cancels.empty());
}

// Leg 0 first, accepted but silent: past the timeout its order is cancelled, once; nothing filled, so leg 1 is never
// sent and the trade ends neutral when the cancel lands.
TEST_F(TwoLegTradeTest, AFirstLegSilentPastItsTimeoutIsCancelledAndTheOtherNeverSent) {
  OrderSpec orders[2] = {order(LegIndex::kSpot, Side::kBid, "2000.01"), order(LegIndex::kPerp, Side::kAsk, "2001.00")};
  TradeStart st = start();
  st.sequence = LegSequence::kLeg0First;
  st.first_leg_timeout_us = 2 * kUsPerSecond;
  ASSERT_TRUE(trade_.start(st, orders, 2, kT0));
  trade_.launch();
  ASSERT_EQ(sink_.batches.size(), 1u);
  const OrderSpec first = sink_.batches[0][0];
  EXPECT_EQ(first.leg, LegIndex::kSpot);
  oms_.apply(*oms_.find(first.client_id), oms::OrderEvent::kAccepted, kT0 + 1);
  EXPECT_FALSE(trade_.drive(kT0 + 2 * kUsPerSecond - 1));
  EXPECT_TRUE(sink_.cancels.empty());
  EXPECT_FALSE(trade_.drive(kT0 + 2 * kUsPerSecond));
  ASSERT_EQ(sink_.cancels.size(), 1u);
  EXPECT_EQ(sink_.cancels[0], first.client_id);
  EXPECT_FALSE(trade_.drive(kT0 + 3 * kUsPerSecond));
  EXPECT_EQ(sink_.cancels.size(), 1u) << "one cancel";
  cancelled(first.client_id, kT0 + 3 * kUsPerSecond);
  EXPECT_TRUE(trade_.drive(kT0 + 3 * kUsPerSecond));
  EXPECT_EQ(sink_.batches.size(), 1u);
  EXPECT_EQ(sink_.leg_risk, 0);
}

// Both legs together: leg 0 fills, leg 1 is acknowledged and then silent (a transaction the venue took and never
// executed). An IOC acknowledged and not ended after query_unknown_after is cancelled, once; the venue does not know
// it ("not found" on the query), so it ends cancelled with nothing filled, and leg risk completes leg 1 at once.
TEST_F(TwoLegTradeTest, AnAcknowledgedTakerLegThatNeverEndsIsCancelledAndTheTradeCompleted) {
  OrderSpec orders[2] = {order(LegIndex::kSpot, Side::kBid, "2000.01"), order(LegIndex::kPerp, Side::kAsk, "2001.00")};
  orders[0].tif = orders[1].tif = TimeInForce::kIoc;
  ASSERT_TRUE(trade_.start(start(), orders, 2, kT0));
  trade_.launch();
  const OrderSpec spot = sink_.batches[0][0];
  const OrderSpec perp = sink_.batches[0][1];
  fill(spot.client_id, D("1"), 41, kT0 + 1);
  oms::Order& silent = *oms_.find(perp.client_id);
  oms_.apply(silent, oms::OrderEvent::kAccepted, kT0 + 2);
  const TimestampUs due = kT0 + 2 + params_.query_unknown_after_us;
  EXPECT_FALSE(trade_.drive(due - 1));
  EXPECT_TRUE(sink_.cancels.empty());
  EXPECT_EQ(sink_.batches.size(), 1u);
  EXPECT_FALSE(trade_.drive(due));
  ASSERT_EQ(sink_.cancels.size(), 1u);
  EXPECT_EQ(sink_.cancels[0], perp.client_id);
  EXPECT_EQ(silent.state(), oms::OrderState::kPendingCancel);
  EXPECT_FALSE(trade_.drive(due + 1));
  EXPECT_EQ(sink_.cancels.size(), 1u) << "one cancel";
  EXPECT_EQ(sink_.batches.size(), 1u) << "no hedge while the leg's end is unknown";
  oms_.apply(silent, oms::OrderEvent::kNotFound, due + 2);
  ASSERT_EQ(silent.state(), oms::OrderState::kCancelled);
  ASSERT_TRUE(oms_.settle(silent));
  trade_.on_settled(silent, due + 2);
  EXPECT_FALSE(trade_.drive(due + 2));
  ASSERT_EQ(sink_.batches.size(), 2u);
  const OrderSpec hedge = sink_.batches[1][0];
  EXPECT_EQ(hedge.leg, LegIndex::kPerp);
  EXPECT_EQ(hedge.side, Side::kAsk);
  EXPECT_EQ(hedge.quantity, D("1"));
  EXPECT_EQ(hedge.purpose, OrderPurpose::kHedge);
  fill(hedge.client_id, D("1"), 42, due + 3);
  EXPECT_TRUE(trade_.drive(due + 3));
  EXPECT_EQ(sink_.leg_risk, 1);
}

// An exit never goes one leg first: both reduce-only legs leave together.
TEST_F(TwoLegTradeTest, AnExitIgnoresTheSequence) {
  OrderSpec orders[2] = {order(LegIndex::kSpot, Side::kAsk, "2000.00"), order(LegIndex::kPerp, Side::kBid, "2001.01")};
  TradeStart st = start();
  st.exit = true;
  st.sequence = LegSequence::kLeg0First;
  ASSERT_TRUE(trade_.start(st, orders, 2, kT0));
  trade_.launch();
  ASSERT_EQ(sink_.batches.size(), 1u);
  EXPECT_EQ(sink_.batches[0].size(), 2u);
}

TEST_F(TwoLegTradeTest, AFullOrderTableStartsNothing) {
  oms::OrderManager full(1);
  for (std::size_t i = 0; i < oms::OrderManager::kCapacity; ++i)
    ASSERT_NE(full.track({&a_spec_, kNoInstrument, Side::kBid, OrderType::kLimit, TimeInForce::kGtc, D("1"), D("1"),
                          false, false, 0},
                         kT0),
              nullptr);
  TwoLegTrade t(7, params_, full, risk_, sink_, sink_);
  OrderSpec orders[2] = {order(LegIndex::kSpot, Side::kBid, "2000.01"), order(LegIndex::kPerp, Side::kAsk, "2001.00")};
  EXPECT_FALSE(t.start(start(), orders, 2, kT0));
  EXPECT_FALSE(t.active());
}

}  // namespace
}  // namespace bparb::exec
