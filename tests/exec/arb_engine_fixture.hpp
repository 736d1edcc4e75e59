#pragma once
// The engine scenario tests' fixture: real books, real strategy/risk/portfolio, a sink that records what
// the daemon would send. Fills are fed back the way the exchange reports them. Included by each
// arb_engine_*_test.cpp (the definitions are per translation unit).
#include <gtest/gtest.h>

#include <string>
#include <variant>
#include <vector>

#include "bparb/exec/arb_engine.hpp"

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

struct RecordingSink : CommandSink, EngineObserver {
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
  BasisDirection last_opportunity_direction = BasisDirection::kPerpPremium;
  Refusal last_quote_refusal = Refusal::kNone;
  int fill_problems = 0;
  FillProblem last_problem = FillProblem::kNone;
  std::vector<FundingOutcome> funding;
  void on_event(const EngineEvent& e) override {
    if (const auto* o = std::get_if<event::Opportunity>(&e)) {
      ++opportunities;
      last_quote_refusal = o->quote.refusal;
      last_opportunity_direction = o->quote.direction;
    } else if (const auto* r = std::get_if<event::EntryRefused>(&e)) {
      ++refused;
      last_refusal = r->decision.rule_name();
    } else if (std::holds_alternative<event::PositionOpened>(e)) {
      ++opened;
    } else if (const auto* c = std::get_if<event::PositionClosed>(&e)) {
      ++closed;
      last_closed = c->position;
      last_exit = c->reason;
    } else if (std::holds_alternative<event::TradeAbandoned>(e)) {
      ++abandoned;
    } else if (const auto* f = std::get_if<event::FillNotBooked>(&e)) {
      ++fill_problems;
      last_problem = f->problem;
    } else if (const auto* fu = std::get_if<event::Funding>(&e)) {
      funding.push_back(fu->outcome);
    } else if (std::holds_alternative<event::LegRisk>(e)) {
      ++leg_risk;
    } else if (const auto* s = std::get_if<event::TradingStateChanged>(&e)) {
      if (s->change.changed) ++state_changes;
    }
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
    engine_.emplace(p, instruments_, risk_, portfolio_, sink_, sink_);
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

}  // namespace
}  // namespace bparb::exec
