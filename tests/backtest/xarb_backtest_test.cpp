// `bparb backtest` with [strategy] kind = "cross_venue" as a user runs it (the built binary, found like
// command_test.cpp's; SKIPs when it has not been built), over tests/backtest/data/xarb_btc/: 30 s of the
// two-venue paper world recorded by `bparb record` with tests/backtest/data/xarb_btc.toml, in which Lighter's BTC
// book jumps 30 bps above Backpack's 1 s in and converges back (xarb_btc_sim.toml); and the runner alone on
// one venue's lines of it.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "bparb/backtest/runner.hpp"
#include "bparb/core/decimal.hpp"
#include "bparb/record/frame_source.hpp"
#include "bparb/record/recording.hpp"
#include "bparb/sim/sim_config.hpp"

namespace bparb::backtest {
namespace {

namespace fs = std::filesystem;

const std::string kData = std::string(BPARB_TEST_DATA_DIR);

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// The string value of `"key": "..."` after `from` in a summary.json.
std::string json_str(const std::string& json, const std::string& key, std::size_t from) {
  const std::string k = "\"" + key + "\": \"";
  const std::size_t at = json.find(k, from);
  if (at == std::string::npos) return {};
  const std::size_t b = at + k.size();
  return json.substr(b, json.find('"', b) - b);
}

class XarbBacktest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::error_code ec;
    bin_ = fs::read_symlink("/proc/self/exe", ec).parent_path().parent_path() / "bparb";
    if (ec || !fs::exists(bin_)) GTEST_SKIP() << "bparb binary not built at " << bin_;
    dir_ = fs::temp_directory_path() / ("bparb_xarb_backtest_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    // The fixture's config with its sim config found from anywhere.
    std::string cfg = slurp(kData + "/xarb_btc.toml");
    const std::string rel = "\"tests/backtest/data/xarb_btc_sim.toml\"";
    cfg.replace(cfg.find(rel), rel.size(), "\"" + kData + "/xarb_btc_sim.toml\"");
    std::ofstream(dir_ / "xarb.toml") << cfg;
  }
  void TearDown() override {
    if (!dir_.empty()) fs::remove_all(dir_);
  }
  struct Result {
    int code = -1;
    std::string out, err;
  };
  Result run(const fs::path& data, const std::string& report) {
    Result r;
    const std::string cmd = bin_.string() + " backtest --config " + (dir_ / "xarb.toml").string() + " --data " +
                            data.string() + " --report " + (dir_ / report).string() + " >" +
                            (dir_ / "out.txt").string() + " 2>" + (dir_ / "err.txt").string();
    const int st = std::system(cmd.c_str());
    r.code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    r.out = slurp(dir_ / "out.txt");
    r.err = slurp(dir_ / "err.txt");
    return r;
  }
  fs::path bin_, dir_;
};

TEST_F(XarbBacktest, ATradeOpensAndClosesOnBothVenuesAndThePartsSumToTheNet) {
  const Result r = run(kData + "/xarb_btc", "r");
  ASSERT_EQ(r.code, 0) << r.err << r.out;
  EXPECT_NE(r.out.find("cross-venue BTC (BTC_USDC_PERP / lighter:0)"), std::string::npos) << r.out;
  const std::string s = slurp(dir_ / "r" / "summary.json");
  const std::size_t x = s.find("\"cross_venue\": {");
  ASSERT_NE(x, std::string::npos) << s;
  // One LongBackpack trade, closed on convergence: Lighter was the dear venue.
  EXPECT_NE(s.find("\"direction\": \"long_backpack\""), std::string::npos);
  EXPECT_NE(s.find("\"exit_reason\": \"convergence\""), std::string::npos);
  EXPECT_NE(s.find("\"trades\": 1,\n    \"closed\": 1", x), std::string::npos) << s.substr(x, 900);
  // Entry and exit: two fills on each venue.
  EXPECT_NE(s.find("\"backpack\": 2,\n      \"lighter\": 2", x), std::string::npos) << s.substr(x, 900);
  // The spread distribution per direction: the dislocation makes long_backpack positive, short_backpack negative.
  const std::size_t lb = s.find("\"long_backpack\": {", x);
  const std::size_t sb = s.find("\"short_backpack\": {", x);
  ASSERT_NE(lb, std::string::npos);
  ASSERT_NE(sb, std::string::npos);
  EXPECT_EQ(s.find("\"p99\": -", lb), s.find("\"p99\": -", sb));  // long_backpack's p99 is not negative
  EXPECT_LT(s.find("\"p50\": -", sb), s.find("\"p75\"", sb));     // short_backpack's p50 is
  // spread − fees + funding = net, exactly, and the same as the run's totals.
  const Decimal spread = Decimal::from_string(json_str(s, "spread", x));
  const Decimal fees = Decimal::from_string(json_str(s, "fees", x));
  const Decimal funding = Decimal::from_string(json_str(s, "funding", x));
  const Decimal net = Decimal::from_string(json_str(s, "net", x));
  EXPECT_TRUE(fees.is_positive());  // Backpack's taker fees (Lighter's standard account pays none)
  EXPECT_EQ(spread - fees + funding, net);
  EXPECT_EQ(json_str(s, "net_pnl", 0), net.str());
  EXPECT_NE(s.find("\"lighter_taker_delay_ms\": 300", x), std::string::npos);
  const std::string html = slurp(dir_ / "r" / "report.html");
  EXPECT_NE(html.find("<h2>Cross-venue</h2>"), std::string::npos);
  EXPECT_NE(html.find("long_backpack"), std::string::npos);
}

TEST_F(XarbBacktest, TwoRunsWriteTheSameBytes) {
  ASSERT_EQ(run(kData + "/xarb_btc", "a").code, 0);
  ASSERT_EQ(run(kData + "/xarb_btc", "b").code, 0);
  const std::string a = slurp(dir_ / "a" / "summary.json");
  EXPECT_FALSE(a.empty());
  EXPECT_EQ(a, slurp(dir_ / "b" / "summary.json"));
  EXPECT_EQ(slurp(dir_ / "a" / "report.html"), slurp(dir_ / "b" / "report.html"));
}

TEST_F(XarbBacktest, ARecordingOfOneVenueIsRefusedNamingTheMissingOne) {
  fs::create_directories(dir_ / "only_backpack");
  fs::copy(kData + "/xarb_btc/BTC_USDC_PERP", dir_ / "only_backpack" / "BTC_USDC_PERP");
  Result r = run(dir_ / "only_backpack", "r1");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("has no recording of Lighter's BTC"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("lighter_BTC/"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir_ / "r1" / "summary.json"));

  fs::create_directories(dir_ / "only_lighter");
  fs::copy(kData + "/xarb_btc/lighter_BTC", dir_ / "only_lighter" / "lighter_BTC");
  r = run(dir_ / "only_lighter", "r2");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("has no recording of Backpack's BTC_USDC_PERP"), std::string::npos) << r.err;
}

