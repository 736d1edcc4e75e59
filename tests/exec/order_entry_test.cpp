// Order entry for single-instrument strategies, driven through the engine with the answers a venue gives:
// accepted, rejected with a RejectClass, partial and full fills (a repeated fill booked once), cancels,
// an unknown outcome that is queried, replaces, and the refusals before anything is sent.
#include "bparb/exec/order_entry.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "bparb/exec/arb_engine.hpp"

namespace bparb::exec {
namespace {

using K = SingleOrderEventKind;

Decimal entry_dec(const char* s) {
  return Decimal::from_string(s);
}
constexpr TimestampUs kEntryT0 = 1'795'132'800LL * kUsPerSecond;

MarketSpec entry_sol(bool perp) {
  MarketSpec s;
  s.symbol = perp ? "SOL_USDC_PERP" : "SOL_USDC";
  s.base_symbol = "SOL";
  s.quote_symbol = "USDC";
  s.type = perp ? MarketType::kPerp : MarketType::kSpot;
  s.tick_size = entry_dec("0.01");
  s.min_price = entry_dec("0.01");
  s.step_size = entry_dec("0.01");
  s.min_quantity = entry_dec("0.1");
  if (perp) s.imf = {true, entry_dec("0.02"), entry_dec("0.00006")};
  return s;
}

struct Sink final : CommandSink, EngineObserver {
  std::vector<OrderSpec> sent;
  std::vector<std::pair<InstrumentId, ClientId>> cancels, queries;
  std::vector<std::pair<ClientId, ClientId>> replaces;  // old id, new id
  int fills = 0, rejects = 0;
  // Recorded, then what a venue without a modify does (the default): cancel, then place.
  void replace_order(InstrumentId i, ClientId old_id, const OrderSpec& next) override {
    replaces.emplace_back(old_id, next.client_id);
    CommandSink::replace_order(i, old_id, next);
  }
  void place_orders(std::span<const OrderSpec> o) override { sent.insert(sent.end(), o.begin(), o.end()); }
  void cancel_order(InstrumentId i, ClientId id) override { cancels.emplace_back(i, id); }
  void query_order(InstrumentId i, ClientId id) override { queries.emplace_back(i, id); }
  void on_event(const EngineEvent& e) override {
    if (std::holds_alternative<event::SingleOrderFill>(e)) ++fills;
    if (std::holds_alternative<event::SingleOrderRejected>(e)) ++rejects;
  }
};

struct Owner final : SingleOrderHandler {
  std::vector<SingleOrderEvent> events;
  std::vector<std::string> texts;  // code/message/fee symbol copied: the views die with the call
  void on_single_order_event(const SingleOrderEvent& e) noexcept override {
    events.push_back(e);
    texts.push_back(std::string(e.code) + "|" + std::string(e.message) + "|" + std::string(e.fee_symbol));
  }
  std::vector<K> kinds() const {
    std::vector<K> k;
    for (const auto& e : events) k.push_back(e.kind);
    return k;
  }
};

class OrderEntryTest : public ::testing::Test {
 protected:
  OrderEntryTest()
      : spot_id_(table_.add(VenueId::kBackpack, entry_sol(false))),
        perp_id_(table_.add(VenueId::kBackpack, entry_sol(true))),
        perp_book_(table_.market(perp_id_)),
        clock_(kEntryT0),
        risk_(limits(), clock_) {
    EngineParams p;
    p.first_client_id = 500;
    engine_.emplace(p, table_, risk_, portfolio_, sink_, sink_);
    entry().set_book(perp_id_, &perp_book_);
    owner_ = entry().add_owner(mm_);
    other_ = entry().add_owner(other_mm_);
    AccountSnapshot a;
    a.net_equity = entry_dec("100000");
    a.view.available_quote = entry_dec("100000");
    a.view.available_margin = entry_dec("100000");
    engine_->on_account(a, kEntryT0);
    book();
  }
  static RiskLimits limits() {
    RiskLimits l;
    l.max_position_usd = entry_dec("5000");
    l.max_total_exposure_usd = entry_dec("20000");
    l.min_account_balance_usd = entry_dec("100");
    return l;
  }
  void book() {
    DepthSnapshot s;
    s.last_update_id = 1;
    s.bids = {{entry_dec("99.99"), entry_dec("50")}};
    s.asks = {{entry_dec("100.01"), entry_dec("50")}};
    perp_book_.load_snapshot(s, clock_.now_us());
    perp_book_.set_valid(true);
  }
  OrderEntry& entry() { return engine_->order_entry(); }
  // A post-only bid of 1.00 SOL at 100.00 on the perp: 10000 ticks, 100 lots.
  SingleOrderRequest quote(std::int64_t ticks = 10'000, std::int64_t lots = 100) {
    SingleOrderRequest r;
    r.instrument = perp_id_;
    r.side = Side::kBid;
    r.price_ticks = ticks;
    r.quantity_lots = lots;
    r.post_only = true;
    return r;
  }
  ClientId placed_and_accepted() {
    const SubmitResult r = entry().submit(owner_, quote(), now());
    EXPECT_TRUE(r.ok()) << entry_refusal_name(r.refusal);
    ack(r.client_id, OrderAck::Kind::kAccepted);
    return r.client_id;
  }
  void ack(ClientId id, OrderAck::Kind kind, RejectClass cls = RejectClass::kOther) {
    OrderAck a;
    a.client_id = id;
    a.kind = kind;
    a.status = OrderStatus::kNew;
    a.code = kind == OrderAck::Kind::kRejected ? "INVALID_ORDER" : "";
    a.message = kind == OrderAck::Kind::kRejected ? "Order would immediately match and take." : "";
    a.reject = cls;
    engine_->on_order_ack(a, now());
  }
  void fill(ClientId id, const char* qty, std::int64_t trade_id, const char* cumulative) {
    OrderUpdate u;
    u.client_id = id;
    u.kind = OrderUpdate::Kind::kFill;
    u.trade_id = trade_id;
    u.fill_quantity = entry_dec(qty);
    u.fill_price = entry_dec("100.00");
    u.fee = entry_dec("-0.001");
    u.fee_symbol = "USDC";
    u.maker = true;
    u.cumulative_quantity = entry_dec(cumulative);
    engine_->on_order_update(u, now());
  }
  void stream(ClientId id, OrderUpdate::Kind kind) {
    OrderUpdate u;
    u.client_id = id;
    u.kind = kind;
    engine_->on_order_update(u, now());
  }
  std::size_t live() const {
    std::vector<LiveOrder> v;
    engine_->live_orders(v);
    return v.size();
  }
  TimestampUs now() const { return clock_.now_us(); }

