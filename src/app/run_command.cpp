#include <spdlog/spdlog.h>

#include <charconv>
#include <exception>
#include <string>

#include "bparb/app/cli.hpp"
#include "bparb/app/daemon.hpp"
#include "bparb/app/logging.hpp"

namespace bparb::app {

int cmd_run(std::span<const std::string> args, std::ostream& out, std::ostream& err) {
  std::string path;
  RunOptions opts;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if ((a == "--config" || a == "-c") && i + 1 < args.size()) {
      path = args[++i];
    } else if (a == "--duration" && i + 1 < args.size()) {
      const std::string& v = args[++i];
      long long s = 0;
      auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), s);
      if (ec != std::errc() || p != v.data() + v.size() || s <= 0 || s > 366LL * 24 * 3600) {
        err << "bparb run: --duration: expected whole seconds in [1, 31622400], got \"" << v << "\"\n";
        return kExitUsage;
      }
      opts.duration = s * kUsPerSecond;
    } else if (a == "--resume") {
      opts.resume_trading = true;
    } else {
      err << "bparb run: unexpected argument \"" << a
          << "\"\nusage: bparb run --config FILE [--duration SECONDS] [--resume]\n";
      return kExitUsage;
    }
  }
  if (path.empty()) {
    err << "usage: bparb run --config FILE [--duration SECONDS] [--resume]\n";
    return kExitUsage;
  }
  Config cfg;
  if (const int rc = load_config_and_logging(path, "run", cfg, err); rc != 0) return rc;
  spdlog::info("bparb {} starting: config {} mode={} log {}", kVersion, path, mode_name(cfg.exchange.mode),
               cfg.logging.file);
  try {
    RunSummary s = run_daemon(cfg, opts);
    const std::string text = s.to_string();
    mute_console();  // printed once, below, without the log prefix; the log file keeps its own copy
    spdlog::info("{}", text);
    shutdown_logging();
    out << text << "\n";
    return kExitOk;
  } catch (const std::exception& e) {
    spdlog::critical("bparb stopped: {}", e.what());
    shutdown_logging();
    err << "bparb run: " << e.what() << "\n";
    return kExitFailure;
  }
}

}  // namespace bparb::app
