// End to end: the daemon (the live-mode code path) against bpsim over real loopback sockets.
// bpsim runs on its own thread; a script moves the SOL basis; the daemon must open, hedge and close as
// configured, the exchange must end delta-neutral, and the daemon's P&L must equal the exchange's
// balance change to the cent.
#include <gtest/gtest.h>
#include <spdlog/spdlog.h>
#include <sqlite3.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "bparb/app/config.hpp"
#include "bparb/app/daemon.hpp"
#include "bparb/app/daily_csv.hpp"
#include "bparb/app/logging.hpp"
#include "bparb/journal/journal.hpp"
#include "bparb/sim/market_model.hpp"
#include "bparb/venue/backpack/signer.hpp"
#include "daemon_test_util.hpp"
#include "sim_thread.hpp"

namespace bparb {
namespace {

using std::chrono::milliseconds;
using testing::SimThread;

using testing::slurp_file;

// The scenario harness (daemon_test_util.hpp) with the exchange started at once: these tests only
// script the basis and read the outcome.
class DaemonE2E : public testing::DaemonHarness {
 protected:
  void SetUp() override {
    DaemonHarness::SetUp();
    start_sim();
  }

  // Every fill of the account on bpsim, by (symbol, trade id).
  std::set<std::pair<std::string, std::int64_t>> exchange_trades() {
    return sim_->call([this] {
      std::set<std::pair<std::string, std::int64_t>> out;
      for (const auto& f : all_fills()) out.insert({f.symbol, f.trade_id});
      return out;
    });
  }
  // The fills of the first run's journal (a test may point a later run at another file).
  std::vector<journal::FillRecord> journal_fills() {
    journal::JournalOptions o;
    o.read_only = true;
    journal::Journal j = journal::Journal::open((dir_ / "journal.sqlite").string(), o);
    auto f = j.fills_since(0);
    EXPECT_TRUE(f) << j.last_error();
    return f ? *f : std::vector<journal::FillRecord>{};
  }
  // Same as faults(), from a step already on the simulator's thread.
  void faults_here(const std::string& json) {
    auto r = sim_->rt->faults().apply_json(json, sim_->rt->wall_clock().now_us());
    if (!r) ADD_FAILURE() << r.error();
  }
};

TEST_F(DaemonE2E, PerpPremiumSpikeOpensConvergenceClosesAndPnlReconcilesToTheCent) {
  app::Config cfg = config();
  basis_at(3000, 80.0);  // +80 bps perp premium: PerpPremium entry
  // Convergence once the exchange shows the hedged position (not at a guessed time: the book sync can
  // take longer on a loaded machine).
  sim_->when([this] { return perp_position_open(); },
             [this] { sim_->at(milliseconds(1000), [this] { sim_->rt->model()->set_basis_bps("SOL", 0.0); }); });
  app::RunSummary s = run(cfg, 20);
  EXPECT_EQ(s.stats.executed, 1u) << s.to_string();
  EXPECT_EQ(s.stats.closed, 1u) << s.to_string();
  EXPECT_EQ(s.leg_risk_failures, 0u);
  EXPECT_EQ(s.trading_state, "Active");
  expect_flat_and_reconciled(s);
  EXPECT_TRUE(logged("Found opportunity SOL PerpPremium"));
  EXPECT_TRUE(logged("Placing 2 TAKER orders (entry)"));
  EXPECT_TRUE(logged("Opened position #"));
  EXPECT_TRUE(logged("Closed position #"));
  EXPECT_TRUE(logged("Strategy stats: opportunities="));
  EXPECT_FALSE(logged(seed_));  // the secret never reaches the log
  // trades_SOL_<date>.csv next to the log holds exactly the exchange's fills (symbol, quantity, price).
  std::multiset<std::string> csv_rows, exchange_rows;
  for (const auto& e : std::filesystem::directory_iterator(dir_)) {
    const std::string name = e.path().filename().string();
    if (!name.starts_with("trades_SOL_") || !name.ends_with(".csv")) continue;
    std::istringstream in(slurp_file(e.path()));
    std::string line;
    std::getline(in, line);
    EXPECT_EQ(line + "\n", app::kTradesCsvHeader);
    while (std::getline(in, line)) {
      std::vector<std::string> f;
      std::istringstream cols(line);
      for (std::string c; std::getline(cols, c, ',');) f.push_back(c);
      ASSERT_EQ(f.size(), 12u) << line;
      csv_rows.insert(f[4] + " " + f[6] + " @ " + f[7]);
    }
  }
  for (const auto& f : sim_->rt->exchange().fills(account_, {}).items)
    exchange_rows.insert(f.symbol + " " + f.quantity.str() + " @ " + f.price.str());
  EXPECT_FALSE(exchange_rows.empty());
  EXPECT_EQ(csv_rows, exchange_rows);
}

TEST_F(DaemonE2E, MakerLegsTimeOutIntoTakerFallback) {
  // A large spread plans post-only legs; with no background takers nothing fills them, so after
  // order_timeout_seconds the remainders go taker and the position opens.
  large_spread_ = "0.005";
  use_maker_ = "true";
  app::Config cfg = config("",
                           "order_timeout_seconds = 3\nfallback_to_taker = true\n"
                           "maker_reprice_bps = 50\n");
  basis_at(3000, 80.0);
  app::RunSummary s = run(cfg, 20);  // the entry can come late when the book syncs slowly under load
  EXPECT_TRUE(logged("Placing 2 MAKER orders (entry)")) << s.to_string();
  EXPECT_TRUE(logged("TAKER orders (fallback)")) << s.to_string();
  EXPECT_EQ(s.stats.executed, 1u) << s.to_string();
  EXPECT_EQ(s.leg_risk_failures, 0u);
  // Delta-neutral on the exchange within one step: spot bought ~= perp sold.
  const auto pos = sim_->rt->exchange().positions(account_);
  ASSERT_EQ(pos.size(), 1u);
  const Decimal spot_delta = sim_->rt->exchange().balance(account_, "SOL") - sol0_;
  EXPECT_LE((spot_delta + pos[0].net_quantity).abs(), Decimal::from_string("0.01"))
      << "spot " << spot_delta.str() << " perp " << pos[0].net_quantity.str();
}

TEST_F(DaemonE2E, RejectedPerpLegIsUnwoundWithinTheDeadline) {
  // The perp market refuses every order: the spot leg that filled must be sold back.
  sim_->call([this] {
    sim::FaultConfig f;
    f.reject_order_symbols = {"SOL_USDC_PERP"};
    sim_->rt->faults().set_config(f, sim_->rt->server_time_us());
    return 0;
  });
  app::Config cfg = config();
  basis_at(3000, 80.0);
  app::RunSummary s = run(cfg, 18);  // margin for a slow book sync under load
  // The spot leg was held briefly: the portfolio books it as a position opened and closed at a loss
  // (fees and the round trip), but the engine never reports an opened basis position.
  EXPECT_FALSE(logged("Opened position #")) << s.to_string();
  EXPECT_EQ(s.stats.open, 0u) << s.to_string();
  EXPECT_GE(s.orders_rejected, 1u);
  EXPECT_GE(s.hedges, 1u);
  EXPECT_EQ(s.leg_risk_failures, 0u) << s.to_string();
  EXPECT_TRUE(logged("Hedging SOL: unwind"));
  // Back to the starting inventory within one step (the buy's base fee is the only residue), no perp.
  const Decimal spot_delta = sim_->rt->exchange().balance(account_, "SOL") - sol0_;
  EXPECT_LE(spot_delta.abs(), Decimal::from_string("0.01")) << spot_delta.str();
  expect_flat_and_reconciled(s);
  EXPECT_TRUE(s.stats.realized_net.is_negative());
}

TEST_F(DaemonE2E, DailyLossLimitMovesToReduceOnly) {
  // Fees alone of one round of entries exceed a 1 USD daily loss budget.
  app::Config cfg = config("", "", "max_daily_loss_usd = 1\n");
  basis_at(3000, 80.0);
  app::RunSummary s = run(cfg, 16);  // margin for a slow book sync under load
  EXPECT_EQ(s.stats.executed, 1u) << s.to_string();
  EXPECT_EQ(s.trading_state, "ReduceOnly") << s.to_string();
  EXPECT_TRUE(logged("Trading state Active -> ReduceOnly"));
}

TEST_F(DaemonE2E, StartUpRefusesAnAccountBelowTheEquityFloor) {
  // The account holds ~107 500 USD; demand 5 million. Nothing may be traded, and the reason is clear.
  app::Config cfg = config("", "", "");
  cfg.risk.min_account_balance_usd = Decimal::from_int(5'000'000);
  try {
    run(cfg, 5);
    FAIL() << "start-up should have been refused";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("below risk.min_account_balance_usd"), std::string::npos) << e.what();
  }
  app::shutdown_logging();
  EXPECT_TRUE(sim_->rt->exchange().fills(account_, {}).items.empty());
}

// The exchange started by the test itself, after it edited the markets.
class DaemonStartUp : public testing::DaemonHarness {};

TEST_F(DaemonStartUp, RefusesPairsThatDoNotShareOneQuoteAsset) {
  // The spot market answers with another quote asset than its perp: the engine keeps one quote balance
  // and counts money in one asset, so start-up must refuse and say which markets differ.
  for (sim::MarketSetup& m : sim_config_.exchange.markets)
    if (m.spec.symbol == "SOL_USDC") m.spec.quote_symbol = "USDT";
  start_sim();
  app::Config cfg = config("", "", "");
  try {
    run(cfg, 5);
    FAIL() << "start-up should have been refused";
  } catch (const std::runtime_error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("do not share one quote asset"), std::string::npos) << what;
    EXPECT_NE(what.find("SOL_USDC is quoted in USDT"), std::string::npos) << what;
    EXPECT_NE(what.find("SOL_USDC_PERP in USDC"), std::string::npos) << what;
  }
  app::shutdown_logging();
  EXPECT_TRUE(sim_->rt->exchange().fills(account_, {}).items.empty());
}

