// The README's main command: `bparb run --config config/paper.toml` (paper mode, embedded bpsim) must show
// an opportunity, orders and an opened position within its first minute, and end with the summary; its market
// maker twin, config/paper-mm.toml, side switches, quotes, fills and the stats line within its first minute. The
// shipped config files are used as they are (copied to a temp dir; only the status port is made unique).
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "child_process_util.hpp"

namespace bparb {
namespace {

namespace fs = std::filesystem;

using testing::bparb_binary;
using testing::slurp_file;

TEST(PaperMode, TheReadmeCommandTradesWithinTheFirstMinuteAndPrintsTheSummary) {
  if (!fs::exists(bparb_binary())) GTEST_SKIP() << "bparb binary not built: " << bparb_binary();
  const fs::path dir = fs::temp_directory_path() / ("bparb_paper_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "config");
  const fs::path src = fs::path(BPARB_SOURCE_DIR) / "config";
  fs::copy_file(src / "paper-sim.toml", dir / "config" / "paper-sim.toml");
  std::string paper = slurp_file(src / "paper.toml");
  const std::string port_line = "port = 8781";
  ASSERT_NE(paper.find(port_line), std::string::npos) << "config/paper.toml's [service] port moved";
  paper.replace(paper.find(port_line), port_line.size(), "port = " + std::to_string(20000 + ::getpid() % 20000));
  std::ofstream(dir / "config" / "paper.toml") << paper;

  const std::string cmd = "cd '" + dir.string() + "' && '" + bparb_binary().string() +
                          "' run --config config/paper.toml --duration 60 > out.txt 2>&1";
  const int status = std::system(cmd.c_str());
  const std::string out = slurp_file(dir / "out.txt");
  const std::string log = slurp_file(dir / "paper" / "arbitrage.log");
  ASSERT_TRUE(WIFEXITED(status)) << out;
  EXPECT_EQ(WEXITSTATUS(status), 0) << out;
  auto logged = [&](const std::string& what) { return log.find(what) != std::string::npos; };
  EXPECT_TRUE(logged("bpsim script: SOL basis moved from")) << log;
  EXPECT_TRUE(logged("Found opportunity SOL PerpPremium")) << log;
  EXPECT_TRUE(logged("Placing 2 MAKER orders (entry): SOL_USDC ") ||
              logged("Placing 2 TAKER orders (entry): SOL_USDC "))
      << log;
  EXPECT_TRUE(logged("Opened position #1 SOL PerpPremium")) << log;
  // "bparb summary: ran 60 s | opportunities N | positions opened M, ..." (no std::regex: GCC 12's -O1
  // -Werror build of libstdc++'s regex compiler trips -Wmaybe-uninitialized).
  auto number_after = [&out](const std::string& label) -> long {
    const std::size_t p = out.find(label);
    return p == std::string::npos ? -1 : std::strtol(out.c_str() + p + label.size(), nullptr, 10);
  };
  ASSERT_NE(out.find("bparb summary: ran "), std::string::npos) << out;
  // The console: info lines and ONE summary; the debug detail is in the log file only.
  EXPECT_EQ(out.find("bparb summary: ran "), out.rfind("bparb summary: ran ")) << out;
  EXPECT_EQ(out.find("[debug]"), std::string::npos) << out;
  EXPECT_NE(out.find("Found opportunity SOL"), std::string::npos) << out;
  EXPECT_GE(number_after("| opportunities "), 1) << out;
  EXPECT_GE(number_after("| positions opened "), 1) << out;
  if (!HasFailure()) fs::remove_all(dir);
}

// `bparb run --config config/paper-mm.toml`: within its first minute the log shows a side switch, a quote
// placed, a fill and the "MM stats" line (the daemon is stopped once all four are there), and SIGTERM ends it
// with the summary.
TEST(PaperMode, TheMarketMakerFileQuotesAndFillsWithinTheFirstMinute) {
  if (!fs::exists(bparb_binary())) GTEST_SKIP() << "bparb binary not built: " << bparb_binary();
  const fs::path dir = fs::temp_directory_path() / ("bparb_paper_mm_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "config");
  const fs::path src = fs::path(BPARB_SOURCE_DIR) / "config";
  fs::copy_file(src / "paper-mm-sim.toml", dir / "config" / "paper-mm-sim.toml");
  std::string paper = slurp_file(src / "paper-mm.toml");
  const std::string port_line = "port = 8782";
  ASSERT_NE(paper.find(port_line), std::string::npos) << "config/paper-mm.toml's [service] port moved";
  paper.replace(paper.find(port_line), port_line.size(), "port = " + std::to_string(20000 + (::getpid() + 7) % 20000));
  std::ofstream(dir / "config" / "paper-mm.toml") << paper;
  const std::string bin = bparb_binary().string();
  const std::string out_path = (dir / "out.txt").string();
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    if (::chdir(dir.c_str()) != 0) ::_exit(126);
    FILE* f = std::freopen(out_path.c_str(), "w", stdout);
    (void)f;
    ::dup2(::fileno(stdout), 2);
    ::execl(bin.c_str(), "bparb", "run", "--config", "config/paper-mm.toml", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  const std::vector<std::string> wanted = {"MM SOL_USDC_PERP: side none -> ", "MM SOL_USDC_PERP: quote placed #",
                                           "MM SOL_USDC_PERP: quote fill #", "MM stats SOL_USDC_PERP: maker volume "};
  std::string log;
  const auto all_seen = [&] {
    log = slurp_file(dir / "paper" / "mm.log");
    for (const std::string& w : wanted)
      if (log.find(w) == std::string::npos) return false;
    return true;
  };
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  bool seen = false;
  while (!(seen = all_seen()) && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  ::kill(child, SIGTERM);
  int status = 0;
  ::waitpid(child, &status, 0);
  for (const std::string& w : wanted) EXPECT_NE(log.find(w), std::string::npos) << w << " not within a minute\n" << log;
  EXPECT_TRUE(seen);
  const std::string out = slurp_file(out_path);
  ASSERT_TRUE(WIFEXITED(status)) << out;
  EXPECT_EQ(WEXITSTATUS(status), 0) << out;
  EXPECT_NE(out.find("MM stats SOL_USDC_PERP: maker volume "), std::string::npos) << out;
  if (!HasFailure()) fs::remove_all(dir);
}

}  // namespace
}  // namespace bparb
