// Scenario tests for the pure engine: real books, real strategy/risk/portfolio, a sink that records
// what the daemon would send. Fills are fed back the way the exchange reports them.
#include "bparb/exec/arb_engine.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace bparb::exec {
namespace {

Decimal D(const char* s) {
  return Decimal::from_string(s);
}
constexpr TimestampUs kT0 = 1'795'132'800LL * kUsPerSecond + kUsPerHour;  // 2026-11-20 01:00 UTC

MarketSpec sol(bool perp) {
  MarketSpec s;
  s.symbol = perp ? "SOL_USDC_PERP" : "SOL_USDC";
  s.base_symbol = "SOL";
  s.quote_symbol = "USDC";
  s.type = perp ? MarketType::kPerp : MarketType::kSpot;
  s.tick_size = D("0.01");
  s.min_price = D("0.01");
  s.step_size = D("0.01");
  s.min_quantity = D("0.01");
  if (perp) {
    s.funding_interval_ms = 3'600'000;
    s.imf = {true, D("0.02"), D("0.00006")};
    s.mmf = {true, D("0.0135"), D("0.000036")};
  }
  return s;
}

struct RecordingSink : EngineSink {
  std::vector<std::vector<OrderSpec>> batches;
  std::vector<ClientId> cancels;
  std::vector<InstrumentId> cancel_instruments;
  std::vector<ClientId> queries;
  std::vector<InstrumentId> query_instruments;
  int opportunities = 0, opened = 0, closed = 0, refused = 0, abandoned = 0, leg_risk = 0, state_changes = 0;
  std::string last_refusal;
  PositionState last_closed;
  ExitReason last_exit = ExitReason::kNone;
  void place_orders(std::span<const OrderSpec> o) override { batches.emplace_back(o.begin(), o.end()); }
  void cancel_order(InstrumentId i, ClientId id) override {
    cancels.push_back(id);
    cancel_instruments.push_back(i);
  }
  void query_order(InstrumentId i, ClientId id) override {
    queries.push_back(id);
    query_instruments.push_back(i);
  }
  void on_opportunity(const PairInfo&, const BasisQuote& q) override {
    ++opportunities;
    last_quote_refusal = q.refusal;
    last_opportunity_direction = q.direction;
  }
  BasisDirection last_opportunity_direction = BasisDirection::kPerpPremium;
  Refusal last_quote_refusal = Refusal::kNone;
  void on_entry_refused(const PairInfo&, const BasisQuote&, std::string_view, const RiskDecision& d) override {
    ++refused;
    last_refusal = d.rule_name();
  }
  void on_position_opened(const PairInfo&, const PositionState&, const BasisQuote&) override { ++opened; }
  void on_position_closed(const PairInfo&, const PositionState& p, ExitReason r) override {
    ++closed;
    last_closed = p;
    last_exit = r;
  }
  void on_trade_abandoned(const PairInfo&, std::string_view) override { ++abandoned; }
  int fill_problems = 0;
  FillProblem last_problem = FillProblem::kNone;
  void on_fill_problem(const PairInfo&, const OrderSpec&, FillProblem why, Decimal, Decimal, Decimal,
                       std::string_view) override {
    ++fill_problems;
    last_problem = why;
  }
  std::vector<FundingOutcome> funding;
  void on_funding(const PairInfo&, Decimal, const FundingOutcome& o) override { funding.push_back(o); }
  void on_leg_risk(const PairInfo&, const LegRiskDecision&) override { ++leg_risk; }
  void on_trading_state(const StateChange& c, std::string_view) override {
    if (c.changed) ++state_changes;
  }
};

class EngineTest : public ::testing::Test {
 protected:
  EngineTest()
      : spot_id_(instruments_.add(VenueId::kBackpack, sol(false))),
        perp_id_(instruments_.add(VenueId::kBackpack, sol(true))),
        spot_spec_(instruments_.market(spot_id_)),
        perp_spec_(instruments_.market(perp_id_)),
        spot_(spot_spec_),
        perp_(perp_spec_),
        clock_(kT0),
        risk_(limits(), clock_) {}

  static RiskLimits limits() {
    RiskLimits l;
    l.max_position_usd = D("5000");
    l.max_total_exposure_usd = D("20000");
    l.max_daily_loss_usd = D("200");
    l.min_account_balance_usd = D("100");
    return l;
  }