TEST_F(DaemonStartUp, NamesTheCommonQuoteAsset) {
  start_sim();
  run(config("", "", ""), 2);
  EXPECT_NE(log_.find("Quote asset: USDC (all 2 markets)"), std::string::npos) << log_;
}

}  // namespace
}  // namespace bparb

namespace bparb {
namespace {

TEST_F(DaemonE2E, JournalHoldsEveryFillOnceAndARestartRestoresTheOpenPositionInsteadOfOpeningASecond) {
  journal_ = true;
  app::Config cfg = config();
  basis_at(3000, 80.0);
  // Stop (SIGTERM, no flatten) once the hedged position shows on the exchange: it stays open.
  sim_->when([this] { return perp_position_open(); },
             [this] { sim_->at(milliseconds(800), [] { ::kill(::getpid(), SIGTERM); }); });
  app::RunSummary s1 = run(cfg, 25, /*keep_sim=*/true);
  ASSERT_EQ(s1.stats.executed, 1u) << s1.to_string();
  EXPECT_EQ(s1.stats.open, 1u) << s1.to_string();
  EXPECT_TRUE(logged("Journal: client ids resume at "));
  // Every exchange fill of the account is in the journal exactly once.
  std::set<std::pair<std::string, std::int64_t>> journaled;
  for (const auto& f : journal_fills()) EXPECT_TRUE(journaled.insert({f.symbol, f.trade_id}).second) << f.trade_id;
  EXPECT_EQ(journaled, exchange_trades());

  // Restart on the same journal while the premium is still there: the position is restored (no second
  // entry), then the basis converges and it closes.
  const std::filesystem::path log1 = dir_ / "arbitrage.log";
  std::filesystem::rename(log1, dir_ / "run1.log");
  sim_->at(milliseconds(4000), [this] { sim_->rt->model()->set_basis_bps("SOL", 0.0); });
  app::RunSummary s2 = run(cfg, 20);
  EXPECT_TRUE(logged("Recovery: restored position SOL")) << s2.to_string();
  EXPECT_FALSE(logged("TAKER orders (entry)")) << s2.to_string();

  EXPECT_EQ(s2.stats.closed, 1u) << s2.to_string();
  EXPECT_EQ(s2.trading_state, "Active");
  for (const auto& p : sim_->rt->exchange().positions(account_))
    EXPECT_TRUE(p.net_quantity.is_zero()) << p.symbol << " " << p.net_quantity.str();
  const Decimal spot_delta = sim_->rt->exchange().balance(account_, "SOL") - sol0_;
  EXPECT_LE(spot_delta.abs(), Decimal::from_string("0.01")) << spot_delta.str();
  journaled.clear();
  for (const auto& f : journal_fills()) EXPECT_TRUE(journaled.insert({f.symbol, f.trade_id}).second) << f.trade_id;
  sim::FillQuery q;
  q.limit = 1000;
  std::set<std::pair<std::string, std::int64_t>> ex;
  for (const auto& f : sim_->rt->exchange().fills(account_, q).items) ex.insert({f.symbol, f.trade_id});
  EXPECT_EQ(journaled, ex);
  journal::JournalOptions o;
  o.read_only = true;
  journal::Journal j = journal::Journal::open((dir_ / "journal.sqlite").string(), o);
  EXPECT_TRUE(j.open_positions().value().empty());
  EXPECT_TRUE(j.open_intents().value().empty());
  // Both runs together reconcile to the exchange (the restored position carries its cost and fees).
  expect_flat_and_reconciled(s2);
}

TEST_F(DaemonE2E, UnexplainedPositionIsRefusedByDefaultAndUnwoundWhenAdopted) {
  journal_ = true;
  basis_at(3000, 80.0);
  sim_->when([this] { return perp_position_open(); },
             [this] { sim_->at(milliseconds(800), [] { ::kill(::getpid(), SIGTERM); }); });
  app::RunSummary s1 = run(config(), 25, /*keep_sim=*/true);
  ASSERT_EQ(s1.stats.open, 1u) << s1.to_string();
  // Another journal knows nothing of that position.
  journal_name_ = "other.sqlite";
  try {
    run(config(), 10, /*keep_sim=*/true);
    FAIL() << "start-up should have been refused";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("but the journal explains 0"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("[recovery] unexplained_positions"), std::string::npos) << e.what();
  }
  app::shutdown_logging();
  ASSERT_TRUE(sim_->call([this] { return perp_position_open(); })) << "refusing touches nothing";
  extra_toml_ = "[recovery]\nunexplained_positions = \"adopt\"\n";
  sim_->call([this] {
    sim_->rt->model()->set_basis_bps("SOL", 0.0);
    return 0;
  });
  app::RunSummary s3 = run(config(), 12);
  EXPECT_TRUE(logged("unexplained_positions = adopt: taking it over and unwinding it to flat")) << log_;
  EXPECT_TRUE(logged("TAKER orders (exit)")) << log_;
  EXPECT_EQ(s3.stats.open, 0u) << s3.to_string();
  for (const auto& p : sim_->rt->exchange().positions(account_))
    EXPECT_TRUE(p.net_quantity.is_zero()) << p.symbol << " " << p.net_quantity.str();
}

TEST_F(DaemonE2E, AJournalThatCannotRecordTheIntentStopsTheOrderAndHaltsTrading) {
  // Another process holds the journal's write lock once trading has started: the entry's intents
  // cannot be made durable, so the orders must not leave and trading halts.
  journal_ = true;
  app::Config cfg = config();
  const std::string path = (dir_ / "journal.sqlite").string();
  const std::filesystem::path log_file = dir_ / "arbitrage.log";
  sqlite3* locker = nullptr;
  sim_->when([log_file] { return slurp_file(log_file).find("Trading 1 pair(s)") != std::string::npos; },
             [this, path, &locker] {
               ASSERT_EQ(sqlite3_open(path.c_str(), &locker), SQLITE_OK);
               ASSERT_EQ(sqlite3_exec(locker, "BEGIN EXCLUSIVE", nullptr, nullptr, nullptr), SQLITE_OK);
               sim_->rt->model()->set_basis_bps("SOL", 80.0);
             });
  app::RunSummary s = run(cfg, 12);
  ASSERT_NE(locker, nullptr);
  sqlite3_exec(locker, "ROLLBACK", nullptr, nullptr, nullptr);
  sqlite3_close(locker);
  EXPECT_TRUE(logged("Journal: recording 2 order intent(s) failed")) << log_;
  EXPECT_TRUE(logged("NOT sending them")) << log_;
  EXPECT_FALSE(logged("Placing 2 TAKER orders (entry)")) << log_;
  EXPECT_EQ(s.trading_state, "Halted") << s.to_string();
  EXPECT_FALSE(s.journal_healthy);
  EXPECT_TRUE(sim_->rt->exchange().fills(account_, {}).items.empty()) << "nothing reached the exchange";
}

TEST_F(DaemonE2E, ARestartKeepsTheDailyLossBudgetAndTheReduceOnlyState) {
  journal_ = true;
  app::Config cfg = config("", "", "max_daily_loss_usd = 1\n");
  basis_at(3000, 80.0);
  app::RunSummary s1 = run(cfg, 14, /*keep_sim=*/true);
  ASSERT_EQ(s1.trading_state, "ReduceOnly") << s1.to_string();
  std::filesystem::rename(dir_ / "arbitrage.log", dir_ / "run1.log");
  // Restart: the state comes back from the journal.
  app::RunSummary s2 = run(cfg, 3, /*keep_sim=*/true);
  EXPECT_TRUE(logged("Journal: trading state ReduceOnly restored from the last run")) << log_;
  EXPECT_TRUE(logged("Journal: today's P&L so far -")) << log_;
  EXPECT_EQ(s2.trading_state, "ReduceOnly") << s2.to_string();
  EXPECT_FALSE(logged("TAKER orders (entry)"));
  std::filesystem::rename(dir_ / "arbitrage.log", dir_ / "run2.log");
  // --resume lifts the stored state, but not the day's losses: the carried P&L is still beyond the
  // budget, so the risk gate goes back to ReduceOnly by itself.
  app::init_logging(cfg.logging);
  app::RunOptions opts;
  opts.duration = 4 * kUsPerSecond;
  opts.resume_trading = true;
  app::RunSummary s3 = app::run_daemon(cfg, opts);
  app::shutdown_logging();
  log_ = slurp_file(dir_ / "arbitrage.log");
  EXPECT_TRUE(logged("starting Active (--resume)")) << log_;
  EXPECT_TRUE(logged("Trading state Active -> ReduceOnly (daily_loss")) << log_;
  EXPECT_EQ(s3.trading_state, "ReduceOnly") << s3.to_string();
}

TEST_F(DaemonE2E, FlattenOnShutdownClosesTheOpenPositionReduceOnlyAndStopsCleanly) {
  extra_toml_ = "[shutdown]\nflatten_on_shutdown = true\ntimeout_seconds = 10\n";
  app::Config cfg = config();
  ASSERT_TRUE(cfg.shutdown.flatten_on_shutdown);
  basis_at(3000, 80.0);  // the premium stays: only the shutdown closes the position
  sim_->when([this] { return perp_position_open(); },
             [this] { sim_->at(milliseconds(800), [] { ::kill(::getpid(), SIGTERM); }); });
  app::RunSummary s = run(cfg, 25);
  EXPECT_EQ(s.stats.executed, 1u) << s.to_string();
  EXPECT_EQ(s.stats.closed, 1u) << s.to_string();
  EXPECT_EQ(s.stats.open, 0u) << s.to_string();
  EXPECT_TRUE(logged("Shutdown: closing position SOL (reduce-only, flatten_on_shutdown)"));
  EXPECT_TRUE(logged("reason=flatten_on_shutdown")) << "the Closed line says why the position was closed";
  EXPECT_TRUE(logged("TAKER orders (exit)"));
  EXPECT_LT(s.ran_us, 24 * kUsPerSecond) << "the signal, not the duration, ended the run";
  expect_flat_and_reconciled(s);
}

TEST_F(DaemonE2E, SighupReloadsThresholdsValidatesFirstAndListsRestartOnlyChanges) {
  const std::string good = config_text();
  app::Config cfg = config_file(good);
  // 1 s: a valid file with a new threshold and a restart-only change; 2 s: an invalid file.
  sim_->at(milliseconds(1500), [this, good] {
    std::string t = good;
    const std::string from = "min_execution_threshold = 0.002";
    t.replace(t.find(from), from.size(), "min_execution_threshold = 0.003");
    const std::string lf = "level = \"info\"";
    t.replace(t.find(lf), lf.size(), "level = \"info\"\nmax_files = 3");
    std::ofstream(dir_ / "bparb.toml") << t << "[paper]\nport = 9999\n";
    ::kill(::getpid(), SIGHUP);
  });
  sim_->at(milliseconds(3000), [this] {
    std::ofstream(dir_ / "bparb.toml") << "[strategy]\nmin_execution_threshold = \"lots\"\n";
    ::kill(::getpid(), SIGHUP);
  });
  app::RunSummary s = run(cfg, 5);
  EXPECT_TRUE(logged("SIGHUP: reloaded")) << log_;
  EXPECT_TRUE(logged("strategy.min_execution_threshold 0.002 -> 0.003")) << log_;
  EXPECT_TRUE(logged("needs a restart; keeping the running value")) << log_;
  EXPECT_TRUE(logged("is invalid; keeping the running settings")) << log_;
  EXPECT_TRUE(logged("min_execution_threshold")) << log_;
  EXPECT_EQ(s.trading_state, "Active");
}

TEST_F(DaemonE2E, TellsSystemdReadyWatchdogAndStoppingThroughNotifySocket) {
  const std::string sock = (dir_ / "notify.sock").string();
  int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(fd, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  ASSERT_LT(sock.size(), sizeof addr.sun_path);
  std::memcpy(addr.sun_path, sock.c_str(), sock.size() + 1);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ::setenv("NOTIFY_SOCKET", sock.c_str(), 1);
  ::setenv("WATCHDOG_USEC", "400000", 1);  // ping every 200 ms
  ::setenv("WATCHDOG_PID", std::to_string(::getpid()).c_str(), 1);
  // Read like systemd does, while the daemon runs (a full socket queue would drop messages).
  timeval tv{0, 50'000};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  std::vector<std::string> msgs;
  std::atomic<bool> done{false};
  std::thread reader([&] {
    char buf[1024];
    while (!done.load()) {
      const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) continue;
      msgs.emplace_back(buf, static_cast<std::size_t>(n));
      // READY=1 waits for the books to sync (seconds in this calm market): stop the run once it came, as
      // systemd would with `systemctl stop`; the duration is only a bound.
      if (msgs.back().rfind("READY=1", 0) == 0) ::kill(::getpid(), SIGTERM);
    }
  });
  app::Config cfg = config();
  app::RunSummary s = run(cfg, 30);
  ::unsetenv("NOTIFY_SOCKET");
  ::unsetenv("WATCHDOG_USEC");
  ::unsetenv("WATCHDOG_PID");
  std::this_thread::sleep_for(milliseconds(100));  // the last datagram is already queued; let the reader take it
  done = true;
  reader.join();
  ::close(fd);
  auto count = [&](std::string_view what) {
    return std::count_if(msgs.begin(), msgs.end(), [&](const std::string& m) { return m.find(what) != m.npos; });
  };
  EXPECT_EQ(count("READY=1"), 1) << s.to_string();
  EXPECT_GE(count("WATCHDOG=1"), 3);  // start-up and the seconds until the books synced, at 200 ms
  EXPECT_EQ(count("STOPPING=1"), 1);
  std::string all;
  for (const std::string& m : msgs) all += "[" + m + "]\n";
  EXPECT_GE(count("STATUS=trading 1 pair(s)"), 1) << all;
}

}  // namespace
}  // namespace bparb