  InstrumentTable table_;
  InstrumentId spot_id_, perp_id_;
  OrderBook perp_book_;
  ManualClock clock_;
  RiskGate risk_;
  Portfolio portfolio_;
  Sink sink_;
  std::optional<ArbEngine> engine_;
  Owner mm_, other_mm_;
  OrderOwner owner_ = 0, other_ = 0;
};

TEST_F(OrderEntryTest, SubmitChecksTracksAndSendsOneOrderThroughTheSink) {
  const SubmitResult r = entry().submit(owner_, quote(), now());
  ASSERT_TRUE(r.ok()) << entry_refusal_name(r.refusal);
  EXPECT_EQ(r.client_id, 500u);  // the engine's client ids: one sequence for trades and single orders
  ASSERT_EQ(sink_.sent.size(), 1u);
  const OrderSpec& o = sink_.sent[0];
  EXPECT_EQ(o.client_id, r.client_id);
  EXPECT_EQ(o.instrument, perp_id_);
  EXPECT_EQ(o.market, &table_.market(perp_id_));
  EXPECT_EQ(o.pair, std::numeric_limits<PairIndex>::max());  // no pair: the journal names none
  EXPECT_EQ(o.leg, LegIndex::kPerp);
  EXPECT_EQ(o.side, Side::kBid);
  EXPECT_EQ(o.price, entry_dec("100.00"));
  EXPECT_EQ(o.quantity, entry_dec("1.00"));
  EXPECT_EQ(o.tif, TimeInForce::kGtc);
  EXPECT_TRUE(o.post_only);
  EXPECT_FALSE(o.reduce_only);
  EXPECT_EQ(o.purpose, OrderPurpose::kEntry);
  EXPECT_EQ(risk_.orders_last_minute(), 1u);  // counts toward the rate cap like any order
  EXPECT_EQ(live(), 1u);
  EXPECT_TRUE(mm_.events.empty());  // nothing happened yet
  ack(r.client_id, OrderAck::Kind::kAccepted);
  EXPECT_EQ(mm_.kinds(), (std::vector<K>{K::kAccepted}));
  EXPECT_EQ(mm_.events[0].state, oms::OrderState::kOpen);
  EXPECT_EQ(mm_.events[0].instrument, perp_id_);
  ack(r.client_id, OrderAck::Kind::kAccepted);  // the stream's echo of the answer: nothing new
  stream(r.client_id, OrderUpdate::Kind::kAccepted);
  EXPECT_EQ(mm_.events.size(), 1u);
  EXPECT_TRUE(other_mm_.events.empty());  // another owner hears nothing of it
}

TEST_F(OrderEntryTest, AVenueRefusalComesBackWithItsClassAndSettles) {
  const SubmitResult r = entry().submit(owner_, quote(), now());
  ack(r.client_id, OrderAck::Kind::kRejected, RejectClass::kPostOnlyWouldTake);
  ASSERT_EQ(mm_.kinds(), (std::vector<K>{K::kRejected, K::kSettled}));
  EXPECT_EQ(mm_.events[0].reject, RejectClass::kPostOnlyWouldTake);
  EXPECT_EQ(mm_.texts[0], "INVALID_ORDER|Order would immediately match and take.|");
  EXPECT_EQ(mm_.events[0].state, oms::OrderState::kRejected);
  EXPECT_EQ(sink_.rejects, 1);
  EXPECT_EQ(live(), 0u);
  ack(r.client_id, OrderAck::Kind::kRejected, RejectClass::kPostOnlyWouldTake);  // repeated: nothing new
  EXPECT_EQ(mm_.events.size(), 2u);
}

TEST_F(OrderEntryTest, PartialAndFullFillsAreBookedOnceAndTheOrderSettles) {
  const ClientId id = placed_and_accepted();
  fill(id, "0.40", 11, "0.40");
  ASSERT_EQ(mm_.kinds(), (std::vector<K>{K::kAccepted, K::kFill}));
  const SingleOrderEvent& f = mm_.events[1];
  EXPECT_EQ(f.fill_quantity, entry_dec("0.40"));
  EXPECT_EQ(f.fill_price, entry_dec("100.00"));
  EXPECT_EQ(f.fee, entry_dec("-0.001"));
  EXPECT_TRUE(f.maker);
  EXPECT_EQ(mm_.texts[1], "||USDC");
  EXPECT_EQ(f.filled, entry_dec("0.40"));
  fill(id, "0.40", 11, "0.40");  // the same trade again (stream replay, history query): booked once
  EXPECT_EQ(mm_.events.size(), 2u);
  EXPECT_EQ(engine_->duplicate_fills(), 1u);
  EXPECT_EQ(live(), 1u);
  fill(id, "0.60", 12, "1.00");
  ASSERT_EQ(mm_.kinds(), (std::vector<K>{K::kAccepted, K::kFill, K::kFill, K::kFilled, K::kSettled}));
  EXPECT_EQ(mm_.events[3].filled, entry_dec("1.00"));
  EXPECT_EQ(mm_.events[3].state, oms::OrderState::kFilled);
  EXPECT_EQ(sink_.fills, 2);
  EXPECT_EQ(live(), 0u);
  // Not the basis pairs' business: no pair's portfolio booked it.
  EXPECT_FALSE(portfolio_.stats().open);
}

TEST_F(OrderEntryTest, CancelGoesOutByInstrumentAndItsConfirmationSettles) {
  const SubmitResult pending = entry().submit(owner_, quote(), now());
  // Before the send's answer a cancel could be stranded behind a refusal: the owner waits for the answer.
  EXPECT_EQ(entry().cancel(owner_, pending.client_id, now()), EntryRefusal::kNotCancellable);
  ack(pending.client_id, OrderAck::Kind::kAccepted);
  EXPECT_EQ(entry().cancel(other_, pending.client_id, now()), EntryRefusal::kUnknownOrder);  // not its order
  EXPECT_EQ(entry().cancel(owner_, 424242, now()), EntryRefusal::kUnknownOrder);
  EXPECT_EQ(entry().cancel(owner_, pending.client_id, now()), EntryRefusal::kNone);
  ASSERT_EQ(sink_.cancels.size(), 1u);
  EXPECT_EQ(sink_.cancels[0], std::make_pair(perp_id_, pending.client_id));
  EXPECT_EQ(entry().cancel(owner_, pending.client_id, now()), EntryRefusal::kNotLive);  // already cancelling
  stream(pending.client_id, OrderUpdate::Kind::kCancelled);
  EXPECT_EQ(mm_.kinds(), (std::vector<K>{K::kAccepted, K::kCancelled, K::kSettled}));
  EXPECT_EQ(live(), 0u);
  EXPECT_EQ(entry().cancel(owner_, pending.client_id, now()), EntryRefusal::kNotLive);
}

TEST_F(OrderEntryTest, AFillBeforeTheCancelLandsIsStillBooked) {
  const ClientId id = placed_and_accepted();
  ASSERT_EQ(entry().cancel(owner_, id, now()), EntryRefusal::kNone);
  fill(id, "1.00", 21, "1.00");  // it filled before the cancel arrived
  EXPECT_EQ(mm_.kinds(), (std::vector<K>{K::kAccepted, K::kFill, K::kFilled, K::kSettled}));
}

TEST_F(OrderEntryTest, AnUnknownOutcomeIsQueriedNeverAssumedRejected) {
  const SubmitResult r = entry().submit(owner_, quote(), now());
  ack(r.client_id, OrderAck::Kind::kUnknown);
  EXPECT_EQ(mm_.kinds(), (std::vector<K>{K::kOutcomeUnknown}));
  EXPECT_EQ(live(), 1u);  // still ours to account for
  engine_->on_timer(now());
  EXPECT_TRUE(sink_.queries.empty());  // query_unknown_after has not passed
  clock_.advance_us(3 * kUsPerSecond);
  engine_->on_timer(now());
  ASSERT_EQ(sink_.queries.size(), 1u);
  EXPECT_EQ(sink_.queries[0], std::make_pair(perp_id_, r.client_id));
  // The venue had it and it partly filled.
  engine_->on_order_query(r.client_id, true, OrderStatus::kPartiallyFilled, entry_dec("0.30"), now());
  EXPECT_EQ(mm_.kinds(), (std::vector<K>{K::kOutcomeUnknown, K::kAccepted}));
  EXPECT_EQ(mm_.events[1].state, oms::OrderState::kPartiallyFilled);
  fill(r.client_id, "0.30", 31, "0.30");
  EXPECT_EQ(mm_.events.back().kind, K::kFill);
}

TEST_F(OrderEntryTest, AQueryThatFindsNothingMeansNeverPlaced) {
  const SubmitResult r = entry().submit(owner_, quote(), now());
  ack(r.client_id, OrderAck::Kind::kUnknown);
  engine_->on_order_query(r.client_id, false, OrderStatus::kNew, Decimal{}, now());
  ASSERT_EQ(mm_.kinds(), (std::vector<K>{K::kOutcomeUnknown, K::kRejected, K::kSettled}));
  EXPECT_EQ(mm_.texts[1], "|the venue does not know the order|");
  EXPECT_EQ(live(), 0u);
}

TEST_F(OrderEntryTest, ReplaceCancelsTheOldOrderAndPlacesTheNewOne) {
  const ClientId old_id = placed_and_accepted();
  const SubmitResult r = entry().replace(owner_, old_id, 10'005, 50, now());
  ASSERT_TRUE(r.ok()) << entry_refusal_name(r.refusal);
  EXPECT_NE(r.client_id, old_id);
  // One command to the sink, naming both orders: a venue that modifies in place sends one request.
  ASSERT_EQ(sink_.replaces.size(), 1u);
  EXPECT_EQ(sink_.replaces[0], std::make_pair(old_id, r.client_id));
  EXPECT_EQ(engine_->orders().find(old_id)->state(), oms::OrderState::kPendingCancel);
  EXPECT_EQ(engine_->orders().find(r.client_id)->state(), oms::OrderState::kPendingNew);
  ASSERT_EQ(sink_.cancels.size(), 1u);
  EXPECT_EQ(sink_.cancels[0].second, old_id);
  ASSERT_EQ(sink_.sent.size(), 2u);
  const OrderSpec& n = sink_.sent[1];
  EXPECT_EQ(n.client_id, r.client_id);
  EXPECT_EQ(n.price, entry_dec("100.05"));
  EXPECT_EQ(n.quantity, entry_dec("0.50"));
  EXPECT_EQ(n.side, Side::kBid);
  EXPECT_TRUE(n.post_only);
  EXPECT_EQ(n.purpose, OrderPurpose::kReprice);
  // A replace that fails its checks cancels nothing.
  ack(r.client_id, OrderAck::Kind::kAccepted);
  EXPECT_EQ(entry().replace(owner_, r.client_id, 0, 50, now()).refusal, EntryRefusal::kInvalidPrice);
  EXPECT_EQ(entry().replace(owner_, old_id, 10'000, 50, now()).refusal, EntryRefusal::kNotLive);
  EXPECT_EQ(sink_.cancels.size(), 1u);
  EXPECT_EQ(sink_.sent.size(), 2u);
  EXPECT_EQ(sink_.replaces.size(), 1u);
}

TEST_F(OrderEntryTest, BadRequestsAreRefusedBeforeAnythingIsSent) {
  auto refusal = [&](SingleOrderRequest r, OrderOwner owner) { return entry().submit(owner, r, now()).refusal; };
  SingleOrderRequest r = quote();
  EXPECT_EQ(refusal(r, 7), EntryRefusal::kUnknownOwner);
  r.instrument = 9;
  EXPECT_EQ(refusal(r, owner_), EntryRefusal::kUnknownInstrument);
  EXPECT_EQ(refusal(quote(0), owner_), EntryRefusal::kInvalidPrice);
  EXPECT_EQ(refusal(quote(-5), owner_), EntryRefusal::kInvalidPrice);
  EXPECT_EQ(refusal(quote(std::numeric_limits<std::int64_t>::max()), owner_), EntryRefusal::kInvalidPrice);
  EXPECT_EQ(refusal(quote(10'000, std::numeric_limits<std::int64_t>::max() / 2), owner_),
            EntryRefusal::kInvalidQuantity);
  EXPECT_EQ(refusal(quote(10'000, 0), owner_), EntryRefusal::kInvalidQuantity);
  EXPECT_EQ(refusal(quote(10'000, 5), owner_), EntryRefusal::kInvalidQuantity);  // 0.05 < min 0.1
  r = quote();
  r.ioc = true;  // post-only and IOC contradict each other
  EXPECT_EQ(refusal(r, owner_), EntryRefusal::kInvalidFlags);
  r = quote();
  r.instrument = spot_id_;
  r.reduce_only = true;  // no reduce-only on a spot market
  EXPECT_EQ(refusal(r, owner_), EntryRefusal::kInvalidFlags);
  EXPECT_TRUE(sink_.sent.empty());
  EXPECT_EQ(risk_.orders_last_minute(), 0u);
}

TEST_F(OrderEntryTest, TheRiskGateRefusesWithItsRuleAndReduceOnlyStillPasses) {
  // A spot instrument with no book registered: not synced.
  SingleOrderRequest spot = quote();
  spot.instrument = spot_id_;
  SubmitResult r = entry().submit(owner_, spot, now());
  EXPECT_EQ(r.refusal, EntryRefusal::kRisk);
  EXPECT_EQ(r.risk.rule, RiskRule::kBookNotSynced);
  // A stale book.
  clock_.advance_us(3 * kUsPerSecond);
  r = entry().submit(owner_, quote(), now());
  EXPECT_EQ(r.refusal, EntryRefusal::kRisk);
  EXPECT_EQ(r.risk.rule, RiskRule::kStaleBook);
  book();
  // ReduceOnly admits only orders that shrink the position.
  risk_.set_reduce_only(StateReason::kOperator);
  r = entry().submit(owner_, quote(), now());
  EXPECT_EQ(r.refusal, EntryRefusal::kRisk);
  EXPECT_EQ(r.risk.rule, RiskRule::kReduceOnly);
  SingleOrderRequest reduce = quote();
  reduce.reduce_only = true;
  reduce.post_only = false;
  reduce.ioc = true;
  r = entry().submit(owner_, reduce, now());
  ASSERT_TRUE(r.ok()) << r.risk.rule_name();
  ASSERT_EQ(sink_.sent.size(), 1u);
  EXPECT_TRUE(sink_.sent[0].reduce_only);
  EXPECT_EQ(sink_.sent[0].tif, TimeInForce::kIoc);
}

// The owner may place its next quote from inside an event (here: as soon as the last one settled).
struct Requoter final : SingleOrderHandler {
  OrderEntry* entry = nullptr;
  OrderOwner owner = 0;
  SingleOrderRequest next;
  TimestampUs now = 0;
  std::vector<ClientId> placed;
  void on_single_order_event(const SingleOrderEvent& e) noexcept override {
    if (e.kind == K::kSettled) placed.push_back(entry->submit(owner, next, now).client_id);
  }
};

TEST_F(OrderEntryTest, AnOwnerMayRequoteFromInsideAnEvent) {
  Requoter rq;
  EngineParams p;
  ArbEngine engine(p, table_, risk_, portfolio_, sink_, sink_);
  engine.order_entry().set_book(perp_id_, &perp_book_);
  rq.entry = &engine.order_entry();
  rq.owner = engine.order_entry().add_owner(rq);
  rq.next = quote(9'990);
  rq.now = now();
  AccountSnapshot a;
  a.net_equity = entry_dec("100000");
  engine.on_account(a, now());
  const ClientId first = engine.order_entry().submit(rq.owner, quote(), now()).client_id;
  OrderAck rej;
  rej.client_id = first;
  rej.kind = OrderAck::Kind::kRejected;
  rej.reject = RejectClass::kPostOnlyWouldTake;
  engine.on_order_ack(rej, now());
  ASSERT_EQ(rq.placed.size(), 1u);
  EXPECT_NE(rq.placed[0], 0u);
  ASSERT_EQ(sink_.sent.size(), 2u);
  EXPECT_EQ(sink_.sent[1].price, entry_dec("99.90"));
}

TEST_F(OrderEntryTest, ACancelRefusedForRateLeavesTheOrderLiveAndTellsTheOwner) {
  const ClientId id = placed_and_accepted();
  ASSERT_EQ(entry().cancel(owner_, id, now()), EntryRefusal::kNone);
  CancelRefusal r;
  r.client_id = id;
  r.reject = RejectClass::kRateLimited;
  r.code = "TOO_MANY_REQUESTS";
  r.message = "slow down";
  engine_->on_cancel_refused(r, now());
  ASSERT_EQ(mm_.kinds(), (std::vector<K>{K::kAccepted, K::kCancelRefused}));
  EXPECT_EQ(mm_.events[1].reject, RejectClass::kRateLimited);
  EXPECT_EQ(mm_.events[1].state, oms::OrderState::kOpen);
  EXPECT_EQ(mm_.texts[1], "TOO_MANY_REQUESTS|slow down|");
  EXPECT_TRUE(sink_.queries.empty());  // a rate refusal says the order is still there
  EXPECT_EQ(live(), 1u);
  // Live again: the owner may cancel it once more, and that cancel's confirmation settles it.
  EXPECT_EQ(entry().cancel(owner_, id, now()), EntryRefusal::kNone);
  EXPECT_EQ(sink_.cancels.size(), 2u);
  stream(id, OrderUpdate::Kind::kCancelled);
  EXPECT_EQ(mm_.kinds(), (std::vector<K>{K::kAccepted, K::kCancelRefused, K::kCancelled, K::kSettled}));
}

// Whatever the owner does after a rate refusal, the kernel itself cancels again once the back-off is over:
// an order its owner wanted gone does not stay on the book because the venue was busy.
TEST_F(OrderEntryTest, ACancelRefusedForRateGoesAgainAfterTheBackOffWithoutTheOwner) {
  const ClientId id = placed_and_accepted();
  ASSERT_EQ(entry().cancel(owner_, id, now()), EntryRefusal::kNone);
  CancelRefusal r;
  r.client_id = id;
  r.reject = RejectClass::kRateLimited;
  r.retry_after_us = kUsPerSecond;
  engine_->on_cancel_refused(r, now());
  EXPECT_EQ(mm_.kinds(), (std::vector<K>{K::kAccepted, K::kCancelRefused}));
  clock_.advance_us(900'000);
  engine_->on_timer(now());
  EXPECT_EQ(sink_.cancels.size(), 1u);
  clock_.advance_us(200'000);
  engine_->on_timer(now());
  ASSERT_EQ(sink_.cancels.size(), 2u);
  EXPECT_EQ(sink_.cancels[1], std::make_pair(perp_id_, id));
  EXPECT_EQ(entry().cancel(owner_, id, now()), EntryRefusal::kNotLive) << "pending its cancel again";
  stream(id, OrderUpdate::Kind::kCancelled);
  EXPECT_EQ(mm_.kinds(), (std::vector<K>{K::kAccepted, K::kCancelRefused, K::kCancelled, K::kSettled}));
}

TEST_F(OrderEntryTest, ACancelRefusedAsUnknownOrUnansweredIsQueried) {
  const ClientId id = placed_and_accepted();
  fill(id, "0.40", 41, "0.40");
  ASSERT_EQ(entry().cancel(owner_, id, now()), EntryRefusal::kNone);
  CancelRefusal r;
  r.client_id = id;
  r.code = "RESOURCE_NOT_FOUND";
  engine_->on_cancel_refused(r, now());
  ASSERT_EQ(mm_.kinds(), (std::vector<K>{K::kAccepted, K::kFill, K::kCancelRefused}));
  EXPECT_EQ(mm_.events[2].state, oms::OrderState::kPartiallyFilled);  // the live state it left
  EXPECT_EQ(mm_.events[2].reject, RejectClass::kOther);
  ASSERT_EQ(sink_.queries.size(), 1u);
  EXPECT_EQ(sink_.queries[0], std::make_pair(perp_id_, id));
  // The venue had cancelled it after all.
  engine_->on_order_query(id, true, OrderStatus::kCancelled, entry_dec("0.40"), now());
  EXPECT_EQ(mm_.kinds(), (std::vector<K>{K::kAccepted, K::kFill, K::kCancelRefused, K::kCancelled, K::kSettled}));
  EXPECT_EQ(live(), 0u);

  // No answer at all (timeout): the order is live again here, and the query finds out.
  const ClientId other = placed_and_accepted();
  ASSERT_EQ(entry().cancel(owner_, other, now()), EntryRefusal::kNone);
  r.client_id = other;
  r.reject = RejectClass::kRateLimited;  // whatever the class: an unanswered cancel is checked
  r.ambiguous = true;
  engine_->on_cancel_refused(r, now());
  EXPECT_EQ(mm_.events.back().kind, K::kCancelRefused);
  EXPECT_EQ(mm_.events.back().state, oms::OrderState::kOpen);
  EXPECT_EQ(sink_.queries.size(), 2u);
}

TEST_F(OrderEntryTest, ACancelRefusalAfterTheOrderEndedChangesNothing) {
  const ClientId id = placed_and_accepted();
  ASSERT_EQ(entry().cancel(owner_, id, now()), EntryRefusal::kNone);
  fill(id, "1.00", 51, "1.00");  // it filled before the cancel arrived; the venue then refuses the cancel
  CancelRefusal r;
  r.client_id = id;
  engine_->on_cancel_refused(r, now());
  EXPECT_EQ(mm_.kinds(), (std::vector<K>{K::kAccepted, K::kFill, K::kFilled, K::kSettled}));
  EXPECT_TRUE(sink_.queries.empty());
  r.client_id = 999'999;  // an order the engine never tracked
  engine_->on_cancel_refused(r, now());
  EXPECT_EQ(engine_->unknown_client_updates(), 1u);
}

}  // namespace
}  // namespace bparb::exec
