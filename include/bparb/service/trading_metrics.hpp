#pragma once
// The figures of the order path the operator's /metrics shows (docs/service.md §Metrics): how long the venue
// takes to answer an order (sent -> ack), how long a book frame takes to become an order on the socket
// (tick -> order), fills and filled notional by liquidity, the last funding rate of each pair. The daemon's
// event sink records them as the events happen; the snapshot timer copies them (collect_metrics). Recording
// uses fixed tables only: no allocation, no lock, no formatting, so it may run per frame and per order.
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "bparb/core/client_id.hpp"
#include "bparb/core/clock.hpp"
#include "bparb/core/decimal.hpp"
#include "bparb/core/latency_histogram.hpp"
#include "bparb/core/market_spec.hpp"
#include "bparb/portfolio/portfolio.hpp"

namespace bparb::exec {
struct OrderSpec;
}

namespace bparb::service {

class TradingMetrics {
 public:
  // Orders awaiting their answer tracked at once, by client id modulo the table: more than the engine ever
  // has in flight (an entry is two legs, a hedge one). A slot reused before its answer came drops that
  // order's measurement (counted in ack_untracked()), never another order's.
  static constexpr std::size_t kInFlight = 64;
  static constexpr std::size_t kMarkets = 16;  // markets with fills (a pair is two)
  static constexpr std::size_t kPairs = 32;    // pairs with a funding rate

  enum Liquidity : std::uint8_t { kMaker = 0, kTaker = 1 };

  struct MarketFlow {
    const MarketSpec* market = nullptr;  // null = free slot
    std::array<std::uint64_t, 2> fills{};
    std::array<Decimal, 2> notional{};  // price * quantity in the quote asset, by Liquidity
  };

  // A book frame received at `received_us` (the local receive time the book was stamped with) is being
  // handled: the orders handed to the venue until tick_end() were decided on it.
  void tick_begin(TimestampUs received_us) noexcept { tick_received_us_ = received_us; }
  void tick_end() noexcept { tick_received_us_ = 0; }
  // The orders passed the journal's write-ahead and go to the venue's send path at `now`.
  void orders_handed(std::span<const exec::OrderSpec> orders, TimestampUs now) noexcept;
  // The batch `legs` (as handed) is on the socket at `now`: its tick -> order time, if a tick decided it.
  void orders_on_wire(std::span<const exec::OrderSpec> legs, TimestampUs now) noexcept;
  // One order's own transaction is on its way at `now` (a venue that sends each order alone: Lighter).
  void order_on_wire(ClientId id, TimestampUs now) noexcept;
  // The venue answered the order (accepted or rejected) at `now`: its sent -> ack time. `answered` false:
  // the outcome is unknown (a timeout): no answer came, nothing is recorded, the slot is freed.
  void order_answered(ClientId id, TimestampUs now, bool answered = true) noexcept;
  // A fill booked on `market` (stable for the run: the start-up table's spec).
  void fill(const MarketSpec* market, bool maker, Decimal quantity, Decimal price) noexcept;
  // The perp's last funding rate of the pair (from its mark price stream).
  void funding_rate(PairIndex pair, Decimal rate) noexcept;

  const LatencyHistogram& order_ack() const noexcept { return order_ack_; }
  const LatencyHistogram& tick_to_order() const noexcept { return tick_to_order_; }
  std::uint64_t ack_untracked() const noexcept { return ack_untracked_; }
  std::span<const MarketFlow> flows() const noexcept { return {flows_.data(), flow_count_}; }
  const Decimal* funding_rate(PairIndex pair) const noexcept {
    return pair < kPairs && funding_known_[pair] ? &funding_rates_[pair] : nullptr;
  }

 private:
  struct InFlight {
    ClientId id = 0;
    TimestampUs sent_us = 0;  // 0 = no answer awaited
    TimestampUs tick_us = 0;  // the deciding frame's receive time; 0 = not decided by a tick, or recorded
  };
  InFlight& slot(ClientId id) noexcept { return in_flight_[id % kInFlight]; }

  TimestampUs tick_received_us_ = 0;
  std::array<InFlight, kInFlight> in_flight_{};
  LatencyHistogram order_ack_, tick_to_order_;
  std::uint64_t ack_untracked_ = 0;
  std::array<MarketFlow, kMarkets> flows_{};
  std::size_t flow_count_ = 0;
  std::array<Decimal, kPairs> funding_rates_{};
  std::array<bool, kPairs> funding_known_{};
};

}  // namespace bparb::service
