#pragma once
// Shared harness for daemon scenarios and exchange-fault tests: the daemon (the live-mode code path)
// against bpsim over real loopback sockets. bpsim runs on its own thread (SimThread); the daemon runs
// on the test thread for a bounded duration; scenario steps are driven on the simulator's thread by
// what the exchange observes (SimThread::when), never by guessed sleeps.
//
// After run() the simulator's thread has stopped, so the exchange can be inspected directly.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "bparb/app/config.hpp"
#include "bparb/app/daemon.hpp"
#include "bparb/app/logging.hpp"
#include "bparb/core/money.hpp"
#include "bparb/journal/journal.hpp"
#include "bparb/sim/backpack/ws_hub.hpp"
#include "bparb/sim/market_model.hpp"
#include "bparb/venue/backpack/signer.hpp"
#include "child_process_util.hpp"
#include "sim_thread.hpp"

namespace bparb::testing {

class DaemonHarness : public ::testing::Test {
 protected:
  void SetUp() override {
    // A calm simulated market: no spontaneous basis moves, no background takers; only the script.
    sim_config_ = sim::default_sim_config();
    sim_config_.runtime.seed = 7;
    sim_config_.runtime.step_interval_ms = 50;
    sim_config_.model.background_trading = false;
    for (auto& c : sim_config_.model.coins) {
      c.basis_mean_bps = 0;
      c.basis_vol_bps = 0;
      c.jump_rate_per_hour = 0;
    }
    dir_ = std::filesystem::temp_directory_path() / ("bparb_scn_" + std::to_string(::getpid()) + "_" +
                                                     ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
    seed_ = key_.seed_base64();
    ::setenv("BACKPACK_PRIVATE_KEY", seed_.c_str(), 1);
    ::unsetenv("BACKPACK_API_KEY");
  }
  void TearDown() override {
    stop_sim();
    if (::getenv("BPARB_KEEP_E2E_LOG") == nullptr) std::filesystem::remove_all(dir_);
  }

  sim::CoinModelParams& sol_model() {
    for (auto& c : sim_config_.model.coins)
      if (c.coin == "SOL") return c;
    throw std::runtime_error("no SOL in the default market model");
  }

  // Builds bpsim from sim_config_ with one account holding `balances_` (tests edit both first).
  void start_sim() {
    sim::AccountSetup acct;
    acct.api_key = key_.public_key_base64();
    acct.balances = balances_;
    acct.fees = fees_;
    sim_config_.exchange.accounts.push_back(acct);
    sim_ = std::make_unique<SimThread>(std::move(sim_config_));
    account_ = *sim_->rt->exchange().find_account(key_.public_key_base64());
    usdc0_ = sim_->rt->exchange().balance(account_, "USDC");
    sol0_ = sim_->rt->exchange().balance(account_, "SOL");
  }

  // Stops bpsim's thread even when a scenario step never fired: a pending SimThread::when() re-arms its
  // timer forever, so SimThread::stop() (which waits for the io_context to run out of work) would hang.
  void stop_sim() {
    if (!sim_ || sim_->stopped) return;
    sim_->stopped = true;
    boost::asio::post(sim_->io, [this] {
      sim_->srv->stop();
      sim_->rt->stop();
      sim_->io.stop();
    });
    sim_->th.join();
  }

  // Daemon config: live mode against the loopback bpsim; `*_extra` is appended to that section and
  // extra_toml_ after the last one.
  app::Config config(const std::string& strategy_extra = "", const std::string& execution_extra = "",
                     const std::string& risk_extra = "", const std::string& exchange_extra = "") {
    return app::parse_config_string(config_text(strategy_extra, execution_extra, risk_extra, exchange_extra),
                                    "scenario.toml");
  }
  std::string config_text(const std::string& strategy_extra = "", const std::string& execution_extra = "",
                          const std::string& risk_extra = "", const std::string& exchange_extra = "") const {
    std::ostringstream t;
    t << "pairs = [\"SOL\"]\n"
      << "[exchange]\nmode = \"live\"\nrest_url = \"" << sim_->srv->http_url() << "\"\nws_url = \""
      << sim_->srv->ws_url() << "\"\nenv_file = \"" << (dir_ / "none.env").string() << "\"\n"
      << exchange_extra << "[risk]\nmax_book_age_ms = " << max_book_age_ms_ << "\nmin_account_balance_usd = 100\n"
      << risk_extra << "[strategy]\nposition_size_usd = 1000\nmin_spread_threshold = 0.001\n"
      << "min_execution_threshold = 0.002\nlarge_spread_threshold = " << large_spread_
      << "\nconfidence_threshold = 0.5\n"
      << "min_closing_spread = 0.0005\nopening_delay_seconds = 60\nstats_interval_seconds = 5\n"
      << strategy_extra << "[execution]\nuse_maker_for_large_spreads = " << use_maker_
      << "\nhedge_deadline_seconds = " << hedge_deadline_s_ << "\n"
      << execution_extra << "[logging]\nfile = \"" << (dir_ / "arbitrage.log").string()
      << "\"\nconsole = false\nlevel = \"info\"\n"
      << "[journal]\nenabled = " << (journal_ ? "true" : "false") << "\npath = \"" << journal_path().string()
      << "\"\n[service]\nenabled = false\n"
      << extra_toml_;
    return t.str();
  }
  // The config written to a file and loaded from it (SIGHUP re-reads the file).
  app::Config config_file(const std::string& text) {
    std::ofstream(dir_ / "bparb.toml") << text;
    return app::load_config((dir_ / "bparb.toml").string());
  }

  // Runs the daemon for at most `seconds`; with keep_sim the exchange stays up for a restart.
  app::RunSummary run(const app::Config& cfg, int seconds, bool keep_sim = false) {
    app::init_logging(cfg.logging);
    app::RunOptions opts;
    opts.duration = seconds * kUsPerSecond;
    app::RunSummary s = app::run_daemon(cfg, opts);
    app::shutdown_logging();
    if (!keep_sim) stop_sim();
    log_ = slurp_file(dir_ / "arbitrage.log");
    return s;
  }

  // ---- scenario steps (run on the simulator's thread)
  void basis_at(int ms, double bps) {
    sim_->at(std::chrono::milliseconds(ms), [this, bps] { sim_->rt->model()->set_basis_bps("SOL", bps); });
  }
  void basis_now(double bps) { sim_->rt->model()->set_basis_bps("SOL", bps); }
  // Applies a POST /_bpsim/faults body on the simulator's thread (from the test thread, before run()).
  void faults(const std::string& json) {
    std::string err = sim_->call([this, json] {
      auto r = sim_->rt->faults().apply_json(json, sim_->rt->wall_clock().now_us());
      return r ? std::string() : r.error();
    });
    ASSERT_TRUE(err.empty()) << err;
  }
  // Same, from a step already on the simulator's thread.
  void faults_here(const std::string& json) {
    auto r = sim_->rt->faults().apply_json(json, sim_->rt->wall_clock().now_us());
    if (!r) ADD_FAILURE() << r.error();
  }
  // On the simulator's thread (or after run()).
  bool perp_position_open() const {
    for (const auto& p : sim_->rt->exchange().positions(account_))
      if (!p.net_quantity.is_zero()) return true;
    return false;
  }
  std::size_t order_count() const { return sim_->rt->exchange().order_history(account_, history_query()).total; }
  std::size_t fill_count() const { return all_fills().size(); }
  const sim::FaultCounters& counters() const { return sim_->rt->faults().counters(); }

  // ---- after run()
  bool logged(std::string_view what) const { return log_.find(what) != std::string::npos; }
  // The integer logged right after `what` (its first occurrence), if any.
  std::optional<long> logged_number(std::string_view what) const {
    const std::size_t at = log_.find(what);
    if (at == std::string::npos) return std::nullopt;
    const char* b = log_.c_str() + at + what.size();
    char* e = nullptr;
    const long v = std::strtol(b, &e, 10);
    if (e == b) return std::nullopt;
    return v;
  }
  std::size_t log_count(std::string_view what) const {
    std::size_t n = 0;
    for (std::size_t p = log_.find(what); p != std::string::npos; p = log_.find(what, p + 1)) ++n;
    return n;
  }
  std::vector<sim::SimFill> all_fills() const {
    sim::FillQuery q;
    q.limit = 1000;
    return sim_->rt->exchange().fills(account_, q).items;
  }
  // The account's fills oldest first, as the venue made them.
  std::vector<sim::SimFill> fills_in_order() const {
    sim::FillQuery q;
    q.limit = 1000;
    q.ascending = true;
    return sim_->rt->exchange().fills(account_, q).items;
  }
  Decimal perp_quantity() const {
    Decimal q;
    for (const auto& p : sim_->rt->exchange().positions(account_)) q += p.net_quantity;
    return q;
  }
  Decimal spot_delta() const { return sim_->rt->exchange().balance(account_, "SOL") - sol0_; }
  Decimal funding_received() const {
    sim::FundingHistoryQuery q;
    q.limit = 1000;
    Decimal sum;
    for (const auto& f : sim_->rt->exchange().funding_history(account_, q).items) sum += f.quantity;
    return sum;
  }
  std::size_t funding_payments() const {
    sim::FundingHistoryQuery q;
    q.limit = 1000;
    return sim_->rt->exchange().funding_history(account_, q).items.size();
  }

  // Delta-neutral on the exchange: spot inventory change plus perp position within one step (the
  // base-asset fee of a spot buy leaves sub-step dust).
  void expect_neutral(const char* where = "") const {
    const Decimal net = spot_delta() + perp_quantity();
    EXPECT_LE(net.abs(), Decimal::from_string("0.01"))
        << where << " spot " << spot_delta().str() << " perp " << perp_quantity().str();
  }

  // Perp flat on the exchange, and the daemon's realized net equal to the exchange's equity change
  // with the spot dust valued at the last spot fill price, as the portfolio writes it off.
  void expect_flat_and_reconciled(const app::RunSummary& s) const {
    for (const auto& p : sim_->rt->exchange().positions(account_))
      EXPECT_TRUE(p.net_quantity.is_zero()) << p.symbol << " " << p.net_quantity.str();
    sim::FillQuery q;
    q.symbol = std::string("SOL_USDC");
    q.limit = 1000;
    auto fills = sim_->rt->exchange().fills(account_, q).items;
    ASSERT_FALSE(fills.empty());
    const Decimal last_spot_price = fills.front().price;  // newest first
    const Decimal d_usdc = sim_->rt->exchange().balance(account_, "USDC") - usdc0_;
    const Decimal d_sol = sim_->rt->exchange().balance(account_, "SOL") - sol0_;
    const Decimal equity_change = d_usdc + d_sol.mul(last_spot_price, Rounding::kNearest);
    EXPECT_LE((equity_change - s.stats.realized_net).abs(), Decimal::from_string("0.01"))
        << "exchange " << equity_change.str() << " vs daemon " << s.stats.realized_net.str() << "\n"
        << s.to_string();
  }

  // Every fill the exchange made for the account was booked by the daemon, exactly once.
  void expect_fills_booked(const app::RunSummary& s) const {
    EXPECT_EQ(s.fills, fill_count()) << s.to_string();
    std::set<std::pair<std::string, std::int64_t>> trades;  // trade ids are per market
    for (const auto& f : all_fills())
      EXPECT_TRUE(trades.insert({f.symbol, f.trade_id}).second) << f.symbol << " trade " << f.trade_id;
  }

  // With journal_ on: the journal holds exactly the exchange's fills for the account (symbol, trade id,
  // client id, side, price, quantity, fee), each once.
  std::filesystem::path journal_path() const { return dir_ / journal_name_; }
  void expect_journal_matches_exchange() const {
    ASSERT_TRUE(journal_);
    journal::Journal j = journal::Journal::open(journal_path().string());
    auto rows = j.fills_since(0);
    ASSERT_TRUE(rows.has_value());
    std::map<std::pair<std::string, std::int64_t>, journal::FillRecord> booked;
    for (const auto& r : *rows)
      EXPECT_TRUE(booked.emplace(std::make_pair(r.symbol, r.trade_id), r).second)
          << "journal has " << r.symbol << " trade " << r.trade_id << " twice";
    const auto fills = all_fills();
    EXPECT_EQ(booked.size(), fills.size());
    for (const auto& f : fills) {
      auto it = booked.find({f.symbol, f.trade_id});
      if (it == booked.end()) {
        ADD_FAILURE() << "journal lacks " << f.symbol << " trade " << f.trade_id;
        continue;
      }
      const journal::FillRecord& r = it->second;
      EXPECT_EQ(r.client_id, f.client_id.value_or(0)) << f.symbol << " " << f.trade_id;
      EXPECT_EQ(r.side, f.side) << f.symbol << " " << f.trade_id;
      EXPECT_EQ(r.price, f.price) << f.symbol << " " << f.trade_id;
      EXPECT_EQ(r.quantity, f.quantity) << f.symbol << " " << f.trade_id;
      EXPECT_EQ(r.fee, f.fee) << f.symbol << " " << f.trade_id;
      EXPECT_EQ(r.fee_symbol, f.fee_symbol) << f.symbol << " " << f.trade_id;
    }
  }

  // No order was sent twice: every clientId appears at most once in the exchange's order history.
  void expect_client_ids_unique() const {
    std::map<std::uint32_t, int> seen;
    for (const auto& o : sim_->rt->exchange().order_history(account_, history_query()).items)
      if (o.client_id) ++seen[*o.client_id];
    for (const auto& [id, n] : seen) EXPECT_EQ(n, 1) << "clientId " << id << " placed " << n << " times";
  }

  static sim::OrderHistoryQuery history_query() {
    sim::OrderHistoryQuery q;
    q.limit = 1000;
    return q;
  }

  // ---- money, from the exchange's own records (the fills and funding histories)
  // The account's P&L: cash from fills (sells +, buys -), quote fees, funding, and the base-asset flow of
  // the spot market. A spot buy's base-asset fee leaves dust below one step when the position closes; the
  // daemon writes it off at that position's last spot fill price (docs/money.md, "Dust"). So the flow is
  // valued the same way, from the venue's fills alone: each position's residue at the last spot price when
  // the perp is flat again and at most one step of spot is left, and what is still held at the last price.
  struct ExchangeMoney {
    Decimal net, fees_usd, funding, base_flow, perp;
  };
  // The account's fills as the exchange holds them, one line each, for a failure message.
  std::string exchange_fills_text() const {
    std::string out;
    for (const auto& f : fills_in_order())
      out += f.symbol + (f.side == Side::kBid ? " buy " : " sell ") + f.quantity.str() + " @ " + f.price.str() +
             " fee " + f.fee.str() + " " + f.fee_symbol + "\n";
    return out;
  }
  Decimal spot_step() const {
    const MarketSpec* spot = sim_->rt->exchange().market("SOL_USDC");
    return spot ? spot->step_size : Decimal{};
  }
  ExchangeMoney exchange_money() const {
    ExchangeMoney m;
    const auto fills = fills_in_order();
    const Decimal step = spot_step();
    Decimal cash, last_spot, position_base, residues;
    bool position_traded = false;
    for (const auto& f : fills) {
      const Decimal value = f.quantity.mul(f.price, Rounding::kNearest);
      cash += f.side == Side::kAsk ? value : -value;
      const bool spot = f.symbol == "SOL_USDC";
      Decimal base;
      if (spot) {
        last_spot = f.price;
        base = f.side == Side::kBid ? f.quantity : -f.quantity;
      } else {
        m.perp += f.side == Side::kBid ? f.quantity : -f.quantity;
      }
      if (f.fee_symbol == "SOL") {
        base -= f.fee;
        m.fees_usd += f.fee.mul(f.price, Rounding::kNearest);
      } else {
        cash -= f.fee;
        m.fees_usd += f.fee;
      }
      m.base_flow += base;
      position_base += base;
      position_traded = true;
      if (m.perp.is_zero() && position_base.abs() <= step) {  // the position closed: its residue is dust
        residues += position_base.mul(last_spot, Rounding::kNearest);
        position_base = Decimal{};
        position_traded = false;
      }
    }
    m.funding = funding_received();
    m.net =
        cash + m.funding + residues + (position_traded ? position_base.mul(last_spot, Rounding::kNearest) : Decimal{});
    return m;
  }

  // The daemon's money equals the exchange's to 1e-9, and what it holds is what the account holds.
  void expect_money_reconciled(const app::RunSummary& s) const {
    const ExchangeMoney m = exchange_money();
    EXPECT_EQ(s.stats.realized_net, m.net)
        << "daemon " << s.stats.realized_net.str() << " exchange " << m.net.str() << "\n"
        << s.to_string();
    EXPECT_EQ(s.stats.funding, m.funding) << s.to_string();
    ASSERT_EQ(s.held.size(), 1u);
    EXPECT_EQ(s.held[0].spot + s.held[0].dust_written_off, spot_delta())
        << "daemon spot " << s.held[0].spot.str() << " + dust " << s.held[0].dust_written_off.str() << ", account "
        << spot_delta().str();
    EXPECT_EQ(s.held[0].perp, perp_quantity());
    EXPECT_EQ(m.base_flow, spot_delta()) << "the fills history and the SOL balance disagree";
    expect_printed_money_adds_up();
    // The exit summary says the exchange's net to the cent.
    EXPECT_NE(s.to_string().find(", net " + format_usd(m.net) + " USD"), std::string::npos)
        << s.to_string() << "\nexchange net " << m.net.str();
  }

  // Every printed P&L with parts adds up: "pnl=X USD (spread A fees B funding C)" and the stats lines.
  void expect_printed_money_adds_up() const {
    for (std::size_t at = log_.find("pnl="); at != std::string::npos; at = log_.find("pnl=", at + 1)) {
      const std::string line = log_.substr(at, log_.find('\n', at) - at);
      double w = 0, x = 0, y = 0, z = 0;  // two-decimal text, compared in whole cents
      if (std::sscanf(line.c_str(), "pnl=%lf USD (spread %lf fees %lf funding %lf)", &w, &x, &y, &z) != 4) continue;
      EXPECT_EQ(std::llround(x * 100) + std::llround(y * 100) + std::llround(z * 100), std::llround(w * 100)) << line;
      EXPECT_EQ(line.find("--"), std::string::npos) << line;
    }
    EXPECT_EQ(log_.find("fees --"), std::string::npos);
  }

  // The journal's positions add up to the exchange's money exactly (every position closed), its
  // funding table is the exchange's funding history.
  void expect_journal_money_matches_exchange() const {
    ASSERT_TRUE(journal_);
    journal::Journal j = journal::Journal::open(journal_path().string());
    auto rows = j.positions();
    ASSERT_TRUE(rows.has_value());
    Decimal net;
    for (const auto& r : *rows) {
      EXPECT_FALSE(r.open) << "position #" << r.position_id << " still open";
      net += r.realized - r.fees + r.funding;
    }
    const ExchangeMoney m = exchange_money();
    EXPECT_EQ(net, m.net) << "journal " << net.str() << " exchange " << m.net.str() << "\n"
                          << exchange_fills_text() << log_;
    auto funding = j.funding_since(0);
    ASSERT_TRUE(funding.has_value());
    Decimal journal_funding;
    for (const auto& f : *funding) journal_funding += f.amount;
    EXPECT_EQ(journal_funding, m.funding);
  }

  sim::SimConfig sim_config_;
  std::optional<sim::FeeSchedule> fees_;  // the account's own fee schedule (rebates), default: the exchange's
  std::vector<std::pair<std::string, Decimal>> balances_ = {{"USDC", Decimal::from_int(100'000)},
                                                            {"SOL", Decimal::from_int(50)}};
  int max_book_age_ms_ = 10'000;
  int hedge_deadline_s_ = 5;
  std::string large_spread_ = "0.05";  // [strategy] large_spread_threshold
  std::string use_maker_ = "false";    // [execution] use_maker_for_large_spreads
  bool journal_ = false;               // [journal] enabled, in the test's temp dir
  std::string journal_name_ = "journal.sqlite";
  std::string extra_toml_;  // appended to the config (whole sections)
  backpack::SigningKey key_ = backpack::SigningKey::generate();
  std::unique_ptr<SimThread> sim_;
  sim::AccountId account_{};
  Decimal usdc0_, sol0_;
  std::filesystem::path dir_;
  std::string seed_;
  std::string log_;
};

}  // namespace bparb::testing
