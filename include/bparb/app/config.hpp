#pragma once
// The daemon's configuration: one plain struct, filled from a TOML file by load_config().
//
// Units are in the key names (…_usd, …_ms, …_seconds, …_hours, …_bps); durations are converted to
// microseconds (bparb::DurationUs) on load so consumers never re-derive units. Money and every
// fraction that can end up in a price (slippage buffers, thresholds) is an exact bparb::Decimal — the
// TOML may write them as integers, floats or decimal strings ("0.002"), and anything finer than 1e-9
// is refused rather than rounded. Doubles never appear here.
//
// API credentials are NOT part of the config: they come from the environment or a .env file
// (see secrets.hpp); load_config() refuses a config that contains them.
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "bparb/alerts/options.hpp"
#include "bparb/core/clock.hpp"
#include "bparb/core/decimal.hpp"
#include "bparb/strategy/cross_venue/xarb_params.hpp"
#include "bparb/strategy/market_maker/mm_params.hpp"
#include "bparb/strategy/strategy.hpp"

namespace bparb::app {

enum class Mode : std::uint8_t { kPaper, kLive };
std::string_view mode_name(Mode m) noexcept;  // "paper" / "live"

// Same names and order as spdlog's levels (logging.cpp maps them); kept here so config.hpp stays light.
enum class LogLevel : std::uint8_t { kTrace, kDebug, kInfo, kWarn, kError, kCritical, kOff };
std::string_view log_level_name(LogLevel l) noexcept;  // "trace" … "off"

// [risk] — hard limits enforced by the pre-trade gate before every order.
struct RiskConfig {
  Decimal max_position_usd = Decimal::from_int(1'000);         // notional of one pair's position
  Decimal max_total_exposure_usd = Decimal::from_int(5'000);   // sum over all open positions
  Decimal max_daily_loss_usd = Decimal::from_int(100);         // since 00:00 UTC; reaching it halts opening
  Decimal min_account_balance_usd = Decimal::from_int(1'000);  // net equity floor; below it → reduce-only
  DurationUs max_book_age_us = 1'500 * kUsPerMs;               // older book → no orders on that market
  std::int64_t max_orders_per_minute = 60;                     // own cap, far below the exchange's 2000/min
  Decimal margin_headroom = Decimal::from_string("0.5");       // fraction of equity the IMF may use
  Decimal max_unhedged_usd = Decimal::from_int(100);           // naked leg beyond it: hedged at once
};

// [strategy] kind — what the daemon trades: the spot–perp basis of [[pairs]] (the default), the one-sided
// post-only market maker of the perps [mm] markets names (docs/market_maker.md), or the cross-venue
// arbitrage of one coin's perpetual on Backpack and on Lighter ([xarb], docs/cross_venue.md).
enum class StrategyKind : std::uint8_t { kBasis, kMarketMaker, kCrossVenue };
std::string_view strategy_kind_name(StrategyKind k) noexcept;  // "basis" / "market_maker" / "cross_venue"

// [mm] — the market maker: its markets (Backpack perps, e.g. "SOL_USDC_PERP") and its parameters (every
// other key of the table, read by read_mm_params; defaults in strategy/market_maker/mm_params.hpp).
struct MmConfig {
  bool present = false;  // the file has an [mm] table
  std::vector<std::string> markets;
  MmParams params;
  bool flatten_on_stop = false;  // shutdown: reduce-only IOC orders take each quoted perp's position to zero
};

// [xarb] — the cross-venue arbitrage: the coin, its market on each venue, the daemon's own keys (slippage
// buffers, cooldown, CSV directory) and the decision core's parameters (every other key of the table, read by
// read_xarb_params; defaults in strategy/cross_venue/xarb_params.hpp).
// [xarb] leg_order's words: "together" / "backpack_first" / "lighter_first" (Backpack is leg 0, Lighter leg 1).
std::string_view xarb_leg_order_name(LegSequence s) noexcept;

struct XarbConfig {
  bool present = false;         // the file has an [xarb] table
  std::string coin;             // "BTC"
  std::string backpack_market;  // default "<coin>_USDC_PERP"
  std::string lighter_market;   // default "<coin>" (Lighter's perp symbol); must be in [venues.lighter] markets
  Decimal backpack_slippage_bps = Decimal::from_int(20);  // taker limit = worst level ± this
  Decimal lighter_slippage_bps = Decimal::from_int(20);
  DurationUs opening_delay_us = 10 * kUsPerSecond;     // after a trade ends, before the next entry
  LegSequence leg_order = LegSequence::kTogether;      // "together" | "backpack_first" | "lighter_first"
  DurationUs first_leg_timeout_us = 2 * kUsPerSecond;  // one leg first: the wait for its fills
  std::string csv_dir;                                 // bbo_/trades_ CSV files; empty = the log file's directory
  XarbParams params;
};

// [strategy] — basis signal, sizing and exit rules. Thresholds are fractions (0.002 = 0.2 %).
struct StrategyConfig {
  Decimal min_spread_threshold = Decimal::from_string("0.001");     // log "Found opportunity"
  Decimal min_execution_threshold = Decimal::from_string("0.002");  // tradeable
  Decimal large_spread_threshold = Decimal::from_string("0.005");   // maker plan if execution allows
  Decimal position_size_usd = Decimal::from_int(500);
  Decimal confidence_threshold = Decimal::from_string("0.7");  // 0..1
  Decimal min_closing_spread = Decimal::zero();                // close when basis ≤ this (may be < 0)
  Decimal take_profit_usd = Decimal::from_int(25);             // zero = disabled
  Decimal take_profit_fraction = Decimal::zero();              // of entry notional; zero = disabled
  DurationUs max_holding_us = 72 * kUsPerHour;
  Decimal funding_against_limit = Decimal::from_string("0.0001");  // per funding interval, fraction
  DurationUs opening_delay_us = 30 * kUsPerSecond;                 // warm-up after start
  std::int64_t max_open_positions = 3;
  bool allow_spot_borrow = false;
  DurationUs expected_holding_us = 24 * kUsPerHour;             // funding horizon of the signal
  Decimal slippage_allowance = Decimal::from_string("0.0005");  // fraction deducted from the edge
  Decimal liquidity_buffer = Decimal::from_int(3);              // size ≤ depth / buffer (≥ 1)
  DurationUs stats_interval_us = 300 * kUsPerSecond;
  StrategyKind kind = StrategyKind::kBasis;
  // How often the engine's timer runs (order timeouts, hedge deadlines, re-pricing, exits, the shutdown
  // check): the resolution of every deadline above it.
  DurationUs tick_us = 200 * kUsPerMs;
};

// [execution] — how orders are placed and how leg risk is handled.
struct ExecutionConfig {
  bool use_maker_for_large_spreads = true;
  DurationUs order_timeout_us = 10 * kUsPerSecond;                           // resting maker order lifetime
  bool fallback_to_taker = true;                                             // after a maker timeout
  Decimal spot_market_slippage_buffer = Decimal::from_string("0.002");       // taker limit = worst ± this
  Decimal perpetual_market_slippage_buffer = Decimal::from_string("0.002");  //
  DurationUs hedge_deadline_us = 3 * kUsPerSecond;   // one leg filled → the other must be hedged by then
  Decimal maker_reprice_bps = Decimal::from_int(2);  // re-quote when the touch moves this far away
  std::int64_t request_window_ms = 5'000;            // X-Window; the exchange allows at most 60000
};

// One spot–perp pair (Backpack: "SOL_USDC" / "SOL_USDC_PERP").
struct PairConfig {
  std::string base;  // "SOL"
  std::string spot_symbol;
  std::string perp_symbol;
  bool enabled = true;
};
std::vector<PairConfig> default_pairs();  // SOL, BTC, ETH, SUI, JUP against USDC

inline constexpr std::string_view kBackpackRestUrl = "https://api.backpack.exchange";
inline constexpr std::string_view kBackpackWsUrl = "wss://ws.backpack.exchange";

// [exchange]
struct ExchangeConfig {
  Mode mode = Mode::kPaper;  // required in the file: nobody trades live by default
  std::string rest_url{kBackpackRestUrl};
  std::string ws_url{kBackpackWsUrl};
  std::string env_file = ".env";                 // where secrets.hpp looks for keys not set in the environment
  std::int64_t max_requests_per_minute = 1'200;  // client-side limiter (exchange: 2000/min/subaccount)
  DurationUs rest_timeout_us = 5 * kUsPerSecond;
  DurationUs ws_stale_timeout_us = 30 * kUsPerSecond;  // no frame for this long → reconnect
  // Reconciliation cadences: account/collateral poll, fills history cross-check, funding history poll.
  DurationUs account_poll_us = 2 * kUsPerSecond;
  DurationUs fills_reconcile_us = 2 * kUsPerSecond;
  DurationUs funding_poll_us = 10 * kUsPerSecond;
};

// [paper] — paper mode runs an embedded bpsim on loopback; its markets/accounts come from sim_config.
struct PaperConfig {
  std::string sim_config = "config/sim.toml";
  DurationUs duration_us = 0;  // zero = until SIGINT/SIGTERM
  std::uint16_t port = 0;      // zero = ephemeral loopback port
};

// [logging]
struct LoggingConfig {
  std::string file = "arbitrage.log";
  LogLevel level = LogLevel::kInfo;
  std::int64_t max_size_mb = 50;  // per file before rotation
  std::int64_t max_files = 10;    // rotated files kept
  bool console = true;
  // The console shows lines at `level` and above, but never below this: debug detail stays in the file
  // unless both are "debug".
  LogLevel console_level = LogLevel::kInfo;
  std::int64_t flush_interval_seconds = 1;  // periodic flush (warnings and above flush at once)
};

// [journal] — SQLite journal of orders/fills/positions.
struct JournalConfig {
  bool enabled = true;
  std::string path = "bparb_journal.sqlite";
};

// [service] — reserved for a status/metrics HTTP endpoint that this version does not serve: the keys
// are parsed so that existing files load, and enabled = true draws a warning. Nothing listens.
struct ServiceConfig {
  bool enabled = false;
  std::string address = "127.0.0.1";
  std::uint16_t port = 8780;
  bool allow_remote = false;  // a non-loopback address is refused without it (docs/service.md)
};

// [recovery] — what start-up does with an exchange position the journal cannot explain.
enum class UnexplainedPolicy : std::uint8_t {
  kRefuse,  // refuse to start, naming the position (default: an operator decides)
  kFlag,    // start in ReduceOnly, leave the position alone, log it loudly
  kAdopt,   // take the position over and unwind it to flat (reduce-only IOC), then trade
};
std::string_view unexplained_policy_name(UnexplainedPolicy p) noexcept;  // "refuse" / "flag" / "adopt"
struct RecoveryConfig {
  UnexplainedPolicy unexplained_positions = UnexplainedPolicy::kRefuse;
};

// [shutdown] — SIGTERM/SIGINT behaviour.
struct ShutdownConfig {
  bool flatten_on_shutdown = false;           // close open positions (reduce-only) before exiting
  DurationUs timeout_us = 15 * kUsPerSecond;  // bound on cancelling/flattening before exit
};

// [backtest] — used only by `bparb backtest` (the daemon ignores it).
struct BacktestConfig {
  std::int64_t order_latency_ms = 5;             // one way, engine <-> exchange, each direction
  std::int64_t response_latency_ms = -1;         // set: the exchange -> engine part instead (-1: order_latency_ms)
  std::vector<std::int64_t> latency_samples_ms;  // non-empty: each trip draws one of these instead (seeded)
  std::int64_t seed = 1;                         // latency sampling
  // Where the markets' tick/step/limits come from: "sim_config" (paper.sim_config's markets) or
  // "binance_stand_in" (the specs `bparb-import binance` converted the recording with).
  std::string markets = "sim_config";
  Decimal spot_maker_fee_bps = Decimal::from_int(8);  // fees the simulated exchange charges (VIP 1)
  Decimal spot_taker_fee_bps = Decimal::from_int(10);
  Decimal perp_maker_fee_bps = Decimal::from_int(2);
  Decimal perp_taker_fee_bps = Decimal::from_int(5);
  Decimal quote_balance_usd = Decimal::from_int(100'000);  // starting USDC
  Decimal base_inventory_usd = Decimal::from_int(10'000);  // spot inventory per pair (for spot-premium trades)
  std::int64_t sample_interval_seconds = 1;                // equity/basis chart resolution
  bool queue_model = true;  // maker orders fill only after the recorded quantity ahead has traded
};

inline constexpr std::string_view kLighterRestUrl = "https://mainnet.zklighter.elliot.ai";
inline constexpr std::string_view kLighterWsUrl = "wss://mainnet.zklighter.elliot.ai/stream";

enum class LighterTier : std::uint8_t { kStandard, kPremium };
std::string_view lighter_tier_name(LighterTier t) noexcept;  // "standard" / "premium"

// [venues.lighter] — one Lighter account and API key. The daemon hosts it as a second venue (its markets
// become instruments, their books feed the engine, orders on them go to the venue); `bparb lighter check`
// and `bparb record` read it too. The key's private half comes from LIGHTER_API_PRIVATE_KEY (environment
// or exchange.env_file), never from this file; paper mode makes a fresh key for its simulated account.
// The most API keys [venues.lighter] api_key_indexes may list (the transaction sender's key pool).
inline constexpr std::size_t kLighterMaxApiKeys = 16;

struct LighterVenueConfig {
  std::string rest_url{kLighterRestUrl};
  std::string ws_url{kLighterWsUrl};
  std::uint32_t chain_id = 304;     // 304 mainnet, 300 testnet
  std::int64_t account_index = -1;  // required
  std::int64_t api_key_index = -1;  // required, 0..254 (the pool's first slot when api_key_indexes is given)
  // A pool of API keys of the account, used round robin per transaction, each with its own nonces; the key of
  // slot N comes from LIGHTER_API_PRIVATE_KEY_N. Empty: one key (api_key_index, LIGHTER_API_PRIVATE_KEY).
  std::vector<std::int64_t> api_key_indexes;
  LighterTier account_tier = LighterTier::kStandard;
  // The markets the daemon trades, by Lighter's own symbol ("SOL", "BTC"; spot "SOL/USDC"), in this order
  // in the instrument table. Empty: the daemon does not connect to Lighter.
  std::vector<std::string> markets;
  // The scheduled cancel-all kept ahead of now (docs/lighter.md, "Dead-man switch").
  bool dead_man_switch = true;
  DurationUs dead_man_window_us = 600 * kUsPerSecond;
  DurationUs dead_man_refresh_us = 60 * kUsPerSecond;
  bool dead_man_abort_on_stop = true;
};

// [venues.*] — venues besides the Backpack one in [exchange]; absent = not configured.
struct VenuesConfig {
  std::optional<LighterVenueConfig> lighter;
};

struct Config {
  std::string source_path;  // file it was loaded from ("<string>" for parse_config_string)
  ExchangeConfig exchange;
  PaperConfig paper;
  RiskConfig risk;
  StrategyConfig strategy;
  ExecutionConfig execution;
  MmConfig mm;
  XarbConfig xarb;
  std::vector<PairConfig> pairs = default_pairs();
  LoggingConfig logging;
  JournalConfig journal;
  ServiceConfig service;
  BacktestConfig backtest;
  RecoveryConfig recovery;
  ShutdownConfig shutdown;
  VenuesConfig venues;
  // [alerts] — operator alerts (docs/alerts.md); no sinks = off. Telegram tokens are resolved at start-up.
  alerts::AlertsOptions alerts;
  // Non-fatal remarks (e.g. URLs that paper mode ignores). The CLI prints them; the daemon logs them.
  std::vector<std::string> warnings;

  std::size_t enabled_pair_count() const noexcept;
};

// Every problem found in a config file, one per line in errors(), each of the form
//   FILE[:LINE:COL]: KEY: what is wrong (got VALUE); allowed: …
// what() is all of them joined with '\n'.
class ConfigError : public std::runtime_error {
 public:
  ConfigError(std::string file, std::vector<std::string> errors);
  const std::string& file() const noexcept { return file_; }
  const std::vector<std::string>& errors() const noexcept { return errors_; }

 private:
  std::string file_;
  std::vector<std::string> errors_;
};

// Reads, parses and validates. Throws ConfigError (never anything else) listing ALL problems.
Config load_config(const std::string& path);
// Same for TOML text already in memory; `source_name` is used as FILE in messages.
Config parse_config_string(std::string_view toml_text, const std::string& source_name);

// The reloadable keys (the ones SIGHUP applies) whose value differs between `a` and `b`, one
// "key old -> new" line each, in a fixed order.
std::vector<std::string> threshold_changes(const Config& a, const Config& b);

// Validate-only path (check-config, SIGHUP reload): never throws; empty result = valid.
std::vector<std::string> validate_config_file(const std::string& path);

// For SIGHUP: keys whose change needs a restart (mode, URLs, pairs, log file, journal, service
// endpoint, paper settings). One line per differing key, e.g. "exchange.mode: paper -> live".
std::vector<std::string> restart_required_changes(const Config& running, const Config& next);

}  // namespace bparb::app
