#include "bparb/app/alert_setup.hpp"

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "bparb/app/cli.hpp"
#include "bparb/app/secrets.hpp"

namespace bparb::app {

alerts::AlertsOptions alert_options(const Config& cfg) {
  alerts::AlertsOptions o = cfg.alerts;
  std::optional<EnvFile> env;  // read once, only if a token is not in the environment
  for (alerts::SinkOptions& s : o.sinks) {
    if (s.kind != alerts::SinkKind::kTelegram) continue;
    if (const char* v = std::getenv(s.token_env.c_str()); v != nullptr && *v != '\0') {
      s.token = v;
    } else {
      if (!env) {
        env.emplace();
        std::ifstream in(cfg.exchange.env_file);
        if (in) {
          std::stringstream ss;
          ss << in.rdbuf();
          *env = parse_env_text(ss.str(), cfg.exchange.env_file);
        }
      }
      if (const std::string* v2 = env->find(s.token_env); v2 != nullptr && !v2->empty()) s.token = *v2;
    }
    if (s.token.empty())
      throw std::runtime_error("alerts: " + s.name + ": " + s.token_env + " is not set in the environment or in " +
                               cfg.exchange.env_file + " (token_env names the variable holding the bot token)");
    Redactor::global()->add_secret(s.token);
  }
  return o;
}

alerts::DigestTotals digest_totals(const StrategyStats& s) {
  alerts::DigestTotals t;
  t.realized_pnl = s.realized_pnl;
  t.fees = s.fees;
  t.funding = s.funding;
  t.net = s.realized_net;
  t.opened = s.executed;
  t.closed = s.closed;
  return t;
}

void alert_start(alerts::Alerter& a, const Config& cfg, std::size_t pairs, std::string_view state) {
  if (!a.wants(alerts::AlertEvent::kStart)) return;
  a.notify(alerts::AlertEvent::kStart, alerts::Severity::kInfo,
           fmt::format("bparb {} started: trading {} pair(s), state {}", kVersion, pairs, state),
           {{"mode", std::string(mode_name(cfg.exchange.mode))},
            {"pairs", std::to_string(pairs)},
            {"state", std::string(state)}});
}

void alert_stop(alerts::Alerter& a, const RunSummary& s, std::string_view why, bool failed) {
  if (!a.wants(alerts::AlertEvent::kStop)) return;
  const alerts::Severity sev = failed                        ? alerts::Severity::kCritical
                               : s.trading_state == "Active" ? alerts::Severity::kInfo
                                                             : alerts::Severity::kWarning;
  a.notify(
      alerts::AlertEvent::kStop, sev,
      fmt::format("bparb stopped ({}): net {} USD, {} open position(s)", why, s.stats.realized_net.str(), s.stats.open),
      {{"state", s.trading_state},
       {"realized_pnl_usd", s.stats.realized_pnl.str()},
       {"fees_usd", s.stats.fees.str()},
       {"funding_usd", s.stats.funding.str()},
       {"net_usd", s.stats.realized_net.str()},
       {"open_positions", std::to_string(s.stats.open)},
       {"fills", std::to_string(s.fills)}});
}

void alert_reload(alerts::Alerter& a, const runtime::ReloadOutcome& r) {
  if (!a.wants(alerts::AlertEvent::kConfigReload)) return;
  using S = runtime::ReloadOutcome::Status;
  std::vector<alerts::AlertField> fields;
  std::string changes;
  for (const std::string& c : r.changes) changes += (changes.empty() ? "" : "; ") + c;
  std::string restart;
  for (const std::string& c : r.restart_required) restart += (restart.empty() ? "" : "; ") + c;
  if (!changes.empty()) fields.push_back({"applied", changes});
  if (!restart.empty()) fields.push_back({"needs_restart", restart});
  if (r.status == S::kApplied) {
    a.notify(alerts::AlertEvent::kConfigReload, alerts::Severity::kInfo,
             fmt::format("config reloaded: {} threshold(s) changed", r.changes.size()), std::move(fields));
  } else {
    fields.push_back({"error", r.error});
    a.notify(alerts::AlertEvent::kConfigReload, alerts::Severity::kWarning,
             "config reload refused: the running settings stay", std::move(fields));
  }
}

}  // namespace bparb::app
