#include "bparb/strategy/cross_venue/xarb_params.hpp"

#include <array>

#include "xarb_param_table.hpp"

namespace bparb {

const char* to_string(LighterFeeTier t) noexcept {
  return t == LighterFeeTier::kPremium ? "premium" : "standard";
}

bool parse_lighter_fee_tier(std::string_view s, LighterFeeTier& out) noexcept {
  if (s == "standard") {
    out = LighterFeeTier::kStandard;
  } else if (s == "premium") {
    out = LighterFeeTier::kPremium;
  } else {
    return false;
  }
  return true;
}

InstrumentFees lighter_tier_fees(LighterFeeTier t) noexcept {
  // docs/cross_venue.md §3: Standard 0 / 0; Premium without staked LIT 0.004 % maker, 0.028 % taker.
  if (t == LighterFeeTier::kPremium)
    return InstrumentFees{Decimal::from_raw(400'000'000), Decimal::from_raw(2'800'000'000)};
  return InstrumentFees{};
}

namespace xarb_detail {
namespace {

constexpr Decimal D(std::int64_t whole) {
  return Decimal::from_int(whole);
}
constexpr Decimal kZero = Decimal::zero();

const std::array<DecimalKey, 21> kDecimalKeys{{
    {"target_notional_usd", &XarbParams::target_notional_usd, kZero, true, D(10'000'000), "USD per leg"},
    {"target_quantity", &XarbParams::target_quantity, kZero, false, D(1'000'000'000),
     "base units per leg, 0 = size by target_notional_usd"},
    {"long_threshold", &XarbParams::long_threshold, kZero, false, D(1'000'000), "USD per unit"},
    {"short_threshold", &XarbParams::short_threshold, kZero, false, D(1'000'000), "USD per unit"},
    {"min_entry_spread_bps", &XarbParams::min_entry_spread_bps, kZero, false, D(1'000), "bps"},
    {"min_net_edge_bps", &XarbParams::min_net_edge_bps, kZero, false, D(1'000), "bps"},
    {"expected_exit_spread_bps", &XarbParams::expected_exit_spread_bps, D(-1'000), false, D(1'000), "bps"},
    {"slippage_allowance_bps", &XarbParams::slippage_allowance_bps, kZero, false, D(1'000), "bps"},
    {"max_position_backpack", &XarbParams::max_position_backpack, kZero, false, D(1'000'000'000), "base units"},
    {"max_position_lighter", &XarbParams::max_position_lighter, kZero, false, D(1'000'000'000), "base units"},
    {"max_total_exposure_usd", &XarbParams::max_total_exposure_usd, kZero, false, D(1'000'000'000), "USD"},
    {"depth_band_bps", &XarbParams::depth_band_bps, kZero, false, D(10'000), "bps"},
    {"max_depth_fraction", &XarbParams::max_depth_fraction, kZero, true, D(1), "of the thinner depth"},
    {"min_confidence", &XarbParams::min_confidence, kZero, false, D(1), nullptr},
    {"stale_penalty", &XarbParams::stale_penalty, kZero, false, D(1), nullptr},
    {"resync_penalty", &XarbParams::resync_penalty, kZero, false, D(1), nullptr},
    {"volatility_threshold_bps", &XarbParams::volatility_threshold_bps, kZero, false, D(10'000), "bps"},
    {"volatility_penalty", &XarbParams::volatility_penalty, kZero, false, D(1), nullptr},
    {"min_closing_spread", &XarbParams::min_closing_spread, D(-1'000'000), false, D(1'000'000), "USD per unit"},
    {"take_profit_bps", &XarbParams::take_profit_bps, kZero, false, D(10'000), "bps, 0 disables"},
    {"max_adverse_funding_bps", &XarbParams::max_adverse_funding_bps, kZero, false, D(10'000), "bps per hour"},
}};

const std::array<IntegerKey, 5> kIntegerKeys{{
    {"expected_holding_s", &XarbParams::expected_holding_s, 0, 30 * 24 * 3600, "seconds"},
    {"max_book_age_ms", &XarbParams::max_book_age_ms, 1, 600'000, "milliseconds"},
    {"stale_after_ms", &XarbParams::stale_after_ms, 1, 600'000, "milliseconds"},
    {"resync_grace_ms", &XarbParams::resync_grace_ms, 0, 3'600'000, "milliseconds"},
    {"max_holding_s", &XarbParams::max_holding_s, 0, 90 * 24 * 3600, "seconds, 0 disables"},
}};

}  // namespace

std::string DecimalKey::allowed() const {
  std::string s = lo_open ? "(" : "[";
  s += lo.str() + ", " + hi.str() + "]";
  if (unit != nullptr) s += std::string(" ") + unit;
  return s;
}

std::string IntegerKey::allowed() const {
  std::string s = "an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]";
  if (unit != nullptr) s += std::string(" ") + unit;
  return s;
}

std::span<const DecimalKey> decimal_keys() noexcept {
  return kDecimalKeys;
}
std::span<const IntegerKey> integer_keys() noexcept {
  return kIntegerKeys;
}

}  // namespace xarb_detail

const char* validate(const XarbParams& p) noexcept {
  for (const xarb_detail::DecimalKey& k : xarb_detail::decimal_keys()) {
    if (!k.contains(p.*k.field)) return k.name;
  }
  for (const xarb_detail::IntegerKey& k : xarb_detail::integer_keys()) {
    if (!k.contains(p.*k.field)) return k.name;
  }
  if (!xarb_detail::stale_penalty_can_apply(p)) return "stale_after_ms";
  return nullptr;
}

}  // namespace bparb
