// bpsim: a Backpack-compatible exchange on loopback (REST + WebSocket on one port).
//
//   bpsim --config config/sim.toml [--port N] [--log-level debug|info|warn|error]
//
// Prints "bpsim listening on http://127.0.0.1:PORT (ws://127.0.0.1:PORT)" once bound, then runs
// until SIGINT/SIGTERM. A config with [venues.NAME] tables (config/sim-two-venues.toml,
// config/sim-backpack-lighter.toml) serves each venue with its protocol's front-end (Backpack or Lighter)
// on its own port and prints one "bpsim venue NAME (PROTOCOL) listening on ..." line per venue.
#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bparb/sim/backpack/recording_lines.hpp"
#include "bparb/sim/backpack/server.hpp"
#include "bparb/sim/lighter/server.hpp"
#include "bparb/sim/lighter/venue_rules.hpp"
#include "bparb/sim/sim_config.hpp"
#include "bparb/sim/sim_runtime.hpp"
#include "bparb/sim/sim_world.hpp"

namespace {

void usage(std::FILE* to) {
  std::fputs(
      "usage: bpsim [--config FILE] [--port N] [--log-level trace|debug|info|warn|error]\n"
      "  --config FILE   TOML configuration (see config/sim.toml); defaults are used without it\n"
      "  --port N        listen port, overrides server.port (0 = ephemeral); one-venue configs only\n",
      to);
}

// One venue's protocol front-end on its own port: sim/backpack's SimServer or sim/lighter's LighterServer.
struct VenueFrontEnd {
  std::unique_ptr<bparb::sim::SimServer> backpack;
  std::unique_ptr<bparb::sim::lighter::LighterServer> lighter;

  std::string http_url() const { return backpack ? backpack->http_url() : lighter->http_url(); }
  std::string ws_url() const { return backpack ? backpack->ws_url() : lighter->ws_url(); }
  void stop() {
    if (backpack) backpack->stop();
    if (lighter) lighter->stop();
  }
};

VenueFrontEnd start_front_end(boost::asio::io_context& io, bparb::sim::SimWorld& world, std::size_t i) {
  const bparb::sim::VenueConfig& v = world.venue_config(i);
  VenueFrontEnd f;
  switch (v.protocol) {
    case bparb::sim::VenueProtocol::kBackpack:
      f.backpack = std::make_unique<bparb::sim::SimServer>(io, world.venue(i), v.sim.server);
      f.backpack->start();
      break;
    case bparb::sim::VenueProtocol::kLighter:
      try {
        // Transactions and auth tokens expire against the wall clock, as on the venue.
        f.lighter = std::make_unique<bparb::sim::lighter::LighterServer>(
            io, world.venue(i).exchange(), world.wall_clock(), bparb::sim::lighter::lighter_rules_of(v));
      } catch (const std::invalid_argument& e) {
        throw std::runtime_error("venue " + v.name + ": " + e.what());
      }
      f.lighter->start();
      break;
  }
  return f;
}

// The multi-venue form: one SimWorld, one front-end per venue on its own port.
int run_venues(bparb::sim::SimVenuesConfig cfg) {
  boost::asio::io_context io;
  bparb::sim::SimWorld world(io, std::move(cfg), nullptr, bparb::sim::make_backpack_frame_decoder);
  std::vector<VenueFrontEnd> servers;
  for (std::size_t i = 0; i < world.venue_count(); ++i) servers.push_back(start_front_end(io, world, i));
  world.start();
  for (std::size_t i = 0; i < servers.size(); ++i) {
    const bparb::sim::VenueConfig& v = world.venue_config(i);
    std::printf("bpsim venue %s (%s) listening on %s (%s)\n", v.name.c_str(),
                std::string(bparb::sim::protocol_name(v.protocol)).c_str(), servers[i].http_url().c_str(),
                servers[i].ws_url().c_str());
  }
  std::fflush(stdout);

  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  boost::asio::steady_timer grace(io);
  signals.async_wait([&](const boost::system::error_code& ec, int sig) {
    if (ec) return;
    spdlog::info("bpsim: signal {}, shutting down", sig);
    world.stop();
    for (auto& s : servers) s.stop();
    grace.expires_after(std::chrono::seconds(2));
    grace.async_wait([&](const boost::system::error_code&) { io.stop(); });
  });
  io.run();
  return 0;
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
    bparb::sim::SimConfig cfg = bparb::sim::default_sim_config();
    if (!config_path.empty()) {
      bparb::sim::SimVenuesConfig venues = bparb::sim::load_sim_venues_config(config_path);
      if (venues.multi_venue) {
        if (port) {
          std::fprintf(stderr,
                       "bpsim: --port applies to a one-venue config; %s sets each venue's port in "
                       "[venues.NAME.server]\n",
                       config_path.c_str());
          return 2;
        }
        return run_venues(std::move(venues));
      }
      cfg = std::move(venues.venues.front().sim);
    }
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
