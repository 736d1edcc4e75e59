// Engine scenarios end to end: the daemon against bpsim over loopback, each asserting the
// exchange's fills, positions and balances against what the daemon booked, to the cent.
//   - a partial fill is hedged back to neutral;
//   - a stale (stalled) book blocks entry until it is fresh again;
//   - spot premium with inventory (sell spot, buy perp), without inventory (no entry, reason logged),
//     and with allow_spot_borrow (the spot sell carries autoBorrow and bpsim lends the base);
//   - funding received while holding equals bpsim's funding history and shows on the Closed line;
//   - a fill lost on the private stream is found in the fills history and booked once.
#include <gtest/gtest.h>

#include "bpsim_test_util.hpp"
#include "daemon_test_util.hpp"

namespace bparb {
namespace {

using std::chrono::milliseconds;
using testing::DaemonHarness;

class DaemonScenario : public DaemonHarness {
 protected:
  // Delta-neutral with a full-size position open on the exchange.
  bool hedged_position_open() const {
    return perp_position_open() && (spot_delta() + perp_quantity()).abs() <= Decimal::from_string("0.01");
  }
  // Converge the basis one second after the exchange shows the hedged position.
  void converge_when_open() {
    sim_->when([this] { return hedged_position_open(); },
               [this] { sim_->at(milliseconds(1000), [this] { basis_now(0.0); }); });
  }
};

TEST_F(DaemonScenario, PartialPerpFillIsHedgedBackToNeutralThenClosesReconciled) {
  journal_ = true;
  start_sim();
  // The first perp IOC fills at most half; the cap then switches off so the hedge can complete.
  faults(R"({"fill_ratio_cap":"0.5","fill_ratio_symbols":["SOL_USDC_PERP"],"fill_ratio_orders":1})");
  basis_at(3000, 80.0);
  converge_when_open();
  app::RunSummary s = run(config(), 25);
  EXPECT_EQ(counters().fills_capped, 1) << "the fault did not fire";
  EXPECT_EQ(s.stats.executed, 1u) << s.to_string();
  EXPECT_EQ(s.stats.closed, 1u) << s.to_string();
  EXPECT_GE(s.hedges, 1u) << s.to_string();
  EXPECT_EQ(s.leg_risk_failures, 0u);
  EXPECT_TRUE(logged("Hedging SOL: ")) << s.to_string();
  EXPECT_TRUE(logged("Opened position #"));
  EXPECT_EQ(s.trading_state, "Active");
  expect_neutral();
  expect_flat_and_reconciled(s);
  expect_fills_booked(s);
  expect_client_ids_unique();
  expect_journal_matches_exchange();
}

TEST_F(DaemonScenario, StalledSpotFeedBlocksEntryUntilTheBookIsFreshAgain) {
  // A stale book must not be traded: stall the spot depth stream while the perp moves 80 bps.
  max_book_age_ms_ = 2000;
  sol_model().annual_volatility = 1.5;  // the spot book re-quotes every few hundred ms
  start_sim();
  constexpr int kStallSeconds = 8;
  auto stall_end_us = std::make_shared<TimestampUs>(0);
  auto orders_during_stall = std::make_shared<std::size_t>(999);
  // Once the daemon's spot book is live (it subscribed), stall it and spike the basis.
  sim_->when([this] { return sim_->srv->hub().subscriber_count("depth.SOL_USDC") >= 1 && order_count() == 0; },
             [this, stall_end_us, orders_during_stall] {
               sim_->at(milliseconds(2000), [this, stall_end_us, orders_during_stall] {
                 faults_here(R"({"stall":{"stream":"depth.SOL_USDC","seconds":8}})");
                 *stall_end_us = sim_->rt->wall_clock().now_us() + kStallSeconds * kUsPerSecond;
                 // The spike comes once the stalled spot book is older than max_book_age_ms (2 s): before
                 // that the book is still fresh enough to trade by the rule, and trading it would be right.
                 sim_->at(milliseconds(2500), [this] { basis_now(80.0); });
                 sim_->at(milliseconds(kStallSeconds * 1000 - 100),
                          [this, orders_during_stall] { *orders_during_stall = order_count(); });
               });
             });
  converge_when_open();
  app::RunSummary s = run(config(), 28);
  EXPECT_GT(counters().stalled_frames, 0) << "the stall did not fire";
  EXPECT_EQ(*orders_during_stall, 0u) << "an order was sent on a stale spot book";
  for (const auto& o : sim_->rt->exchange().order_history(account_, history_query()).items)
    EXPECT_GE(o.created_at_us, *stall_end_us - 100 * kUsPerMs) << "order #" << o.client_id.value_or(0);
  // After the stall the feed resyncs and the still-open spread is traded.
  EXPECT_EQ(s.stats.executed, 1u) << s.to_string();
  EXPECT_EQ(s.stats.closed, 1u) << s.to_string();
  expect_flat_and_reconciled(s);
  expect_fills_booked(s);
}

TEST_F(DaemonScenario, SpotPremiumWithInventorySellsSpotBuysPerp) {
  start_sim();            // the account holds 50 SOL
  basis_at(3000, -80.0);  // perp 80 bps BELOW spot
  converge_when_open();
  app::RunSummary s = run(config(), 22);
  EXPECT_TRUE(logged("Found opportunity SOL SpotPremium")) << s.to_string();
  EXPECT_EQ(s.stats.executed, 1u) << s.to_string();
  EXPECT_EQ(s.stats.closed, 1u) << s.to_string();
  // The entry sold spot and bought perp: the oldest spot fill is a sell, the oldest perp fill a buy.
  sim::FillQuery q;
  q.ascending = true;
  q.limit = 1000;
  q.symbol = std::string("SOL_USDC");
  auto spot = sim_->rt->exchange().fills(account_, q).items;
  q.symbol = std::string("SOL_USDC_PERP");
  auto perp = sim_->rt->exchange().fills(account_, q).items;
  ASSERT_FALSE(spot.empty());
  ASSERT_FALSE(perp.empty());
  EXPECT_EQ(spot.front().side, Side::kAsk);
  EXPECT_EQ(perp.front().side, Side::kBid);
  // Inventory was sold, never borrowed: the SOL balance never went below zero, ends near the start.
  EXPECT_FALSE(sim_->rt->exchange().balance(account_, "SOL").is_negative());
  expect_neutral();
  expect_flat_and_reconciled(s);
  expect_fills_booked(s);
}

TEST_F(DaemonScenario, SpotPremiumWithoutInventoryIsRefusedWithTheReason) {
  balances_ = {{"USDC", Decimal::from_int(100'000)}};
  start_sim();
  basis_at(3000, -80.0);
  app::RunSummary s = run(config(), 10);
  EXPECT_EQ(order_count(), 0u) << s.to_string();
  EXPECT_EQ(s.orders_sent, 0u);
  EXPECT_EQ(s.stats.executed, 0u);
  EXPECT_TRUE(logged("Found opportunity SOL SpotPremium")) << log_;
  EXPECT_TRUE(logged("not traded: no_spot_inventory")) << log_;
}

TEST_F(DaemonScenario, SpotPremiumWithAllowSpotBorrowSellsBorrowedSpot) {
  // No SOL at all: only an autoBorrow spot sell can open the trade. bpsim refuses the sell without the
  // flag (INSUFFICIENT_FUNDS), so a fill proves config -> engine -> request JSON -> bpsim carried it.
  balances_ = {{"USDC", Decimal::from_int(100'000)}};
  start_sim();
  auto min_sol = std::make_shared<Decimal>();
  sim_->when([this] { return hedged_position_open(); },
             [this, min_sol] {
               *min_sol = sim_->rt->exchange().balance(account_, "SOL");
               sim_->at(milliseconds(1000), [this] { basis_now(0.0); });
             });
  basis_at(3000, -80.0);
  app::RunSummary s = run(config("allow_spot_borrow = true\n"), 22);
  EXPECT_EQ(s.orders_rejected, 0u) << s.to_string();
  EXPECT_EQ(s.stats.executed, 1u) << s.to_string();
  EXPECT_EQ(s.stats.closed, 1u) << s.to_string();
  EXPECT_TRUE(min_sol->is_negative()) << "the spot sell did not borrow: " << min_sol->str();
  EXPECT_TRUE(logged("SOL_USDC Ask")) << log_;
  // Bought back: the borrow is repaid down to the buy's base-asset fee (sub-step dust).
  EXPECT_LE(sim_->rt->exchange().balance(account_, "SOL").abs(), Decimal::from_string("0.01"));
  expect_flat_and_reconciled(s);
  expect_fills_booked(s);
}

TEST_F(DaemonScenario, FundingReceivedWhileHoldingMatchesTheExchangeToTheCent) {
  // 15 wall seconds per hourly funding interval. Hold +80 bps perp premium: the short perp receives.
  sim_config_.runtime.time_scale = 240.0;
  sol_model().annual_volatility = 0.05;      // sim hours pass quickly: keep the spot calm
  sol_model().basis_reversion_per_hour = 0;  // and the basis where the script puts it
  start_sim();
  basis_at(3000, 80.0);
  // Converge once two payments have reached the account, 11 s after the second (the daemon polls the
  // funding history every 10 s, so it has booked both; the next payment is 15 s away).
  sim_->when([this] { return perp_position_open() && funding_payments() >= 2; },
             [this] { sim_->at(milliseconds(11'000), [this] { basis_now(0.0); }); });
  app::RunSummary s = run(config(), 60);
  ASSERT_EQ(s.stats.closed, 1u) << s.to_string();
  const Decimal exchange_funding = funding_received();
  EXPECT_TRUE(exchange_funding.is_positive()) << exchange_funding.str();
  EXPECT_EQ(s.stats.funding, exchange_funding) << s.to_string();
  // The Closed line carries it, printed to the cent with its parts adding up (docs/money.md): exactly the
  // cents the exchange's own fills and funding give.
  const ExchangeMoney m = exchange_money();
  const Decimal parts[3] = {m.net - m.funding + m.fees_usd, -m.fees_usd, m.funding};
  std::int64_t cents[3];
  const std::int64_t total = split_cents(parts, cents);
  EXPECT_TRUE(logged("pnl=" + format_cents(total) + " USD (spread " + format_cents(cents[0]) + " fees " +
                     format_cents(cents[1]) + " funding " + format_cents(cents[2]) + ") reason="))
      << log_;
  expect_money_reconciled(s);
  EXPECT_EQ(log_count("Funding SOL received"), funding_payments());
  expect_flat_and_reconciled(s);
  expect_fills_booked(s);
}

TEST_F(DaemonScenario, FillMissedOnTheStreamIsBookedFromFillsHistory) {
  // The first two private orderFill frames (the entry's) never arrive; the REST acks still say filled.
  journal_ = true;
  start_sim();
  faults(R"({"drop_order_fills":2})");
  basis_at(3000, 80.0);
  converge_when_open();
  app::RunSummary s = run(config(), 25);
  EXPECT_EQ(counters().order_fills_dropped, 2) << "the fault did not fire";
  EXPECT_EQ(s.stats.executed, 1u) << s.to_string();
  EXPECT_EQ(s.stats.closed, 1u) << s.to_string();
  expect_fills_booked(s);  // every exchange fill booked exactly once
  expect_flat_and_reconciled(s);
  expect_client_ids_unique();
  // Booked by the periodic fills reconciliation or by the engine's settle-timeout query, whichever ran
  // first (both read the fills history; the other then finds the trade already booked).
  EXPECT_TRUE(logged("Fills reconciliation: trade") || logged("fills missing, querying the exchange")) << log_;
  expect_journal_matches_exchange();  // the journal holds the history-booked fills too, once each
}

}  // namespace
}  // namespace bparb

// The request-JSON layer: the order writer emits autoBorrow / autoLendRedeem, bpsim's REST parser maps them
// into the matching engine (no daemon involved).
namespace bpsim_test {
namespace {

TEST(BpsimSpotBorrow, AutoBorrowInTheOrderJsonLetsASpotSellBorrow) {
  SimProcess sim;
  HttpConn http(sim.port());
  const bp::SigningKey key = test_key();  // holds 50 SOL
  bp::OrderRequest o;
  o.symbol = "SOL_USDC";
  o.side = bparb::Side::kAsk;
  o.type = bparb::OrderType::kMarket;
  o.quantity = Decimal::from_int(60);
  auto r = http.signed_order(o, HttpConn::Auth{&key});
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_NE(r.body.find("INSUFFICIENT_FUNDS"), std::string::npos) << r.body;
  o.auto_borrow = true;
  o.auto_lend_redeem = true;
  r = http.signed_order(o, HttpConn::Auth{&key});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find(R"("executedQuantity":"60")"), std::string::npos) << r.body;
  const Decimal sol = sim.on_server([&] {
    auto& ex = sim.runtime_unsafe().exchange();
    return ex.balance(*ex.find_account(key.public_key_base64()), "SOL");
  });
  EXPECT_EQ(sol, Decimal::from_int(-10));  // 10 SOL borrowed
}

}  // namespace
}  // namespace bpsim_test
