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

// The market maker's alerts: config/paper-mm.toml with a mid-move breaker so tight that any move of the
// paper market's mid fires it; the webhook gets mm_breaker with the breaker's numbers.
TEST(DaemonAlerts, MarketMakerBreakerTripReachesTheWebhookWithItsNumbers) {
  const fs::path bin = testing::bparb_binary();
  if (!fs::exists(bin)) GTEST_SKIP() << "bparb binary not built: " << bin;
  const fs::path dir = fs::temp_directory_path() / ("bparb_mm_alerts_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "config");
  const fs::path src = fs::path(BPARB_SOURCE_DIR) / "config";

  boost::asio::io_context io;
  HttpTestServer receiver(io, [](const SeenRequest&) { return HttpAction{}; });
  auto work = boost::asio::make_work_guard(io);
  std::thread loop([&] { io.run(); });

  fs::copy_file(src / "paper-mm-sim.toml", dir / "config" / "paper-mm-sim.toml");
  std::string paper = testing::slurp_file(src / "paper-mm.toml");
  paper = replaced(paper, "cooldown_ms = 3000", "cooldown_ms = 500\nbreaker_mid_move_fraction = 0.000001");
  paper = replaced(paper, "port = 8782", "enabled = false");
  paper += "\n[alerts]\n[[alerts.sinks]]\nkind = \"webhook\"\nurl = \"" + receiver.base_url() +
           "/bparb\"\nevents = [\"mm_breaker\", \"mm_hedge\", \"mm_inventory_cap\", \"mm_quotes_stopped\"]\n";
  std::ofstream(dir / "config" / "paper-mm.toml") << paper;

  const std::string cmd = "cd '" + dir.string() + "' && '" + bin.string() +
                          "' run --config config/paper-mm.toml --duration 12 > out.txt 2>&1";
  const int status = std::system(cmd.c_str());
  work.reset();
  io.stop();
  loop.join();
  const std::string out = testing::slurp_file(dir / "out.txt");
  ASSERT_TRUE(WIFEXITED(status)) << out;
  ASSERT_EQ(WEXITSTATUS(status), 0) << out;

  std::string breaker;
  for (const SeenRequest& r : receiver.requests()) {
    EXPECT_EQ(r.body.find("{\"event\":\"mm_"), 0u) << r.body;  // only the selected events
    if (breaker.empty() && r.body.find("{\"event\":\"mm_breaker\"") == 0) breaker = r.body;
  }
  ASSERT_FALSE(breaker.empty()) << out;
  std::printf("%s\n", breaker.c_str());  // docs/alerts.md's example comes from this output
  EXPECT_NE(breaker.find("SOL_USDC_PERP: mm breaker mid_move: observed "), std::string::npos) << breaker;
  EXPECT_NE(breaker.find(R"("breaker":"mid_move")"), std::string::npos) << breaker;
  EXPECT_NE(breaker.find(R"("limit":"0.000001")"), std::string::npos) << breaker;
  if (!HasFailure()) fs::remove_all(dir);
}

}  // namespace
}  // namespace bparb::alerts
