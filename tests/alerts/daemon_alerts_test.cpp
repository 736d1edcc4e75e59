// The daemon's alerts end to end: `bparb run` in paper mode (a child process) with a webhook sink pointing
// at a receiver on loopback in this test. The paper market's scripted basis jump comes 2 s after the start so
// that a trade, and with it fills, happens within a short run.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/executor_work_guard.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "../integration/child_process_util.hpp"
#include "../support/test_servers.hpp"

namespace bparb::alerts {
namespace {

namespace fs = std::filesystem;
using net::testing::HttpAction;
using net::testing::HttpTestServer;
using net::testing::SeenRequest;

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  const std::size_t p = text.find(from);
  EXPECT_NE(p, std::string::npos) << "the shipped config no longer contains: " << from;
  if (p != std::string::npos) text.replace(p, from.size(), to);
  return text;
}

TEST(DaemonAlerts, PaperRunSendsStartFillsTradingStateAndStopToAWebhook) {
  const fs::path bin = testing::bparb_binary();
  if (!fs::exists(bin)) GTEST_SKIP() << "bparb binary not built: " << bin;
  const fs::path dir = fs::temp_directory_path() / ("bparb_alerts_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "config");
  const fs::path src = fs::path(BPARB_SOURCE_DIR) / "config";

  boost::asio::io_context io;
  HttpTestServer receiver(io, [](const SeenRequest&) { return HttpAction{}; });
  auto work = boost::asio::make_work_guard(io);
  std::thread loop([&] { io.run(); });

  std::ofstream(dir / "config" / "paper-sim.toml")
      << replaced(testing::slurp_file(src / "paper-sim.toml"), "at_seconds = 20", "at_seconds = 2");
  std::string paper = testing::slurp_file(src / "paper.toml");
  paper = replaced(paper, "pairs = [\"SOL\", \"BTC\", \"ETH\", \"SUI\", \"JUP\"]", "pairs = [\"SOL\"]");
  paper = replaced(paper, "opening_delay_seconds = 5", "opening_delay_seconds = 1");
  // Taker entries: the fills come at once instead of after a maker order's wait.
  paper += "\n[execution]\nuse_maker_for_large_spreads = false\n";
  // The entry's fees (about 0.75 USD) exceed this daily loss budget: the daemon turns ReduceOnly.
  paper += "\n[risk]\nmax_daily_loss_usd = 0.5\n";
  paper += "\n[alerts]\n[[alerts.sinks]]\nkind = \"webhook\"\nurl = \"" + receiver.base_url() +
           "/bparb\"\nevents = [\"start\", \"stop\", \"trading_state\", \"fills\"]\n";
  std::ofstream(dir / "config" / "paper.toml") << paper;

  const std::string cmd =
      "cd '" + dir.string() + "' && '" + bin.string() + "' run --config config/paper.toml --duration 8 > out.txt 2>&1";
  const int status = std::system(cmd.c_str());
  work.reset();
  io.stop();
  loop.join();
  const std::string out = testing::slurp_file(dir / "out.txt");
  ASSERT_TRUE(WIFEXITED(status)) << out;
  ASSERT_EQ(WEXITSTATUS(status), 0) << out;

  std::vector<std::string> events;
  for (const SeenRequest& r : receiver.requests()) {
    EXPECT_EQ(r.method, "POST");
    EXPECT_EQ(r.target, "/bparb");
    const std::size_t p = r.body.find("{\"event\":\"");
    ASSERT_EQ(p, 0u) << r.body;
    events.push_back(r.body.substr(10, r.body.find('"', 10) - 10));
    std::printf("%s\n", r.body.c_str());  // the README's example comes from this output
  }
  ASSERT_GE(events.size(), 3u) << out;
  EXPECT_EQ(events.front(), "start");
  EXPECT_EQ(events.back(), "stop");
  EXPECT_NE(std::find(events.begin(), events.end(), "fills"), events.end()) << out;
  EXPECT_NE(std::find(events.begin(), events.end(), "trading_state"), events.end()) << out;
  if (!HasFailure()) fs::remove_all(dir);
}

}  // namespace
}  // namespace bparb::alerts
