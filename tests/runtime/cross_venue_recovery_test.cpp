// The cross-venue pair's start-up check against two scripted venues and a real journal: each leg is compared
// with its own venue's position after the fills made while down are booked; what the journal cannot explain
// follows [recovery] unexplained_positions (refuse names both venues and the config; flag starts; adopt
// starts to unwind), and a journal row on other markets is left as it is.
#include "bparb/runtime/cross_venue_recovery.hpp"

#include <gtest/gtest.h>
#include <spdlog/logger.h>
#include <spdlog/sinks/ostream_sink.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "bparb/book/order_book.hpp"
#include "bparb/portfolio/portfolio.hpp"
#include "bparb/risk/risk_gate.hpp"

namespace bparb::runtime {
namespace {

Decimal d(const char* s) {
  return Decimal::from_string(s);
}

MarketSpec perp(std::string symbol) {
  MarketSpec m;
  m.symbol = std::move(symbol);
  m.base_symbol = "BTC";
  m.quote_symbol = "USDC";
  m.type = MarketType::kPerp;
  m.tick_size = d("0.1");
  m.step_size = d("0.0001");
  return m;
}

// Only positions are asked: the venue recoveries did the rest before.
class PositionsVenue final : public exec::ReconciliationVenue {
 public:
  explicit PositionsVenue(std::string symbol) : symbol_(std::move(symbol)) {}
  void open_order_count(std::string_view, std::function<void(const exec::VenueError*, std::size_t)> done) override {
    done(nullptr, 0);
  }
  void cancel_all(std::string_view, std::function<void(const exec::VenueError*)> done) override { done(nullptr); }
  void fills_since(std::string_view, std::int64_t, std::size_t,
                   std::function<void(const exec::VenueError*, std::span<const exec::FillReport>)> done) override {
    done(nullptr, {});
  }
  void positions(std::function<void(const exec::VenueError*, std::span<const exec::PositionReport>)> done) override {
    ++asked;
    if (held.is_zero()) return done(nullptr, {});
    const exec::PositionReport r{symbol_, held, entry};
    done(nullptr, std::span<const exec::PositionReport>(&r, 1));
  }
  void equity(std::function<void(const exec::VenueError*, const exec::EquityReport&)> done) override {
    done(nullptr, {});
  }
  void account(std::function<void(const exec::VenueError*, const exec::EquityReport&,
                                  const std::span<const exec::BalanceReport>*)>) override {}
  void recent_fills(std::int64_t, std::size_t,
                    std::function<void(const exec::VenueError*, std::span<const exec::FillReport>)>) override {}
  void funding_history(std::size_t,
                       std::function<void(const exec::VenueError*, std::span<const exec::FundingReport>)>) override {}

  Decimal held;
  Decimal entry = d("95000");
  int asked = 0;

 private:
  std::string symbol_;
};

// The engine's commands go nowhere: these tests read what restore() left in the portfolio and the journal.
struct NoCommands final : exec::EngineSink {
  void place_orders(std::span<const exec::OrderSpec>) override {}
  void cancel_order(InstrumentId, oms::ClientId) override {}
  void query_order(InstrumentId, oms::ClientId) override {}
};

struct Harness {
  Harness() {
    log->set_pattern("%v");
    path = ::testing::TempDir() + "bparb_xvr_" + std::to_string(::getpid()) + "_" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".sqlite";
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
    journal.open({true, path, false});
    pair.base = "BTC";
    pair.spot = &bp_market;
    pair.perp = &lt_market;
    opts.source_path = "bparb.toml";
  }
  ~Harness() {
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  }
  // An open row of the pair as the daemon writes it (legs on Backpack and Lighter).
  void journal_row(const char* bp_qty, const char* lt_qty, VenueId perp_venue = VenueId::kLighter) {
    journal::PositionRecord r;
    r.pair = "BTC";
    r.position_id = 7;
    r.spot_qty = d(bp_qty);
    r.spot_cost = r.spot_qty.mul(d("95000"), Rounding::kNearest);
    r.perp_qty = d(lt_qty);
    r.perp_cost = r.perp_qty.mul(d("95300"), Rounding::kNearest);
    r.opened_us = 1'700'000'000'000'000;
    r.spot_venue = VenueId::kBackpack;
    r.spot_symbol = "BTC_USDC_PERP";
    r.perp_venue = perp_venue;
    r.perp_symbol = "BTC";
    ASSERT_TRUE(journal.journal()->upsert_position(r).ok()) << journal.journal()->last_error();
  }
  void run(std::vector<RecoveredFill> fills = {}) {
    recovery = std::make_unique<CrossVenueRecovery>(log, clock, journal, backpack, lighter, pair, opts);
    recovery->run(
        fills, [this](const std::string& m) { failure = m; }, [this] { ++done; });
  }

