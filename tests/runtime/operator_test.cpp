// The operator's side of a node: a SIGHUP reload applies only a valid file and tells the service manager
// it is reloading and ready again either way; the status line reports what runs when nothing trades yet.
#include "bparb/runtime/operator.hpp"

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

class OperatorNotice final : public ServiceNotice {
 public:
  void ready() noexcept override { events.emplace_back("ready"); }
  void reloading() noexcept override { events.emplace_back("reloading"); }
  void stopping() noexcept override { events.emplace_back("stopping"); }
  void watchdog_ping() noexcept override { events.emplace_back("ping"); }
  DurationUs watchdog_ping_interval_us() const noexcept override { return interval_us; }
  std::vector<std::string> events;
  DurationUs interval_us = 0;
};

struct OperatorFixture : ::testing::Test {
  std::ostringstream out;
  std::shared_ptr<spdlog::logger> log =
      std::make_shared<spdlog::logger>("operator_test", std::make_shared<spdlog::sinks::ostream_sink_mt>(out));
  boost::asio::io_context io;
  ManualClock clock{1'700'000'000'000'000};
  OperatorNotice notice;
  Operator op{io, log, notice};
  RiskGate risk{RiskLimits{}, clock};
  OperatorFixture() { log->set_pattern("%v"); }
};

TEST_F(OperatorFixture, AnInvalidFileKeepsTheRunningLimits) {
  const Decimal before = risk.limits().max_position_usd;
  op.reload(
      "bparb.toml",
      [] {
        ReloadOutcome r;
        r.status = ReloadOutcome::Status::kInvalid;
        r.error = "strategy.tick_ms: must be positive";
        r.limits.max_position_usd = Decimal::from_int(7);
        return r;
      },
      nullptr, risk);
  EXPECT_EQ(risk.limits().max_position_usd, before);
  EXPECT_EQ(out.str(),
            "SIGHUP: reloading bparb.toml\n"
            "SIGHUP: bparb.toml is invalid; keeping the running settings:\nstrategy.tick_ms: must be positive\n");
  EXPECT_EQ(notice.events, (std::vector<std::string>{"reloading", "ready"}));
}

TEST_F(OperatorFixture, AValidFileSetsTheNewLimitsAndListsWhatChanged) {
  op.reload(
      "bparb.toml",
      [] {
        ReloadOutcome r;
        r.status = ReloadOutcome::Status::kApplied;
        r.restart_required = {"exchange.rest_url"};
        r.changes = {"risk.max_position_usd 1000 -> 7", "strategy.tick_ms 100 -> 50"};
        r.limits.max_position_usd = Decimal::from_int(7);
        return r;
      },
      nullptr, risk);
  EXPECT_EQ(risk.limits().max_position_usd, Decimal::from_int(7));
  EXPECT_EQ(out.str(),
            "SIGHUP: reloading bparb.toml\n"
            "SIGHUP: exchange.rest_url needs a restart; keeping the running value\n"
            "SIGHUP: reloaded bparb.toml: risk.max_position_usd 1000 -> 7, strategy.tick_ms 100 -> 50\n");
  EXPECT_EQ(notice.events, (std::vector<std::string>{"reloading", "ready"}));
}

TEST_F(OperatorFixture, TheStatusLineBeforeTradingSaysNothingIsOpen) {
  JournalWriter journal(log, clock);
  op.log_status(risk, nullptr, nullptr, {}, journal);
  EXPECT_EQ(out.str(), "Status: state " + std::string(to_string(risk.state())) +
                           " | live orders 0 | open positions: none | journal disabled\n");
}

TEST_F(OperatorFixture, TheWatchdogIsPingedOnlyWhenTheServiceManagerAsksForIt) {
  op.arm_watchdog();
  EXPECT_TRUE(notice.events.empty());
  notice.interval_us = 1'000'000;
  op.arm_watchdog();
  EXPECT_EQ(notice.events, (std::vector<std::string>{"ping"}));
  op.cancel();
  io.run();  // the cancelled wait completes without re-arming
  EXPECT_EQ(notice.events, (std::vector<std::string>{"ping"}));
}

}  // namespace
}  // namespace bparb::runtime
