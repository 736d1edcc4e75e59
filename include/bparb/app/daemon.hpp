#pragma once
// The daemon: the thin shell around exec::ArbEngine. One io_context; in paper mode it also embeds
// bpsim (SimRuntime + SimServer on loopback) and talks to it over real sockets exactly as it would
// talk to Backpack.
#include <cstdint>
#include <optional>
#include <string>

#include "bparb/app/config.hpp"
#include "bparb/core/clock.hpp"
#include "bparb/portfolio/portfolio.hpp"

namespace bparb::app {

struct RunOptions {
  std::optional<DurationUs> duration;  // overrides [paper] duration; empty = config / until a signal
  // Start Active even if the journal says the last run ended ReduceOnly/Halted (`bparb run --resume`).
  bool resume_trading = false;
};

struct RunSummary {
  DurationUs ran_us = 0;
  StrategyStats stats;
  std::uint64_t orders_sent = 0;
  std::uint64_t orders_rejected = 0;
  std::uint64_t fills = 0;
  std::uint64_t hedges = 0;
  std::uint64_t leg_risk_failures = 0;
  std::uint64_t book_gaps = 0;
  std::uint64_t book_resyncs = 0;
  std::uint64_t ws_reconnects = 0;
  std::uint64_t malformed_frames = 0;
  std::string trading_state;
  // |spot + perp| of open positions at the perp mid, summed over pairs; the longest stretch above 1% of
  // strategy.position_size_usd (soak report).
  Decimal max_unhedged_usd;
  DurationUs longest_unhedged_us = 0;
  std::string journal_path;  // empty = journal disabled
  bool journal_healthy = true;
  // What the daemon holds per pair at exit, as it books it: the account's spot holding change is spot plus
  // the base written off as dust at closes, and its perp position is perp.
  struct Held {
    std::string pair;
    Decimal spot, perp, dust_written_off;
  };
  std::vector<Held> held;
  // A strategy that opens no basis position (the market maker) reports its own figures: `strategy_headline`
  // replaces the basis figures and the hedge and unhedged ones, `strategy_lines` follow the summary (the market
  // maker's "MM stats …" line per market). Both empty for a pair strategy.
  std::string strategy_headline;
  std::vector<std::string> strategy_lines;
  std::string to_string() const;
};

// Runs until the duration ends or SIGINT/SIGTERM, then stops opening, cancels resting orders and
// waits (bounded) for in-flight trades to settle. Throws std::runtime_error with an actionable
// message when start-up checks fail (nothing is traded then).
RunSummary run_daemon(const Config& cfg, const RunOptions& opts);

}  // namespace bparb::app

#include <ostream>
#include <span>
#include <vector>

namespace bparb::app {
// `bparb run --config FILE [--duration SECONDS]`: loads and validates FILE, starts logging, runs the
// daemon, prints the summary. Exit 0 on a clean stop, 2 on a bad config/usage, 1 when start-up checks fail.
int cmd_run(std::span<const std::string> args, std::ostream& out, std::ostream& err);
// `bparb xarb --ticker COIN --size QTY --long-threshold USD --short-threshold USD --max-position QTY [--config FILE]
// [--duration S]`: the seed bot's options as [strategy] kind = "cross_venue" and [xarb] over the rest of FILE
// (default config/paper-xvenue.toml), written to xarb-<COIN>.toml beside the log and run (xarb_command.cpp).
int cmd_xarb(std::span<const std::string> args, std::ostream& out, std::ostream& err);
}  // namespace bparb::app
