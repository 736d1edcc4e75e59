#pragma once
// The market maker inside the backtest ([strategy] kind = "market_maker"): one MmRunner per quoted perp on
// the engine's order entry, exactly as the daemon wires it (app/mm_node), fed by the replay runner with the
// recorded books and public trades, the simulated venue's equity and position, funding and the engine's
// timer. Its orders take the engine's path to the simulated venue, so they meet the venue's latency, the
// post-only check against the venue's book and the maker queue model (backtest/queue_model.hpp).
// Besides the runners' own stats it keeps what only a replay can draw: the markout curve over many horizons
// and the position and P&L over time (docs/backtest.md §2, §3). Private to src/backtest.
#include <cstddef>
#include <memory>
#include <string_view>
#include <vector>

#include "bparb/backtest/result.hpp"
#include "bparb/backtest/sim_venue.hpp"
#include "bparb/core/clock.hpp"
#include "bparb/core/decimal.hpp"
#include "bparb/core/instrument.hpp"
#include "bparb/exec/order_entry.hpp"
#include "bparb/strategy/market_maker/mm_params.hpp"
#include "bparb/strategy/market_maker/mm_runner.hpp"

namespace bparb::backtest {

class MmReplay final : public MmRunnerObserver {
 public:
  // The markout curve's horizons; 1 s, 5 s and 30 s are MmStats' own.
  static constexpr DurationUs kCurveHorizonsUs[] = {0,
                                                    100 * kUsPerMs,
                                                    250 * kUsPerMs,
                                                    500 * kUsPerMs,
                                                    1 * kUsPerSecond,
                                                    2 * kUsPerSecond,
                                                    5 * kUsPerSecond,
                                                    10 * kUsPerSecond,
                                                    30 * kUsPerSecond,
                                                    60 * kUsPerSecond};

  // `venue`: the simulated venue the engine's orders go to (its account, and the perps' mark and index).
  MmReplay(const MmParams& params, const InstrumentTable& instruments, exec::OrderEntry& entry, const Clock& clock,
           SimVenue& venue);
  ~MmReplay() override;

  // Start-up: quotes `perp` (an id of the engine's table) whose recorded book is `book`. Returns its index.
  std::size_t add(InstrumentId perp, const OrderBook& book);
  std::size_t size() const noexcept { return markets_.size(); }

  // ---- the recorded market (market i)
  // A book frame: the venue's mark and index follow the mid (set_marks: no spot here, so funding is modelled
  // as zero unless recorded markPrice frames give the rate), then the market maker sees it.
  void on_book(std::size_t i);
  void set_marks(std::size_t i);
  void on_trade(std::size_t i, TimestampUs at_us, Decimal price, Decimal quantity, bool buyer_is_maker);
  void on_reconnect(std::size_t i);
  // ---- the account poll: the equity, and the venue's positions when nothing is in flight between venue and
  // engine (a position crossing a fill still on its way would count that fill twice: the daemon drops such an
  // answer, app/mm_node). Returns the number of positions handed over.
  std::size_t on_account(Decimal equity);
  void on_funding(std::string_view symbol, Decimal amount);
  void on_timer();

  const MmRunner& runner(std::size_t i) const { return *markets_[i].runner; }
  std::string_view symbol(std::size_t i) const;

  // One point of the position and P&L series of every market; the P&L (all markets) as an equity point.
  EquityPoint sample(TimestampUs now);
  // The per-market results (stats, curve, series) into `r.market_maker`, and the totals: the fills marked to
  // the mid as spread capture, every fee, funding, the split's total as net P&L.
  void finish(BacktestResult& r) const;

  // ---- MmRunnerObserver
  void on_breaker_trip(InstrumentId instrument, const BreakerTrip& trip) noexcept override;
  void on_side_switch(InstrumentId, std::optional<Side>, Side, TimestampUs) noexcept override {}
  void on_fill(InstrumentId instrument, const MmFill& f, ClientId client_id,
               std::int64_t position_lots) noexcept override;

 private:
  struct Fill {
    TimestampUs at_us = 0;
    Decimal signed_qty;
    Decimal price;
    Decimal v0;  // value at the mid at fill
  };
  static constexpr std::size_t kHorizons = sizeof(kCurveHorizonsUs) / sizeof(kCurveHorizonsUs[0]);
  struct Market {
    InstrumentId id = kNoInstrument;
    const OrderBook* book = nullptr;
    std::unique_ptr<MmRunner> runner;
    std::vector<Fill> fills;             // quote fills, time order
    std::size_t cursor[kHorizons] = {};  // first fill not yet resolved at horizon h
    Decimal resolved[kHorizons];         // sum of V(mid at horizon) - V0 over resolved fills
    Decimal last_mid;
    Decimal mark;       // the mid last given to the venue as mark and index
    Decimal fees_paid;  // every fee of ours (quotes and hedges), positive paid
    std::uint64_t trips = 0;
    std::vector<MmInventoryPoint> series;
  };
  Market* market_of(InstrumentId id) noexcept;

  MmParams params_;
  const InstrumentTable& instruments_;
  exec::OrderEntry& entry_;
  const Clock& clock_;
  SimVenue& venue_;
  std::vector<Market> markets_;
};

}  // namespace bparb::backtest
