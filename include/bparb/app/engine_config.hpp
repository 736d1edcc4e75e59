#pragma once
// Config → the pure core's parameters. One mapping for the daemon (live and paper) and the backtester, so
// a backtest trades with exactly the thresholds the daemon would use for the same file.
#include "bparb/app/config.hpp"
#include "bparb/exec/arb_engine.hpp"
#include "bparb/risk/risk_gate.hpp"

namespace bparb::app {

// Everything the engine needs from config, in the engine's own vocabulary.
exec::EngineParams engine_params(const Config& c);
RiskLimits risk_limits(const Config& c);

}  // namespace bparb::app
