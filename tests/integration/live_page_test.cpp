// The live page end to end: the built daemon in paper mode (embedded bpsim, the shipped configs) with the
// service on a free port serves the page at / and streams `snapshot` events on /api/v1/stream to a plain
// socket client; when a `chromium` binary is on PATH (scripts/setup.sh installs Debian's), a headless browser
// (driven over its DevTools protocol) loads the page, its DOM shows the live updates the page rendered, and
// a screenshot is kept under the build directory (test-artifacts/live_page.png); skipped without a browser.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <thread>

#include "child_process_util.hpp"
#include "headless_chromium_util.hpp"

namespace bparb {
namespace {

namespace fs = std::filesystem;
using testing::bparb_binary;
using testing::slurp_file;

// Sends one GET and reads until `enough(raw)` holds, the peer closes or 3 s pass without a byte.
std::string live_exchange(std::uint16_t port, const std::string& target, bool (*enough)(const std::string&)) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return {};
  timeval tv{3, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string raw;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) {
    const std::string req =
        "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) + "\r\nConnection: close\r\n\r\n";
    if (::send(fd, req.data(), req.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(req.size())) {
      char buf[4096];
      for (ssize_t n; !enough(raw) && (n = ::recv(fd, buf, sizeof buf, 0)) > 0;)
        raw.append(buf, static_cast<std::size_t>(n));
    }
  }
  ::close(fd);
  return raw;
}

std::size_t live_count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// A browser binary on PATH, or empty.
std::string find_chromium() {
  for (const char* name : {"chromium", "chromium-browser"}) {
    const std::string cmd = std::string("command -v ") + name + " > /dev/null 2>&1";
    if (std::system(cmd.c_str()) == 0) return name;
  }
  return {};
}

class LivePage : public ::testing::Test {
 protected:
  // Starts the daemon once for the suite, on the first test that needs it (the browser check may skip first).
  static bool ensure_daemon() {
    if (pid_ > 0) return true;
    dir_ = fs::temp_directory_path() / ("bparb_livepage_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "config");
    const fs::path src = fs::path(BPARB_SOURCE_DIR) / "config";
    port_ = static_cast<std::uint16_t>(40001 + ::getpid() % 20000);
    fs::copy_file(src / "paper-sim.toml", dir_ / "config" / "paper-sim.toml");
    std::string paper = slurp_file(src / "paper.toml");
    const std::size_t at = paper.find("port = 8781");
    if (at == std::string::npos) return false;  // moved in the shipped config
    paper.replace(at, 11, "enabled = true\nport = " + std::to_string(port_));
    std::ofstream(dir_ / "config" / "paper.toml") << paper;
    pid_ = ::fork();
    if (pid_ == 0) {
      if (::chdir(dir_.c_str()) != 0) ::_exit(127);
      const std::string out = (dir_ / "out.txt").string();
      if (!std::freopen(out.c_str(), "w", stdout) || !std::freopen(out.c_str(), "a", stderr)) ::_exit(127);
      ::execl(bparb_binary().c_str(), "bparb", "run", "--config", "config/paper.toml", "--duration", "90", nullptr);
      ::_exit(127);
    }
    // Until the service answers.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < deadline) {
      if (live_exchange(port_, "/healthz", [](const std::string& r) {
            return r.find("\r\n\r\n") != std::string::npos;
          }).starts_with("HTTP/1.1 200"))
        return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    return false;
  }
  static void TearDownTestSuite() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    int st = 0;
    ::waitpid(pid_, &st, 0);
    pid_ = -1;
    fs::remove_all(dir_);
  }
  void SetUp() override {
    if (!fs::exists(bparb_binary())) GTEST_SKIP() << "bparb binary not built: " << bparb_binary();
  }
  std::string daemon_output() const { return slurp_file(dir_ / "out.txt"); }

