#pragma once
// bpsim (runtime + server) on its own thread and io_context, for tests that drive our clients or the
// daemon over real loopback sockets from the test thread.
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <thread>

#include "bparb/sim/backpack/server.hpp"
#include "bparb/sim/sim_config.hpp"
#include "bparb/sim/sim_runtime.hpp"

namespace bparb::testing {

struct SimThread {
  boost::asio::io_context io;
  std::unique_ptr<sim::SimRuntime> rt;
  std::unique_ptr<sim::SimServer> srv;
  std::thread th;
  bool stopped = false;

  explicit SimThread(sim::SimConfig sc) {
    rt = std::make_unique<sim::SimRuntime>(io, std::move(sc));
    srv = std::make_unique<sim::SimServer>(io, *rt, rt->config().server);
    srv->start();
    rt->start();
    th = std::thread([this] { io.run(); });
  }
  ~SimThread() { stop(); }

  // Runs `f` on the simulator's thread after `delay`.
  void at(std::chrono::milliseconds delay, std::function<void()> f) {
    auto t = std::make_shared<boost::asio::steady_timer>(io, delay);
    t->async_wait([t, f = std::move(f)](const boost::system::error_code& ec) {
      if (!ec) f();
    });
  }
  // Polls `pred` on the simulator's thread every `every` and runs `f` once, the first time it holds:
  // scenario steps that depend on what the client did, not on wall-clock guesses.
  void when(std::function<bool()> pred, std::function<void()> f,
            std::chrono::milliseconds every = std::chrono::milliseconds(100)) {
    auto t = std::make_shared<boost::asio::steady_timer>(io, every);
    auto tick = std::make_shared<std::function<void()>>();
    *tick = [this, t, tick, pred = std::move(pred), f = std::move(f), every]() mutable {
      t->async_wait([this, t, tick, &pred, &f, every](const boost::system::error_code& ec) {
        if (ec) return;
        if (pred()) {
          f();
          *tick = nullptr;  // break the self-reference
          return;
        }
        t->expires_after(every);
        (*tick)();
      });
    };
    (*tick)();
  }

  // Runs `f` on the simulator's thread and waits for its result.
  template <class F>
  auto call(F f) -> decltype(f()) {
    std::packaged_task<decltype(f())()> task(std::move(f));
    auto fut = task.get_future();
    boost::asio::post(io, [&task] { task(); });
    return fut.get();
  }
  void stop() {
    if (stopped) return;
    stopped = true;
    boost::asio::post(io, [this] {
      srv->stop();
      rt->stop();
      // A when() whose condition never held keeps re-arming its timer: stop the loop outright so a
      // failed scenario ends instead of hanging the test binary.
      io.stop();
    });
    th.join();
  }
};

}  // namespace bparb::testing
