#pragma once
// Parameters of the cross-venue arbitrage (the same coin's perpetual on Backpack and on Lighter), the
// `[xarb]` table of a config. Formulas and defaults: docs/cross_venue.md.
//
// Units are part of each name: *_usd = quote currency (USDC), *_bps = basis points of notional, *_ms =
// milliseconds, *_s = seconds, long_threshold / short_threshold / min_closing_spread = quote currency per
// unit of base (the price difference itself, as the seed bot's thresholds were written).
#include <cstdint>
#include <string_view>

#include "bparb/core/decimal.hpp"
#include "bparb/core/instrument.hpp"

namespace bparb {

// Lighter's account tiers (docs/cross_venue.md §3): Standard pays no trading fee, Premium pays maker and
// taker fees in exchange for lower latency.
enum class LighterFeeTier : std::uint8_t { kStandard, kPremium };
const char* to_string(LighterFeeTier t) noexcept;  // "standard" / "premium"
bool parse_lighter_fee_tier(std::string_view s, LighterFeeTier& out) noexcept;
// The tier's published rates in bps (Premium: the rates without staked LIT, the highest of its schedule).
InstrumentFees lighter_tier_fees(LighterFeeTier t) noexcept;

struct XarbParams {
  // ---- Entry
  Decimal target_notional_usd = Decimal::from_int(100);  // per leg, at the Backpack touch
  Decimal target_quantity;  // base units per leg (the seed bot's --size); > 0 replaces target_notional_usd
  Decimal long_threshold;   // LongBackpack only when lighter_bid_vwap - backpack_ask_vwap > this (USD per unit)
  Decimal short_threshold;  // ShortBackpack only when backpack_bid_vwap - lighter_ask_vwap > this
  Decimal min_entry_spread_bps = Decimal::from_int(5);  // "opportunity" (logged) when the entry spread > this
  Decimal min_net_edge_bps = Decimal::from_int(2);      // tradeable when the net edge > this
  Decimal expected_exit_spread_bps;                     // spread still paid back at exit (0 = full convergence)
  Decimal slippage_allowance_bps = Decimal::from_int(2);
  std::int64_t expected_holding_s = 4 * 3600;  // funding is counted over this window
  LighterFeeTier lighter_fee_tier = LighterFeeTier::kStandard;
  bool exit_as_maker = false;  // fee assumption for the two exit fills (default: cross)
  // ---- Size caps
  Decimal max_position_backpack;  // base units, |position| after the trade; 0 = no opening
  Decimal max_position_lighter;
  Decimal max_total_exposure_usd = Decimal::from_int(1'000);  // gross notional of both legs, existing included
  Decimal depth_band_bps = Decimal::from_int(10);
  Decimal max_depth_fraction = Decimal::from_raw(500'000'000);  // 0.5 of the thinner leg's in-band depth
  // ---- Venue health
  std::int64_t max_book_age_ms = 5'000;  // a book not updated for longer refuses opening
  // ---- Confidence (a signal, not money: the decimals are converted to doubles)
  Decimal min_confidence = Decimal::from_raw(600'000'000);
  std::int64_t stale_after_ms = 2'000;
  Decimal stale_penalty = Decimal::from_raw(200'000'000);
  std::int64_t resync_grace_ms = 30'000;
  Decimal resync_penalty = Decimal::from_raw(100'000'000);
  Decimal volatility_threshold_bps = Decimal::from_int(10);  // stddev of the mid differential
  Decimal volatility_penalty = Decimal::from_raw(200'000'000);
  // ---- Exit
  Decimal min_closing_spread;                       // converged when exit spread (USD per unit) <= this
  Decimal take_profit_bps = Decimal::from_int(30);  // 0 disables
  std::int64_t max_holding_s = 24 * 3600;           // 0 disables
  Decimal max_adverse_funding_bps = Decimal::from_raw(500'000'000);  // 0.5 bp per hour against us
};

// Start-up check of values set in code: nullptr if usable, else the name of the first key outside its
// allowed range (the TOML reader gives the full message with the range).
const char* validate(const XarbParams& p) noexcept;

}  // namespace bparb
