// End to end on real data: the hftbacktest Binance BTCUSDT spot + USD-M sample (the sample data directory,
// BPARB_SAMPLE_DATA_DIR), imported
// with the same code as `bparb-import binance`, written as a recording directory, read back with
// RecordingReader and replayed through the runner. SKIPs when the data is absent.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <iostream>

#include "backtest_test_util.hpp"
#include "bparb/backtest/report.hpp"
#include "bparb/backtest/runner.hpp"
#include "bparb/record/binance_import.hpp"
#include "bparb/record/recording.hpp"

namespace bparb::backtest {
namespace {

namespace fs = std::filesystem;
using namespace bparb::backtest::testing;

const std::string kData = std::string(BPARB_SAMPLE_DATA_DIR) + "/hftbacktest/examples";
const std::string kSpotFile = kData + "/spot/btcusdt_20240808.gz";
const std::string kPerpFile = kData + "/usdm/btcusdt_20240808.gz";

struct Imported {
  fs::path dir;
  std::size_t lines = 0;
  std::vector<record::VectorFrameSource::Line> memory;  // the same lines, for the in-memory speed run
};
const Imported& imported() {
  static const Imported* once = [] {
    auto* im = new Imported;
    record::BinanceMarketStats ss, ps;
    auto s = record::convert_binance_file(kSpotFile, record::binance_stand_in_spec("SOL_USDC", false), false, ss);
    auto p = record::convert_binance_file(kPerpFile, record::binance_stand_in_spec("SOL_USDC_PERP", true), true, ps);
    auto lines = record::merge_by_time(std::move(s), std::move(p));
    im->lines = lines.size();
    for (const auto& l : lines) im->memory.push_back({l.receive_time_us, l.kind, l.payload});
    im->dir = fs::temp_directory_path() / ("bparb_backtest_binance_" + std::to_string(::getpid()));
    fs::remove_all(im->dir);
    record::write_recording(lines, im->dir.string());
    return im;
  }();
  return *once;
}

RunnerConfig binance_config() {
  RunnerConfig c = scripted_config();
  c.pairs.clear();
  c.pairs.push_back(
      {"BTC", record::binance_stand_in_spec("SOL_USDC", false), record::binance_stand_in_spec("SOL_USDC_PERP", true)});
  c.fees = {D("8"), D("10"), D("2"), D("5")};
  c.engine.basis.stale_after_us = 2 * kUsPerSecond;
  c.engine.basis.min_confidence = 0.6;
  c.risk.max_book_age_ms = 2'000;
  return c;
}

class BinanceReplay : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(kSpotFile) || !fs::exists(kPerpFile))
      GTEST_SKIP() << "hftbacktest sample not found at " << kData
                   << " (the sample data directory, BPARB_SAMPLE_DATA_DIR)";
  }
  static void TearDownTestSuite() {
    if (fs::exists(kSpotFile)) fs::remove_all(imported().dir);
  }
};

