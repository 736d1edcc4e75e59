#pragma once
// LighterServer: the simulated Lighter on its own loopback listener. HTTP/1.1 keep-alive REST under
// /api/v1/ (LighterApi) and the WebSocket upgrade on /stream (LighterHub), Boost.Beast, async,
// single-threaded on the caller's io_context. Self-contained: built from the Exchange it trades on, the
// wall clock (transaction and token expiry) and the Lighter rules, so a host runs it beside other
// front-ends on the same Exchange.
//
//   LighterServer srv(io, exchange, wall_clock, rules);
//   srv.start();                      // srv.port() now holds the bound port
//   io.run();
#include <cstdint>
#include <memory>
#include <string>

#include "bparb/core/clock.hpp"
#include "bparb/sim/exchange.hpp"
#include "bparb/sim/lighter/api.hpp"

namespace boost::asio {
class io_context;
}  // namespace boost::asio

namespace bparb::sim::lighter {

class LighterHub;

class LighterServer {
 public:
  LighterServer(boost::asio::io_context& io, Exchange& exchange, const Clock& wall_clock, LighterRules rules);
  ~LighterServer();
  LighterServer(const LighterServer&) = delete;
  LighterServer& operator=(const LighterServer&) = delete;

  // Binds and starts accepting. Throws std::runtime_error if the address/port cannot be bound.
  void start();
  std::uint16_t port() const;
  std::string http_url() const;  // "http://127.0.0.1:PORT"
  std::string ws_url() const;    // "ws://127.0.0.1:PORT/stream"
  // Stops accepting and closes every connection. Safe to call twice.
  void stop();

  LighterApi& api() noexcept;
  LighterHub& hub() noexcept;

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace bparb::sim::lighter
