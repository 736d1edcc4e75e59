// The market maker in the backtest ([strategy] kind = "market_maker"): its quotes meet the simulated
// venue's queue model, latency and post-only check; its report adds up.
#include <gtest/gtest.h>

#include <string>

#include "backtest_test_util.hpp"
#include "bparb/backtest/parsed_recording.hpp"
#include "bparb/backtest/report.hpp"
#include "bparb/backtest/runner.hpp"
#include "bparb/record/recording.hpp"

namespace bparb::backtest {
namespace {

using namespace bparb::backtest::testing;
constexpr TimestampUs kMs = kUsPerMs;
const std::string kPerp = "SOL_USDC_PERP";

// The market maker alone on SOL_USDC_PERP: default [mm] (quotes join the touch, 30 USD, side from the
// taker flow), perp maker fee 2 bps, 5 ms each way.
RunnerConfig mm_config() {
  RunnerConfig c;
  c.mm_markets.push_back(sol_spec(true));
  c.risk.max_book_age_ms = 60'000;
  c.risk.max_position_usd = D("5000");
  c.fees = {D("0"), D("0"), D("2"), D("5")};
  c.latency.fixed_us = 5 * kMs;
  return c;
}

// Bid 100.00 x 5 SOL (500 lots ahead of anyone joining it), ask 100.02. A seller-taker print at t0+100 ms
// turns the taker flow to the bid: the quote (0.30 SOL = 30 USD) is sent then and reaches the venue 5 ms
// later, behind the 500 lots. Seller-taker prints at 100.00 then take the queue: 300, 150, then 100 lots, of
// which the last 50 reach our quote (the remaining 30 lots of it: the whole quote).
Script queue_script(bool last_print) {
  Script s;
  s.snapshot(kT0, kPerp, {{"100.00", "5"}}, {{"100.02", "5"}});
  s.trade(kT0 + 100 * kMs, kPerp, "100.00", "0.01", true);
  s.trade(kT0 + 500 * kMs, kPerp, "100.00", "3", true);
  s.trade(kT0 + 1000 * kMs, kPerp, "100.00", "1.5", true);
  if (last_print) s.trade(kT0 + 1500 * kMs, kPerp, "100.00", "1", true);
  s.depth(kT0 + 2000 * kMs, kPerp, {}, {{"100.03", "1"}});  // an unrelated level: the book stays fresh
  return s;
}

TEST(MmBacktest, AQuoteFillsOnlyOnceTheQueueAheadOfItHasTraded) {
  Script s = queue_script(true);
  Runner r(mm_config());
  const BacktestResult res = r.run(s.src);
  ASSERT_EQ(res.market_maker.size(), 1u);
  const MmMarketResult& m = res.market_maker[0];
  EXPECT_GE(m.quotes_placed, 1);
  // 450 of the 500 lots ahead traded by t0+1 s: nothing filled; the print at t0+1.5 s fills the quote,
  // reported to the engine 5 ms later.
  ASSERT_EQ(r.stats().fill_log.size(), 1u);
  const FillLog& f = r.stats().fill_log[0];
  EXPECT_EQ(f.t, kT0 + 1505 * kMs);
  EXPECT_EQ(f.side, Side::kBid);
  EXPECT_EQ(f.price, D("100.00"));
  EXPECT_EQ(f.quantity, D("0.3"));
  EXPECT_TRUE(f.maker);
  EXPECT_EQ(r.stats().tape_fills, 1u);
  // Hand-computed: bought 0.3 at 100.00 with the mid at 100.01 -> spread capture 0.003; fee 2 bps of 30 USD.
  EXPECT_EQ(m.maker_volume_usd, D("30"));
  EXPECT_EQ(m.maker_fills, 1);
  EXPECT_EQ(m.spread_capture, D("0.003"));
  EXPECT_EQ(m.fees, D("-0.006"));
  EXPECT_EQ(m.total, D("-0.003"));
  EXPECT_EQ(m.net_per_million, D("-100"));  // -0.003 / 30 x 1e6
  EXPECT_EQ(m.position, D("0.3"));
  EXPECT_EQ(res.net_pnl, m.total);
}

TEST(MmBacktest, NoFillWhileAnyOfTheQueueAheadIsLeft) {
  Script s = queue_script(false);  // 450 of 500 lots traded
  Runner r(mm_config());
  const BacktestResult res = r.run(s.src);
  ASSERT_EQ(res.market_maker.size(), 1u);
  EXPECT_GE(res.market_maker[0].quotes_placed, 1);
  EXPECT_TRUE(r.stats().fill_log.empty());
  EXPECT_EQ(res.market_maker[0].maker_volume_usd, Decimal::zero());
}

TEST(MmBacktest, WithoutTheQueueModelPrintsFillNothingAndTheBookNeverCrosses) {
  Script s = queue_script(true);
  RunnerConfig c = mm_config();
  c.queue_model = false;
  Runner r(c);
  r.run(s.src);
  EXPECT_TRUE(r.stats().fill_log.empty());
}

TEST(MmBacktest, AQuoteTheBookHasCrossedByTheTimeItArrivesIsAPostOnlyReject) {
  Script s;
  s.snapshot(kT0, kPerp, {{"100.00", "5"}}, {{"100.02", "5"}});
  s.trade(kT0 + 100 * kMs, kPerp, "100.00", "0.01", true);  // the bid quote leaves now, arrives at +105 ms
  // At +102 ms the ask comes down to 100.00: the quote would take when it arrives.
  s.depth(kT0 + 102 * kMs, kPerp, {{"100.00", "0"}, {"99.99", "5"}}, {{"100.02", "0"}, {"100.00", "5"}});
  s.depth(kT0 + 1000 * kMs, kPerp, {}, {{"100.03", "1"}});
  Runner r(mm_config());
  const BacktestResult res = r.run(s.src);
  ASSERT_EQ(res.market_maker.size(), 1u);
  EXPECT_GE(res.market_maker[0].post_only_rejects, 1);
  EXPECT_TRUE(r.stats().fill_log.empty());  // it never took
}

// A settlement while the market maker holds a position is paid at the recorded rate and booked into its
// P&L split (funding), which still adds up.
TEST(MmBacktest, FundingOnTheQuotedPerpIsBookedIntoTheSplit) {
  const TimestampUs hour = 3'600 * kUsPerSecond;
  const TimestampUs h = (kT0 / hour + 1) * hour;  // the next hourly settlement
  Script s;
  s.snapshot(h - 2000 * kMs, kPerp, {{"100.00", "5"}}, {{"100.02", "5"}});
  s.mark(h - 1900 * kMs, kPerp, "100.01", "0.0001", h / kMs);
  s.trade(h - 1900 * kMs, kPerp, "100.00", "0.01", true);  // the bid quote rests behind 500 lots
  s.trade(h - 1500 * kMs, kPerp, "100.00", "5.3", true);   // takes them and fills the quote: long 0.3
  s.depth(h + 500 * kMs, kPerp, {}, {{"100.03", "1"}});
  Runner r(mm_config());
  const BacktestResult res = r.run(s.src);
  ASSERT_EQ(res.market_maker.size(), 1u);
  const MmMarketResult& m = res.market_maker[0];
  ASSERT_EQ(m.position, D("0.3"));
  EXPECT_EQ(r.stats().funding_payments, 1u);
  EXPECT_EQ(m.funding, D("-0.0030003"));  // a long pays the positive rate: 0.3 x mark 100.01 x 0.0001
  EXPECT_EQ(res.funding, m.funding);
  EXPECT_EQ(m.spread_capture + m.adverse_selection + m.inventory + m.fees + m.funding + m.hedge_cost, m.total);
  ASSERT_EQ(res.funding_feeds.size(), 1u);
  EXPECT_EQ(res.funding_feeds[0].settlements_recorded, 1u);
}

// Over the inventory cap the market maker sends a reduce-only IOC hedge, which takes the recorded book as a
// taker; its crossing and its fee are the split's hedge cost.
TEST(MmBacktest, OverTheCapAReduceOnlyHedgeTakesTheBookAndIsTheHedgeCost) {
  RunnerConfig c = mm_config();
  // The cap is 30.05 USD of equity: 30 lots at a mid of 100.01, 29 once the mid is 101.01.
  c.mm.inventory_cap_fraction = D("0.0003005");
  Script s;
  s.snapshot(kT0, kPerp, {{"100.00", "5"}}, {{"100.02", "5"}});
  s.trade(kT0 + 100 * kMs, kPerp, "100.00", "0.01", true);  // the bid quote (0.3) rests behind 500 lots
  s.trade(kT0 + 500 * kMs, kPerp, "100.00", "5.3", true);   // fills it: long 0.3, at the cap
  // 2 ms after the fill reached the engine the market is 1.00 higher: the cap is 29 lots, one lot over.
  s.depth(kT0 + 507 * kMs, kPerp, {{"100.00", "0"}, {"101.00", "5"}}, {{"100.02", "0"}, {"101.02", "5"}});
  s.depth(kT0 + 1000 * kMs, kPerp, {}, {{"101.03", "1"}});
  Runner r(c);
  const BacktestResult res = r.run(s.src);
  ASSERT_EQ(res.market_maker.size(), 1u);
  const MmMarketResult& m = res.market_maker[0];
  EXPECT_EQ(m.maker_fills, 1);
  ASSERT_EQ(m.hedge_fills, 1);
  EXPECT_GE(m.hedges_sent, 1u);
  EXPECT_EQ(m.position, D("0.29"));  // reduced, never past zero
  const FillLog& h = r.stats().fill_log.back();
  EXPECT_EQ(h.side, Side::kAsk);
  EXPECT_EQ(h.quantity, D("0.01"));
  EXPECT_EQ(h.price, D("101.00"));
  EXPECT_FALSE(h.maker);
  // Sold 0.01 at 101.00 against a mid of 101.01 (-0.0001) and paid 5 bps of 1.01 (0.000505).
  EXPECT_EQ(m.hedge_cost, D("-0.000605"));
  EXPECT_EQ(m.spread_capture + m.adverse_selection + m.inventory + m.fees + m.funding + m.hedge_cost, m.total);
  EXPECT_EQ(res.fees, D("0.006505"));  // the quote's maker fee and the hedge's taker fee
}

// The recorded book crosses our resting bid (its ask comes down onto it: a maker fill for us), then goes
// back. The venue's background must follow it back, or the stale ask it kept would refuse the next quote at
// that price as post-only.
TEST(MmBacktest, AfterTheBookCrossedOurQuoteTheVenueFollowsTheBookBack) {
  Script s;
  s.snapshot(kT0, kPerp, {{"100.00", "5"}}, {{"100.02", "5"}});
  s.trade(kT0 + 100 * kMs, kPerp, "100.00", "0.01", true);  // the bid quote rests at 100.00 from +105 ms
  s.depth(kT0 + 200 * kMs, kPerp, {{"100.00", "0"}, {"99.99", "5"}}, {{"100.00", "5"}});
  s.depth(kT0 + 300 * kMs, kPerp, {{"99.99", "0"}, {"100.00", "5"}}, {{"100.00", "0"}});
  s.depth(kT0 + 1500 * kMs, kPerp, {}, {{"100.03", "1"}});
  Runner r(mm_config());
  const BacktestResult res = r.run(s.src);
  ASSERT_EQ(res.market_maker.size(), 1u);
  const MmMarketResult& m = res.market_maker[0];
  ASSERT_EQ(r.stats().fill_log.size(), 1u);  // the cross filled the quote, as maker, at its price
  EXPECT_EQ(r.stats().fill_log[0].t, kT0 + 205 * kMs);
  EXPECT_EQ(r.stats().fill_log[0].price, D("100.00"));
  EXPECT_TRUE(r.stats().fill_log[0].maker);
  EXPECT_GE(m.quotes_placed, 3);  // the first, one at 99.99 while crossed, one back at 100.00
  EXPECT_EQ(m.post_only_rejects, 0);
  EXPECT_EQ(r.stats().venue_refusals, 0u);
}

// The shipped recording: 60 s of SOL_USDC_PERP from bpsim's busy taker crowd.
BacktestResult run_fixture(RunnerStats* stats = nullptr) {
  RunnerConfig c = mm_config();
  c.risk.max_orders_per_minute = 300;
  record::RecordingReader reader(BPARB_TEST_DATA_DIR "/mm_sol");
  Runner r(c);
  BacktestResult res = r.run(reader);
  if (stats != nullptr) *stats = r.stats();
  return res;
}

TEST(MmBacktest, OnTheShippedRecordingThePnlPartsAddUpAndTheCurveAgreesWithTheStats) {
  RunnerStats st;
  const BacktestResult res = run_fixture(&st);
  ASSERT_EQ(res.market_maker.size(), 1u);
  const MmMarketResult& m = res.market_maker[0];
  EXPECT_GT(m.maker_fills, 0);
  EXPECT_GT(m.quotes_placed, m.maker_fills);
  EXPECT_EQ(m.spread_capture + m.adverse_selection + m.inventory + m.fees + m.funding + m.hedge_cost, m.total);
  EXPECT_EQ(res.spread_capture - res.fees + res.funding, res.net_pnl);
  EXPECT_EQ(res.net_pnl, m.total);
  // Every fill of ours came from the order stream: as many maker fills as the stats booked.
  std::int64_t maker = 0;
  for (const FillLog& f : st.fill_log) maker += f.maker ? 1 : 0;
  EXPECT_EQ(maker, m.maker_fills);
  // The curve's 1 s, 5 s and 30 s points are the stats' own markouts; horizon 0 is no move.
  ASSERT_EQ(m.markout_curve.size(), 10u);
  EXPECT_EQ(m.markout_curve[0].markout, Decimal::zero());
  for (const MmMarkoutPoint& c : m.markout_curve) {
    if (c.horizon_us == kUsPerSecond) {
      EXPECT_EQ(c.markout, m.markout_1s);
    } else if (c.horizon_us == 5 * kUsPerSecond) {
      EXPECT_EQ(c.markout, m.markout_5s);
    } else if (c.horizon_us == 30 * kUsPerSecond) {
      EXPECT_EQ(c.markout, m.markout_30s);
    }
    EXPECT_EQ(c.fills, static_cast<std::uint64_t>(m.quote_fills));
  }
  EXPECT_EQ(m.adverse_selection, m.markout_30s);
  // Position over time: the last point is the final position.
  ASSERT_FALSE(m.inventory_series.empty());
  EXPECT_EQ(m.inventory_series.back().position, m.position);
  EXPECT_EQ(m.inventory_series.back().pnl, m.total);
  EXPECT_GT(st.mm_positions_given, 0u);
}

TEST(MmBacktest, TheReportCarriesTheMarketMakerSectionAndIsDeterministic) {
  const BacktestResult a = run_fixture();
  const BacktestResult b = run_fixture();
  const std::string json = render_summary_json(a);
  EXPECT_EQ(json, render_summary_json(b));
  EXPECT_NE(json.find("\"market_maker\": ["), std::string::npos);
  EXPECT_NE(json.find("\"net_per_million_usd\""), std::string::npos);
  EXPECT_NE(json.find("\"markout_curve\""), std::string::npos);
  EXPECT_NE(json.find("\"adverse_selection\""), std::string::npos);
  const std::string html = render_report_html(a);
  EXPECT_EQ(html, render_report_html(b));
  EXPECT_NE(html.find("<h2>Market maker</h2>"), std::string::npos);
  EXPECT_NE(html.find("aria-label=\"markout curve\""), std::string::npos);
  EXPECT_NE(html.find("aria-label=\"position over time\""), std::string::npos);
  EXPECT_NE(html.find("aria-label=\"market maker P&amp;L split\""), std::string::npos);
  EXPECT_EQ(html.find("<h2>Basis over time</h2>"), std::string::npos);    // no pair traded
  EXPECT_EQ(html.find("http"), html.find("http://www.w3.org/2000/svg"));  // no link but the SVG namespace
  const std::string line = mm_summary_line(a.market_maker[0]);
  EXPECT_EQ(line.rfind("market maker SOL_USDC_PERP: maker volume ", 0), 0u) << line;
  EXPECT_NE(line.find("net per 1M USD volume"), std::string::npos);
}

TEST(MmBacktest, ABasisRunHasNoMarketMakerKey) {
  Script s;
  s.snapshot(kT0, "SOL_USDC", {{"99.90", "100"}}, {{"100.00", "100"}});
  s.snapshot(kT0, kPerp, {{"99.95", "100"}}, {{"100.05", "100"}});
  Runner r(scripted_config());
  const BacktestResult res = r.run(s.src);
  EXPECT_TRUE(res.market_maker.empty());
  EXPECT_EQ(render_summary_json(res).find("market_maker"), std::string::npos);
  EXPECT_EQ(render_report_html(res).find("Market maker"), std::string::npos);
}

}  // namespace
}  // namespace bparb::backtest
