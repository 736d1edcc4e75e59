// kill -9 proof: the daemon runs as a CHILD PROCESS (the built `bparb run`, live mode) against
// bpsim on a thread of this test process, with its journal in a temp dir. The child is SIGKILLed at the
// worst moments of an open or a close, restarted on the same journal, and must end delta-neutral with
// every bpsim fill of the account in the journal exactly once, no client id used for two orders, and at
// most one position per pair.
//
// The binary: $BPARB_BINARY, else `bparb` in the build directory (this executable lives in
// <build>/tests/). Build it first (`cmake --build <build> --target bparb`).
#include <gtest/gtest.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
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

using testing::bparb_binary;
using testing::slurp_file;

// Polls `pred` every 20 ms for at most `timeout`; true as soon as it holds.
template <class Pred>
bool recovery_wait_for(Pred pred, milliseconds timeout) {
  const auto end = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < end) {
    if (pred()) return true;
    std::this_thread::sleep_for(milliseconds(20));
  }
  return pred();
}

class Recovery : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(bparb_binary())) GTEST_SKIP() << "bparb binary not built: " << bparb_binary();
    sim::SimConfig sc = sim::default_sim_config();
    sc.runtime.seed = 11;
    sc.runtime.step_interval_ms = 50;
    sc.model.background_trading = false;
    for (auto& c : sc.model.coins) {
      c.basis_mean_bps = 0;
      c.basis_vol_bps = 0;
      c.jump_rate_per_hour = 0;
    }
    sim::AccountSetup acct;
    acct.api_key = key_.public_key_base64();
    acct.balances = {{"USDC", Decimal::from_int(100'000)}, {"SOL", Decimal::from_int(50)}};
    sc.exchange.accounts.push_back(acct);
    sim_ = std::make_unique<SimThread>(std::move(sc));
    account_ = *sim_->rt->exchange().find_account(key_.public_key_base64());
    sol0_ = sim_->rt->exchange().balance(account_, "SOL");
    dir_ = fs::temp_directory_path() / ("bparb_recovery_" + std::to_string(::getpid()) + "_" +
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
    if (sim_) sim_->stop();
    if (::getenv("BPARB_KEEP_E2E_LOG") == nullptr && !HasFailure()) fs::remove_all(dir_);
  }

  fs::path log_path(int run) const { return dir_ / ("run" + std::to_string(run) + ".log"); }

  void start(int run) {
    std::ostringstream t;
    t << "pairs = [\"SOL\"]\n"
      << "[exchange]\nmode = \"live\"\nrest_url = \"" << sim_->srv->http_url() << "\"\nws_url = \""
      << sim_->srv->ws_url() << "\"\nenv_file = \"" << (dir_ / "none.env").string() << "\"\n"
      << "[risk]\nmax_book_age_ms = 10000\nmin_account_balance_usd = 100\n"
      << "[strategy]\nposition_size_usd = 1000\nmin_spread_threshold = 0.001\nmin_execution_threshold = 0.002\n"
      << "large_spread_threshold = 0.05\nconfidence_threshold = 0.5\nmin_closing_spread = 0.0005\n"
      << "opening_delay_seconds = 60\nstats_interval_seconds = 5\n"
      << "[execution]\nuse_maker_for_large_spreads = false\nhedge_deadline_seconds = 5\n"
      << "[logging]\nfile = \"" << log_path(run).string() << "\"\nconsole = false\nlevel = \"info\"\n"
      << "[journal]\npath = \"" << (dir_ / "journal.sqlite").string() << "\"\n[service]\nenabled = false\n";
    const fs::path cfg = dir_ / ("run" + std::to_string(run) + ".toml");
    std::ofstream(cfg) << t.str();
    const std::string bin = bparb_binary().string();
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
    ASSERT_TRUE(recovery_wait_for([&] { return log(run).find("Trading 1 pair(s)") != std::string::npos || exited(); },
                                  milliseconds(20'000)))
        << "child did not start trading\n"
        << log(run) << slurp_file(out);
    ASSERT_FALSE(exited()) << log(run) << slurp_file(out);
  }
  std::string log(int run) const { return slurp_file(log_path(run)); }
  bool exited() {
    int st = 0;
    if (child_ > 0 && ::waitpid(child_, &st, WNOHANG) == child_) {
      child_ = -1;
      last_status_ = st;
      return true;
    }
    return child_ <= 0;
  }
  void kill9() {
    ASSERT_GT(child_, 0);
    ::kill(child_, SIGKILL);
    int st = 0;
    ::waitpid(child_, &st, 0);
    child_ = -1;
    EXPECT_TRUE(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
  }
  // SIGTERM: must exit 0 within a bound.
  void stop_cleanly() {
    ASSERT_GT(child_, 0);
    ::kill(child_, SIGTERM);
    ASSERT_TRUE(recovery_wait_for([&] { return exited(); }, milliseconds(25'000))) << "no exit within 25 s of SIGTERM";
    EXPECT_TRUE(WIFEXITED(last_status_) && WEXITSTATUS(last_status_) == 0) << last_status_;
  }

  void set_basis(double bps) {
    sim_->call([this, bps] {
      sim_->rt->model()->set_basis_bps("SOL", bps);
      return 0;
    });
  }
  void set_faults(const sim::FaultConfig& f) {
    sim_->call([this, f] {
      sim_->rt->faults().set_config(f, sim_->rt->server_time_us());
      return 0;
    });
  }
  // Kills the child from the simulator's thread the instant `pred` holds there (polled every 5 ms), so
  // the daemon has not had the time to hear about what just happened.
  void kill9_when(std::function<bool()> pred) {
    const pid_t pid = child_;
    auto done = std::make_shared<std::atomic<bool>>(false);
    sim_->when(
        std::move(pred),
        [pid, done] {
          ::kill(pid, SIGKILL);
          done->store(true);
        },
        milliseconds(5));
    ASSERT_TRUE(recovery_wait_for([&] { return done->load(); }, milliseconds(30'000))) << "the kill moment never came";
    kill9();
  }

  std::vector<sim::SimFill> fills() {
    return sim_->call([this] {
      sim::FillQuery q;
      q.limit = 1000;
      return sim_->rt->exchange().fills(account_, q).items;
    });
  }
  Decimal perp_net() {
    return sim_->call([this] {
      Decimal n;
      for (const auto& p : sim_->rt->exchange().positions(account_)) n += p.net_quantity;
      return n;
    });
  }
  Decimal spot_delta() {
    return sim_->call([this] { return sim_->rt->exchange().balance(account_, "SOL") - sol0_; });
  }
  bool flat() { return perp_net().is_zero() && spot_delta().abs() <= Decimal::from_string("0.02"); }
  bool neutral() { return (spot_delta() + perp_net()).abs() <= Decimal::from_string("0.02"); }

  // The invariants every scenario ends with.
  void expect_invariants() {
    std::vector<sim::SimFill> ex = fills();
    journal::JournalOptions o;
    o.read_only = true;
    journal::Journal j = journal::Journal::open((dir_ / "journal.sqlite").string(), o);
    std::multiset<std::pair<std::string, std::int64_t>> journaled, exchange;
    auto jf = j.fills_since(0);
    ASSERT_TRUE(jf) << j.last_error();
    for (const auto& f : *jf) journaled.insert({f.symbol, f.trade_id});
    for (const auto& f : ex) exchange.insert({f.symbol, f.trade_id});
    EXPECT_EQ(journaled, exchange) << "every bpsim fill in the journal exactly once";
    // A client id names one order only (ids resume after the journal's highest, across restarts).
    std::map<std::uint32_t, std::set<sim::OrderId>> orders_of;
    for (const auto& f : ex) {
      ASSERT_TRUE(f.client_id.has_value());
      orders_of[*f.client_id].insert(f.order_id);
    }
    for (const auto& [cid, ids] : orders_of) EXPECT_EQ(ids.size(), 1u) << "client id " << cid << " reused";
    // One position per pair: a single order ever sold the perp short for an entry.
    std::set<std::uint32_t> perp_entry_orders;
    for (const auto& f : ex)
      if (f.symbol == "SOL_USDC_PERP" && f.side == Side::kAsk) perp_entry_orders.insert(*f.client_id);
    EXPECT_LE(perp_entry_orders.size(), 1u);
    EXPECT_TRUE(j.open_intents().value().empty());
  }

  backpack::SigningKey key_ = backpack::SigningKey::generate();
  std::unique_ptr<SimThread> sim_;
  sim::AccountId account_{};
  Decimal sol0_;
  fs::path dir_;
  pid_t child_ = -1;
  int last_status_ = 0;
};

TEST_F(Recovery, Kill9WhileTheEntryAnswerIsUnknownThenRestartEndsFlatWithEveryFillJournaled) {
  // The entry batch executes but its answer and stream updates are held back: the daemon only knows its
  // intents when it dies.
  start(1);
  sim::FaultConfig f;
  f.rest_latency = {1500, 1500};  // executed now, answered (and streamed) 1.5 s later
  f.ws_latency = {1500, 1500};
  set_faults(f);
  set_basis(80.0);
  kill9_when([this] {
    sim::FillQuery q;
    return !sim_->rt->exchange().fills(account_, q).items.empty();
  });
  set_faults({});
  start(2);
  const std::string l2 = log(2);
  EXPECT_NE(l2.find("Journal: 2 open intent(s)"), std::string::npos) << l2;
  // Restored and hedged (or, had the stream delivered the fills in time, restored straight away).
  EXPECT_NE(log(2).find("Recovery: restored position SOL"), std::string::npos) << log(2);
  ASSERT_TRUE(recovery_wait_for([&] { return neutral(); }, milliseconds(8'000)));
  set_basis(0.0);  // converge: the restored position closes
  EXPECT_TRUE(recovery_wait_for([&] { return flat(); }, milliseconds(20'000))) << log(2);
  stop_cleanly();
  expect_invariants();
}

TEST_F(Recovery, Kill9BetweenTheTwoLegsIsUnwoundToNeutralAfterRestart) {
  // The perp refuses orders: the spot leg fills alone. Killed the moment the spot fill exists, before
  // the daemon can unwind it; the restart must.
  start(1);
  sim::FaultConfig f;
  f.reject_order_symbols = {"SOL_USDC_PERP"};
  f.rest_latency = {1500, 1500};
  f.ws_latency = {1500, 1500};
  set_faults(f);
  set_basis(80.0);
  kill9_when([this] {
    sim::FillQuery q;
    q.symbol = std::string("SOL_USDC");
    return !sim_->rt->exchange().fills(account_, q).items.empty();
  });
  set_faults({});
  set_basis(0.0);  // no new entry after the restart: only the recovery trades
  start(2);
  EXPECT_TRUE(recovery_wait_for([&] { return flat(); }, milliseconds(10'000)))
      << "spot " << spot_delta().str() << " perp " << perp_net().str() << "\n"
      << log(2);
  stop_cleanly();
  expect_invariants();
}

TEST_F(Recovery, Kill9WhileAPositionIsOpenRestoresItWithoutASecondCopy) {
  start(1);
  set_basis(80.0);
  // "Opened position #" is logged after the position is journaled: the kill hits a fully open position.
  // (Killing as soon as the exchange shows the perp leg is the between-the-legs case above, where a
  // restart may unwind rather than restore.)
  kill9_when([this] { return log(1).find("Opened position #") != std::string::npos; });
  const Decimal perp_before = perp_net();
  ASSERT_TRUE(perp_before.is_negative());
  start(2);  // the premium is still there: a second copy would be tempting
  EXPECT_NE(log(2).find("Recovery: restored position SOL"), std::string::npos) << log(2);
  EXPECT_TRUE(recovery_wait_for([&] { return neutral(); }, milliseconds(8'000)));
  EXPECT_EQ(perp_net(), perp_before) << "no second position";
  set_basis(0.0);
  EXPECT_TRUE(recovery_wait_for([&] { return flat(); }, milliseconds(20'000))) << log(2);
  stop_cleanly();
  expect_invariants();
}

TEST_F(Recovery, Kill9DuringTheCloseEndsFlatAfterRestart) {
  start(1);
  set_basis(80.0);
  ASSERT_TRUE(
      recovery_wait_for([&] { return log(1).find("Opened position #") != std::string::npos; }, milliseconds(20'000)))
      << log(1);
  const Decimal opened = perp_net();
  ASSERT_TRUE(opened.is_negative());
  sim::FaultConfig f;
  f.rest_latency = {1500, 1500};
  f.ws_latency = {1500, 1500};
  set_faults(f);
  set_basis(0.0);
  // Killed as soon as the exit's first fill exists on the exchange.
  kill9_when([this, opened] {
    Decimal n;
    for (const auto& p : sim_->rt->exchange().positions(account_)) n += p.net_quantity;
    return n != opened ||
           sim_->rt->exchange().balance(account_, "SOL") - sol0_ < -opened - Decimal::from_string("0.02");
  });
  set_faults({});
  start(2);
  EXPECT_TRUE(recovery_wait_for([&] { return flat(); }, milliseconds(15'000)))
      << "spot " << spot_delta().str() << " perp " << perp_net().str() << "\n"
      << log(2);
  stop_cleanly();
  expect_invariants();
}

}  // namespace
}  // namespace bparb
