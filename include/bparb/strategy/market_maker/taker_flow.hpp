#pragma once
// Which side the market maker quotes, from who is taking liquidity: the rolling-window buy vs sell
// TAKER notional, its ratio smoothed by an EMA, and a side choice with a minimum hold.
//
// Aggressive buyers lift asks, so a resting ask is where fills come from: the ask is chosen when the
// smoothed buy/sell ratio is >= side_switch_ratio, the bid when it is <= 1/side_switch_ratio, and the side
// is kept in between (and for at least min_side_hold after every change). Until the flow first decides,
// there is no side and nothing is quoted.
//
// Exactness: notional is counted in tick-lots (price_ticks x qty_lots, an integer proportional to the
// quote notional), so the window sums and the ratio's inputs are exact. The ratio and its EMA are Decimal
// at 1e-9, rounded half away from zero, the ratio clamped to [1/10, 10]: a one-sided window counts as ten to
// one, not infinite, so that one burst cannot pin the EMA for many trades (an EMA of a ratio is lopsided:
// buy-heavy values run to infinity, sell-heavy ones only to zero). Threshold comparisons are exact integer
// comparisons on those Decimals.
//
// Fixed capacity: the window is a ring sized at construction; once constructed nothing allocates. A
// window holding more trades than the ring drops the oldest early (counted by overflowed()).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "bparb/core/clock.hpp"
#include "bparb/core/decimal.hpp"
#include "bparb/core/types.hpp"

namespace bparb {

// One public trade as the trade stream reports it, in the market's integer units.
struct PublicTrade {
  TimestampUs at_us = 0;
  std::int64_t price_ticks = 0;
  std::int64_t qty_lots = 0;
  bool buyer_is_maker = false;  // true: the seller was the taker (a taker sell)
};

class TakerFlow {
 public:
  static constexpr std::size_t kDefaultCapacity = 4096;
  static constexpr std::int64_t kMaxRatio = 10;

  TakerFlow(DurationUs window_us, Decimal ema_alpha, Decimal switch_ratio, DurationUs min_hold_us,
            std::size_t capacity = kDefaultCapacity);

  // Trades must arrive in time order (a trade older than the newest is counted at the newest time).
  void on_trade(const PublicTrade& t) noexcept;
  // Drops trades older than the window and re-evaluates the side (the hold may have ended).
  void advance(TimestampUs now) noexcept;

  // kBid / kAsk once the flow has decided; nullopt before.
  std::optional<Side> side() const noexcept { return has_side_ ? std::optional<Side>(side_) : std::nullopt; }
  TimestampUs side_since_us() const noexcept { return side_since_; }
  std::uint64_t switches() const noexcept { return switches_; }

  std::int64_t buy_notional_tl() const noexcept { return buy_tl_; }  // taker buys in the window, tick-lots
  std::int64_t sell_notional_tl() const noexcept { return sell_tl_; }
  bool has_ratio() const noexcept { return has_ema_; }
  Decimal ratio_ema() const noexcept { return ema_; }
  std::size_t trades_in_window() const noexcept { return count_; }
  std::uint64_t overflowed() const noexcept { return overflowed_; }
  TimestampUs last_trade_us() const noexcept { return last_trade_; }

 private:
  struct Entry {
    TimestampUs at_us;
    std::int64_t notional_tl;
    bool taker_buy;
  };
  void pop_oldest() noexcept;
  void evict(TimestampUs now) noexcept;
  void choose_side(TimestampUs now) noexcept;

  std::vector<Entry> ring_;
  std::size_t head_ = 0;  // oldest entry
  std::size_t count_ = 0;
  DurationUs window_us_;
  Decimal alpha_;
  Decimal switch_ratio_;
  DurationUs min_hold_us_;
  std::int64_t buy_tl_ = 0;
  std::int64_t sell_tl_ = 0;
  Decimal ema_;
  bool has_ema_ = false;
  bool has_side_ = false;
  Side side_ = Side::kBid;
  TimestampUs side_since_ = 0;
  TimestampUs last_trade_ = 0;
  std::uint64_t switches_ = 0;
  std::uint64_t overflowed_ = 0;
};

}  // namespace bparb