  static inline fs::path dir_;
  static inline std::uint16_t port_ = 0;
  static inline pid_t pid_ = -1;
};

TEST_F(LivePage, ServesThePageAndStreamsSnapshotEvents) {
  ASSERT_TRUE(ensure_daemon()) << daemon_output();
  const std::string page =
      live_exchange(port_, "/", [](const std::string& r) { return r.find("</html>") != std::string::npos; });
  ASSERT_TRUE(page.starts_with("HTTP/1.1 200 OK\r\n")) << page.substr(0, 300) << daemon_output();
  EXPECT_NE(page.find("Content-Type: text/html; charset=utf-8\r\n"), std::string::npos) << page.substr(0, 400);
  EXPECT_NE(page.find("<main id=\"app\""), std::string::npos);

  const std::string stream = live_exchange(port_, "/api/v1/stream", [](const std::string& r) {
    return live_count(r, "event: snapshot\n") >= 2 && r.ends_with("\n\n");
  });
  ASSERT_GE(live_count(stream, "event: snapshot\n"), 2u) << stream << daemon_output();
  EXPECT_TRUE(stream.starts_with("HTTP/1.1 200 OK\r\n")) << stream;
  EXPECT_NE(stream.find("Content-Type: text/event-stream; charset=utf-8\r\n"), std::string::npos) << stream;
  // Each event: its name, a growing id, one data line holding the status, positions and orders documents.
  std::uint64_t last_id = 0;
  for (std::size_t at = stream.find("event: snapshot\nid: "); at != std::string::npos;
       at = stream.find("event: snapshot\nid: ", at + 1)) {
    const std::size_t id_at = at + 20;
    const std::size_t data_at = stream.find("\ndata: ", id_at);
    ASSERT_NE(data_at, std::string::npos) << stream;
    const std::uint64_t id = std::stoull(stream.substr(id_at, data_at - id_at));
    EXPECT_GT(id, last_id);
    last_id = id;
    const std::size_t end = stream.find("\n\n", data_at);
    ASSERT_NE(end, std::string::npos) << stream;
    const std::string data = stream.substr(data_at + 7, end - data_at - 7);
    EXPECT_TRUE(data.starts_with(R"({"status":{"version":")")) << data;
    EXPECT_NE(data.find(R"("mode":"paper")"), std::string::npos) << data;
    EXPECT_NE(data.find(R"(,"positions":{"snapshot_at_us":)"), std::string::npos) << data;
    EXPECT_NE(data.find(R"(,"orders":{"snapshot_at_us":)"), std::string::npos) << data;
    EXPECT_TRUE(data.ends_with("]}}")) << data;
    EXPECT_EQ(data.find('\n'), std::string::npos);
  }
}

// The text of the element with id `id` (its first text node, up to the next tag), or empty.
std::string element_text(const std::string& html, const std::string& id) {
  const std::size_t at = html.find("id=\"" + id + "\"");
  if (at == std::string::npos) return {};
  const std::size_t open = html.find('>', at);
  if (open == std::string::npos) return {};
  return html.substr(open + 1, html.find('<', open) - open - 1);
}

TEST_F(LivePage, HeadlessBrowserRendersLiveUpdates) {
  const std::string chromium = find_chromium();
  if (chromium.empty())
    GTEST_SKIP() << "no chromium on PATH (scripts/setup.sh installs it): the headless browser check did not run";
  ASSERT_TRUE(ensure_daemon()) << daemon_output();
  const std::string url = "http://127.0.0.1:" + std::to_string(port_) + "/";
  testing::HeadlessChromium browser;
  const std::string started = browser.start(chromium, url, dir_);
  ASSERT_EQ(started, "") << started;
  // Live updates: the page counts the snapshot events it rendered (one a second); wait for three.
  int seen = 0;
  for (int i = 0; i < 100 && seen < 3; ++i) {
    const std::optional<std::string> n = browser.evaluate_string("document.getElementById('app').dataset.snapshots");
    ASSERT_TRUE(n.has_value()) << "the DevTools protocol did not answer";
    seen = std::atoi(n->c_str());
    if (seen < 3) std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  ASSERT_GE(seen, 3) << daemon_output();
  const std::optional<std::string> before = browser.evaluate_string("document.getElementById('uptime').textContent");
  std::this_thread::sleep_for(std::chrono::milliseconds(2200));
  const std::optional<std::string> html = browser.evaluate_string("document.documentElement.outerHTML");
  ASSERT_TRUE(before.has_value() && html.has_value());
  EXPECT_EQ(element_text(*html, "link"), "live") << *html;
  EXPECT_EQ(element_text(*html, "mode"), "paper") << *html;
  EXPECT_EQ(element_text(*html, "version"), "0.1.0") << *html;
  EXPECT_NE(element_text(*html, "trading-state"), "-") << *html;
  // The uptime moved between two reads: the DOM follows the stream, it was not filled once.
  EXPECT_NE(element_text(*html, "uptime"), "-") << *html;
  EXPECT_NE(element_text(*html, "uptime"), *before) << *html;
  // The venue's row and one row per configured pair came from the stream's documents.
  const std::size_t venues = html->find(R"(<tbody id="venues">)");
  ASSERT_NE(venues, std::string::npos) << *html;
  EXPECT_NE(html->find("<td>backpack</td>", venues), std::string::npos) << *html;
  const std::size_t pairs = html->find(R"(<tbody id="pairs">)");
  ASSERT_NE(pairs, std::string::npos) << *html;
  for (const char* pair : {"<td>SOL</td>", "<td>BTC</td>", "<td>JUP</td>"})
    EXPECT_NE(html->find(pair, pairs), std::string::npos) << pair << *html;
  // The latency table: the venue's order-ack and tick-to-order rows and the journal's, from the status's summaries.
  const std::size_t latency = html->find(R"(<tbody id="latency">)");
  ASSERT_NE(latency, std::string::npos) << *html;
  for (const char* what :
       {"<td>order ack</td><td>backpack</td>", "<td>tick to order</td><td>backpack</td>", "<td>journal write</td>"})
    EXPECT_NE(html->find(what, latency), std::string::npos) << what << *html;
  // The REST back-off's column: Backpack's client keeps one; none held now.
  EXPECT_NE(html->find(R"(<td class="ok">ok (429s 0)</td>)", venues), std::string::npos) << *html;
  // No market maker in this run: its panel stays hidden (the status's market_maker is null).
  EXPECT_NE(html->find(R"(<section id="mm-section" hidden)"), std::string::npos) << *html;
  // The events view asked /api/v1/events after an event: the service's start-up line is among them.
  EXPECT_NE(html->find("Service: listening on", html->find(R"(id="events")")), std::string::npos) << *html;

  // A screenshot of the page as an operator sees it, kept with the build (test-artifacts/live_page.png).
  const std::optional<std::string> png = browser.screenshot_png();
  ASSERT_TRUE(png.has_value()) << "no screenshot";
  EXPECT_TRUE(png->starts_with("\x89PNG\r\n\x1a\n"));
  EXPECT_GT(png->size(), 20'000u);  // a rendered page, not an empty canvas
  const fs::path artifacts = bparb_binary().parent_path() / "test-artifacts";
  fs::create_directories(artifacts);
  std::ofstream(artifacts / "live_page.png", std::ios::binary) << *png;
  browser.close();
}

}  // namespace
}  // namespace bparb
