#pragma once
// The Lighter venue's daemon pieces in process, for the tests of Lighter as the daemon's second venue: paper mode's
// embedded bpsim (its Lighter front-end) over loopback sockets, the journal writer, the engine and its order
// entry, the daemon's sink (NodeEvents, which routes by the instrument's venue) and runtime::LighterVenue, with one
// io_context driven by the test thread (LighterVenueTest); and the built daemon's path.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sodium.h>
#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "../support/http_get.hpp"
#include "bparb/app/node_events.hpp"
#include "bparb/app/service.hpp"
#include "bparb/exec/arb_engine.hpp"
#include "bparb/portfolio/portfolio.hpp"
#include "bparb/risk/risk_gate.hpp"
#include "bparb/runtime/ingest_fill.hpp"
#include "bparb/runtime/journal_writer.hpp"
#include "bparb/runtime/lighter_venue.hpp"
#include "bparb/runtime/log_lines.hpp"
#include "bparb/runtime/node.hpp"
#include "bparb/runtime/paper.hpp"
#include "bparb/runtime/reconciler.hpp"
#include "bparb/runtime/recovery.hpp"
#include "bparb/venue/backpack/signer.hpp"
#include "bparb/venue/lighter/keys.hpp"
#include "bparb/venue/lighter/rest_client.hpp"

namespace bparb::lighter_daemon_testing {

namespace fs = std::filesystem;

inline constexpr std::int64_t kAccount = 1001;
inline constexpr std::uint8_t kKeySlot = 4;

// The built daemon beside the test executable (build/tests/.. = build/), or BPARB_BINARY.
inline fs::path bparb_binary() {
  if (const char* b = ::getenv("BPARB_BINARY")) return b;
  std::error_code ec;
  return fs::read_symlink("/proc/self/exe", ec).parent_path().parent_path() / "bparb";
}

inline std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline Decimal D(std::string_view s) {
  return Decimal::from_string(s);
}

// What the order's owner heard (numbers only: the event's views do not outlive the call).
struct Owner final : exec::SingleOrderHandler {
  std::vector<exec::SingleOrderEventKind> kinds;
  std::vector<ClientId> ids;  // of each event
  Decimal filled;
  void on_single_order_event(const exec::SingleOrderEvent& e) noexcept override {
    kinds.push_back(e.kind);
    ids.push_back(e.client_id);
    if (e.kind == exec::SingleOrderEventKind::kFill) filled += e.fill_quantity;
  }
  bool heard(exec::SingleOrderEventKind k) const {
    for (const auto s : kinds)
      if (s == k) return true;
    return false;
  }
  bool heard(exec::SingleOrderEventKind k, ClientId id) const {
    for (std::size_t i = 0; i < kinds.size(); ++i)
      if (kinds[i] == k && ids[i] == id) return true;
    return false;
  }
};

class LighterVenueTest : public ::testing::Test {
 protected:
  // One run of the daemon's pieces: its instrument table, the Lighter venue, the engine and the sink.
  struct Run {
    InstrumentTable instruments;
    std::unique_ptr<runtime::LighterVenue> venue;
    std::unique_ptr<RiskGate> risk;
    std::unique_ptr<Portfolio> portfolio;
    std::unique_ptr<runtime::LogLines> lines;
    std::unique_ptr<app::ServiceNotifier> svc;
    std::unique_ptr<app::SystemdNotice> notice;
    std::unique_ptr<runtime::Node> node;
    std::unique_ptr<app::NodeEvents> events;
    std::unique_ptr<exec::ArbEngine> engine;
    std::unique_ptr<runtime::Recovery> recovery;
    Owner owner;
    exec::OrderOwner owner_id = 0;
    InstrumentId sol = kNoInstrument;
  };

