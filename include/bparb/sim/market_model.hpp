#pragma once
// Background market for bpsim: a seeded, deterministic price process per coin plus maker liquidity
// and taker flow placed as real orders in the Exchange, so our own orders rest in and trade against
// the same books.
//
// Model (per coin, per step of dt seconds):
//   spot mid   S <- S * exp(-sigma^2/2 dt + sigma sqrt(dt) Z)              (GBM, sigma annualised)
//   basis bps  x <- x + kappa (mu - x) dt + eta sqrt(dt) Z' + J             (Ornstein-Uhlenbeck)
//              J ~ Poisson(jump_rate dt) jumps of +/- Exp(jump_mean_bps)     (sign random)
//   perp mid   P = S * (1 + x / 10000);  index = S, mark = P (both on tick).
// Maker ladder per market: `levels` levels per side, first at half_spread_bps from mid, then every
// level_spacing_bps; level size = level_notional_usd * (1 + k * size_growth) * U(0.6, 1.4), re-quoted
// when the mid moved more than requote_threshold_bps since the last quote or a level was consumed.
// Taker flow per market: Poisson(taker_rate_per_minute) market orders of Exp(taker_mean_notional_usd)
// notional, side 50/50.
// The model keeps its state in doubles; everything entering the Exchange is integer ticks/lots.
//
// Calibration of the defaults (tests/sim/market_model_test.cpp checks it for one seed): excursions
// of |mark/index - 1| above 20 bps (counted once until back under 12 bps), per simulated hour,
// seeds 1-3 over 2 h: BTC 0, ETH 0-0.5, SOL 0.5-1, SUI 2.5-3.5, JUP 3-4.5.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bparb/core/clock.hpp"
#include "bparb/core/decimal.hpp"
#include "bparb/sim/exchange.hpp"

namespace bparb::sim {

struct LiquidityParams {
  double half_spread_bps = 2.0;       // distance of the first level from mid
  double level_spacing_bps = 2.0;     // between consecutive levels
  int levels = 10;                    // per side
  double level_notional_usd = 20000;  // size of level 0
  double size_growth = 0.3;           // level k is (1 + k * growth) times level 0
  double taker_rate_per_minute = 6;   // background market orders per minute
  double taker_mean_notional_usd = 2000;
};

struct CoinModelParams {
  std::string coin;                        // "SOL": markets "SOL_USDC" and "SOL_USDC_PERP"
  double annual_volatility = 0.8;          // GBM sigma
  double basis_mean_bps = 2.0;             // OU long-run basis (perp over spot)
  double basis_reversion_per_hour = 12.0;  // kappa: half-life = ln2/kappa hours (12/h ~ 3.5 min)
  double basis_vol_bps = 20.0;             // eta, bps per sqrt(hour); stationary sd = eta / sqrt(2 kappa)
  double jump_rate_per_hour = 2.0;         // Poisson jumps of the basis
  double jump_mean_bps = 15.0;             // mean absolute jump size
  LiquidityParams spot;
  LiquidityParams perp;
};

// How a venue's books follow a shared FairValue (the MarketModel constructor that takes one). Per coin,
// per step, the venue's spot mid is
//   S = F(t - lag) * (1 + (n + d) / 10000)
// where F is the shared fair value, n the venue's own noise (Ornstein-Uhlenbeck: stationary sd noise_bps,
// half-life noise_half_life_s) and d its dislocation: Poisson(dislocation_rate_per_hour) jumps of +/-
// Exp(dislocation_mean_bps) that decay to half every dislocation_half_life_s, so a venue that drifted away
// converges back. The perp mid, maker ladders and takers then work as without a fair value. All zero: the
// venue's spot mid is the fair value itself.
struct FollowParams {
  std::int64_t lag_ms = 0;
  double noise_bps = 0;
  double noise_half_life_s = 30;
  double dislocation_rate_per_hour = 0;
  double dislocation_mean_bps = 0;
  double dislocation_half_life_s = 60;
};

class FairValue;

struct MarketModelConfig {
  std::uint64_t seed = 42;
  double requote_threshold_bps = 1.0;
  std::string maker_api_key = "bpsim-background-maker";
  std::string taker_api_key = "bpsim-background-taker";
  bool background_trading = true;  // taker flow on/off (maker ladders always on)
  // false: every re-quote cancels the whole ladder and places it again with fresh random sizes, so a
  // depth delta carries ~every level (27.5 a frame on SOL_USDC_PERP). true: orders already resting at a
  // wanted price stay (size and queue place kept), only moved or consumed levels are replaced, which
  // gives deltas of a few levels like the live exchange's; the ladder then sits on a grid of whole-tick
  // spacings. The random draws then fall differently (re-quotes happen at other steps), so a seed gives
  // a different market than with false. Default true: it is the live exchange's shape (docs/backpack.md §6).
  bool keep_unchanged_levels = true;
  std::vector<CoinModelParams> coins;  // default_model_config() fills SOL, BTC, ETH, SUI, JUP
  FollowParams follow;                 // used only with a shared FairValue
};

// Documented defaults: BTC tight/deep and calm basis (0.2% basis is rare), SOL/ETH in between,
// SUI/JUP thin with a noisy, jumpy basis (0.2% appears several times an hour).
MarketModelConfig default_model_config();
CoinModelParams default_coin_params(std::string_view coin);  // throws std::invalid_argument if unknown

// SOL, BTC, ETH, SUI, JUP spot (X_USDC) and perps (X_USDC_PERP) with Backpack-like filters, IMF/MMF
// functions and hourly funding; seed prices SOL 150, BTC 95000, ETH 3500, SUI 3.5, JUP 0.8.
std::vector<MarketSetup> default_markets();
// default_markets() plus default fees, ready for Exchange(clock, cfg); add accounts as needed.
ExchangeConfig default_exchange_config();

class MarketModel {
 public:
  // Registers the two background accounts (unlimited) in `exchange` and places the first ladders
  // at the exchange's current seed/last prices. Coins without both markets in the exchange are
  // skipped; a coin with only one market gets a ladder on that one.
  MarketModel(Exchange& exchange, MarketModelConfig config);
  // A venue of several: coins that `fair` knows follow it (config.follow) instead of running a spot path of
  // their own; their first ladders are placed around the fair value. `fair` must outlive the model.
  MarketModel(Exchange& exchange, MarketModelConfig config, FairValue& fair);
  ~MarketModel();
  MarketModel(const MarketModel&) = delete;
  MarketModel& operator=(const MarketModel&) = delete;

