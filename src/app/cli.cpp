#include "bparb/app/cli.hpp"

#include <spdlog/spdlog.h>

#include <exception>
#include <ostream>

#include "bparb/app/alert_setup.hpp"
#include "bparb/app/backtest_command.hpp"
#include "bparb/app/config.hpp"
#include "bparb/app/daemon.hpp"
#include "bparb/app/lighter_command.hpp"
#include "bparb/app/logging.hpp"
#include "bparb/app/secrets.hpp"

namespace bparb::app {

const std::vector<Command>& commands() {
  static const std::vector<Command> table = {
      {"check-config", "check-config FILE [--secrets]",
       "validate a config file (and with --secrets the API keys from the environment / .env); exit 2 if invalid",
       &cmd_check_config},
      // cmd_run lives with the daemon (daemon.hpp / run_command.cpp).
      {"run", "run --config FILE [--duration SECONDS] [--resume]",
       "run the daemon (paper: embedded bpsim; live: Backpack) until the duration ends or SIGINT/SIGTERM", &cmd_run},
      // cmd_record lives in record_command.cpp (record_command.hpp).
      {"record", "record --config FILE --out DIR [--duration SECONDS]",
       "record raw market data (depth, bookTicker, trade, markPrice + REST snapshots) to DIR/<market>/<date>.frames.gz "
       "and BBO CSVs; never trades",
       &cmd_record},
      // cmd_backtest lives in backtest_command.cpp (backtest_command.hpp).
      {"backtest", "backtest --config FILE --data DIR [--from T] [--to T] --report DIR [--sweep key=from:to:step]...",
       "replay a recording through the engine against bpsim's matching engine; writes DIR/summary.json and "
       "DIR/report.html (--sweep: a grid ranked by net P&L and drawdown)",
       &cmd_backtest},
      // cmd_lighter lives in lighter_command.cpp (lighter_command.hpp).
      {"lighter", "lighter sign|pubkey [--env-file FILE]",
       "sign Lighter transactions / auth tokens (JSON requests on stdin, one per line; nothing is sent) or print "
       "the public key, with LIGHTER_API_PRIVATE_KEY from the environment or .env",
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
      << ".env file named by exchange.env_file; never from the config file.\n"
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
  out << "config OK: " << file << " (" << cfg.enabled_pair_count() << " pairs, mode=" << mode_name(cfg.exchange.mode)
      << ")\n";
  if (cfg.service.enabled) {
    const bool v6 = cfg.service.address.find(':') != std::string::npos;
    const std::string host = v6 ? "[" + cfg.service.address + "]" : cfg.service.address;
    out << "service: http://" << host << ":" << cfg.service.port
        << " serves GET /healthz (200 while the event loop turns), /readyz (200, or 503 with the reasons), "
           "/api/v1/status (JSON) and /metrics (Prometheus)\n";
  }
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