  void SetUp() override {
    ASSERT_GE(sodium_init(), 0);
    dir_ = fs::temp_directory_path() / ("bparb_lighter_venue_" + std::to_string(::getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    journal_.open({true, (dir_ / "journal.sqlite").string(), false});
    // A fresh test key for the simulated account (never a real one).
    std::array<char, 80> hex{};
    lighter::PrivateKey::generate().to_hex(hex);
    key_hex_.assign(hex.data(), hex.size());
    auto signer = lighter::Signer::create(key_hex_, signer_config());
    ASSERT_TRUE(signer.has_value());
    std::array<char, 80> pub{};
    signer->public_key_hex(pub);
    pub_hex_.assign(pub.data(), pub.size());
    start_paper(std::string(BPARB_SOURCE_DIR) + "/config/paper-sim.toml");
  }
  // Paper mode's embedded bpsim with its Lighter front-end, from `sim_config` (a running one is stopped first).
  void start_paper(const std::string& sim_config) {
    if (paper_) {
      paper_->stop();
      paper_.reset();
      io_.restart();
      io_.run_for(std::chrono::milliseconds(100));
    }
    runtime::PaperOptions po;
    po.sim_config = sim_config;
    po.api_key = backpack::SigningKey::generate().public_key_base64();
    po.lighter = runtime::PaperOptions::Lighter{{"SOL"}, kAccount, kKeySlot, pub_hex_, true, registered_more_};
    paper_.emplace(io_, po);
  }
  void TearDown() override {
    runs_.clear();
    if (paper_) paper_->stop();
    io_.restart();
    io_.run_for(std::chrono::milliseconds(200));
    if (!HasFailure()) fs::remove_all(dir_);
  }

  static lighter::SignerConfig signer_config() {
    lighter::SignerConfig c;
    c.chain_id = 304;
    c.account_index = kAccount;
    c.api_key_index = kKeySlot;
    return c;
  }

  // Turns the loop until `done` or 20 s of wall time.
  bool run_until(const std::function<bool()>& done) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (!done()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      io_.restart();
      io_.run_for(std::chrono::milliseconds(10));
    }
    return true;
  }

  // Start-up as the daemon does it for Lighter: markets into the table, the venue's recovery, then the engine
  // with the sink routing to the venue, the stream started and the book synced.
  Run& start_run() {
    runs_.push_back(std::make_unique<Run>());
    Run& r = *runs_.back();
    runtime::LighterVenueOptions o;
    o.rest_url = paper_->lighter_http_url();
    o.ws_url = paper_->lighter_ws_url();
    o.signer = signer_config();
    o.premium = true;
    o.markets = {"SOL"};
    o.source_path = "test.toml";
    o.dead_man_switch = false;  // a restart here stands for a crash: nothing aborts, nothing fires
    EXPECT_EQ(load(r, o), "");
    r.sol = *r.instruments.find(VenueId::kLighter, "SOL");
    runtime::RecoveryOptions ro;
    ro.venue = VenueId::kLighter;
    ro.source_path = "test.toml";
    r.recovery = std::make_unique<runtime::Recovery>(log_, clock_, journal_, *r.venue, r.instruments,
                                                     std::vector<runtime::PairRef>{}, ro);
    bool recovered = false;
    r.recovery->run([&](const std::string& e) { ADD_FAILURE() << "recovery failed: " << e; },
                    [&] { recovered = true; });
    EXPECT_TRUE(run_until([&] { return recovered; }));

    RiskLimits limits;
    limits.max_position_usd = D("5000");
    limits.max_total_exposure_usd = D("20000");
    limits.min_account_balance_usd = D("100");
    r.risk = std::make_unique<RiskGate>(limits, clock_);
    r.portfolio = std::make_unique<Portfolio>(0);
    r.lines = std::make_unique<runtime::LogLines>(log_);
    r.svc = std::make_unique<app::ServiceNotifier>();
    r.notice = std::make_unique<app::SystemdNotice>(*r.svc);
    r.node = std::make_unique<runtime::Node>(io_, log_, clock_, *r.risk, *r.lines, journal_, *r.notice,
                                             runtime::NodeOptions{});
    r.events = std::make_unique<app::NodeEvents>(io_, log_, clock_, *r.risk, *r.lines, journal_, *r.node, *r.svc);
    exec::EngineParams p;
    p.first_client_id = next_client_id_;
    r.engine =
        std::make_unique<exec::ArbEngine>(p, r.instruments, *r.risk, *r.portfolio, *r.events, r.events->run_metrics());
    r.events->set_engine(*r.engine);
    r.events->set_lighter(r.venue.get());
    r.venue->attach(*r.engine);
    r.owner_id = r.engine->order_entry().add_owner(r.owner);
    exec::AccountSnapshot a;
    a.net_equity = D("100000");
    a.view.available_quote = D("100000");
    a.view.available_margin = D("100000");
    r.engine->on_account(a, clock_.now_us());
    // Lighter's account as its reconciler's poll reports it (LighterAccountFigures... checks that path).
    r.engine->on_venue_account(VenueId::kLighter, exec::VenueAccount{true, D("100000"), D("100000"), Decimal{}});
    r.venue->start();
    EXPECT_TRUE(run_until([&] { return r.venue->valid_books() == 1 && r.venue->stream_connected(); }));
    return r;
  }

  // The run's venue with the test key (and the pool's, pool_), its markets loaded: the error, or "".
  std::string load(Run& r, const runtime::LighterVenueOptions& o) {
    auto signer = lighter::Signer::create(key_hex_, o.signer);
    std::vector<lighter::Signer> more;
    for (const auto& [slot, hex] : pool_) {
      lighter::SignerConfig c = o.signer;
      c.api_key_index = slot;
      auto k = lighter::Signer::create(hex, c);
      more.push_back(std::move(*k));
    }
    r.venue = std::make_unique<runtime::LighterVenue>(io_, clock_, log_, journal_, r.instruments, std::move(*signer), o,
                                                      std::move(more));
    bool loaded = false;
    std::string error;
    r.venue->load_markets([&](const std::string* e) {
      loaded = true;
      if (e) error = *e;
    });
    EXPECT_TRUE(run_until([&] { return loaded; }));
    return error;
  }
  // A fresh key for `slot` in the pool the next run signs with; `registered`: the simulated account holds its
  // public key there (the paper exchange restarts to register it), else it holds `other`'s (none: no key).
  void add_pool_key(std::uint8_t slot, bool registered, const std::string* other = nullptr) {
    std::array<char, 80> hex{};
    lighter::PrivateKey::generate().to_hex(hex);
    pool_.emplace_back(slot, std::string(hex.data(), hex.size()));
    lighter::SignerConfig c = signer_config();
    c.api_key_index = slot;
    std::array<char, 80> pub{};
    lighter::Signer::create(pool_.back().second, c)->public_key_hex(pub);
    if (registered)
      registered_more_.emplace_back(slot, std::string(pub.data(), pub.size()));
    else if (other != nullptr)
      registered_more_.emplace_back(slot, *other);
    start_paper(std::string(BPARB_SOURCE_DIR) + "/config/paper-sim.toml");
  }

  // An order of `lots` on Lighter's SOL, `offset_ticks` from the touch (IOC buys cross it; post-only bids rest
  // below it).
  exec::SubmitResult submit(Run& r, bool ioc, std::int64_t offset_ticks, std::int64_t lots) {
    const OrderBook& b = *r.venue->book(r.sol);
    const MarketSpec& m = r.instruments.market(r.sol);
    exec::SingleOrderRequest q;
    q.instrument = r.sol;
    q.side = Side::kBid;
    q.price_ticks =
        ioc ? m.price_to_ticks(b.best_ask().price) + offset_ticks : m.price_to_ticks(b.best_bid().price) - offset_ticks;
    q.quantity_lots = lots;
    q.ioc = ioc;
    q.post_only = !ioc;
    const exec::SubmitResult s = r.engine->order_entry().submit(r.owner_id, q, clock_.now_us());
    next_client_id_ = s.client_id + 1;
    return s;
  }

  std::size_t open_orders(Run& r) {
    std::optional<std::size_t> n;
    r.venue->open_order_count("SOL", [&](const exec::VenueError* e, std::size_t count) {
      EXPECT_EQ(e, nullptr);
      n = count;
    });
    EXPECT_TRUE(run_until([&] { return n.has_value(); }));
    return n.value_or(999);
  }

  // The account's resting orders on Lighter's SOL, as the venue lists them (accountActiveOrders).
  std::vector<lighter::Order> active_orders() {
    auto signer = lighter::Signer::create(key_hex_, signer_config());
    lighter::AuthToken token;
    EXPECT_FALSE(signer->auth_token(clock_.now_us() / kUsPerSecond + 600, token));
    lighter::LighterRestOptions ro;
    ro.http.base_url = paper_->lighter_http_url();
    lighter::LighterRest rest(io_, ro);
    std::optional<std::vector<lighter::Order>> orders;
    rest.active_orders(kAccount, 0, token.str(), [&](lighter::RestResult<lighter::OrdersPage>& r) {
      ASSERT_TRUE(r.has_value()) << r.error().describe();
      orders = r->orders;
    });
    EXPECT_TRUE(run_until([&] { return orders.has_value(); }));
    return orders.value_or(std::vector<lighter::Order>{});
  }
  // The API key's next nonce at the venue: one more per transaction it took.
  std::int64_t next_nonce(std::uint8_t slot = kKeySlot) {
    lighter::LighterRestOptions ro;
    ro.http.base_url = paper_->lighter_http_url();
    lighter::LighterRest rest(io_, ro);
    std::optional<std::int64_t> n;
    rest.next_nonce(kAccount, slot, [&](lighter::RestResult<std::int64_t>& r) {
      ASSERT_TRUE(r.has_value()) << r.error().describe();
      n = *r;
    });
    EXPECT_TRUE(run_until([&] { return n.has_value(); }));
    return n.value_or(-1);
  }

  boost::asio::io_context io_;
  SystemClock clock_;
  fs::path dir_;
  std::shared_ptr<spdlog::logger> log_ =
      std::make_shared<spdlog::logger>("lighter-venue-test", std::make_shared<spdlog::sinks::null_sink_mt>());
  runtime::JournalWriter journal_{log_, clock_};
  std::string key_hex_;
  std::string pub_hex_;
  std::optional<runtime::PaperExchange> paper_;
  std::vector<std::pair<std::uint8_t, std::string>> pool_;             // slot, private key hex
  std::vector<std::pair<std::uint8_t, std::string>> registered_more_;  // slot, public key hex
  std::vector<std::unique_ptr<Run>> runs_;
  ClientId next_client_id_ = 1;
};

}  // namespace bparb::lighter_daemon_testing