// The runner itself, given lines of one venue only (whatever the command checked before): the run ends with an
// error naming the leg that never had a book line, not with a report of a market that could not trade.
TEST(XarbRunner, ARunWithoutOneLegsBookLinesEndsNamingIt) {
  const sim::SimConfig sc = sim::load_sim_config(kData + "/xarb_btc_sim.toml");
  RunnerConfig c;
  XarbSetup x;
  x.coin = "BTC";
  for (const sim::MarketSetup& m : sc.exchange.markets)
    if (m.spec.symbol == "BTC_USDC_PERP") x.backpack = m.spec;
  ASSERT_EQ(x.backpack.symbol, "BTC_USDC_PERP");
  x.lighter = x.backpack;
  x.lighter.symbol = "lighter:0";
  c.xarb = x;
  std::vector<record::VectorFrameSource::Line> lines;
  record::RecordingReader reader(kData + "/xarb_btc/BTC_USDC_PERP/2026-12-07.frames.gz");
  record::FrameLine l;
  while (reader.next(l)) lines.push_back({l.receive_time_us, l.kind, std::string(l.payload), l.venue});
  ASSERT_FALSE(lines.empty());
  record::VectorFrameSource src(std::move(lines));
  Runner runner(c);
  try {
    (void)runner.run(src);
    FAIL() << "a run without Lighter's book lines gave a result";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("no book lines of Lighter's lighter:0"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace bparb::backtest
