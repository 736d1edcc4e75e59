#pragma once
// The market maker's daemon tests' fixture: bpsim on a thread of the test process (a busy SOL perp of background
// takers), the built `bparb run` as a child process configured against it, and what bpsim saw of our account.
// The binary: $BPARB_BINARY, else `bparb` in the build directory (build it first).
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "../support/test_servers.hpp"
#include "bparb/journal/journal.hpp"
#include "bparb/sim/backpack/ws_hub.hpp"
#include "bparb/sim/faults.hpp"
#include "bparb/sim/market_model.hpp"
#include "bparb/venue/backpack/signer.hpp"
#include "child_process_util.hpp"
#include "mm_daemon_util.hpp"
#include "sim_thread.hpp"

namespace bparb::testing::mm_daemon {

namespace fs = std::filesystem;

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
    adjust(sc);
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
        receiver_.reset();
        return 0;
      });
      sim_->stop();
    }
    if (::getenv("BPARB_KEEP_E2E_LOG") == nullptr && !HasFailure()) fs::remove_all(dir_);
  }

  virtual void adjust(sim::SimConfig&) {}  // a test fixture's own market model, before bpsim starts

  fs::path log_path(int run) const { return dir_ / ("run" + std::to_string(run) + ".log"); }
  std::string log(int run) const { return testing::slurp_file(log_path(run)); }

  void write_config(int run) {
    std::ostringstream t;
    t << "[exchange]\nmode = \"live\"\nrest_url = \"" << sim_->srv->http_url() << "\"\nws_url = \""
      << sim_->srv->ws_url() << "\"\nenv_file = \"" << (dir_ / "none.env").string()
      << "\"\naccount_poll_seconds = " << poll_seconds_ << "\n"
      << "[risk]\nmax_book_age_ms = 5000\nmin_account_balance_usd = 100\nmax_orders_per_minute = 600\n"
      << "[strategy]\nkind = \"market_maker\"\nstats_interval_seconds = 2\ntick_ms = 50\n"
      << "[mm]\n"
      << markets_line_ << "equity_fraction = 0.0003\nmax_quote_usd = 30\n"
      << "max_quote_age_ms = 2000\ncooldown_ms = " << cooldown_ms_ << "\n"
      << mm_extra_ << alerts_ << "[logging]\nfile = \"" << log_path(run).string()
      << "\"\nconsole = false\nlevel = \"info\"\n"
      << "[journal]\npath = \"" << (dir_ / "journal.sqlite").string()
      << "\"\n[service]\nenabled = true\nport = " << port_ << "\n";
    std::ofstream(config_path(run)) << t.str();
  }
  fs::path config_path(int run) const { return dir_ / ("run" + std::to_string(run) + ".toml"); }

  void start(int run) {
    write_config(run);
    const fs::path cfg = config_path(run);
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

  // Applies a POST /_bpsim/faults body on the sim thread; "drop_ws" closes every WebSocket connection now.
  void faults(const std::string& body) {
    const std::string err = sim_->call([this, body] {
      auto r = sim_->rt->faults().apply_json(body, sim_->rt->wall_clock().now_us());
      if (!r) return r.error();
      if (r->drop_ws_now) {
        const std::size_t n = sim_->srv->hub().close_all("test drop", /*hard=*/true);
        sim_->rt->faults().note_ws_drop(n, "test drop");
      }
      return std::string();
    });
    ASSERT_TRUE(err.empty()) << body << ": " << err;
  }
  // A webhook receiver on the simulator's thread; the daemon's [alerts] send `events` to it.
  void use_webhook(const std::string& events) {
    const std::string url = sim_->call([this] {
      receiver_ = std::make_unique<net::testing::HttpTestServer>(
          sim_->io, [](const net::testing::SeenRequest&) { return net::testing::HttpAction{}; });
      return receiver_->base_url();
    });
    alerts_ = "[alerts]\n[[alerts.sinks]]\nkind = \"webhook\"\nurl = \"" + url + "/bparb\"\nevents = " + events + "\n";
  }
  // The bodies the webhook received, in order.
  std::vector<std::string> webhook_bodies() {
    return sim_->call([this] {
      std::vector<std::string> out;
      if (receiver_)
        for (const auto& r : receiver_->requests()) out.push_back(r.body);
      return out;
    });
  }
  // The first webhook body of `event` that contains `needle`, or empty.
  std::string webhook_body(const std::string& event, const std::string& needle) {
    for (const std::string& b : webhook_bodies())
      if (b.find("{\"event\":\"" + event + "\"") == 0 && b.find(needle) != std::string::npos) return b;
    return {};
  }

  sim::FaultCounters counters() {
    return sim_->call([this] { return sim_->rt->faults().counters(); });
  }
  // Orders of ours bpsim has seen, whatever became of them.
  std::vector<sim::SimOrder> order_history() {
    return sim_->call([this] {
      sim::OrderHistoryQuery q;
      q.limit = 1000;
      return sim_->rt->exchange().order_history(account_, q).items;
    });
  }
  void expect_client_ids_unique() {
    std::map<std::uint32_t, int> seen;
    for (const auto& o : order_history())
      if (o.client_id) ++seen[*o.client_id];
    for (const auto& [id, n] : seen) EXPECT_EQ(n, 1) << "clientId " << id << " placed " << n << " times";
  }

  // bpsim's position of ours on a perp (+long / -short).
  Decimal position(const std::string& symbol = kPerp) {
    return sim_->call([this, &symbol] {
      Decimal q;
      for (const auto& p : sim_->rt->exchange().positions(account_, std::string_view(symbol))) q = p.net_quantity;
      return q;
    });
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
  std::unique_ptr<net::testing::HttpTestServer> receiver_;
  fs::path dir_;
  std::string out_;
  std::string markets_line_ = std::string("markets = [\"") + kPerp + "\"]\n";
  std::string mm_extra_;  // more [mm] lines for one test (a subtable such as [mm.selector] last)
  std::string alerts_;    // an [alerts] section (after [mm])
  std::int64_t cooldown_ms_ = 1000;
  int poll_seconds_ = 1;
  pid_t child_ = -1;
  int last_status_ = 0;
  std::uint16_t port_ = static_cast<std::uint16_t>(20000 + (::getpid() + 104'729) % 20000);
};

}  // namespace bparb::testing::mm_daemon
