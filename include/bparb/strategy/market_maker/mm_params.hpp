#pragma once
// Parameters of the one-sided post-only market maker (the `[mm]` table of the config file). Every field
// has its default here; docs/market_maker.md explains each rule. Units are in the names: `_ms`
// milliseconds, `_ticks` price ticks, `_usd` quote currency; `_fraction` keys are plain fractions
// (0.002 means 0.2 %).
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bparb/core/decimal.hpp"

namespace bparb {

struct MmParams {
  // --- Which side to quote: rolling taker flow --------------------------------------------------
  std::int64_t flow_window_ms = 2'000;                           // taker notional summed over this window
  Decimal flow_ema_alpha = Decimal::from_raw(400'000'000);       // 0.4: weight of the newest buy/sell ratio
  Decimal side_switch_ratio = Decimal::from_raw(1'300'000'000);  // ask at >= 1.3, bid at <= 1/1.3
  std::int64_t min_side_hold_ms = 1'500;                         // a side is kept at least this long

  // --- The quote -------------------------------------------------------------------------------
  std::int64_t price_offset_ticks = 0;                      // behind our side's best price
  Decimal equity_fraction = Decimal::from_raw(10'000'000);  // 0.01: quote size = equity x 1 %
  Decimal max_quote_usd = Decimal::from_int(30);            // ... capped at this notional
  std::int64_t requote_ticks = 1;                           // requote when our side's best moves this far ...
  std::int64_t requote_persist_ms = 300;                    // ... and the move has held this long (0 = at once)
  std::int64_t max_quote_age_ms = 0;                        // 0 = off; otherwise requote a quote this old

  // --- Breakers: each cancels the quote and starts the cooldown ---------------------------------
  Decimal breaker_mid_move_fraction = Decimal::from_raw(2'000'000);  // 0.2 % mid move ...
  std::int64_t breaker_mid_window_ms = 1'000;                        // ... against the mid this long ago
  Decimal breaker_spread_fraction = Decimal::from_raw(2'000'000);    // spread >= 0.2 % of mid
  std::int64_t max_book_age_ms = 5'000;                              // no book frame for this long
  std::int64_t max_trade_age_ms = 30'000;                            // no public trade for this long
  std::int64_t reject_burst_count = 5;                               // post-only rejections ...
  std::int64_t reject_burst_window_ms = 10'000;                      // ... within this window
  std::int64_t cooldown_ms = 5'000;                                  // quiet time after a breaker clears

  // --- Inventory -------------------------------------------------------------------------------
  Decimal inventory_cap_fraction = Decimal::from_raw(150'000'000);   // 0.15: cap = 15 % of equity
  Decimal inventory_soft_fraction = Decimal::from_raw(800'000'000);  // 0.8 of the cap: reducing side only
  Decimal hedge_fraction = Decimal::from_raw(600'000'000);           // over the cap: hedge 60 % of the excess
  std::int64_t hedge_interval_ms = 2'000;                            // at most one hedge per interval

  // --- Request budget --------------------------------------------------------------------------
  std::int64_t max_requests_per_window = 50;                           // this market's share of the venue limit
  std::int64_t request_window_ms = 10'000;                             //
  Decimal request_headroom_fraction = Decimal::from_raw(200'000'000);  // 0.2 of the budget kept for cancels and hedges
  std::int64_t rate_limit_backoff_ms = 2'000;                          // after a 429: send nothing this long ...
  std::int64_t rate_limit_backoff_max_ms = 60'000;                     // ... doubling per 429 up to this
};

// Capacity limits the core allocates for at construction (validate() enforces them).
inline constexpr std::int64_t kMmMaxRejectBurst = 64;
inline constexpr std::int64_t kMmMaxRequestsPerWindow = 10'000;

// Every problem with the parameters, one message each naming the key (prefixed `section.`), the value and
// the allowed range, e.g. "mm.flow_ema_alpha: 1.5 is out of range; allowed: > 0 and <= 1". Empty = valid.
std::vector<std::string> validate_mm_params(const MmParams& p, const std::string& section = "mm");

// The names of every key of the table, in declaration order (for unknown-key suggestions and docs).
std::vector<std::string> mm_param_keys();

// Every key with its value as text, in table order: check-config prints them, a reload diffs them.
std::vector<std::pair<std::string, std::string>> mm_param_values(const MmParams& p);

// Whether a key takes effect while running (a SIGHUP reload): true for the keys the core reads only when it
// decides; false for those that size or shape what it builds once (flow, mid history, rejection burst,
// request budget, back-off), which need a restart.
bool mm_param_is_live(std::string_view key) noexcept;

// `running` with the live keys of `next` (what a reload applies).
MmParams with_live_mm_params(const MmParams& running, const MmParams& next) noexcept;

}  // namespace bparb
