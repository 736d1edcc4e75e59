// What the recording let the backtest see: per-market book validity (and the refusal of a run without a
// valid book), and funding paid at recorded rates from markPrice frames.
#include "bparb/backtest/coverage.hpp"

#include <gtest/gtest.h>

#include "backtest_test_util.hpp"
#include "bparb/backtest/report.hpp"
#include "bparb/backtest/runner.hpp"

namespace bparb::backtest {
namespace {

using namespace bparb::backtest::testing;
constexpr TimestampUs kSecond = kUsPerSecond;
// kT0 is 22:13:20 UTC; the perp settles hourly: the next settlement is 23:00:00.
constexpr std::int64_t kNextFundingMs = (kT0 / kUsPerMs / 3'600'000 + 1) * 3'600'000;

const BookValidity& validity_of(const BacktestResult& r, const std::string& sym) {
  for (const BookValidity& b : r.books)
    if (b.symbol == sym) return b;
  ADD_FAILURE() << "no book validity for " << sym;
  return r.books.front();
}

TEST(BookValidity, TimeValidIsCountedPerMarketAcrossAReconnect) {
  Script s;
  s.snapshot(kT0, "SOL_USDC", {{"99.90", "100"}}, {{"100.00", "100"}});
  s.snapshot(kT0 + 1 * kSecond, "SOL_USDC_PERP", {{"99.95", "100"}}, {{"100.05", "100"}});
  s.depth(kT0 + 2 * kSecond, "SOL_USDC_PERP", {{"99.96", "1"}}, {});
  s.raw(kT0 + 5 * kSecond, record::FrameKind::kEvent, R"({"type":"reconnect","symbol":"SOL_USDC_PERP"})");
  s.snapshot(kT0 + 6 * kSecond, "SOL_USDC_PERP", {{"99.95", "100"}}, {{"100.05", "100"}});
  s.depth(kT0 + 10 * kSecond, "SOL_USDC", {{"99.91", "1"}}, {});
  Runner r(scripted_config());
  const BacktestResult res = r.run(s.src);
  ASSERT_EQ(res.books.size(), 2u);
  EXPECT_EQ(res.books[0].symbol, "SOL_USDC");  // spot then perp of each pair
  const BookValidity& spot = validity_of(res, "SOL_USDC");
  EXPECT_EQ(spot.valid_us, 10 * kSecond);  // the whole window [t0, t0+10s]
  EXPECT_EQ(spot.first_valid_us, kT0);
  EXPECT_EQ(spot.snapshots, 1u);
  EXPECT_EQ(spot.depth_frames, 1u);
  EXPECT_EQ(spot.invalidations, 0u);
  const BookValidity& perp = validity_of(res, "SOL_USDC_PERP");
  EXPECT_EQ(perp.valid_us,
            (5 - 1) * kSecond + (10 - 6) * kSecond);  // invalid before its snapshot and during the reconnect
  EXPECT_EQ(perp.first_valid_us, kT0 + 1 * kSecond);
  EXPECT_EQ(perp.snapshots, 2u);
  EXPECT_EQ(perp.invalidations, 1u);
  EXPECT_EQ(no_valid_book_reason(res.books), "");
  // The report carries it.
  const std::string json = render_summary_json(res);
  EXPECT_NE(json.find("\"symbol\": \"SOL_USDC_PERP\",\n      \"depth_frames\": 1,\n      \"snapshots\": 2,\n"
                      "      \"valid_seconds\": 8.000,\n      \"valid_fraction\": 0.8000"),
            std::string::npos)
      << json;
  EXPECT_NE(render_report_html(res).find("<h2>Book validity</h2>"), std::string::npos);
}

TEST(BookValidity, DepthWithoutASnapshotNeverGivesABookAndSaysWhy) {
  Script s;
  for (int i = 0; i < 5; ++i) {
    s.depth(kT0 + i * kSecond, "SOL_USDC", {{"99.90", "100"}}, {{"100.00", "100"}});
    s.depth(kT0 + i * kSecond + 1, "SOL_USDC_PERP", {{"99.95", "100"}}, {{"100.05", "100"}});
  }
  Runner r(scripted_config());
  const BacktestResult res = r.run(s.src);
  EXPECT_EQ(res.events, 10u);
  EXPECT_TRUE(res.trades.empty());
  for (const BookValidity& b : res.books) {
    EXPECT_EQ(b.valid_us, 0);
    EXPECT_EQ(b.first_valid_us, 0);
    EXPECT_EQ(b.depth_frames, 5u);
  }
  const std::string why = no_valid_book_reason(res.books);
  EXPECT_NE(why.find("SOL_USDC never had a valid order book (5 depth frames, 0 snapshots): the recording has no "
                     "rest_depth snapshot"),
            std::string::npos)
      << why;
  EXPECT_NE(why.find("; SOL_USDC_PERP never had"), std::string::npos) << why;
  EXPECT_NE(render_summary_json(res).find("\"first_valid_utc\": null"), std::string::npos);
}

// A pair held short perp / long spot across the 23:00 settlement (as FundingSettlesAtThePerpsInterval...
// in runner_test.cpp, which pays the modelled rate 0.001375687): a recorded rate replaces the model.
Script held_across_settlement() {
  Script s;
  s.snapshot(kT0, "SOL_USDC", {{"99.90", "100"}}, {{"100.00", "100"}});
  s.snapshot(kT0, "SOL_USDC_PERP", {{"101.00", "100"}}, {{"101.10", "100"}});
  return s;
}

TEST(RecordedFunding, TheRecordedRateIsPaidAtTheSettlement) {
  Script s = held_across_settlement();
  s.mark(kT0 + 100, "SOL_USDC_PERP", "101.05", "0.0003", kNextFundingMs);
  s.mark(kT0 + 2000 * kSecond, "SOL_USDC_PERP", "101.05", "0.0001", kNextFundingMs);  // the last one counts
  s.depth(kT0 + 2801 * kSecond, "SOL_USDC", {{"99.90", "100"}}, {});                  // after 23:00:00
  Runner r(scripted_config());
  const BacktestResult res = r.run(s.src);
  ASSERT_EQ(res.trades.size(), 1u);
  // Short 10 perp: -(-10) * mark 101.05 (the venue's mark = perp mid) * 0.0001 = 0.10105.
  EXPECT_EQ(res.trades[0].funding, D("0.10105"));
  EXPECT_EQ(res.funding, D("0.10105"));
  EXPECT_EQ(res.net_pnl, res.spread_capture - res.fees + res.funding);
  ASSERT_EQ(res.funding_feeds.size(), 1u);
  const FundingFeed& f = res.funding_feeds[0];
  EXPECT_EQ(f.symbol, "SOL_USDC_PERP");
  EXPECT_EQ(f.recorded_frames, 2u);
  EXPECT_EQ(f.settlements_recorded, 1u);
  EXPECT_EQ(f.settlements_modelled, 0u);
  EXPECT_EQ(f.off_grid, 0u);
  // The P&L split shows it.
  const std::string html = render_report_html(res);
  EXPECT_NE(html.find("0.10105"), std::string::npos);
}

TEST(RecordedFunding, ARateForATimeOffTheIntervalGridIsNotUsed) {
  Script s = held_across_settlement();
  s.mark(kT0 + 100, "SOL_USDC_PERP", "101.05", "0.0001", kNextFundingMs + 1);
  s.depth(kT0 + 2801 * kSecond, "SOL_USDC", {{"99.90", "100"}}, {});
  Runner r(scripted_config());
  const BacktestResult res = r.run(s.src);
  ASSERT_EQ(res.trades.size(), 1u);
  EXPECT_EQ(res.funding, D("1.390131713"));  // the modelled rate, as without frames
  ASSERT_EQ(res.funding_feeds.size(), 1u);
  EXPECT_EQ(res.funding_feeds[0].off_grid, 1u);
  EXPECT_EQ(res.funding_feeds[0].settlements_recorded, 0u);
  EXPECT_EQ(res.funding_feeds[0].settlements_modelled, 1u);
}

TEST(RecordedFunding, ARateRecordedForAnEarlierSettlementDoesNotCarryOver) {
  Script s = held_across_settlement();
  s.mark(kT0 + 100, "SOL_USDC_PERP", "101.05", "0.0001", kNextFundingMs - 3'600'000);  // already past
  s.depth(kT0 + 2801 * kSecond, "SOL_USDC", {{"99.90", "100"}}, {});
  Runner r(scripted_config());
  const BacktestResult res = r.run(s.src);
  EXPECT_EQ(res.funding, D("1.390131713"));
  EXPECT_EQ(res.funding_feeds[0].settlements_modelled, 1u);
}

}  // namespace
}  // namespace bparb::backtest
