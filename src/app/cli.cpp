#include "bparb/app/cli.hpp"

#include <spdlog/spdlog.h>

#include <exception>
#include <ostream>

#include "bparb/app/alert_setup.hpp"
#include "bparb/app/backtest_command.hpp"
#include "bparb/app/config.hpp"
#include "bparb/app/daemon.hpp"
#include "bparb/app/doctor_command.hpp"
#include "bparb/app/lighter_command.hpp"
#include "bparb/app/logging.hpp"
#include "bparb/app/pnl_report.hpp"
#include "bparb/app/secrets.hpp"
#include "bparb/app/status_command.hpp"
#include "bparb/app/strategy_kind.hpp"

namespace bparb::app {

const std::vector<Command>& commands() {
  static const std::vector<Command> table = {
      {"check-config", "check-config FILE [--secrets]",
       "validate a config file (and with --secrets the API keys from the environment / .env); exit 2 if invalid",
       &cmd_check_config},
      // cmd_run lives with the daemon (daemon.hpp / run_command.cpp).
      {"run", "run --config FILE [--duration SECONDS] [--resume]",
       "run the daemon (paper: embedded bpsim; live: Backpack) until the duration ends or SIGINT/SIGTERM", &cmd_run},
      // cmd_xarb lives in xarb_command.cpp (daemon.hpp).
      {"xarb",
       "xarb --ticker COIN --size QTY --long-threshold USD --short-threshold USD --max-position QTY [--config FILE] "
       "[--duration SECONDS]",
       "run the cross-venue arbitrage (Backpack/Lighter perps) with the seed bot's options over the rest of FILE "
       "(default config/paper-xvenue.toml); the result is written to xarb-COIN.toml beside the log",
       &cmd_xarb},
      // cmd_record lives in record_command.cpp (record_command.hpp).
      {"record", "record --config FILE --out DIR [--duration SECONDS] [--venue backpack|lighter]",
       "record raw market data (depth, bookTicker, trade, markPrice + REST snapshots) to DIR/<market>/<date>.frames.gz "
       "and BBO CSVs; never trades",
       &cmd_record},
      // cmd_backtest lives in backtest_command.cpp (backtest_command.hpp).
      {"backtest", "backtest --config FILE --data DIR [--from T] [--to T] --report DIR [--sweep key=from:to:step]...",
       "replay a recording through the engine against bpsim's matching engine; writes DIR/summary.json and "
       "DIR/report.html (--sweep: a grid ranked by net P&L and drawdown)",
       &cmd_backtest},
      // cmd_status lives in status_command.cpp, cmd_pnl in pnl_report.cpp.
      {"status", "status [--json] [--url URL | --config FILE]",
       "ask the running daemon's [service] endpoint for health per venue, trading state, positions, open orders, "
       "P&L and the last refusal; exit 0 ready, 1 unreachable, 3 not ready",
       &cmd_status},
      {"pnl", "pnl [--daily] [--config FILE | --journal FILE]",
       "realized P&L (spread, fees, funding) per position and in total from the journal, read-only (the daemon "
       "may be stopped); --daily adds one line per UTC day",
       &cmd_pnl},
      // cmd_doctor lives in doctor_command.cpp (doctor_command.hpp).
      {"doctor", "doctor [--config FILE] [--env-file FILE] [--json]",
       "pre-flight checks, one 'ok|warn|fail <check>: <detail>' line each: config, keys, clock skew, venue "
       "reachable, account, traded markets open, journal writable, service port, [venues.lighter]; exit 0 all ok, "
       "1 warnings only, 2 bad usage or config, 3 a check failed",
       &cmd_doctor},
      // cmd_lighter lives in lighter_command.cpp (lighter_command.hpp).
      {"lighter", "lighter sign|pubkey|check [--config FILE] [--env-file FILE]",
       "sign Lighter transactions / auth tokens (JSON requests on stdin, one per line; nothing is sent), print "
       "the public key, or check it against the key the venue has registered for [venues.lighter] (exit 3 "
       "mismatch, 4 venue unreachable), with LIGHTER_API_PRIVATE_KEY from the environment or .env",
       &cmd_lighter},
  };
  return table;
}

void print_usage(std::ostream& out) {
  out << "bparb " << kVersion << " - Backpack Exchange spot-perp basis arbitrage daemon\n\n"
      << "Usage:\n";
  for (const auto& c : commands()) out << "  bparb " << c.usage << "\n      " << c.summary << "\n";
  out << "  bparb --help | -h\n      show this help\n"
      << "  bparb --version | -V\n      print the version\n\n"
      << "API keys are read from BACKPACK_API_KEY / BACKPACK_PRIVATE_KEY in the environment, else from the\n"
      << ".env file named by exchange.env_file; never from the config file. So is BPARB_CONTROL_TOKEN, the\n"
      << "bearer token that enables the control endpoints of [service] (docs/service.md).\n"
      << "Exit status: 0 ok, 1 runtime failure, 2 bad usage or invalid configuration.\n";
}

namespace {

void print_command_usage(std::ostream& os, const Command& c) {
  os << "Usage: bparb " << c.usage << "\n  " << c.summary << "\n";
}

const Command& find_command(std::string_view name) {
  for (const auto& c : commands()) {
    if (c.name == name) return c;
  }
  std::terminate();  // only called with names from the table
}

}  // namespace

int cmd_check_config(std::span<const std::string> args, std::ostream& out, std::ostream& err) {
  const Command& self = find_command("check-config");
  std::string file;
  bool secrets = false;
  for (const auto& a : args) {
    if (a == "--help" || a == "-h") {
      print_command_usage(out, self);
      return kExitOk;
    }
    if (a == "--secrets") {
      secrets = true;
    } else if (!a.empty() && a[0] == '-') {
      err << "bparb check-config: unknown option '" << a << "'\n";
      print_command_usage(err, self);
      return kExitUsage;
    } else if (file.empty()) {
      file = a;
    } else {
      err << "bparb check-config: expected one FILE, got a second one: '" << a << "'\n";
      print_command_usage(err, self);
      return kExitUsage;
    }
  }
  if (file.empty()) {
    err << "bparb check-config: missing FILE\n";
    print_command_usage(err, self);
    return kExitUsage;
  }

  Config cfg;
  try {
    cfg = load_config(file);
  } catch (const ConfigError& e) {
    const auto& r = *Redactor::global();
    for (const auto& line : e.errors()) err << r.redact(line) << "\n";
    err << "config INVALID: " << file << " (" << e.errors().size() << (e.errors().size() == 1 ? " error" : " errors")
        << ")\n";
    return kExitUsage;
  }
  for (const auto& w : cfg.warnings) err << "warning: " << w << "\n";

  if (secrets) {
    try {
      SecretsOptions opt;
      opt.env_file = cfg.exchange.env_file;
      Credentials c = load_credentials(opt);
      for (const auto& w : c.warnings) err << "warning: " << w << "\n";
      out << "credentials OK: api key " << c.fingerprint() << " (private key from " << c.private_key_source
          << ", api key "
          << (c.api_key_source == "derived" ? std::string("derived from it") : "from " + c.api_key_source) << ")\n";
    } catch (const SecretsError& e) {
      err << "credentials INVALID: " << Redactor::global()->redact(e.what()) << "\n";
      return kExitUsage;
    }
    if (cfg.venues.lighter) {
      LighterKeySource src;
      src.env_file = cfg.exchange.env_file;
      // One key (LIGHTER_API_PRIVATE_KEY), or a pool's key per slot (LIGHTER_API_PRIVATE_KEY_<index>).
      std::vector<std::string> vars;
      for (const std::int64_t slot : cfg.venues.lighter->api_key_indexes) vars.push_back(lighter_pool_key_var(slot));
      if (vars.empty()) vars.emplace_back(kLighterPrivateKeyVar);
      for (const std::string& var : vars) {
        std::string why;
        std::string from;
        const std::optional<std::string> pk = lighter_public_key(src, why, &from, var);
        if (!pk) {
          err << "lighter key INVALID: " << Redactor::global()->redact(why) << "\n";
          return kExitUsage;
        }
        out << "lighter key OK: public key " << *pk << " (" << var << " from " << from
            << "); 'bparb lighter check' compares it with the venue's\n";
      }
    }
  }
  // Whether the control endpoints are on: the token's presence and source, never the token. The daemon
  // reads it only when it serves [service], and so does this check.
  std::string control_line;
  if (cfg.service.enabled) {
    try {
      SecretsOptions opt;
      opt.env_file = cfg.exchange.env_file;
      const ControlToken t = load_control_token(opt);
      for (const auto& w : t.warnings) err << "warning: " << w << "\n";
      control_line = t.configured() ? "control: enabled (" + std::string(kControlTokenVar) + " from " + t.source +
                                          "): POST /api/v1/pause, /resume, /cancel-all, /flatten and /reload with "
                                          "Authorization: Bearer\n"
                                    : "control: disabled (" + std::string(kControlTokenVar) +
                                          " is not set in the environment or " + opt.env_file +
                                          "): POST /api/v1/pause, /resume, /cancel-all, /flatten and /reload "
                                          "answer 403\n";
    } catch (const SecretsError& e) {
      err << "control token INVALID: " << Redactor::global()->redact(e.what()) << "\n";
      return kExitUsage;
    }
  }
  if (secrets && cfg.alerts.enabled()) {
    try {
      (void)alert_options(cfg);
      out << "alert tokens OK\n";
    } catch (const std::exception& e) {
      err << "alerts INVALID: " << e.what() << "\n";
      return kExitUsage;
    }
  }
  strategy_descriptor(cfg.strategy.kind).check_config(cfg, file, out);
  if (cfg.venues.lighter) {
    const LighterVenueConfig& l = *cfg.venues.lighter;
    out << "venues.lighter: account " << l.account_index << ", api key " << l.api_key_index << ", chain " << l.chain_id
        << ", tier " << lighter_tier_name(l.account_tier) << ", " << l.rest_url << ", " << l.ws_url
        << ", dead-man switch ";
    if (l.dead_man_switch) {
      out << "window " << l.dead_man_window_us / kUsPerSecond << " s refresh " << l.dead_man_refresh_us / kUsPerSecond
          << " s" << (l.dead_man_abort_on_stop ? "" : " (left to fire on stop)");
    } else {
      out << "off";
    }
    out << "\n";
    if (strategy_descriptor(cfg.strategy.kind).trades_lighter)
      out << "venues.lighter: the daemon trades the cross-venue pair's Lighter leg there\n";
    else
      out << "venues.lighter is used by 'bparb lighter check' and 'bparb record' only: the daemon does not trade on "
             "Lighter yet\n";
  }
  if (cfg.service.enabled) {
    const bool v6 = cfg.service.address.find(':') != std::string::npos;
    const std::string host = v6 ? "[" + cfg.service.address + "]" : cfg.service.address;
    out << "service: http://" << host << ":" << cfg.service.port
        << " serves GET / (the live page), /healthz (200 while the event loop turns), /readyz (200, or 503 with "
           "the reasons), /api/v1/status, /positions, /orders, /fills, /pnl, /events, /config (JSON), /api/v1/stream "
           "(Server-Sent Events) and /metrics (Prometheus)\n";
  }
  out << control_line;
  for (const alerts::SinkOptions& so : cfg.alerts.sinks) {
    std::string events;
    for (std::size_t i = 0; i < alerts::kAlertEventCount; ++i)
      if (so.events & alerts::event_bit(static_cast<alerts::AlertEvent>(i)))
        events +=
            (events.empty() ? "" : ", ") + std::string(alerts::alert_event_name(static_cast<alerts::AlertEvent>(i)));
    out << "alerts: " << so.name << " gets " << events << "\n";
  }
  return kExitOk;
}

int run_cli(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
  try {
    if (argc < 2) {
      print_usage(err);
      return kExitUsage;
    }
    const std::string_view cmd = argv[1];
    if (cmd == "--help" || cmd == "-h" || cmd == "help") {
      print_usage(out);
      return kExitOk;
    }
    if (cmd == "--version" || cmd == "-V") {
      out << "bparb " << kVersion << "\n";
      return kExitOk;
    }
    for (const auto& c : commands()) {
      if (c.name == cmd) {
        const std::vector<std::string> args(argv + 2, argv + argc);
        return c.fn(args, out, err);
      }
    }
    err << "bparb: unknown command '" << cmd << "'\nRun 'bparb --help' for the list of commands.\n";
    return kExitUsage;
  } catch (const std::exception& e) {
    err << "bparb: fatal: " << Redactor::global()->redact(e.what()) << "\n";
    return kExitFailure;
  }
}

int load_config_and_logging(const std::string& path, std::string_view command, Config& cfg, std::ostream& err) {
  try {
    cfg = load_config(path);
  } catch (const ConfigError& e) {
    err << e.what() << "\n";
    return kExitUsage;
  }
  try {
    init_logging(cfg.logging);
  } catch (const std::exception& e) {
    err << "bparb " << command << ": " << e.what() << "\n";
    return kExitFailure;
  }
  for (const std::string& w : cfg.warnings) spdlog::warn("{}", w);
  return 0;
}

}  // namespace bparb::app
