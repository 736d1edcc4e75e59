#pragma once
// The cross-venue strategy inside the backtest ([strategy] kind = "cross_venue"): CrossVenueStrategy runs in
// the engine exactly as the daemon wires it (one pair: Backpack's perp on leg 0, Lighter's on leg 1), and this
// object holds what the daemon's Lighter node holds: the second simulated venue (its own account, latency
// and matching against the recorded Lighter book), the routing of each leg's commands to its venue, and the
// venue state the strategy's gate reads (streams, Lighter's free margin), pushed on the engine's timer.
//
// Lighter's latency: the [backtest] network latency each way plus, for an order that takes liquidity, the
// account tier's taker delay (docs/backtest.md, "Cross-venue"): a Standard account's taker orders wait
// 300 ms at the venue, a Premium account's 200 ms. Private to src/backtest.
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "bparb/backtest/result.hpp"
#include "bparb/backtest/runner.hpp"
#include "bparb/backtest/sim_venue.hpp"
#include "bparb/core/clock.hpp"
#include "bparb/core/instrument.hpp"
#include "bparb/exec/arb_engine.hpp"
#include "bparb/strategy/cross_venue/cross_venue_strategy.hpp"

namespace bparb::backtest {

// The delay the venue puts on an account tier's taker orders.
DurationUs lighter_taker_delay_us(LighterFeeTier tier) noexcept;

class XarbReplay {
 public:
  // Adds Lighter's market to `instruments` (after Backpack's perp, which the runner added) and makes its
  // venue; `latency` is the [backtest] latency (Backpack's), drawn here from a generator of its own.
  // Throws std::invalid_argument for a setup the venue refuses.
  XarbReplay(const XarbSetup& setup, InstrumentTable& instruments, InstrumentId backpack, const ManualClock& clock,
             const VenueLatency& latency);

  CrossVenueStrategy& strategy() noexcept { return strategy_; }
  const CrossVenueStrategy& strategy() const noexcept { return strategy_; }
  InstrumentId lighter_instrument() const noexcept { return lighter_; }
  const MarketSpec& lighter_market() const noexcept { return *lighter_spec_; }
  SimVenue& venue() noexcept { return *venue_; }
  const SimVenue& venue() const noexcept { return *venue_; }

  // ---- the kernel's commands, each leg to its own venue (an entry's two legs leave at once)
  void place_orders(std::span<const exec::OrderSpec> specs, SimVenue& backpack);
  SimVenue& venue_of(InstrumentId instrument, SimVenue& backpack) noexcept {
    return instrument == lighter_ ? *venue_ : backpack;
  }

  // ---- the runtime's view pushed into the strategy and the engine (the daemon's node tick and account poll)
  void push_state(exec::ArbEngine& engine);
  void on_fill(const exec::OrderSpec& o) noexcept;

  // The cross-venue part of the result: the spreads (the pair's series), trades, the split and refusals.
  void finish(BacktestResult& result, const PairSeries& spreads) const;

 private:
  XarbSetup setup_;
  CrossVenueStrategy strategy_;
  InstrumentId backpack_ = 0;
  InstrumentId lighter_ = 0;
  const MarketSpec* lighter_spec_ = nullptr;
  DurationUs taker_delay_us_ = 0;
  std::unique_ptr<SimVenue> venue_;
  std::vector<exec::OrderSpec> backpack_orders_, lighter_orders_;  // one call's orders, cut per venue
  std::uint64_t fills_backpack_ = 0, fills_lighter_ = 0;
};

}  // namespace bparb::backtest
