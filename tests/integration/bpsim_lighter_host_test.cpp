// The real bpsim binary hosting a Backpack and a Lighter venue (config/sim-backpack-lighter.toml, ephemeral
// ports): each venue answers its own protocol on its own port, the Lighter front-end serves its market
// metadata and a chained order_book stream, both venues' books sit on the one shared fair value, and
// SIGTERM shuts it all down cleanly.
//
// The binary: $BPSIM_BINARY, else `bpsim` beside `bparb` in the build directory. Build it first
// (`cmake --build <build> --target bpsim`); without it the test is skipped.
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "bpsim_test_util.hpp"
#include "child_process_util.hpp"

namespace bpsim_test {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

fs::path bpsim_binary() {
  if (const char* b = ::getenv("BPSIM_BINARY")) return b;
  return bparb::testing::bparb_binary().parent_path() / "bpsim";
}

// bpsim as a child process with its stdout on a pipe; SIGTERM (then SIGKILL) on destruction.
class BpsimChild {
 public:
  explicit BpsimChild(const std::string& config) {
    int fds[2];
    if (::pipe(fds) != 0) return;
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(fds[1], STDOUT_FILENO);
      ::close(fds[0]);
      ::close(fds[1]);
      const std::string bin = bpsim_binary().string();
      ::execl(bin.c_str(), "bpsim", "--config", config.c_str(), "--log-level", "warn", static_cast<char*>(nullptr));
      ::_exit(127);
    }
    ::close(fds[1]);
    out_ = fds[0];
  }
  ~BpsimChild() {
    (void)terminate();
    if (out_ >= 0) ::close(out_);
  }

  // SIGTERM, then waits up to 5 s for the exit (SIGKILL after that): its exit code, -1 if it had to be killed.
  int terminate() {
    if (pid_ <= 0) return -1;
    ::kill(pid_, SIGTERM);
    int st = 0;
    pid_t done = 0;
    for (int i = 0; i < 100 && (done = ::waitpid(pid_, &st, WNOHANG)) == 0; ++i)
      std::this_thread::sleep_for(milliseconds(50));
    if (done == 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &st, 0);
    }
    pid_ = -1;
    return done == 0 || !WIFEXITED(st) ? -1 : WEXITSTATUS(st);
  }
  BpsimChild(const BpsimChild&) = delete;
  BpsimChild& operator=(const BpsimChild&) = delete;

  // The next stdout line within `timeout`, or "" (timeout or end of output).
  std::string line(milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      if (auto nl = buf_.find('\n'); nl != std::string::npos) {
        std::string l = buf_.substr(0, nl);
        buf_.erase(0, nl + 1);
        return l;
      }
      const auto left = std::chrono::duration_cast<milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0 || out_ < 0) return {};
      pollfd p{out_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return {};
      char chunk[512];
      const ssize_t n = ::read(out_, chunk, sizeof chunk);
      if (n <= 0) return {};
      buf_.append(chunk, static_cast<std::size_t>(n));
    }
  }

 private:
  pid_t pid_ = -1;
  int out_ = -1;
  std::string buf_;
};

// A Lighter order book kept from the order_book/{id} snapshot and its updates (absolute sizes; 0 removes).
struct LighterBook {
  std::map<double, double> bids, asks;
  std::int64_t nonce = -1;
  int updates = 0;
  bool chained = true;

  void apply(simdjson::dom::element ob, bool snapshot) {
    if (snapshot) {
      bids.clear();
      asks.clear();
    } else {
      ++updates;
      chained = chained && int_of(ob, "begin_nonce") == nonce;
    }
    nonce = int_of(ob, "nonce");
    for (auto [name, side] : {std::pair{"bids", &bids}, std::pair{"asks", &asks}}) {
      const simdjson::dom::array levels = ob[name].get_array().value();
      for (simdjson::dom::element l : levels) {
        const double px = std::stod(str_of(l, "price"));
        const double sz = std::stod(str_of(l, "size"));
        if (sz == 0) {
          side->erase(px);
        } else {
          (*side)[px] = sz;
        }
      }
    }
  }
  double mid() const { return bids.empty() || asks.empty() ? 0 : (bids.rbegin()->first + asks.begin()->first) / 2; }
};

