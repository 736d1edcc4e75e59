// The control endpoints end to end: the built `bparb` in paper mode (embedded bpsim) with a control token,
// driven over HTTP. Paused from start-up, it sees an opportunity and opens nothing; resumed, it opens;
// cancel-all answers with its count; flatten closes the position with the exit reason operator_flatten;
// reload is rejected for a bad file and applied for a good one. The market is moved through bpsim's
// scenario endpoint, and every step waits for what the daemon logs, never for a guessed time.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <thread>

#include "child_process_util.hpp"

namespace bparb {
namespace {

namespace fs = std::filesystem;
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using namespace std::chrono_literals;
using testing::bparb_binary;
using testing::slurp_file;

constexpr const char* kToken = "test-control-token-4f1c2a9e7b3d";

struct Answer {
  unsigned status = 0;  // 0: no answer
  std::string body;
  bool has(std::string_view s) const { return body.find(s) != std::string::npos; }
};

// One request on its own connection.
Answer control_call(std::uint16_t port, std::string target, std::string token = "", std::string body = "",
                    http::verb verb = http::verb::post) {
  asio::io_context io;
  asio::ip::tcp::socket sock(io);
  boost::system::error_code ec;
  sock.connect({asio::ip::make_address("127.0.0.1"), port}, ec);
  if (ec) return {};
  http::request<http::string_body> req{verb, std::move(target), 11};
  req.set(http::field::host, "127.0.0.1:" + std::to_string(port));
  if (!token.empty()) req.set(http::field::authorization, "Bearer " + token);
  req.body() = std::move(body);
  req.prepare_payload();
  http::write(sock, req, ec);
  if (ec) return {};
  beast::flat_buffer buf;
  http::response<http::string_body> res;
  http::read(sock, buf, res, ec);
  if (ec) return {};
  return {res.result_int(), res.body()};
}

bool control_wait_for(const std::function<bool()>& pred, std::chrono::milliseconds limit = 30s) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (pred()) return true;
    std::this_thread::sleep_for(50ms);
  }
  return pred();
}

class ControlEndToEnd : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("bparb_control_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    port_ = static_cast<std::uint16_t>(20000 + (::getpid() + 7919) % 20000);
    // A still market: the basis moves only when the test moves it, and stays where it is put.
    std::ofstream(dir_ / "sim.toml") << "[runtime]\nseed = 7\nstep_interval_ms = 50\n"
                                     << "[model]\nbackground_trading = false\n"
                                     << "[[model.coins]]\ncoin = \"SOL\"\nbasis_mean_bps = 0\n"
                                     << "basis_reversion_per_hour = 0\nbasis_vol_bps = 0\njump_rate_per_hour = 0\n";
    write_config("0.5");
  }
  void TearDown() override {
    if (child_ > 0) {
      ::kill(child_, SIGKILL);
      ::waitpid(child_, nullptr, 0);
    }
    if (::getenv("BPARB_KEEP_E2E_LOG") == nullptr && !HasFailure()) fs::remove_all(dir_);
  }

  // `confidence` is what the reload changes; `broken` makes the file invalid.
  void write_config(const std::string& confidence, bool broken = false) {
    std::ofstream(dir_ / "bparb.toml")
        << "pairs = [\"SOL\"]\n[exchange]\nmode = \"paper\"\nenv_file = \"" << (dir_ / "none.env").string() << "\"\n"
        << "[paper]\nsim_config = \"" << (dir_ / "sim.toml").string() << "\"\nport = 0\n"
        << "[risk]\nmax_book_age_ms = 10000\nmin_account_balance_usd = 100\n"
        << "[strategy]\nposition_size_usd = 1000\nmin_spread_threshold = 0.001\nmin_execution_threshold = "
        << (broken ? "-1" : "0.002") << "\nlarge_spread_threshold = 0.05\nconfidence_threshold = " << confidence
        << "\nmin_closing_spread = 0.0005\nopening_delay_seconds = 1\nstats_interval_seconds = 60\n"
        << "[execution]\nuse_maker_for_large_spreads = false\nhedge_deadline_seconds = 5\n"
        << "[logging]\nfile = \"" << (dir_ / "arbitrage.log").string()
        << "\"\nconsole = false\nlevel = \"info\"\nflush_interval_seconds = 1\n"
        << "[journal]\npath = \"" << (dir_ / "journal.sqlite").string() << "\"\n"
        << "[service]\nenabled = true\nport = " << port_ << "\n";
  }

  void start() {
    ::setenv("BPARB_CONTROL_TOKEN", kToken, 1);  // inherited by the child
    const std::string bin = bparb_binary().string();
    const std::string cfg = (dir_ / "bparb.toml").string();
    const std::string out = (dir_ / "out.txt").string();
    child_ = ::fork();
    ASSERT_GE(child_, 0);
    if (child_ == 0) {
      FILE* f = std::freopen(out.c_str(), "w", stdout);
      (void)f;
      ::dup2(::fileno(stdout), 2);
      ::execl(bin.c_str(), "bparb", "run", "--config", cfg.c_str(), "--duration", "120", static_cast<char*>(nullptr));
      ::_exit(127);
    }
    ::unsetenv("BPARB_CONTROL_TOKEN");
  }
  std::string log() const { return slurp_file(dir_ / "arbitrage.log"); }
  bool logged(std::string_view s) const { return log().find(s) != std::string::npos; }
  bool exited() {
    int st = 0;
    if (child_ > 0 && ::waitpid(child_, &st, WNOHANG) == child_) {
      child_ = -1;
      status_ = st;
      return true;
    }
    return child_ <= 0;
  }
  // The embedded bpsim's port, from the start-up line.
  std::uint16_t sim_port() const {
    const std::string l = log();
    const std::string head = "embedded bpsim on http://127.0.0.1:";
    const std::size_t p = l.find(head);
    return p == std::string::npos ? 0 : static_cast<std::uint16_t>(std::atoi(l.c_str() + p + head.size()));
  }
  void set_basis(int bps) {
    const Answer a = control_call(sim_port(), "/_bpsim/scenario", "",
                                  R"({"set_basis":{"symbol":"SOL","bps":)" + std::to_string(bps) + "}}");
    ASSERT_EQ(a.status, 200u) << a.body;
  }

  fs::path dir_;
  std::uint16_t port_ = 0;
  pid_t child_ = -1;
  int status_ = 0;
};

