// Money end to end: the daemon against bpsim over loopback, its P&L checked against the exchange's own
// fills and funding histories to 1e-9, what it holds against the account's balances and positions, its
// printed figures against the cent, and its journal against both (docs/money.md).
//   - a spot maker rebate (a negative fee paid in the base coin) is booked into the position;
//   - funding settled after the last periodic poll is booked by the final poll before exit;
//   - funding polled after its position closed goes into that position's record;
//   - a spot-premium buy-back is sized for its base-coin fee: no extra hedge order;
//   - a restart carries the restored position's realized P&L, fees and funding into its close;
//   - funding that settled while the daemon was down is booked at the next start to the position that
//     held it, even when that position is closed by then.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <limits>

#include "bpsim_test_util.hpp"
#include "daemon_test_util.hpp"

namespace bparb {
namespace {

using std::chrono::milliseconds;
using testing::DaemonHarness;

Decimal D(const char* s) {
  return Decimal::from_string(s);
}

class DaemonMoney : public DaemonHarness {
 protected:
  // Funding every `ms` on the SOL perp (sim time runs with the wall clock here, so the exchange's
  // settlement times and the daemon's clock agree).
  void funding_every(std::int64_t ms) {
    for (auto& m : sim_config_.exchange.markets)
      if (m.spec.symbol == "SOL_USDC_PERP") m.spec.funding_interval_ms = ms;
  }
  bool hedged_position_open() const {
    return perp_position_open() && (spot_delta() + perp_quantity()).abs() <= D("0.01");
  }
  std::string no_periodic_funding_poll() const { return "funding_poll_seconds = 3600\n"; }
};

TEST_F(DaemonMoney, SpotMakerRebateInTheBaseCoinIsBookedIntoThePosition) {
  fees_ = sim::FeeSchedule{D("-2"), D("10"), D("2"), D("5")};  // spot maker rebate 0.02%
  journal_ = true;
  large_spread_ = "0.005";  // the 80 bps spike plans post-only legs
  use_maker_ = "true";
  start_sim();
  const sim::AccountId tape = sim_->call([this] {
    sim::AccountSetup t;
    t.api_key = "tape-counterparty";
    t.unlimited = true;
    return sim_->rt->exchange().add_account(t);
  });
  // When both post-only entry legs rest, the market trades through them: both fill as maker.
  sim_->when([this] { return sim_->rt->exchange().open_orders(account_).size() == 2; },
             [this, tape] {
               for (const auto& o : sim_->rt->exchange().open_orders(account_))
                 sim_->rt->exchange().fill_resting(o.id, tape, std::numeric_limits<std::int32_t>::max());
               sim_->at(milliseconds(1500), [this] { basis_now(0.0); });
             });
  basis_at(3000, 80.0);
  app::RunSummary s = run(config("", "order_timeout_seconds = 30\nmaker_reprice_bps = 500\n"), 22);
  bool rebate = false;
  for (const auto& f : all_fills()) rebate |= f.symbol == "SOL_USDC" && f.fee.is_negative() && f.fee_symbol == "SOL";
  ASSERT_TRUE(rebate) << "no spot fill with a rebate in SOL\n" << log_;
  EXPECT_EQ(s.stats.executed, 1u) << s.to_string();
  EXPECT_EQ(s.stats.closed, 1u) << s.to_string();
  EXPECT_FALSE(logged(" spot=0 ")) << log_;
  EXPECT_FALSE(logged("could not be booked")) << log_;
  EXPECT_EQ(s.trading_state, "Active");
  expect_money_reconciled(s);
  expect_fills_booked(s);
  expect_journal_matches_exchange();
  expect_journal_money_matches_exchange();
}

TEST_F(DaemonMoney, FundingSettledAfterTheLastPollIsBookedBeforeExit) {
  funding_every(3000);
  journal_ = true;
  extra_toml_ = "[shutdown]\nflatten_on_shutdown = true\n";
  start_sim();
  basis_at(3000, 80.0);  // held until the shutdown flattens it
  app::RunSummary s = run(config("", "", "", no_periodic_funding_poll()), 16);
  ASSERT_GE(funding_payments(), 1u) << s.to_string();
  EXPECT_EQ(s.stats.closed, 1u) << s.to_string();
  EXPECT_EQ(s.stats.funding, funding_received()) << s.to_string();
  EXPECT_TRUE(logged("for closed position #")) << log_;
  expect_money_reconciled(s);
  expect_journal_money_matches_exchange();
}

TEST_F(DaemonMoney, FundingPolledAfterItsPositionClosedIsInThatPositionsRecord) {
  funding_every(3000);
  journal_ = true;
  start_sim();
  basis_at(3000, 80.0);
  sim_->when([this] { return hedged_position_open() && funding_payments() >= 2; }, [this] { basis_now(0.0); });
  app::RunSummary s = run(config("", "", "", no_periodic_funding_poll()), 20);
  ASSERT_EQ(s.stats.closed, 1u) << s.to_string();
  ASSERT_GE(funding_payments(), 2u);
  EXPECT_TRUE(logged("for closed position #")) << log_;
  EXPECT_EQ(s.stats.funding, funding_received());
  // The position's journal row carries every payment.
  journal::Journal j = journal::Journal::open(journal_path().string());
  auto rows = j.positions();
  ASSERT_TRUE(rows.has_value());
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(rows->front().funding, funding_received());
  expect_money_reconciled(s);
  expect_journal_money_matches_exchange();
}

TEST_F(DaemonMoney, SpotPremiumBuyBackCoversTheBorrowAfterItsBaseFee) {
  balances_ = {{"USDC", Decimal::from_int(100'000)}};  // no SOL: the entry sells borrowed SOL
  start_sim();
  basis_at(3000, -80.0);
  sim_->when([this] { return hedged_position_open(); },
             [this] { sim_->at(milliseconds(1000), [this] { basis_now(0.0); }); });
  app::RunSummary s = run(config("allow_spot_borrow = true\n"), 22);
  ASSERT_EQ(s.stats.closed, 1u) << s.to_string();
  EXPECT_EQ(s.hedges, 0u) << "the buy-back needed a hedge\n" << log_;
  // The borrow is repaid in full: what arrived after the SOL fee covers the short, within one step.
  const Decimal sol = sim_->rt->exchange().balance(account_, "SOL");
  EXPECT_FALSE(sol.is_negative()) << sol.str();
  EXPECT_LT(sol, D("0.01")) << sol.str();
  expect_money_reconciled(s);
  expect_fills_booked(s);
}

TEST_F(DaemonMoney, RestartCarriesTheRestoredPositionsRealizedFeesAndFunding) {
  funding_every(3000);
  journal_ = true;
  start_sim();
  // Each perp order fills half (entry, then two completions), so leg risk unwinds the excess spot: the
  // position opens with realized P&L already, then holds over funding settlements.
  faults(R"({"fill_ratio_cap":"0.5","fill_ratio_symbols":["SOL_USDC_PERP"],"fill_ratio_orders":3})");
  basis_at(3000, 80.0);
  app::RunSummary first = run(config(), 14, /*keep_sim=*/true);
  ASSERT_EQ(first.stats.executed, 1u) << first.to_string();
  ASSERT_TRUE(perp_position_open());
  ASSERT_GE(funding_payments(), 1u);
  journal::PositionRecord carried;
  {
    journal::Journal j = journal::Journal::open(journal_path().string());
    auto open = j.open_positions();
    ASSERT_TRUE(open.has_value());
    ASSERT_EQ(open->size(), 1u);
    carried = open->front();
  }
  EXPECT_FALSE(carried.realized.is_zero()) << "the unwind realized nothing";
  EXPECT_TRUE(carried.fees.is_positive());
  EXPECT_FALSE(carried.funding.is_zero());

  sim_->call([this] {
    basis_now(0.0);  // converged: the restored position closes in the second run
    return 0;
  });
  // Stop once the exchange shows the position closed, not after a guessed time: recovery and book sync
  // take longer on a loaded machine (sanitizer builds). The duration is only the upper bound.
  sim_->when([this] { return !perp_position_open(); },
             [this] { sim_->at(std::chrono::milliseconds(800), [] { ::kill(::getpid(), SIGTERM); }); });
  app::RunSummary second = run(config(), 45);
  EXPECT_TRUE(logged("Recovery: restored position SOL")) << log_;
  EXPECT_TRUE(logged("realized " + carried.realized.str())) << log_;
  EXPECT_EQ(second.stats.closed, 1u) << second.to_string();
  // The second run closed the whole position: its totals are the account's, both runs together.
  expect_money_reconciled(second);
  expect_journal_money_matches_exchange();
  EXPECT_TRUE(logged("Closed position #" + std::to_string(carried.position_id) + " SOL")) << log_;
}

TEST_F(DaemonMoney, FundingSettledWhileDownIsBookedToThePositionThatHeldIt) {
  funding_every(3000);
  journal_ = true;
  extra_toml_ = "[shutdown]\nflatten_on_shutdown = true\n";
  start_sim();
  basis_at(3000, 80.0);
  // The first run cannot read the funding history: its polls after the start, the one at the close and
  // the final one all fail (the endpoint is down).
  sim_->when([this] { return hedged_position_open(); },
             [this] { faults_here(R"({"unavailable_paths":["/wapi/v1/history/funding"]})"); });
  app::RunSummary first = run(config("", "", "", no_periodic_funding_poll()), 14, /*keep_sim=*/true);
  ASSERT_EQ(first.stats.closed, 1u) << first.to_string();
  ASSERT_GE(funding_payments(), 1u);
  EXPECT_TRUE(first.stats.funding.is_zero()) << first.to_string();
  EXPECT_GT(counters().unavailable_answers, 0);
  faults(R"({"unavailable_paths":[]})");
  app::RunSummary second = run(config("", "", "", no_periodic_funding_poll()), 6);
  EXPECT_TRUE(logged("was settled while bparb was down")) << log_;
  EXPECT_TRUE(logged("booked to position #")) << log_;
  EXPECT_EQ(second.stats.funding, funding_received());
  expect_journal_money_matches_exchange();
}

}  // namespace
}  // namespace bparb