TEST_F(BinanceReplay, ReplaysTheWholeRecordingWithConsistentBooks) {
  const Imported& im = imported();
  record::RecordingReader reader(im.dir.string());
  Runner r(binance_config());
  const auto t0 = std::chrono::steady_clock::now();
  const BacktestResult res = r.run(reader);
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::cout << "[ INFO     ] replayed " << res.events << " events in " << secs
            << " s = " << static_cast<double>(res.events) / secs << " events/s (incl. reading gzip)\n";
  EXPECT_TRUE(reader.error().empty()) << reader.error();
  EXPECT_EQ(reader.stats().malformed, 0u);
  EXPECT_EQ(res.events, im.lines);
  EXPECT_EQ(res.events, 135'203u);
  EXPECT_EQ(res.malformed_frames, 0u);
  EXPECT_EQ(res.resyncs, 0u);  // the sample has no gaps
  const RunnerStats& st = r.stats();
  EXPECT_GT(st.depth_frames, 9'000u);
  EXPECT_EQ(st.snapshots, 2u);
  EXPECT_GT(st.trades_seen, 30'000u);
  EXPECT_EQ(st.crossed_books, 0u);
  EXPECT_EQ(st.unknown_symbol, 0u);
  ASSERT_EQ(res.pairs.size(), 1u);
  const PairSeries& ps = res.pairs[0];
  // Both books valid for most of the run: basis computed on (nearly) every depth update.
  EXPECT_GT(ps.perp_premium.samples, 9'000u);
  EXPECT_EQ(ps.perp_premium.samples, ps.spot_premium.samples);
  // BTCUSDT perp vs spot on 2024-08-08: a few bps apart, never percent.
  EXPECT_GT(ps.perp_premium.min, -100.0);
  EXPECT_LT(ps.perp_premium.max, 100.0);
  EXPECT_LE(ps.perp_premium.p50, ps.perp_premium.p90);
  // Nothing clears 0.2 % net of fees in these six minutes; the equity is flat.
  EXPECT_TRUE(res.trades.empty());
  EXPECT_EQ(res.net_pnl, Decimal::zero());
  EXPECT_GT(res.equity.size(), 300u);  // one point per second over ~6 minutes
  EXPECT_EQ(res.from_us, res.equity.front().t);
}

// Replay speed of the runner alone (frames already in memory), printed for BENCHMARKS/the report note.
TEST_F(BinanceReplay, ReplaySpeedFromMemory) {
  const Imported& im = imported();
  record::VectorFrameSource src(im.memory);
  Runner r(binance_config());
  const auto t0 = std::chrono::steady_clock::now();
  const BacktestResult res = r.run(src);
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::cout << "[ INFO     ] runner alone: " << res.events << " events in " << secs
            << " s = " << static_cast<double>(res.events) / secs << " events/s\n";
  EXPECT_EQ(res.events, 135'203u);
}

// Forced trading (execution threshold far below the basis): the engine really trades against the replayed
// book, every position closes or is marked, and the P&L identity holds exactly.
TEST_F(BinanceReplay, ForcedTradingKeepsThePnlIdentity) {
  const Imported& im = imported();
  record::RecordingReader reader(im.dir.string());
  RunnerConfig c = binance_config();
  c.engine.basis.min_spread_threshold = D("-0.01");
  c.engine.basis.min_execution_threshold = D("-0.01");
  c.engine.basis.min_confidence = 0;
  c.engine.exit.min_closing_spread = D("0.0001");
  c.engine.opening_delay_us = 10 * kUsPerSecond;
  Runner r(c);
  const BacktestResult res = r.run(reader);
  EXPECT_EQ(res.events, 135'203u);
  ASSERT_FALSE(res.trades.empty());
  Decimal net;
  for (const TradeRecord& t : res.trades) {
    EXPECT_EQ(t.net_pnl, t.spread_pnl - t.fees + t.funding) << t.id;
    EXPECT_TRUE(t.quantity.is_positive());
    net += t.net_pnl;
  }
  EXPECT_EQ(res.net_pnl, res.spread_capture - res.fees + res.funding);
  EXPECT_EQ(res.net_pnl, res.equity.back().equity);
  EXPECT_GE(res.max_drawdown, Decimal::zero());
  EXPECT_GT(r.stats().fills, 0u);
  EXPECT_EQ(r.stats().orders_rejected, 0u);
  // Deterministic: a second run over the same recording renders the same summary byte for byte.
  record::RecordingReader reader2(im.dir.string());
  Runner r2(c);
  EXPECT_EQ(render_summary_json(r2.run(reader2)), render_summary_json(res));
  std::cout << "[ INFO     ] forced: " << res.trades.size() << " trades, net " << res.net_pnl.str() << ", fees "
            << res.fees.str() << ", fills " << r.stats().fills << "\n";
}

}  // namespace
}  // namespace bparb::backtest
