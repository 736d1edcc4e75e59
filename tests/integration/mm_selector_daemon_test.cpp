// The market maker's selector in the daemon, end to end: bpsim lists five perps that differ in taker volume,
// spread and exclusion; the built `bparb run` with [mm.selector] picks, logs one line per perp with its numbers,
// quotes only what it picked, and on SIGHUP stops quoting a perp the file now excludes and starts quoting the
// perp it picks instead, live. A restart that picks another perp still cancels the quote a crash left on the
// one the last run quoted, and books its fill made while down.
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <thread>

#include "mm_daemon_fixture.hpp"

namespace bparb {
namespace {

using std::chrono::milliseconds;
using namespace testing::mm_daemon;

// Five perps on bpsim, each failing the selector for another reason but two (the top-of-book floor is low and
// the spread ceiling wide: the busy takers eat into SOL's 600 USD top level, at times below 300 and for a frame
// past 5 bps): SOL (busy, tight) and ETH (tight, a
// trickle of takers) qualify, and max_markets = 1 takes the busier.
class MmSelectorDaemon : public MmDaemon {
 protected:
  void adjust(sim::SimConfig& sc) override {
    for (auto& c : sc.model.coins) {
      c.perp.half_spread_bps = 1;
      c.perp.level_spacing_bps = 1;
      c.perp.level_notional_usd = 600;
      if (c.coin == "ETH") {
        c.perp.taker_rate_per_minute = 120;
        c.perp.taker_mean_notional_usd = 50;
      } else if (c.coin == "BTC") {
        c.perp.taker_rate_per_minute = 600;  // the busiest, but excluded
        c.perp.taker_mean_notional_usd = 400;
      } else if (c.coin == "JUP") {
        c.perp.taker_rate_per_minute = 600;  // busy but wide
        c.perp.taker_mean_notional_usd = 400;
        c.perp.half_spread_bps = 20;
      }
      // SUI: no taker, no volume
    }
  }
};

TEST_F(MmSelectorDaemon, TheSelectorPicksTheBusiestQualifiedPerpQuotesOnlyItAndSighupDropsIt) {
  markets_line_.clear();
  mm_extra_ =
      "[mm.selector]\nenabled = true\nmax_markets = 1\nmin_quote_volume_usd = 1\nmax_spread_bps = 10\n"
      "min_top_depth_usd = 100\nexclude = [\"BTC_USDC_PERP\"]\n";
  std::this_thread::sleep_for(milliseconds(3'000));  // 24 h volume to rank by
  start(1);
  ASSERT_TRUE(wait_for([&] { return resting().size() == 1; }, milliseconds(20'000))) << "no quote rests\n" << log(1);
  const std::string l = log(1);
  const auto line_of = [&l](const std::string& head) {
    const std::size_t at = l.find(head);
    return at == std::string::npos ? std::string() : l.substr(at, l.find('\n', at) - at);
  };
  const std::string sol = line_of("MM selector: SOL_USDC_PERP ");
  EXPECT_NE(sol.find("SOL_USDC_PERP chosen (#1): 24h volume "), std::string::npos) << l;
  EXPECT_NE(sol.find(" USD >= 1, spread "), std::string::npos) << sol;
  EXPECT_NE(sol.find(" bps <= 10, top depth "), std::string::npos) << sol;
  EXPECT_NE(line_of("MM selector: ETH_USDC_PERP ").find("not chosen: ranked #2, beyond max_markets 1 (24h volume "),
            std::string::npos)
      << l;
  EXPECT_EQ(line_of("MM selector: BTC_USDC_PERP "),
            "MM selector: BTC_USDC_PERP not chosen: excluded ([mm.selector] exclude)")
      << l;
  EXPECT_EQ(line_of("MM selector: SUI_USDC_PERP "), "MM selector: SUI_USDC_PERP not chosen: 24h volume 0.00 USD < 1")
      << l;
  const std::string jup = line_of("MM selector: JUP_USDC_PERP ");
  EXPECT_NE(jup.find("JUP_USDC_PERP not chosen: spread "), std::string::npos) << l;
  EXPECT_NE(jup.find(" bps > 10 (24h volume "), std::string::npos) << jup;
  EXPECT_NE(l.find("MM: market-making SOL_USDC_PERP |"), std::string::npos) << l;
  // Only SOL is quoted, on the venue.
  const auto all_open = sim_->call([this] { return sim_->rt->exchange().open_orders(account_); });
  for (const sim::SimOrder& o : all_open) EXPECT_EQ(o.symbol, kPerp);
  // SIGHUP with SOL excluded too: the selector picks ETH now; SOL's quote is pulled and nothing more is quoted
  // there, and ETH gets its streams and is quoted in this run.
  mm_extra_ =
      "[mm.selector]\nenabled = true\nmax_markets = 1\nmin_quote_volume_usd = 1\nmax_spread_bps = 10\n"
      "min_top_depth_usd = 100\nexclude = [\"BTC_USDC_PERP\", \"SOL_USDC_PERP\"]\n";
  write_config(1);
  ::kill(child_, SIGHUP);
  const std::string dropped =
      "MM SOL_USDC_PERP: the market selector no longer picks it: quote pulled, nothing "
      "quoted (position ";
  ASSERT_TRUE(wait_for([&] { return log(1).find(dropped) != std::string::npos; }, milliseconds(10'000))) << log(1);
  EXPECT_NE(log(1).find("MM selector: it now picks ETH_USDC_PERP (quoted until now: SOL_USDC_PERP)"), std::string::npos)
      << log(1);
  EXPECT_TRUE(wait_for(
      [&] {
        return log(1).find(
                   "MM ETH_USDC_PERP: picked by the market selector: book and trade streams subscribed; "
                   "quoting once its book is valid and the account poll gave its position") != std::string::npos;
      },
      milliseconds(5'000)))
      << log(1);
  EXPECT_NE(log(1).find("MM selector: SOL_USDC_PERP not chosen: excluded ([mm.selector] exclude)"), std::string::npos);
  ASSERT_TRUE(wait_for([&] { return resting().empty(); }, milliseconds(5'000))) << log(1);
  const auto orders_on = [this](const std::string& symbol) {
    std::vector<sim::SimOrder> out;
    for (const sim::SimOrder& o : order_history())
      if (o.symbol == symbol) out.push_back(o);
    return out;
  };
  const std::size_t sol_orders = orders_on(kPerp).size();
  // ETH is quoted by this run (its thin flow picks a side within seconds).
  ASSERT_TRUE(wait_for([&] { return !orders_on("ETH_USDC_PERP").empty(); }, milliseconds(30'000)))
      << "ETH never quoted\n"
      << log(1);
  const auto eth_resting = [this] {
    return sim_->call([this] { return sim_->rt->exchange().open_orders(account_, std::string_view("ETH_USDC_PERP")); });
  };
  ASSERT_TRUE(wait_for([&] { return !eth_resting().empty(); }, milliseconds(30'000))) << log(1);
  EXPECT_TRUE(wait_for([&] { return log(1).find("MM ETH_USDC_PERP: quote placed #") != std::string::npos; },
                       milliseconds(5'000)))
      << log(1);
  // A taker fills one lot of ETH's quote: the daemon books it from the private stream.
  const std::vector<sim::SimOrder> q = eth_resting();
  ASSERT_FALSE(q.empty());
  const std::int64_t filled = sim_->call(
      [this, id = q[0].id] { return sim_->rt->exchange().fill_resting(id, sim_->rt->model()->taker_account(), 1); });
  EXPECT_EQ(filled, 1);
  ASSERT_TRUE(wait_for([&] { return log(1).find("MM ETH_USDC_PERP: quote fill #") != std::string::npos; },
                       milliseconds(10'000)))
      << log(1);
  EXPECT_EQ(orders_on(kPerp).size(), sol_orders) << "SOL quoted again after the selector dropped it\n" << log(1);
  stop_cleanly();
  EXPECT_TRUE(sim_->call([this] { return sim_->rt->exchange().open_orders(account_); }).empty());
  // Never two orders of ours resting on one market, SOL before the reload nor ETH after it.
  const auto most = sim_->call([this] { return watch_.max_resting_by_symbol; });
  EXPECT_EQ(most.count("ETH_USDC_PERP"), 1u);
  for (const auto& [symbol, n] : most) EXPECT_LE(n, 1u) << symbol << "\n" << log(1);
  expect_journal_matches_exchange();
  // The exit summary's positions are bpsim's, to the lot, on both markets.
  const std::string summary = testing::slurp_file(out_);
  for (const std::string& symbol : {std::string(kPerp), std::string("ETH_USDC_PERP")}) {
    const StatsPnl st = parse_stats_pnl(summary, symbol);
    ASSERT_TRUE(st.parsed) << symbol << "\n" << summary;
    EXPECT_EQ(st.position, position(symbol))
        << symbol << ": daemon " << st.position.str() << " vs bpsim " << position(symbol).str();
    EXPECT_EQ(st.total, st.parts_sum) << symbol;
  }
  EXPECT_FALSE(position("ETH_USDC_PERP").is_zero());
}

// A crash with a quote resting on SOL, then a restart whose selector picks only ETH: start-up still cancels the
// order left on SOL (the journal's open intent names the market) and books the fill it made while down, once.
TEST_F(MmSelectorDaemon, ARestartPickingAnotherPerpCancelsTheQuoteACrashLeftAndBooksItsFill) {
  markets_line_.clear();
  mm_extra_ =
      "[mm.selector]\nenabled = true\nmax_markets = 1\nmin_quote_volume_usd = 1\nmax_spread_bps = 10\n"
      "min_top_depth_usd = 100\nexclude = [\"BTC_USDC_PERP\"]\n";
  std::this_thread::sleep_for(milliseconds(3'000));  // 24 h volume to rank by
  start(1);
  ASSERT_TRUE(wait_for([&] { return resting().size() == 1; }, milliseconds(20'000))) << "no quote rests\n" << log(1);
  sim_->call([this] {
    sim_->rt->model()->set_background_trading(false);
    return 0;
  });
  kill9();
  const std::vector<sim::SimOrder> orphans = resting();
  ASSERT_EQ(orphans.size(), 1u);
  const sim::SimOrder orphan = orphans[0];
  const std::size_t fills_before = fills().size();
  const std::int64_t filled = sim_->call(
      [this, &orphan] { return sim_->rt->exchange().fill_resting(orphan.id, sim_->rt->model()->taker_account(), 1); });
  ASSERT_EQ(filled, 1);
  ASSERT_EQ(fills().size(), fills_before + 1);
  ASSERT_EQ(resting().size(), 1u) << "one lot of the quote filled, the rest still rests";

  mm_extra_ =
      "[mm.selector]\nenabled = true\nmax_markets = 1\nmin_quote_volume_usd = 1\nmax_spread_bps = 10\n"
      "min_top_depth_usd = 100\nexclude = [\"BTC_USDC_PERP\", \"SOL_USDC_PERP\"]\n";
  start(2);
  const std::string l = log(2);
  EXPECT_NE(l.find("MM: market-making ETH_USDC_PERP |"), std::string::npos) << l;
  EXPECT_NE(
      l.find("Journal: an order of an earlier run may rest on SOL_USDC_PERP, a market this run does not trade (#" +
             std::to_string(orphan.client_id.value_or(0))),
      std::string::npos)
      << l;
  EXPECT_NE(l.find("Cancelling 1 orphan order(s) on SOL_USDC_PERP"), std::string::npos) << l;
  EXPECT_NE(l.find("Journal: recovered fill made while bparb was down: SOL_USDC_PERP"), std::string::npos) << l;
  EXPECT_TRUE(resting().empty()) << "the orphan on SOL still rests\n" << l;
  stop_cleanly();
  EXPECT_TRUE(sim_->call([this] { return sim_->rt->exchange().open_orders(account_); }).empty());
  expect_journal_matches_exchange();  // every fill of the account once, the orphan's intent settled
}

// max_markets = 2: SOL and ETH qualify and are both quoted by the daemon, each with at most one order of ours
// resting, and the exit summary adds their total.
TEST_F(MmSelectorDaemon, TwoPickedPerpsAreQuotedAtOnceAndTheSummaryAddsThemUp) {
  markets_line_.clear();
  mm_extra_ =
      "[mm.selector]\nenabled = true\nmax_markets = 2\nmin_quote_volume_usd = 1\nmax_spread_bps = 10\n"
      "min_top_depth_usd = 100\nexclude = [\"BTC_USDC_PERP\"]\n";
  std::this_thread::sleep_for(milliseconds(3'000));  // 24 h volume to rank by
  start(1);
  EXPECT_NE(log(1).find("MM: market-making SOL_USDC_PERP, ETH_USDC_PERP |"), std::string::npos) << log(1);
  // Both markets are quoted by the one daemon (ETH's thin flow picks a side later than SOL's), never with two
  // orders of ours resting on one market.
  std::size_t most_sol = 0, most_eth = 0;
  const bool both = wait_for(
      [&] {
        std::size_t sol = 0, eth = 0;
        for (const sim::SimOrder& o : sim_->call([this] { return sim_->rt->exchange().open_orders(account_); }))
          ++(o.symbol == "ETH_USDC_PERP" ? eth : sol);
        most_sol = std::max(most_sol, sol);
        most_eth = std::max(most_eth, eth);
        bool sol_quoted = false, eth_quoted = false;
        for (const sim::SimOrder& o : order_history()) {
          sol_quoted = sol_quoted || o.symbol == kPerp;
          eth_quoted = eth_quoted || o.symbol == "ETH_USDC_PERP";
        }
        return sol_quoted && eth_quoted;
      },
      milliseconds(30'000));
  EXPECT_TRUE(both) << log(1);
  EXPECT_LE(most_sol, 1u);
  EXPECT_LE(most_eth, 1u);
  stop_cleanly();
  EXPECT_TRUE(sim_->call([this] { return sim_->rt->exchange().open_orders(account_); }).empty());
  const std::string summary = testing::slurp_file(out_);
  EXPECT_NE(summary.find("MM stats SOL_USDC_PERP: "), std::string::npos) << summary;
  EXPECT_NE(summary.find("MM stats ETH_USDC_PERP: "), std::string::npos) << summary;
  EXPECT_NE(summary.find("MM stats total (2 markets): maker volume "), std::string::npos) << summary;
  expect_journal_matches_exchange();
}

}  // namespace
}  // namespace bparb
