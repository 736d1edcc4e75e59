// The market maker in the daemon, end to end: the built `bparb run` (a CHILD PROCESS, live mode, [strategy]
// kind = "market_maker") quotes SOL_USDC_PERP against bpsim on a thread of this test process, whose background
// takers give flow. What the exchange saw is checked, not what the daemon says: quotes rest, fills happen,
// never two of our orders rest on the book at once, every fill is in the journal to the cent; and a quote
// left resting by kill -9 is cancelled by the next start, with its fill made while down booked.
//
// The binary: $BPARB_BINARY, else `bparb` in the build directory (build it first).
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "bparb/journal/journal.hpp"
#include "bparb/sim/market_model.hpp"
#include "bparb/venue/backpack/signer.hpp"
#include "child_process_util.hpp"
#include "sim_thread.hpp"

namespace bparb {
namespace {

using std::chrono::milliseconds;
using testing::SimThread;
namespace fs = std::filesystem;

constexpr const char* kPerp = "SOL_USDC_PERP";

template <class Pred>
bool wait_for(Pred pred, milliseconds timeout) {
  const auto end = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < end) {
    if (pred()) return true;
    std::this_thread::sleep_for(milliseconds(20));
  }
  return pred();
}

// GET on the daemon's operator port; empty when it does not answer 200.
std::string http_get(std::uint16_t port, const std::string& target) {
  namespace http = boost::beast::http;
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket sock(io);
  boost::system::error_code ec;
  sock.connect({boost::asio::ip::make_address("127.0.0.1"), port}, ec);
  if (ec) return {};
  http::request<http::string_body> req{http::verb::get, target, 11};
  req.set(http::field::host, "127.0.0.1:" + std::to_string(port));
  http::write(sock, req, ec);
  if (ec) return {};
  boost::beast::flat_buffer buf;
  http::response<http::string_body> res;
  http::read(sock, buf, res, ec);
  if (ec || res.result_int() != 200) return {};
  return res.body();
}

// The text between `"key":"` and the next quote, after `from` (the status writes money as strings).
std::string json_string_after(const std::string& body, std::size_t from, const std::string& key) {
  const std::string k = "\"" + key + "\":\"";
  const std::size_t at = body.find(k, from);
  if (at == std::string::npos) return {};
  const std::size_t start = at + k.size();
  return body.substr(start, body.find('"', start) - start);
}

// Counts, after every order event of our account, how many of its orders rest on the perp's book.
struct RestingWatch final : sim::ExchangeListener {
  sim::Exchange* ex = nullptr;
  sim::AccountId account = 0;
  std::atomic<std::size_t> max_resting{0};
  std::atomic<std::size_t> events{0};
  void on_order(const sim::OrderEvent& e) override {
    if (e.account != account) return;
    ++events;
    const std::size_t n = ex->open_orders(account, std::string_view(kPerp)).size();
    if (n > max_resting) max_resting = n;
  }
};

class MmDaemon : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(testing::bparb_binary())) GTEST_SKIP() << "bparb binary not built: " << testing::bparb_binary();
    sim::SimConfig sc = sim::default_sim_config();
    sc.runtime.seed = 5;
    sc.runtime.step_interval_ms = 50;
    sc.model.background_trading = true;
    for (auto& c : sc.model.coins) {
      c.basis_vol_bps = 0;
      c.jump_rate_per_hour = 0;
      if (c.coin != "SOL") {
        c.perp.taker_rate_per_minute = 0;
        c.spot.taker_rate_per_minute = 0;
        continue;
      }
      // A busy perp: five takers a second, a thin first level, so a quote at the touch fills within seconds.
      c.perp.half_spread_bps = 1;
      c.perp.level_spacing_bps = 1;
      c.perp.level_notional_usd = 600;
      c.perp.taker_rate_per_minute = 300;
      c.perp.taker_mean_notional_usd = 400;
      c.spot.taker_rate_per_minute = 0;
    }
    sim::AccountSetup acct;
    acct.api_key = key_.public_key_base64();
    acct.balances = {{"USDC", Decimal::from_int(100'000)}};
    sc.exchange.accounts.push_back(acct);
    sim_ = std::make_unique<SimThread>(std::move(sc));
    account_ = *sim_->rt->exchange().find_account(key_.public_key_base64());
    watch_.ex = &sim_->rt->exchange();
    watch_.account = account_;
    sim_->call([this] {
      sim_->rt->exchange().add_listener(&watch_);
      return 0;
    });
    dir_ = fs::temp_directory_path() / ("bparb_mm_" + std::to_string(::getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    const std::string seed = key_.seed_base64();
    ::setenv("BACKPACK_PRIVATE_KEY", seed.c_str(), 1);  // inherited by the child
    ::unsetenv("BACKPACK_API_KEY");
  }
  void TearDown() override {
    if (child_ > 0) {
      ::kill(child_, SIGKILL);
      ::waitpid(child_, nullptr, 0);
    }
    if (sim_) {
      sim_->call([this] {
        sim_->rt->exchange().remove_listener(&watch_);
        return 0;
      });
      sim_->stop();
    }
    if (::getenv("BPARB_KEEP_E2E_LOG") == nullptr && !HasFailure()) fs::remove_all(dir_);
  }

  fs::path log_path(int run) const { return dir_ / ("run" + std::to_string(run) + ".log"); }
  std::string log(int run) const { return testing::slurp_file(log_path(run)); }

  void start(int run) {
    std::ostringstream t;
    t << "[exchange]\nmode = \"live\"\nrest_url = \"" << sim_->srv->http_url() << "\"\nws_url = \""
      << sim_->srv->ws_url() << "\"\nenv_file = \"" << (dir_ / "none.env").string() << "\"\naccount_poll_seconds = 1\n"
      << "[risk]\nmax_book_age_ms = 5000\nmin_account_balance_usd = 100\nmax_orders_per_minute = 600\n"
      << "[strategy]\nkind = \"market_maker\"\nstats_interval_seconds = 2\ntick_ms = 50\n"
      << "[mm]\nmarkets = [\"" << kPerp << "\"]\nequity_fraction = 0.0003\nmax_quote_usd = 30\n"
      << "max_quote_age_ms = 2000\ncooldown_ms = 1000\n"
      << "[logging]\nfile = \"" << log_path(run).string() << "\"\nconsole = false\nlevel = \"info\"\n"
      << "[journal]\npath = \"" << (dir_ / "journal.sqlite").string()
      << "\"\n[service]\nenabled = true\nport = " << port_ << "\n";
    const fs::path cfg = dir_ / ("run" + std::to_string(run) + ".toml");
    std::ofstream(cfg) << t.str();
    const std::string bin = testing::bparb_binary().string();
    const std::string cfg_s = cfg.string();
    const std::string out = (dir_ / ("run" + std::to_string(run) + ".out")).string();
    child_ = ::fork();
    ASSERT_GE(child_, 0);
    if (child_ == 0) {
      FILE* f = std::freopen(out.c_str(), "w", stdout);
      (void)f;
      ::dup2(::fileno(stdout), 2);
      ::execl(bin.c_str(), "bparb", "run", "--config", cfg_s.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    ASSERT_TRUE(wait_for([&] { return log(run).find("MM: market-making") != std::string::npos || exited(); },
                         milliseconds(20'000)))
        << "child did not start market-making\n"
        << log(run) << testing::slurp_file(out);
    ASSERT_FALSE(exited()) << log(run) << testing::slurp_file(out);
    out_ = out;
  }
  bool exited() {
    int st = 0;
    if (child_ > 0 && ::waitpid(child_, &st, WNOHANG) == child_) {
      child_ = -1;
      last_status_ = st;
      return true;
    }
    return child_ <= 0;
  }
  void stop_cleanly() {
    ASSERT_GT(child_, 0);
    ::kill(child_, SIGTERM);
    ASSERT_TRUE(wait_for([&] { return exited(); }, milliseconds(25'000))) << "no exit within 25 s of SIGTERM";
    EXPECT_TRUE(WIFEXITED(last_status_) && WEXITSTATUS(last_status_) == 0) << last_status_;
  }
  void kill9() {
    ASSERT_GT(child_, 0);
    ::kill(child_, SIGKILL);
    int st = 0;
    ::waitpid(child_, &st, 0);
    child_ = -1;
  }

  std::vector<sim::SimOrder> resting() {
    return sim_->call([this] { return sim_->rt->exchange().open_orders(account_, std::string_view(kPerp)); });
  }
  std::vector<sim::SimFill> fills() {
    return sim_->call([this] {
      sim::FillQuery q;
      q.limit = 1000;
      return sim_->rt->exchange().fills(account_, q).items;
    });
  }

  // The journal holds exactly bpsim's fills of the account: trade id, client id, side, price, quantity, fee.
  void expect_journal_matches_exchange() {
    journal::JournalOptions o;
    o.read_only = true;
    journal::Journal j = journal::Journal::open((dir_ / "journal.sqlite").string(), o);
    auto rows = j.fills_since(0);
    ASSERT_TRUE(rows) << j.last_error();
    std::map<std::pair<std::string, std::int64_t>, journal::FillRecord> booked;
    for (const auto& r : *rows)
      EXPECT_TRUE(booked.emplace(std::make_pair(r.symbol, r.trade_id), r).second) << "trade " << r.trade_id << " twice";
    const auto ex = fills();
    EXPECT_EQ(booked.size(), ex.size());
    for (const auto& f : ex) {
      auto it = booked.find({f.symbol, f.trade_id});
      if (it == booked.end()) {
        ADD_FAILURE() << "journal lacks " << f.symbol << " trade " << f.trade_id;
        continue;
      }
      const journal::FillRecord& r = it->second;
      EXPECT_EQ(r.client_id, f.client_id.value_or(0)) << f.trade_id;
      EXPECT_EQ(r.side, f.side) << f.trade_id;
      EXPECT_EQ(r.price, f.price) << f.trade_id;
      EXPECT_EQ(r.quantity, f.quantity) << f.trade_id;
      EXPECT_EQ(r.fee, f.fee) << f.trade_id;
    }
    EXPECT_TRUE(j.open_intents().value().empty());
  }

  backpack::SigningKey key_ = backpack::SigningKey::generate();
  std::unique_ptr<SimThread> sim_;
  sim::AccountId account_{};
  RestingWatch watch_;
  fs::path dir_;
  std::string out_;
  pid_t child_ = -1;
  int last_status_ = 0;
  std::uint16_t port_ = static_cast<std::uint16_t>(20000 + (::getpid() + 104'729) % 20000);
};

TEST_F(MmDaemon, QuotesFillOneAtATimeAndEveryFillIsJournaled) {
  start(1);
  // Quotes rest and get filled by bpsim's takers (a maker fill of ours at our price).
  ASSERT_TRUE(wait_for([&] { return fills().size() >= 3; }, milliseconds(60'000))) << "no fills within 60 s\n"
                                                                                   << log(1);
  // The operator's view against the fills: with the takers stopped no fill comes any more, so the status's
  // market_maker object and /metrics settle on exactly the exchange's fills (count and maker volume), which
  // expect_journal_matches_exchange() below finds in the journal one to one.
  sim_->call([this] {
    sim_->rt->model()->set_background_trading(false);
    return 0;
  });
  std::string status, metrics, why;
  const bool agree = wait_for(
      [&] {
        status = http_get(port_, "/api/v1/status");
        metrics = http_get(port_, "/metrics");
        // The exchange's record of our fills (the journal holds it one to one: checked after the stop; the
        // running daemon keeps the journal locked).
        const std::vector<sim::SimFill> rows = fills();
        std::int64_t maker = 0, taker = 0;
        Decimal volume;
        for (const auto& r : rows) {
          if (r.is_maker) {
            ++maker;
            volume += r.price.mul(r.quantity, Rounding::kNearest);
          } else {
            ++taker;
          }
        }
        const std::size_t mm = status.find("\"market_maker\":{\"markets\":[{\"symbol\":\"SOL_USDC_PERP\"");
        if (mm == std::string::npos) return false;
        const std::string counts = fmt::format(R"("fills":{{"quote":{},"maker":{},"hedge":{}}})", maker, maker, taker);
        why = counts + " maker volume " + volume.str();
        return status.find(counts, mm) != std::string::npos &&
               Decimal::from_string(json_string_after(status, mm, "maker_volume_usd")) == volume &&
               metrics.find(fmt::format("bparb_mm_quote_fills_total{{symbol=\"SOL_USDC_PERP\"}} {}\n", maker)) !=
                   std::string::npos &&
               metrics.find(fmt::format("bparb_mm_maker_volume_usd_total{{symbol=\"SOL_USDC_PERP\"}} {}\n",
                                        json_string_after(status, mm, "maker_volume_usd"))) != std::string::npos;
      },
      milliseconds(15'000));
  EXPECT_TRUE(agree) << "fills: " << why << "\nstatus: " << status << "\nmetrics:\n" << metrics;
  EXPECT_NE(status.find("\"side\":\"", status.find("\"market_maker\"")), std::string::npos) << status;
  EXPECT_NE(metrics.find("bparb_mm_pnl_usd{symbol=\"SOL_USDC_PERP\",component=\"total\"} "), std::string::npos)
      << metrics;
  stop_cleanly();
  const std::string l = log(1);
  EXPECT_NE(l.find("market maker: quotes pulled"), std::string::npos) << l;
  EXPECT_EQ(l.find("open positions stay hedged"), std::string::npos) << l;
  EXPECT_EQ(l.find("Strategy stats:"), std::string::npos) << l;
  EXPECT_NE(l.find("MM SOL_USDC_PERP: side "), std::string::npos) << l;
  EXPECT_NE(l.find("MM SOL_USDC_PERP: quote placed #"), std::string::npos) << l;
  EXPECT_NE(l.find("MM SOL_USDC_PERP: quote fill #"), std::string::npos) << l;
  EXPECT_NE(l.find("MM stats SOL_USDC_PERP: maker volume "), std::string::npos) << l;
  EXPECT_NE(testing::slurp_file(out_).find("MM stats SOL_USDC_PERP"), std::string::npos) << "exit summary";
  // Never two of our orders on the book at once; nothing left resting after a clean stop.
  EXPECT_GT(watch_.events.load(), 0u);
  EXPECT_EQ(watch_.max_resting.load(), 1u);
  EXPECT_TRUE(resting().empty());
  for (const auto& f : fills()) {
    EXPECT_EQ(f.symbol, kPerp);
    ASSERT_TRUE(f.client_id.has_value());
  }
  expect_journal_matches_exchange();
}

TEST_F(MmDaemon, KillNineLeavesAQuoteThatTheNextStartCancelsAndBooks) {
  start(1);
  ASSERT_TRUE(wait_for([&] { return !resting().empty(); }, milliseconds(60'000))) << "no quote rested\n" << log(1);
  // Freeze the crowd so the orphan stays as it is, then kill -9 with the quote resting.
  sim_->call([this] {
    sim_->rt->model()->set_background_trading(false);
    return 0;
  });
  kill9();
  std::vector<sim::SimOrder> orphans = resting();
  ASSERT_EQ(orphans.size(), 1u);
  const sim::SimOrder orphan = orphans[0];
  // While the daemon is down, a taker fills part of the orphan: the next start must book that fill.
  const std::size_t fills_before = fills().size();
  const std::int64_t filled = sim_->call(
      [this, &orphan] { return sim_->rt->exchange().fill_resting(orphan.id, sim_->rt->model()->taker_account(), 1); });
  ASSERT_EQ(filled, 1);
  ASSERT_EQ(fills().size(), fills_before + 1);
  ASSERT_EQ(resting().size(), 1u) << "one lot of the quote filled, the rest still rests";

  start(2);
  ASSERT_TRUE(
      wait_for([&] { return log(2).find("Cancelling 1 orphan order(s) on SOL_USDC_PERP") != std::string::npos; },
               milliseconds(20'000)))
      << log(2);
  EXPECT_NE(log(2).find("recovered fill made while bparb was down"), std::string::npos) << log(2);
  // The orphan is gone from the book (the new run's own quote may rest by now, under another id).
  for (const auto& o : resting()) EXPECT_NE(o.id, orphan.id);
  stop_cleanly();
  EXPECT_TRUE(resting().empty());
  expect_journal_matches_exchange();
}

}  // namespace
}  // namespace bparb
