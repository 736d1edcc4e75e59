// What a SIGHUP reload changes: the daemon logs these lines before it applies the new values.
#include <string>
#include <vector>

#include "bparb/app/config.hpp"
#include "bparb/strategy/cross_venue/xarb_params_toml.hpp"

namespace bparb::app {

std::vector<std::string> threshold_changes(const Config& a, const Config& b) {
  std::vector<std::string> out;
  auto dec = [&](const char* key, Decimal x, Decimal y) {
    if (x != y) out.push_back(std::string(key) + " " + x.str() + " -> " + y.str());
  };
  auto num = [&](const char* key, std::int64_t x, std::int64_t y) {
    if (x != y) out.push_back(std::string(key) + " " + std::to_string(x) + " -> " + std::to_string(y));
  };
  auto flag = [&](const char* key, bool x, bool y) {
    if (x != y) out.push_back(std::string(key) + " " + (x ? "true" : "false") + " -> " + (y ? "true" : "false"));
  };
  const StrategyConfig &s = a.strategy, &t = b.strategy;
  dec("strategy.min_spread_threshold", s.min_spread_threshold, t.min_spread_threshold);
  dec("strategy.min_execution_threshold", s.min_execution_threshold, t.min_execution_threshold);
  dec("strategy.large_spread_threshold", s.large_spread_threshold, t.large_spread_threshold);
  dec("strategy.position_size_usd", s.position_size_usd, t.position_size_usd);
  dec("strategy.confidence_threshold", s.confidence_threshold, t.confidence_threshold);
  dec("strategy.min_closing_spread", s.min_closing_spread, t.min_closing_spread);
  dec("strategy.take_profit_usd", s.take_profit_usd, t.take_profit_usd);
  dec("strategy.take_profit_fraction", s.take_profit_fraction, t.take_profit_fraction);
  num("strategy.max_holding_us", s.max_holding_us, t.max_holding_us);
  dec("strategy.funding_against_limit", s.funding_against_limit, t.funding_against_limit);
  num("strategy.opening_delay_us", s.opening_delay_us, t.opening_delay_us);
  num("strategy.max_open_positions", s.max_open_positions, t.max_open_positions);
  flag("strategy.allow_spot_borrow", s.allow_spot_borrow, t.allow_spot_borrow);
  num("strategy.expected_holding_us", s.expected_holding_us, t.expected_holding_us);
  dec("strategy.slippage_allowance", s.slippage_allowance, t.slippage_allowance);
  dec("strategy.liquidity_buffer", s.liquidity_buffer, t.liquidity_buffer);
  num("strategy.stats_interval_us", s.stats_interval_us, t.stats_interval_us);
  num("strategy.tick_us", s.tick_us, t.tick_us);
  const ExecutionConfig &e = a.execution, &f = b.execution;
  flag("execution.use_maker_for_large_spreads", e.use_maker_for_large_spreads, f.use_maker_for_large_spreads);
  num("execution.order_timeout_us", e.order_timeout_us, f.order_timeout_us);
  flag("execution.fallback_to_taker", e.fallback_to_taker, f.fallback_to_taker);
  dec("execution.spot_market_slippage_buffer", e.spot_market_slippage_buffer, f.spot_market_slippage_buffer);
  dec("execution.perpetual_market_slippage_buffer", e.perpetual_market_slippage_buffer,
      f.perpetual_market_slippage_buffer);
  num("execution.hedge_deadline_us", e.hedge_deadline_us, f.hedge_deadline_us);
  dec("execution.maker_reprice_bps", e.maker_reprice_bps, f.maker_reprice_bps);
  const RiskConfig &r = a.risk, &q = b.risk;
  dec("risk.max_position_usd", r.max_position_usd, q.max_position_usd);
  dec("risk.max_total_exposure_usd", r.max_total_exposure_usd, q.max_total_exposure_usd);
  dec("risk.max_daily_loss_usd", r.max_daily_loss_usd, q.max_daily_loss_usd);
  dec("risk.min_account_balance_usd", r.min_account_balance_usd, q.min_account_balance_usd);
  num("risk.max_book_age_us", r.max_book_age_us, q.max_book_age_us);
  num("risk.max_orders_per_minute", r.max_orders_per_minute, q.max_orders_per_minute);
  dec("risk.margin_headroom", r.margin_headroom, q.margin_headroom);
  dec("risk.max_unhedged_usd", r.max_unhedged_usd, q.max_unhedged_usd);
  flag("shutdown.flatten_on_shutdown", a.shutdown.flatten_on_shutdown, b.shutdown.flatten_on_shutdown);
  num("shutdown.timeout_us", a.shutdown.timeout_us, b.shutdown.timeout_us);
  if (a.recovery.unexplained_positions != b.recovery.unexplained_positions)
    out.push_back(std::string("recovery.unexplained_positions ") +
                  std::string(unexplained_policy_name(a.recovery.unexplained_positions)) + " -> " +
                  std::string(unexplained_policy_name(b.recovery.unexplained_positions)));
  const auto xa = xarb_param_values(a.xarb.params), xb = xarb_param_values(b.xarb.params);
  for (std::size_t i = 0; i < xa.size() && i < xb.size(); ++i)
    if (xa[i].second != xb[i].second) out.push_back("xarb." + xa[i].first + " " + xa[i].second + " -> " + xb[i].second);
  dec("xarb.backpack_slippage_bps", a.xarb.backpack_slippage_bps, b.xarb.backpack_slippage_bps);
  dec("xarb.lighter_slippage_bps", a.xarb.lighter_slippage_bps, b.xarb.lighter_slippage_bps);
  num("xarb.opening_delay_us", a.xarb.opening_delay_us, b.xarb.opening_delay_us);
  if (a.xarb.leg_order != b.xarb.leg_order)
    out.push_back(std::string("xarb.leg_order ") + std::string(xarb_leg_order_name(a.xarb.leg_order)) + " -> " +
                  std::string(xarb_leg_order_name(b.xarb.leg_order)));
  num("xarb.first_leg_timeout_us", a.xarb.first_leg_timeout_us, b.xarb.first_leg_timeout_us);
  const auto ma = mm_param_values(a.mm.params), mb = mm_param_values(b.mm.params);
  for (std::size_t i = 0; i < ma.size() && i < mb.size(); ++i)
    if (ma[i].second != mb[i].second) out.push_back("mm." + ma[i].first + " " + ma[i].second + " -> " + mb[i].second);
  return out;
}

}  // namespace bparb::app
