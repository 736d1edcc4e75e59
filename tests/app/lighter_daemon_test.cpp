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

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Decimal D(std::string_view s) {
  return Decimal::from_string(s);
}

// What the order's owner heard (numbers only: the event's views do not outlive the call).
struct Owner final : exec::SingleOrderHandler {
  std::vector<exec::SingleOrderEventKind> kinds;
  Decimal filled;
  void on_single_order_event(const exec::SingleOrderEvent& e) noexcept override {
    kinds.push_back(e.kind);
    if (e.kind == exec::SingleOrderEventKind::kFill) filled += e.fill_quantity;
  }
  bool heard(exec::SingleOrderEventKind k) const {
    for (const auto s : kinds)
      if (s == k) return true;
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
    runtime::PaperOptions po;
    po.sim_config = std::string(BPARB_SOURCE_DIR) + "/config/paper-sim.toml";
    po.api_key = backpack::SigningKey::generate().public_key_base64();
    po.lighter = runtime::PaperOptions::Lighter{{"SOL"}, kAccount, kKeySlot, std::string(pub.data(), pub.size()), true};
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
    auto signer = lighter::Signer::create(key_hex_, o.signer);
    r.venue =
        std::make_unique<runtime::LighterVenue>(io_, clock_, log_, journal_, r.instruments, std::move(*signer), o);
    bool loaded = false;
    std::string error;
    r.venue->load_markets([&](const std::string* e) {
      loaded = true;
      if (e) error = *e;
    });
    EXPECT_TRUE(run_until([&] { return loaded; }));
    EXPECT_EQ(error, "");
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
    r.engine = std::make_unique<exec::ArbEngine>(p, r.instruments, *r.risk, *r.portfolio, *r.events);
    r.events->set_engine(*r.engine, *r.portfolio);
    r.events->set_lighter(r.venue.get());
    r.venue->attach(*r.engine);
    r.owner_id = r.engine->order_entry().add_owner(r.owner);
    exec::AccountSnapshot a;
    a.net_equity = D("100000");
    a.view.available_quote = D("100000");
    a.view.available_margin = D("100000");
    r.engine->on_account(a, clock_.now_us());
    r.venue->start();
    EXPECT_TRUE(run_until([&] { return r.venue->valid_books() == 1 && r.venue->stream_connected(); }));
    return r;
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

  boost::asio::io_context io_;
  SystemClock clock_;
  fs::path dir_;
  std::shared_ptr<spdlog::logger> log_ =
      std::make_shared<spdlog::logger>("lighter-venue-test", std::make_shared<spdlog::sinks::null_sink_mt>());
  runtime::JournalWriter journal_{log_, clock_};
  std::string key_hex_;
  std::optional<runtime::PaperExchange> paper_;
  std::vector<std::unique_ptr<Run>> runs_;
  ClientId next_client_id_ = 1;
};

TEST_F(LighterVenueTest, AnOrderOnALighterInstrumentFillsOnBpsimAndTheJournalHoldsEachTradeOnceToTheCent) {
  Run& r = start_run();
  EXPECT_EQ(r.instruments[r.sol].venue, VenueId::kLighter);
  // The premium account's fees, from orderBookDetails (percent) into the table (bps).
  EXPECT_EQ(r.instruments[r.sol].fees.taker_bps, D("2"));
  EXPECT_EQ(r.instruments[r.sol].fees.maker_bps, D("0.2"));

  // The venue tells of each order's answer before the engine hears it (the operator's order-ack latency).
  std::vector<std::pair<ClientId, bool>> answered;
  r.venue->on_answered([&](ClientId id, bool a) { answered.emplace_back(id, a); });
  const exec::SubmitResult s = submit(r, /*ioc=*/true, 20, 50);  // buy 0.50 SOL through the ask
  ASSERT_TRUE(s.ok()) << static_cast<int>(s.refusal);
  ASSERT_TRUE(run_until([&] { return r.owner.heard(exec::SingleOrderEventKind::kSettled); }));
  EXPECT_TRUE(r.owner.heard(exec::SingleOrderEventKind::kFilled));
  EXPECT_EQ(r.owner.filled, D("0.5"));
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
    EXPECT_EQ(f.fee, f.price.mul(f.quantity, Rounding::kUp).mul(D("0.02"), Rounding::kUp).div_int(100, Rounding::kUp));
    qty += f.quantity;
    fees += f.fee;
  }
  EXPECT_EQ(qty, D("0.5"));

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
  EXPECT_EQ(collateral->round_to(D("0.01"), Rounding::kNearest),
            (D("100000") - fees).round_to(D("0.01"), Rounding::kNearest));
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
  // A clean stop (SIGTERM): the dead-man switch's schedule is aborted on the way out.
  ::kill(child, SIGTERM);
  int st = 0;
  ::waitpid(child, &st, 0);
  EXPECT_TRUE(WIFEXITED(st)) << slurp(out);
  const std::string log = slurp(dir / "arbitrage.log");
  EXPECT_TRUE(healthy) << status;
  EXPECT_NE(status.find("\"stream_connected\":true"), std::string::npos) << status;
  // The Lighter venue's own figures: its stream's last frame (the books are synced, so frames came).
  const std::size_t lighter = status.find("\"name\":\"lighter\"");
  ASSERT_NE(lighter, std::string::npos) << status;
  EXPECT_NE(status.find("\"last_message_age_seconds\":\"", lighter), std::string::npos) << status;
  EXPECT_NE(status.find("\"latency\":{\"order_ack\":{\"count\":0", lighter), std::string::npos) << status;
  EXPECT_NE(log.find("Lighter market SOL (id 0)"), std::string::npos) << log;
  EXPECT_NE(log.find("Lighter dead-man switch armed"), std::string::npos) << log;
  EXPECT_NE(log.find("Lighter dead-man switch aborted"), std::string::npos) << log;
  if (!HasFailure()) fs::remove_all(dir);
}

}  // namespace
}  // namespace bparb
