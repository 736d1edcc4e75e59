// Backtest runner: synthetic recordings whose trades are known by construction.
#include "bparb/backtest/runner.hpp"

#include <gtest/gtest.h>

#include "backtest_test_util.hpp"
#include "bparb/backtest/report.hpp"

namespace bparb::backtest {
namespace {

using namespace bparb::backtest::testing;
constexpr TimestampUs kS = kUsPerSecond;

// Perp premium opens at t0+1s, converges at t0+2s.
Script basis_path() {
  Script s;
  s.snapshot(kT0, "SOL_USDC", {{"99.90", "100"}}, {{"100.00", "100"}});
  s.snapshot(kT0, "SOL_USDC_PERP", {{"99.95", "100"}}, {{"100.05", "100"}});
  s.mark(kT0 + 100, "SOL_USDC_PERP", "100.00", "0", (kT0 / kUsPerMs / 3'600'000 + 1) * 3'600'000);
  // Perp bid 101.00 vs spot ask 100.00: +1 % premium.
  s.depth(kT0 + 1 * kS, "SOL_USDC_PERP", {{"99.95", "0"}, {"101.00", "100"}}, {{"100.05", "0"}, {"101.10", "100"}});
  // Converged: spot bid 100.50, perp ask 100.50 -> exit basis 0 <= min_closing_spread 0.
  s.depth(kT0 + 2 * kS, "SOL_USDC", {{"99.90", "0"}, {"100.50", "100"}}, {{"100.00", "0"}, {"100.60", "100"}});
  s.depth(kT0 + 2 * kS + 1, "SOL_USDC_PERP", {{"101.00", "0"}, {"100.40", "100"}},
          {{"101.10", "0"}, {"100.50", "100"}});
  s.depth(kT0 + 3 * kS, "SOL_USDC", {{"100.50", "100"}}, {});
  return s;
}

TEST(BacktestRunner, ScriptedBasisPathGivesExactlyOneTradeWithHandComputedPnl) {
  Script s = basis_path();
  Runner r(scripted_config());
  const BacktestResult res = r.run(s.src);
  EXPECT_EQ(res.events, 7u);
  EXPECT_EQ(res.malformed_frames, 0u);
  ASSERT_EQ(res.trades.size(), 1u);
  const TradeRecord& t = res.trades[0];
  EXPECT_EQ(t.direction, "perp_premium");
  // Size: 1000 USD / spot ask 100.00 = 10.00 SOL per leg.
  EXPECT_EQ(t.quantity, D("10"));
  // Entry (sent at t0+1s, filled at the exchange 5 ms later): buy 10 spot @ 100.00, sell 10 perp @ 101.00.
  // Exit (sent at t0+2s+1us): sell 10 spot @ 100.50, buy 10 perp @ 100.50.
  // Spread: spot (100.50-100.00)*10 = 5.00, perp (101.00-100.50)*10 = 5.00 -> 10.00.
  EXPECT_EQ(t.spread_pnl, D("10"));
  // Fees: spot 0 bps; perp taker 5 bps: 1010.00*0.0005 = 0.505 and 1005.00*0.0005 = 0.5025 -> 1.0075.
  EXPECT_EQ(t.fees, D("1.0075"));
  EXPECT_EQ(t.funding, Decimal::zero());
  EXPECT_EQ(t.net_pnl, D("8.9925"));
  EXPECT_EQ(t.exit_reason, "convergence");
  EXPECT_EQ(t.opened_us, kT0 + 1 * kS + 10 * kUsPerMs);  // fills reach the engine after 5 ms + 5 ms
  EXPECT_EQ(t.closed_us, kT0 + 2 * kS + 1 + 10 * kUsPerMs);
  EXPECT_NEAR(t.entry_basis_bps, 100.0, 1e-9);  // (101.00 - 100.00) / 100.00
  EXPECT_EQ(res.net_pnl, D("8.9925"));
  EXPECT_EQ(res.spread_capture, D("10"));
  EXPECT_EQ(res.fees, D("1.0075"));
  EXPECT_EQ(res.wins, 1u);
  EXPECT_EQ(res.losses, 0u);
  EXPECT_EQ(res.opportunities_taken, 1u);
  EXPECT_EQ(res.opportunities_seen, 1u);
  EXPECT_TRUE(res.refusals.empty());
  EXPECT_EQ(r.stats().fills, 4u);
  ASSERT_FALSE(res.equity.empty());
  EXPECT_EQ(res.equity.back().equity, D("8.9925"));
}

// Same path at Backpack VIP 1 fees (spot 8/10, perp 2/5 bps): the spot buy pays its fee in SOL.
TEST(BacktestRunner, ScriptedBasisPathWithSpotFeesInTheBaseAsset) {
  Script s = basis_path();
  RunnerConfig c = scripted_config();
  c.fees = {D("8"), D("10"), D("2"), D("5")};
  Runner r(c);
  const BacktestResult res = r.run(s.src);
  ASSERT_EQ(res.trades.size(), 1u);
  const std::vector<FillLog>& f = r.stats().fill_log;
  ASSERT_EQ(f.size(), 4u);
  // Entry: the engine buys 10 + 10 * 0.001 = 10.01 SOL @ 100.00 so that 10.01 - fee 0.01001 SOL = 9.99999
  // SOL are held against the 10 perp short (sold @ 101.00, fee 1010.00 * 5 bps = 0.505 USDC).
  EXPECT_EQ(f[0].quantity, D("10.01"));
  EXPECT_EQ(f[0].fee, D("0.01001"));
  EXPECT_EQ(f[1].fee, D("0.505"));
  // Exit: sell 9.99 SOL (the holding, down to the 0.01 step) @ 100.50, fee 1003.995 * 10 bps = 1.003995;
  // buy 10 perp @ 100.50, fee 1005.00 * 5 bps = 0.5025.
  EXPECT_EQ(f[2].quantity, D("9.99"));
  EXPECT_EQ(f[2].price, D("100.50"));
  EXPECT_EQ(f[2].fee, D("1.003995"));
  EXPECT_EQ(f[3].fee, D("0.5025"));
  const TradeRecord& t = res.trades[0];
  // Spread: perp (101.00 - 100.50) * 10 = 5; spot 9.99999 SOL (the 0.00999 left is below one step and
  // written off at the last price) * (100.50 - 100.00) = 4.999995 -> 9.999995.
  EXPECT_EQ(t.spread_pnl, D("9.999995"));
  // Fees in USD: 0.01001 SOL * 100.00 = 1.001, + 0.505 + 1.003995 + 0.5025 = 3.012495.
  EXPECT_EQ(t.fees, D("3.012495"));
  EXPECT_EQ(t.net_pnl, D("6.9875"));
  EXPECT_EQ(res.net_pnl, D("6.9875"));
}

// Maker plan: spot bid post-only at 99.90 behind 30 SOL recorded there, perp ask post-only at 101.10
// behind 20 SOL.
Script maker_path() {
  Script s;
  s.snapshot(kT0, "SOL_USDC", {{"99.90", "30"}}, {{"100.00", "100"}});
  s.snapshot(kT0, "SOL_USDC_PERP", {{"101.00", "100"}}, {{"101.10", "20"}});
  return s;
}
RunnerConfig maker_config() {
  RunnerConfig c = scripted_config();
  c.engine.basis.use_maker_for_large_spreads = true;
  c.engine.basis.large_spread_threshold = D("0.005");  // entry spread 1 % -> maker plan
  c.engine.maker_timeout_us = 60 * kS;
  c.engine.hedge_deadline_us = 60 * kS;
  c.engine.max_unhedged_usd = D("100000");  // a leg filled alone waits for its partner as a maker
  c.fees = {D("0"), D("0"), D("2"), D("5")};
  return c;
}
std::vector<FillLog> fills_on(const RunnerStats& st, const std::string& sym) {
  std::vector<FillLog> out;
  for (const FillLog& f : st.fill_log)
    if (f.symbol == sym) out.push_back(f);
  return out;
}

TEST(BacktestRunner, MakerOrderFillsOnlyAfterTheQuantityAheadHasTraded) {
  Script s = maker_path();
  // The engine sees the 1 % premium on the first book update after both snapshots.
  s.depth(kT0 + 1 * kS, "SOL_USDC", {{"99.90", "30"}}, {});
  // Recorded cancels ahead: the level shrinks to 26, so at most 26 can still be ahead of us.
  s.depth(kT0 + 2 * kS, "SOL_USDC", {{"99.90", "26"}}, {});
  // A seller hits 25 at our price: all of it is queue ahead (26 -> 1 left ahead), nothing for us.
  s.trade(kT0 + 3 * kS, "SOL_USDC", "99.90", "25", true);
  // A BUYER at 99.90 (m=false) is not a trade against the bids: no effect on our queue.
  s.trade(kT0 + 4 * kS, "SOL_USDC", "99.90", "50", false);
  // A seller hits 4: 1 ahead, then 3 fill us.
  s.trade(kT0 + 5 * kS, "SOL_USDC", "99.90", "4", true);
  // Perp: a buyer lifts 20 at 101.10 = exactly the queue ahead of our ask; no fill.
  s.trade(kT0 + 6 * kS, "SOL_USDC_PERP", "101.10", "20", false);
  // A buyer at 101.20 traded THROUGH our ask: 2 fill us at our price.
  s.trade(kT0 + 7 * kS, "SOL_USDC_PERP", "101.20", "2", false);
  s.depth(kT0 + 8 * kS, "SOL_USDC", {{"99.90", "26"}}, {});
  Runner r(maker_config());
  const BacktestResult res = r.run(s.src);
  const std::vector<FillLog> spot = fills_on(r.stats(), "SOL_USDC");
  const std::vector<FillLog> perp = fills_on(r.stats(), "SOL_USDC_PERP");
  ASSERT_FALSE(spot.empty());
  // First spot fill: the trade at t0+5s, seen by the engine 5 ms later, 3 SOL as maker at 99.90.
  EXPECT_EQ(spot[0].t, kT0 + 5 * kS + 5 * kUsPerMs);
  EXPECT_EQ(spot[0].quantity, D("3"));
  EXPECT_EQ(spot[0].price, D("99.90"));
  EXPECT_EQ(spot[0].side, Side::kBid);
  EXPECT_TRUE(spot[0].maker);
  ASSERT_FALSE(perp.empty());
  EXPECT_EQ(perp[0].t, kT0 + 7 * kS + 5 * kUsPerMs);
  EXPECT_EQ(perp[0].quantity, D("2"));
  EXPECT_EQ(perp[0].price, D("101.10"));
  EXPECT_TRUE(perp[0].maker);
  // perp maker fee 2 bps of 202.20 = 0.04044
  EXPECT_EQ(perp[0].fee, D("0.04044"));
  EXPECT_EQ(r.stats().tape_fills, 2u);
  EXPECT_EQ(res.malformed_frames, 0u);
}

TEST(BacktestRunner, WithoutTheQueueModelRecordedTradesFillNothing) {
  Script s = maker_path();
  s.depth(kT0 + 1 * kS, "SOL_USDC", {{"99.90", "30"}}, {});
  s.trade(kT0 + 3 * kS, "SOL_USDC", "99.90", "100", true);
  s.depth(kT0 + 4 * kS, "SOL_USDC", {{"99.90", "30"}}, {});
  RunnerConfig c = maker_config();
  c.queue_model = false;
  Runner r(c);
  r.run(s.src);
  EXPECT_TRUE(fills_on(r.stats(), "SOL_USDC").empty());
  EXPECT_EQ(r.stats().tape_fills, 0u);
}

// The premium appears at t1; 20 ms later the spot ask moves from 100.00 to 100.02 (still inside the
// taker limit 100.00 * 1.002). Orders reach the exchange at t1 + latency.
Script moving_ask() {
  Script s;
  s.snapshot(kT0, "SOL_USDC", {{"99.90", "100"}}, {{"100.00", "100"}});
  s.snapshot(kT0, "SOL_USDC_PERP", {{"99.95", "100"}}, {{"100.05", "100"}});
  s.depth(kT0 + 1 * kS, "SOL_USDC_PERP", {{"99.95", "0"}, {"101.00", "100"}}, {{"100.05", "0"}, {"101.10", "100"}});
  s.depth(kT0 + 1 * kS + 20 * kUsPerMs, "SOL_USDC", {}, {{"100.00", "0"}, {"100.02", "100"}});
  s.depth(kT0 + 2 * kS, "SOL_USDC_PERP", {{"101.00", "100"}}, {});
  return s;
}

// The response part of the latency on its own: the order still reaches the exchange at t1 + 10 ms (the
// ask at 100.00), the engine hears of the fill 30 ms after that.
TEST(BacktestRunner, ResponseLatencyDelaysOnlyTheAnswers) {
  Script s = moving_ask();
  RunnerConfig c = scripted_config();
  c.latency.fixed_us = 10 * kUsPerMs;
  c.latency.response_fixed_us = 30 * kUsPerMs;
  Runner r(c);
  r.run(s.src);
  const std::vector<FillLog> spot = fills_on(r.stats(), "SOL_USDC");
  ASSERT_FALSE(spot.empty());
  EXPECT_EQ(spot[0].price, D("100.00"));
  EXPECT_EQ(spot[0].t, kT0 + 1 * kS + 40 * kUsPerMs);
}

// At exactly t1 + 20 ms the order is delivered before the line stamped with that time is applied.
TEST(BacktestRunner, FillPriceReflectsTheBookAtSendTimePlusLatency) {
  for (const auto& [latency_ms, price] :
       {std::pair<int, const char*>{10, "100.00"}, {20, "100.00"}, {21, "100.02"}, {50, "100.02"}}) {
    Script s = moving_ask();
    RunnerConfig c = scripted_config();
    c.latency.fixed_us = latency_ms * kUsPerMs;
    Runner r(c);
    r.run(s.src);
    const std::vector<FillLog> spot = fills_on(r.stats(), "SOL_USDC");
    ASSERT_FALSE(spot.empty()) << latency_ms;
    EXPECT_EQ(spot[0].price, D(price)) << "latency " << latency_ms << " ms";
    // The engine hears of it one more latency later.
    EXPECT_EQ(spot[0].t, kT0 + 1 * kS + 2 * latency_ms * kUsPerMs) << latency_ms;
  }
}

TEST(BacktestRunner, SampledLatencyIsSeededAndDeterministic) {
  auto run = [](std::uint64_t seed) {
    Script s = basis_path();
    RunnerConfig c = scripted_config();
    c.latency.samples_us = {1 * kUsPerMs, 7 * kUsPerMs, 30 * kUsPerMs};
    c.latency.seed = seed;
    Runner r(c);
    BacktestResult res = r.run(s.src);
    return std::make_pair(res, r.stats().fill_log);
  };
  const auto a = run(7), b = run(7);
  ASSERT_EQ(a.second.size(), b.second.size());
  for (std::size_t i = 0; i < a.second.size(); ++i) {
    EXPECT_EQ(a.second[i].t, b.second[i].t);
    EXPECT_EQ(a.second[i].price, b.second[i].price);
  }
  EXPECT_EQ(a.first.net_pnl, b.first.net_pnl);
  EXPECT_EQ(a.first.equity.size(), b.first.equity.size());
  // Each fill arrives at one of the sampled round trips after its send time.
  for (const FillLog& f : a.second) {
    const TimestampUs since = (f.t - kT0) % kS;
    EXPECT_TRUE(since == 2 * kUsPerMs || since == 8 * kUsPerMs || since == 14 * kUsPerMs || since == 31 * kUsPerMs ||
                since == 37 * kUsPerMs || since == 60 * kUsPerMs || since == 2 * kUsPerMs + 1 ||
                since == 8 * kUsPerMs + 1 || since == 14 * kUsPerMs + 1 || since == 31 * kUsPerMs + 1 ||
                since == 37 * kUsPerMs + 1 || since == 60 * kUsPerMs + 1)
        << since;
  }
}

// A perp premium from the start, held across the 23:00 UTC hourly settlement (t0 = 22:13:20).
TEST(BacktestRunner, FundingSettlesAtThePerpsIntervalAndIsBookedToTheTrade) {
  Script s;
  s.snapshot(kT0, "SOL_USDC", {{"99.90", "100"}}, {{"100.00", "100"}});
  s.snapshot(kT0, "SOL_USDC_PERP", {{"101.00", "100"}}, {{"101.10", "100"}});
  s.depth(kT0 + 2801 * kS, "SOL_USDC", {{"99.90", "100"}}, {});  // any line after 23:00:00
  Runner r(scripted_config());
  const BacktestResult res = r.run(s.src);
  ASSERT_EQ(res.trades.size(), 1u);
  const TradeRecord& t = res.trades[0];
  EXPECT_EQ(t.quantity, D("10"));  // short 10 perp @ 101.00, long 10 spot @ 100.00
  EXPECT_EQ(t.closed_us, 0);
  EXPECT_EQ(t.exit_reason, "end_of_data");
  // The venue's premium is constant from t0: perp mid 101.05 / spot mid 99.95 - 1 = 0.011005503 (1e-9,
  // nearest). Hourly rate = premium * 1h / 8h = 0.001375687 (toward zero). Payment to the short:
  // -(-10) * mark 101.05 * 0.001375687 = 1.3901317135 -> 1.390131713 (toward -inf).
  EXPECT_EQ(t.funding, D("1.390131713"));
  EXPECT_EQ(res.funding, D("1.390131713"));
  EXPECT_EQ(r.stats().funding_payments, 1u);
  // Marked at exit prices: spot bid 99.90 (-1.00), perp ask 101.10 (-1.00); perp taker fee 1010.00 * 5 bps.
  EXPECT_EQ(t.spread_pnl, D("-2"));
  EXPECT_EQ(t.fees, D("0.505"));
  EXPECT_EQ(t.net_pnl, D("-2") - D("0.505") + D("1.390131713"));
  EXPECT_EQ(res.net_pnl, t.net_pnl);
}

TEST(BacktestRunner, AnOpportunityNotTakenCountsOneRefusalPerEpisode) {
  Script s = basis_path();
  RunnerConfig c = scripted_config();
  c.engine.basis.min_execution_threshold = D("0.05");  // the 1 % premium is an opportunity, not tradeable
  Runner r(c);
  const BacktestResult res = r.run(s.src);
  EXPECT_TRUE(res.trades.empty());
  EXPECT_EQ(res.opportunities_seen, 1u);
  EXPECT_EQ(res.opportunities_taken, 0u);
  ASSERT_EQ(res.refusals.size(), 1u);
  EXPECT_EQ(res.refusals[0].reason, "below_execution_threshold");
  EXPECT_EQ(res.refusals[0].count, 1u);
}

TEST(BacktestRunner, SameScriptSameReportByteForByte) {
  std::string json[2], html[2];
  for (int i = 0; i < 2; ++i) {
    Script s = basis_path();
    Runner r(scripted_config());
    const BacktestResult res = r.run(s.src);
    json[i] = render_summary_json(res);
    html[i] = render_report_html(res);
  }
  EXPECT_EQ(json[0], json[1]);
  EXPECT_EQ(html[0], html[1]);
  EXPECT_NE(json[0].find("8.9925"), std::string::npos);
}

TEST(BacktestRunner, MalformedLinesAreCountedAndSkipped) {
  Script s = basis_path();
  s.raw(kT0 + 4 * kS, record::FrameKind::kWs, "{\"stream\":\"depth.SOL_USDC\",\"data\":{\"U\":\"x\"}}");
  s.raw(kT0 + 4 * kS, record::FrameKind::kWs, "not json");
  s.raw(kT0 + 4 * kS, record::FrameKind::kRestDepth, "{\"symbol\":\"SOL_USDC\"}");
  s.raw(kT0 + 4 * kS, record::FrameKind::kEvent, "{\"detail\":\"no type\"}");
  Runner r(scripted_config());
  const BacktestResult res = r.run(s.src);
  EXPECT_EQ(res.events, 11u);
  EXPECT_EQ(res.malformed_frames, 4u);
  ASSERT_EQ(res.trades.size(), 1u);
  EXPECT_EQ(res.net_pnl, D("8.9925"));
}

TEST(BacktestRunner, FromAndToBoundTheTradedWindow) {
  // Trading starts after the premium appeared and vanished: no trade, but the books were warm.
  Script s = basis_path();
  RunnerConfig c = scripted_config();
  c.from_us = kT0 + 2 * kS + 1;
  Runner r(c);
  const BacktestResult res = r.run(s.src);
  EXPECT_TRUE(res.trades.empty());
  EXPECT_EQ(res.from_us, kT0 + 2 * kS + 1);
  // `to` before the premium: nothing after it is replayed.
  Script s2 = basis_path();
  RunnerConfig c2 = scripted_config();
  c2.to_us = kT0 + kS / 2;
  Runner r2(c2);
  const BacktestResult res2 = r2.run(s2.src);
  EXPECT_EQ(res2.events, 3u);
  EXPECT_TRUE(res2.trades.empty());
  EXPECT_EQ(res2.to_us, kT0 + 100);
}

TEST(BacktestRunner, RefusesAnUnusableSetup) {
  RunnerConfig c = scripted_config();
  c.pairs.clear();
  EXPECT_THROW(Runner{c}, std::invalid_argument);
  RunnerConfig c2 = scripted_config();
  std::swap(c2.pairs[0].spot, c2.pairs[0].perp);
  EXPECT_THROW(Runner{c2}, std::invalid_argument);
  RunnerConfig c3 = scripted_config();
  c3.latency.samples_us = {-1};
  EXPECT_THROW(Runner{c3}, std::invalid_argument);
}

TEST(BacktestTimeArg, UnixSecondsAndIsoUtc) {
  TimestampUs t = 0;
  ASSERT_TRUE(parse_time_arg("1700000000", t));
  EXPECT_EQ(t, kT0);
  ASSERT_TRUE(parse_time_arg("1700000000.25", t));
  EXPECT_EQ(t, kT0 + 250'000);
  ASSERT_TRUE(parse_time_arg("2023-11-14T22:13:20Z", t));
  EXPECT_EQ(t, kT0);
  ASSERT_TRUE(parse_time_arg("2023-11-14 22:13:20.5", t));
  EXPECT_EQ(t, kT0 + 500'000);
  ASSERT_TRUE(parse_time_arg("2024-08-08", t));
  EXPECT_EQ(t, 1'723'075'200LL * kUsPerSecond);
  ASSERT_TRUE(parse_time_arg("2024-08-08T23:55", t));
  EXPECT_EQ(t, (1'723'075'200LL + 23 * 3600 + 55 * 60) * kUsPerSecond);
  for (const char* bad : {"", "abc", "-5", "12:00", "2024-13-01", "2024-08-08T25:00", "2024-08-08T23:55:00+02:00",
                          "2024-08-08X", "1.2.3", "1e9", "2024-8-8"})
    EXPECT_FALSE(parse_time_arg(bad, t)) << bad;
}

}  // namespace
}  // namespace bparb::backtest
