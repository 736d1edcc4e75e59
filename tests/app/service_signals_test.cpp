#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <csignal>
#include <utility>
#include <vector>

#include "bparb/app/signals.hpp"

namespace bparb::app {
namespace {

TEST(SignalClassify, MapsSignalsToActions) {
  EXPECT_EQ(classify_signal(SIGTERM, 0), SignalAction::kShutdown);
  EXPECT_EQ(classify_signal(SIGINT, 0), SignalAction::kShutdown);
  EXPECT_EQ(classify_signal(SIGINT, 1), SignalAction::kForceExit);
  EXPECT_EQ(classify_signal(SIGTERM, 3), SignalAction::kForceExit);
  EXPECT_EQ(classify_signal(SIGHUP, 0), SignalAction::kReload);
  EXPECT_EQ(classify_signal(SIGHUP, 5), SignalAction::kReload);
  EXPECT_EQ(classify_signal(SIGUSR1, 0), SignalAction::kDumpStatus);
  EXPECT_EQ(classify_signal(SIGUSR2, 0), SignalAction::kReopenLog);
  EXPECT_EQ(signal_action_name(SignalAction::kReopenLog), "reopen-log");
  EXPECT_EQ(classify_signal(SIGWINCH, 0), SignalAction::kIgnore);
  EXPECT_EQ(signal_action_name(SignalAction::kForceExit), "force-exit");
}

// Runs the loop until `n` actions arrived (bounded: a lost signal fails instead of hanging).
void signals_run_until(boost::asio::io_context& io, const std::vector<std::pair<SignalAction, int>>& got,
                       std::size_t n) {
  for (int i = 0; i < 200 && got.size() < n; ++i) io.run_for(std::chrono::milliseconds(10));
}

TEST(SignalWatcher, DeliversActionsOnTheLoop) {
  boost::asio::io_context io;
  std::vector<std::pair<SignalAction, int>> got;
  SignalWatcher w(io, [&](SignalAction a, int signo) { got.emplace_back(a, signo); });

  ASSERT_EQ(::raise(SIGHUP), 0);
  signals_run_until(io, got, 1);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0], std::make_pair(SignalAction::kReload, SIGHUP));

  ASSERT_EQ(::raise(SIGUSR1), 0);
  signals_run_until(io, got, 2);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[1].first, SignalAction::kDumpStatus);

  ASSERT_EQ(::raise(SIGUSR2), 0);
  signals_run_until(io, got, 3);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[2], std::make_pair(SignalAction::kReopenLog, SIGUSR2));
  got.pop_back();

  ASSERT_EQ(::raise(SIGTERM), 0);
  signals_run_until(io, got, 3);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[2], std::make_pair(SignalAction::kShutdown, SIGTERM));
  EXPECT_EQ(w.shutdown_requests(), 1u);

  ASSERT_EQ(::raise(SIGINT), 0);
  signals_run_until(io, got, 4);
  ASSERT_EQ(got.size(), 4u);
  EXPECT_EQ(got[3], std::make_pair(SignalAction::kForceExit, SIGINT));
}

TEST(SignalWatcher, CancelStopsDeliveryAndDestructionIsSafe) {
  boost::asio::io_context io;
  int calls = 0;
  {
    SignalWatcher w(io, [&](SignalAction, int) { ++calls; });
    w.cancel();
    w.cancel();  // idempotent
  }
  // The aborted wait completes after the watcher is gone: it must not touch it.
  io.run_for(std::chrono::milliseconds(20));
  EXPECT_EQ(calls, 0);
  // SIGPIPE stays ignored (sockets report EPIPE instead of killing the daemon).
  struct sigaction sa {};
  ASSERT_EQ(::sigaction(SIGPIPE, nullptr, &sa), 0);
  EXPECT_EQ(sa.sa_handler, SIG_IGN);
}

}  // namespace
}  // namespace bparb::app
