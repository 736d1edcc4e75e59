#pragma once
// The market maker in the daemon ([strategy] kind = "market_maker"): one MmRunner per perp of [mm] markets on
// the engine's OrderEntry, fed by the Backpack feed (book frames and public trades), by its own account poll
// (equity and the venue's position of each perp) and by the engine's timer. Fills reach the runners only
// from the private order stream, through the same adapter -> journal -> engine path as the basis strategy's
// fills (NodeEvents), so each is journaled once. docs/market_maker.md ("In the daemon") describes it.
//
// Log lines (greppable, one per moment): side switches, quotes placed / replaced / cancelled, breaker trips
// with their numbers, fills and hedges, and a periodic "MM stats" line per market. They are written from a
// handler posted to the loop with the numbers copied, never inside the engine's call that decided them.
#include <spdlog/spdlog.h>

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "bparb/alerts/alerter.hpp"
#include "bparb/core/clock.hpp"
#include "bparb/core/instrument.hpp"
#include "bparb/exec/order_entry.hpp"
#include "bparb/exec/venue_reports.hpp"
#include "bparb/service/snapshot.hpp"
#include "bparb/strategy/market_maker/mm_runner.hpp"
#include "bparb/venue/backpack/venue.hpp"

namespace bparb::app {

inline constexpr std::size_t kMmBreakerKinds = static_cast<std::size_t>(MmBreaker::kRateLimited) + 1;

struct MmNodeOptions {
  MmParams params;
  DurationUs account_poll_us = 0;  // equity and positions of the quoted perps
  DurationUs stats_us = 0;         // the "MM stats" line
  bool flatten_on_stop = false;    // [mm] flatten_on_stop: stop() flattens each perp's position
};

class MmNode final : public MmRunnerObserver {
 public:
  // Builds one runner per instrument of `perps` (perps of `instruments`) on `entry` and registers each
  // perp's feed book with it. Throws like MmRunner (bad parameters, too many owners). A perp the selector
  // picks later is added to `instruments` (apply_pick), so the table is the daemon's own.
  MmNode(boost::asio::io_context& io, std::shared_ptr<spdlog::logger> log, const Clock& clock,
         InstrumentTable& instruments, std::span<const InstrumentId> perps, exec::OrderEntry& entry,
         backpack::BackpackVenue& venue, exec::ReconciliationVenue& account, MmNodeOptions opts);
  ~MmNode() override;

  // Subscribes the perps' books and public trades, listens for reconnects and starts the account poll.
  void start();
  // A book frame of `instrument` (the feed's book-update hook for instruments outside the pairs).
  void on_book(InstrumentId instrument) noexcept;
  // Every engine tick: breakers and quote age need time to pass; the stats line when due.
  void on_tick(TimestampUs now) noexcept;
  // Shutdown: every quote is cancelled through the order entry and nothing is quoted again.
  void stop() noexcept;
  // Nothing of ours rests or is in flight (a shutdown waits for it).
  bool idle() const noexcept;
  bool owns(InstrumentId instrument) const noexcept;
  // SIGHUP: the live keys of `next` apply at once; the log names those that wait for a restart.
  void reload(const MmParams& next);
  // The market selector's pick on SIGHUP (`listed`: the venue's markets it ranked): a quoted market it no
  // longer picks has its quote pulled and quotes nothing (its position is kept) until a later pick names it
  // again; a perp picked that is not quoted yet gets its instrument, book and trade streams and a runner, and
  // quotes once its book is valid and an account poll gave its position and the equity. One log line for
  // each change. Returns the picked symbols that could not be added (the log line says why).
  std::vector<std::string> apply_pick(const std::vector<std::string>& picked, std::span<const MarketSpec> listed);
  void cancel() noexcept;  // stops the poll timer (the loop is ending)
  // The operator's alerts (docs/alerts.md: mm_breaker, mm_hedge, mm_inventory_cap, mm_quotes_stopped); null = none.
  void set_alerter(alerts::Alerter* a) noexcept { alerter_ = a; }

  // One "MM stats …" text per market (the periodic line and the exit summary).
  std::vector<std::string> stats_lines() const;
  // What a shutdown does to the market maker's markets, for the shutdown line ("quotes pulled; positions
  // stay open, not hedged: SOL_USDC_PERP 0.4").
  std::string shutdown_words() const;
  // The service status ("market making SOL_USDC_PERP: position -0.02, P&L -0.0274 USD").
  std::string status_words() const;
  // Every market's figures for the operator's status and metrics (the snapshot timer; allocates).
  void collect(std::vector<service::MmMarketView>& out, TimestampUs now) const;
  // A funding payment the venue settled on `symbol` (booked into that market's P&L; others are ignored).
  void on_funding(std::string_view symbol, Decimal amount);

  // ---- MmRunnerObserver (inside the runner's calls: numbers are copied, the text is made later)
  void on_breaker_trip(InstrumentId instrument, const BreakerTrip& trip) noexcept override;
  void on_side_switch(InstrumentId instrument, std::optional<Side> from, Side to, TimestampUs now) noexcept override;
  void on_sent(InstrumentId instrument, const MmDecision& d, ClientId client_id, TimestampUs now) noexcept override;
  void on_fill(InstrumentId instrument, const MmFill& f, ClientId client_id,
               std::int64_t position_lots) noexcept override;

 private:
  struct Market {
    InstrumentId id = kNoInstrument;
    const MarketSpec* spec = nullptr;
    const OrderBook* book = nullptr;
    std::unique_ptr<MmRunner> runner;
    ClientId cancelled_id = 0;  // the last quote cancelled for a requote (a place that follows replaces it)
    MmReason cancelled_why = MmReason::kNone;
    std::array<std::uint64_t, kMmBreakerKinds> trips{};  // breaker trips by MmBreaker
    MmReason idle_seen = MmReason::kNone;                // the runner's idle reason at the last tick
    bool at_cap_seen = false;                            // the position was at or over the cap at the last tick
    bool picked = true;  // false: the market selector no longer picks it (nothing quoted, apply_pick)
    // Added on SIGHUP: no equity reaches it before an account poll gave its position (a position held from an
    // earlier run counts against the cap from the first quote).
    bool position_known = true;
  };
  Market* market(InstrumentId instrument) noexcept;
  // A perp the selector picked on SIGHUP: false (and a log line) when it cannot be quoted in this run.
  bool add_market(const std::string& symbol, std::span<const MarketSpec> listed);
  void add_streams(Market& m);
  const Market* market(InstrumentId instrument) const noexcept;
  std::string stats_line(const Market& m) const;
  std::string total_stats_line() const;                       // several markets: their sums
  void on_idle_reason(Market& m, MmReason now_why) noexcept;  // alerts when quoting stops
  void on_cap_reached(const Market& m) noexcept;              // alerts when the position reaches the cap
  void poll();
  void schedule_poll();

  boost::asio::io_context& io_;
  std::shared_ptr<spdlog::logger> log_;
  const Clock& clock_;
  InstrumentTable& instruments_;
  exec::OrderEntry& entry_;
  backpack::BackpackVenue& venue_;
  exec::ReconciliationVenue& account_;
  MmNodeOptions opts_;
  std::vector<Market> markets_;
  boost::asio::steady_timer poll_timer_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // poll answers may come after the node is gone
  bool stopped_ = false;
  bool equity_known_ = false;  // the last equity poll gave a positive equity: the cap means something
  bool connected_once_ = false;
  TimestampUs next_stats_us_ = 0;
  alerts::Alerter* alerter_ = nullptr;
};

}  // namespace bparb::app