// Backpack's /api/v1/depth lists both sides ascending: the best bid is the last bid, the best ask the first ask.
double backpack_mid(HttpConn& c, const std::string& symbol) {
  const HttpResult r = c.get("/api/v1/depth?symbol=" + symbol);
  EXPECT_EQ(r.status, 200) << r.body;
  Json j(r.body);
  if (!j.ok) return 0;
  simdjson::dom::array bids = j.root["bids"].get_array().value();
  simdjson::dom::array asks = j.root["asks"].get_array().value();
  if (bids.size() == 0 || asks.size() == 0) return 0;
  const double bid =
      std::stod(std::string((*(bids.at(bids.size() - 1).get_array().value().begin())).get_string().value()));
  const double ask = std::stod(std::string((*(asks.at(0).get_array().value().begin())).get_string().value()));
  return (bid + ask) / 2;
}

// "bpsim venue NAME (PROTOCOL) listening on http://127.0.0.1:PORT (WS_URL)". Parsed by hand: GCC 12's -O1
// sanitizer build of libstdc++'s regex compiler trips -Wmaybe-uninitialized.
struct VenueLine {
  std::string name, protocol, ws_url;
  std::uint16_t port = 0;
};
std::optional<VenueLine> parse_venue_line(std::string_view l) {
  constexpr std::string_view kHead = "bpsim venue ", kListen = ") listening on http://127.0.0.1:";
  if (!l.starts_with(kHead)) return std::nullopt;
  l.remove_prefix(kHead.size());
  const auto open = l.find(" (");
  const auto listen = l.find(kListen);
  if (open == std::string_view::npos || listen == std::string_view::npos || listen < open) return std::nullopt;
  VenueLine v;
  v.name = std::string(l.substr(0, open));
  v.protocol = std::string(l.substr(open + 2, listen - open - 2));
  l.remove_prefix(listen + kListen.size());
  const auto space = l.find(" (");
  if (space == std::string_view::npos || space == 0 || !l.ends_with(")")) return std::nullopt;
  int p = 0;
  for (char c : l.substr(0, space)) {
    if (c < '0' || c > '9' || p > 65535) return std::nullopt;
    p = p * 10 + (c - '0');
  }
  if (p <= 0 || p > 65535) return std::nullopt;
  v.port = static_cast<std::uint16_t>(p);
  v.ws_url = std::string(l.substr(space + 2, l.size() - space - 3));
  if (v.name.empty() || v.protocol.empty() || !v.ws_url.starts_with("ws://")) return std::nullopt;
  return v;
}

