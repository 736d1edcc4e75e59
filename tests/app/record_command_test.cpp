// `bparb record`: usage errors, --help, and a one-second paper recording (embedded bpsim on loopback).
#include "bparb/app/record_command.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "app_test_util.hpp"
#include "bparb/app/cli.hpp"
#include "bparb/record/recording.hpp"

namespace bparb::app {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

using Result = testing::CliResult;
constexpr auto run_cli = testing::run_cli_captured;

TEST(RecordCommandTest, UsageErrorsAndHelp) {
  Result r = run_cli({"record"});
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_THAT(r.err, HasSubstr("--config and --out are required"));
  r = run_cli({"record", "--config", "x.toml"});
  EXPECT_EQ(r.code, kExitUsage);
  r = run_cli({"record", "--config", "x.toml", "--out", "d", "--duration", "0"});
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_THAT(r.err, HasSubstr("--duration"));
  r = run_cli({"record", "--config", "x.toml", "--out", "d", "--bogus"});
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_THAT(r.err, HasSubstr("unexpected argument \"--bogus\""));
  r = run_cli({"record", "--config", "/nonexistent/bparb.toml", "--out", "d"});
  EXPECT_EQ(r.code, kExitUsage);
  r = run_cli({"record", "--help"});
  EXPECT_EQ(r.code, kExitOk);
  EXPECT_THAT(r.out, HasSubstr("never trades"));
  r = run_cli({"--help"});
  EXPECT_THAT(r.out, HasSubstr("bparb record --config FILE --out DIR"));
}

TEST(RecordCommandTest, PaperRecordingForOneSecond) {
  const fs::path dir = fs::temp_directory_path() / ("bparb_record_cmd_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const fs::path cfg = dir / "bparb.toml";
  std::ofstream(cfg) << "pairs = [\"SOL\"]\n[exchange]\nmode = \"paper\"\n[paper]\nsim_config = \"" << BPARB_SOURCE_DIR
                     << "/tests/record/data/paper_sol_sim.toml\"\n[logging]\nfile = \"" << (dir / "rec.log").string()
                     << "\"\nconsole = false\n[journal]\nenabled = false\n";
  const fs::path out = dir / "rec";
  const Result r = run_cli({"record", "--config", cfg.string(), "--out", out.string(), "--duration", "1"});
  ASSERT_EQ(r.code, kExitOk) << r.err;
  EXPECT_THAT(r.out, HasSubstr("Recorded SOL_USDC="));
  EXPECT_THAT(r.out, HasSubstr("SOL_USDC_PERP="));
  // Every file is complete (closed members) and readable; both markets have frames and a snapshot.
  record::RecordingReader reader(out.string());
  record::FrameLine l;
  std::size_t ws = 0, snapshots = 0;
  while (reader.next(l)) {
    ws += l.kind == record::FrameKind::kWs;
    snapshots += l.kind == record::FrameKind::kRestDepth;
  }
  EXPECT_EQ(reader.error(), "");
  EXPECT_EQ(reader.stats().malformed, 0u);
  EXPECT_EQ(reader.files().size(), 2u);
  EXPECT_GT(ws, 20u);
  EXPECT_GE(snapshots, 2u);
  bool bbo = false, trades = false;
  for (const auto& e : fs::directory_iterator(out)) {
    const std::string n = e.path().filename().string();
    bbo |= n.starts_with("bbo_SOL_") && n.ends_with(".csv");
    trades |= n.starts_with("trades_SOL_") && n.ends_with(".csv");
  }
  EXPECT_TRUE(bbo);
  EXPECT_TRUE(trades);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace bparb::app
