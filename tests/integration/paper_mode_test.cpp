// The README's main command: `bparb run --config config/paper.toml` (paper mode, embedded bpsim) must show
// an opportunity, orders and an opened position within its first minute, and end with the summary. The
// shipped config files are used as they are (copied to a temp dir; only the status port is made unique).
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

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

}  // namespace
}  // namespace bparb
