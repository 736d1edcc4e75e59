#pragma once
// Pre-trade risk gate: every order (each leg, entries and exits) is checked here just before it is
// signed. Pure: time from the injected Clock, no logging — a refusal carries the rule name and the
// numbers (limit, value) for the daemon's log line.
//
// Trading states and transitions:
//   Active     --daily loss >= max_daily_loss_usd-->      ReduceOnly(daily_loss)   (auto back to Active
//                                                                                   at the next 00:00 UTC)
//   Active     --net equity < min_account_balance_usd-->  ReduceOnly(min_balance)  (until resume())
//   any        --halt(reason)-->                          Halted                   (until resume())
//   ReduceOnly/Halted --resume()-->                       Active (a still-breached rule re-trips on the
//                                                                 next check)
// ReduceOnly admits only orders that reduce exposure (exits); Halted admits nothing.
// Book freshness and the order-rate cap apply to every order, exits included: an IOC priced off a
// stale book cannot be taken back, and the exchange's rate limit does not care why we send.
#include <array>
#include <cstddef>
#include <cstdint>

#include "bparb/core/clock.hpp"
#include "bparb/core/decimal.hpp"
#include "bparb/core/market_spec.hpp"

namespace bparb {

enum class TradingState : std::uint8_t { kActive, kReduceOnly, kHalted };
const char* to_string(TradingState s) noexcept;  // "Active" / "ReduceOnly" / "Halted"

enum class StateReason : std::uint8_t {
  kNone = 0,
  kDailyLoss,
  kMinBalance,
  kOperator,   // manual command / signal
  kInvariant,  // the engine found a broken invariant (naked leg it could not fix, ...)
  kExchange,   // exchange maintenance / repeated errors
};
const char* to_string(StateReason r) noexcept;

enum class RiskRule : std::uint8_t {
  kNone = 0,
  kInvalidOrder,      // notional <= 0
  kHalted,            // trading_state=Halted
  kReduceOnly,        // trading_state=ReduceOnly and the order adds exposure
  kDailyLoss,         // max_daily_loss_usd
  kMinBalance,        // min_account_balance_usd (net equity)
  kBookNotSynced,     // book not synced
  kStaleBook,         // max_book_age_ms
  kOrderRate,         // max_orders_per_minute
  kMaxPosition,       // max_position_usd
  kMaxTotalExposure,  // max_total_exposure_usd
  kMarginHeadroom,    // initial margin after the order > net equity * max_margin_utilization
};
// The config key (or state) the rule enforces, e.g. "max_daily_loss_usd".
const char* rule_name(RiskRule r) noexcept;

struct RiskLimits {
  Decimal max_position_usd = Decimal::from_int(1'000);
  Decimal max_total_exposure_usd = Decimal::from_int(5'000);
  Decimal max_daily_loss_usd = Decimal::from_int(100);  // positive number: loss budget
  Decimal min_account_balance_usd = Decimal::from_int(100);
  Decimal max_margin_utilization = Decimal::from_raw(800'000'000);  // 0.8 of net equity as IM
  std::int64_t max_book_age_ms = 2'000;
  std::uint32_t max_orders_per_minute = 60;  // clamped to kMaxOrdersPerMinute
};

// nullptr if usable, else a message naming the field.
const char* validate(const RiskLimits& l) noexcept;

struct BookHealth {
  bool synced = false;
  TimestampUs last_update_us = 0;
};

// One order about to be sent.
// The equity and initial margin in use of the account an order is for, when that is not the account the
// AccountRisk describes (a second venue's). `known` false: the venue's account has not been reported yet.
struct VenueMargin {
  bool known = false;
  Decimal net_equity;
  Decimal initial_margin_used;
};

struct OrderCheck {
  bool reduces_exposure = false;          // exit / reduce-only leg
  Decimal notional_usd;                   // qty * limit price
  Decimal position_notional_after_usd;    // this pair's notional if the order fills (entries)
  const MarketSpec* perp_spec = nullptr;  // set for perp legs: IMF for the margin check
  Decimal perp_notional_after_usd;        // the pair's perp notional if this perp order fills
  BookHealth book;
  // Set for an order on another venue's account: the margin rule checks that account's equity and margin in
  // use (an unknown one has no room); the daily-loss and minimum-balance rules stay the AccountRisk's.
  const VenueMargin* venue_margin = nullptr;
};

struct AccountRisk {
  Decimal net_equity;           // /api/v1/capital/collateral netEquity
  Decimal initial_margin_used;  // current IM in USD (imf * notional over open perps)
  Decimal total_exposure_usd;   // before this order
  Decimal daily_pnl_usd;        // Portfolio::daily_pnl (realized+unrealized+fees+funding since 00:00 UTC)
};

struct RiskDecision {
  bool allowed = true;
  RiskRule rule = RiskRule::kNone;
  Decimal limit;
  Decimal value;
  TradingState state = TradingState::kActive;  // state after the check
  StateReason reason = StateReason::kNone;     // why the gate is in that state
  const char* rule_name() const noexcept { return bparb::rule_name(rule); }
};

struct StateChange {
  bool changed = false;
  TradingState from = TradingState::kActive;
  TradingState to = TradingState::kActive;
  StateReason reason = StateReason::kNone;
};

class RiskGate {
 public:
  static constexpr std::size_t kMaxOrdersPerMinute = 1024;

  RiskGate(const RiskLimits& limits, const Clock& clock) noexcept;

  // Checks one order; on a daily-loss or min-balance breach also moves the state (see above).
  RiskDecision check(const OrderCheck& order, const AccountRisk& account) noexcept;
  // Counts one sent order toward the per-minute cap. Call right after the order leaves.
  void record_order() noexcept;
  // check() and, if allowed, record_order().
  RiskDecision check_and_record(const OrderCheck& order, const AccountRisk& account) noexcept;

  // Account-driven transitions without an order (call on account/P&L updates and periodically):
  // daily-loss / min-balance breaches and the UTC-midnight reset.
  StateChange update(const AccountRisk& account) noexcept;
  // Notional a new entry on a pair may still add: min(max_position - current, max_total - total),
  // never negative; zero unless Active. The strategy sizes with it (BasisInputs::max_notional_usd).
  Decimal entry_headroom_usd(Decimal current_position_usd, const AccountRisk& account) const noexcept;

  StateChange halt(StateReason reason) noexcept;
  StateChange set_reduce_only(StateReason reason) noexcept;
  StateChange resume() noexcept;

  TradingState state() const noexcept { return state_; }
  StateReason state_reason() const noexcept { return reason_; }
  const RiskLimits& limits() const noexcept { return limits_; }
  void set_limits(const RiskLimits& l) noexcept;
  // Orders sent in the last 60 s.
  std::uint32_t orders_last_minute() const noexcept;

 private:
  RiskDecision check_impl(const OrderCheck& order, const AccountRisk& account) noexcept;
  StateChange transition(TradingState to, StateReason why) noexcept;
  // Applies the day roll and account breaches; fills `breach` when one tripped now.
  StateChange apply_account(const AccountRisk& account, RiskDecision* breach) noexcept;

  RiskLimits limits_;
  const Clock& clock_;
  TradingState state_ = TradingState::kActive;
  StateReason reason_ = StateReason::kNone;
  TimestampUs day_start_ = 0;
  std::array<TimestampUs, kMaxOrdersPerMinute> sent_{};  // ring of send times
  std::size_t head_ = 0;                                 // next write
  std::size_t count_ = 0;                                // valid entries (<= capacity)
};

}  // namespace bparb