  void SetUp() override {
    EngineParams p;
    p.basis.position_size_usd = D("1000");
    p.basis.min_spread_threshold = D("0.001");
    p.basis.min_execution_threshold = D("0.002");
    p.basis.large_spread_threshold = D("0.05");
    p.basis.expected_holding_us = 0;  // no funding expectation in these scenarios
    p.basis.resync_grace_us = 0;
    p.basis.min_confidence = 0.6;
    p.exit.min_closing_spread = D("0.0005");
    p.exit.take_profit = Decimal::zero();
    p.hedge_deadline_us = 10 * kUsPerSecond;
    p.opening_delay_us = 30 * kUsPerSecond;
    params_ = p;
    engine_.emplace(p, instruments_, risk_, portfolio_, sink_);
    portfolio_.add_pair(D("0.01"));
    engine_->add_pair("SOL", {spot_id_, perp_id_}, {&spot_, &perp_});
    AccountSnapshot a;
    a.view.fees = {D("8"), D("10"), D("2"), D("5")};
    a.view.available_quote = D("100000");
    a.available_base[0] = D("50");
    a.view.available_margin = D("100000");
    a.net_equity = D("100000");
    engine_->on_account(a, kT0);
  }

  // One-level-deep-enough books: spot ask `sa`, perp bid `pb`, 1 tick spreads, 500 SOL each level.
  void books(const char* spot_bid, const char* spot_ask, const char* perp_bid, const char* perp_ask) {
    DepthSnapshot s;
    s.last_update_id = 1;
    s.bids = {{D(spot_bid), D("500")}};
    s.asks = {{D(spot_ask), D("500")}};
    spot_.load_snapshot(s, clock_.now_us());
    spot_.set_valid(true);
    DepthSnapshot p;
    p.last_update_id = 1;
    p.bids = {{D(perp_bid), D("500")}};
    p.asks = {{D(perp_ask), D("500")}};
    perp_.load_snapshot(p, clock_.now_us());
    perp_.set_valid(true);
  }

  // The 0.8% perp-premium spike: both taker legs sent in one batch and acknowledged filled (10.01 SOL spot,
  // 10 perp); their fills are the caller's.
  void enter_on_spike_acked(OrderSpec& spot, OrderSpec& perp) {
    books("99.99", "100.00", "100.80", "100.81");
    engine_->on_book_update(0, clock_.now_us());
    ASSERT_EQ(sink_.batches.size(), 1u);
    spot = sink_.batches[0][0];
    perp = sink_.batches[0][1];
    ack(spot, OrderStatus::kFilled, "10.01");
    ack(perp, OrderStatus::kFilled, "10.00");
  }
  // ... and both filled in full: position open.
  void open_on_spike() {
    OrderSpec spot, perp;
    enter_on_spike_acked(spot, perp);
    fill(spot, "10.01", "100.00", 1, "0.01001", "SOL");
    fill(perp, "10.00", "100.80", 2, "0.504", "USDC");
  }

