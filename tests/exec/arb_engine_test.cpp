// Scenario tests for the pure engine: entries, exits, leg risk, rejects, unknown outcomes, maker plans and
// hedge deadlines (fixture: arb_engine_fixture.hpp).
#include "arb_engine_fixture.hpp"

namespace bparb::exec {
namespace {

TEST_F(EngineTest, PerpPremiumSpikeOpensAndConvergenceCloses) {
  books("99.99", "100.00", "100.80", "100.81");  // 0.8% perp premium
  engine_->on_book_update(0, clock_.now_us());
  ASSERT_EQ(sink_.batches.size(), 1u);
  ASSERT_EQ(sink_.batches[0].size(), 2u);  // both legs in ONE batch request
  const OrderSpec spot = sink_.batches[0][0];
  const OrderSpec perp = sink_.batches[0][1];
  EXPECT_EQ(spot.side, Side::kBid);
  EXPECT_EQ(perp.side, Side::kAsk);
  EXPECT_EQ(spot.instrument, spot_id_);
  EXPECT_EQ(perp.instrument, perp_id_);
  EXPECT_EQ(spot.tif, TimeInForce::kIoc);
  EXPECT_EQ(engine_->phase(0), PairPhase::kEntering);
  EXPECT_EQ(sink_.opportunities, 1);
  // 1000 USD / 100 = 10 SOL on the perp; the spot buy is grossed up by the 0.1% base-asset fee.
  EXPECT_EQ(perp.quantity, D("10.00"));
  EXPECT_EQ(spot.quantity, D("10.01"));  // 10 + 0.1% base fee = 10.01

  ack(spot, OrderStatus::kFilled, "10.01");
  ack(perp, OrderStatus::kFilled, "10.00");
  EXPECT_EQ(engine_->phase(0), PairPhase::kEntering);  // waiting for the stream's fills
  fill(spot, "10.01", "100.00", 1, "0.01001", "SOL");  // fee 0.1% paid in SOL
  fill(perp, "10.00", "100.80", 2, "0.504", "USDC");   // 10*100.8*0.0005
  EXPECT_EQ(engine_->phase(0), PairPhase::kOpen);
  EXPECT_EQ(sink_.opened, 1);
  const PositionState& pos = portfolio_.position(0);
  EXPECT_EQ(pos.spot.quantity(), D("9.99999"));
  EXPECT_EQ(pos.perp.quantity(), D("-10.00"));

  // Duplicate delivery of the same trade (stream + history) is not booked twice.
  fill(spot, "10.01", "100.00", 1, "0.01001", "SOL");
  EXPECT_EQ(engine_->duplicate_fills(), 1u);
  EXPECT_EQ(portfolio_.position(0).spot.quantity(), D("9.99999"));

  // Convergence: perp ask 100.02 vs spot bid 100.00 -> exit basis 0.02% < 0.05%.
  clock_.advance_us(60 * kUsPerSecond);
  books("100.00", "100.01", "100.01", "100.02");
  engine_->on_book_update(0, clock_.now_us());
  ASSERT_EQ(sink_.batches.size(), 2u);
  ASSERT_EQ(sink_.batches[1].size(), 2u);
  const OrderSpec xs = sink_.batches[1][0];
  const OrderSpec xp = sink_.batches[1][1];
  EXPECT_EQ(xs.side, Side::kAsk);
  EXPECT_EQ(xs.quantity, D("9.99"));  // held 9.99999, rounded down to the step; 0.00999 is dust
  EXPECT_EQ(xp.side, Side::kBid);
  EXPECT_TRUE(xp.reduce_only);
  EXPECT_EQ(xp.quantity, D("10.00"));
  fill(xs, "9.99", "100.00", 3, "0.999", "USDC");
  fill(xp, "10.00", "100.02", 4, "0.5001", "USDC");
  ack(xs, OrderStatus::kFilled, "9.99");
  ack(xp, OrderStatus::kFilled, "10.00");
  EXPECT_EQ(engine_->phase(0), PairPhase::kFlat);
  ASSERT_EQ(sink_.closed, 1);
  EXPECT_EQ(sink_.last_exit, ExitReason::kConverged);
  // P&L to the cent: spot bought and sold at 100.00 -> 0 (the 0.00999 SOL dust is written off at
  // 100.00, its cost); perp 10*(100.80-100.02) = 7.80; fees 0.01001 SOL*100 = 1.001 + 0.504 + 0.999
  // + 0.5001 = 3.0041; net 4.7959.
  EXPECT_EQ(sink_.last_closed.realized_pnl, D("7.80"));
  EXPECT_EQ(sink_.last_closed.fees_usd, D("3.0041"));
  EXPECT_EQ(sink_.last_closed.realized_net(), D("4.7959"));
  // Cooldown: the same spike does not reopen before opening_delay.
  books("99.99", "100.00", "100.80", "100.81");
  engine_->on_book_update(0, clock_.now_us());
  EXPECT_EQ(sink_.batches.size(), 2u);
  clock_.advance_us(31 * kUsPerSecond);
  books("99.99", "100.00", "100.80", "100.81");
  engine_->on_book_update(0, clock_.now_us());
  EXPECT_EQ(sink_.batches.size(), 3u);
}

// Recovery and flatten_on_shutdown close a position the exit rules would keep (the premium is still
// there); the Closed line and the journal must say why, not "none".
TEST_F(EngineTest, ForcedExitClosesWhateverTheRulesSayAndCarriesItsReason) {
  open_on_spike();
  ASSERT_EQ(engine_->phase(0), PairPhase::kOpen);

  clock_.advance_us(kUsPerSecond);
  engine_->on_book_update(0, clock_.now_us());
  EXPECT_EQ(sink_.batches.size(), 1u) << "the premium is still 0.8%: no strategy exit";
  EXPECT_FALSE(engine_->force_exit(0, ExitReason::kNone)) << "a forced exit needs a reason";
  EXPECT_FALSE(engine_->force_exit(1, ExitReason::kFlattenOnShutdown)) << "unknown pair";
  ASSERT_TRUE(engine_->force_exit(0, ExitReason::kFlattenOnShutdown));
  engine_->on_book_update(0, clock_.now_us());
  ASSERT_EQ(sink_.batches.size(), 2u);
  ASSERT_EQ(sink_.batches[1].size(), 2u);
  const OrderSpec xs = sink_.batches[1][0];
  const OrderSpec xp = sink_.batches[1][1];
  EXPECT_EQ(xs.side, Side::kAsk);
  EXPECT_EQ(xp.side, Side::kBid);
  EXPECT_TRUE(xp.reduce_only);
  fill(xs, "9.99", "99.99", 3, "0.99890", "USDC");
  fill(xp, "10.00", "100.81", 4, "0.50405", "USDC");
  ack(xs, OrderStatus::kFilled, "9.99");
  ack(xp, OrderStatus::kFilled, "10.00");
  EXPECT_EQ(engine_->phase(0), PairPhase::kFlat);
  ASSERT_EQ(sink_.closed, 1);
  EXPECT_EQ(sink_.last_exit, ExitReason::kFlattenOnShutdown);
  EXPECT_STREQ(to_string(sink_.last_exit), "flatten_on_shutdown");
  EXPECT_STREQ(to_string(ExitReason::kRecoveryUnwind), "recovery_unwind");
  // Flat again: nothing is left to force, and a later update does not trade the old reason.
  EXPECT_FALSE(engine_->force_exit(0, ExitReason::kRecoveryUnwind));
}

// The operator's pause and resume (POST /api/v1/pause, /resume): no entry on the spike while paused, the
// same spike is taken once resumed; the operator's flatten names itself in the Closed line.
TEST_F(EngineTest, StopOpeningHoldsEntriesUntilResumeOpening) {
  engine_->stop_opening();
  books("99.99", "100.00", "100.80", "100.81");
  engine_->on_book_update(0, clock_.now_us());
  EXPECT_TRUE(sink_.batches.empty());
  EXPECT_FALSE(engine_->opening_enabled());
  engine_->resume_opening();
  EXPECT_TRUE(engine_->opening_enabled());
  engine_->on_book_update(0, clock_.now_us());
  EXPECT_EQ(sink_.batches.size(), 1u);
  EXPECT_STREQ(to_string(ExitReason::kOperatorFlatten), "operator_flatten");
}

TEST_F(EngineTest, RejectedLegIsCompletedThenUnwoundWithinDeadline) {
  books("99.99", "100.00", "100.80", "100.81");
  engine_->on_book_update(0, clock_.now_us());
  ASSERT_EQ(sink_.batches.size(), 1u);
  const OrderSpec spot = sink_.batches[0][0];
  const OrderSpec perp = sink_.batches[0][1];
  fill(spot, "10.01", "100.00", 1, "0.01", "SOL");
  ack(spot, OrderStatus::kFilled, "10.01");
  reject(perp, RejectClass::kInsufficientFunds, "INSUFFICIENT_MARGIN");  // definitive: don't retry the perp
  // Net long 10.00 SOL (10.01 - 0.01 fee): unwind by selling the spot we bought.
  ASSERT_EQ(sink_.batches.size(), 2u);
  const OrderSpec h = sink_.batches[1][0];
  EXPECT_EQ(h.purpose, OrderPurpose::kHedge);
  EXPECT_EQ(h.leg, LegIndex::kSpot);
  EXPECT_EQ(h.side, Side::kAsk);
  EXPECT_EQ(h.quantity, D("10.00"));
  EXPECT_EQ(h.tif, TimeInForce::kIoc);
  EXPECT_EQ(h.price, D("99.95"));  // best bid 99.99 minus 0.05% buffer (99.940005), rounded up to tick
  fill(h, "10.00", "99.99", 3, "0.9999", "USDC");
  ack(h, OrderStatus::kFilled, "10.00");
  EXPECT_EQ(engine_->phase(0), PairPhase::kFlat);
  EXPECT_EQ(sink_.opened, 0);
  EXPECT_EQ(sink_.leg_risk, 1);
  EXPECT_TRUE(portfolio_.position(0).perp.flat());
}

TEST_F(EngineTest, NonDefinitiveRejectedLegIsCompletedNotUnwound) {
  books("99.99", "100.00", "100.80", "100.81");
  engine_->on_book_update(0, clock_.now_us());
  ASSERT_EQ(sink_.batches.size(), 1u);
  const OrderSpec spot = sink_.batches[0][0];
  const OrderSpec perp = sink_.batches[0][1];
  fill(spot, "10.01", "100.00", 1, "0.01", "SOL");
  ack(spot, OrderStatus::kFilled, "10.01");
  // A price refusal says nothing about the market or the account: the perp leg is sent again.
  reject(perp, RejectClass::kPriceOutOfBand, "INSUFFICIENT_MARGIN");
  ASSERT_EQ(sink_.batches.size(), 2u);
  const OrderSpec h = sink_.batches[1][0];
  EXPECT_EQ(h.purpose, OrderPurpose::kHedge);
  EXPECT_EQ(h.leg, LegIndex::kPerp);
  EXPECT_EQ(h.side, Side::kAsk);
  EXPECT_EQ(h.quantity, D("10.00"));
  EXPECT_EQ(h.tif, TimeInForce::kIoc);
  // Each rejected answer is counted under what it means (the metrics' reason label), as the total counts it.
  reject(perp, RejectClass::kPriceOutOfBand, "INSUFFICIENT_MARGIN");
  const auto& by_class = engine_->rejected_by_class();
  EXPECT_EQ(by_class[static_cast<std::size_t>(RejectClass::kPriceOutOfBand)], 2u);
  EXPECT_EQ(by_class[static_cast<std::size_t>(RejectClass::kOther)], 0u);
}

TEST_F(EngineTest, PartialPerpFillIsHedgedToNeutral) {
  books("99.99", "100.00", "100.80", "100.81");
  engine_->on_book_update(0, clock_.now_us());
  const OrderSpec spot = sink_.batches[0][0];
  const OrderSpec perp = sink_.batches[0][1];
  fill(spot, "10.01", "100.00", 1, "0.01001", "SOL");
  fill(perp, "4.00", "100.80", 2, "0.2016", "USDC");
  ack(spot, OrderStatus::kFilled, "10.01");
  ack(perp, OrderStatus::kExpired, "4.00");  // IOC remainder expired
  ASSERT_EQ(sink_.batches.size(), 2u);
  const OrderSpec h = sink_.batches[1][0];
  EXPECT_EQ(h.leg, LegIndex::kPerp);
  EXPECT_EQ(h.side, Side::kAsk);
  EXPECT_EQ(h.quantity, D("6.00"));  // 9.99999 held - 4.00 short = 5.99999 -> 6.00 on the step
  fill(h, "6.00", "100.80", 3, "0.3024", "USDC");
  ack(h, OrderStatus::kFilled, "6.00");
  EXPECT_EQ(engine_->phase(0), PairPhase::kOpen);
  EXPECT_EQ(portfolio_.position(0).perp.quantity(), D("-10.00"));
}

TEST_F(EngineTest, UnknownOutcomeIsQueriedNeverAssumedRejected) {
  books("99.99", "100.00", "100.80", "100.81");
  engine_->on_book_update(0, clock_.now_us());
  const OrderSpec spot = sink_.batches[0][0];
  const OrderSpec perp = sink_.batches[0][1];
  engine_->on_order_ack({spot.client_id, OrderAck::Kind::kUnknown, OrderStatus::kNew, {}, {}, {}}, clock_.now_us());
  engine_->on_order_ack({perp.client_id, OrderAck::Kind::kUnknown, OrderStatus::kNew, {}, {}, {}}, clock_.now_us());
  engine_->on_timer(clock_.now_us());
  EXPECT_TRUE(sink_.queries.empty());
  clock_.advance_us(3 * kUsPerSecond);
  engine_->on_timer(clock_.now_us());
  ASSERT_EQ(sink_.queries.size(), 2u);
  EXPECT_EQ(sink_.query_instruments, (std::vector<InstrumentId>{spot_id_, perp_id_}));  // each by its instrument
  EXPECT_EQ(sink_.batches.size(), 1u);  // no hedge while outcomes are unknown
  // The exchange had placed and filled both.
  fill(spot, "10.01", "100.00", 1, "0.01001", "SOL");
  fill(perp, "10.00", "100.80", 2, "0.504", "USDC");
  engine_->on_order_query(spot.client_id, true, OrderStatus::kFilled, D("10.01"), clock_.now_us());
  engine_->on_order_query(perp.client_id, true, OrderStatus::kFilled, D("10.00"), clock_.now_us());
  EXPECT_EQ(engine_->phase(0), PairPhase::kOpen);
  EXPECT_EQ(sink_.batches.size(), 1u);
}

// Funding that already charges a short perp more than the exit rule allows would close the position on the
// next update: the entry is refused (seen in paper runs: open, close 2 s later with reason=funding_against).
TEST_F(EngineTest, EntryIsRefusedWhenTheExitRuleWouldCloseItForFunding) {
  params_.exit.max_adverse_funding_rate = D("0.0001");
  engine_->set_params(params_);
  FundingInfo adverse;
  adverse.rate = D("-0.0005");  // < 0: shorts pay; a PerpPremium entry sells the perp
  adverse.interval_ms = 3'600'000;
  engine_->on_funding_info(0, adverse);
  books("99.99", "100.00", "100.80", "100.81");
  engine_->on_book_update(0, clock_.now_us());
  EXPECT_TRUE(sink_.batches.empty()) << "entered a position the exit rule closes at once";
  EXPECT_EQ(sink_.opportunities, 1);  // still seen and logged, as not traded
  EXPECT_EQ(sink_.last_quote_refusal, Refusal::kFundingAgainst);

  FundingInfo within = adverse;
  within.rate = D("-0.00005");  // charges less than the limit: the exit rule would keep it
  engine_->on_funding_info(0, within);
  clock_.advance_us(kUsPerSecond);
  books("99.99", "100.00", "100.80", "100.81");
  engine_->on_book_update(0, clock_.now_us());
  EXPECT_EQ(sink_.batches.size(), 1u);
}

TEST_F(EngineTest, OpportunityLineIsRepeatedAtOnceWhenTheDirectionTurns) {
  params_.basis.min_execution_threshold = D("0.05");  // 0.3% spreads are seen, never traded
  engine_->set_params(params_);
  books("99.99", "100.00", "100.30", "100.31");
  engine_->on_book_update(0, clock_.now_us());
  EXPECT_EQ(sink_.opportunities, 1);
  EXPECT_EQ(sink_.last_opportunity_direction, BasisDirection::kPerpPremium);
  clock_.advance_us(kUsPerSecond);
  engine_->on_book_update(0, clock_.now_us());
  EXPECT_EQ(sink_.opportunities, 1) << "the same excursion is logged once per interval";
  clock_.advance_us(kUsPerSecond);
  books("100.30", "100.31", "99.99", "100.00");
  engine_->on_book_update(0, clock_.now_us());
  EXPECT_EQ(sink_.opportunities, 2) << "a turn of direction is not hidden behind the last line";
  EXPECT_EQ(sink_.last_opportunity_direction, BasisDirection::kSpotPremium);
  clock_.advance_us(kUsPerSecond);
  engine_->on_book_update(0, clock_.now_us());
  EXPECT_EQ(sink_.opportunities, 2);
  EXPECT_TRUE(sink_.batches.empty());
}

TEST_F(EngineTest, StaleOrUnsyncedBookBlocksEntry) {
  books("99.99", "100.00", "100.80", "100.81");
  perp_.set_valid(false);
  engine_->on_book_update(0, clock_.now_us());
  EXPECT_TRUE(sink_.batches.empty());
  perp_.set_valid(true);
  clock_.advance_us(5 * kUsPerSecond);  // books now 5 s old > max_book_age_ms 2000
  engine_->on_book_update(0, clock_.now_us());
  EXPECT_TRUE(sink_.batches.empty());
}

TEST_F(EngineTest, MakerPlanTimesOutIntoTakerFallback) {
  OrderSpec spot, perp;
  ASSERT_NO_FATAL_FAILURE(maker_entry_spot_filled_alone(10 * kUsPerSecond, params_.hedge_deadline_us, spot, perp));
  EXPECT_EQ(spot.tif, TimeInForce::kGtc);
  clock_.advance_us(11 * kUsPerSecond);
  books("99.99", "100.00", "100.80", "100.81");
  engine_->on_timer(clock_.now_us());
  resting_perp_cancelled_goes_taker_and_opens(perp);
}

// A trade leg whose cancel the venue refused for rate stays pending its cancel and the cancel goes again
// once the venue's back-off is over (never before, however often the timer ticks), doubling per refusal.
// Meanwhile the naked spot leg does not wait for it: past the maker timeout the perp leg is hedged at once,
// and when the cancel finally lands nothing more is needed.
TEST_F(EngineTest, ARefusedCancelOfATradeLegGoesAgainAfterTheBackOffAndTheNakedLegIsHedgedMeanwhile) {
  OrderSpec spot, perp;
  ASSERT_NO_FATAL_FAILURE(maker_entry_spot_filled_alone(10 * kUsPerSecond, params_.hedge_deadline_us, spot, perp));
  clock_.advance_us(11 * kUsPerSecond);
  books("99.99", "100.00", "100.80", "100.81");
  engine_->on_timer(clock_.now_us());
  ASSERT_EQ(sink_.cancels.size(), 1u);
  CancelRefusal r;
  r.client_id = perp.client_id;
  r.reject = RejectClass::kRateLimited;
  r.retry_after_us = 2 * kUsPerSecond;  // the venue's back-off still to run
  engine_->on_cancel_refused(r, clock_.now_us());
  const oms::Order* o = engine_->orders().find(perp.client_id);
  EXPECT_EQ(o->state(), oms::OrderState::kPendingCancel);
  EXPECT_TRUE(sink_.queries.empty()) << "a rate refusal says the order is still there";

  clock_.advance_us(kUsPerSecond);
  engine_->on_timer(clock_.now_us());
  EXPECT_EQ(sink_.cancels.size(), 1u) << "not within the venue's back-off";
  // The naked spot leg is hedged without waiting for the cancel: a taker IOC on the perp for what it lacks.
  ASSERT_EQ(sink_.batches.size(), 2u);
  const OrderSpec hedge = sink_.batches[1][0];
  EXPECT_EQ(hedge.leg, LegIndex::kPerp);
  EXPECT_EQ(hedge.tif, TimeInForce::kIoc);
  EXPECT_EQ(hedge.side, perp.side);
  EXPECT_EQ(hedge.quantity, perp.quantity);
  fill(hedge, perp.quantity.str().c_str(), "100.80", 2, "0.5", "USDC");
  ack(hedge, OrderStatus::kFilled, perp.quantity.str().c_str());

  clock_.advance_us(1'100'000);
  engine_->on_timer(clock_.now_us());
  ASSERT_EQ(sink_.cancels.size(), 2u) << "the back-off is over: the cancel goes again";
  EXPECT_EQ(sink_.cancels[1], perp.client_id);
  EXPECT_EQ(sink_.cancel_instruments[1], perp_id_);
  r.retry_after_us = 0;  // a second refusal: 500 ms doubled
  engine_->on_cancel_refused(r, clock_.now_us());
  clock_.advance_us(600'000);
  engine_->on_timer(clock_.now_us());
  EXPECT_EQ(sink_.cancels.size(), 2u);
  clock_.advance_us(500'000);
  engine_->on_timer(clock_.now_us());
  ASSERT_EQ(sink_.cancels.size(), 3u);
  engine_->on_order_update({perp.client_id, OrderUpdate::Kind::kCancelled, -1, {}, {}, {}, {}, false, {}},
                           clock_.now_us());
  engine_->on_timer(clock_.now_us());
  EXPECT_EQ(sink_.batches.size(), 2u) << "the hedge already made the trade whole: no taker fallback";
  EXPECT_EQ(engine_->phase(0), PairPhase::kOpen);
  EXPECT_EQ(risk_.state(), TradingState::kActive);
  clock_.advance_us(20 * kUsPerSecond);
  engine_->on_timer(clock_.now_us());
  EXPECT_EQ(sink_.cancels.size(), 3u) << "nothing is retried for a cancelled order";
}

// The retries are bounded: past max_cancel_refusals the engine stops opening and only queries the order.
TEST_F(EngineTest, ACancelRefusedTooOftenStopsOpeningAndIsQueried) {
  params_.max_cancel_refusals = 2;
  OrderSpec spot, perp;
  ASSERT_NO_FATAL_FAILURE(maker_entry_spot_filled_alone(10 * kUsPerSecond, params_.hedge_deadline_us, spot, perp));
  clock_.advance_us(11 * kUsPerSecond);
  books("99.99", "100.00", "100.80", "100.81");
  engine_->on_timer(clock_.now_us());
  CancelRefusal r;
  r.client_id = perp.client_id;
  r.reject = RejectClass::kRateLimited;
  for (std::size_t sent = 1; sent <= 3; ++sent) {
    ASSERT_EQ(sink_.cancels.size(), sent);
    engine_->on_cancel_refused(r, clock_.now_us());
    clock_.advance_us(params_.cancel_retry_max_us);
    engine_->on_timer(clock_.now_us());
  }
  EXPECT_EQ(sink_.cancels.size(), 3u) << "two retries, then no more";
  ASSERT_EQ(sink_.queries.size(), 1u);
  EXPECT_EQ(sink_.queries[0], perp.client_id);
  EXPECT_EQ(risk_.state(), TradingState::kReduceOnly);
}

// "Not found" (or any refusal that is not for rate) is checked with the venue; an order it still has live
// is cancelled again, one the venue had cancelled is settled.
TEST_F(EngineTest, ACancelRefusedAsNotFoundIsQueriedAndCancelledAgainWhenStillLive) {
  OrderSpec spot, perp;
  ASSERT_NO_FATAL_FAILURE(maker_entry_spot_filled_alone(10 * kUsPerSecond, params_.hedge_deadline_us, spot, perp));
  clock_.advance_us(11 * kUsPerSecond);
  books("99.99", "100.00", "100.80", "100.81");
  engine_->on_timer(clock_.now_us());
  CancelRefusal r;
  r.client_id = perp.client_id;
  r.code = "RESOURCE_NOT_FOUND";
  engine_->on_cancel_refused(r, clock_.now_us());
  ASSERT_EQ(sink_.queries.size(), 1u);
  EXPECT_EQ(sink_.cancels.size(), 1u);
  engine_->on_order_query(perp.client_id, true, OrderStatus::kNew, D("0"), clock_.now_us());
  engine_->on_timer(clock_.now_us());
  ASSERT_EQ(sink_.cancels.size(), 2u);
  EXPECT_EQ(sink_.cancels[1], perp.client_id);
  engine_->on_cancel_refused(r, clock_.now_us());
  engine_->on_order_query(perp.client_id, false, OrderStatus::kNew, D("0"), clock_.now_us());
  EXPECT_TRUE(oms::is_terminal(engine_->orders().find(perp.client_id)->state()));
  clock_.advance_us(20 * kUsPerSecond);
  engine_->on_timer(clock_.now_us());
  EXPECT_EQ(sink_.cancels.size(), 2u);
}

// A maker leg filled alone is naked exposure: the other leg gets hedge_deadline (3 s here) to fill as a
// maker, then it goes taker — not after the 30 s maker timeout.
TEST_F(EngineTest, MakerLegFilledAloneGoesTakerAfterTheHedgeDeadlineNotTheMakerTimeout) {
  OrderSpec spot, perp;  // spot filled, perp still resting
  ASSERT_NO_FATAL_FAILURE(maker_entry_spot_filled_alone(30 * kUsPerSecond, 3 * kUsPerSecond, spot, perp));
  clock_.advance_us(2 * kUsPerSecond);
  books("99.99", "100.00", "100.80", "100.81");
  engine_->on_timer(clock_.now_us());
  EXPECT_TRUE(sink_.cancels.empty()) << "within the hedge deadline the perp leg may still fill as a maker";
  clock_.advance_us(1'500'000);  // 3.5 s naked > hedge_deadline 3 s (maker timeout still 26.5 s away)
  books("99.99", "100.00", "100.80", "100.81");
  engine_->on_timer(clock_.now_us());
  resting_perp_cancelled_goes_taker_and_opens(perp);
}

// risk.max_unhedged_usd: a naked leg worth more than the limit at the perp mid does not get the hedge
// deadline. Here 0.5 SOL (~50 USD) naked waits as a maker; when the spot leg fills in full (~1,000 USD)
// the resting perp leg is cancelled at once and goes taker, 30 s before the maker timeout and 3 s before
// the hedge deadline.
TEST_F(EngineTest, NakedLegBeyondMaxUnhedgedIsHedgedAtOnce) {
  OrderSpec spot, perp;
  ASSERT_NO_FATAL_FAILURE(maker_entry_spot_filled_alone(30 * kUsPerSecond, 3 * kUsPerSecond, spot, perp, "100", "0.5"));
  books("99.99", "100.00", "100.80", "100.81");
  engine_->on_timer(clock_.now_us());
  EXPECT_TRUE(sink_.cancels.empty()) << "50 USD naked is within max_unhedged_usd = 100";
  clock_.advance_us(kUsPerSecond);
  const Decimal rest = spot.quantity - D("0.5");
  fill(spot, rest.str().c_str(), "99.99", 3, "0.007608", "SOL");  // the fees add up to the single fill's
  ASSERT_EQ(sink_.cancels.size(), 1u) << "the fill itself made the naked leg ~1,000 USD: cancelled at once";
  EXPECT_EQ(sink_.batches.size(), 1u);
  resting_perp_cancelled_goes_taker_and_opens(perp);
  EXPECT_EQ(risk_.state(), TradingState::kActive);
}

// Both maker legs filling (a few seconds apart, within the hedge deadline) is never cut short.
TEST_F(EngineTest, MakerLegsFillingWithinTheHedgeDeadlineStayMaker) {
  OrderSpec spot, perp;
  ASSERT_NO_FATAL_FAILURE(maker_entry_spot_filled_alone(30 * kUsPerSecond, 3 * kUsPerSecond, spot, perp));
  clock_.advance_us(2'500'000);
  books("99.99", "100.00", "100.80", "100.81");
  engine_->on_timer(clock_.now_us());
  fill(perp, perp.quantity.str().c_str(), "100.81", 2, "0.2", "USDC");
  clock_.advance_us(5 * kUsPerSecond);
  books("99.99", "100.00", "100.80", "100.81");
  engine_->on_timer(clock_.now_us());
  EXPECT_TRUE(sink_.cancels.empty());
  EXPECT_EQ(sink_.batches.size(), 1u) << "no taker order was needed";
  EXPECT_EQ(engine_->phase(0), PairPhase::kOpen);
}

TEST_F(EngineTest, HedgeDeadlineFailureMovesRiskToReduceOnly) {
  books("99.99", "100.00", "100.80", "100.81");
  engine_->on_book_update(0, clock_.now_us());
  const OrderSpec spot = sink_.batches[0][0];
  const OrderSpec perp = sink_.batches[0][1];
  fill(spot, "10.01", "100.00", 1, "0.01001", "SOL");
  ack(spot, OrderStatus::kFilled, "10.01");
  ack(perp, OrderStatus::kExpired, "0");
  ASSERT_EQ(sink_.batches.size(), 2u);  // complete attempt
  const OrderSpec h = sink_.batches[1][0];
  engine_->on_order_ack({h.client_id, OrderAck::Kind::kUnknown, OrderStatus::kNew, {}, {}, {}}, clock_.now_us());
  clock_.advance_us(11 * kUsPerSecond);
  engine_->on_order_query(h.client_id, false, OrderStatus::kNew, {}, clock_.now_us());  // never placed
  EXPECT_EQ(risk_.state(), TradingState::kReduceOnly);
  EXPECT_GE(sink_.state_changes, 1);
  // No new entries on any pair while ReduceOnly.
  EXPECT_EQ(engine_->phase(0), PairPhase::kEntering);
}

}  // namespace
}  // namespace bparb::exec