TEST_F(ControlEndToEnd, PauseResumeCancelAllFlattenAndReload) {
  if (!fs::exists(bparb_binary())) GTEST_SKIP() << "bparb binary not built: " << bparb_binary();
  start();
  ASSERT_TRUE(control_wait_for([&] { return logged("Service: listening on") || exited(); })) << log();
  ASSERT_FALSE(exited()) << slurp_file(dir_ / "out.txt");
  EXPECT_TRUE(logged("control enabled, token from environment")) << log();

  // Without the token nothing happens; paused while still starting up, it holds once trading starts.
  EXPECT_EQ(control_call(port_, "/api/v1/pause").status, 401u);
  EXPECT_EQ(control_call(port_, "/api/v1/pause", "wrong-token-0123456789").status, 401u);
  Answer a = control_call(port_, "/api/v1/pause", kToken);
  ASSERT_EQ(a.status, 200u) << a.body;
  EXPECT_TRUE(a.has(R"("ok":true,"action":"pause")")) << a.body;
  ASSERT_TRUE(control_wait_for([&] { return logged("Trading 1 pair(s)"); })) << log();
  const auto status_says = [&](std::string_view what) {
    return control_wait_for([&] { return control_call(port_, "/api/v1/status", "", "", http::verb::get).has(what); });
  };
  EXPECT_TRUE(status_says(R"("opening_paused":true)"));

  // An opportunity the paused daemon does not take: the entry would be decided on the same book update
  // that logs the opportunity, so the log right after it must show no entry orders.
  set_basis(80);
  ASSERT_TRUE(control_wait_for([&] { return logged("Found opportunity SOL PerpPremium"); })) << log();
  std::this_thread::sleep_for(1500ms);  // two log flushes
  EXPECT_FALSE(logged("orders (entry)")) << log();
  EXPECT_FALSE(logged("Opened position")) << log();

  a = control_call(port_, "/api/v1/resume", kToken);
  ASSERT_EQ(a.status, 200u) << a.body;
  EXPECT_TRUE(a.has(R"("was_paused":true)")) << a.body;
  ASSERT_TRUE(control_wait_for([&] { return logged("Opened position #"); })) << log();
  EXPECT_TRUE(status_says(R"("opening_paused":false)"));

  a = control_call(port_, "/api/v1/cancel-all", kToken);
  ASSERT_EQ(a.status, 200u) << a.body;
  EXPECT_TRUE(a.has(R"("cancel_requested":)")) << a.body;

  a = control_call(port_, "/api/v1/flatten", kToken);
  EXPECT_EQ(a.status, 400u) << a.body;  // no confirmation: nothing closed
  a = control_call(port_, "/api/v1/flatten", kToken, R"({"confirm":"flatten"})");
  ASSERT_EQ(a.status, 200u) << a.body;
  EXPECT_TRUE(a.has(R"("closing":["SOL"])")) << a.body;
  EXPECT_TRUE(a.has(R"("paused":true)")) << a.body;
  ASSERT_TRUE(control_wait_for([&] { return logged("reason=operator_flatten"); })) << log();
  EXPECT_TRUE(logged("Closed position #")) << log();

  write_config("0.5", true);
  a = control_call(port_, "/api/v1/reload", kToken);
  EXPECT_EQ(a.status, 422u) << a.body;
  EXPECT_TRUE(a.has(R"("outcome":"rejected")")) << a.body;
  EXPECT_TRUE(a.has("strategy.min_execution_threshold")) << a.body;
  write_config("0.6");
  a = control_call(port_, "/api/v1/reload", kToken);
  ASSERT_EQ(a.status, 200u) << a.body;
  EXPECT_TRUE(a.has(R"("outcome":"applied")")) << a.body;
  EXPECT_TRUE(a.has("strategy.confidence_threshold 0.5 -> 0.6")) << a.body;

  // /metrics, from the next snapshot: the two reloads by result, and the order path's figures of the run
  // (the position opened and flattened: its orders were answered, filled and journaled).
  Answer m;
  ASSERT_TRUE(control_wait_for([&] {
    m = control_call(port_, "/metrics", "", "", http::verb::get);
    return m.has("bparb_config_reloads_total{result=\"applied\"} 1\n");
  })) << m.body;
  EXPECT_TRUE(m.has("bparb_config_reloads_total{result=\"invalid\"} 1\n")) << m.body;
  EXPECT_TRUE(m.has("bparb_fills_by_liquidity_total{venue=\"backpack\",symbol=\"SOL_USDC_PERP\",")) << m.body;
  EXPECT_TRUE(m.has("bparb_funding_rate{symbol=\"SOL_USDC_PERP\"} ")) << m.body;
  EXPECT_TRUE(m.has("bparb_margin_available_usd{venue=\"backpack\"} ")) << m.body;
  EXPECT_TRUE(m.has("bparb_ws_last_message_timestamp_seconds{venue=\"backpack\"} ")) << m.body;
  for (const char* zero :
       {"bparb_order_ack_latency_seconds_count{venue=\"backpack\"} 0\n", "bparb_journal_write_seconds_count 0\n"}) {
    EXPECT_FALSE(m.has(zero)) << zero << m.body;
    EXPECT_TRUE(m.has(std::string_view(zero).substr(0, std::string_view(zero).find(' ')))) << zero << m.body;
  }

  ::kill(child_, SIGTERM);
  ASSERT_TRUE(control_wait_for([&] { return exited(); })) << "no exit within 30 s of SIGTERM";
  EXPECT_TRUE(WIFEXITED(status_) && WEXITSTATUS(status_) == 0) << status_;
  const std::string text = log();
  for (const char* line : {"Control: pause refused (401)", "Control: pause done: paused", "Control: resume done",
                           "Control: cancel-all done", "Control: flatten refused (400)",
                           "Control: flatten done: closing SOL", "Control: reload refused (422)",
                           "POST /api/v1/reload: reloaded", "Control: reload done: applied 1 threshold change(s)"})
    EXPECT_NE(text.find(line), std::string::npos) << line << "\n" << text;
  EXPECT_EQ(text.find("Opened position #", text.find("Control: flatten done")), std::string::npos) << text;
  EXPECT_EQ((text + slurp_file(dir_ / "out.txt")).find(kToken), std::string::npos);
}

}  // namespace
}  // namespace bparb