  // The maker plan on the 0.8% spike (large_spread_threshold 0.5%): both legs rest post-only, then the
  // spot leg fills alone (~1,000 USD naked; max_unhedged_usd is set above that unless the test passes a
  // lower one); `spot`/`perp` are the two legs.
  void maker_entry_spot_filled_alone(DurationUs maker_timeout_us, DurationUs hedge_deadline_us, OrderSpec& spot,
                                     OrderSpec& perp, const char* max_unhedged_usd = "100000",
                                     const char* spot_fill = nullptr) {
    params_.basis.large_spread_threshold = D("0.005");
    params_.basis.use_maker_for_large_spreads = true;
    params_.maker_timeout_us = maker_timeout_us;
    params_.hedge_deadline_us = hedge_deadline_us;
    params_.max_unhedged_usd = D(max_unhedged_usd);
    engine_->set_params(params_);
    books("99.99", "100.00", "100.80", "100.81");
    engine_->on_book_update(0, clock_.now_us());
    ASSERT_EQ(sink_.batches.size(), 1u);
    spot = sink_.batches[0][0];
    perp = sink_.batches[0][1];
    ASSERT_TRUE(spot.post_only);
    ASSERT_TRUE(perp.post_only);
    ack(spot, OrderStatus::kNew, "0");
    ack(perp, OrderStatus::kNew, "0");
    fill(spot, spot_fill ? spot_fill : spot.quantity.str().c_str(), "99.99", 1, spot_fill ? "0.0004" : "0.008008",
         "SOL");
  }
  // The engine has cancelled the resting perp leg: once the cancel is confirmed its remainder goes out as a
  // taker IOC, fills, and the position is open.
  void resting_perp_cancelled_goes_taker_and_opens(const OrderSpec& perp) {
    ASSERT_EQ(sink_.cancels.size(), 1u);
    EXPECT_EQ(sink_.cancels[0], perp.client_id);
    EXPECT_EQ(sink_.cancel_instruments[0], perp_id_);  // the cancel names the perp instrument
    engine_->on_order_update({perp.client_id, OrderUpdate::Kind::kCancelled, -1, {}, {}, {}, {}, false, {}},
                             clock_.now_us());
    ASSERT_EQ(sink_.batches.size(), 2u);
    const OrderSpec fb = sink_.batches[1][0];
    EXPECT_FALSE(fb.post_only);
    EXPECT_EQ(fb.tif, TimeInForce::kIoc);
    EXPECT_EQ(fb.leg, LegIndex::kPerp);
    EXPECT_EQ(fb.quantity, perp.quantity);
    fill(fb, perp.quantity.str().c_str(), "100.80", 2, "0.5", "USDC");
    ack(fb, OrderStatus::kFilled, perp.quantity.str().c_str());
    EXPECT_EQ(engine_->phase(0), PairPhase::kOpen);
  }

  void fill(const OrderSpec& o, const char* qty, const char* price, std::int64_t trade_id, const char* fee,
            const char* fee_symbol) {
    OrderUpdate u;
    u.client_id = o.client_id;
    u.kind = OrderUpdate::Kind::kFill;
    u.trade_id = trade_id;
    u.fill_quantity = D(qty);
    u.fill_price = D(price);
    u.fee = D(fee);
    u.fee_symbol = fee_symbol;
    engine_->on_order_update(u, clock_.now_us());
  }
  void ack(const OrderSpec& o, OrderStatus st, const char* executed) {
    engine_->on_order_ack({o.client_id, OrderAck::Kind::kAccepted, st, D(executed), {}, {}}, clock_.now_us());
  }
  // The engine reads the class only; the code and message travel for log lines.
  void reject(const OrderSpec& o, RejectClass cls, const char* code) {
    engine_->on_order_ack({o.client_id, OrderAck::Kind::kRejected, OrderStatus::kNew, {}, code, "refused", cls},
                          clock_.now_us());
  }

