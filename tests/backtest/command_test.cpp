// `bparb backtest` as a user runs it: the built binary next to this test's build directory
// (<build>/bparb, found through /proc/self/exe). SKIPs when that binary has not been built.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "backtest_test_util.hpp"
#include "bparb/record/binance_import.hpp"
#include "bparb/record/recording.hpp"

namespace bparb::backtest {
namespace {

namespace fs = std::filesystem;
using namespace bparb::backtest::testing;

fs::path bparb_binary() {
  std::error_code ec;
  const fs::path self = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::path() : self.parent_path().parent_path() / "bparb";
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

struct CmdResult {
  int code = -1;
  std::string out, err;
};

class BacktestCommand : public ::testing::Test {
 protected:
  void SetUp() override {
    bin_ = bparb_binary();
    if (bin_.empty() || !fs::exists(bin_)) GTEST_SKIP() << "bparb binary not built at " << bin_;
    dir_ = fs::temp_directory_path() / ("bparb_backtest_cmd_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    // A binary older than the backtest command (tests rebuilt, bparb not) is skipped, not failed.
    const std::string help = bin_.string() + " --help >" + (dir_ / "help.txt").string() + " 2>&1";
    if (std::system(help.c_str()) != 0 || slurp(dir_ / "help.txt").find("bparb backtest") == std::string::npos)
      GTEST_SKIP() << bin_ << " has no backtest command (rebuild the bparb target)";
    // The scripted basis path as a recording file.
    {
      Script s;
      s.snapshot(kT0, "SOL_USDC", {{"99.90", "100"}}, {{"100.00", "100"}});
      s.snapshot(kT0, "SOL_USDC_PERP", {{"99.95", "100"}}, {{"100.05", "100"}});
      s.depth(kT0 + kUsPerSecond, "SOL_USDC_PERP", {{"99.95", "0"}, {"101.00", "100"}},
              {{"100.05", "0"}, {"101.10", "100"}});
      s.depth(kT0 + 2 * kUsPerSecond, "SOL_USDC", {{"99.90", "0"}, {"100.50", "100"}},
              {{"100.00", "0"}, {"100.60", "100"}});
      s.depth(kT0 + 2 * kUsPerSecond + 1, "SOL_USDC_PERP", {{"101.00", "0"}, {"100.40", "100"}},
              {{"101.10", "0"}, {"100.50", "100"}});
      s.depth(kT0 + 3 * kUsPerSecond, "SOL_USDC", {{"100.50", "100"}}, {});
      record::RecordingWriter w((dir_ / "basis.frames").string(), false);
      record::FrameLine l;
      while (s.src.next(l)) w.write(l.receive_time_us, l.kind, l.payload);
    }
    std::ofstream cfg(dir_ / "bt.toml");
    cfg << "pairs = [\"SOL\"]\n[exchange]\nmode = \"paper\"\n[paper]\nsim_config = \"" << BPARB_SOURCE_DIR
        << "/config/sim.toml\"\n[strategy]\nopening_delay_seconds = 0\nconfidence_threshold = 0\n"
        << "large_spread_threshold = 0.05\nposition_size_usd = 1000\ntake_profit_usd = 0\n"
        << "[risk]\nmax_position_usd = 5000\nmax_book_age_ms = 60000\n"
        << "[backtest]\nspot_maker_fee_bps = 0\nspot_taker_fee_bps = 0\nperp_maker_fee_bps = 2\n"
        << "perp_taker_fee_bps = 5\norder_latency_ms = 5\n";
  }
  void TearDown() override {
    if (!dir_.empty()) fs::remove_all(dir_);
  }

  CmdResult run(const std::string& args) {
    CmdResult r;
    const std::string cmd =
        bin_.string() + " backtest " + args + " >" + (dir_ / "out.txt").string() + " 2>" + (dir_ / "err.txt").string();
    const int st = std::system(cmd.c_str());
    r.code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    r.out = slurp(dir_ / "out.txt");
    r.err = slurp(dir_ / "err.txt");
    return r;
  }
  std::string base() const {
    return "--config " + (dir_ / "bt.toml").string() + " --data " + (dir_ / "basis.frames").string();
  }

  fs::path bin_, dir_;
};

TEST_F(BacktestCommand, WritesTheReportAndTheSameBytesTwice) {
  const CmdResult a = run(base() + " --report " + (dir_ / "r1").string());
  ASSERT_EQ(a.code, 0) << a.err;
  EXPECT_NE(a.out.find("1 trades, net P&L 8.99 USD"), std::string::npos) << a.out;
  EXPECT_NE(a.out.find("events/s"), std::string::npos) << a.out;
  const CmdResult b = run(base() + " --report " + (dir_ / "r2").string());
  ASSERT_EQ(b.code, 0) << b.err;
  const std::string s1 = slurp(dir_ / "r1" / "summary.json");
  EXPECT_NE(s1.find("\"net_pnl\": \"8.9925\""), std::string::npos) << s1.substr(0, 800);
  // Byte for byte, except the report directory name which is not part of the files.
  EXPECT_EQ(s1, slurp(dir_ / "r2" / "summary.json"));
  EXPECT_EQ(slurp(dir_ / "r1" / "report.html"), slurp(dir_ / "r2" / "report.html"));
  EXPECT_FALSE(slurp(dir_ / "r1" / "report.html").empty());
}

// [strategy] kind = "market_maker": the market maker quotes the recorded perp; its line, then the report.
TEST_F(BacktestCommand, AMarketMakerConfigRunsTheMarketMakerAndReportsIt) {
  std::ofstream cfg(dir_ / "mm.toml");
  cfg << "[exchange]\nmode = \"paper\"\n[paper]\nsim_config = \"" << BPARB_SOURCE_DIR
      << "/config/paper-mm-sim.toml\"\n[risk]\nmax_orders_per_minute = 300\n[strategy]\nkind = \"market_maker\"\n"
      << "[mm]\nmarkets = [\"SOL_USDC_PERP\"]\n[backtest]\nperp_maker_fee_bps = 2\n";
  cfg.close();
  const CmdResult a = run("--config " + (dir_ / "mm.toml").string() +
                          " --data " BPARB_TEST_DATA_DIR "/mm_sol --report " + (dir_ / "mm").string());
  ASSERT_EQ(a.code, 0) << a.err;
  EXPECT_EQ(a.out.rfind("market maker SOL_USDC_PERP: maker volume ", 0), 0u) << a.out;
  EXPECT_NE(a.out.find("market-maker fills, net P&L"), std::string::npos) << a.out;
  // 2 bps on 285.24 USD of maker volume is 0.0570 USD paid: printed as what it adds to the P&L, to the cent,
  // half away from zero.
  EXPECT_NE(a.out.find("maker volume 285.24 USD"), std::string::npos) << a.out;
  EXPECT_NE(a.out.find("(fees -0.06, funding 0.00)"), std::string::npos) << a.out;
  EXPECT_NE(slurp(dir_ / "mm" / "summary.json").find("\"market_maker\": ["), std::string::npos);
  EXPECT_NE(slurp(dir_ / "mm" / "report.html").find("<h2>Market maker</h2>"), std::string::npos);
}

TEST_F(BacktestCommand, SweepWritesARankedTable) {
  const CmdResult a =
      run(base() + " --report " + (dir_ / "rs").string() +
          " --sweep strategy.position_size_usd=500:1000:500 --sweep strategy.min_closing_spread=0:0.001:0.001");
  ASSERT_EQ(a.code, 0) << a.err;
  EXPECT_NE(a.out.find("sweep: 4 grid points"), std::string::npos) << a.out;
  const std::string csv = slurp(dir_ / "rs" / "sweep.csv");
  EXPECT_NE(csv.find("strategy.position_size_usd"), std::string::npos) << csv;
  EXPECT_NE(csv.find("8.9925"), std::string::npos) << csv;  // 1000 USD, close at 0
  EXPECT_TRUE(fs::exists(dir_ / "rs" / "sweep.md"));
}

TEST_F(BacktestCommand, BadInputGetsAClearErrorNamingTheArgument) {
  const std::string rep = " --report " + (dir_ / "bad").string();
  const std::string cfg = "--config " + (dir_ / "bt.toml").string();
  const std::pair<std::string, std::string> cases[] = {
      {cfg + " --data " + (dir_ / "nope").string() + rep, "--data: \""},
      {cfg + rep, "--data is required"},
      {base(), "--report is required"},
      {base() + rep + " --sweep strategy.x=1:2", "--sweep strategy.x: expected from:to:step"},
      {base() + rep + " --sweep exchange.mode=1:2:1", "--sweep: key \"exchange.mode\" is not allowed"},
      {base() + rep + " --sweep strategy.no_such_key=1:2:1", "strategy.no_such_key: unknown key"},
      {base() + rep + " --sweep strategy.min_execution_threshold=0.5:0.5:1", "strategy.min_execution_threshold"},
      {base() + rep + " --from yesterday", "--from: \"yesterday\" is not a time"},
      {base() + rep + " --to 2024-02-30T25:00", "--to: \"2024-02-30T25:00\" is not a time"},
      {base() + rep + " --from 2000 --to 1000", "--to is before --from"},
      {base() + rep + " --frobnicate", "unexpected argument \"--frobnicate\""},
      {base() + rep + " --sweep", "--sweep: missing value"},
  };
  for (const auto& [args, want] : cases) {
    const CmdResult r = run(args);
    EXPECT_EQ(r.code, 2) << args << "\n" << r.err;
    EXPECT_NE(r.err.find(want), std::string::npos) << args << "\n" << r.err;
  }
  EXPECT_FALSE(fs::exists(dir_ / "bad"));  // nothing written on bad input
}

TEST_F(BacktestCommand, BadBacktestTableIsRefusedWithFileKeyAndRange) {
  const std::pair<std::string, std::string> cases[] = {
      {"order_latency_ms = -1", "backtest.order_latency_ms: -1 is out of range"},
      {"response_latency_ms = 60001", "backtest.response_latency_ms: 60001 is out of range"},
      {"latency_samples_ms = [1, \"x\"]", "backtest.latency_samples_ms: element"},
      {"markets = \"coinbase\"", "backtest.markets"},
      {"perp_taker_fee_bps = -1", "backtest.perp_taker_fee_bps"},
      {"sample_interval_seconds = 0", "backtest.sample_interval_seconds"},
      {"queue_model = 1", "backtest.queue_model"},
      {"latency_ms = 5", "backtest.latency_ms: unknown key"},
  };
  for (const auto& [line, want] : cases) {
    std::ofstream cfg(dir_ / "badcfg.toml");
    cfg << "pairs = [\"SOL\"]\n[exchange]\nmode = \"paper\"\n[backtest]\n" << line << "\n";
    cfg.close();
    const CmdResult r = run("--config " + (dir_ / "badcfg.toml").string() + " --data " +
                            (dir_ / "basis.frames").string() + " --report " + (dir_ / "bad").string());
    EXPECT_EQ(r.code, 2) << line << "\n" << r.err;
    EXPECT_NE(r.err.find(want), std::string::npos) << line << "\n" << r.err;
    EXPECT_NE(r.err.find("badcfg.toml"), std::string::npos) << r.err;
  }
}

TEST_F(BacktestCommand, FromSkipsThePremiumToLeaveNoTrade) {
  // --from after the premium vanished (t0 + 2.5 s): the books warm up, nothing trades.
  const CmdResult a =
      run(base() + " --report " + (dir_ / "rf").string() + " --from " + std::to_string(kT0 / kUsPerSecond + 2) + ".5");
  ASSERT_EQ(a.code, 0) << a.err;
  EXPECT_NE(a.out.find("0 trades"), std::string::npos) << a.out;
}

// The imported Binance sample through the CLI with tests/backtest/data/binance_backtest.toml: it trades,
// and two runs write the same summary.json and report.html byte for byte.
TEST_F(BacktestCommand, BinanceSampleTwiceGivesByteIdenticalReports) {
  const std::string data = std::string(BPARB_SAMPLE_DATA_DIR) + "/hftbacktest/examples";
  if (!fs::exists(data + "/spot/btcusdt_20240808.gz") || !fs::exists(data + "/usdm/btcusdt_20240808.gz"))
    GTEST_SKIP() << "hftbacktest sample not found at " << data;
  record::BinanceMarketStats ss, ps;
  auto spot = record::convert_binance_file(data + "/spot/btcusdt_20240808.gz",
                                           record::binance_stand_in_spec("SOL_USDC", false), false, ss);
  auto perp = record::convert_binance_file(data + "/usdm/btcusdt_20240808.gz",
                                           record::binance_stand_in_spec("SOL_USDC_PERP", true), true, ps);
  record::write_recording(record::merge_by_time(std::move(spot), std::move(perp)), (dir_ / "binance").string());
  const std::string args =
      "--config " BPARB_TEST_DATA_DIR "/binance_backtest.toml --data " + (dir_ / "binance").string() + " --report ";
  const CmdResult a = run(args + (dir_ / "b1").string());
  ASSERT_EQ(a.code, 0) << a.err;
  EXPECT_NE(a.out.find("135203 events (0 malformed)"), std::string::npos) << a.out;
  EXPECT_EQ(a.out.find(" 0 trades"), std::string::npos) << a.out;  // the zero-fee config does trade
  const CmdResult b = run(args + (dir_ / "b2").string());
  ASSERT_EQ(b.code, 0) << b.err;
  EXPECT_EQ(slurp(dir_ / "b1" / "summary.json"), slurp(dir_ / "b2" / "summary.json"));
  EXPECT_EQ(slurp(dir_ / "b1" / "report.html"), slurp(dir_ / "b2" / "report.html"));
}

}  // namespace
}  // namespace bparb::backtest

namespace bparb::backtest {
namespace {

// tests/backtest/data/no_snapshot.frames: depth diffs, bookTickers and trades of both SOL markets, but no
// rest_depth line to start the depth from. The run is refused as a result: exit 1 and why, on stderr;
// the report is still written (it shows the books were never valid).
TEST_F(BacktestCommand, ARecordingWithNoValidBookIsNotCalledAResult) {
  const CmdResult r = run("--config " + (dir_ / "bt.toml").string() +
                          " --data " BPARB_TEST_DATA_DIR "/no_snapshot.frames --report " + (dir_ / "ns").string());
  EXPECT_EQ(r.code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find("not a result"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("SOL_USDC never had a valid order book (10 depth frames, 0 snapshots): the recording has no "
                       "rest_depth snapshot"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("SOL_USDC_PERP never had a valid order book"), std::string::npos) << r.err;
  const std::string summary = slurp(dir_ / "ns" / "summary.json");
  EXPECT_NE(summary.find("\"first_valid_utc\": null"), std::string::npos) << summary.substr(0, 1200);
  EXPECT_NE(summary.find("\"events\": 50"), std::string::npos);
  // A recording with valid books passes and prints how long they were valid.
  const CmdResult ok = run(base() + " --report " + (dir_ / "ok").string());
  ASSERT_EQ(ok.code, 0) << ok.err;
  EXPECT_NE(ok.out.find("books valid: SOL_USDC 100.0 %, SOL_USDC_PERP 100.0 %"), std::string::npos) << ok.out;
}

}  // namespace
}  // namespace bparb::backtest
