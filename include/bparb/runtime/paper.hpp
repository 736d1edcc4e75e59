#pragma once
// Paper mode's exchange: an embedded bpsim on loopback, serving a fresh simulated account, that the node talks
// to over real sockets exactly as it would talk to the venue: Backpack (sim/backpack's front-end), and with
// [venues.lighter] markets also a simulated Lighter (sim/lighter's front-end) on its own port, over its own
// exchange built from the same bpsim file.
#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bparb/sim/backpack/server.hpp"
#include "bparb/sim/lighter/server.hpp"
#include "bparb/sim/sim_runtime.hpp"
#include "bparb/sim/sim_world.hpp"

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
  // The simulated Lighter venue: its markets by Lighter's symbol ("SOL" is the file's SOL_USDC_PERP,
  // "SOL/USDC" its SOL_USDC; their tick and step must be powers of ten), market ids 0, 1, … (spot from 2048)
  // in this order, 100,000 USDC on one account whose API key slot holds `public_key_hex`. A standard account
  // pays no fees, a premium one kPaperLighterPremium*FeePct.
  struct Lighter {
    std::vector<std::string> markets;
    std::int64_t account_index = 0;
    std::uint8_t api_key_index = 0;
    std::string public_key_hex;  // 80 hex characters
    bool premium = false;
    // The other API keys of a pool ([venues.lighter] api_key_indexes): slot and public key.
    std::vector<std::pair<std::uint8_t, std::string>> more_keys;
  };
  std::optional<Lighter> lighter;
};

// The fees the simulated Lighter charges a premium account, in percent (the venue's lowest premium tier).
inline constexpr std::string_view kPaperLighterPremiumMakerFeePct = "0.002";
inline constexpr std::string_view kPaperLighterPremiumTakerFeePct = "0.02";

class PaperExchange {
 public:
  // Loads the bpsim file, funds the account, binds and starts serving. Throws what SimRuntime and SimServer
  // throw (a bad file, a port in use).
  PaperExchange(boost::asio::io_context& io, const PaperOptions& opts);

  std::string http_url() const { return server_->http_url(); }
  std::string ws_url() const { return server_->ws_url(); }
  // The simulated Lighter's endpoints (empty without PaperOptions::lighter).
  std::string lighter_http_url() const;
  std::string lighter_ws_url() const;
  void stop();

 private:
  // Both venues in one SimWorld: one clock and one fair value per coin, which the simulated Lighter's books
  // follow (docs/cross_venue.md, paper mode); `backpack` is the Backpack venue's configuration.
  void start_world(boost::asio::io_context& io, const PaperOptions& opts, sim::SimConfig backpack);

  std::unique_ptr<sim::SimRuntime> sim_;  // without Lighter: the one venue
  std::unique_ptr<sim::SimWorld> world_;  // with Lighter: both venues
  std::unique_ptr<sim::SimServer> server_;
  std::unique_ptr<sim::lighter::LighterServer> lighter_server_;
};

}  // namespace bparb::runtime
