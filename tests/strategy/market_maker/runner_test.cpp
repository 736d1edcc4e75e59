// The market maker on the real kernel: its decisions become orders through the order entry (risk gate,
// OMS, sink) and the venue's answers come back to the core. The venue is scripted here: what the sink
// recorded is what would have been sent, and the answers go in through the engine as the adapter's would.
#include <gtest/gtest.h>

#include "bparb/strategy/market_maker/mm_runner.hpp"
#include "mm_runner_rig.hpp"

namespace bparb::mmtest {
namespace {

using exec::OrderUpdate;

TEST(MmRunner, ATakerBurstQuotesTheAskPostOnlyAtTheBestAsk) {
  RunnerRig r;
  r.runner->on_equity(D("1000"));
  r.set_book(14'999, 15'001);
  EXPECT_TRUE(r.sink.sent.empty());  // no taker flow yet: no side, nothing quoted
  r.burst(true);
  ASSERT_EQ(r.sink.sent.size(), 1u);
  const exec::OrderSpec& o = r.last_sent();
  EXPECT_EQ(o.instrument, r.perp);
  EXPECT_EQ(o.side, Side::kAsk);
  EXPECT_EQ(o.price, D("150.01"));
  EXPECT_EQ(o.quantity, D("0.06"));  // 1 % of 1000 USD = 10 USD, whole lots at 150.01
  EXPECT_TRUE(o.post_only);
  EXPECT_FALSE(o.reduce_only);
  EXPECT_EQ(o.tif, TimeInForce::kGtc);
  EXPECT_EQ(o.purpose, exec::OrderPurpose::kEntry);
  EXPECT_EQ(r.runner->core().quote_state(), QuoteState::kPendingNew);
  EXPECT_EQ(r.runner->core().quote_id(), o.client_id);
  ASSERT_EQ(r.observer.switches.size(), 1u);
  EXPECT_EQ(r.observer.switches[0], Side::kAsk);

  r.accept(o.client_id);
  EXPECT_EQ(r.runner->core().quote_state(), QuoteState::kLive);
  r.trade(true);  // more events while live: nothing new is sent
  r.set_book(14'999, 15'001);
  EXPECT_EQ(r.sink.sent.size(), 1u);
  EXPECT_EQ(r.runner->counters().places, 1u);
  EXPECT_EQ(r.runner->stats().report().quotes_placed, 1);
}

TEST(MmRunner, ABookMoveRequotesByCancelThenConfirmedThenPlaceNeverTwoLive) {
  RunnerRig r;
  r.ready();
  ASSERT_EQ(r.sink.sent.size(), 1u);
  const ClientId first = r.last_sent().client_id;
  r.accept(first);
  EXPECT_EQ(r.live(), 1u);

  r.advance_ms(10);
  r.set_book(14'999, 15'000);  // someone improved the ask by a tick
  ASSERT_EQ(r.sink.cancels.size(), 1u);
  EXPECT_EQ(r.sink.cancels[0], first);
  EXPECT_EQ(r.sink.sent.size(), 1u);  // no new quote before the cancel is confirmed
  EXPECT_EQ(r.runner->core().quote_state(), QuoteState::kPendingCancel);

  r.advance_ms(10);
  r.set_book(14'999, 15'000);  // more frames while the cancel is in flight: still nothing
  r.trade(true);
  EXPECT_EQ(r.sink.sent.size(), 1u);
  EXPECT_EQ(r.sink.cancels.size(), 1u);
  EXPECT_LE(r.live(), 1u);

  r.stream(first, OrderUpdate::Kind::kCancelled);  // confirmed: settles, and the new quote goes out
  ASSERT_EQ(r.sink.sent.size(), 2u);
  EXPECT_EQ(r.last_sent().price, D("150.00"));
  EXPECT_EQ(r.last_sent().side, Side::kAsk);
  EXPECT_NE(r.last_sent().client_id, first);
  EXPECT_EQ(r.live(), 1u);
  EXPECT_EQ(r.runner->stats().report().cancels, 1);
}

TEST(MmRunner, AFillMovesThePositionAndTheStats) {
  RunnerRig r;
  r.ready();
  const ClientId id = r.last_sent().client_id;
  r.accept(id);
  r.fill(id, D("0.06"), D("150.01"), 7, D("0.06"));
  // Filled and settled: the core's position moved and it quotes again on the same side.
  EXPECT_EQ(r.runner->core().position_lots(), -6);
  const MmReport rep = r.runner->stats().report();
  EXPECT_EQ(rep.quote_fills, 1);
  EXPECT_EQ(rep.maker_fills, 1);
  EXPECT_EQ(rep.maker_volume_usd, D("9.0006"));
  EXPECT_EQ(rep.position, D("-0.06"));
  EXPECT_EQ(rep.fees, D("0.0001"));  // the rebate
  ASSERT_EQ(r.sink.sent.size(), 2u);
  EXPECT_NE(r.last_sent().client_id, id);
  EXPECT_EQ(r.last_sent().side, Side::kAsk);
}

TEST(MmRunner, AFillReportedBeforeItsOrderIsDoneIsCountedBeforeTheNextQuote) {
  RunnerRig r;
  r.ready();
  const ClientId id = r.last_sent().client_id;
  r.accept(id);
  r.fill(id, D("0.02"), D("150.01"), 7, D("0.02"));  // partial
  EXPECT_EQ(r.runner->core().position_lots(), -2);
  EXPECT_EQ(r.sink.sent.size(), 1u);  // the rest still rests
  EXPECT_EQ(r.runner->core().quote_remaining_lots(), 4);
}

TEST(MmRunner, ABookThatTurnsInvalidTripsTheReconnectBreakerOnce) {
  RunnerRig r;
  r.ready();
  const ClientId id = r.last_sent().client_id;
  r.accept(id);
  r.advance_ms(10);
  r.book.set_valid(false);  // a sequence gap: the feed resyncs the book
  r.runner->on_book(r.book);
  ASSERT_EQ(r.sink.cancels.size(), 1u);
  EXPECT_EQ(r.sink.cancels[0], id);
  ASSERT_EQ(r.observer.trips.size(), 1u);
  EXPECT_EQ(r.observer.trips[0], MmBreaker::kReconnect);
  r.runner->on_book(r.book);  // still invalid: no second trip
  EXPECT_EQ(r.observer.trips.size(), 1u);
  r.stream(id, OrderUpdate::Kind::kCancelled);
  r.set_book(14'999, 15'001);  // synced again, but within the cooldown: nothing quoted
  EXPECT_EQ(r.sink.sent.size(), 1u);
  r.advance_ms(6'000);
  r.set_book(14'999, 15'001);
  r.burst(true);
  EXPECT_EQ(r.sink.sent.size(), 2u);
}

TEST(MmRunner, ABreakerCancelsTheQuoteAndTellsTheObserverOnce) {
  RunnerRig r;
  r.ready();
  const ClientId id = r.last_sent().client_id;
  r.accept(id);
  r.advance_ms(10);
  r.set_book(14'900, 15'100);  // the spread opens to 1.3 % of mid
  ASSERT_EQ(r.sink.cancels.size(), 1u);
  EXPECT_EQ(r.sink.cancels[0], id);
  ASSERT_EQ(r.observer.trips.size(), 1u);
  EXPECT_EQ(r.observer.trips[0], MmBreaker::kSpread);
  r.set_book(14'900, 15'100);  // still wide: no second trip
  EXPECT_EQ(r.observer.trips.size(), 1u);
  r.stream(id, OrderUpdate::Kind::kCancelled);
  EXPECT_EQ(r.sink.sent.size(), 1u);  // cooling down: nothing is quoted
  EXPECT_EQ(r.live(), 0u);
}

TEST(MmRunner, ARiskRefusalReleasesTheQuoteAndIsNotRetriedInALoop) {
  RiskLimits l = RunnerRig::limits();
  l.max_position_usd = D("5");  // below the 9 USD quote: the risk gate refuses every quote
  RunnerRig r(requote_at_once(), l);
  r.ready();
  EXPECT_TRUE(r.sink.sent.empty());
  EXPECT_GE(r.runner->counters().refusals, 1u);
  EXPECT_EQ(r.runner->counters().last_refusal, exec::EntryRefusal::kRisk);
  EXPECT_EQ(r.runner->core().quote_state(), QuoteState::kNone);  // not stuck pending
  // One event, at most one attempt: a refusal ends the event's decisions.
  const std::uint64_t before = r.runner->counters().refusals;
  r.advance_ms(10);
  r.set_book(14'999, 15'001);
  EXPECT_EQ(r.runner->counters().refusals, before + 1);
  EXPECT_TRUE(r.sink.sent.empty());
  EXPECT_EQ(r.live(), 0u);
}

TEST(MmRunner, APostOnlyRejectionFreesTheQuoteAndIsCounted) {
  RunnerRig r;
  r.ready();
  const ClientId id = r.last_sent().client_id;
  r.reject(id, RejectClass::kPostOnlyWouldTake);
  EXPECT_EQ(r.runner->stats().report().post_only_rejects, 1);
  ASSERT_EQ(r.sink.sent.size(), 2u);  // gone: quoted again
  EXPECT_NE(r.last_sent().client_id, id);
}

TEST(MmRunner, APostOnlyExpiryWithoutFillCountsAsARejection) {
  RunnerRig r;
  r.ready();
  const ClientId id = r.last_sent().client_id;
  r.stream(id, OrderUpdate::Kind::kExpired);
  EXPECT_EQ(r.runner->stats().report().post_only_rejects, 1);
  EXPECT_EQ(r.runner->core().quote_id(), r.last_sent().client_id);
  EXPECT_EQ(r.sink.sent.size(), 2u);
}

TEST(MmRunner, OverTheCapItHedgesReduceOnlyIocAndWaitsForTheSettlement) {
  RunnerRig r;
  r.ready();
  const ClientId id = r.last_sent().client_id;
  r.accept(id);
  r.runner->on_position(D("-1.50"));  // the venue says 150 lots short: over the 100-lot cap
  ASSERT_GE(r.sink.cancels.size() + r.sink.sent.size(), 2u);
  // Find the hedge among what was sent.
  const exec::OrderSpec* hedge = nullptr;
  for (const auto& o : r.sink.sent)
    if (o.reduce_only) hedge = &o;
  ASSERT_NE(hedge, nullptr);
  EXPECT_EQ(hedge->side, Side::kBid);
  EXPECT_EQ(hedge->tif, TimeInForce::kIoc);
  EXPECT_FALSE(hedge->post_only);
  EXPECT_EQ(hedge->purpose, exec::OrderPurpose::kHedge);
  EXPECT_EQ(hedge->price, D("150.01"));   // takes the ask
  EXPECT_EQ(hedge->quantity, D("0.30"));  // 60 % of the 50-lot excess
  EXPECT_TRUE(r.runner->core().hedge_in_flight());
  const ClientId hid = hedge->client_id;
  r.accept(hid);
  r.fill(hid, D("0.30"), D("150.01"), 9, D("0.30"));
  EXPECT_FALSE(r.runner->core().hedge_in_flight());
  EXPECT_EQ(r.runner->stats().report().hedge_fills, 1);
  EXPECT_EQ(r.runner->counters().hedges, 1u);
}

TEST(MmRunner, VenueTradesInPriceAndQuantityChooseTheSideToo) {
  RunnerRig r;
  r.runner->on_equity(D("1000"));
  r.set_book(14'999, 15'001);
  for (int i = 0; i < 6; ++i) r.runner->on_trade(r.now(), D("149.99"), D("0.20"), true);  // taker sells
  ASSERT_EQ(r.sink.sent.size(), 1u);
  EXPECT_EQ(r.last_sent().side, Side::kBid);
  EXPECT_EQ(r.last_sent().price, D("149.99"));
  EXPECT_EQ(r.runner->core().flow().sell_notional_tl(), 6 * 14'999 * 20);  // 0.20 = 20 lots at 14999 ticks
}

TEST(MmRunner, AnUnknownOutcomeKeepsTheQuotePendingUntilTheQueryAnswers) {
  RunnerRig r;
  r.ready();
  const ClientId id = r.last_sent().client_id;
  exec::OrderAck a;
  a.client_id = id;
  a.kind = exec::OrderAck::Kind::kUnknown;
  r.engine->on_order_ack(a, r.now());
  r.advance_ms(10);
  r.set_book(14'999, 15'000);  // a move that would requote a live quote: nothing may be sent
  EXPECT_EQ(r.runner->core().quote_state(), QuoteState::kPendingNew);
  EXPECT_EQ(r.sink.sent.size(), 1u);
  EXPECT_TRUE(r.sink.cancels.empty());
  // The venue never had it: the quote is released and a new one goes out.
  r.engine->on_order_query(id, false, OrderStatus::kNew, Decimal{}, r.now());
  ASSERT_EQ(r.sink.sent.size(), 2u);
  EXPECT_EQ(r.last_sent().price, D("150.00"));
}

TEST(MmRunner, ARateLimitedRejectionBacksTheCoreOff) {
  RunnerRig r;
  r.ready();
  const ClientId id = r.last_sent().client_id;
  r.reject(id, RejectClass::kRateLimited);
  ASSERT_FALSE(r.observer.trips.empty());
  EXPECT_EQ(r.observer.trips.back(), MmBreaker::kRateLimited);
  EXPECT_EQ(r.sink.sent.size(), 1u);  // inside the back-off: no new quote
  r.advance_ms(2'100);
  r.set_book(14'999, 15'001);
  r.trade(true);
  EXPECT_EQ(r.sink.sent.size(), 2u);  // after it
}

TEST(MmRunner, ARefusedCancelWaitsForTheKernelsQueryAndTheKernelCancelsAgainWhatTheVenueStillHas) {
  RunnerRig r;
  r.ready();
  const ClientId first = r.last_sent().client_id;
  r.accept(first);
  r.advance_ms(10);
  r.set_book(14'999, 15'000);  // a requote: the quote is cancelled first
  ASSERT_EQ(r.sink.cancels.size(), 1u);
  ASSERT_EQ(r.runner->core().quote_state(), QuoteState::kPendingCancel);

  exec::CancelRefusal refusal;
  refusal.client_id = first;
  refusal.code = "RESOURCE_NOT_FOUND";
  r.engine->on_cancel_refused(refusal, r.now());
  // The kernel asks the venue what became of it; no second cancel into an order that is probably gone, and no
  // new quote while it may still rest.
  EXPECT_EQ(r.sink.queries, 1);
  r.trade(true);
  r.runner->on_timer();
  EXPECT_EQ(r.sink.cancels.size(), 1u);
  EXPECT_EQ(r.sink.sent.size(), 1u);
  EXPECT_EQ(r.runner->core().quote_state(), QuoteState::kPendingCancel);
  // Time alone sends nothing: the runner has no retry of its own.
  r.advance_ms(600);
  r.runner->on_timer();
  r.engine->on_timer(r.now());
  EXPECT_EQ(r.sink.cancels.size(), 1u);
  // The query's answer: the venue still has it. The kernel cancels it again at its next tick, once.
  r.engine->on_order_query(first, true, OrderStatus::kNew, Decimal{}, r.now());
  EXPECT_EQ(r.sink.cancels.size(), 1u);
  r.engine->on_timer(r.now());
  r.runner->on_timer();
  r.engine->on_timer(r.now());
  ASSERT_EQ(r.sink.cancels.size(), 2u);
  EXPECT_EQ(r.sink.cancels.back(), first);
  EXPECT_EQ(r.runner->core().quote_state(), QuoteState::kPendingCancel);
  r.stream(first, OrderUpdate::Kind::kCancelled);
  ASSERT_EQ(r.sink.sent.size(), 2u);  // confirmed: the new quote goes out
  EXPECT_EQ(r.live(), 1u);
}

TEST(MmRunner, ARefusedCancelThatTheStreamSettlesIsNotSentAgain) {
  RunnerRig r;
  r.ready();
  const ClientId first = r.last_sent().client_id;
  r.accept(first);
  r.advance_ms(10);
  r.set_book(14'999, 15'000);
  ASSERT_EQ(r.sink.cancels.size(), 1u);
  exec::CancelRefusal refusal;
  refusal.client_id = first;
  refusal.code = "RESOURCE_NOT_FOUND";
  r.engine->on_cancel_refused(refusal, r.now());
  // The order had been filled: the late stream says so, the quote settles and the next one goes out.
  r.fill(first, D("0.06"), D("150.01"), 77, D("0.06"));
  r.advance_ms(600);
  r.runner->on_timer();
  r.engine->on_timer(r.now());
  EXPECT_EQ(r.sink.cancels.size(), 1u);
  EXPECT_EQ(r.runner->core().quote_state(), QuoteState::kPendingNew);
  EXPECT_EQ(r.sink.sent.size(), 2u);
}

TEST(MmRunner, ACancelRefusedForRateBacksTheCoreOff) {
  RunnerRig r;
  r.ready();
  const ClientId first = r.last_sent().client_id;
  r.accept(first);
  r.advance_ms(10);
  r.set_book(14'999, 15'000);
  ASSERT_EQ(r.sink.cancels.size(), 1u);
  exec::CancelRefusal refusal;
  refusal.client_id = first;
  refusal.reject = RejectClass::kRateLimited;
  r.engine->on_cancel_refused(refusal, r.now());
  ASSERT_FALSE(r.observer.trips.empty());
  EXPECT_EQ(r.observer.trips.back(), MmBreaker::kRateLimited);
  EXPECT_EQ(r.sink.queries, 0);  // a rate refusal leaves the order where it was
  EXPECT_NE(r.runner->core().quote_state(), QuoteState::kPendingNew);
  EXPECT_EQ(r.live(), 1u);
}

TEST(MmRunner, EventsForOrdersItDoesNotKnowAreIgnored) {
  RunnerRig r;
  r.ready();
  exec::SingleOrderEvent e;
  e.kind = exec::SingleOrderEventKind::kSettled;
  e.client_id = 999'999;
  r.runner->on_single_order_event(e);
  EXPECT_EQ(r.runner->counters().foreign_events, 1u);
  EXPECT_EQ(r.runner->core().quote_state(), QuoteState::kPendingNew);
}

}  // namespace
}  // namespace bparb::mmtest
