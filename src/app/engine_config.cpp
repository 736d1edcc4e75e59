#include "bparb/app/engine_config.hpp"

#include "bparb/app/strategy_kind.hpp"

namespace bparb::app {

exec::EngineParams engine_params(const Config& c) {
  exec::EngineParams p;
  BasisParams& b = p.basis;
  b.position_size_usd = c.strategy.position_size_usd;
  b.min_spread_threshold = c.strategy.min_spread_threshold;
  b.min_execution_threshold = c.strategy.min_execution_threshold;
  b.large_spread_threshold = c.strategy.large_spread_threshold;
  b.use_maker_for_large_spreads = c.execution.use_maker_for_large_spreads;
  b.slippage_allowance = c.strategy.slippage_allowance;
  // We exit when the (taker-priced) exit basis is at or below min_closing_spread, so that is what the
  // entry must expect to pay back; zero here would overstate every entry by the exit's spread cost.
  b.expected_exit_basis = c.strategy.min_closing_spread;
  b.expected_holding_us = c.strategy.expected_holding_us;
  b.allow_spot_borrow = c.strategy.allow_spot_borrow;
  b.spot_slippage_buffer = c.execution.spot_market_slippage_buffer;
  b.perp_slippage_buffer = c.execution.perpetual_market_slippage_buffer;
  // liquidity_buffer N: never take more than 1/N of the in-band depth.
  b.max_depth_fraction = Decimal::one().div(c.strategy.liquidity_buffer, Rounding::kDown);
  b.min_confidence = c.strategy.confidence_threshold.to_double();
  b.stale_after_us = c.risk.max_book_age_us;
  p.exit.min_closing_spread = c.strategy.min_closing_spread;
  // take_profit_fraction wins; otherwise take_profit_usd as a fraction of the target position size.
  p.exit.take_profit = c.strategy.take_profit_fraction;
  if (p.exit.take_profit.is_zero() && c.strategy.take_profit_usd.is_positive() &&
      c.strategy.position_size_usd.is_positive())
    p.exit.take_profit = c.strategy.take_profit_usd.div(c.strategy.position_size_usd, Rounding::kUp);
  p.exit.max_holding_us = c.strategy.max_holding_us;
  p.exit.max_adverse_funding_rate = c.strategy.funding_against_limit;
  p.max_open_positions = static_cast<std::uint32_t>(c.strategy.max_open_positions);
  p.opening_delay_us = c.strategy.opening_delay_us;
  p.maker_timeout_us = c.execution.order_timeout_us;
  p.fallback_to_taker = c.execution.fallback_to_taker;
  p.maker_reprice_bps = c.execution.maker_reprice_bps;
  p.hedge_deadline_us = c.execution.hedge_deadline_us;
  p.max_unhedged_usd = c.risk.max_unhedged_usd;
  p.stats_interval_us = c.strategy.stats_interval_us;
  strategy_descriptor(c.strategy.kind).engine_params(c, p);  // the strategy's own over these
  return p;
}

RiskLimits risk_limits(const Config& c) {
  RiskLimits l;
  l.max_position_usd = c.risk.max_position_usd;
  l.max_total_exposure_usd = c.risk.max_total_exposure_usd;
  l.max_daily_loss_usd = c.risk.max_daily_loss_usd;
  l.min_account_balance_usd = c.risk.min_account_balance_usd;
  l.max_margin_utilization = c.risk.margin_headroom;
  l.max_book_age_ms = c.risk.max_book_age_us / kUsPerMs;
  l.max_orders_per_minute = static_cast<std::uint32_t>(c.risk.max_orders_per_minute);
  return l;
}

}  // namespace bparb::app
