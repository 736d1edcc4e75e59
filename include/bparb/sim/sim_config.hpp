#pragma once
// bpsim's configuration: what config/sim.toml holds (every key is documented in that file).
// load_sim_config() throws SimConfigError at start-up with a message naming the file, the key, the
// bad value and the allowed range; default_sim_config() is the same as an empty file.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bparb/sim/exchange.hpp"
#include "bparb/sim/faults.hpp"
#include "bparb/sim/market_model.hpp"

namespace bparb::sim {

struct ServerConfig {
  std::string listen_address = "127.0.0.1";
  std::uint16_t port = 0;                       // 0 = ephemeral (SimServer::port() reports it)
  std::int64_t ws_ping_interval_ms = 60'000;    // server Ping frame cadence (Backpack: 60 s)
  std::int64_t ws_pong_timeout_ms = 120'000;    // close a connection with no Pong for this long
  std::size_t ws_send_queue_max = 4096;         // frames queued per connection; overflow closes it
  std::size_t max_body_bytes = 1u << 20;        // HTTP request body limit
  std::int64_t http_idle_timeout_ms = 120'000;  // keep-alive connection closed after this idle time
};

struct RuntimeConfig {
  std::uint64_t seed = 42;              // market model and fault RNG
  double time_scale = 1.0;              // simulated time runs N x faster than the wall clock (funding)
  std::int64_t step_interval_ms = 100;  // wall-clock cadence of model steps; 0 = manual (tests)
  std::int64_t start_time_ms = 0;       // simulated start time; 0 = wall clock now
  bool model_enabled = true;            // false: no background maker/taker (empty books)
};

// Replay mode: background liquidity from a recording (ReplayModel) instead of the market model.
struct ReplayConfig {
  bool enabled = false;
  std::string path;           // recording file or directory (tests/record/FORMAT.md)
  double speed = 1.0;         // recorded seconds per simulated second
  std::int64_t start_us = 0;  // recording time to start at (0 = its first line); earlier lines fast-forward
  std::string maker_api_key = "bpsim-replay-maker";
  std::vector<std::pair<std::string, std::string>> symbols;  // recorded -> exchange symbol
};

// A scheduled market event ([[script]] in the config): at `at_seconds` of simulated time after the
// runtime started, `coin`'s perp-over-spot basis is set to `basis_bps`; the market model's own dynamics
// (mean reversion, noise, jumps) carry on from there. Paper mode uses one so a new user sees a whole
// trade in the first minutes; tests and demos use them for reproducible scenarios. Needs the market model.
// With dislocation_bps instead, `coin`'s books are moved that far from the fair value they follow (a venue of
// a world, docs/cross_venue.md; they converge back at the venue's dislocation half-life).
struct ScriptedBasis {
  double at_seconds = 0;
  std::string coin;  // a [[model.coins]] coin, e.g. "SOL"
  double basis_bps = 0;
  bool dislocation = false;  // dislocation_bps: basis_bps holds the dislocation to add
};

struct SimConfig {
  ServerConfig server;
  RuntimeConfig runtime;
  ExchangeConfig exchange = default_exchange_config();  // markets, fees, accounts
  MarketModelConfig model = default_model_config();
  FaultConfig faults;
  ReplayConfig replay;
  std::vector<ScriptedBasis> script;  // in at_seconds order
};

// The protocol a venue's front-end speaks (sim/<protocol>/ holds it).
enum class VenueProtocol : std::uint8_t { kBackpack, kLighter };
std::string_view protocol_name(VenueProtocol p) noexcept;  // "backpack", "lighter"

// What a Lighter venue's front-end serves over the venue's Exchange ([venues.NAME.lighter], documented in
// config/sim-backpack-lighter.toml). Protocol-neutral data: sim/lighter turns it into its LighterRules.
struct LighterMarketConfig {
  std::int64_t market_id = 0;  // perps 0..254, spot 2048..32767
  std::string symbol;          // the Exchange market behind it ("SOL_USDC_PERP")
  std::string lighter_symbol;  // what Lighter calls it ("SOL"; spot "SOL/USDC")
  // The Exchange market's tick is 10^-price_decimals and its step 10^-size_decimals.
  int size_decimals = 0;
  int price_decimals = 0;
  Decimal min_base_amount;   // base units
  Decimal min_quote_amount;  // USDC
  // Reported by orderBookDetails, in 1/10,000.
  std::uint16_t default_initial_margin_fraction = 500;
  std::uint16_t min_initial_margin_fraction = 200;
  std::uint16_t maintenance_margin_fraction = 120;
  std::uint16_t closeout_margin_fraction = 80;
};

struct LighterApiKeyConfig {
  std::uint8_t index = 0;      // the key slot, 0..254
  std::string public_key_hex;  // 80 hex characters (a valid public key)
};

struct LighterAccountConfig {
  std::int64_t account_index = 0;
  AccountId account = 0;  // the Exchange account it trades on (created from the section's balances)
  std::vector<LighterApiKeyConfig> api_keys;
};

struct LighterVenueConfig {
  std::uint32_t chain_id = 304;  // mainnet's; testnet is 300
  Decimal maker_fee_pct;         // percent, as orderBookDetails reports them
  Decimal taker_fee_pct;
  std::int64_t max_auth_token_lifetime_s = 8 * 3600;
  std::vector<LighterMarketConfig> markets;
  std::vector<LighterAccountConfig> accounts;
};

// One venue of a multi-venue bpsim: its own exchange, market model or replay, faults and front-end on its
// own port. `sim` holds the venue's whole configuration: the top-level sections it inherits with its own
// [venues.NAME.*] sections read over them.
struct VenueConfig {
  std::string name;  // the key of [venues.NAME]
  VenueProtocol protocol = VenueProtocol::kBackpack;
  SimConfig sim;
  LighterVenueConfig lighter;  // protocol kLighter only
};

// What bpsim serves: a file without [venues] is today's form and means exactly one Backpack venue
// ("backpack") configured as parse_sim_config reads it; with [venues.NAME] tables, one venue each, in
// file order. `runtime` is the one simulation clock every venue shares (time_scale, start_time_ms,
// step_interval_ms); a venue's own sim.runtime may differ only in seed and model_enabled.
struct SimVenuesConfig {
  bool multi_venue = false;  // true: the file has [venues]
  RuntimeConfig runtime;
  std::vector<VenueConfig> venues;
};

class SimConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

SimConfig default_sim_config();
// Reads and validates a TOML file. Throws SimConfigError ("config/sim.toml: server.port = 70000:
// must be in [0, 65535]").
SimConfig load_sim_config(const std::string& path);
// Same from text; `source_name` is used in messages.
SimConfig parse_sim_config(std::string_view toml_text, std::string_view source_name);

// Either form (see SimVenuesConfig). Messages name a venue's keys in full ("venues.alpha.server.port").
// A lighter venue reads [venues.NAME.lighter] (markets, fees, accounts) and its Exchange is fitted to it:
// only its Lighter markets, with their decimals as tick and step, and only its Lighter accounts.
SimVenuesConfig load_sim_venues_config(const std::string& path);
SimVenuesConfig parse_sim_venues_config(std::string_view toml_text, std::string_view source_name);

}  // namespace bparb::sim
