#pragma once
// The Lighter client against bpsim's simulated Lighter on loopback: the sim fixture (ETH perp market 0,
// ETH/USDC spot 2048, accounts 1001 and 1002 with API key 4, a ManualClock as the wall clock), a
// LighterServer and the client on ONE io_context driven by the test thread.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <memory>

#include "../../sim/lighter/sim_lighter_test_util.hpp"
#include "bparb/sim/lighter/server.hpp"

namespace bparb::lighter::testing {

using sim::lighter::testing::D;
using sim::lighter::testing::Fixture;
using sim::lighter::testing::kAlice;
using sim::lighter::testing::kBob;
using sim::lighter::testing::kKey;

struct Loopback {
  Fixture f;
  boost::asio::io_context io;
  std::unique_ptr<sim::lighter::LighterServer> server;

  Loopback() {
    server = std::make_unique<sim::lighter::LighterServer>(io, *f.ex, f.clock, f.rules);
    server->start();
  }
  ~Loopback() {
    server->stop();
    io.restart();
    io.poll();
  }

  // Runs the io_context until `done()` holds. The deadline only keeps a broken test from hanging: no
  // assertion depends on how long anything took.
  template <class Pred>
  bool run_until(Pred done) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (!done()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      io.restart();
      io.run_one_for(std::chrono::milliseconds(20));
    }
    return true;
  }
  // Runs whatever is ready for a moment (lets a reply that must NOT come have its chance).
  void settle(int rounds = 20) {
    for (int i = 0; i < rounds; ++i) {
      io.restart();
      io.run_for(std::chrono::milliseconds(5));
    }
  }
};

}  // namespace bparb::lighter::testing