TEST(BpsimLighterHost, ServesABackpackAndALighterVenueOnTheSharedFairValue) {
  if (!fs::exists(bpsim_binary())) GTEST_SKIP() << "bpsim binary not built: " << bpsim_binary();
  BpsimChild child(std::string(BPARB_SOURCE_DIR) + "/config/sim-backpack-lighter.toml");
  std::map<std::string, std::uint16_t> port;
  std::map<std::string, std::string> ws;
  for (int i = 0; i < 2; ++i) {
    const std::string l = child.line(milliseconds(10'000));
    const std::optional<VenueLine> v = parse_venue_line(l);
    ASSERT_TRUE(v.has_value()) << "start-up line: '" << l << "'";
    EXPECT_EQ(v->name, v->protocol);  // venue "backpack" speaks backpack, "lighter" lighter
    port[v->name] = v->port;
    ws[v->name] = v->ws_url;
  }
  ASSERT_EQ(port.size(), 2u);
  EXPECT_NE(port["backpack"], port["lighter"]);
  EXPECT_EQ(ws["lighter"], "ws://127.0.0.1:" + std::to_string(port["lighter"]) + "/stream");

  // Backpack answers Backpack on its port; the Lighter port does not know Backpack's paths.
  HttpConn bp(port["backpack"]);
  HttpConn lt(port["lighter"]);
  const HttpResult markets = bp.get("/api/v1/markets");
  ASSERT_EQ(markets.status, 200);
  Json mj(markets.body);
  ASSERT_TRUE(mj.ok);
  EXPECT_EQ(mj.root.get_array().value().size(), 4u);
  EXPECT_EQ(lt.get("/api/v1/markets").status, 404);

  // Lighter market metadata: the real venue's ids and decimals, fees in percent.
  const HttpResult details = lt.get("/api/v1/orderBookDetails");
  ASSERT_EQ(details.status, 200) << details.body;
  Json dj(details.body);
  ASSERT_TRUE(dj.ok);
  std::map<std::int64_t, simdjson::dom::element> by_id;
  const simdjson::dom::array listed = dj.root["order_book_details"].get_array().value();
  for (simdjson::dom::element d : listed) by_id[int_of(d, "market_id")] = d;
  ASSERT_EQ(by_id.size(), 2u);
  EXPECT_EQ(str_of(by_id[2], "symbol"), "SOL");
  EXPECT_EQ(int_of(by_id[2], "size_decimals"), 3);
  EXPECT_EQ(int_of(by_id[2], "price_decimals"), 3);
  EXPECT_EQ(str_of(by_id[1], "symbol"), "BTC");
  EXPECT_EQ(int_of(by_id[1], "size_decimals"), 5);
  EXPECT_EQ(int_of(by_id[1], "price_decimals"), 1);
  EXPECT_EQ(dec_of(by_id[2], "taker_fee"), Decimal::from_string("0.02"));
  const HttpResult books = lt.get("/api/v1/orderBooks");
  ASSERT_EQ(books.status, 200) << books.body;
  Json bj(books.body);
  ASSERT_TRUE(bj.ok);
  EXPECT_EQ(bj.root["order_books"].get_array().value().size(), 2u);

  // order_book/{id} over WebSocket: a snapshot, then updates chained nonce to begin_nonce as the market
  // model re-quotes; at every sample the Lighter mid sits within a few bps of Backpack's for the same coin.
  WsConn w(port["lighter"], "/stream");
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE(w.next_matching([](const std::string& f) { return f.find("\"connected\"") != std::string::npos; }));
  std::map<std::int64_t, LighterBook> book;
  for (std::int64_t id : {2, 1}) {
    w.send(R"({"type":"subscribe","channel":"order_book/)" + std::to_string(id) + "\"}");
  }
  const auto pump = [&](milliseconds d) {
    const auto end = std::chrono::steady_clock::now() + d;
    while (std::chrono::steady_clock::now() < end) {
      auto f = w.next(milliseconds(100));
      if (!f) continue;
      Json j(*f);
      ASSERT_TRUE(j.ok) << *f;
      const std::string type = str_of(j.root, "type");
      if (type != "subscribed/order_book" && type != "update/order_book") continue;
      const std::string channel = str_of(j.root, "channel");
      const std::int64_t id = std::stoll(channel.substr(channel.find(':') + 1));
      book[id].apply(j.root["order_book"].value(), type == "subscribed/order_book");
    }
  };
  const std::map<std::int64_t, std::string> backpack_perp = {{2, "SOL_USDC_PERP"}, {1, "BTC_USDC_PERP"}};
  int samples = 0;
  for (int round = 0; round < 4; ++round) {
    pump(milliseconds(700));
    for (const auto& [id, symbol] : backpack_perp) {
      const double l = book[id].mid();
      const double b = backpack_mid(bp, symbol);
      ASSERT_GT(l, 0) << "market " << id;
      ASSERT_GT(b, 0) << symbol;
      // The venues differ by the Lighter venue's lag, noise and rare dislocations and by each venue's own
      // perp basis: a few bps, tens at worst.
      EXPECT_LT(std::fabs(l / b - 1) * 1e4, 60.0) << symbol << " lighter " << l << " backpack " << b;
      ++samples;
    }
  }
  EXPECT_EQ(samples, 8);
  for (std::int64_t id : {2, 1}) {
    EXPECT_GT(book[id].updates, 0) << "market " << id << ": no order_book updates";
    EXPECT_TRUE(book[id].chained) << "market " << id;
  }

  // SIGTERM stops both front-ends and the world: bpsim exits 0 within its 2-second close grace.
  EXPECT_EQ(child.terminate(), 0);
}

}  // namespace
}  // namespace bpsim_test
