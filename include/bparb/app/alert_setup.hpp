#pragma once
// The daemon's side of operator alerts (alerts/alerter.hpp): the options from the config with the Telegram
// tokens resolved from the environment or .env, and the texts of the alerts only the daemon can tell (start,
// stop, config reload). The engine's and the stream's alerts come through NodeEvents.
#include <string>

#include "bparb/alerts/alerter.hpp"
#include "bparb/app/config.hpp"
#include "bparb/app/daemon.hpp"
#include "bparb/runtime/operator.hpp"

namespace bparb::app {

// cfg.alerts with every Telegram sink's token read from the variable its token_env names (environment
// first, then the .env file of exchange.env_file). The tokens are registered with the log redactor. Throws
// std::runtime_error naming the sink and the variable (never a value) when one is missing.
alerts::AlertsOptions alert_options(const Config& cfg);

// The money the daily digest splits: lifetime totals of the run, subtracted day by day.
alerts::DigestTotals digest_totals(const StrategyStats& s);

void alert_start(alerts::Alerter& a, const Config& cfg, std::size_t pairs, std::string_view state);
// `failed`: the start-up checks refused to trade (critical).
void alert_stop(alerts::Alerter& a, const RunSummary& s, std::string_view why, bool failed);
void alert_reload(alerts::Alerter& a, const runtime::ReloadOutcome& r);

}  // namespace bparb::app
