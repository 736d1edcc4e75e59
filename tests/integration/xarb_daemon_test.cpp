// The cross-venue arbitrage in the daemon, end to end: the built `bparb run` (a CHILD PROCESS, live mode,
// [strategy] kind = "cross_venue") trades BTC's perpetual on Backpack and on Lighter against one bpsim world on
// a thread of this test process: a Backpack front-end and a Lighter front-end over two venues whose books follow
// one shared fair value. The script moves Lighter's book away from Backpack's (a dislocation) and back, and what
// the exchanges saw is checked, not what the daemon says: both venues' fills and positions, every fill in the
// journal once, and the journal's P&L equal to both accounts' cash to the cent.
//
// The binary: $BPARB_BINARY, else `bparb` in the build directory (build it first).
#include <gtest/gtest.h>
#include <sodium.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <thread>

#include "../support/http_get.hpp"
#include "bparb/journal/journal.hpp"
#include "bparb/sim/backpack/server.hpp"
#include "bparb/sim/lighter/server.hpp"
#include "bparb/sim/lighter/venue_rules.hpp"
#include "bparb/sim/lighter/ws_hub.hpp"
#include "bparb/sim/market_model.hpp"
#include "bparb/sim/sim_config.hpp"
#include "bparb/sim/sim_world.hpp"
#include "bparb/venue/backpack/signer.hpp"
#include "bparb/venue/lighter/keys.hpp"
#include "bpsim_test_util.hpp"
#include "child_process_util.hpp"

namespace bparb {
namespace {

using std::chrono::milliseconds;
namespace fs = std::filesystem;

template <class Pred>
bool xarb_wait_for(Pred pred, milliseconds timeout) {
  const auto end = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < end) {
    if (pred()) return true;
    std::this_thread::sleep_for(milliseconds(50));
  }
  return pred();
}

// Two venues on one clock and one fair value: Backpack ("backpack") and Lighter ("lighter"), BTC perps only on
// Lighter, no background takers, no spontaneous basis or dislocation: only the script moves Lighter away.
std::string world_toml(const std::string& backpack_key, const std::string& lighter_public_hex) {
  std::ostringstream t;
  t << "[runtime]\nseed = 11\nstep_interval_ms = 50\n"
    << "[exchange]\nmarkets = [\"BTC_USDC\", \"BTC_USDC_PERP\"]\n"
    << "[[accounts]]\napi_key = \"" << backpack_key << "\"\nbalances = { USDC = \"100000\" }\n"
    << "[model]\nbackground_trading = false\n"
    << "[[model.coins]]\ncoin = \"BTC\"\nbasis_mean_bps = 0\nbasis_vol_bps = 0\n"
    << "jump_rate_per_hour = 0\n"
    << "[venues.backpack]\n[venues.backpack.server]\nport = 0\n"
    << "[venues.lighter]\nprotocol = \"lighter\"\n[venues.lighter.server]\nport = 0\n"
    << "[venues.lighter.follow]\ndislocation_half_life_s = 86400\n"
    << "[venues.lighter.lighter]\nchain_id = 304\n"
    << "[[venues.lighter.lighter.markets]]\nsymbol = \"BTC_USDC_PERP\"\nmarket_id = 1\nsize_decimals = 5\n"
    << "price_decimals = 1\nmin_base_amount = \"0.00020\"\nmin_quote_amount = \"10\"\n"
    << "[[venues.lighter.lighter.accounts]]\naccount_index = 1001\n"
    << "api_keys = [{ index = 4, public_key = \"" << lighter_public_hex << "\" }]\n"
    << "balances = { USDC = \"100000\" }\n";
  return t.str();
}

// The world and its two front-ends on their own thread.
struct WorldThread {
  boost::asio::io_context io;
  std::unique_ptr<sim::SimWorld> world;
  std::unique_ptr<sim::SimServer> backpack;
  std::unique_ptr<sim::lighter::LighterServer> lighter;
  std::thread th;

