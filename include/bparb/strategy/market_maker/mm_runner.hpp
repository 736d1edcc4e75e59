#pragma once
// The market maker of one market on the kernel's order entry: it owns a MarketMakerCore and its MmStats,
// feeds the core the market data and account numbers it is given, carries out each decision through
// exec::OrderEntry (place -> post-only GTC, cancel -> cancel by client id, hedge -> reduce-only IOC) and
// turns the kernel's SingleOrderEvents back into the core's quote and hedge events. docs/market_maker.md
// ("On the kernel") says how the pieces connect.
//
// A quote or hedge counts as gone only when the kernel settles it (terminal and every fill booked): a venue
// may report an order filled or cancelled before its fills arrive, and a new quote placed in between would
// be sized on a position that is about to move.
//
// No allocation, no exceptions and no log formatting on the event path: the owner logs what the
// MmRunnerObserver hands out (one call per breaker trip and per side switch of the taker flow).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "bparb/core/clock.hpp"
#include "bparb/core/decimal.hpp"
#include "bparb/core/instrument.hpp"
#include "bparb/exec/order_entry.hpp"
#include "bparb/strategy/market_maker/market_maker_core.hpp"
#include "bparb/strategy/market_maker/mm_stats.hpp"

namespace bparb {

class OrderBook;

// Log-worthy moments of one market's maker. Called from inside the runner's event handlers: copy what is
// needed, do not call back into the runner.
class MmRunnerObserver {
 public:
  virtual ~MmRunnerObserver() = default;
  virtual void on_breaker_trip(InstrumentId instrument, const BreakerTrip& trip) noexcept = 0;
  // The taker flow chose a side (`from` is empty at the first choice).
  virtual void on_side_switch(InstrumentId instrument, std::optional<Side> from, Side to, TimestampUs now) noexcept = 0;
  // A decision reached the order entry and was sent: a place or a hedge with the client id it got, a cancel
  // of `d.client_id`. Refused commands are not reported here (the counters have them).
  virtual void on_sent(InstrumentId instrument, const MmDecision& d, ClientId client_id, TimestampUs now) noexcept {
    (void)instrument, (void)d, (void)client_id, (void)now;
  }
  // One fill of our quote or hedge, as booked into the stats; `position_lots` is the core's position after it.
  virtual void on_fill(InstrumentId instrument, const MmFill& f, ClientId client_id,
                       std::int64_t position_lots) noexcept {
    (void)instrument, (void)f, (void)client_id, (void)position_lots;
  }
};

// What the runner did, for status and tests.
struct MmRunnerCounters {
  std::uint64_t places = 0;    // post-only quotes sent
  std::uint64_t cancels = 0;   // cancels sent
  std::uint64_t hedges = 0;    // reduce-only IOCs sent
  std::uint64_t refusals = 0;  // commands order entry refused before sending (risk gate, checks)
  exec::EntryRefusal last_refusal = exec::EntryRefusal::kNone;
  std::uint64_t foreign_events = 0;  // events for an order this runner does not know (ignored)
};

class MmRunner final : public exec::SingleOrderHandler {
 public:
  // Start-up: registers itself as an owner with `entry` (allocates; throws like OrderEntry::add_owner)
  // and builds the core (throws std::invalid_argument on bad parameters). `instrument` must be a perp of
  // the instruments table the order entry uses; `observer` may be null. The order entry keeps a pointer to
  // the runner: it must not deliver events after the runner is gone (build the runner after the engine).
  MmRunner(const MmParams& params, const InstrumentTable& instruments, InstrumentId instrument, exec::OrderEntry& entry,
           const Clock& clock, MmRunnerObserver* observer = nullptr,
           std::size_t stats_capacity = MmStats::kDefaultPending);

  // ---- Market data (each one ends by letting the core decide)
  void on_book(const OrderBook& book) noexcept;  // every book frame of this instrument
  void on_trade(const PublicTrade& trade) noexcept;
  // A public trade as the venue's stream gives it (price and quantity in the market's units; Backpack's
  // `m`: the buyer was the maker, so the seller took). Off-tick or off-step values round to the nearest.
  void on_trade(TimestampUs at_us, Decimal price, Decimal quantity, bool buyer_is_maker) noexcept;
  void on_reconnect() noexcept;  // the public feed reconnected (a book turning invalid is seen in on_book)

  // ---- Account
  void on_equity(Decimal equity_usd) noexcept;
  void flatten() noexcept;  // shutdown with flatten_on_stop: MarketMakerCore::flatten, then a decision
  void on_position(Decimal signed_quantity) noexcept;  // the venue's position (+ long), base units
  void on_funding(Decimal amount) noexcept;            // signed as credited
  void on_rate_limited() noexcept;                     // a 429 on this account

  // ---- Time passing without events (stale book / trade breakers, quote age)
  void on_timer() noexcept;

  // ---- Live parameters (SIGHUP). Start-up-like: validates (throws std::invalid_argument listing every
  // problem) and allocates. Returns the keys whose new value was NOT applied (they shape structures the core
  // builds once; they take effect at the next start).
  std::vector<std::string> set_params(const MmParams& next);

  // ---- The kernel's answers for our orders
  void on_single_order_event(const exec::SingleOrderEvent& e) noexcept override;

  const MarketMakerCore& core() const noexcept { return core_; }
  const MmStats& stats() const noexcept { return stats_; }
  const MmRunnerCounters& counters() const noexcept { return counters_; }
  // Why the core's last decision sent nothing (kNone while it had nothing to change): "why no quote".
  MmReason idle_reason() const noexcept { return idle_reason_; }
  InstrumentId instrument() const noexcept { return instrument_; }
  exec::OrderOwner owner() const noexcept { return owner_; }

 private:
  // What an order of ours is, and how it ended (kept until it settles).
  struct Tracked {
    ClientId id = 0;
    bool ended = false;
    QuoteEnd end = QuoteEnd::kCancelled;
    bool rate_limited = false;
  };

  void drive(TimestampUs now) noexcept;
  bool carry_out(const MmDecision& d, TimestampUs now) noexcept;  // false: refused, stop deciding
  void after_events(TimestampUs now) noexcept;                    // observer, stats presence
  void on_quote_event(const exec::SingleOrderEvent& e, TimestampUs now) noexcept;
  void on_hedge_event(const exec::SingleOrderEvent& e, TimestampUs now) noexcept;
  void book_fill(const exec::SingleOrderEvent& e, bool hedge, TimestampUs now) noexcept;
  std::int64_t lots_of(Decimal quantity) const noexcept;

  const MarketSpec& market_;
  InstrumentId instrument_;
  exec::OrderEntry& entry_;
  const Clock& clock_;
  MmRunnerObserver* observer_;
  MarketMakerCore core_;
  MmStats stats_;
  exec::OrderOwner owner_ = 0;

  Tracked quote_;            // the core's quote (one at a time, by construction)
  Tracked hedge_;            // the core's hedge (one at a time: the core waits for the previous one)
  Decimal mid_;              // the latest mid, for fills' markouts
  bool book_valid_ = false;  // the last book frame's validity (valid -> invalid is a resync)
  std::uint64_t trips_seen_ = 0;
  std::optional<Side> flow_side_;
  MmRunnerCounters counters_;
  MmReason idle_reason_ = MmReason::kNone;
};

}  // namespace bparb
