// bpsim: a Backpack-compatible exchange on loopback (REST + WebSocket on one port).
//
//   bpsim --config config/sim.toml [--port N] [--log-level debug|info|warn|error]
//
// Prints "bpsim listening on http://127.0.0.1:PORT (ws://127.0.0.1:PORT)" once bound, then runs
// until SIGINT/SIGTERM.
#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "bparb/sim/backpack/recording_lines.hpp"
#include "bparb/sim/backpack/server.hpp"
#include "bparb/sim/sim_config.hpp"
#include "bparb/sim/sim_runtime.hpp"

namespace {

void usage(std::FILE* to) {
  std::fputs(
      "usage: bpsim [--config FILE] [--port N] [--log-level trace|debug|info|warn|error]\n"
      "  --config FILE   TOML configuration (see config/sim.toml); defaults are used without it\n"
      "  --port N        listen port, overrides server.port (0 = ephemeral)\n",
      to);
}

}  // namespace

int main(int argc, char** argv) {
  std::string config_path;
  std::optional<long> port;
  std::string log_level = "info";
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    auto next = [&](std::string_view name) -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "bpsim: %.*s needs a value\n", static_cast<int>(name.size()), name.data());
        usage(stderr);
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--config") {
      config_path = next(a);
    } else if (a == "--port") {
      const std::string v = next(a);
      char* end = nullptr;
      const long p = std::strtol(v.c_str(), &end, 10);
      if (v.empty() || *end != '\0' || p < 0 || p > 65535) {
        std::fprintf(stderr, "bpsim: --port %s: must be an integer in [0, 65535]\n", v.c_str());
        return 2;
      }
      port = p;
    } else if (a == "--log-level") {
      log_level = next(a);
    } else if (a == "--help" || a == "-h") {
      usage(stdout);
      return 0;
    } else {
      std::fprintf(stderr, "bpsim: unknown argument '%s'\n", argv[i]);
      usage(stderr);
      return 2;
    }
  }
  const auto level = spdlog::level::from_str(log_level);
  if (level == spdlog::level::off && log_level != "off") {
    std::fprintf(stderr, "bpsim: --log-level %s: use trace, debug, info, warn, error or off\n", log_level.c_str());
    return 2;
  }
  spdlog::set_level(level);

  try {
    bparb::sim::SimConfig cfg =
        config_path.empty() ? bparb::sim::default_sim_config() : bparb::sim::load_sim_config(config_path);
    if (port) cfg.server.port = static_cast<std::uint16_t>(*port);

    boost::asio::io_context io;
    bparb::sim::SimRuntime runtime(io, cfg, nullptr, bparb::sim::make_backpack_frame_decoder);
    bparb::sim::SimServer server(io, runtime, cfg.server);
    server.start();
    runtime.start();
    std::printf("bpsim listening on %s (%s)\n", server.http_url().c_str(), server.ws_url().c_str());
    std::fflush(stdout);

    boost::asio::signal_set signals(io, SIGINT, SIGTERM);
    boost::asio::steady_timer grace(io);
    signals.async_wait([&](const boost::system::error_code& ec, int sig) {
      if (ec) return;
      spdlog::info("bpsim: signal {}, shutting down", sig);
      runtime.stop();
      server.stop();
      // Give WebSocket Close handshakes a moment, then stop whatever is left.
      grace.expires_after(std::chrono::seconds(2));
      grace.async_wait([&](const boost::system::error_code&) { io.stop(); });
    });
    io.run();
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bpsim: %s\n", e.what());
    return 1;
  }
}
