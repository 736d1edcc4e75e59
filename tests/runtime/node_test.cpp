// A node's shutdown ends the run even when the venue never answers the last reconciliation: the bounded
// final pass gives up after its timeout, says so, writes the final stats line and stops.
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
  void funding_history(std::size_t,
                       std::function<void(const exec::VenueError*, std::span<const exec::FundingReport>)>) override {}
  int fills_asked = 0;
};

class NullSink final : public exec::EngineSink {
 public:
  void place_orders(std::span<const exec::OrderSpec>) override {}
  void cancel_order(InstrumentId, oms::ClientId) override {}
  void query_order(InstrumentId, oms::ClientId) override {}
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
  exec::ArbEngine engine{exec::EngineParams{}, instruments, risk, portfolio, sink};
  SilentVenue venue;
  Reconciler reconciler{io, log, clock, journal, venue, {}, "USDC", FeeSchedule{}, ReconcilerOptions{}};

  NodeOptions o;
  o.tick_us = 1'000;
  o.shutdown_timeout_us = 60 * kUsPerSecond;
  o.final_pass_timeout_us = 5'000;
  Node node{io, log, clock, risk, lines, journal, notice, o};
  int stops = 0;
  NodeHooks hooks;
  hooks.cancel_order = [](InstrumentId, ClientId) { FAIL() << "nothing rests"; };
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

}  // namespace
}  // namespace bparb::runtime
