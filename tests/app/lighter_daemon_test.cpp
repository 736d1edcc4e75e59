// Lighter as the daemon's second venue, end to end over loopback sockets against paper mode's embedded bpsim
// (its Lighter front-end): the daemon's pieces in process — the journal writer, the engine and its order entry,
// the daemon's sink (NodeEvents, which routes by the instrument's venue) and runtime::LighterVenue — with one
// io_context driven by the test thread. And the built daemon in paper mode with [venues.lighter]: its status
// page shows the Lighter books.
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

namespace bparb {
namespace {

namespace fs = std::filesystem;

constexpr std::int64_t kAccount = 1001;
constexpr std::uint8_t kKeySlot = 4;

// The built daemon beside the test executable (build/tests/.. = build/), or BPARB_BINARY.
fs::path bparb_binary() {
  if (const char* b = ::getenv("BPARB_BINARY")) return b;
  std::error_code ec;
  return fs::read_symlink("/proc/self/exe", ec).parent_path().parent_path() / "bparb";
}

std::string daemon_slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Decimal daemon_dec(std::string_view s) {
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
    limits.max_position_usd = daemon_dec("5000");
    limits.max_total_exposure_usd = daemon_dec("20000");
    limits.min_account_balance_usd = daemon_dec("100");
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
    a.net_equity = daemon_dec("100000");
    a.view.available_quote = daemon_dec("100000");
    a.view.available_margin = daemon_dec("100000");
    r.engine->on_account(a, clock_.now_us());
    // Lighter's account as its reconciler's poll reports it (LighterAccountFigures... checks that path).
    r.engine->on_venue_account(VenueId::kLighter,
                               exec::VenueAccount{true, daemon_dec("100000"), daemon_dec("100000"), Decimal{}});
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

TEST_F(LighterVenueTest, AnOrderOnALighterInstrumentFillsOnBpsimAndTheJournalHoldsEachTradeOnceToTheCent) {
  Run& r = start_run();
  EXPECT_EQ(r.instruments[r.sol].venue, VenueId::kLighter);
  // The premium account's fees, from orderBookDetails (percent) into the table (bps).
  EXPECT_EQ(r.instruments[r.sol].fees.taker_bps, daemon_dec("2"));
  EXPECT_EQ(r.instruments[r.sol].fees.maker_bps, daemon_dec("0.2"));

  // The venue tells of each order's answer before the engine hears it (the operator's order-ack latency).
  std::vector<std::pair<ClientId, bool>> answered;
  r.venue->on_answered([&](ClientId id, bool a) { answered.emplace_back(id, a); });
  const exec::SubmitResult s = submit(r, /*ioc=*/true, 20, 50);  // buy 0.50 SOL through the ask
  ASSERT_TRUE(s.ok()) << static_cast<int>(s.refusal);
  ASSERT_TRUE(run_until([&] { return r.owner.heard(exec::SingleOrderEventKind::kSettled); }));
  EXPECT_TRUE(r.owner.heard(exec::SingleOrderEventKind::kFilled));
  EXPECT_EQ(r.owner.filled, daemon_dec("0.5"));
  ASSERT_EQ(answered.size(), 1u);
  EXPECT_EQ(answered[0].first, s.client_id);
  EXPECT_TRUE(answered[0].second);

  // The journal: the intent and its fills, venue lighter.
  journal::Journal& jr = *journal_.journal();
  auto intent = jr.find_intent(s.client_id);
  ASSERT_TRUE(intent && *intent);
  EXPECT_EQ((*intent)->intent.venue, VenueId::kLighter);
  EXPECT_EQ((*intent)->intent.symbol, "SOL");
  EXPECT_EQ((*intent)->intent.pair, "");
  auto fills = jr.fills_since(0);
  ASSERT_TRUE(fills);
  ASSERT_FALSE(fills->empty());
  Decimal qty, fees;
  for (const journal::FillRecord& f : *fills) {
    EXPECT_EQ(f.venue, VenueId::kLighter);
    EXPECT_EQ(f.symbol, "SOL");
    EXPECT_EQ(f.client_id, s.client_id);
    EXPECT_FALSE(f.maker);
    // Taker fee 0.02 % of the notional, rounded up to the micro-USDC.
    EXPECT_EQ(
        f.fee,
        f.price.mul(f.quantity, Rounding::kUp).mul(daemon_dec("0.02"), Rounding::kUp).div_int(100, Rounding::kUp));
    qty += f.quantity;
    fees += f.fee;
  }
  EXPECT_EQ(qty, daemon_dec("0.5"));

  // bpsim's record: the same trades (ids, prices, sizes) in the account's trades...
  std::optional<std::vector<exec::FillReport>> venue_fills;
  std::vector<std::string> keep;  // the reports' views live until the callback returns
  r.venue->recent_fills(0, 100, [&](const exec::VenueError* e, std::span<const exec::FillReport> fs) {
    ASSERT_EQ(e, nullptr) << e->message;
    venue_fills.emplace(fs.begin(), fs.end());
    for (exec::FillReport& f : *venue_fills) {
      keep.emplace_back(f.symbol);
      f.symbol = {};
      f.exchange_order_id = {};
    }
  });
  ASSERT_TRUE(run_until([&] { return venue_fills.has_value(); }));
  ASSERT_EQ(venue_fills->size(), fills->size());
  for (std::size_t i = 0; i < fills->size(); ++i) {
    const exec::FillReport& v = (*venue_fills)[i];
    const journal::FillRecord& j = (*fills)[i];
    EXPECT_EQ(v.trade_id, j.trade_id);
    EXPECT_EQ(v.client_id, s.client_id);
    EXPECT_EQ(v.price, j.price);
    EXPECT_EQ(v.quantity, j.quantity);
    EXPECT_EQ(v.fee, j.fee);
    // ...offered again (the fills reconciliation's path), each is known: booked exactly once.
    exec::FillReport again = v;
    again.symbol = keep[i];
    EXPECT_FALSE(runtime::ingest_fill(journal_, again, [](const exec::FillReport&) {}));
  }
  // ...and its collateral: 100,000 USDC less the fees, to the cent.
  lighter::LighterRestOptions ro;
  ro.http.base_url = paper_->lighter_http_url();
  lighter::LighterRest rest(io_, ro);
  std::optional<Decimal> collateral;
  rest.account(kAccount, [&](lighter::RestResult<lighter::Account>& a) {
    ASSERT_TRUE(a.has_value());
    collateral = a->collateral;
  });
  ASSERT_TRUE(run_until([&] { return collateral.has_value(); }));
  EXPECT_EQ(collateral->round_to(daemon_dec("0.01"), Rounding::kNearest),
            (daemon_dec("100000") - fees).round_to(daemon_dec("0.01"), Rounding::kNearest));
}

TEST_F(LighterVenueTest, ALighterOrderDecidedOnABookFrameHasATickToOrderSampleOnceItsTransactionIsWritten) {
  Run& r = start_run();
  // An order no frame decided (the operator's, a timer's): its answer is timed, no tick-to-order sample.
  exec::SubmitResult s = submit(r, /*ioc=*/true, 20, 50);
  ASSERT_TRUE(s.ok()) << static_cast<int>(s.refusal);
  ASSERT_TRUE(run_until([&] { return r.owner.heard(exec::SingleOrderEventKind::kSettled, s.client_id); }));
  EXPECT_EQ(r.events->lighter_metrics().order_ack().count(), 1u);
  EXPECT_EQ(r.events->lighter_metrics().tick_to_order().count(), 0u);

  // One placed while the sink hands a Lighter book frame to the engine (as the daemon's book callbacks do):
  // its transaction on the socket gives Lighter one sample, Backpack's histogram none (no order there).
  const OrderBook& book = *r.venue->book(r.sol);
  ASSERT_GT(book.last_update_us(), 0);
  r.events->tick_begin(book.last_update_us());
  s = submit(r, /*ioc=*/true, 20, 50);
  r.events->tick_end();
  ASSERT_TRUE(s.ok()) << static_cast<int>(s.refusal);
  ASSERT_TRUE(run_until([&] { return r.owner.heard(exec::SingleOrderEventKind::kSettled, s.client_id); }));
  EXPECT_EQ(r.events->lighter_metrics().tick_to_order().count(), 1u);
  EXPECT_EQ(r.events->lighter_metrics().order_ack().count(), 2u);
  EXPECT_EQ(r.events->metrics().tick_to_order().count(), 0u);
}

TEST_F(LighterVenueTest, ARestartCancelsARestingLighterOrderAsAnOrphanAndSettlesItsIntent) {
  {
    Run& r = start_run();
    const exec::SubmitResult s = submit(r, /*ioc=*/false, 200, 50);  // a post-only bid well below the touch
    ASSERT_TRUE(s.ok()) << static_cast<int>(s.refusal);
    ASSERT_TRUE(run_until([&] { return r.owner.heard(exec::SingleOrderEventKind::kAccepted); }));
    EXPECT_EQ(open_orders(r), 1u);
    auto open = journal_.journal()->open_intents();
    ASSERT_TRUE(open);
    ASSERT_EQ(open->size(), 1u);
    EXPECT_EQ(open->front().intent.venue, VenueId::kLighter);
  }
  runs_.clear();  // the process is gone; its order rests on the venue

  Run& r2 = start_run();  // recovery ran inside: the orphan is cancelled before anything trades
  EXPECT_EQ(open_orders(r2), 0u);
  auto open = journal_.journal()->open_intents();
  ASSERT_TRUE(open);
  EXPECT_TRUE(open->empty());
}

TEST_F(LighterVenueTest, ALighterPositionTheJournalCannotExplainFollowsTheUnexplainedPositionsPolicy) {
  Run& r = start_run();
  const exec::SubmitResult s = submit(r, /*ioc=*/true, 20, 50);  // buy 0.50 SOL through the ask
  ASSERT_TRUE(s.ok()) << static_cast<int>(s.refusal);
  ASSERT_TRUE(run_until([&] { return r.owner.heard(exec::SingleOrderEventKind::kSettled, s.client_id); }));
  ASSERT_EQ(r.owner.filled, daemon_dec("0.5"));

  // Lighter's recovery as LighterNode runs it, against `journal`, with `policy`: the failure, or whether
  // trading must start ReduceOnly.
  struct Outcome {
    std::optional<std::string> failed;
    bool flagged = false;
  };
  const auto recover = [&](runtime::JournalWriter& journal, runtime::RecoveryOptions::Unexplained policy) {
    runtime::RecoveryOptions ro;
    ro.venue = VenueId::kLighter;
    ro.source_path = "test.toml";
    ro.check_single_positions = true;
    ro.unexplained = policy;
    runtime::Recovery rec(log_, clock_, journal, *r.venue, r.instruments, std::vector<runtime::PairRef>{}, ro);
    Outcome o;
    bool over = false;
    rec.run(
        [&](const std::string& e) {
          o.failed = e;
          over = true;
        },
        [&] { over = true; });
    EXPECT_TRUE(run_until([&] { return over; }));
    o.flagged = rec.flagged();
    return o;
  };
  using U = runtime::RecoveryOptions::Unexplained;
  // The journal that booked the fill explains the 0.5 SOL the venue holds: a restart starts as usual.
  Outcome o = recover(journal_, U::kRefuse);
  EXPECT_FALSE(o.failed) << *o.failed;
  EXPECT_FALSE(o.flagged);

  // A journal that never saw it (the position was opened by hand, or by another program on this key).
  runtime::JournalWriter other(log_, clock_);
  other.open({true, (dir_ / "other.sqlite").string(), false});
  o = recover(other, U::kRefuse);
  ASSERT_TRUE(o.failed);
  EXPECT_NE(o.failed->find("lighter SOL: the exchange holds 0.5 but the journal's single orders explain 0"),
            std::string::npos)
      << *o.failed;
  EXPECT_NE(o.failed->find("unexplained_positions = \"flag\""), std::string::npos) << *o.failed;
  EXPECT_NE(o.failed->find("test.toml"), std::string::npos) << *o.failed;
  o = recover(other, U::kFlag);
  EXPECT_FALSE(o.failed) << *o.failed;
  EXPECT_TRUE(o.flagged);
  o = recover(other, U::kAdopt);  // no pair to unwind it with: left alone, ReduceOnly as with flag
  EXPECT_FALSE(o.failed) << *o.failed;
  EXPECT_TRUE(o.flagged);
}

TEST_F(LighterVenueTest, APoolOfApiKeysSignsTransactionsInTurnEachKeyWithItsOwnNonces) {
  add_pool_key(5, true);
  add_pool_key(6, true);
  const std::int64_t before = next_nonce(4) + next_nonce(5) + next_nonce(6);
  Run& r = start_run();
  // Six post-only bids well below the touch, one after the other: each transaction takes the next key.
  for (int i = 0; i < 6; ++i) {
    const exec::SubmitResult s = submit(r, /*ioc=*/false, 200 + i, 50);
    ASSERT_TRUE(s.ok()) << static_cast<int>(s.refusal);
    ASSERT_TRUE(run_until([&] { return r.owner.heard(exec::SingleOrderEventKind::kAccepted, s.client_id); }));
  }
  EXPECT_EQ(open_orders(r), 6u);
  EXPECT_EQ(active_orders().size(), 6u);
  // Every key signed: the venue took each one's nonces in its own sequence (slot 4's, 5's and 6's), six in all.
  const std::int64_t n4 = next_nonce(4), n5 = next_nonce(5), n6 = next_nonce(6);
  EXPECT_EQ(n4 + n5 + n6 - before, 6);
  EXPECT_GE(n4, 1);
  EXPECT_GE(n5, 1);
  EXPECT_GE(n6, 1);
}

TEST_F(LighterVenueTest, AStartWithAKeyTheVenueDoesNotHoldInItsSlotStopsNamingTheSlot) {
  {
    add_pool_key(5, /*registered=*/false);  // slot 5 of the account is empty on the venue
    runs_.push_back(std::make_unique<Run>());
    runtime::LighterVenueOptions o;
    o.rest_url = paper_->lighter_http_url();
    o.ws_url = paper_->lighter_ws_url();
    o.signer = signer_config();
    o.markets = {"SOL"};
    o.source_path = "test.toml";
    o.dead_man_switch = false;
    const std::string e = load(*runs_.back(), o);
    EXPECT_NE(e.find("account 1001 has no API key in slot 5 on the venue (test.toml"), std::string::npos) << e;
  }
  // Slot 5 holds another key (the first one's): its transactions would all be refused for their signature.
  pool_.clear();
  registered_more_.clear();
  add_pool_key(5, /*registered=*/false, &pub_hex_);
  runs_.push_back(std::make_unique<Run>());
  runtime::LighterVenueOptions o;
  o.rest_url = paper_->lighter_http_url();
  o.ws_url = paper_->lighter_ws_url();
  o.signer = signer_config();
  o.markets = {"SOL"};
  o.source_path = "test.toml";
  o.dead_man_switch = false;
  const std::string e = load(*runs_.back(), o);
  EXPECT_NE(e.find("the key for API key slot 5 of account 1001 is not the one the venue holds there (venue " +
                   pub_hex_ + ", ours "),
            std::string::npos)
      << e;
}

TEST_F(LighterVenueTest, AReplaceOfARestingLighterOrderIsOneModifyOrderAndTheJournalAndOmsAgree) {
  Run& r = start_run();
  const exec::SubmitResult s = submit(r, /*ioc=*/false, 200, 50);  // a post-only bid well below the touch
  ASSERT_TRUE(s.ok()) << static_cast<int>(s.refusal);
  ASSERT_TRUE(run_until([&] { return r.owner.heard(exec::SingleOrderEventKind::kAccepted, s.client_id); }));
  std::vector<lighter::Order> before = active_orders();
  ASSERT_EQ(before.size(), 1u);
  const std::int64_t nonce_before = next_nonce();

  // Requoted: 150 ticks below the touch, 0.60 SOL, through the kernel's order entry and the daemon's sink.
  const MarketSpec& m = r.instruments.market(r.sol);
  const std::int64_t ticks = m.price_to_ticks(r.venue->book(r.sol)->best_bid().price) - 150;
  const exec::SubmitResult n = r.engine->order_entry().replace(r.owner_id, s.client_id, ticks, 60, clock_.now_us());
  ASSERT_TRUE(n.ok()) << exec::entry_refusal_name(n.refusal);
  ASSERT_NE(n.client_id, s.client_id);
  ASSERT_TRUE(run_until([&] {
    return r.owner.heard(exec::SingleOrderEventKind::kSettled, s.client_id) &&
           r.owner.heard(exec::SingleOrderEventKind::kAccepted, n.client_id);
  }));
  EXPECT_TRUE(r.owner.heard(exec::SingleOrderEventKind::kCancelled, s.client_id));
  EXPECT_EQ(r.venue->counts().replaces, 1u);

  // bpsim: one transaction (the key's nonce moved by one), the same venue order (a modify keeps its index and
  // client order index) at the new price and size: a cancel and a new order would be two, and a new index.
  EXPECT_EQ(next_nonce(), nonce_before + 1);
  const std::vector<lighter::Order> after = active_orders();
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after[0].order_index, before[0].order_index);
  EXPECT_EQ(after[0].client_order_index, static_cast<std::int64_t>(s.client_id));
  EXPECT_EQ(after[0].price, m.ticks_to_price(ticks));
  EXPECT_EQ(after[0].initial_base_amount, daemon_dec("0.6"));
  EXPECT_EQ(after[0].status, lighter::OrderStatus::kOpen);

  // The OMS: the old order cancelled (and settled), the new one open.
  const oms::Order* old_order = r.engine->orders().find(s.client_id);
  ASSERT_NE(old_order, nullptr);
  EXPECT_EQ(old_order->state(), oms::OrderState::kCancelled);
  const oms::Order* new_order = r.engine->orders().find(n.client_id);
  ASSERT_NE(new_order, nullptr);
  EXPECT_EQ(new_order->state(), oms::OrderState::kOpen);
  EXPECT_EQ(new_order->request().price, m.ticks_to_price(ticks));
  // The journal: the same story, venue lighter; only the new order's intent is still open.
  journal::Journal& jr = *journal_.journal();
  auto old_intent = jr.find_intent(s.client_id);
  ASSERT_TRUE(old_intent && *old_intent);
  EXPECT_EQ((*old_intent)->state, journal::OrderRecordState::kCancelled);
  auto new_intent = jr.find_intent(n.client_id);
  ASSERT_TRUE(new_intent && *new_intent);
  EXPECT_EQ((*new_intent)->intent.venue, VenueId::kLighter);
  EXPECT_EQ((*new_intent)->intent.price, m.ticks_to_price(ticks));
  EXPECT_EQ((*new_intent)->intent.quantity, daemon_dec("0.6"));
  EXPECT_EQ((*new_intent)->state, journal::OrderRecordState::kOpen);
  auto open = jr.open_intents();
  ASSERT_TRUE(open);
  ASSERT_EQ(open->size(), 1u);
  EXPECT_EQ(open->front().intent.client_id, n.client_id);
}

TEST_F(LighterVenueTest, TheKernelsCancelAllIsOneCancelAllOrdersOnLighterNotACancelPerOrder) {
  Run& r = start_run();
  const exec::SubmitResult a = submit(r, /*ioc=*/false, 200, 50);
  const exec::SubmitResult b = submit(r, /*ioc=*/false, 250, 60);
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_TRUE(run_until([&] {
    return r.owner.heard(exec::SingleOrderEventKind::kAccepted, a.client_id) &&
           r.owner.heard(exec::SingleOrderEventKind::kAccepted, b.client_id);
  }));
  ASSERT_EQ(active_orders().size(), 2u);
  const std::int64_t nonce_before = next_nonce();

  // What shutdown and the operator's /api/v1/cancel-all do with the engine's live orders.
  std::vector<exec::LiveOrder> live;
  r.engine->live_orders(live);
  ASSERT_EQ(live.size(), 2u);
  r.events->cancel_all(live);
  ASSERT_TRUE(run_until([&] {
    return r.owner.heard(exec::SingleOrderEventKind::kSettled, a.client_id) &&
           r.owner.heard(exec::SingleOrderEventKind::kSettled, b.client_id);
  }));
  EXPECT_TRUE(r.owner.heard(exec::SingleOrderEventKind::kCancelled, a.client_id));
  EXPECT_TRUE(r.owner.heard(exec::SingleOrderEventKind::kCancelled, b.client_id));
  EXPECT_EQ(next_nonce(), nonce_before + 1) << "one transaction for both orders";
  EXPECT_TRUE(active_orders().empty());
  EXPECT_EQ(r.venue->counts().cancels, 0u) << "no per-order cancel was sent";
  auto open = journal_.journal()->open_intents();
  ASSERT_TRUE(open);
  EXPECT_TRUE(open->empty());
}

TEST_F(LighterVenueTest, LighterFundingFromPositionFundingIsJournaledOnceUnderLighter) {
  // A simulated market whose one-minute funding interval ends four simulated seconds after start (its clock
  // starts just before a minute boundary) and whose perp trades half a percent over its index, so the long
  // bought below pays funding at the first settlement.
  const std::int64_t minute_ms = 60'000;
  const std::int64_t start_ms = (clock_.now_us() / kUsPerMs / minute_ms + 1) * minute_ms - 4'000;
  const fs::path cfg = dir_ / "sim.toml";
  std::ofstream(cfg) << "[runtime]\nseed = 7\nstep_interval_ms = 100\nstart_time_ms = " << start_ms
                     << "\n[[market]]\nsymbol = \"SOL_USDC_PERP\"\nfunding_interval_ms = 60000\n"
                     << "[[model.coins]]\ncoin = \"SOL\"\n[[script]]\nat_seconds = 0\ncoin = \"SOL\"\nbasis_bps = 50\n";
  start_paper(cfg.string());
  Run& r = start_run();
  const exec::SubmitResult s = submit(r, /*ioc=*/true, 20, 50);  // long 0.50 SOL before the settlement
  ASSERT_TRUE(s.ok()) << static_cast<int>(s.refusal);
  ASSERT_TRUE(run_until([&] { return r.owner.heard(exec::SingleOrderEventKind::kSettled); }));
  ASSERT_EQ(r.owner.filled, daemon_dec("0.5"));

  // The daemon's Lighter reconciler (as app/lighter_node starts it), polling funding every 200 ms.
  runtime::ReconcilerOptions ro;
  ro.account_poll_us = 10 * kUsPerSecond;
  ro.fills_reconcile_us = 10 * kUsPerSecond;
  ro.funding_poll_us = 200 * kUsPerMs;
  ro.started_us = clock_.now_us();
  ro.venue = VenueId::kLighter;
  ro.feeds_engine_account = false;
  std::vector<std::pair<std::string, Decimal>> unpaired;
  auto rec = std::make_unique<runtime::Reconciler>(io_, log_, clock_, journal_, *r.venue,
                                                   std::vector<runtime::PairRef>{}, "USDC", FeeSchedule{}, ro);
  rec->on_unpaired_funding([&](std::string_view sym, Decimal a) { unpaired.emplace_back(std::string(sym), a); });
  rec->start(*r.engine, *r.portfolio, next_client_id_);
  journal::Journal& jr = *journal_.journal();
  std::vector<journal::FundingRecord> booked;
  ASSERT_TRUE(run_until([&] {
    auto f = jr.funding_since(0);
    if (f) booked = *f;
    return !booked.empty();
  }));
  // A few more polls (and the final pass) see the same payment: still one row, told once.
  const auto settle_until = std::chrono::steady_clock::now() + std::chrono::milliseconds(800);
  run_until([&] { return std::chrono::steady_clock::now() > settle_until; });
  bool final_done = false;
  rec->final_pass([&] { final_done = true; });
  ASSERT_TRUE(run_until([&] { return final_done; }));
  rec->cancel();
  auto f = jr.funding_since(0);
  ASSERT_TRUE(f);
  booked = *f;
  ASSERT_EQ(booked.size(), 1u);
  EXPECT_EQ(booked[0].venue, VenueId::kLighter);
  EXPECT_EQ(booked[0].symbol, "SOL");
  EXPECT_EQ(booked[0].interval_end_ms, start_ms + 4'000);
  EXPECT_TRUE(booked[0].amount.is_negative()) << booked[0].amount.str();  // a long pays a positive rate
  ASSERT_EQ(unpaired.size(), 1u);
  EXPECT_EQ(unpaired[0].first, "SOL");
  EXPECT_EQ(unpaired[0].second, booked[0].amount);

  // What bpsim's positionFunding answers, as the venue reports it: the same payment, to the micro-USDC.
  std::optional<std::vector<exec::FundingReport>> venue_funding;
  std::vector<std::string> symbols;
  r.venue->funding_history(100, [&](const exec::VenueError* e, std::span<const exec::FundingReport> fs) {
    ASSERT_EQ(e, nullptr) << e->message;
    venue_funding.emplace(fs.begin(), fs.end());
    for (const exec::FundingReport& x : fs) symbols.emplace_back(x.symbol);
  });
  ASSERT_TRUE(run_until([&] { return venue_funding.has_value(); }));
  ASSERT_EQ(venue_funding->size(), 1u);
  EXPECT_EQ(symbols[0], "SOL");
  EXPECT_EQ((*venue_funding)[0].quantity, booked[0].amount);
  EXPECT_EQ((*venue_funding)[0].interval_end_ms, booked[0].interval_end_ms);
}

TEST_F(LighterVenueTest, LighterAccountFiguresReachTheEnginesViewAndTheMarginRuleOfLighterOrders) {
  Run& r = start_run();
  // A Lighter account with 20 USDC of equity: the 0.50 SOL buy needs more margin than it has, whatever the
  // Backpack account (100,000) holds.
  r.engine->on_venue_account(VenueId::kLighter,
                             exec::VenueAccount{true, daemon_dec("20"), daemon_dec("20"), Decimal{}});
  exec::SubmitResult s = submit(r, /*ioc=*/true, 20, 50);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.refusal, exec::EntryRefusal::kRisk);
  EXPECT_EQ(s.risk.rule, RiskRule::kMarginHeadroom);
  EXPECT_EQ(s.risk.limit, daemon_dec("20").mul(RiskLimits{}.max_margin_utilization, Rounding::kDown));

  // The daemon's Lighter reconciler (as app/lighter_node starts it): its account poll is Lighter's view.
  runtime::ReconcilerOptions ro;
  ro.account_poll_us = 10 * kUsPerSecond;
  ro.fills_reconcile_us = 10 * kUsPerSecond;
  ro.funding_poll_us = 10 * kUsPerSecond;
  ro.started_us = clock_.now_us();
  ro.venue = VenueId::kLighter;
  ro.feeds_engine_account = false;
  runtime::Reconciler rec(io_, log_, clock_, journal_, *r.venue, std::vector<runtime::PairRef>{}, "USDC", FeeSchedule{},
                          ro);
  rec.start(*r.engine, *r.portfolio, next_client_id_);
  ASSERT_TRUE(run_until([&] { return r.engine->venue_account(VenueId::kLighter).net_equity == daemon_dec("100000"); }));
  EXPECT_EQ(r.engine->venue_account(VenueId::kLighter).available_margin, daemon_dec("100000"));
  EXPECT_EQ(r.engine->venue_account(VenueId::kBackpack).net_equity, daemon_dec("100000"));  // the primary's, untouched
  rec.cancel();
  s = submit(r, /*ioc=*/true, 20, 50);
  EXPECT_TRUE(s.ok()) << exec::entry_refusal_name(s.refusal) << " " << s.risk.rule_name();
}

TEST_F(LighterVenueTest, ALighterBookThatIsNoLongerSyncedMakesItsInstrumentUntradeable) {
  Run& r = start_run();
  ASSERT_TRUE(r.venue->book_valid(r.sol));
  const OrderBook& book = *r.venue->book(r.sol);
  const Decimal ask = book.best_ask().price;
  r.venue->close();  // the stream is gone: every Lighter book is invalid until a fresh snapshot
  ASSERT_TRUE(run_until([&] { return !r.venue->book_valid(r.sol); }));
  EXPECT_EQ(r.venue->valid_books(), 0u);
  exec::SingleOrderRequest q;
  q.instrument = r.sol;
  q.side = Side::kBid;
  q.price_ticks = r.instruments.market(r.sol).price_to_ticks(ask);
  q.quantity_lots = 50;
  q.ioc = true;
  const exec::SubmitResult s = r.engine->order_entry().submit(r.owner_id, q, clock_.now_us());
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.refusal, exec::EntryRefusal::kRisk);
  auto intents = journal_.journal()->open_intents();
  ASSERT_TRUE(intents);
  EXPECT_TRUE(intents->empty()) << "nothing was sent";
}

// ---- The built daemon in paper mode with [venues.lighter]

TEST(LighterDaemon, PaperModeWithLighterMarketsShowsTheLighterBooksHealthyInStatus) {
  if (!fs::exists(bparb_binary())) GTEST_SKIP() << "bparb binary not built: " << bparb_binary();
  const fs::path dir = fs::temp_directory_path() / ("bparb_lighter_paper_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::uint16_t port = static_cast<std::uint16_t>(21000 + ::getpid() % 20000);
  std::ofstream(dir / "bparb.toml") << "pairs = [\"SOL\"]\n[exchange]\nmode = \"paper\"\n[paper]\nsim_config = \""
                                    << BPARB_SOURCE_DIR << "/config/paper-sim.toml\"\nduration_seconds = 30\n"
                                    << "[logging]\nfile = \"" << (dir / "arbitrage.log").string()
                                    << "\"\n[journal]\npath = \"" << (dir / "journal.sqlite").string()
                                    << "\"\n[service]\nenabled = true\nport = " << port
                                    << "\n[venues.lighter]\naccount_index = 1001\napi_key_index = 4\n"
                                    << "markets = [\"SOL\", \"BTC\"]\n";
  const std::string bin = bparb_binary().string();
  const std::string cfg = (dir / "bparb.toml").string();
  const std::string out = (dir / "out.txt").string();
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    FILE* f = std::freopen(out.c_str(), "w", stdout);
    (void)f;
    ::dup2(::fileno(stdout), 2);
    ::execl(bin.c_str(), "bparb", "run", "--config", cfg.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  std::string status;
  bool healthy = false;
  for (int i = 0; i < 200 && !healthy; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    const auto a = testing::http_get(port, "/api/v1/status");
    if (!a || a->status != 200) continue;
    status = a->body;
    const std::size_t lighter = status.find("\"name\":\"lighter\"");
    healthy = status.find("\"ready\":true") != std::string::npos && lighter != std::string::npos &&
              status.find("\"symbol\":\"SOL\",\"valid\":true", lighter) != std::string::npos &&
              status.find("\"symbol\":\"BTC\",\"valid\":true", lighter) != std::string::npos;
  }
  // /metrics: Lighter's net equity from its reconciler's first account poll (the simulated account's 100,000
  // USDC of collateral and no position), beside its margin.
  std::string metrics;
  for (int i = 0; i < 100 && healthy; ++i) {
    const auto m = testing::http_get(port, "/metrics");
    if (m && m->status == 200 && m->body.find("bparb_equity_usd{venue=\"lighter\"}") != std::string::npos) {
      metrics = m->body;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  // A clean stop (SIGTERM): the dead-man switch's schedule is aborted on the way out.
  ::kill(child, SIGTERM);
  int st = 0;
  ::waitpid(child, &st, 0);
  EXPECT_TRUE(WIFEXITED(st)) << daemon_slurp(out);
  const std::string log = daemon_slurp(dir / "arbitrage.log");
  EXPECT_TRUE(healthy) << status;
  EXPECT_NE(status.find("\"stream_connected\":true"), std::string::npos) << status;
  // The Lighter venue's own figures: its stream's last frame (the books are synced, so frames came).
  const std::size_t lighter = status.find("\"name\":\"lighter\"");
  ASSERT_NE(lighter, std::string::npos) << status;
  EXPECT_NE(status.find("\"last_message_age_seconds\":\"", lighter), std::string::npos) << status;
  EXPECT_NE(status.find("\"latency\":{\"order_ack\":{\"count\":0", lighter), std::string::npos) << status;
  EXPECT_NE(metrics.find("bparb_equity_usd{venue=\"lighter\"} 100000\n"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("bparb_margin_available_usd{venue=\"lighter\"} 100000\n"), std::string::npos) << metrics;
  EXPECT_NE(log.find("Lighter market SOL (id 0)"), std::string::npos) << log;
  EXPECT_NE(log.find("Lighter dead-man switch armed"), std::string::npos) << log;
  EXPECT_NE(log.find("Lighter dead-man switch aborted"), std::string::npos) << log;
  if (!HasFailure()) fs::remove_all(dir);
}

}  // namespace
}  // namespace bparb
