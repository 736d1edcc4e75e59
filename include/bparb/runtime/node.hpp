#pragma once
// A trading node's life once start-up checks passed: the engine timer (every tick: the engine's timer, the
// unhedged-exposure record, and during a shutdown the check whether it may end), the graceful shutdown (stop
// opening, optionally flatten, cancel what rests) and its end (one bounded last reconciliation, the final
// stats line, then the caller's stop). Options come from the application; reload may change them.
#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "bparb/core/client_id.hpp"
#include "bparb/core/clock.hpp"
#include "bparb/core/decimal.hpp"
#include "bparb/exec/arb_engine.hpp"
#include "bparb/portfolio/portfolio.hpp"
#include "bparb/risk/risk_gate.hpp"
#include "bparb/runtime/journal_writer.hpp"
#include "bparb/runtime/log_lines.hpp"
#include "bparb/runtime/operator.hpp"
#include "bparb/runtime/reconciler.hpp"
#include "bparb/runtime/recovery.hpp"

namespace bparb::runtime {

struct NodeOptions {
  DurationUs tick_us = 0;                // the engine timer's period
  DurationUs shutdown_timeout_us = 0;    // how long a shutdown waits for trades (and the flatten) to settle
  bool flatten_on_shutdown = false;      // close open positions on shutdown instead of leaving them hedged
  DurationUs final_pass_timeout_us = 0;  // bound of the last reconciliation before the end
  Decimal unhedged_threshold_usd;        // unhedged exposure above this counts toward the longest stretch
};

// What the node needs of the composition root besides the trading objects.
struct NodeHooks {
  // Cancels the live orders at shutdown: one cancel-all per instrument through its venue's adapter.
  std::function<void(std::span<const exec::LiveOrder> live)> cancel_orders;
  std::function<Decimal(const MarketSpec& perp)> mark;  // the perp's current mark (zero when unknown)
  std::function<void()> stop;                           // ends the run (closes connections, stops the loop)
  // Optional: a single-order strategy beside the engine's pairs (the market maker). `tick` runs every engine
  // tick after the engine's timer; `idle` says it has nothing resting or in flight (a shutdown waits for it
  // like for the pairs' trades). Unset = none.
  std::function<void(TimestampUs now)> tick;
  std::function<bool()> idle;
  // Optional, for such a strategy: what the shutdown line says becomes of its positions (in place of the
  // pairs' "open positions stay hedged"), and its stats lines printed at the end in place of the pairs'
  // "Strategy stats" line.
  std::function<std::string()> shutdown_positions;
  std::function<std::vector<std::string>()> stats_lines;
};

class Node {
 public:
  Node(boost::asio::io_context& io, std::shared_ptr<spdlog::logger> log, const Clock& clock, RiskGate& risk,
       const LogLines& lines, JournalWriter& journal, ServiceNotice& service, const NodeOptions& options);

  void set_options(const NodeOptions& options) noexcept { options_ = options; }

  // Trading begins: the engine timer runs from here on.
  void start(exec::ArbEngine& engine, Portfolio& portfolio, Reconciler& reconciler, std::vector<PairRef> pairs,
             NodeHooks hooks);
  bool started() const noexcept { return engine_ != nullptr; }

  // Stops opening, closes positions if flatten_on_shutdown, cancels resting orders; the engine timer ends the
  // run once the engine is idle (and flat, when flattening) or shutdown_timeout_us has passed. Only after
  // start(); once.
  void begin_shutdown(const char* why);
  bool shutting_down() const noexcept { return shutting_down_; }

  void cancel() noexcept;  // stops the engine timer (the run ends)

  // Unhedged exposure = |spot qty + perp qty| at the perp's mark, summed over pairs, sampled every tick.
  Decimal max_unhedged_usd() const noexcept { return max_unhedged_usd_; }
  DurationUs longest_unhedged_us() const noexcept { return longest_unhedged_us_; }
  // Start of the current stretch above the threshold; 0 = none (the naked-leg alert watches it).
  TimestampUs unhedged_since_us() const noexcept { return unhedged_since_us_; }

 private:
  void arm_timer();
  void track_unhedged(TimestampUs now);
  bool any_open() const noexcept;
  void finish();
  void finish_now();

  std::shared_ptr<spdlog::logger> log_;
  const Clock& clock_;
  RiskGate& risk_;
  const LogLines& lines_;
  JournalWriter& journal_;
  ServiceNotice& service_;
  NodeOptions options_;
  boost::asio::steady_timer timer_, final_timer_;
  exec::ArbEngine* engine_ = nullptr;
  Portfolio* portfolio_ = nullptr;
  Reconciler* reconciler_ = nullptr;
  std::vector<PairRef> pairs_;
  NodeHooks hooks_;
  bool shutting_down_ = false, flatten_ = false, finishing_ = false, finished_ = false;
  TimestampUs shutdown_deadline_us_ = 0;
  Decimal max_unhedged_usd_;
  DurationUs longest_unhedged_us_ = 0;
  TimestampUs unhedged_since_us_ = 0;
};

}  // namespace bparb::runtime
