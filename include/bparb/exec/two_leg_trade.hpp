#pragma once
// The two-leg trade executor: one trade of two orders' worth of exposure on two markets (one or two
// venues), driven until the account is delta-neutral again within one step.
//
// It knows nothing of why the trade exists. Its owner hands it the two legs (market, book, the order flags
// the venue wants per side), the targets and the first orders it has already checked with the risk gate;
// the executor tracks them in the OMS and from then on owns the trade: fills and settlements feed its
// LegRisk, maker legs are re-priced when the touch moves and sent as taker (or cancelled) at the maker
// timeout or as soon as a naked leg is worth more than max_unhedged_usd, LegRisk's complete/unwind
// decisions become taker IOC orders, and a hedge deadline passed with exposure open moves the risk gate
// to ReduceOnly. The two first orders are never assumed atomic: each is tracked, acknowledged, filled and
// settled on its own; sending them in one call only lets an adapter batch them.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>

#include "bparb/book/order_book.hpp"
#include "bparb/core/clock.hpp"
#include "bparb/core/decimal.hpp"
#include "bparb/core/instrument.hpp"
#include "bparb/core/market_spec.hpp"
#include "bparb/core/types.hpp"
#include "bparb/core/venue.hpp"
#include "bparb/exec/leg_risk.hpp"
#include "bparb/oms/order_manager.hpp"
#include "bparb/risk/risk_gate.hpp"
#include "bparb/strategy/basis.hpp"
#include "bparb/strategy/strategy.hpp"

namespace bparb::exec {

struct OrderSpec;
struct EngineParams;
class CommandSink;
class EngineObserver;

struct TradeLeg {
  VenueId venue = VenueId::kBackpack;
  InstrumentId instrument = kNoInstrument;
  const MarketSpec* market = nullptr;  // the instrument's market
  const OrderBook* book = nullptr;
  // Taker prices on this leg go at most this fraction beyond the worst level the quantity walks.
  Decimal slippage_buffer;
  // The leg's venue supports reduce-only: unwinds (and every order of an exit trade) carry it, so a hedge
  // can never flip the position.
  bool reduce_only_unwinds = false;
  LegOrderFlags on_buy;
  LegOrderFlags on_sell;
  // The owner's last good mid of this market, refreshed here when the book has one (a one-sided book
  // keeps the previous value): what a naked quantity is valued at.
  Decimal* last_mark = nullptr;
};

// A taker IOC limit for `qty` on `leg`: the worst price the quantity walks to (or the opposite touch),
// moved by the leg's slippage buffer in the order's favour-limiting direction and rounded to the tick
// away from crossing it. Zero when the book cannot price it.
Decimal taker_price(const TradeLeg& leg, Side side, Decimal qty) noexcept;

// The OMS owner tag of an order: routes the order's events back to its trade and leg and rebuilds its
// OrderSpec (bits 0-31 owner index, 32-39 leg, 40-47 purpose, 48-51 flags).
inline std::uint32_t trade_owner_of(const oms::Order& o) noexcept {
  return static_cast<std::uint32_t>(o.owner() & 0xffff'ffffu);
}
inline LegIndex trade_leg_of(const oms::Order& o) noexcept {
  return static_cast<LegIndex>((o.owner() >> 32) & 0xffu);
}
OrderSpec order_spec_of(const oms::Order& o) noexcept;

struct TradeStart {
  bool exit = false;  // an exit trade: reduce-only legs carry reduce-only on every order
  ExecutionPlan plan = ExecutionPlan::kTaker;
  std::array<TradeLeg, 2> legs;
  std::array<LegTarget, 2> targets;
  // The signed base exposure before this trade (an exit starts from the entry's sub-step residual).
  Decimal initial_delta;
  std::size_t valuation_leg = 1;  // the leg whose mark values a naked quantity against max_unhedged_usd
  // An entry of two taker orders may go one leg first (strategy.hpp): the other leg's order follows that leg's
  // fills, and the first leg's live orders are cancelled `first_leg_timeout_us` after the start.
  LegSequence sequence = LegSequence::kTogether;
  DurationUs first_leg_timeout_us = 0;
};

class TwoLegTrade {
 public:
  TwoLegTrade(std::uint32_t owner, const EngineParams& params, oms::OrderManager& oms, RiskGate& risk,
              CommandSink& commands, EngineObserver& observer) noexcept;

  bool active() const noexcept { return active_; }
  bool is_exit() const noexcept { return exit_; }

  // Tracks `orders` (one or two; pair, leg, side, price, quantity, type and reduce-only already set; the
  // legs' flags are added here) in the OMS and starts the trade. False, with nothing tracked, when the
  // order table is full. The orders are sent by launch(), so the owner can report in between.
  bool start(const TradeStart& start, OrderSpec* orders, std::size_t n, TimestampUs now) noexcept;
  void launch() noexcept;

  // Order events of this trade's orders.
  void on_fill(LegIndex leg, Side side, Decimal held_quantity) noexcept;
  void on_definitive_reject(LegIndex leg) noexcept;
  void on_settled(oms::Order& o, TimestampUs now) noexcept;
  // Maker maintenance and LegRisk. True once the trade is neutral again: it is then no longer active.
  bool drive(TimestampUs now) noexcept;
  // After a reported failure with nothing live: a new hedge window (keep trying to neutralize).
  void on_timer(TimestampUs now) noexcept;
  // SIGHUP reload: the legs' slippage buffers follow the new parameters.
  void set_slippage_buffers(Decimal leg0, Decimal leg1) noexcept;

 private:
  void maker_maintenance(TimestampUs now) noexcept;
  bool unhedged_beyond_limit(Decimal net_delta) noexcept;
  bool naked_behind_refused_cancels() const noexcept;
  bool send_hedge(const LegRiskDecision& d, TimestampUs now) noexcept;
  // A sequential entry: the second leg's order for what the first has filled and it has not sent yet; the first
  // leg's cancel past its timeout; done once the first leg is settled.
  void follow_first_leg(TimestampUs now) noexcept;
  // Taker orders of this trade acknowledged and not ended after query_unknown_after: cancelled.
  void cancel_stalled_takers(TimestampUs now) noexcept;
  void apply_flags(OrderSpec& o) const noexcept;
  oms::Order* track(const OrderSpec& spec, TimestampUs now) noexcept;

  std::uint32_t owner_;
  const EngineParams* params_;
  oms::OrderManager& oms_;
  RiskGate& risk_;
  CommandSink& commands_;
  EngineObserver& observer_;

  bool active_ = false;
  bool exit_ = false;
  ExecutionPlan plan_ = ExecutionPlan::kTaker;
  TimestampUs maker_deadline_us_ = 0;
  bool maker_timed_out_ = false;
  TimestampUs naked_since_us_ = 0;  // maker plan: when one leg's fills got ahead of the other's by > a step
  bool failure_reported_ = false;
  std::size_t valuation_leg_ = 1;
  std::array<TradeLeg, 2> legs_{};
  std::array<LegTarget, 2> targets_{};
  std::optional<LegRisk> leg_risk_;
  const OrderSpec* pending_ = nullptr;  // the first orders, between start() and launch()
  std::size_t pending_n_ = 0;
  // A sequential entry's second leg: planned side and limit, what it has sent, the first leg's deadline.
  bool follower_waiting_ = false;
  LegIndex follower_leg_ = LegIndex::kPerp;
  Side follower_side_ = Side::kBid;
  Decimal follower_price_;
  Decimal follower_sent_;
  TimestampUs first_leg_deadline_us_ = 0;
  bool first_leg_cancelled_ = false;
};

}  // namespace bparb::exec
