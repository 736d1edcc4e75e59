// End to end: the daemon (live mode code path) against bpsim over real loopback sockets.
// bpsim runs on its own thread/io_context; a scripted SOL basis spike must open a position and the
// scripted convergence must close it; the daemon's P&L must equal the exchange's balance change to
// the cent, and the exchange must end flat.
#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "bparb/app/config.hpp"
#include "bparb/app/daemon.hpp"
#include "bparb/app/logging.hpp"
#include "bparb/sim/market_model.hpp"
#include "bparb/sim/server.hpp"
#include "bparb/sim/sim_config.hpp"
#include "bparb/sim/sim_runtime.hpp"
#include "bparb/venue/backpack/signer.hpp"
#include "sim_thread.hpp"

namespace bparb {
namespace {

namespace asio = boost::asio;

using testing::SimThread;

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(DaemonE2E, BasisSpikeOpensConvergenceClosesAndPnlReconcilesToTheCent) {
  // A calm simulated market: no spontaneous basis moves, no background takers; only our script.
  sim::SimConfig sc = sim::default_sim_config();
  sc.runtime.seed = 7;
  sc.runtime.step_interval_ms = 50;
  sc.model.background_trading = false;
  for (auto& c : sc.model.coins) {
    c.basis_mean_bps = 0;
    c.basis_vol_bps = 0;
    c.jump_rate_per_hour = 0;
  }
  backpack::SigningKey key = backpack::SigningKey::generate();
  sim::AccountSetup acct;
  acct.api_key = key.public_key_base64();
  acct.balances = {{"USDC", Decimal::from_int(100'000)}, {"SOL", Decimal::from_int(50)}};
  sc.exchange.accounts.push_back(acct);
  SimThread sim(std::move(sc));
  const sim::AccountId account = *sim.rt->exchange().find_account(key.public_key_base64());
  const Decimal usdc0 = sim.rt->exchange().balance(account, "USDC");
  const Decimal sol0 = sim.rt->exchange().balance(account, "SOL");

  const std::filesystem::path dir = std::filesystem::temp_directory_path() / ("bparb_e2e_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string seed = key.seed_base64();
  ::setenv("BACKPACK_PRIVATE_KEY", seed.c_str(), 1);
  ::unsetenv("BACKPACK_API_KEY");
  std::ostringstream toml;
  toml << "pairs = [\"SOL\"]\n"
       << "[exchange]\nmode = \"live\"\nrest_url = \"" << sim.srv->http_url() << "\"\nws_url = \"" << sim.srv->ws_url()
       << "\"\nenv_file = \"" << (dir / "none.env").string() << "\"\n"
       << "[risk]\nmax_book_age_ms = 10000\nmin_account_balance_usd = 100\n"
       << "[strategy]\nposition_size_usd = 1000\nmin_spread_threshold = 0.001\nmin_execution_threshold = 0.002\n"
       << "large_spread_threshold = 0.05\nconfidence_threshold = 0.5\nmin_closing_spread = 0.0005\n"
       << "opening_delay_seconds = 60\nstats_interval_seconds = 5\n"
       << "[execution]\nuse_maker_for_large_spreads = false\n"
       << "[logging]\nfile = \"" << (dir / "arbitrage.log").string() << "\"\nconsole = false\nlevel = \"info\"\n"
       << "[journal]\nenabled = false\n[service]\nenabled = false\n";
  app::Config cfg = app::parse_config_string(toml.str(), "e2e.toml");
  app::init_logging(cfg.logging);

  // Script: +80 bps perp premium at 3 s (PerpPremium entry), converge to 0 at 9 s (exit).
  sim.at(std::chrono::milliseconds(3000), [&] { sim.rt->model()->set_basis_bps("SOL", 80.0); });
  sim.at(std::chrono::milliseconds(9000), [&] { sim.rt->model()->set_basis_bps("SOL", 0.0); });

  app::RunOptions opts;
  opts.duration = 16 * kUsPerSecond;
  app::RunSummary s = app::run_daemon(cfg, opts);
  app::shutdown_logging();
  sim.stop();

  EXPECT_EQ(s.stats.executed, 1u) << s.to_string();
  EXPECT_EQ(s.stats.closed, 1u) << s.to_string();
  EXPECT_EQ(s.leg_risk_failures, 0u);
  EXPECT_EQ(s.trading_state, "Active");

  // The exchange ends flat on the perp.
  for (const auto& p : sim.rt->exchange().positions(account)) EXPECT_TRUE(p.net_quantity.is_zero()) << p.symbol;
  // To the cent: the daemon's realized net equals the exchange's balance change, with the spot dust the
  // base-asset fee leaves behind valued at the last spot fill price (how the portfolio writes it off).
  sim::FillQuery q;
  q.symbol = std::string("SOL_USDC");
  q.limit = 1000;
  auto fills = sim.rt->exchange().fills(account, q).items;
  ASSERT_FALSE(fills.empty());
  Decimal last_spot_price = fills.front().price;  // newest first
  const Decimal d_usdc = sim.rt->exchange().balance(account, "USDC") - usdc0;
  const Decimal d_sol = sim.rt->exchange().balance(account, "SOL") - sol0;
  const Decimal equity_change = d_usdc + d_sol.mul(last_spot_price, Rounding::kNearest);
  EXPECT_LE((equity_change - s.stats.realized_net).abs(), Decimal::from_string("0.01"))
      << "exchange " << equity_change.str() << " vs daemon " << s.stats.realized_net.str();

  const std::string log = slurp(dir / "arbitrage.log");
  EXPECT_NE(log.find("Found opportunity SOL PerpPremium"), std::string::npos);
  EXPECT_NE(log.find("Placing 2 TAKER orders"), std::string::npos);
  EXPECT_NE(log.find("Opened position #"), std::string::npos);
  EXPECT_NE(log.find("Closed position #"), std::string::npos);
  EXPECT_NE(log.find("Strategy stats: opportunities="), std::string::npos);
  // The secret never reaches the log.
  EXPECT_EQ(log.find(seed), std::string::npos);
  if (::getenv("BPARB_KEEP_E2E_LOG") == nullptr) std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace bparb
