// Start-up's chain of checks against a scripted venue: the happy path hands trading its pairs, quote asset,
// fees and first client id; a failed check stops the chain at its step with the operator's message, and
// nothing after it is asked.
#include "bparb/runtime/startup.hpp"

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

namespace bparb::runtime {
namespace {

MarketSpec market(std::string symbol, MarketType type, std::string quote = "USDC",
                  OrderBookState state = OrderBookState::kOpen) {
  MarketSpec m;
  m.symbol = std::move(symbol);
  m.base_symbol = m.symbol.substr(0, m.symbol.find('_'));
  m.quote_symbol = std::move(quote);
  m.type = type;
  m.state = state;
  m.tick_size = Decimal::from_string("0.01");
  m.step_size = Decimal::from_string("0.01");
  return m;
}

// Answers at once, as scripted; counts what it was asked.
class ScriptedVenue final : public exec::StartupVenue, public exec::ReconciliationVenue {
 public:
  void sync_clock(std::function<void(const exec::VenueError*, const exec::ClockOffsetReport&)> done) override {
    if (clock_error) return done(&*clock_error, {});
    done(nullptr, exec::ClockOffsetReport{-42, 1'500});
  }
  void markets(std::function<void(const exec::VenueError*, std::span<const MarketSpec>)> done) override {
    done(nullptr, listed);
  }
  void account_terms(std::function<void(const exec::VenueError*, const exec::AccountTermsReport&)> done) override {
    exec::AccountTermsReport a;
    a.fees.spot_maker_bps = Decimal::from_int(8);
    a.fees.spot_taker_bps = Decimal::from_int(10);
    a.fees.perp_maker_bps = Decimal::from_int(1);
    a.fees.perp_taker_bps = Decimal::from_int(4);
    a.liquidating = liquidating;
    done(nullptr, a);
  }
  void open_order_count(std::string_view symbol,
                        std::function<void(const exec::VenueError*, std::size_t)> done) override {
    ++recovery_requests;
    asked.emplace_back(symbol);
    done(nullptr, symbol == resting_on ? 1 : 0);
  }
  void cancel_all(std::string_view symbol, std::function<void(const exec::VenueError*)> done) override {
    cancelled.emplace_back(symbol);
    done(nullptr);
  }
  void fills_since(std::string_view symbol, std::int64_t, std::size_t,
                   std::function<void(const exec::VenueError*, std::span<const exec::FillReport>)> done) override {
    fills_asked.emplace_back(symbol);
    if (symbol == resting_on) return done(nullptr, fills_there);
    done(nullptr, {});
  }
  void positions(std::function<void(const exec::VenueError*, std::span<const exec::PositionReport>)> done) override {
    done(nullptr, {});
  }
  void equity(std::function<void(const exec::VenueError*, const exec::EquityReport&)> done) override {
    exec::EquityReport e;
    e.net_equity = Decimal::from_int(10'000);
    e.available = Decimal::from_int(10'000);
    done(nullptr, e);
  }
  void account(std::function<void(const exec::VenueError*, const exec::EquityReport&,
                                  const std::span<const exec::BalanceReport>*)>) override {}
  void recent_fills(std::int64_t, std::size_t,
                    std::function<void(const exec::VenueError*, std::span<const exec::FillReport>)>) override {}
  void funding_history(std::size_t,
                       std::function<void(const exec::VenueError*, std::span<const exec::FundingReport>)>) override {}

  std::vector<MarketSpec> listed;
  std::optional<exec::VenueError> clock_error;
  bool liquidating = false;
  int recovery_requests = 0;
  std::vector<std::string> asked;  // symbols recovery asked for open orders
  std::string resting_on;          // one order of ours rests there; its fills are fills_there
  std::vector<exec::FillReport> fills_there;
  std::vector<std::string> cancelled;    // cancel_all's symbols
  std::vector<std::string> fills_asked;  // fills_since's symbols
};

struct StartupHarness {
  StartupHarness() {
    log = std::make_shared<spdlog::logger>("startup_test", std::make_shared<spdlog::sinks::ostream_sink_mt>(out));
    log->set_pattern("%v");
    venue.listed = {market("SOL_USDC", MarketType::kSpot), market("SOL_USDC_PERP", MarketType::kPerp),
                    market("BTC_USDC", MarketType::kSpot),
                    market("BTC_USDC_PERP", MarketType::kPerp, "USDC", OrderBookState::kClosed)};
    opts.pairs = {{"SOL", "SOL_USDC", "SOL_USDC_PERP"}, {"BTC", "BTC_USDC", "BTC_USDC_PERP"}};
    opts.source_path = "bparb.toml";
    opts.recovery.source_path = "bparb.toml";
  }
  void run() {
    startup = std::make_unique<Startup>(log, clock, journal, venue, venue, markets, opts);
    startup->run([this](const StartupFailure& f) { failure = f; }, [this] { ++done; });
  }

  std::ostringstream out;
  std::shared_ptr<spdlog::logger> log;
  ManualClock clock{1'700'000'000'000'000};
  JournalWriter journal{log, clock};
  ScriptedVenue venue;
  InstrumentTable markets;
  StartupOptions opts;
  std::unique_ptr<Startup> startup;
  std::optional<StartupFailure> failure;
  int done = 0;
};

TEST(StartupTest, HappyPathHandsTradingTheOpenPairsFeesAndFirstClientId) {
  StartupHarness h;
  h.run();
  ASSERT_FALSE(h.failure) << h.failure->message;
  ASSERT_EQ(h.done, 1);
  ASSERT_EQ(h.startup->pairs().size(), 1u);  // BTC's perp book is closed: skipped, not refused
  const PairRef& p = h.startup->pairs()[0];
  EXPECT_EQ(p.base, "SOL");
  EXPECT_EQ(p.index, 0u);
  EXPECT_EQ(p.spot, &h.markets.market(0));
  EXPECT_EQ(p.perp, &h.markets.market(1));
  EXPECT_EQ(p.perp->symbol, "SOL_USDC_PERP");
  EXPECT_EQ(h.markets.size(), 2u);
  // The traded markets are the instrument table: spot then perp, on the venue, with this account's fees.
  EXPECT_EQ(p.instruments[0], 0);
  EXPECT_EQ(p.instruments[1], 1);
  EXPECT_EQ(h.markets[0].kind, InstrumentKind::kSpot);
  EXPECT_EQ(h.markets[1].kind, InstrumentKind::kPerp);
  EXPECT_EQ(h.markets[1].venue, VenueId::kBackpack);
  EXPECT_EQ(h.markets.find(VenueId::kBackpack, "SOL_USDC_PERP"), std::optional<InstrumentId>(1));
  EXPECT_FALSE(h.markets.find(VenueId::kBackpack, "BTC_USDC"));  // skipped pairs are not traded
  EXPECT_EQ(h.markets[0].fees.taker_bps, Decimal::from_int(10));
  EXPECT_EQ(h.markets[1].fees.maker_bps, Decimal::from_int(1));
  EXPECT_EQ(h.markets[1].fees.taker_bps, Decimal::from_int(4));
  EXPECT_EQ(h.startup->quote_asset(), "USDC");
  EXPECT_EQ(h.startup->fees().perp_taker_bps, Decimal::from_int(4));
  // No journal: the first id is derived from the clock, so a fresh run never reuses an earlier run's ids.
  EXPECT_GT(h.startup->first_client_id(), 1u);
  EXPECT_EQ(h.venue.recovery_requests, 2);  // recovery asked about both traded markets
  const std::string log = h.out.str();
  EXPECT_NE(log.find("Clock offset to exchange: -42 ms (rtt 1500 us)"), std::string::npos) << log;
  EXPECT_NE(log.find("Pair BTC skipped: order book state"), std::string::npos) << log;
  EXPECT_NE(log.find("Quote asset: USDC (all 2 markets)"), std::string::npos) << log;
  EXPECT_NE(log.find("Account fee rates (bps): spot maker 8 taker 10, perp maker 1 taker 4"), std::string::npos) << log;
}

TEST(StartupTest, ClockFailureStopsBeforeMarkets) {
  StartupHarness h;
  h.venue.clock_error = exec::VenueError{"GET /api/v1/time", "TIMEOUT", "request timed out"};
  h.run();
  ASSERT_TRUE(h.failure);
  EXPECT_EQ(h.failure->step, StartupStep::kClock);
  EXPECT_EQ(h.failure->message, "GET /api/v1/time failed: request timed out");
  EXPECT_EQ(h.done, 0);
  EXPECT_TRUE(h.markets.empty());
}

TEST(StartupTest, UnknownMarketIsRefusedNamingTheConfigFile) {
  StartupHarness h;
  h.opts.pairs.push_back({"ETH", "ETH_USDC", "ETH_USDC_PERP"});
  h.run();
  ASSERT_TRUE(h.failure);
  EXPECT_EQ(h.failure->step, StartupStep::kMarkets);
  EXPECT_EQ(h.failure->message,
            "pair ETH: market ETH_USDC does not exist on the exchange (check [[pairs]] in bparb.toml)");
  EXPECT_EQ(h.done, 0);
  EXPECT_EQ(h.venue.recovery_requests, 0);
}

TEST(StartupTest, PairsOfDifferentQuoteAssetsAreRefused) {
  StartupHarness h;
  h.venue.listed.push_back(market("ETH_USDT", MarketType::kSpot, "USDT"));
  h.venue.listed.push_back(market("ETH_USDT_PERP", MarketType::kPerp, "USDT"));
  h.opts.pairs.push_back({"ETH", "ETH_USDT", "ETH_USDT_PERP"});
  h.run();
  ASSERT_TRUE(h.failure);
  EXPECT_EQ(h.failure->step, StartupStep::kMarkets);
  EXPECT_NE(h.failure->message.find("do not share one quote asset"), std::string::npos) << h.failure->message;
  EXPECT_EQ(h.done, 0);
}

TEST(StartupTest, LiquidatingAccountIsRefusedBeforeRecovery) {
  StartupHarness h;
  h.venue.liquidating = true;
  h.run();
  ASSERT_TRUE(h.failure);
  EXPECT_EQ(h.failure->step, StartupStep::kAccount);
  EXPECT_EQ(h.failure->message, "the account is being liquidated");
  EXPECT_EQ(h.venue.recovery_requests, 0);  // nothing was cancelled or reconciled
  EXPECT_EQ(h.done, 0);
}

TEST(StartupTest, RecoveryAsksItsVenueOnlyAboutThatVenuesInstruments) {
  StartupHarness h;
  InstrumentTable table;
  table.add(VenueId::kLighter, market("SOL", MarketType::kPerp));
  table.add(VenueId::kBackpack, market("SOL_USDC_PERP", MarketType::kPerp));
  table.add(VenueId::kLighter, market("ETH", MarketType::kPerp));
  RecoveryOptions opts;
  opts.source_path = "bparb.toml";
  opts.venue = VenueId::kBackpack;
  Recovery recovery(h.log, h.clock, h.journal, h.venue, table, {}, opts);
  std::optional<std::string> failed;
  int done = 0;
  recovery.run([&](const std::string& why) { failed = why; }, [&] { ++done; });
  ASSERT_FALSE(failed) << *failed;
  EXPECT_EQ(done, 1);
  EXPECT_EQ(h.venue.asked, (std::vector<std::string>{"SOL_USDC_PERP"}));
}

// The market maker's selector quoted ETH in the last run and picks only SOL now: the journal's open intent on
// ETH makes recovery cancel the order left there and book its fill made while down, once.
TEST(StartupTest, RecoverySweepsAMarketOfTheJournalsOpenIntentsThatThisRunDoesNotTrade) {
  for (const bool sweep : {false, true}) {
    StartupHarness h;
    const std::string path = ::testing::TempDir() + "bparb_sweep_" + std::to_string(::getpid()) + ".sqlite";
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
    JournalWriter journal{h.log, h.clock};  // the harness's own has no journal open
    journal.open({true, path, false});
    journal::IntentRecord in;
    in.client_id = 7;
    in.purpose = "Quote";
    in.symbol = "ETH_USDC_PERP";
    in.side = Side::kBid;
    in.tif = TimeInForce::kGtc;
    in.price = Decimal::from_string("2500.00");
    in.quantity = Decimal::from_string("0.04");
    in.flags = journal::kIntentPostOnly;
    in.created_us = h.clock.now_us() - 60 * kUsPerSecond;
    ASSERT_TRUE(journal.journal()->record_intent(in).ok());
    h.venue.resting_on = "ETH_USDC_PERP";
    exec::FillReport f;
    f.client_id = 7;
    f.trade_id = 901;
    f.symbol = "ETH_USDC_PERP";
    f.side = Side::kBid;
    f.price = Decimal::from_string("2500.00");
    f.quantity = Decimal::from_string("0.01");
    f.fee = Decimal::from_string("0.005");
    f.fee_symbol = "USDC";
    f.maker = true;
    f.time_us = h.clock.now_us() - 30 * kUsPerSecond;
    h.venue.fills_there = {f, f};  // the same trade twice (a page repeated): booked once
    InstrumentTable table;
    table.add(VenueId::kBackpack, market("SOL_USDC_PERP", MarketType::kPerp));
    RecoveryOptions opts;
    opts.source_path = "bparb.toml";
    opts.sweep_journal_markets = sweep;
    Recovery recovery(h.log, h.clock, journal, h.venue, table, {}, opts);
    std::optional<std::string> failed;
    int done = 0;
    recovery.run([&](const std::string& why) { failed = why; }, [&] { ++done; });
    ASSERT_FALSE(failed) << *failed;
    EXPECT_EQ(done, 1);
    auto fills = journal.journal()->fills_since(0);
    ASSERT_TRUE(fills);
    if (!sweep) {  // the table's markets only: the order on ETH was never looked at
      EXPECT_EQ(h.venue.asked, (std::vector<std::string>{"SOL_USDC_PERP"}));
      EXPECT_TRUE(h.venue.cancelled.empty());
      EXPECT_TRUE(fills->empty());
    } else {
      EXPECT_EQ(h.venue.asked, (std::vector<std::string>{"SOL_USDC_PERP", "ETH_USDC_PERP"}));
      EXPECT_EQ(h.venue.cancelled, (std::vector<std::string>{"ETH_USDC_PERP"}));
      EXPECT_EQ(h.venue.fills_asked, (std::vector<std::string>{"SOL_USDC_PERP", "ETH_USDC_PERP"}));
      ASSERT_EQ(fills->size(), 1u);
      EXPECT_EQ((*fills)[0].trade_id, 901);
      EXPECT_EQ((*fills)[0].quantity, Decimal::from_string("0.01"));
      EXPECT_EQ((*fills)[0].fee, Decimal::from_string("0.005"));
      ASSERT_EQ(recovery.unpaired_fills().size(), 1u);
      EXPECT_EQ(recovery.unpaired_fills()[0].symbol, "ETH_USDC_PERP");
      EXPECT_TRUE(journal.journal()->open_intents().value().empty());  // settled: cancelled with 0.01 done
      EXPECT_NE(h.out.str().find("Journal: an order of an earlier run may rest on ETH_USDC_PERP, a market this run "
                                 "does not trade (#7 Quote Bid): its orders are cancelled and its fills fetched too"),
                std::string::npos)
          << h.out.str();
      EXPECT_NE(h.out.str().find("Cancelling 1 orphan order(s) on ETH_USDC_PERP"), std::string::npos);
    }
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  }
}

}  // namespace
}  // namespace bparb::runtime