  // `perp_funding_interval_ms` > 0: both venues' BTC perp settles funding that often (the TOML's floor is a minute).
  explicit WorldThread(const std::string& toml, std::int64_t perp_funding_interval_ms = 0) {
    sim::SimVenuesConfig config = sim::parse_sim_venues_config(toml, "xarb-world.toml");
    if (perp_funding_interval_ms > 0)
      for (sim::VenueConfig& v : config.venues)
        for (auto& m : v.sim.exchange.markets)
          if (m.spec.symbol == "BTC_USDC_PERP") m.spec.funding_interval_ms = perp_funding_interval_ms;
    world = std::make_unique<sim::SimWorld>(io, std::move(config));
    backpack = std::make_unique<sim::SimServer>(io, world->venue(0), world->venue_config(0).sim.server);
    backpack->start();
    lighter = std::make_unique<sim::lighter::LighterServer>(io, world->venue(1).exchange(), world->wall_clock(),
                                                            sim::lighter::lighter_rules_of(world->venue_config(1)));
    lighter->start();
    world->start();
    th = std::thread([this] { io.run(); });
  }
  ~WorldThread() { stop(); }
  template <class F>
  auto call(F f) -> decltype(f()) {
    std::packaged_task<decltype(f())()> task(std::move(f));
    auto fut = task.get_future();
    boost::asio::post(io, [&task] { task(); });
    return fut.get();
  }
  void stop() {
    if (!th.joinable()) return;
    boost::asio::post(io, [this] {
      backpack->stop();
      lighter->stop();
      world->stop();
      io.stop();
    });
    th.join();
  }
};

class XarbDaemon : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(testing::bparb_binary())) GTEST_SKIP() << "bparb binary not built: " << testing::bparb_binary();
    ASSERT_GE(sodium_init(), 0);
    const lighter::PrivateKey lk = lighter::PrivateKey::generate();
    std::array<char, 80> h{};
    lk.to_hex(h);
    lighter_key_hex_.assign(h.data(), h.size());
    std::array<char, 80> p{};
    lighter::to_hex(lk.public_key(), p);
    world_ = std::make_unique<WorldThread>(world_toml(key_.public_key_base64(), std::string(p.data(), p.size())),
                                           funding_interval_ms_);
    bp_account_ = *world_->world->venue(0).exchange().find_account(key_.public_key_base64());
    lt_account_ = world_->world->venue_config(1).lighter.accounts.at(0).account;
    // Suite and test: the parameterised tests share a name ("…/0") across their instantiations.
    const ::testing::TestInfo* ti = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string name = std::string(ti->test_suite_name()) + "_" + ti->name();
    std::replace(name.begin(), name.end(), '/', '_');
    dir_ = fs::temp_directory_path() / ("bparb_xarb_" + std::to_string(::getpid()) + "_" + name);
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    std::ofstream(dir_ / "keys.env") << "BACKPACK_PRIVATE_KEY=" << key_.seed_base64()
                                     << "\nLIGHTER_API_PRIVATE_KEY=" << lighter_key_hex_ << "\n";
    ::unsetenv("BACKPACK_PRIVATE_KEY");
    ::unsetenv("BACKPACK_API_KEY");
    ::unsetenv("LIGHTER_API_PRIVATE_KEY");
  }
  void TearDown() override {
    if (child_ > 0) {
      ::kill(child_, SIGKILL);
      ::waitpid(child_, nullptr, 0);
    }
    if (world_) world_->stop();
    if (::getenv("BPARB_KEEP_E2E_LOG") == nullptr && !HasFailure()) fs::remove_all(dir_);
  }

  // A restart writes its own log file (the first run's "Ready:" must not count as the second's).
  fs::path log_path() const { return dir_ / log_name_; }
  std::string log() const { return testing::slurp_file(log_path()); }
  std::string out() const { return testing::slurp_file(dir_ / "xarb.out"); }

  // `xarb_extra`: more [xarb] lines (leg_order, ...).
  void start(int opening_delay_seconds = 1, int account_poll_seconds = 1, const std::string& xarb_extra = "",
             int hedge_deadline_seconds = 3) {
    std::ostringstream t;
    t << "[exchange]\nmode = \"live\"\nrest_url = \"" << world_->backpack->http_url() << "\"\nws_url = \""
      << world_->backpack->ws_url() << "\"\nenv_file = \"" << (dir_ / "keys.env").string()
      << "\"\naccount_poll_seconds = " << account_poll_seconds << "\n"
      << exchange_extra_ << "[risk]\nmax_book_age_ms = 5000\nmin_account_balance_usd = 100\n"
      << "[strategy]\nkind = \"cross_venue\"\nstats_interval_seconds = 5\ntick_ms = 50\n"
      << "[execution]\nhedge_deadline_seconds = " << hedge_deadline_seconds << "\n"
      << "[xarb]\ncoin = \"BTC\"\ntarget_notional_usd = 200\nlong_threshold = 5\nshort_threshold = 5\n"
      << "min_entry_spread_bps = 5\nmin_net_edge_bps = 2\nmax_position_backpack = 0.01\nmax_position_lighter = 0.01\n"
      << "max_total_exposure_usd = 2000\nmin_closing_spread = 40\nmin_confidence = 0.3\n"
      << "opening_delay_seconds = " << opening_delay_seconds << "\ncsv_dir = \"" << dir_.string() << "\"\n"
      << xarb_extra << "[venues.lighter]\nrest_url = \"" << world_->lighter->http_url() << "\"\nws_url = \""
      << world_->lighter->ws_url() << "\"\naccount_index = 1001\napi_key_index = 4\nmarkets = [\"BTC\"]\n"
      << "[logging]\nfile = \"" << log_path().string() << "\"\nconsole = false\nlevel = \"info\"\n"
      << "[journal]\npath = \"" << (dir_ / "journal.sqlite").string()
      << "\"\n[service]\nenabled = true\nport = " << service_port_ << "\n";
    std::ofstream(dir_ / "xarb.toml") << t.str();
    const std::string bin = testing::bparb_binary().string();
    const std::string cfg = (dir_ / "xarb.toml").string();
    const std::string outp = (dir_ / "xarb.out").string();
    child_ = ::fork();
    ASSERT_GE(child_, 0);
    if (child_ == 0) {
      FILE* f = std::freopen(outp.c_str(), "w", stdout);
      (void)f;
      ::dup2(::fileno(stdout), 2);
      ::execl(bin.c_str(), "bparb", "run", "--config", cfg.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    ASSERT_TRUE(
        xarb_wait_for([&] { return log().find("Ready:") != std::string::npos || exited(); }, milliseconds(20'000)))
        << "the daemon did not become ready\n"
        << log() << out();
    ASSERT_FALSE(exited()) << log() << out();
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
    ASSERT_TRUE(xarb_wait_for([&] { return exited(); }, milliseconds(20'000))) << log();
    EXPECT_TRUE(WIFEXITED(last_status_) && WEXITSTATUS(last_status_) == 0) << log() << out();
  }

  // On the world's thread: Lighter's book moves `bps` away from the shared fair value (it stays there).
  void dislocate_lighter(double bps) {
    const bool ok = world_->call([this, bps] { return world_->world->venue(1).model()->dislocate("BTC", bps); });
    ASSERT_TRUE(ok);
  }
  Decimal position(std::size_t venue) {
    return world_->call([this, venue] {
      Decimal q;
      const sim::AccountId a = venue == 0 ? bp_account_ : lt_account_;
      for (const auto& p : world_->world->venue(venue).exchange().positions(a)) q += p.net_quantity;
      return q;
    });
  }
  std::vector<sim::SimFill> fills(std::size_t venue) {
    return world_->call([this, venue] {
      sim::FillQuery q;
      q.limit = 1000;
      return world_->world->venue(venue).exchange().fills(venue == 0 ? bp_account_ : lt_account_, q).items;
    });
  }
  // Every client id each venue saw on our orders is distinct (no id reused across legs, hedges or venues).
  // (A venue's fills of one order share its id; an id is never on both venues, nor on two orders of one.)
  void expect_unique_client_ids() {
    std::map<std::uint32_t, std::pair<std::size_t, sim::OrderId>> owner;
    for (std::size_t v = 0; v < 2; ++v)
      for (const sim::SimFill& f : fills(v)) {
        if (!f.client_id) continue;
        const auto [it, fresh] = owner.emplace(*f.client_id, std::make_pair(v, f.order_id));
        EXPECT_TRUE(fresh || it->second == std::make_pair(v, f.order_id))
            << "client id " << *f.client_id << " on two orders";
      }
  }
  // The journal's fills: every fill of both venues once, equal to what each venue booked.
  void expect_journal_matches_venues() {
    journal::JournalOptions o;
    o.read_only = true;
    journal::Journal j = journal::Journal::open((dir_ / "journal.sqlite").string(), o);
    auto rows = j.fills_since(0);
    ASSERT_TRUE(rows) << j.last_error();
    std::map<std::pair<VenueId, std::int64_t>, journal::FillRecord> booked;
    for (const auto& r : *rows)
      EXPECT_TRUE(booked.emplace(std::make_pair(r.venue, r.trade_id), r).second) << "trade " << r.trade_id << " twice";
    const std::vector<sim::SimFill> bp = fills(0), lt = fills(1);
    EXPECT_EQ(booked.size(), bp.size() + lt.size());
    for (std::size_t v = 0; v < 2; ++v)
      for (const auto& f : v == 0 ? bp : lt) {
        const auto it = booked.find({v == 0 ? VenueId::kBackpack : VenueId::kLighter, f.trade_id});
        if (it == booked.end()) {
          ADD_FAILURE() << "journal lacks venue " << v << " trade " << f.trade_id;
          continue;
        }
        EXPECT_EQ(it->second.side, f.side);
        EXPECT_EQ(it->second.quantity, f.quantity);
        EXPECT_EQ(it->second.price, f.price);
      }
  }

  // Each venue's funding payments to our account, oldest first.
  std::vector<sim::FundingPayment> funding_payments(std::size_t venue) {
    return world_->call([this, venue] {
      sim::FundingHistoryQuery q;
      q.limit = 1000;
      q.ascending = true;
      return world_->world->venue(venue).exchange().funding_history(venue == 0 ? bp_account_ : lt_account_, q).items;
    });
  }
  // Both accounts' cash from their fills and funding: sells minus buys minus fees (the perps' realized P&L, fees
  // included) plus the funding received.
  Decimal exchange_cash() {
    Decimal cash;
    for (std::size_t v = 0; v < 2; ++v) {
      for (const sim::SimFill& f : fills(v)) {
        const Decimal n = f.quantity.mul(f.price, Rounding::kNearest);
        cash += (f.side == Side::kAsk ? n : -n) - f.fee;
      }
      for (const sim::FundingPayment& p : funding_payments(v)) cash += p.quantity;
    }
    return cash;
  }

  void kill_now() {
    ASSERT_GT(child_, 0);
    ::kill(child_, SIGKILL);
    ::waitpid(child_, nullptr, 0);
    child_ = -1;
  }
  void set_backpack_faults(const sim::FaultConfig& f) {
    world_->call([this, f] {
      sim::SimRuntime& bp = world_->world->venue(0);
      bp.faults().set_config(f, bp.server_time_us());
      return 0;
    });
  }

  // What both exchanges saw against the journal, after the last run stopped with both venues flat: every fill
  // of either venue in the journal once and nothing else, `position_rows` position rows (all closed) whose
  // P&L is both accounts' cash to the cent, and one order per client id across the runs and the venues.
  void expect_reconciled_to_the_cent(std::size_t position_rows) {
    const std::vector<sim::SimFill> bp = fills(0), lt = fills(1);
    journal::JournalOptions o;
    o.read_only = true;
    journal::Journal j = journal::Journal::open((dir_ / "journal.sqlite").string(), o);
    auto rows = j.fills_since(0);
    ASSERT_TRUE(rows) << j.last_error();
    std::map<std::pair<VenueId, std::int64_t>, journal::FillRecord> booked;
    for (const auto& r : *rows)
      EXPECT_TRUE(booked.emplace(std::make_pair(r.venue, r.trade_id), r).second) << "trade " << r.trade_id << " twice";
    EXPECT_EQ(booked.size(), bp.size() + lt.size());
    std::map<std::int64_t, std::pair<std::size_t, sim::OrderId>> order_of_client_id;
    for (std::size_t v = 0; v < 2; ++v)
      for (const auto& f : v == 0 ? bp : lt) {
        const auto it = booked.find({v == 0 ? VenueId::kBackpack : VenueId::kLighter, f.trade_id});
        if (it == booked.end()) {
          ADD_FAILURE() << "journal lacks venue " << v << " trade " << f.trade_id;
          continue;
        }
        EXPECT_EQ(it->second.side, f.side);
        EXPECT_EQ(it->second.price, f.price);
        EXPECT_EQ(it->second.quantity, f.quantity);
        EXPECT_EQ(it->second.fee, f.fee);
        // Backpack's client id, or the client order index Lighter's front-end recorded for the order.
        std::int64_t cid = f.client_id ? static_cast<std::int64_t>(*f.client_id) : 0;
        if (v == 1) {
          sim::lighter::OrderMeta meta;
          if (world_->call([&] { return world_->lighter->api().meta_of(f.order_id, meta); }))
            cid = meta.client_order_index;
        }
        EXPECT_NE(cid, 0) << "venue " << v << " trade " << f.trade_id << " without a client id";
        const auto [at, fresh] = order_of_client_id.emplace(cid, std::make_pair(v, f.order_id));
        EXPECT_TRUE(fresh || at->second == std::make_pair(v, f.order_id)) << "client id " << cid << " names two orders";
      }
    auto positions = j.positions();
    ASSERT_TRUE(positions) << j.last_error();
    EXPECT_EQ(positions->size(), position_rows);
    Decimal journal_net;
    for (const auto& p : *positions) {
      EXPECT_FALSE(p.open) << "#" << p.position_id;
      EXPECT_EQ(p.spot_venue, VenueId::kBackpack);
      EXPECT_EQ(p.perp_venue, VenueId::kLighter);
      journal_net += p.realized - p.fees + p.funding;
    }
    EXPECT_EQ(journal_net.round_to(Decimal::from_string("0.01"), Rounding::kNearest),
              exchange_cash().round_to(Decimal::from_string("0.01"), Rounding::kNearest));
    const auto intents = j.open_intents().value();
    for (const auto& oi : intents)
      ADD_FAILURE() << "open intent #" << oi.intent.client_id << " " << oi.intent.symbol << " " << oi.intent.purpose
                    << " state " << static_cast<int>(oi.state) << " executed " << oi.executed.str() << " acked "
                    << oi.acked << "\n"
                    << log();
  }

  // Lighter 40 bps above Backpack until the LongBackpack position `n` is open and hedged, then back to the fair
  // value until it is closed: both venues flat, delta-neutral at every step the test looks.
  void open_long_backpack(int n) {
    dislocate_lighter(40);
    const std::string opened = "Opened position #" + std::to_string(n) + " BTC LongBackpack";
    ASSERT_TRUE(xarb_wait_for([&] { return log().find(opened) != std::string::npos; }, milliseconds(20'000))) << log();
    ASSERT_TRUE(
        xarb_wait_for([&] { return position(0).is_positive() && position(0) == -position(1); }, milliseconds(10'000)))
        << log();
  }
  void close_converged(int n) {
    dislocate_lighter(-40);
    ASSERT_TRUE(xarb_wait_for([&] { return position(0).is_zero() && position(1).is_zero(); }, milliseconds(20'000)))
        << log();
    const std::string closed = "Closed position #" + std::to_string(n) + " BTC";
    ASSERT_TRUE(xarb_wait_for([&] { return log().find(closed) != std::string::npos; }, milliseconds(10'000))) << log();
  }
  // Backpack's fill frames held 400 ms, and its WebSocket cut as soon as Backpack has executed one more of our
  // orders: that order's fill is lost on the stream and must come from its answer and the fills history.
  void drop_backpack_ws_on_next_fill() {
    bpsim_test::HttpConn control(world_->backpack->port());
    const auto held = control.post("/_bpsim/faults", R"({"ws_latency_ms": 400})");
    ASSERT_EQ(held.status, 200) << held.body;
    const std::size_t before = fills(0).size();
    drop_backpack_ws_when_ = [this, before] { return fills(0).size() > before; };
  }
  // Polled by the test while it waits: carries out the Backpack drop armed above once its moment has come.
  bool backpack_drop_due() {
    if (!drop_backpack_ws_when_ || !drop_backpack_ws_when_()) return false;
    drop_backpack_ws_when_ = nullptr;
    bpsim_test::HttpConn control(world_->backpack->port());
    const auto r = control.post("/_bpsim/faults", R"({"drop_ws": true, "ws_latency_ms": 0})");
    EXPECT_EQ(r.status, 200) << r.body;
    return true;
  }

  backpack::SigningKey key_ = backpack::SigningKey::generate();
  std::string lighter_key_hex_;
  std::unique_ptr<WorldThread> world_;
  sim::AccountId bp_account_{};
  sim::AccountId lt_account_{};
  fs::path dir_;
  pid_t child_ = -1;
  int last_status_ = 0;
  std::string log_name_ = "xarb.log";
  std::function<bool()> drop_backpack_ws_when_;
  std::int64_t funding_interval_ms_ = 0;  // WorldThread's perp_funding_interval_ms
  std::string exchange_extra_;            // more [exchange] lines of the daemon's config
  const std::uint16_t service_port_ = static_cast<std::uint16_t>(12000 + ::getpid() % 9000);
};

// Lighter 40 bps above Backpack: buy Backpack, sell Lighter; back to the fair value: both legs closed
// reduce-only. Then Lighter 40 bps below: sell Backpack, buy Lighter, and closed again. Both venues end flat,
// each fill is in the journal once, and the journal's P&L is both accounts' cash to the cent.
TEST_F(XarbDaemon, LongAndShortBackpackOpenAndCloseFlatOnBothVenuesWithThePnlOfBothAccounts) {
  ASSERT_NO_FATAL_FAILURE(start());

  // ---- LongBackpack
  dislocate_lighter(40);
  ASSERT_TRUE(
      xarb_wait_for([&] { return position(0).is_positive() && position(1).is_negative(); }, milliseconds(20'000)))
      << log();
  EXPECT_EQ(position(0), -position(1)) << "delta-neutral across the venues";
  dislocate_lighter(-40);
  ASSERT_TRUE(xarb_wait_for([&] { return position(0).is_zero() && position(1).is_zero(); }, milliseconds(20'000)))
      << log();

  // ---- ShortBackpack
  dislocate_lighter(-40);
  ASSERT_TRUE(
      xarb_wait_for([&] { return position(0).is_negative() && position(1).is_positive(); }, milliseconds(20'000)))
      << log();
  EXPECT_EQ(position(0), -position(1));
  dislocate_lighter(40);
  ASSERT_TRUE(xarb_wait_for([&] { return position(0).is_zero() && position(1).is_zero(); }, milliseconds(20'000)))
      << log();
  ASSERT_TRUE(
      xarb_wait_for([&] { return log().find("Closed position #2") != std::string::npos; }, milliseconds(10'000)))
      << log();
  // The operator's figures of the Lighter account and orders: its equity from its account poll, an answer
  // timed for each of its four orders, and the two entries (decided on book frames) timed from frame to wire.
  const auto count = [](const std::string& metrics, const std::string& series) {
    const std::size_t at = metrics.find(series + " ");
    return at == std::string::npos ? -1 : std::stoll(metrics.substr(at + series.size() + 1));
  };
  // A scrape reads the last snapshot (taken once a second): the one after the second close.
  std::optional<testing::HttpAnswer> m;
  ASSERT_TRUE(xarb_wait_for(
      [&] {
        m = testing::http_get(service_port_, "/metrics");
        return m && m->status == 200 && count(m->body, "bparb_order_ack_latency_seconds_count{venue=\"lighter\"}") >= 4;
      },
      milliseconds(5'000)))
      << (m ? m->body : std::string("no answer"));
  EXPECT_NE(m->body.find("bparb_equity_usd{venue=\"lighter\"} "), std::string::npos) << m->body;
  EXPECT_GE(count(m->body, "bparb_order_ack_latency_seconds_count{venue=\"lighter\"}"), 4) << m->body;
  EXPECT_GE(count(m->body, "bparb_tick_to_order_seconds_count{venue=\"lighter\",strategy=\"cross_venue\"}") +
                count(m->body, "bparb_tick_to_order_seconds_count{venue=\"backpack\",strategy=\"cross_venue\"}"),
            2)
      << m->body;
  ASSERT_NO_FATAL_FAILURE(stop_cleanly());
  const std::string text = log();

  // The lines a user greps.
  EXPECT_NE(text.find("Found opportunity BTC LongBackpack"), std::string::npos) << text;
  EXPECT_NE(text.find("Found opportunity BTC ShortBackpack"), std::string::npos) << text;
  EXPECT_NE(text.find("Opened position #1 BTC LongBackpack"), std::string::npos) << text;
  EXPECT_NE(text.find("Opened position #2 BTC ShortBackpack"), std::string::npos) << text;
  EXPECT_NE(text.find("Closing BTC LongBackpack reason=converged"), std::string::npos) << text;
  EXPECT_NE(text.find("Closing BTC ShortBackpack reason=converged"), std::string::npos) << text;
  EXPECT_NE(text.find("Cross-venue stats BTC: opened=2 closed=2"), std::string::npos) << text;
  EXPECT_EQ(text.find("LEG RISK"), std::string::npos) << text;

  // What each venue saw: two entries and two exits, one order each per venue, in the right directions.
  const std::vector<sim::SimFill> bp = fills(0), lt = fills(1);
  ASSERT_FALSE(bp.empty());
  ASSERT_FALSE(lt.empty());
  Decimal bp_bought, bp_sold, lt_bought, lt_sold;
  for (const auto& f : bp) (f.side == Side::kBid ? bp_bought : bp_sold) += f.quantity;
  for (const auto& f : lt) (f.side == Side::kBid ? lt_bought : lt_sold) += f.quantity;
  EXPECT_EQ(bp_bought, bp_sold);
  EXPECT_EQ(lt_bought, lt_sold);
  EXPECT_EQ(bp_bought, lt_sold) << "each Backpack buy is matched by a Lighter sell";

  // The journal: every fill of both venues once, and positions whose P&L is the accounts' cash to the cent.
  journal::JournalOptions o;
  o.read_only = true;
  journal::Journal j = journal::Journal::open((dir_ / "journal.sqlite").string(), o);
  auto rows = j.fills_since(0);
  ASSERT_TRUE(rows) << j.last_error();
  std::map<std::pair<VenueId, std::int64_t>, journal::FillRecord> booked;
  for (const auto& r : *rows)
    EXPECT_TRUE(booked.emplace(std::make_pair(r.venue, r.trade_id), r).second) << "trade " << r.trade_id << " twice";
  EXPECT_EQ(booked.size(), bp.size() + lt.size());
  for (std::size_t v = 0; v < 2; ++v)
    for (const auto& f : v == 0 ? bp : lt) {
      const auto it = booked.find({v == 0 ? VenueId::kBackpack : VenueId::kLighter, f.trade_id});
      if (it == booked.end()) {
        ADD_FAILURE() << "journal lacks venue " << v << " trade " << f.trade_id;
        continue;
      }
      EXPECT_EQ(it->second.side, f.side);
      EXPECT_EQ(it->second.price, f.price);
      EXPECT_EQ(it->second.quantity, f.quantity);
      EXPECT_EQ(it->second.fee, f.fee);
    }
  auto positions = j.positions();
  ASSERT_TRUE(positions) << j.last_error();
  ASSERT_EQ(positions->size(), 2u);
  Decimal journal_net;
  for (const auto& p : *positions) {
    EXPECT_FALSE(p.open);
    journal_net += p.realized - p.fees + p.funding;
  }
  EXPECT_EQ(journal_net.round_to(Decimal::from_string("0.01"), Rounding::kNearest),
            exchange_cash().round_to(Decimal::from_string("0.01"), Rounding::kNearest));

  // The seed's files: a trades row per two-leg trade (two entries, two exits) and bbo rows.
  std::size_t trade_rows = 0, bbo_rows = 0;
  for (const auto& e : fs::directory_iterator(dir_)) {
    const std::string name = e.path().filename().string();
    std::ifstream in(e.path());
    std::string line;
    std::size_t n = 0;
    while (std::getline(in, line)) ++n;
    if (name.rfind("trades_BTC_", 0) == 0) trade_rows += n - 1;
    if (name.rfind("bbo_BTC_", 0) == 0) bbo_rows += n - 1;
  }
  EXPECT_EQ(trade_rows, 4u);
  EXPECT_GE(bbo_rows, 1u);
}

// Lighter's mark held 0.4 % above its index: the simulated Lighter's funding estimate turns positive (longs pay
// shorts) and its funding-rates endpoint says so. The daemon reads it, and the LongBackpack opportunity, short on
// Lighter, counts it as carry received over the 4 h holding window: the line's funding term is above zero (before,
// Lighter's rate counted as zero and Backpack's, with no basis in this world, is nil).
TEST_F(XarbDaemon, LighterFundingFromTheVenueIsInTheOpportunitysCarry) {
  const bool held = world_->call([this] {
    const auto mark = world_->world->venue(1).exchange().mark_price("BTC_USDC_PERP");
    if (!mark) return false;
    const Decimal index = mark->index_price;
    return world_->world->venue(1).model()->hold_mark_index(
        "BTC_USDC_PERP", index.mul(Decimal::from_string("1.004"), Rounding::kNearest), index);
  });
  ASSERT_TRUE(held);
  ASSERT_NO_FATAL_FAILURE(start());
  dislocate_lighter(40);
  const std::string key = "Found opportunity BTC LongBackpack";
  ASSERT_TRUE(xarb_wait_for([&] { return log().find(key) != std::string::npos; }, milliseconds(20'000))) << log();
  const std::string text = log();
  const std::size_t at = text.find("funding=", text.find(key));
  ASSERT_NE(at, std::string::npos) << text;
  const std::string term = text.substr(at + 8, text.find(' ', at) - at - 8);
  ASSERT_FALSE(term.empty());
  EXPECT_EQ(term.front(), '+') << text.substr(at, 60);
  EXPECT_TRUE(Decimal::from_string(term.substr(1)).is_positive()) << text.substr(at, 60);
  EXPECT_EQ(text.compare(text.find(' ', at) + 1, 11, "bps (4h/4h)"), 0) << text.substr(at, 60);
  ASSERT_NO_FATAL_FAILURE(stop_cleanly());
}

// leg_order = "lighter_first": the Lighter leg goes alone. Its first transaction is taken by the venue and never
// executed: nothing fills, the leg is cancelled past first_leg_timeout_ms (the venue no longer knows it: the query
// settles it) and Backpack is never sent an order. The next opportunity goes Lighter first again, this time filled,
// and Backpack's leg follows for what Lighter filled: delta-neutral across the venues, each fill journaled once.
TEST_F(XarbDaemon, LighterFirstNeverExecutedLeavesBackpackUntouchedThenOpensLighterFirst) {
  ASSERT_NO_FATAL_FAILURE(start(1, 1, "leg_order = \"lighter_first\"\nfirst_leg_timeout_ms = 1500\n"));
  world_->call([this] {
    world_->lighter->api().never_execute_next_orders(1);
    return 0;
  });
  dislocate_lighter(40);
  ASSERT_TRUE(xarb_wait_for([&] { return log().find("Entry on BTC abandoned: no leg filled") != std::string::npos; },
                            milliseconds(20'000)))
      << log();
  EXPECT_EQ(world_->call([this] { return world_->lighter->api().orders_never_executed(); }), 1);
  EXPECT_TRUE(fills(0).empty()) << "Backpack was never sent the second leg";
  EXPECT_TRUE(fills(1).empty());
  // The next entry (after the opening delay): Lighter fills, Backpack follows.
  ASSERT_TRUE(
      xarb_wait_for([&] { return position(0).is_positive() && position(1).is_negative(); }, milliseconds(20'000)))
      << log();
  ASSERT_TRUE(xarb_wait_for([&] { return log().find("Opened position #1 BTC LongBackpack") != std::string::npos; },
                            milliseconds(10'000)))
      << log();
  EXPECT_EQ(position(0), -position(1)) << "delta-neutral across the venues";
  ASSERT_NO_FATAL_FAILURE(stop_cleanly());
  const std::string text = log();
  EXPECT_EQ(text.find("LEG RISK"), std::string::npos) << text;
  EXPECT_EQ(text.find("Hedging BTC"), std::string::npos) << "the second leg is an entry order, not a hedge\n" << text;
  // Lighter's fill came first on the entry that opened.
  const std::vector<sim::SimFill> bp = fills(0), lt = fills(1);
  ASSERT_FALSE(bp.empty());
  ASSERT_FALSE(lt.empty());
  EXPECT_LE(lt.front().timestamp_us, bp.front().timestamp_us);
  expect_unique_client_ids();
  ASSERT_NO_FATAL_FAILURE(expect_journal_matches_venues());
}

// The Lighter leg's transaction is taken by the venue (answered, so acknowledged) and never executed, while the
// Backpack leg fills: both legs together, or Backpack's first and Lighter's following its fill. An IOC order
// acknowledged and not ended is cancelled and queried: the venue does not know it, so it is settled as cancelled
// with nothing filled, and the Backpack leg's exposure is completed or unwound with taker orders within the hedge
// deadline, with no LEG RISK. The position is then closed on convergence: both venues flat, every fill journaled
// once, the journal's P&L both accounts' cash to the cent.
class XarbLegNeverExecuted : public XarbDaemon, public ::testing::WithParamInterface<const char*> {};

TEST_P(XarbLegNeverExecuted, ALighterLegTakenButNeverExecutedIsQueriedAndTheTradeEndsDeltaNeutral) {
  ASSERT_NO_FATAL_FAILURE(start(/*opening_delay_seconds=*/600, 1, std::string("leg_order = \"") + GetParam() + "\"\n"));
  world_->call([this] {
    world_->lighter->api().never_execute_next_orders(1);
    return 0;
  });
  dislocate_lighter(40);
  ASSERT_TRUE(xarb_wait_for([&] { return log().find("Hedging BTC: ") != std::string::npos; }, milliseconds(20'000)))
      << log();
  ASSERT_TRUE(xarb_wait_for([&] { return !fills(0).empty() && position(0) == -position(1); }, milliseconds(10'000)))
      << log();
  EXPECT_EQ(world_->call([this] { return world_->lighter->api().orders_never_executed(); }), 1);
  ASSERT_TRUE(xarb_wait_for(
      [&] {
        const std::string t = log();
        return t.find("Opened position #1 BTC LongBackpack") != std::string::npos ||
               t.find("Entry on BTC abandoned: a leg filled and was unwound") != std::string::npos;
      },
      milliseconds(10'000)))
      << log();
  if (!position(0).is_zero()) {
    dislocate_lighter(-40);
    ASSERT_TRUE(xarb_wait_for([&] { return position(0).is_zero() && position(1).is_zero(); }, milliseconds(20'000)))
        << log();
    ASSERT_TRUE(
        xarb_wait_for([&] { return log().find("Closed position #1 BTC") != std::string::npos; }, milliseconds(10'000)))
        << log();
  }
  ASSERT_NO_FATAL_FAILURE(stop_cleanly());
  EXPECT_EQ(log().find("LEG RISK"), std::string::npos) << log();
  ASSERT_NO_FATAL_FAILURE(expect_reconciled_to_the_cent(1));
}

INSTANTIATE_TEST_SUITE_P(Together, XarbLegNeverExecuted, ::testing::Values("together"));
INSTANTIATE_TEST_SUITE_P(BackpackFirst, XarbLegNeverExecuted, ::testing::Values("backpack_first"));

// A partial fill on Lighter (its next IOC order matches half its amount, the rest cancelled for want of liquidity)
// with the Backpack leg filled in full: the Lighter leg is completed with a taker order within the hedge deadline,
// the position opens delta-neutral and closes on convergence; every fill of both venues is journaled once, the
// journal's P&L is both accounts' cash to the cent.
TEST_F(XarbDaemon, ALighterPartialFillIsCompletedToADeltaNeutralPosition) {
  ASSERT_NO_FATAL_FAILURE(start(/*opening_delay_seconds=*/600));
  world_->call([this] {
    world_->lighter->api().cap_next_fills(Decimal::from_string("0.5"), 1);
    return 0;
  });
  ASSERT_NO_FATAL_FAILURE(open_long_backpack(1));
  EXPECT_EQ(world_->call([this] { return world_->lighter->api().fills_capped(); }), 1);
  std::set<sim::OrderId> lt_orders;
  for (const sim::SimFill& f : fills(1)) lt_orders.insert(f.order_id);
  EXPECT_EQ(lt_orders.size(), 2u) << "the capped entry order and its completion";
  ASSERT_NO_FATAL_FAILURE(close_converged(1));
  ASSERT_NO_FATAL_FAILURE(stop_cleanly());
  const std::string text = log();
  EXPECT_NE(text.find("Hedging BTC: complete BTC Ask"), std::string::npos) << text;
  EXPECT_EQ(text.find("LEG RISK"), std::string::npos) << text;
  ASSERT_NO_FATAL_FAILURE(expect_reconciled_to_the_cent(1));
}

// Lighter's WebSocket (its books, the account stream and the transaction path) dropped the moment the entry's
// Lighter order reaches the venue, and again at the exit's: the order executes, its answer and its fill frames are
// lost with the connection. The daemon reconnects, learns the order's end from the venue and books its fill once:
// opened delta-neutral, closed flat, the journal's P&L both accounts' cash to the cent.
TEST_F(XarbDaemon, ALighterWebSocketDroppedMidEntryAndMidExitEndsFlatWithEveryFillOnce) {
  ASSERT_NO_FATAL_FAILURE(start(/*opening_delay_seconds=*/600));
  const auto drop_next = [this] {
    world_->call([this] {
      world_->lighter->hub().drop_connections_on_next_orders(1);
      return 0;
    });
  };
  drop_next();
  ASSERT_NO_FATAL_FAILURE(open_long_backpack(1));
  EXPECT_EQ(world_->call([this] { return world_->lighter->hub().connection_drops(); }), 1);
  drop_next();
  ASSERT_NO_FATAL_FAILURE(close_converged(1));
  EXPECT_EQ(world_->call([this] { return world_->lighter->hub().connection_drops(); }), 2);
  ASSERT_NO_FATAL_FAILURE(stop_cleanly());
  EXPECT_EQ(log().find("LEG RISK"), std::string::npos) << log();
  ASSERT_NO_FATAL_FAILURE(expect_reconciled_to_the_cent(1));
}

// Backpack's WebSocket dropped while the entry's Backpack fill frame is held, and again at the exit's: the fill
// frames are lost with the connection. The daemon reconnects and books each Backpack fill once from the order's
// answer and the fills history: opened delta-neutral, closed flat, the journal's P&L both accounts' cash to the cent.
TEST_F(XarbDaemon, ABackpackWebSocketDroppedMidEntryAndMidExitEndsFlatWithEveryFillOnce) {
  ASSERT_NO_FATAL_FAILURE(start(/*opening_delay_seconds=*/600));
  ASSERT_NO_FATAL_FAILURE(drop_backpack_ws_on_next_fill());
  dislocate_lighter(40);
  ASSERT_TRUE(xarb_wait_for([&] { return backpack_drop_due(); }, milliseconds(20'000))) << log();
  ASSERT_TRUE(xarb_wait_for([&] { return log().find("Opened position #1 BTC LongBackpack") != std::string::npos; },
                            milliseconds(20'000)))
      << log();
  ASSERT_TRUE(
      xarb_wait_for([&] { return position(0).is_positive() && position(0) == -position(1); }, milliseconds(10'000)))
      << log();
  ASSERT_NO_FATAL_FAILURE(drop_backpack_ws_on_next_fill());
  dislocate_lighter(-40);
  ASSERT_TRUE(xarb_wait_for([&] { return backpack_drop_due(); }, milliseconds(20'000))) << log();
  ASSERT_TRUE(xarb_wait_for([&] { return position(0).is_zero() && position(1).is_zero(); }, milliseconds(20'000)))
      << log();
  ASSERT_TRUE(
      xarb_wait_for([&] { return log().find("Closed position #1 BTC") != std::string::npos; }, milliseconds(10'000)))
      << log();
  ASSERT_NO_FATAL_FAILURE(stop_cleanly());
  const std::string text = log();
  EXPECT_EQ(text.find("LEG RISK"), std::string::npos) << text;
  EXPECT_NE(text.find("WebSocket connected"), text.rfind("WebSocket connected")) << "reconnected\n" << text;
  ASSERT_NO_FATAL_FAILURE(expect_reconciled_to_the_cent(1));
}

// A partial fill on Backpack (its next taker order fills half, bpsim's fill_ratio fault) with the Lighter leg filled
// in full: the lagging Backpack leg is completed with a taker order within the hedge deadline, so the position opens
// delta-neutral across the venues; every fill of both venues is in the journal once and no client id names two
// orders.
TEST_F(XarbDaemon, ABackpackPartialFillIsCompletedToADeltaNeutralPosition) {
  ASSERT_NO_FATAL_FAILURE(start());
  bpsim_test::HttpConn control(world_->backpack->port());
  const auto r = control.post("/_bpsim/faults", R"({"fill_ratio_cap": "0.5", "fill_ratio_symbols": ["BTC_USDC_PERP"],)"
                                                R"( "fill_ratio_orders": 1})");
  ASSERT_EQ(r.status, 200) << r.body;
  dislocate_lighter(40);
  ASSERT_TRUE(xarb_wait_for([&] { return log().find("Opened position #1 BTC LongBackpack") != std::string::npos; },
                            milliseconds(20'000)))
      << log();
  ASSERT_TRUE(
      xarb_wait_for([&] { return position(0).is_positive() && position(0) == -position(1); }, milliseconds(10'000)))
      << log();
  ASSERT_NO_FATAL_FAILURE(stop_cleanly());
  const std::string text = log();
  EXPECT_NE(text.find("Hedging BTC: complete BTC_USDC_PERP Bid"), std::string::npos) << text;
  EXPECT_EQ(text.find("LEG RISK"), std::string::npos) << text;
  std::set<sim::OrderId> bp_orders;
  for (const sim::SimFill& f : fills(0)) bp_orders.insert(f.order_id);
  EXPECT_EQ(bp_orders.size(), 2u) << "the capped entry order and its completion";
  expect_unique_client_ids();
  ASSERT_NO_FATAL_FAILURE(expect_journal_matches_venues());
}

// Lighter's book update that moves it away from Backpack arrives off its nonce chain (bpsim's chain-break fault): the
// daemon does not trade on it: the book is invalid until it has resubscribed and taken a fresh snapshot, and only
// then does the entry go out, on the snapshot's prices: delta-neutral, each fill of both venues journaled once.
TEST_F(XarbDaemon, ALighterBookOffItsNonceChainIsResyncedBeforeTheEntry) {
  ASSERT_NO_FATAL_FAILURE(start());
  const std::int64_t snapshots = world_->call([this] { return world_->lighter->hub().book_snapshots(); });
  world_->call([this] {
    world_->lighter->hub().break_book_chain_next(1);
    return world_->world->venue(1).model()->dislocate("BTC", 40);
  });
  ASSERT_TRUE(
      xarb_wait_for([&] { return position(0).is_positive() && position(1).is_negative(); }, milliseconds(20'000)))
      << log();
  EXPECT_EQ(world_->call([this] { return world_->lighter->hub().book_chain_breaks(); }), 1);
  EXPECT_GT(world_->call([this] { return world_->lighter->hub().book_snapshots(); }), snapshots)
      << "the daemon resubscribed to Lighter's book";
  ASSERT_TRUE(xarb_wait_for([&] { return log().find("Opened position #1 BTC LongBackpack") != std::string::npos; },
                            milliseconds(10'000)))
      << log();
  EXPECT_EQ(position(0), -position(1));
  ASSERT_NO_FATAL_FAILURE(stop_cleanly());
  EXPECT_EQ(log().find("LEG RISK"), std::string::npos) << log();
  expect_unique_client_ids();
  ASSERT_NO_FATAL_FAILURE(expect_journal_matches_venues());
}

// Lighter refuses the order for margin (its collateral withdrawn after the daemon's account poll, which runs every
// 30 s here): the Backpack leg that filled is unwound with a reduce-only taker order within the hedge deadline,
// nothing stays open on either venue, no LEG RISK, and the journal holds the two Backpack fills with the
// account's cash to the cent.
TEST_F(XarbDaemon, ALighterLegRejectedForMarginUnwindsTheBackpackLeg) {
  ASSERT_NO_FATAL_FAILURE(start(/*opening_delay_seconds=*/600, /*account_poll_seconds=*/30));  // one attempt
  // The daemon's first account poll of each venue follows the start at once: its Lighter margin is known.
  std::this_thread::sleep_for(milliseconds(2'000));
  world_->call([this] {
    sim::Exchange& lt = world_->world->venue(1).exchange();
    lt.deposit(lt_account_, "USDC", Decimal::from_int(1) - lt.available_balance(lt_account_, "USDC"));
    world_->world->venue(1).model()->dislocate("BTC", 40);
    return 0;
  });
  ASSERT_TRUE(xarb_wait_for([&] { return fills(0).size() >= 2 && position(0).is_zero(); }, milliseconds(20'000)))
      << log();
  ASSERT_TRUE(xarb_wait_for(
      [&] { return log().find("Entry on BTC abandoned: a leg filled and was unwound") != std::string::npos; },
      milliseconds(10'000)))
      << log();
  ASSERT_NO_FATAL_FAILURE(stop_cleanly());
  const std::string text = log();
  EXPECT_NE(text.find("BTC rejected"), std::string::npos) << "the Lighter refusal is logged\n" << text;
  EXPECT_NE(text.find("Hedging BTC: unwind BTC_USDC_PERP Ask"), std::string::npos) << text;
  EXPECT_EQ(text.find("LEG RISK"), std::string::npos) << text;
  EXPECT_TRUE(fills(1).empty());
  EXPECT_TRUE(position(1).is_zero());
  const std::vector<sim::SimFill> bp = fills(0);
  ASSERT_EQ(bp.size(), 2u);
  EXPECT_NE(bp[0].side, bp[1].side);
  EXPECT_EQ(bp[0].quantity, bp[1].quantity);

  journal::JournalOptions o;
  o.read_only = true;
  journal::Journal j = journal::Journal::open((dir_ / "journal.sqlite").string(), o);
  auto rows = j.fills_since(0);
  ASSERT_TRUE(rows) << j.last_error();
  ASSERT_EQ(rows->size(), 2u);
  for (const auto& r : *rows) EXPECT_EQ(r.venue, VenueId::kBackpack);
  auto positions = j.positions();
  ASSERT_TRUE(positions) << j.last_error();
  Decimal journal_net;
  for (const auto& p : *positions) {
    EXPECT_FALSE(p.open);
    journal_net += p.realized - p.fees + p.funding;
  }
  EXPECT_EQ(journal_net.round_to(Decimal::from_string("0.01"), Rounding::kNearest),
            exchange_cash().round_to(Decimal::from_string("0.01"), Rounding::kNearest));
  EXPECT_TRUE(j.open_intents().value().empty());
}

// A restart with an open, hedged position: the second run restores it from the journal and both venues (same
// number, no fill made while down, not unwound), and closes it when the prices converge. Both venues end flat,
// the journal's one position row is both accounts' cash to the cent.
TEST_F(XarbDaemon, AnOpenHedgedPositionIsRestoredAfterARestartAndClosesOnConvergence) {
  ASSERT_NO_FATAL_FAILURE(start());
  dislocate_lighter(40);
  ASSERT_TRUE(
      xarb_wait_for([&] { return position(0).is_positive() && position(1).is_negative(); }, milliseconds(20'000)))
      << log();
  ASSERT_TRUE(xarb_wait_for([&] { return log().find("Opened position #1 BTC LongBackpack") != std::string::npos; },
                            milliseconds(10'000)))
      << log();
  const Decimal held = position(0);
  ASSERT_EQ(held, -position(1));
  ASSERT_NO_FATAL_FAILURE(stop_cleanly());
  EXPECT_EQ(position(0), held) << "a clean stop leaves the hedged position open";

  log_name_ = "xarb-restart.log";
  ASSERT_NO_FATAL_FAILURE(start());
  const std::string restored =
      "Recovery: restored position BTC backpack=" + held.str() + " lighter=" + (-held).str() + " as #1 (";
  EXPECT_NE(log().find(restored), std::string::npos) << log();
  EXPECT_NE(log().find("0 fill(s) made while down)"), std::string::npos) << log();
  EXPECT_EQ(log().find("not delta-neutral"), std::string::npos) << log();
  EXPECT_EQ(position(0), held) << "nothing traded at start-up";
  dislocate_lighter(-40);
  ASSERT_TRUE(xarb_wait_for([&] { return position(0).is_zero() && position(1).is_zero(); }, milliseconds(20'000)))
      << log();
  ASSERT_TRUE(
      xarb_wait_for([&] { return log().find("Closed position #1 BTC") != std::string::npos; }, milliseconds(10'000)))
      << log();
  ASSERT_NO_FATAL_FAILURE(stop_cleanly());
  const std::string text = log();
  EXPECT_NE(text.find("Closing BTC LongBackpack reason=converged"), std::string::npos) << text;
  EXPECT_EQ(text.find("LEG RISK"), std::string::npos) << text;
  ASSERT_NO_FATAL_FAILURE(expect_reconciled_to_the_cent(1));

  // The seed's trades file: the entry (first run) and the exit of the restored position (second run), which
  // went the other way.
  std::vector<std::string> rows;
  for (const auto& e : fs::directory_iterator(dir_)) {
    if (e.path().filename().string().rfind("trades_BTC_", 0) != 0) continue;
    std::ifstream in(e.path());
    std::string line;
    std::getline(in, line);  // header
    while (std::getline(in, line)) rows.push_back(line);
  }
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_NE(rows[0].find(",LongBackpack,"), std::string::npos) << rows[0];
  EXPECT_NE(rows[1].find(",ShortBackpack,"), std::string::npos) << rows[1];
}

// Backpack executes the entry's Backpack leg and answers 503 (bpsim's http_503_after_place fault): the outcome is
// unknown, not a refusal. The daemon queries the order, books its fill once and holds the hedged position (no
// unwind, no second Backpack order), then closes it on convergence: both venues flat, every fill journaled once,
// the journal's P&L both accounts' cash to the cent.
TEST_F(XarbDaemon, ABackpack503AfterTheEntryWasPlacedIsNotARejection) {
  ASSERT_NO_FATAL_FAILURE(start(/*opening_delay_seconds=*/600));
  sim::FaultConfig f;
  f.http_503_after_place = 1;
  set_backpack_faults(f);
  ASSERT_NO_FATAL_FAILURE(open_long_backpack(1));
  EXPECT_EQ(world_->call([this] { return world_->world->venue(0).faults().counters().http_503_after_place; }), 1);
  std::set<sim::OrderId> bp_orders;
  for (const sim::SimFill& fill : fills(0)) bp_orders.insert(fill.order_id);
  EXPECT_EQ(bp_orders.size(), 1u) << "the entry's Backpack order, neither re-sent nor completed\n" << log();
  ASSERT_NO_FATAL_FAILURE(close_converged(1));
  ASSERT_NO_FATAL_FAILURE(stop_cleanly());
  const std::string text = log();
  EXPECT_NE(text.find("outcome unknown"), std::string::npos) << text;
  EXPECT_EQ(text.find("Hedging BTC"), std::string::npos) << text;
  EXPECT_EQ(text.find("LEG RISK"), std::string::npos) << text;
  ASSERT_NO_FATAL_FAILURE(expect_reconciled_to_the_cent(1));
}

// The entry's Lighter leg refused as an invalid nonce (another process on the API key took the nonce: the simulated
// Lighter's take_nonce_before_next_orders), once, or twice in a row (the resent order refused as well). A refusal for
// the nonce means the transaction was not taken: the daemon reads nextNonce and only then signs again, so the venue
// sees no transaction with a guessed nonce after a refusal. The trade ends delta-neutral without LEG RISK (the
// Lighter leg resent or completed, or the Backpack leg unwound) and is closed flat: every fill journaled once, the
// journal's P&L both accounts' cash to the cent.
class XarbNonceRefused : public XarbDaemon, public ::testing::WithParamInterface<int> {};

TEST_P(XarbNonceRefused, ALighterLegRefusedForItsNonceIsResentWithTheFetchedNonce) {
  const int refusals = GetParam();
  ASSERT_NO_FATAL_FAILURE(start(/*opening_delay_seconds=*/600));
  const std::int64_t reads = world_->call([this, refusals] {
    world_->lighter->api().take_nonce_before_next_orders(refusals);
    return world_->lighter->api().nonce_reads();
  });
  dislocate_lighter(40);
  ASSERT_TRUE(xarb_wait_for(
      [&] {
        const std::string t = log();
        return t.find("Opened position #1 BTC LongBackpack") != std::string::npos ||
               t.find("Entry on BTC abandoned") != std::string::npos;
      },
      milliseconds(20'000)))
      << log();
  ASSERT_TRUE(xarb_wait_for([&] { return !fills(0).empty() && position(0) == -position(1); }, milliseconds(10'000)))
      << log();
  EXPECT_EQ(world_->call([this] { return world_->lighter->api().nonces_taken(); }), refusals);
  EXPECT_EQ(world_->call([this] { return world_->lighter->api().nonce_refusals(); }), refusals) << log();
  EXPECT_EQ(world_->call([this] { return world_->lighter->api().guessed_after_refusal(); }), 0)
      << "a transaction with a guessed nonce followed a refusal\n"
      << log();
  EXPECT_EQ(world_->call([this] { return world_->lighter->api().nonce_reads(); }) - reads, refusals)
      << "one nextNonce read per refusal\n"
      << log();
  if (!position(0).is_zero()) {
    dislocate_lighter(-40);
    ASSERT_TRUE(xarb_wait_for([&] { return position(0).is_zero() && position(1).is_zero(); }, milliseconds(20'000)))
        << log();
    ASSERT_TRUE(
        xarb_wait_for([&] { return log().find("Closed position #1 BTC") != std::string::npos; }, milliseconds(10'000)))
        << log();
  }
  ASSERT_NO_FATAL_FAILURE(stop_cleanly());
  EXPECT_EQ(world_->call([this] { return world_->lighter->api().nonce_refusals(); }), refusals)
      << "the exit's transactions carried good nonces\n"
      << log();
  EXPECT_EQ(log().find("LEG RISK"), std::string::npos) << log();
  ASSERT_NO_FATAL_FAILURE(expect_reconciled_to_the_cent(1));
}

INSTANTIATE_TEST_SUITE_P(Once, XarbNonceRefused, ::testing::Values(1));
INSTANTIATE_TEST_SUITE_P(TwiceInARow, XarbNonceRefused, ::testing::Values(2));

// Both venues' BTC perp settles funding every 2 s and the daemon reads both funding histories every second.
class XarbFunding : public XarbDaemon {
 protected:
  XarbFunding() {
    funding_interval_ms_ = 2'000;
    exchange_extra_ = "funding_poll_seconds = 1\n";
  }
  // The next two settlements of both venues pay 5 bps, to the LongBackpack position's favour on each venue
  // (Backpack's rate negative, longs receive; Lighter's positive, shorts receive); returns once both have paid.
  void pay_funding_on_both_legs() {
    world_->call([this] {
      for (std::size_t v = 0; v < 2; ++v) {
        sim::Exchange& ex = world_->world->venue(v).exchange();
        const std::int64_t next = ex.mark_price("BTC_USDC_PERP")->next_funding_timestamp_ms;
        const Decimal rate = Decimal::from_string(v == 0 ? "-0.0005" : "0.0005");
        for (std::int64_t k = 0; k < 2; ++k)
          ex.set_funding_rate("BTC_USDC_PERP", rate, next + k * funding_interval_ms_);
      }
      return 0;
    });
    const auto paid = [this](std::size_t venue) {
      std::size_t n = 0;
      for (const sim::FundingPayment& p : funding_payments(venue)) n += p.quantity.is_positive() ? 1 : 0;
      return n;
    };
    ASSERT_TRUE(xarb_wait_for([&] { return paid(0) >= 1 && paid(1) >= 1; }, milliseconds(10'000))) << log();
  }
  // Each venue's payments journaled once from that venue, the position's funding both venues' payments, and the
  // journal's P&L both accounts' cash, funding included, to the cent.
  void expect_funding_booked_once_to_the_position() {
    const std::vector<sim::FundingPayment> bp = funding_payments(0), lt = funding_payments(1);
    journal::JournalOptions o;
    o.read_only = true;
    journal::Journal j = journal::Journal::open((dir_ / "journal.sqlite").string(), o);
    const auto rows = j.funding_since(0);
    ASSERT_TRUE(rows) << j.last_error();
    std::map<std::pair<VenueId, std::int64_t>, Decimal> booked;
    for (const journal::FundingRecord& r : *rows) {
      EXPECT_EQ(r.symbol, r.venue == VenueId::kLighter ? "BTC" : "BTC_USDC_PERP");
      EXPECT_TRUE(booked.emplace(std::make_pair(r.venue, r.interval_end_ms), r.amount).second)
          << "funding of venue " << static_cast<int>(r.venue) << " at " << r.interval_end_ms << " twice";
    }
    const Decimal cent = Decimal::from_string("0.01");
    Decimal venues_total;
    std::size_t nonzero[2] = {0, 0};
    for (std::size_t v = 0; v < 2; ++v)
      for (const sim::FundingPayment& p : v == 0 ? bp : lt) {
        venues_total += p.quantity;
        if (p.quantity.is_zero()) continue;
        ++nonzero[v];
        const auto it = booked.find({v == 0 ? VenueId::kBackpack : VenueId::kLighter, p.interval_end_ms});
        if (it == booked.end()) {
          ADD_FAILURE() << "journal lacks venue " << v << " funding at " << p.interval_end_ms << " "
                        << p.quantity.str();
          continue;
        }
        EXPECT_EQ(it->second.round_to(cent, Rounding::kNearest), p.quantity.round_to(cent, Rounding::kNearest));
      }
    EXPECT_GE(nonzero[0], 1u);
    EXPECT_GE(nonzero[1], 1u);
    const auto positions = j.positions();
    ASSERT_TRUE(positions) << j.last_error();
    ASSERT_EQ(positions->size(), 1u);
    EXPECT_EQ(positions->front().funding.round_to(cent, Rounding::kNearest),
              venues_total.round_to(cent, Rounding::kNearest))
        << "the position's funding is both venues' payments";
    ASSERT_NO_FATAL_FAILURE(expect_reconciled_to_the_cent(1));
  }
};

// Funding settled on both legs while the LongBackpack position is open: the next two settlements pay 5 bps, to the
// position's favour on each venue (Backpack's rate negative, longs receive; Lighter's positive, shorts receive).
// Each venue's payments are journaled once, from that venue, and booked to the position: its journal row's funding
// is both venues' payments, and after the close the journal's P&L is both accounts' cash, funding included, to the
// cent.
TEST_F(XarbFunding, FundingSettledOnBothLegsIsBookedOnceFromEachVenueToThePosition) {
  ASSERT_NO_FATAL_FAILURE(start(/*opening_delay_seconds=*/600));
  ASSERT_NO_FATAL_FAILURE(open_long_backpack(1));
  ASSERT_NO_FATAL_FAILURE(pay_funding_on_both_legs());
  // The daemon's funding polls (every second) journal them while the position is still open.
  const auto journaled = [this](VenueId venue) {
    journal::JournalOptions ro;
    ro.read_only = true;
    journal::Journal jr = journal::Journal::open((dir_ / "journal.sqlite").string(), ro);
    std::size_t n = 0;
    if (const auto rows = jr.funding_since(0))
      for (const journal::FundingRecord& r : *rows) n += r.venue == venue && r.amount.is_positive() ? 1 : 0;
    return n;
  };
  ASSERT_TRUE(xarb_wait_for([&] { return journaled(VenueId::kBackpack) >= 1 && journaled(VenueId::kLighter) >= 1; },
                            milliseconds(10'000)))
      << log();
  EXPECT_FALSE(position(0).is_zero()) << "the position was open when its funding was booked";
  ASSERT_NO_FATAL_FAILURE(close_converged(1));
  ASSERT_NO_FATAL_FAILURE(stop_cleanly());
  EXPECT_EQ(log().find("LEG RISK"), std::string::npos) << log();

  ASSERT_NO_FATAL_FAILURE(expect_funding_booked_once_to_the_position());
}

// As above, with the daemon's periodic funding poll an hour away: the position closes before the payments are
// read, and the final pass of the clean stop reads both histories. Each payment is still booked once, to the
// position that held the legs when it settled.
TEST_F(XarbFunding, FundingReadOnlyAfterThePositionClosedIsBookedToThatPosition) {
  exchange_extra_ = "funding_poll_seconds = 3600\n";
  ASSERT_NO_FATAL_FAILURE(start(/*opening_delay_seconds=*/600));
  ASSERT_NO_FATAL_FAILURE(open_long_backpack(1));
  ASSERT_NO_FATAL_FAILURE(pay_funding_on_both_legs());
  ASSERT_NO_FATAL_FAILURE(close_converged(1));
  ASSERT_NO_FATAL_FAILURE(stop_cleanly());
  EXPECT_EQ(log().find("LEG RISK"), std::string::npos) << log();
  ASSERT_NO_FATAL_FAILURE(expect_funding_booked_once_to_the_position());
}

// kill -9 between the two legs: Backpack executes its leg but answers 4 s late and its stream's fill frame is
// lost, so the daemon knows only the Lighter leg's fill when it is killed. A parameter (Backpack's fill ratio) below 1
// makes the Backpack leg a partial fill. The restart books the Backpack fill made while down from Backpack's fills
// history (once), compares both legs with both venues and ends delta-neutral: restored as it is when the legs
// match, unwound to flat with reduce-only taker orders when they do not.
class XarbKillBetweenLegs : public XarbDaemon, public ::testing::WithParamInterface<const char*> {};

TEST_P(XarbKillBetweenLegs, TheRestartEndsDeltaNeutralWithEveryFillBookedOnce) {
  const Decimal ratio = Decimal::from_string(GetParam());
  const bool partial = ratio < Decimal::one();
  ASSERT_NO_FATAL_FAILURE(start(/*opening_delay_seconds=*/600));
  sim::FaultConfig f;
  f.order_latency = {4'000, 4'000};
  f.drop_order_fills_next = 1;
  if (partial) {
    f.fill_ratio_cap = ratio;
    f.fill_ratio_symbols = {"BTC_USDC_PERP"};
    f.fill_ratio_orders = 1;
  }
  set_backpack_faults(f);
  dislocate_lighter(40);
  // Both legs executed at the venues, the Lighter fill seen by the daemon, the Backpack one not (its answer is
  // held 4 s, its fill frame dropped).
  ASSERT_TRUE(xarb_wait_for(
      [&] {
        return position(0).is_positive() && position(1).is_negative() &&
               log().find("Fill BTC BTC ") != std::string::npos;
      },
      milliseconds(20'000)))
      << log();
  ASSERT_NO_FATAL_FAILURE(kill_now());
  const std::string before = log();
  ASSERT_EQ(before.find("Fill BTC BTC_USDC_PERP"), std::string::npos) << "killed too late\n" << before;
  const Decimal bp_held = position(0), lt_held = position(1);
  EXPECT_EQ(bp_held == -lt_held, !partial);
  set_backpack_faults(sim::FaultConfig{});

  log_name_ = "xarb-restart.log";
  ASSERT_NO_FATAL_FAILURE(start());
  const std::string text = log();
  EXPECT_NE(text.find("Journal: recovered fill made while bparb was down: BTC_USDC_PERP Bid"), std::string::npos)
      << text;
  EXPECT_NE(
      text.find("Recovery: restored position BTC backpack=" + bp_held.str() + " lighter=" + lt_held.str() + " as #1 ("),
      std::string::npos)
      << text;
  EXPECT_NE(text.find("1 fill(s) made while down)"), std::string::npos) << text;
  if (partial) {
    EXPECT_NE(text.find("Recovery: BTC legs are not delta-neutral"), std::string::npos) << text;
    ASSERT_TRUE(xarb_wait_for([&] { return position(0).is_zero() && position(1).is_zero(); }, milliseconds(20'000)))
        << log();
  } else {
    EXPECT_EQ(text.find("not delta-neutral"), std::string::npos) << text;
    EXPECT_EQ(position(0), -position(1)) << "delta-neutral across the venues";
    dislocate_lighter(-40);
    ASSERT_TRUE(xarb_wait_for([&] { return position(0).is_zero() && position(1).is_zero(); }, milliseconds(20'000)))
        << log();
  }
  ASSERT_TRUE(
      xarb_wait_for([&] { return log().find("Closed position #1 BTC") != std::string::npos; }, milliseconds(10'000)))
      << log();
  ASSERT_NO_FATAL_FAILURE(stop_cleanly());
  EXPECT_EQ(log().find("LEG RISK"), std::string::npos) << log();
  ASSERT_NO_FATAL_FAILURE(expect_reconciled_to_the_cent(1));
}

INSTANTIATE_TEST_SUITE_P(BothLegsFilled, XarbKillBetweenLegs, ::testing::Values("1"));
INSTANTIATE_TEST_SUITE_P(BackpackLegPartial, XarbKillBetweenLegs, ::testing::Values("0.5"));

}  // namespace
}  // namespace bparb