  std::ostringstream out;
  // Made before the journal writer, which keeps a copy.
  std::shared_ptr<spdlog::logger> log =
      std::make_shared<spdlog::logger>("xvr_test", std::make_shared<spdlog::sinks::ostream_sink_mt>(out));
  ManualClock clock{1'700'000'100'000'000};
  std::string path;
  JournalWriter journal{log, clock};
  MarketSpec bp_market = perp("BTC_USDC_PERP");
  MarketSpec lt_market = perp("BTC");
  PositionsVenue backpack{"BTC_USDC_PERP"};
  PositionsVenue lighter{"BTC"};
  PairRef pair;
  RecoveryOptions opts;
  std::unique_ptr<CrossVenueRecovery> recovery;
  std::optional<std::string> failure;
  int done = 0;

  // The daemon's order: the pair in a fresh engine, then restore().
  void restore() {
    table.emplace();
    const InstrumentId bp = table->add(VenueId::kBackpack, bp_market);
    const InstrumentId lt = table->add(VenueId::kLighter, lt_market);
    pair.spot = &table->market(bp);
    pair.perp = &table->market(lt);
    portfolio.add_pair();
    books[0].emplace(*pair.spot);
    books[1].emplace(*pair.perp);
    engine.emplace(exec::EngineParams{}, *table, risk, portfolio, sink);
    engine->add_pair("BTC", {bp, lt}, {&*books[0], &*books[1]});
    recovery->restore(*engine, portfolio, risk, [this](const StateChange&, std::string_view why) { state_why = why; });
  }
  std::optional<InstrumentTable> table;
  RiskGate risk{RiskLimits{}, clock};
  Portfolio portfolio;
  NoCommands sink;
  std::optional<OrderBook> books[2];
  std::optional<exec::ArbEngine> engine;
  std::string state_why;
};

TEST(CrossVenueRecoveryTest, BothLegsAsTheVenuesHoldThemAfterTheFillsMadeWhileDownStart) {
  Harness h;
  h.journal_row("0", "-0.0021");  // killed before the Backpack leg's fill was known
  h.backpack.held = d("0.0021");
  h.lighter.held = d("-0.0021");
  RecoveredFill f;
  f.venue = VenueId::kBackpack;
  f.symbol = "BTC_USDC_PERP";
  f.side = Side::kBid;
  f.price = d("95000");
  f.quantity = d("0.0021");
  f.fee = d("0.0997");
  RecoveredFill other = f;  // another market's fill is not this pair's
  other.symbol = "SOL_USDC_PERP";
  RecoveredFill wrong_venue = f;  // Lighter's market of the same name on the other venue is not either
  wrong_venue.venue = VenueId::kLighter;
  wrong_venue.symbol = "BTC_USDC_PERP";
  h.run({f, other, wrong_venue});
  ASSERT_FALSE(h.failure) << *h.failure;
  EXPECT_EQ(h.done, 1);
  EXPECT_EQ(h.backpack.asked, 1);
  EXPECT_EQ(h.lighter.asked, 1);
  EXPECT_NE(h.out.str().find("Journal: open position #7 BTC backpack=0 lighter=-0.0021"), std::string::npos)
      << h.out.str();
  EXPECT_EQ(h.out.str().find("Recovery: pair BTC"), std::string::npos) << h.out.str();
}

TEST(CrossVenueRecoveryTest, APositionTheJournalCannotExplainIsRefusedNamingBothVenuesAndTheConfig) {
  Harness h;
  h.journal_row("0.0021", "-0.0021");
  h.backpack.held = d("0.0021");
  h.lighter.held = d("-0.0042");  // someone traded Lighter by hand
  h.run();
  ASSERT_TRUE(h.failure);
  EXPECT_EQ(h.done, 0);
  EXPECT_EQ(*h.failure,
            "pair BTC: Backpack holds 0.0021 BTC_USDC_PERP and Lighter -0.0042 BTC but the journal explains 0.0021 and "
            "-0.0021; close them by hand, or set [recovery] unexplained_positions = \"flag\" (start reduce-only) or "
            "\"adopt\" (unwind them) in bparb.toml (bparb never trades on top of positions it cannot explain)");
}

TEST(CrossVenueRecoveryTest, FlagAndAdoptStartWithTheirLines) {
  {
    Harness h;
    h.opts.unexplained = RecoveryOptions::Unexplained::kFlag;
    h.lighter.held = d("-0.0021");
    h.run();
    ASSERT_FALSE(h.failure) << *h.failure;
    EXPECT_EQ(h.done, 1);
    EXPECT_NE(
        h.out.str().find("Recovery: pair BTC: Backpack holds 0 BTC_USDC_PERP and Lighter -0.0021 BTC but the "
                         "journal explains 0 and 0; [recovery] unexplained_positions = flag: starting ReduceOnly"),
        std::string::npos)
        << h.out.str();
  }
  {
    Harness h;
    h.opts.unexplained = RecoveryOptions::Unexplained::kAdopt;
    h.lighter.held = d("-0.0021");
    h.run();
    ASSERT_FALSE(h.failure) << *h.failure;
    EXPECT_EQ(h.done, 1);
    EXPECT_NE(h.out.str().find("unexplained_positions = adopt: taking them over and unwinding both legs to flat"),
              std::string::npos)
        << h.out.str();
  }
}

TEST(CrossVenueRecoveryTest, ARowWhoseLegsAreOnOtherVenuesStaysAsItIsAndExplainsNothing) {
  Harness h;
  h.journal_row("0.0021", "-0.0021", VenueId::kBackpack);
  h.backpack.held = d("0.0021");
  h.lighter.held = d("-0.0021");
  h.run();
  EXPECT_NE(h.out.str().find("Journal: open position #7 BTC has legs backpack BTC_USDC_PERP / backpack BTC, not this "
                             "config's Backpack BTC_USDC_PERP / Lighter BTC; it stays as it is"),
            std::string::npos)
      << h.out.str();
  ASSERT_TRUE(h.failure) << "the venues' positions are then unexplained (refuse)";
}

TEST(CrossVenueRecoveryTest, AMatchedPairIsRestoredWithItsNumberAndWhatItPaidSoFar) {
  Harness h;
  h.journal_row("0", "-0.0021");
  h.backpack.held = d("0.0021");
  h.lighter.held = d("-0.0021");
  RecoveredFill f;
  f.venue = VenueId::kBackpack;
  f.symbol = "BTC_USDC_PERP";
  f.side = Side::kBid;
  f.price = d("95000");
  f.quantity = d("0.0021");
  f.fee = d("0.0997");
  h.run({f});
  ASSERT_EQ(h.done, 1);
  h.restore();
  const PositionState& pos = h.portfolio.position(0);
  ASSERT_TRUE(pos.open);
  EXPECT_EQ(pos.spot.quantity(), d("0.0021"));
  EXPECT_EQ(pos.perp.quantity(), d("-0.0021"));
  EXPECT_EQ(pos.perp.average_price(), d("95300"));
  EXPECT_EQ(pos.fees_usd, d("0.0997"));
  EXPECT_EQ(h.risk.state(), TradingState::kActive);
  EXPECT_NE(h.out.str().find("Recovery: restored position BTC backpack=0.0021 lighter=-0.0021 as #7 (realized 0 "
                             "fees 0.0997 funding 0 so far; 1 fill(s) made while down)"),
            std::string::npos)
      << h.out.str();
  EXPECT_EQ(h.out.str().find("not delta-neutral"), std::string::npos) << h.out.str();
  // The same journal row goes on, its legs on their venues.
  auto open = h.journal.journal()->open_positions();
  ASSERT_TRUE(open);
  ASSERT_EQ(open->size(), 1u);
  EXPECT_EQ((*open)[0].position_id, 7u);
  EXPECT_EQ((*open)[0].spot_qty, d("0.0021"));
  EXPECT_EQ((*open)[0].fees, d("0.0997"));
}

TEST(CrossVenueRecoveryTest, LegsApartAreRestoredAndUnwound) {
  Harness h;
  h.journal_row("0", "-0.0021");
  h.lighter.held = d("-0.0021");
  h.run();
  ASSERT_EQ(h.done, 1);
  h.restore();
  EXPECT_TRUE(h.portfolio.position(0).open);
  EXPECT_NE(h.out.str().find("Recovery: BTC legs are not delta-neutral (backpack 0 vs lighter -0.0021): unwinding "
                             "both legs to flat"),
            std::string::npos)
      << h.out.str();
}

TEST(CrossVenueRecoveryTest, FlatOnBothVenuesArchivesTheRowWithWhatTheFillsMadeWhileDownRealized) {
  Harness h;
  h.journal_row("0.0021", "-0.0021");
  // Both legs were closed while bparb was down: sold on Backpack 10 USD higher, bought back on Lighter 20 lower.
  RecoveredFill bp;
  bp.venue = VenueId::kBackpack;
  bp.symbol = "BTC_USDC_PERP";
  bp.side = Side::kAsk;
  bp.price = d("95010");
  bp.quantity = d("0.0021");
  bp.fee = d("0.1");
  RecoveredFill lt = bp;
  lt.venue = VenueId::kLighter;
  lt.symbol = "BTC";
  lt.side = Side::kBid;
  lt.price = d("95280");
  lt.fee = d("0");
  h.run({bp, lt});
  ASSERT_EQ(h.done, 1);
  h.restore();
  EXPECT_FALSE(h.portfolio.position(0).open);
  EXPECT_NE(h.out.str().find("Journal: position #7 BTC is flat on both venues; archived"), std::string::npos)
      << h.out.str();
  auto rows = h.journal.journal()->positions();
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_FALSE((*rows)[0].open);
  EXPECT_EQ((*rows)[0].realized, d("0.063"));  // (95010 - 95000 + 95300 - 95280) x 0.0021
  EXPECT_EQ((*rows)[0].fees, d("0.1"));
}

TEST(CrossVenueRecoveryTest, FlagStartsReduceOnlyAndLeavesThePositionsAlone) {
  Harness h;
  h.opts.unexplained = RecoveryOptions::Unexplained::kFlag;
  h.journal_row("0.0021", "-0.0021");
  h.backpack.held = d("0.0042");
  h.lighter.held = d("-0.0021");
  h.run();
  ASSERT_EQ(h.done, 1);
  h.restore();
  EXPECT_FALSE(h.portfolio.position(0).open);
  EXPECT_EQ(h.risk.state(), TradingState::kReduceOnly);
  EXPECT_NE(h.state_why.find("cross-venue position the journal cannot explain"), std::string::npos) << h.state_why;
  auto open = h.journal.journal()->open_positions();
  ASSERT_TRUE(open);
  EXPECT_EQ(open->size(), 1u) << "its row stays open as it is";
}

}  // namespace
}  // namespace bparb::runtime
