#pragma once
// What a strategy is to the engine. The engine owns the orders, the risk gate, the portfolio and the
// two-leg trade executors; a strategy owns only its decisions. The engine calls it when a book of a
// pair changed, when funding or the account changed, and on its timer; the strategy answers with a
// decision: open a two-leg trade (the two first orders, the plan, the quote that justified it), close the
// pair's position (with the reason), or nothing. The engine checks the orders with the risk gate, hands
// them to the pair's executor and tells the strategy when the trade is over.
//
// Pairs are indexed as the engine registered them; leg 0 and leg 1 are the pair's two markets in the
// order the engine was given them. Nothing here allocates after start-up or throws.
#include <array>
#include <cstdint>
#include <string_view>

#include "bparb/book/order_book.hpp"
#include "bparb/core/clock.hpp"
#include "bparb/core/decimal.hpp"
#include "bparb/core/market_spec.hpp"
#include "bparb/core/types.hpp"
#include "bparb/strategy/basis.hpp"
#include "bparb/strategy/exit_rules.hpp"
#include "bparb/strategy/funding.hpp"

namespace bparb {

// Venue-specific flags an order on a leg carries, chosen by the strategy per side (Backpack's spot-margin
// flags: an opening short sale borrows, its buy-back repays).
struct LegOrderFlags {
  bool auto_borrow = false;
  bool auto_borrow_repay = false;
  bool auto_lend_redeem = false;
};

// The two markets of a pair, as the engine registered them.
struct StrategyPair {
  std::string_view name;
  std::array<const MarketSpec*, 2> markets{};
  std::array<const OrderBook*, 2> books{};
};

// Which first order of an entry leaves first: both at once, or one leg's alone and the other leg's as the first
// fills (for what it filled, at its planned limit), the first leg's live orders cancelled past the timeout. For a
// leg on a much slower venue: its outcome is known before the other venue is touched.
enum class LegSequence : std::uint8_t { kTogether, kLeg0First, kLeg1First };

// One first order of a trade, on a leg.
struct LegOrder {
  Side side = Side::kBid;
  Decimal price;     // tick-aligned
  Decimal quantity;  // step-aligned
  TimeInForce tif = TimeInForce::kIoc;
  bool post_only = false;
};

// What the engine knows when it asks whether to open a trade on a pair with no position.
struct EntryContext {
  TimestampUs now = 0;
  AccountView account;       // available_base already set for this pair
  Decimal max_notional_usd;  // the risk gate's entry headroom
  bool opening_enabled = true;
  std::uint32_t busy_pairs = 0;  // pairs with a position or a trade in progress
};

struct EntryDecision {
  // An opportunity was seen: count it once per episode (new_episode) and report it (report).
  bool new_episode = false;
  bool report = false;
  bool open = false;  // open a two-leg trade with `orders`
  ExecutionPlan plan = ExecutionPlan::kTaker;
  std::array<LegOrder, 2> orders{};
  LegSequence sequence = LegSequence::kTogether;
  DurationUs first_leg_timeout_us = 0;    // with a sequence: how long the second leg waits for the first's fills
  std::array<LegOrderFlags, 2> on_buy{};  // flags for each leg's buy orders of the trade (hedges included)
  std::array<LegOrderFlags, 2> on_sell{};
  BasisQuote quote;
};

// What the engine knows of the pair's open position when it asks whether to close it.
struct PositionContext {
  TimestampUs now = 0;
  OpenBasisPosition position;
  std::array<Decimal, 2> held{};           // signed base quantity of each leg
  std::array<Decimal, 2> average_price{};  // each leg's average entry price (positive; zero when flat)
  FeeSchedule fees;
};

struct ExitDecision {
  ExitSignal signal;  // signal.exit: close the position (both legs unwound)
  std::array<LegOrderFlags, 2> on_buy{};
  std::array<LegOrderFlags, 2> on_sell{};
};

class Strategy {
 public:
  virtual ~Strategy() = default;

  // Start-up (may allocate): pairs in the engine's order.
  virtual void add_pair(std::uint32_t pair, const StrategyPair& info) = 0;
  virtual void on_funding(std::uint32_t pair, const FundingInfo& info) noexcept = 0;
  // A book of the pair changed (every update, whatever the pair is doing).
  virtual void on_book(std::uint32_t pair, TimestampUs now) noexcept = 0;
  // The pair is flat and idle: open a trade or not.
  virtual void entry(std::uint32_t pair, const EntryContext& ctx, EntryDecision& out) noexcept = 0;
  // The pair holds a position and no trade runs (book update or timer): close it or not.
  virtual void exit(std::uint32_t pair, const PositionContext& ctx, ExitDecision& out) noexcept = 0;
  // A trade on the pair is over and the pair is flat again (an entry nothing filled, or a closed position).
  virtual void on_flat(std::uint32_t pair, TimestampUs now) noexcept = 0;
};

}  // namespace bparb
