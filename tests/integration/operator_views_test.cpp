// The operator's read surface end to end: the built daemon in paper mode (embedded bpsim, the shipped
// configs with the scripted basis jump moved to 3 s) with the service on a free port; once it traded, the
// positions, orders, fills, events, pnl and config views answer from its snapshots, `bparb status --json`
// reads them, and after the stop `bparb status` says unreachable while `bparb pnl` reads the journal.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <thread>

#include "../support/http_get.hpp"
#include "child_process_util.hpp"

namespace bparb {
namespace {

namespace fs = std::filesystem;
using testing::bparb_binary;
using testing::slurp_file;

void replace_once(std::string& text, const std::string& from, const std::string& to) {
  const std::size_t at = text.find(from);
  ASSERT_NE(at, std::string::npos) << "'" << from << "' moved in the shipped config";
  text.replace(at, from.size(), to);
}

int shell(const std::string& cmd) {
  const int st = std::system(cmd.c_str());
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

TEST(OperatorViews, PaperDaemonServesItsTradesAndTheCommandsReadThem) {
  if (!fs::exists(bparb_binary())) GTEST_SKIP() << "bparb binary not built: " << bparb_binary();
  const fs::path dir = fs::temp_directory_path() / ("bparb_opsviews_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "config");
  const fs::path src = fs::path(BPARB_SOURCE_DIR) / "config";
  const auto port = static_cast<std::uint16_t>(40000 + ::getpid() % 20000);
  std::string sim = slurp_file(src / "paper-sim.toml");
  replace_once(sim, "at_seconds = 20", "at_seconds = 3");
  std::ofstream(dir / "config" / "paper-sim.toml") << sim;
  std::string paper = slurp_file(src / "paper.toml");
  replace_once(paper, "port = 8781", "enabled = true\nport = " + std::to_string(port));
  replace_once(paper, "opening_delay_seconds = 5", "opening_delay_seconds = 2");
  std::ofstream(dir / "config" / "paper.toml") << paper;

  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    if (::chdir(dir.c_str()) != 0) ::_exit(127);
    const std::string out = (dir / "out.txt").string();
    if (!std::freopen(out.c_str(), "w", stdout) || !std::freopen(out.c_str(), "a", stderr)) ::_exit(127);
    ::execl(bparb_binary().c_str(), "bparb", "run", "--config", "config/paper.toml", "--duration", "90", nullptr);
    ::_exit(127);
  }
  auto stop = [&] {
    ::kill(pid, SIGTERM);
    int st = 0;
    ::waitpid(pid, &st, 0);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  };

  // Until the first trade's two fills are in a snapshot (the scripted jump fires 3 s after the start).
  std::optional<testing::HttpAnswer> fills;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    fills = testing::http_get(port, "/api/v1/fills?since=0");
    if (fills && fills->body.find("\"client_id\"") != std::string::npos &&
        fills->body.find("SOL_USDC_PERP") != std::string::npos)
      break;
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  ASSERT_TRUE(fills && fills->status == 200) << (stop(), slurp_file(dir / "out.txt"));
  ASSERT_NE(fills->body.find("\"symbol\":\"SOL_USDC_PERP\""), std::string::npos)
      << fills->body << (stop(), slurp_file(dir / "out.txt"));
  EXPECT_NE(fills->body.find("\"trade_id\":"), std::string::npos) << fills->body;
  EXPECT_NE(fills->body.find("\"liquidity\":\""), std::string::npos) << fills->body;

  const std::optional<testing::HttpAnswer> positions = testing::http_get(port, "/api/v1/positions");
  ASSERT_TRUE(positions && positions->status == 200);
  EXPECT_NE(positions->body.find(R"("pair":"SOL","id":1)"), std::string::npos) << positions->body;
  EXPECT_NE(positions->body.find(R"("coin":"SOL","spot":")"), std::string::npos) << positions->body;
  const std::optional<testing::HttpAnswer> orders = testing::http_get(port, "/api/v1/orders");
  ASSERT_TRUE(orders && orders->status == 200);
  EXPECT_NE(orders->body.find("\"orders\":["), std::string::npos) << orders->body;
  const std::optional<testing::HttpAnswer> events = testing::http_get(port, "/api/v1/events?since=0");
  ASSERT_TRUE(events && events->status == 200);
  EXPECT_NE(events->body.find(R"("kind":"position_opened","text":"Opened position #1 SOL)"), std::string::npos)
      << events->body;
  EXPECT_NE(events->body.find(R"("kind":"fill")"), std::string::npos) << events->body;
  const std::optional<testing::HttpAnswer> config = testing::http_get(port, "/api/v1/config");
  ASSERT_TRUE(config && config->status == 200);
  EXPECT_NE(config->body.find(R"("env_file":"[redacted]")"), std::string::npos) << config->body;
  const std::optional<testing::HttpAnswer> pnl = testing::http_get(port, "/api/v1/pnl?period=week");
  ASSERT_TRUE(pnl && pnl->status == 200) << (pnl ? pnl->body : "no answer");
  EXPECT_NE(pnl->body.find(R"({"period":"week")"), std::string::npos) << pnl->body;
  const std::optional<testing::HttpAnswer> bad = testing::http_get(port, "/api/v1/pnl?period=fortnight");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  EXPECT_EQ(bad->body, "period: 'fortnight' is not allowed; allowed: day, week, month (UTC)\n");

  const std::string bin = "'" + bparb_binary().string() + "'";
  const std::string in_dir = "cd '" + dir.string() + "' && ";
  const int status_code = shell(in_dir + bin + " status --json --config config/paper.toml > status.json 2>&1");
  const std::string status = slurp_file(dir / "status.json");
  EXPECT_TRUE(status_code == 0 || status_code == 3) << status;  // 3 while a book resyncs
  EXPECT_NE(status.find(R"("status":{"version":")"), std::string::npos) << status;
  EXPECT_NE(status.find(R"("positions":{"snapshot_at_us":)"), std::string::npos) << status;

  EXPECT_EQ(stop(), 0) << slurp_file(dir / "out.txt");
  EXPECT_EQ(shell(in_dir + bin + " status --config config/paper.toml > down.txt 2>&1"), 1)
      << slurp_file(dir / "down.txt");
  EXPECT_EQ(shell(in_dir + bin + " pnl --daily --config config/paper.toml > pnl.txt 2>&1"), 0)
      << slurp_file(dir / "pnl.txt");
  const std::string pnl_text = slurp_file(dir / "pnl.txt");
  EXPECT_NE(pnl_text.find("#1    SOL"), std::string::npos) << pnl_text;
  EXPECT_NE(pnl_text.find("per UTC day"), std::string::npos) << pnl_text;
  if (!HasFailure()) fs::remove_all(dir);
}

}  // namespace
}  // namespace bparb
