#pragma once
// Paper mode's exchange: an embedded bpsim on loopback, serving a fresh simulated account, that the node talks
// to over real sockets exactly as it would talk to the venue. One per configured venue (today one: Backpack,
// whose protocol front-end and recorded-frame decoder sim/backpack provides).
#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "bparb/sim/backpack/server.hpp"
#include "bparb/sim/sim_runtime.hpp"

namespace bparb::runtime {

struct PaperOptions {
  std::string sim_config;  // the bpsim file: markets, market model, faults
  std::uint16_t port = 0;  // loopback port; zero = ephemeral
  std::string api_key;     // the simulated account's key (base64 ED25519 public key)
  // What the account is funded for: each traded pair's base asset and spot market.
  struct Pair {
    std::string base;
    std::string spot_symbol;
  };
  std::vector<Pair> pairs;
  std::vector<std::string> perps;  // markets traded alone (the market maker): their quote asset is seeded too
};

class PaperExchange {
 public:
  // Loads the bpsim file, funds the account, binds and starts serving. Throws what SimRuntime and SimServer
  // throw (a bad file, a port in use).
  PaperExchange(boost::asio::io_context& io, const PaperOptions& opts);

  std::string http_url() const { return server_->http_url(); }
  std::string ws_url() const { return server_->ws_url(); }
  void stop();

 private:
  std::unique_ptr<sim::SimRuntime> sim_;
  std::unique_ptr<sim::SimServer> server_;
};

}  // namespace bparb::runtime
