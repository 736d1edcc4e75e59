// A node's shutdown ends the run even when the venue never answers the last reconciliation: the bounded
// final pass gives up after its timeout, says so, writes the final stats line and stops. With a single-order
// strategy (the market maker) the shutdown and final stats lines are its own. Funding on a perp outside the
// pairs reaches the reconciler's listener once per new payment.
#include "bparb/runtime/node.hpp"

#include <gtest/gtest.h>
#include <spdlog/logger.h>
#include <spdlog/sinks/ostream_sink.h>

#include <boost/asio/io_context.hpp>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

namespace bparb::runtime {
namespace {

class SilentVenue final : public exec::ReconciliationVenue {
 public:
  void open_order_count(std::string_view, std::function<void(const exec::VenueError*, std::size_t)>) override {}
  void cancel_all(std::string_view, std::function<void(const exec::VenueError*)>) override {}
  void fills_since(std::string_view, std::int64_t, std::size_t,
                   std::function<void(const exec::VenueError*, std::span<const exec::FillReport>)>) override {}
  void positions(std::function<void(const exec::VenueError*, std::span<const exec::PositionReport>)>) override {}
  void equity(std::function<void(const exec::VenueError*, const exec::EquityReport&)>) override {}
  void account(std::function<void(const exec::VenueError*, const exec::EquityReport&,
                                  const std::span<const exec::BalanceReport>*)>) override {}
  void recent_fills(std::int64_t, std::size_t,
                    std::function<void(const exec::VenueError*, std::span<const exec::FillReport>)>) override {
    ++fills_asked;
  }
  void funding_history(
      std::size_t, std::function<void(const exec::VenueError*, std::span<const exec::FundingReport>)> done) override {
    if (!funding.empty()) done(nullptr, funding);
  }
  int fills_asked = 0;
  std::vector<exec::FundingReport> funding;  // answered when not empty
};

class NullSink final : public exec::CommandSink, public exec::EngineObserver {
 public:
  void place_orders(std::span<const exec::OrderSpec>) override {}
  void cancel_order(InstrumentId, oms::ClientId) override {}
  void query_order(InstrumentId, oms::ClientId) override {}
  void on_event(const exec::EngineEvent&) override {}  // no event is looked at here
};

class RecordingNotice final : public ServiceNotice {
 public:
  void ready() noexcept override { events.emplace_back("ready"); }
  void reloading() noexcept override { events.emplace_back("reloading"); }
  void stopping() noexcept override { events.emplace_back("stopping"); }
  void watchdog_ping() noexcept override { events.emplace_back("ping"); }
  DurationUs watchdog_ping_interval_us() const noexcept override { return 0; }
  std::vector<std::string> events;
};

TEST(NodeTest, ShutdownEndsTheRunWhenTheFinalReconciliationNeverAnswers) {
  std::ostringstream out;
  auto log = std::make_shared<spdlog::logger>("node_test", std::make_shared<spdlog::sinks::ostream_sink_mt>(out));
  log->set_pattern("%v");
  boost::asio::io_context io;
  ManualClock clock{1'700'000'000'000'000};
  RecordingNotice notice;
  RiskGate risk{RiskLimits{}, clock};
  LogLines lines{log};
  JournalWriter journal{log, clock};
  Portfolio portfolio;
  NullSink sink;
  InstrumentTable instruments;
  exec::ArbEngine engine{exec::EngineParams{}, instruments, risk, portfolio, sink, sink};
  SilentVenue venue;
  Reconciler reconciler{io, log, clock, journal, venue, {}, "USDC", FeeSchedule{}, ReconcilerOptions{}};

  NodeOptions o;
  o.tick_us = 1'000;
  o.shutdown_timeout_us = 60 * kUsPerSecond;
  o.final_pass_timeout_us = 5'000;
  Node node{io, log, clock, risk, lines, journal, notice, o};
  int stops = 0;
  NodeHooks hooks;
  hooks.cancel_orders = [](std::span<const exec::LiveOrder>) { FAIL() << "nothing rests"; };
  hooks.mark = [](const MarketSpec&) { return Decimal{}; };
  hooks.stop = [&] {
    ++stops;
    node.cancel();
  };
  node.start(engine, portfolio, reconciler, {}, std::move(hooks));
  ASSERT_TRUE(node.started());
  node.begin_shutdown("test");
  EXPECT_TRUE(node.shutting_down());
  io.run();  // the idle engine lets the next tick finish; the silent venue leaves only the final timer

  EXPECT_EQ(stops, 1);
  EXPECT_EQ(venue.fills_asked, 1) << "the final pass asked the venue once";
  EXPECT_EQ(notice.events, (std::vector<std::string>{"stopping"}));
  const std::string text = out.str();
  EXPECT_NE(text.find("Shutting down (test): no new positions; cancelling resting orders; open positions stay hedged"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("Shutdown: final reconciliation did not answer in time; the next start books what is missing"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("Strategy stats: "), std::string::npos) << "the final stats line:\n" << text;
}

struct NodeRig {
  std::ostringstream out;
  std::shared_ptr<spdlog::logger> log =
      std::make_shared<spdlog::logger>("node_test", std::make_shared<spdlog::sinks::ostream_sink_mt>(out));
  boost::asio::io_context io;
  ManualClock clock{1'700'000'000'000'000};
  RecordingNotice notice;
  RiskGate risk{RiskLimits{}, clock};
  LogLines lines{log};
  JournalWriter journal{log, clock};
  Portfolio portfolio;
  NullSink sink;
  InstrumentTable instruments;
  exec::ArbEngine engine{exec::EngineParams{}, instruments, risk, portfolio, sink, sink};
  SilentVenue venue;
  Reconciler reconciler{io, log, clock, journal, venue, {}, "USDC", FeeSchedule{}, ReconcilerOptions{}};
  NodeRig() { log->set_pattern("%v"); }
};

TEST(NodeTest, ASingleOrderStrategySaysWhatBecomesOfItsPositionsAndPrintsItsOwnStats) {
  NodeRig r;
  NodeOptions o;
  o.tick_us = 1'000;
  o.shutdown_timeout_us = 60 * kUsPerSecond;
  o.final_pass_timeout_us = 5'000;
  Node node{r.io, r.log, r.clock, r.risk, r.lines, r.journal, r.notice, o};
  NodeHooks hooks;
  hooks.cancel_orders = [](std::span<const exec::LiveOrder>) { FAIL() << "nothing rests"; };
  hooks.mark = [](const MarketSpec&) { return Decimal{}; };
  hooks.stop = [&] { node.cancel(); };
  hooks.tick = [](TimestampUs) {};
  hooks.idle = [] { return true; };
  hooks.shutdown_positions = [] { return std::string("market maker: quotes pulled; SOL_USDC_PERP -0.28 stays open"); };
  hooks.stats_lines = [] { return std::vector<std::string>{"MM stats SOL_USDC_PERP: maker volume 42.01 USD"}; };
  node.start(r.engine, r.portfolio, r.reconciler, {}, std::move(hooks));
  node.begin_shutdown("test");
  r.io.run();
  const std::string text = r.out.str();
  EXPECT_NE(text.find("Shutting down (test): cancelling resting orders; market maker: quotes pulled; SOL_USDC_PERP "
                      "-0.28 stays open"),
            std::string::npos)
      << text;
  EXPECT_EQ(text.find("open positions stay hedged"), std::string::npos) << text;
  EXPECT_NE(text.find("MM stats SOL_USDC_PERP: maker volume 42.01 USD"), std::string::npos) << text;
  EXPECT_EQ(text.find("Strategy stats: "), std::string::npos) << text;
}

TEST(ReconcilerFunding, APaymentOnAPerpOutsideThePairsReachesTheListenerOnce) {
  NodeRig r;
  // Settled before the start: the baseline, not news. The later poll brings one new payment.
  r.venue.funding = {{"SOL_USDC_PERP", Decimal::from_string("0.5"), 1'000}};
  std::vector<std::pair<std::string, Decimal>> heard;
  r.reconciler.on_unpaired_funding(
      [&](std::string_view s, Decimal a, TimestampUs) { heard.emplace_back(std::string(s), a); });
  r.reconciler.start(r.engine, r.portfolio, 1);
  EXPECT_TRUE(heard.empty());
  r.venue.funding.push_back({"SOL_USDC_PERP", Decimal::from_string("-0.25"), 2'000});
  r.reconciler.poll_funding_soon();
  r.reconciler.cancel();
  ASSERT_EQ(heard.size(), 1u);
  EXPECT_EQ(heard[0].first, "SOL_USDC_PERP");
  EXPECT_EQ(heard[0].second, Decimal::from_string("-0.25"));
}

}  // namespace
}  // namespace bparb::runtime