  InstrumentTable instruments_;
  InstrumentId spot_id_, perp_id_;
  const MarketSpec& spot_spec_;
  const MarketSpec& perp_spec_;
  OrderBook spot_, perp_;
  ManualClock clock_;
  RiskGate risk_;
  Portfolio portfolio_;
  RecordingSink sink_;
  EngineParams params_;
  std::optional<ArbEngine> engine_;
};

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

// A two-leg trade's order keeps today's behaviour when its cancel is refused: it stays pending its cancel
// (no query, no new order) until the stream settles it, and the trade goes on from there.
TEST_F(EngineTest, ARefusedCancelOfATradeLegLeavesItPendingItsCancel) {
  OrderSpec spot, perp;
  ASSERT_NO_FATAL_FAILURE(maker_entry_spot_filled_alone(10 * kUsPerSecond, params_.hedge_deadline_us, spot, perp));
  clock_.advance_us(11 * kUsPerSecond);
  books("99.99", "100.00", "100.80", "100.81");
  engine_->on_timer(clock_.now_us());
  ASSERT_EQ(sink_.cancels.size(), 1u);
  CancelRefusal r;
  r.client_id = perp.client_id;
  r.reject = RejectClass::kRateLimited;
  engine_->on_cancel_refused(r, clock_.now_us());
  EXPECT_EQ(engine_->orders().find(perp.client_id)->state(), oms::OrderState::kPendingCancel);
  EXPECT_TRUE(sink_.queries.empty());
  EXPECT_EQ(sink_.batches.size(), 1u);
  resting_perp_cancelled_goes_taker_and_opens(perp);
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

namespace bparb::exec {
namespace {

// Fills reconciliation asks the engine whether a history row was booked: only a tracked order with a
// free trade-id slot can answer "missing" (booking anything else could count a fill twice).
TEST_F(EngineTest, TradeKnownAnswersForReconciliation) {
  books("99.99", "100.00", "100.80", "100.81");
  engine_->on_book_update(0, clock_.now_us());
  ASSERT_EQ(sink_.batches.size(), 1u);
  const OrderSpec spot = sink_.batches[0][0];
  const OrderSpec perp = sink_.batches[0][1];
  fill(spot, "10.01", "100.00", 11, "0.01001", "SOL");
  EXPECT_EQ(engine_->trade_known(spot.client_id, 11), ArbEngine::TradeKnown::kBooked);
  EXPECT_EQ(engine_->trade_known(perp.client_id, 12), ArbEngine::TradeKnown::kMissing);  // stream lost it
  EXPECT_EQ(engine_->trade_known(perp.client_id + 1000, 12), ArbEngine::TradeKnown::kUntracked);
  EXPECT_EQ(engine_->trade_known(perp.client_id, -1), ArbEngine::TradeKnown::kUntracked);
  // Booked from the history row: known from then on, and a late stream copy is a duplicate.
  fill(perp, "10.00", "100.80", 12, "0.504", "USDC");
  EXPECT_EQ(engine_->trade_known(perp.client_id, 12), ArbEngine::TradeKnown::kBooked);
  fill(perp, "10.00", "100.80", 12, "0.504", "USDC");
  EXPECT_EQ(engine_->duplicate_fills(), 1u);
  EXPECT_EQ(portfolio_.position(0).perp.quantity(), D("-10.00"));
}

// Spot premium: sell spot, buy perp. Without inventory the entry needs Backpack's borrow flags, and
// only when the operator allowed borrowing; the buy-back at exit repays the borrow.
class SpotBorrowTest : public EngineTest {
 protected:
  void no_inventory() {
    AccountSnapshot a;
    a.view.fees = {D("8"), D("10"), D("2"), D("5")};
    a.view.available_quote = D("100000");
    a.available_base[0] = D("0");
    a.view.available_margin = D("100000");
    a.net_equity = D("100000");
    engine_->on_account(a, clock_.now_us());
  }
};

TEST_F(SpotBorrowTest, WithoutInventoryAndWithoutBorrowNoEntry) {
  no_inventory();
  books("100.80", "100.81", "99.99", "100.00");  // spot 0.8% rich
  engine_->on_book_update(0, clock_.now_us());
  EXPECT_TRUE(sink_.batches.empty());
  EXPECT_EQ(engine_->phase(0), PairPhase::kFlat);
}

TEST_F(SpotBorrowTest, WithInventoryTheSpotSellCarriesNoBorrowFlags) {
  books("100.80", "100.81", "99.99", "100.00");
  engine_->on_book_update(0, clock_.now_us());
  ASSERT_EQ(sink_.batches.size(), 1u);
  const OrderSpec spot = sink_.batches[0][0];
  const OrderSpec perp = sink_.batches[0][1];
  EXPECT_EQ(spot.side, Side::kAsk);
  EXPECT_EQ(perp.side, Side::kBid);
  EXPECT_FALSE(spot.auto_borrow);
  EXPECT_FALSE(spot.auto_lend_redeem);
  EXPECT_FALSE(spot.auto_borrow_repay);
}

TEST_F(SpotBorrowTest, AllowedBorrowFlagsTheSpotSellAndTheBuyBack) {
  params_.basis.allow_spot_borrow = true;
  engine_->set_params(params_);
  no_inventory();
  books("100.80", "100.81", "99.99", "100.00");
  engine_->on_book_update(0, clock_.now_us());
  ASSERT_EQ(sink_.batches.size(), 1u);
  ASSERT_EQ(sink_.batches[0].size(), 2u);
  const OrderSpec spot = sink_.batches[0][0];
  const OrderSpec perp = sink_.batches[0][1];
  EXPECT_EQ(spot.side, Side::kAsk);
  EXPECT_TRUE(spot.auto_borrow);
  EXPECT_TRUE(spot.auto_lend_redeem);
  EXPECT_FALSE(spot.auto_borrow_repay);
  EXPECT_FALSE(perp.auto_borrow);  // never on the perp
  EXPECT_FALSE(perp.auto_borrow_repay);
  // 1000 USD / 100.80 = 9.92 on both legs (a spot SELL pays its fee in USDC: no gross-up).
  EXPECT_EQ(spot.quantity, D("9.92"));
  EXPECT_EQ(perp.quantity, D("9.92"));
  fill(spot, "9.92", "100.80", 1, "0.999936", "USDC");  // 9.92*100.80*0.001
  fill(perp, "9.92", "100.00", 2, "0.496", "USDC");     // 9.92*100*0.0005
  ack(spot, OrderStatus::kFilled, "9.92");
  ack(perp, OrderStatus::kFilled, "9.92");
  ASSERT_EQ(engine_->phase(0), PairPhase::kOpen);
  EXPECT_EQ(portfolio_.position(0).spot.quantity(), D("-9.92"));

  clock_.advance_us(60 * kUsPerSecond);
  books("100.01", "100.02", "100.00", "100.01");  // converged
  engine_->on_book_update(0, clock_.now_us());
  ASSERT_EQ(sink_.batches.size(), 2u);
  const OrderSpec xs = sink_.batches[1][0];
  const OrderSpec xp = sink_.batches[1][1];
  EXPECT_EQ(xs.side, Side::kBid);
  // The buy-back pays its 0.1% taker fee in SOL: 9.92 / 0.999 = 9.9299.. -> 9.93, so what arrives
  // (9.93 - 0.00993) covers the short and no extra hedge order is needed.
  EXPECT_EQ(xs.quantity, D("9.93"));
  EXPECT_GE(xs.quantity - xs.quantity.mul(D("0.001"), Rounding::kUp), D("9.92"));
  EXPECT_TRUE(xs.auto_borrow_repay);
  EXPECT_FALSE(xs.auto_borrow);
  EXPECT_FALSE(xp.auto_borrow_repay);
  EXPECT_TRUE(xp.reduce_only);
}

TEST_F(SpotBorrowTest, SpotPremiumExitCoversTheShortAfterTheBaseFeeWithoutAHedge) {
  books("100.80", "100.81", "99.99", "100.00");  // spot 0.8% rich, the account holds 50 SOL
  engine_->on_book_update(0, clock_.now_us());
  ASSERT_EQ(sink_.batches.size(), 1u);
  const OrderSpec spot = sink_.batches[0][0];
  const OrderSpec perp = sink_.batches[0][1];
  fill(spot, "9.92", "100.80", 1, "0.999936", "USDC");
  fill(perp, "9.92", "100.00", 2, "0.496", "USDC");
  ack(spot, OrderStatus::kFilled, "9.92");
  ack(perp, OrderStatus::kFilled, "9.92");
  ASSERT_EQ(engine_->phase(0), PairPhase::kOpen);
  clock_.advance_us(60 * kUsPerSecond);
  books("100.01", "100.02", "100.00", "100.01");
  engine_->on_book_update(0, clock_.now_us());
  ASSERT_EQ(sink_.batches.size(), 2u);
  const OrderSpec xs = sink_.batches[1][0];
  const OrderSpec xp = sink_.batches[1][1];
  ASSERT_EQ(xs.side, Side::kBid);
  EXPECT_EQ(xs.quantity, D("9.93"));
  fill(xs, "9.93", "100.02", 3, "0.00993", "SOL");  // receives 9.92007
  fill(xp, "9.92", "100.00", 4, "0.496", "USDC");
  ack(xs, OrderStatus::kFilled, "9.93");
  ack(xp, OrderStatus::kFilled, "9.92");
  EXPECT_EQ(engine_->phase(0), PairPhase::kFlat);
  EXPECT_EQ(sink_.closed, 1);
  EXPECT_EQ(sink_.batches.size(), 2u) << "no hedge order after the exit";
  EXPECT_EQ(sink_.last_closed.dust_base, D("0.00007"));
}

// A maker rebate on the spot buy: the entry buys less (what arrives after the negative base fee matches
// the perp), and the fill with its negative SOL fee is booked, not dropped.
TEST_F(EngineTest, SpotMakerRebateIsBookedAndTheBuyIsSizedForIt) {
  AccountSnapshot a;
  a.view.fees = {D("-2"), D("10"), D("2"), D("5")};  // spot maker rebate 0.02%
  a.view.available_quote = D("100000");
  a.available_base[0] = D("50");
  a.view.available_margin = D("100000");
  a.net_equity = D("100000");
  engine_->on_account(a, kT0);
  params_.basis.large_spread_threshold = D("0.005");
  params_.basis.use_maker_for_large_spreads = true;
  engine_->set_params(params_);
  books("99.99", "100.00", "100.80", "100.81");
  engine_->on_book_update(0, clock_.now_us());
  ASSERT_EQ(sink_.batches.size(), 1u);
  const OrderSpec spot = sink_.batches[0][0];
  const OrderSpec perp = sink_.batches[0][1];
  ASSERT_TRUE(spot.post_only);
  // 10 SOL wanted; a rebate brings 0.02% more coins, so 10 / 1.0002 = 9.998 is bought (9.99 +
  // rounding to the 0.01 step = 10.00: the rebate is smaller than a step here).
  EXPECT_EQ(spot.quantity, D("10.00"));
  ack(spot, OrderStatus::kNew, "0");
  ack(perp, OrderStatus::kNew, "0");
  fill(spot, "10.00", "99.99", 1, "-0.002", "SOL");  // rebate: 10.002 SOL arrive
  fill(perp, "10.00", "100.81", 2, "0.20162", "USDC");
  ack(spot, OrderStatus::kFilled, "10.00");
  ack(perp, OrderStatus::kFilled, "10.00");
  EXPECT_EQ(sink_.fill_problems, 0);
  EXPECT_EQ(risk_.state(), TradingState::kActive);
  ASSERT_EQ(engine_->phase(0), PairPhase::kOpen);
  const PositionState& pos = portfolio_.position(0);
  EXPECT_EQ(pos.spot.quantity(), D("10.002"));
  EXPECT_EQ(pos.perp.quantity(), D("-10.00"));
  EXPECT_EQ(pos.fees_usd, D("-0.19998") + D("0.20162"));
}

TEST_F(EngineTest, FillWithAFeeThePositionCannotHoldStopsOpeningAndIsStillHedged) {
  OrderSpec spot, perp;
  enter_on_spike_acked(spot, perp);
  fill(spot, "10.01", "100.00", 1, "0.5", "BNB");  // a fee in a third asset
  EXPECT_EQ(sink_.fill_problems, 1);
  EXPECT_EQ(sink_.last_problem, FillProblem::kFeeInOtherAsset);
  EXPECT_EQ(risk_.state(), TradingState::kReduceOnly);
  EXPECT_EQ(portfolio_.position(0).spot.quantity(), D("10.01"));  // the quantity is booked
  fill(perp, "10.00", "100.80", 2, "0.504", "USDC");
  EXPECT_EQ(engine_->phase(0), PairPhase::kOpen);  // the legs are neutral: nothing left naked
  // No new entries while ReduceOnly.
  EXPECT_EQ(sink_.batches.size(), 1u);
}

TEST_F(EngineTest, FundingIsBookedToThePositionThatHeldTheSettlement) {
  open_on_spike();
  ASSERT_EQ(engine_->phase(0), PairPhase::kOpen);
  engine_->on_funding_payment(0, D("0.42"), clock_.now_us() + kUsPerSecond);
  ASSERT_EQ(sink_.funding.size(), 1u);
  EXPECT_EQ(sink_.funding[0].target, FundingTarget::kOpenPosition);
  EXPECT_EQ(portfolio_.position(0).funding, D("0.42"));
  // Settled before this position existed: not this position's.
  engine_->on_funding_payment(0, D("0.10"), clock_.now_us() - kUsPerHour);
  ASSERT_EQ(sink_.funding.size(), 2u);
  EXPECT_EQ(sink_.funding[1].target, FundingTarget::kNoPosition);
  EXPECT_EQ(portfolio_.position(0).funding, D("0.42"));
  EXPECT_EQ(portfolio_.stats().funding, D("0.52"));
}

TEST_F(SpotBorrowTest, PerpPremiumNeverBorrows) {
  params_.basis.allow_spot_borrow = true;
  engine_->set_params(params_);
  books("99.99", "100.00", "100.80", "100.81");
  engine_->on_book_update(0, clock_.now_us());
  ASSERT_EQ(sink_.batches.size(), 1u);
  for (const OrderSpec& o : sink_.batches[0]) {
    EXPECT_FALSE(o.auto_borrow);
    EXPECT_FALSE(o.auto_lend_redeem);
    EXPECT_FALSE(o.auto_borrow_repay);
  }
}

}  // namespace
}  // namespace bparb::exec