  // Evolve to `now` (µs, from the exchange clock): price paths in steps of at most max_dt (1 s),
  // marks/index, re-quotes, background takers, then exchange.advance_to(now). now <= last: no-op.
  void step(TimestampUs now);

  // ---- scenario hooks (take effect at the next step, except set_* which re-quote at once)
  // Set the basis of `coin` ("SOL") or its perp symbol to `bps` (the OU process continues from there).
  bool set_basis_bps(std::string_view coin_or_symbol, double bps);
  // Add a basis jump of `bps` now.
  bool force_jump(std::string_view coin_or_symbol, double bps);
  // Set the spot mid of a coin. A coin that follows a fair value gets the dislocation that puts its mid
  // there, and converges back from it.
  bool set_mid(std::string_view coin_or_symbol, double price);
  // Add `bps` to the dislocation of a coin that follows a fair value (false otherwise); it shows at the next step.
  bool dislocate(std::string_view coin_or_symbol, double bps);
  // The background ladder of `symbol` quotes `bps` either side of its mid from now on (re-quoted at once):
  // a market whose makers pulled back. False for an unknown symbol or a value outside (0, 1000].
  bool set_half_spread_bps(std::string_view symbol, double bps);
  // Pause/resume background taker trading (maker ladders keep quoting).
  void set_background_trading(bool on);
  bool background_trading() const noexcept;
  // Pin mark/index of a market (the model stops overwriting them) / release the pin.
  bool hold_mark_index(std::string_view symbol, Decimal mark, Decimal index);
  bool release_mark_index(std::string_view symbol);

  // ---- introspection (tests, logging)
  std::optional<double> mid(std::string_view coin_or_symbol) const;  // spot mid, or perp mid for a perp symbol
  std::optional<double> basis_bps(std::string_view coin_or_symbol) const;
  // A following coin's offset from the lagged fair value (noise + dislocation), bps; nullopt otherwise.
  std::optional<double> fair_offset_bps(std::string_view coin_or_symbol) const;
  AccountId maker_account() const noexcept;
  AccountId taker_account() const noexcept;
  const MarketModelConfig& config() const noexcept;

 private:
  void init();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace bparb::sim
