#pragma once
// SimServer: bpsim's network front end. One TCP listener (default 127.0.0.1, port 0 = ephemeral)
// serves HTTP/1.1 keep-alive REST (RestApi) and the WebSocket upgrade (WsHub) on `/` and `/ws`.
// Boost.Beast, async, single-threaded on the caller's io_context; embeddable in tests and paper mode.
//
//   boost::asio::io_context io;
//   SimRuntime rt(io, load_sim_config("config/sim.toml"));
//   SimServer srv(io, rt, rt.config().server);
//   srv.start(); rt.start();          // srv.port() now holds the bound port
//   io.run();
#include <cstdint>
#include <memory>
#include <string>

#include "bparb/sim/sim_config.hpp"

namespace boost::asio {
class io_context;
}  // namespace boost::asio

namespace bparb::sim {

class SimRuntime;
class WsHub;

struct ServerCounters {
  std::uint64_t http_connections = 0;
  std::uint64_t http_requests = 0;
  std::uint64_t ws_connections = 0;  // accepted upgrades, total
  std::uint64_t ws_slow_consumer_closes = 0;
  std::uint64_t ws_pong_timeouts = 0;
  std::uint64_t ws_pings_sent = 0;
  std::uint64_t ws_pongs_received = 0;
};

class SimServer {
 public:
  SimServer(boost::asio::io_context& io, SimRuntime& runtime, ServerConfig config);
  ~SimServer();
  SimServer(const SimServer&) = delete;
  SimServer& operator=(const SimServer&) = delete;

  // Binds and starts accepting. Throws std::runtime_error if the address/port cannot be bound.
  void start();
  std::uint16_t port() const;
  std::string http_url() const;  // "http://127.0.0.1:PORT"
  std::string ws_url() const;    // "ws://127.0.0.1:PORT"
  // Stops accepting, closes every connection (WS with a Close frame). Safe to call twice.
  void stop();

  WsHub& hub() noexcept;
  const ServerCounters& counters() const noexcept;
  std::size_t ws_connection_count() const noexcept;

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace bparb::sim
