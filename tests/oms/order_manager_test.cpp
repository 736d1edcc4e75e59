#include "bparb/oms/order_manager.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <vector>

namespace bparb::oms {
namespace {

Decimal D(const char* s) {
  return Decimal::from_string(s);
}

class OmsTest : public ::testing::Test {
 protected:
  OmsTest() { market_.symbol = "SOL_USDC"; }

  OrderRequest request(const char* qty = "10", OwnerTag owner = 7) const {
    OrderRequest r;
    r.market = &market_;
    r.side = Side::kBid;
    r.tif = TimeInForce::kGtc;
    r.price = D("100.00");
    r.quantity = D(qty);
    r.owner = owner;
    return r;
  }
  std::vector<ClientId> poll(TimestampUs now) {
    std::vector<ClientId> queried;
    oms_->poll(now, [&](const Order& o) { queried.push_back(o.client_id()); });
    return queried;
  }

  MarketSpec market_;
  // Heap-held: the table is large for a test fixture's stack frame.
  std::unique_ptr<OrderManager> oms_ =
      std::make_unique<OrderManager>(100, OmsParams{2 * kUsPerSecond, 5 * kUsPerSecond});
};

TEST_F(OmsTest, TrackedOrderCarriesTheRequestAndTheNextClientId) {
  Order* a = oms_->track(request("10", 42), 1'000);
  Order* b = oms_->track(request("3", 43), 2'000);
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(a->client_id(), 100u);
  EXPECT_EQ(b->client_id(), 101u);
  EXPECT_EQ(oms_->next_client_id(), 102u);
  EXPECT_EQ(a->state(), OrderState::kPendingNew);
  EXPECT_EQ(a->owner(), 42u);
  EXPECT_EQ(a->market(), &market_);
  EXPECT_EQ(a->request().quantity, D("10"));
  EXPECT_EQ(a->sent_us(), 1'000);
  EXPECT_EQ(oms_->find(101), b);
  EXPECT_EQ(oms_->find(102), nullptr);
  oms_->set_owner(*a, 99);
  EXPECT_EQ(oms_->find(100)->owner(), 99u);
}

// Ids are 64-bit: they go on past 2^32 (each venue's adapter checks its own width). 0 means "no client id":
// never handed out, not at start and not after the counter wraps.
TEST(Oms, ClientIdsAre64BitAndZeroIsNeverHandedOut) {
  MarketSpec m;
  OrderRequest r;
  r.market = &m;
  auto from_zero = std::make_unique<OrderManager>(0);
  EXPECT_EQ(from_zero->next_client_id(), 1u);
  auto past_32_bits = std::make_unique<OrderManager>(0xffff'ffffu);
  EXPECT_EQ(past_32_bits->track(r, 0)->client_id(), 0xffff'ffffu);
  const Order* wide = past_32_bits->track(r, 0);
  ASSERT_NE(wide, nullptr);
  EXPECT_EQ(wide->client_id(), ClientId{1} << 32);
  EXPECT_EQ(past_32_bits->find(ClientId{1} << 32), wide);
  EXPECT_EQ(past_32_bits->find(0), nullptr);
  auto wrapping = std::make_unique<OrderManager>(~ClientId{0});
  EXPECT_EQ(wrapping->track(r, 0)->client_id(), ~ClientId{0});
  EXPECT_EQ(wrapping->track(r, 0)->client_id(), 1u);
}

TEST_F(OmsTest, ARefusedCancelReturnsTheOrderToTheLiveStateItLeft) {
  Order& o = *oms_->track(request(), 0);
  EXPECT_FALSE(oms_->cancel_refused(o, 5));  // not pending a cancel: nothing to restore
  EXPECT_EQ(o.state(), OrderState::kPendingNew);
  oms_->apply(o, OrderEvent::kAccepted, 10);
  oms_->apply(o, OrderEvent::kCancelRequested, 20);
  EXPECT_TRUE(oms_->cancel_refused(o, 30));
  EXPECT_EQ(o.state(), OrderState::kOpen);
  EXPECT_EQ(o.state_since_us(), 30);
  oms_->note_reported(o, D("0.1"));  // something filled meanwhile
  oms_->apply(o, OrderEvent::kCancelRequested, 40);
  EXPECT_TRUE(oms_->cancel_refused(o, 50));
  EXPECT_EQ(o.state(), OrderState::kPartiallyFilled);
  oms_->apply(o, OrderEvent::kCancelRequested, 60);
  oms_->apply(o, OrderEvent::kCancelled, 70);
  EXPECT_FALSE(oms_->cancel_refused(o, 80));  // ended before the refusal arrived
  EXPECT_EQ(o.state(), OrderState::kCancelled);
}

TEST_F(OmsTest, TransitionsFollowTheTableAndTimeOnlyRealChanges) {
  Order& o = *oms_->track(request(), 0);
  oms_->apply(o, OrderEvent::kAccepted, 10);
  EXPECT_EQ(o.state(), OrderState::kOpen);
  EXPECT_EQ(o.state_since_us(), 10);
  oms_->apply(o, OrderEvent::kAccepted, 20);  // duplicate: same state, its clock does not restart
  EXPECT_EQ(o.state_since_us(), 10);
  oms_->apply(o, OrderEvent::kNotFound, 30);  // meaningless while open: ignored
  EXPECT_EQ(o.state(), OrderState::kOpen);
  oms_->apply(o, OrderEvent::kCancelRequested, 40);
  oms_->apply(o, OrderEvent::kPartialFill, 50);  // fills still arrive before the cancel lands
  EXPECT_EQ(o.state(), OrderState::kPendingCancel);
  oms_->apply(o, OrderEvent::kCancelled, 60);
  EXPECT_EQ(o.state(), OrderState::kCancelled);
  EXPECT_EQ(o.state_since_us(), 60);
  oms_->apply(o, OrderEvent::kAccepted, 70);  // late ack after the end
  EXPECT_EQ(o.state(), OrderState::kCancelled);
}

TEST_F(OmsTest, FillIsBookedOncePerTradeId) {
  Order& o = *oms_->track(request(), 0);
  EXPECT_EQ(oms_->book_fill(o, 11, D("4"), D("4")), FillBooking::kBooked);
  EXPECT_EQ(oms_->book_fill(o, 11, D("4"), D("4")), FillBooking::kDuplicate);  // stream and history both
  EXPECT_EQ(oms_->book_fill(o, 12, D("0"), D("0")), FillBooking::kEmpty);
  EXPECT_EQ(o.booked(), D("4"));
  EXPECT_EQ(oms_->duplicate_fills(), 1u);
  EXPECT_EQ(oms_->trade_known(o.client_id(), 11), TradeKnown::kBooked);
  EXPECT_EQ(oms_->trade_known(o.client_id(), 13), TradeKnown::kMissing);
  EXPECT_EQ(oms_->trade_known(o.client_id(), -1), TradeKnown::kUntracked);
  EXPECT_EQ(oms_->trade_known(o.client_id() + 1, 11), TradeKnown::kUntracked);
  // Booking raises what the venue is known to have executed.
  EXPECT_EQ(o.reported(), D("4"));
  oms_->note_reported(o, D("6"));
  oms_->note_reported(o, D("5"));  // reports out of order: the maximum holds
  EXPECT_EQ(o.reported(), D("6"));
}

// Beyond the per-order trade-id window (and without a trade id) only the cumulative quantity can tell a
// duplicate; trade_known then cannot answer "missing".
TEST_F(OmsTest, BeyondTheTradeIdWindowTheCumulativeQuantityDecides) {
  Order& o = *oms_->track(request("100"), 0);
  for (std::int64_t id = 1; id <= static_cast<std::int64_t>(Order::kTradeIdWindow); ++id)
    ASSERT_EQ(oms_->book_fill(o, id, D("1"), Decimal::from_int(id)), FillBooking::kBooked);
  EXPECT_EQ(oms_->trade_known(o.client_id(), 1), TradeKnown::kBooked);
  EXPECT_EQ(oms_->trade_known(o.client_id(), 500), TradeKnown::kUntracked);
  EXPECT_EQ(oms_->book_fill(o, 500, D("1"), D("16")), FillBooking::kDuplicate);  // cumulative already booked
  EXPECT_EQ(oms_->book_fill(o, 501, D("1"), D("17")), FillBooking::kBooked);
  EXPECT_EQ(oms_->book_fill(o, 501, D("1"), Decimal{}), FillBooking::kBooked);  // no cumulative: cannot tell
  EXPECT_EQ(oms_->book_fill(o, -1, D("1"), D("18")), FillBooking::kDuplicate);
  EXPECT_EQ(oms_->book_fill(o, -1, D("1"), D("19")), FillBooking::kBooked);
  EXPECT_EQ(o.booked(), D("19"));
  EXPECT_EQ(oms_->duplicate_fills(), 2u);
}

TEST_F(OmsTest, SettlesOnceWhenTerminalAndEveryReportedFillIsBooked) {
  Order& o = *oms_->track(request(), 0);
  oms_->book_fill(o, 1, D("4"), D("4"));
  EXPECT_FALSE(oms_->settle(o));  // live
  oms_->note_reported(o, D("10"));
  oms_->apply(o, OrderEvent::kFullFill, 5);
  EXPECT_FALSE(oms_->settle(o));  // filled, but 6 of the 10 reported are not booked yet
  oms_->book_fill(o, 2, D("6"), D("10"));
  EXPECT_TRUE(oms_->settle(o));
  EXPECT_TRUE(o.settled());
  EXPECT_FALSE(oms_->settle(o));
}

// An outcome-unknown send is queried after query_unknown_after — never assumed rejected — once per
// interval; an unanswered query may be repeated after settle_timeout.
TEST_F(OmsTest, UnknownOutcomeIsQueriedAfterItsDelayAndAgainWhenUnanswered) {
  Order& o = *oms_->track(request(), 0);
  oms_->apply(o, OrderEvent::kOutcomeUnknown, 1'000);
  EXPECT_TRUE(poll(1'000 + 2 * kUsPerSecond - 1).empty());
  EXPECT_EQ(poll(1'000 + 2 * kUsPerSecond), std::vector<ClientId>{o.client_id()});
  EXPECT_TRUE(o.query_sent());
  EXPECT_EQ(o.state(), OrderState::kUnknown);
  const TimestampUs asked = 1'000 + 2 * kUsPerSecond;
  EXPECT_TRUE(poll(asked + 5 * kUsPerSecond - 1).empty());
  EXPECT_TRUE(poll(asked + 5 * kUsPerSecond).empty());  // answer lost: the next tick may ask again
  EXPECT_FALSE(o.query_sent());
  EXPECT_EQ(poll(asked + 5 * kUsPerSecond + 1), std::vector<ClientId>{o.client_id()});
  // The answer: the venue never had it.
  oms_->query_answered(o);
  oms_->apply(o, OrderEvent::kNotFound, asked + 6 * kUsPerSecond);
  EXPECT_EQ(o.state(), OrderState::kRejected);
  EXPECT_TRUE(oms_->settle(o));
  EXPECT_TRUE(poll(asked + 60 * kUsPerSecond).empty());
}

// A taker (IOC) order pending its cancel should have ended at once: after query_unknown_after it is queried, and
// the venue's "not found" settles it as cancelled. A resting (GTC) order pending its cancel is left to the stream.
TEST_F(OmsTest, ATakerOrderStillPendingItsCancelIsQueriedAndANotFoundEndsIt) {
  OrderRequest ioc = request();
  ioc.tif = TimeInForce::kIoc;
  Order& taker = *oms_->track(ioc, 0);
  Order& resting = *oms_->track(request(), 0);
  for (Order* o : {&taker, &resting}) {
    oms_->apply(*o, OrderEvent::kAccepted, 100);
    oms_->apply(*o, OrderEvent::kCancelRequested, 1'000);
  }
  EXPECT_TRUE(poll(1'000 + 2 * kUsPerSecond - 1).empty());
  EXPECT_EQ(poll(1'000 + 2 * kUsPerSecond), std::vector<ClientId>{taker.client_id()});
  EXPECT_TRUE(poll(1'000 + 3 * kUsPerSecond).empty()) << "one query at a time";
  oms_->query_answered(taker);
  oms_->apply(taker, OrderEvent::kNotFound, 1'000 + 3 * kUsPerSecond);
  EXPECT_EQ(taker.state(), OrderState::kCancelled);
  EXPECT_TRUE(oms_->settle(taker));
  EXPECT_TRUE(poll(1'000 + 60 * kUsPerSecond).empty());
  EXPECT_EQ(resting.state(), OrderState::kPendingCancel);
}

// A query's answer books an order's fill from its amounts (no trade id); the fills history later reports the same
// trade with its id. The order is booked in full already: the second report is a duplicate, not a second fill.
TEST_F(OmsTest, AFillBookedWithoutItsTradeIdIsNotBookedAgainWithIt) {
  Order& o = *oms_->track(request("10"), 0);
  EXPECT_EQ(oms_->book_fill(o, -1, D("10"), D("10")), FillBooking::kBooked);
  EXPECT_EQ(oms_->book_fill(o, 7, D("10"), D("0")), FillBooking::kDuplicate);
  EXPECT_EQ(o.booked(), D("10"));
  Order& part = *oms_->track(request("10"), 0);
  EXPECT_EQ(oms_->book_fill(part, -1, D("4"), D("4")), FillBooking::kBooked);
  EXPECT_EQ(oms_->book_fill(part, 8, D("6"), D("0")), FillBooking::kBooked) << "the rest of the order";
  EXPECT_EQ(oms_->book_fill(part, 9, D("1"), D("0")), FillBooking::kDuplicate);
}

TEST_F(OmsTest, TerminalOrderWithMissingFillsIsQueriedAfterTheSettleTimeout) {
  Order& o = *oms_->track(request(), 0);
  Order& done = *oms_->track(request(), 0);
  oms_->note_reported(o, D("10"));  // the REST answer says filled, the stream has not delivered the fills
  oms_->apply(o, OrderEvent::kFullFill, 100);
  oms_->book_fill(done, 1, D("10"), D("10"));
  oms_->apply(done, OrderEvent::kFullFill, 100);
  EXPECT_TRUE(oms_->settle(done));
  EXPECT_FALSE(oms_->settle(o));
  EXPECT_TRUE(poll(100 + 5 * kUsPerSecond - 1).empty());
  EXPECT_EQ(poll(100 + 5 * kUsPerSecond), std::vector<ClientId>{o.client_id()});
}

// The table never evicts a live or unsettled order: full means track() refuses, and a slot comes back
// only when its order settles (or was released unsent).
TEST_F(OmsTest, FullTableRefusesUntilAnOrderSettles) {
  std::vector<Order*> orders;
  for (std::size_t i = 0; i < OrderManager::kCapacity; ++i) {
    Order* o = oms_->track(request(), 0);
    ASSERT_NE(o, nullptr);
    orders.push_back(o);
  }
  EXPECT_EQ(oms_->track(request(), 0), nullptr);
  const ClientId next = oms_->next_client_id();
  oms_->apply(*orders[7], OrderEvent::kRejected, 1);  // terminal and settled
  ASSERT_TRUE(oms_->settle(*orders[7]));
  oms_->apply(*orders[9], OrderEvent::kCancelled, 1);  // terminal but not settled: still held
  const ClientId reused_id = orders[7]->client_id();
  Order* n = oms_->track(request(), 2);
  ASSERT_EQ(n, orders[7]);  // the settled slot
  EXPECT_EQ(n->client_id(), next);
  EXPECT_EQ(n->state(), OrderState::kPendingNew);
  EXPECT_EQ(oms_->find(reused_id), nullptr);
  EXPECT_EQ(oms_->track(request(), 2), nullptr);
  oms_->release(*orders[3]);
  EXPECT_EQ(oms_->find(orders[3]->client_id()), nullptr);
  EXPECT_EQ(oms_->track(request(), 3), orders[3]);
  std::size_t live = 0;
  oms_->for_each([&](const Order& o) { live += is_terminal(o.state()) ? 0 : 1; });
  EXPECT_EQ(live, OrderManager::kCapacity - 1);  // orders[9] is cancelled
}

}  // namespace
}  // namespace bparb::oms
