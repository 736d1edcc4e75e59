#include "bparb/risk/risk_gate.hpp"

#include <algorithm>

namespace bparb {
namespace {

constexpr DurationUs kRateWindowUs = 60 * kUsPerSecond;

RiskDecision refuse(RiskRule rule, Decimal limit, Decimal value, TradingState state) noexcept {
  RiskDecision d;
  d.allowed = false;
  d.rule = rule;
  d.limit = limit;
  d.value = value;
  d.state = state;
  return d;
}

}  // namespace

const char* to_string(TradingState s) noexcept {
  switch (s) {
    case TradingState::kActive:
      return "Active";
    case TradingState::kReduceOnly:
      return "ReduceOnly";
    case TradingState::kHalted:
      return "Halted";
  }
  return "?";
}

const char* to_string(StateReason r) noexcept {
  switch (r) {
    case StateReason::kNone:
      return "none";
    case StateReason::kDailyLoss:
      return "daily_loss";
    case StateReason::kMinBalance:
      return "min_balance";
    case StateReason::kOperator:
      return "operator";
    case StateReason::kInvariant:
      return "invariant";
    case StateReason::kExchange:
      return "exchange";
  }
  return "?";
}

const char* rule_name(RiskRule r) noexcept {
  switch (r) {
    case RiskRule::kNone:
      return "none";
    case RiskRule::kInvalidOrder:
      return "invalid_order";
    case RiskRule::kHalted:
      return "trading_state_halted";
    case RiskRule::kReduceOnly:
      return "trading_state_reduce_only";
    case RiskRule::kDailyLoss:
      return "max_daily_loss_usd";
    case RiskRule::kMinBalance:
      return "min_account_balance_usd";
    case RiskRule::kBookNotSynced:
      return "book_not_synced";
    case RiskRule::kStaleBook:
      return "max_book_age_ms";
    case RiskRule::kOrderRate:
      return "max_orders_per_minute";
    case RiskRule::kMaxPosition:
      return "max_position_usd";
    case RiskRule::kMaxTotalExposure:
      return "max_total_exposure_usd";
    case RiskRule::kMarginHeadroom:
      return "margin_headroom";
  }
  return "?";
}

const char* validate(const RiskLimits& l) noexcept {
  if (!l.max_position_usd.is_positive()) return "max_position_usd must be > 0";
  if (l.max_total_exposure_usd < l.max_position_usd) return "max_total_exposure_usd must be >= max_position_usd";
  if (!l.max_daily_loss_usd.is_positive()) return "max_daily_loss_usd must be > 0 (a loss budget, positive)";
  if (l.min_account_balance_usd.is_negative()) return "min_account_balance_usd must be >= 0";
  if (!l.max_margin_utilization.is_positive() || l.max_margin_utilization > Decimal::one())
    return "max_margin_utilization must be in (0, 1]";
  if (l.max_book_age_ms <= 0) return "max_book_age_ms must be > 0";
  if (l.max_orders_per_minute == 0 || l.max_orders_per_minute > RiskGate::kMaxOrdersPerMinute)
    return "max_orders_per_minute must be in [1, 1024]";
  return nullptr;
}

RiskGate::RiskGate(const RiskLimits& limits, const Clock& clock) noexcept : clock_(clock) {
  set_limits(limits);
  day_start_ = utc_day_start(clock_.now_us());
}

void RiskGate::set_limits(const RiskLimits& l) noexcept {
  limits_ = l;
  limits_.max_orders_per_minute =
      std::min<std::uint32_t>(limits_.max_orders_per_minute, static_cast<std::uint32_t>(kMaxOrdersPerMinute));
}

StateChange RiskGate::transition(TradingState to, StateReason why) noexcept {
  StateChange c;
  c.from = state_;
  c.to = to;
  c.reason = why;
  c.changed = state_ != to || reason_ != why;
  state_ = to;
  reason_ = why;
  return c;
}

StateChange RiskGate::halt(StateReason reason) noexcept {
  return transition(TradingState::kHalted, reason);
}

StateChange RiskGate::set_reduce_only(StateReason reason) noexcept {
  if (state_ == TradingState::kHalted) return StateChange{false, state_, state_, reason_};
  return transition(TradingState::kReduceOnly, reason);
}

StateChange RiskGate::resume() noexcept {
  return transition(TradingState::kActive, StateReason::kNone);
}

StateChange RiskGate::apply_account(const AccountRisk& a, RiskDecision* breach) noexcept {
  StateChange change;
  change.from = change.to = state_;
  const TimestampUs today = utc_day_start(clock_.now_us());
  if (today > day_start_) {
    day_start_ = today;
    // A new UTC day gives a new loss budget; other reasons need an explicit resume().
    if (state_ == TradingState::kReduceOnly && reason_ == StateReason::kDailyLoss)
      change = transition(TradingState::kActive, StateReason::kNone);
  }
  if (state_ != TradingState::kActive) return change;
  const Decimal loss = -a.daily_pnl_usd;
  if (loss >= limits_.max_daily_loss_usd) {
    if (breach) *breach = refuse(RiskRule::kDailyLoss, limits_.max_daily_loss_usd, loss, TradingState::kReduceOnly);
    return transition(TradingState::kReduceOnly, StateReason::kDailyLoss);
  }
  if (a.net_equity < limits_.min_account_balance_usd) {
    if (breach)
      *breach = refuse(RiskRule::kMinBalance, limits_.min_account_balance_usd, a.net_equity, TradingState::kReduceOnly);
    return transition(TradingState::kReduceOnly, StateReason::kMinBalance);
  }
  return change;
}

StateChange RiskGate::update(const AccountRisk& account) noexcept {
  return apply_account(account, nullptr);
}

std::uint32_t RiskGate::orders_last_minute() const noexcept {
  const TimestampUs now = clock_.now_us();
  std::uint32_t n = 0;
  for (std::size_t i = 0; i < count_; ++i) {
    const std::size_t idx = (head_ + kMaxOrdersPerMinute - 1 - i) % kMaxOrdersPerMinute;
    if (now - sent_[idx] >= kRateWindowUs) break;
    ++n;
  }
  return n;
}

void RiskGate::record_order() noexcept {
  sent_[head_] = clock_.now_us();
  head_ = (head_ + 1) % kMaxOrdersPerMinute;
  if (count_ < kMaxOrdersPerMinute) ++count_;
}

RiskDecision RiskGate::check(const OrderCheck& o, const AccountRisk& a) noexcept {
  RiskDecision d = check_impl(o, a);
  d.state = state_;
  d.reason = reason_;
  return d;
}

RiskDecision RiskGate::check_impl(const OrderCheck& o, const AccountRisk& a) noexcept {
  const TimestampUs now = clock_.now_us();
  if (!o.notional_usd.is_positive()) return refuse(RiskRule::kInvalidOrder, Decimal::zero(), o.notional_usd, state_);
  if (state_ == TradingState::kHalted) return refuse(RiskRule::kHalted, Decimal::zero(), Decimal::zero(), state_);

  RiskDecision breach;
  breach.allowed = true;
  apply_account(a, &breach);
  if (!o.reduces_exposure) {
    if (!breach.allowed) return breach;  // tripped by this very check: show the numbers
    if (state_ == TradingState::kReduceOnly)
      return refuse(RiskRule::kReduceOnly, Decimal::zero(), Decimal::zero(), state_);
  }

  if (!o.book.synced) return refuse(RiskRule::kBookNotSynced, Decimal::zero(), Decimal::zero(), state_);
  const std::int64_t age_ms = (now - o.book.last_update_us) / kUsPerMs;
  if (age_ms > limits_.max_book_age_ms)
    return refuse(RiskRule::kStaleBook, Decimal::from_int(limits_.max_book_age_ms), Decimal::from_int(age_ms), state_);

  const std::uint32_t cap = limits_.max_orders_per_minute;
  if (cap == 0 ||
      (count_ >= cap && now - sent_[(head_ + kMaxOrdersPerMinute - cap) % kMaxOrdersPerMinute] < kRateWindowUs))
    return refuse(RiskRule::kOrderRate, Decimal::from_int(cap), Decimal::from_int(orders_last_minute()), state_);

  if (o.reduces_exposure) {
    RiskDecision ok;
    ok.state = state_;
    return ok;
  }
  if (o.position_notional_after_usd > limits_.max_position_usd)
    return refuse(RiskRule::kMaxPosition, limits_.max_position_usd, o.position_notional_after_usd, state_);
  const Decimal total_after = a.total_exposure_usd + o.notional_usd;
  if (total_after > limits_.max_total_exposure_usd)
    return refuse(RiskRule::kMaxTotalExposure, limits_.max_total_exposure_usd, total_after, state_);
  if (o.perp_spec != nullptr) {
    const MarginFunction& imf = o.perp_spec->imf;
    double f = imf.present ? imf.fraction(o.perp_notional_after_usd.to_double()) : 1.0;
    if (!(f > 0.0) || f > 1.0) f = 1.0;  // missing/odd IMF: assume fully collateralised
    const VenueMargin* v = o.venue_margin;
    const Decimal used = v != nullptr ? v->initial_margin_used : a.initial_margin_used;
    const Decimal equity = v != nullptr ? (v->known ? v->net_equity : Decimal{}) : a.net_equity;
    const Decimal need = used + o.notional_usd.mul(Decimal::from_double(f, Rounding::kUp), Rounding::kUp);
    const Decimal room = equity.mul(limits_.max_margin_utilization, Rounding::kDown);
    if (need > room) return refuse(RiskRule::kMarginHeadroom, room, need, state_);
  }
  RiskDecision ok;
  ok.state = state_;
  return ok;
}

RiskDecision RiskGate::check_and_record(const OrderCheck& order, const AccountRisk& account) noexcept {
  RiskDecision d = check(order, account);
  if (d.allowed) record_order();
  return d;
}

Decimal RiskGate::entry_headroom_usd(Decimal current_position_usd, const AccountRisk& a) const noexcept {
  if (state_ != TradingState::kActive) return Decimal::zero();
  const Decimal by_pos = limits_.max_position_usd - current_position_usd;
  const Decimal by_total = limits_.max_total_exposure_usd - a.total_exposure_usd;
  return std::max(Decimal::zero(), std::min(by_pos, by_total));
}

}  // namespace bparb
