#pragma once
// READY=1 only once the node can trade: the daemon starts the gate after start-up recovery, and the gate
// waits until every traded order book is synced (snapshot loaded, deltas in sequence) before it tells
// systemd. Until then STATUS= says how many books are synced, so `systemctl status` shows what start-up
// waits for; TimeoutStartSec bounds the wait. A book lost later (a gap, a reconnect) does not withdraw
// READY: the engine already refuses to trade on an invalid book, and the status line reports it.
#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "bparb/app/service.hpp"
#include "bparb/core/clock.hpp"

namespace bparb::app {

class ReadyAfterBookSync {
 public:
  // How often the books are looked at while waiting (off the hot path: a timer on the loop, stopped once ready).
  static constexpr DurationUs kPollUs = 20 * kUsPerMs;

  ReadyAfterBookSync(boost::asio::io_context& io, std::shared_ptr<spdlog::logger> log, ServiceNotifier& svc);

  // `synced()` returns how many of the `total` books are valid now; `ready_status()` the STATUS= text sent
  // with READY=1. Looks at once, then every kPollUs until all are synced; then READY=1 and one log line.
  void start(std::size_t total, std::function<std::size_t()> synced, std::function<std::string()> ready_status);
  void cancel() noexcept;  // the run ends before the books synced: no READY=1
  bool ready() const noexcept { return ready_; }

 private:
  void check();

  std::shared_ptr<spdlog::logger> log_;
  ServiceNotifier& svc_;
  boost::asio::steady_timer timer_;
  std::size_t total_ = 0;
  std::size_t last_synced_ = static_cast<std::size_t>(-1);
  std::function<std::size_t()> synced_;
  std::function<std::string()> ready_status_;
  bool ready_ = false;
};

}  // namespace bparb::app
