#include "bparb/app/node_options.hpp"

#include <exception>
#include <utility>

#include "bparb/app/engine_config.hpp"
#include "bparb/app/strategy_kind.hpp"

namespace bparb::app {

runtime::NodeOptions node_options(const Config& cfg) {
  runtime::NodeOptions o;
  o.tick_us = cfg.strategy.tick_us;
  o.shutdown_timeout_us = cfg.shutdown.timeout_us;
  o.flatten_on_shutdown = cfg.shutdown.flatten_on_shutdown;
  o.final_pass_timeout_us = 2 * cfg.exchange.rest_timeout_us;
  o.unhedged_threshold_usd = cfg.strategy.position_size_usd.div_int(100, Rounding::kNearest);
  return o;
}

runtime::StartupOptions startup_options(const Config& cfg, bool resume) {
  runtime::StartupOptions so;
  so.source_path = cfg.source_path;
  switch (cfg.recovery.unexplained_positions) {
    case UnexplainedPolicy::kRefuse:
      so.recovery.unexplained = runtime::RecoveryOptions::Unexplained::kRefuse;
      break;
    case UnexplainedPolicy::kFlag:
      so.recovery.unexplained = runtime::RecoveryOptions::Unexplained::kFlag;
      break;
    case UnexplainedPolicy::kAdopt:
      so.recovery.unexplained = runtime::RecoveryOptions::Unexplained::kAdopt;
      break;
  }
  so.recovery.source_path = cfg.source_path;
  strategy_descriptor(cfg.strategy.kind).startup_markets(cfg, so);  // its markets, and the recovery's pair
  so.recovery.min_account_balance_usd = cfg.risk.min_account_balance_usd;
  so.recovery.max_daily_loss_usd = cfg.risk.max_daily_loss_usd;
  so.recovery.resume = resume;
  return so;
}

backpack::BackpackVenueOptions backpack_venue_options(const Config& cfg) {
  backpack::BackpackVenueOptions vo;
  vo.rest_url = cfg.exchange.rest_url;
  vo.ws_url = cfg.exchange.ws_url;
  vo.rest_timeout_us = cfg.exchange.rest_timeout_us;
  vo.request_window_ms = cfg.execution.request_window_ms;
  vo.max_requests_per_minute = cfg.exchange.max_requests_per_minute;
  vo.ws_stale_timeout_us = cfg.exchange.ws_stale_timeout_us;
  return vo;
}

runtime::PaperOptions paper_options(const Config& cfg, std::string api_key) {
  runtime::PaperOptions po;
  po.sim_config = cfg.paper.sim_config;
  po.port = cfg.paper.port;
  po.api_key = std::move(api_key);
  strategy_descriptor(cfg.strategy.kind).paper_markets(cfg, po);
  return po;
}

runtime::ReloadOutcome reload_thresholds(Config& cfg) {
  runtime::ReloadOutcome r;
  Config next;
  try {
    next = load_config(cfg.source_path);
  } catch (const ConfigError& e) {
    r.status = runtime::ReloadOutcome::Status::kInvalid;
    r.error = e.what();
    return r;
  } catch (const std::exception& e) {
    r.status = runtime::ReloadOutcome::Status::kUnreadable;
    r.error = e.what();
    return r;
  }
  r.restart_required = restart_required_changes(cfg, next);
  Config applied = cfg;
  applied.strategy = next.strategy;
  applied.strategy.kind = cfg.strategy.kind;  // what the daemon trades is chosen at start
  // Each strategy's section's keys SIGHUP applies (the rest of it waits for a restart).
  for (const StrategyDescriptor& d : strategy_descriptors()) d.reload(next, applied);
  applied.execution = next.execution;
  applied.risk = next.risk;
  applied.recovery = next.recovery;
  applied.shutdown = next.shutdown;
  r.changes = threshold_changes(cfg, applied);
  cfg = applied;
  r.status = runtime::ReloadOutcome::Status::kApplied;
  r.params = engine_params(cfg);
  r.limits = risk_limits(cfg);
  return r;
}

}  // namespace bparb::app
