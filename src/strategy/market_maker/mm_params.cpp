// The `[mm]` key table, its validation and the allowed-range texts.
#include "bparb/strategy/market_maker/mm_params.hpp"

#include <array>
#include <string>
#include <vector>

#include "mm_param_table.hpp"

namespace bparb {
namespace mm_detail {
namespace {

constexpr Decimal dec(std::int64_t raw) noexcept {
  return Decimal::from_raw(raw);
}
constexpr Decimal kZero = Decimal::zero();
constexpr Decimal kOne = Decimal::one();
constexpr const char* kFraction = "(a fraction: 0.002 means 0.2 %)";

const std::array<DecimalKey, 10> kDecimalKeys{{
    {"flow_ema_alpha", &MmParams::flow_ema_alpha, kZero, true, kOne, false, "(weight of the newest ratio)"},
    {"side_switch_ratio", &MmParams::side_switch_ratio, kOne, true, Decimal::from_int(100), false,
     "(buy/sell taker notional ratio that selects the ask; its inverse selects the bid)"},
    {"equity_fraction", &MmParams::equity_fraction, kZero, true, kOne, false, kFraction},
    {"max_quote_usd", &MmParams::max_quote_usd, kZero, true, Decimal::from_int(1'000'000), false, nullptr},
    {"breaker_mid_move_fraction", &MmParams::breaker_mid_move_fraction, kZero, true, kOne, false, kFraction},
    {"breaker_spread_fraction", &MmParams::breaker_spread_fraction, kZero, true, kOne, false, kFraction},
    {"inventory_cap_fraction", &MmParams::inventory_cap_fraction, kZero, true, Decimal::from_int(10), false,
     "(of equity; above 1 uses leverage)"},
    {"inventory_soft_fraction", &MmParams::inventory_soft_fraction, kZero, true, kOne, false, "(of the cap)"},
    {"hedge_fraction", &MmParams::hedge_fraction, kZero, true, kOne, false, "(of the excess over the cap)"},
    {"request_headroom_fraction", &MmParams::request_headroom_fraction, kZero, false, dec(900'000'000), false,
     "(of the request budget, kept for cancels and hedges)"},
}};

constexpr std::int64_t kHour = 3'600'000;

const std::array<IntegerKey, 17> kIntegerKeys{{
    {"flow_window_ms", &MmParams::flow_window_ms, 100, 600'000, nullptr},
    {"min_side_hold_ms", &MmParams::min_side_hold_ms, 0, kHour, nullptr},
    {"price_offset_ticks", &MmParams::price_offset_ticks, 0, 1'000, "(behind our side's best price)"},
    {"requote_ticks", &MmParams::requote_ticks, 1, 1'000, nullptr},
    {"requote_persist_ms", &MmParams::requote_persist_ms, 0, 60'000, "(0 = requote at once)"},
    {"max_quote_age_ms", &MmParams::max_quote_age_ms, 0, kHour, "(0 = off)"},
    {"breaker_mid_window_ms", &MmParams::breaker_mid_window_ms, 100, 60'000, nullptr},
    {"max_book_age_ms", &MmParams::max_book_age_ms, 100, 600'000, nullptr},
    {"max_trade_age_ms", &MmParams::max_trade_age_ms, 100, kHour, nullptr},
    {"reject_burst_count", &MmParams::reject_burst_count, 1, kMmMaxRejectBurst, nullptr},
    {"reject_burst_window_ms", &MmParams::reject_burst_window_ms, 100, kHour, nullptr},
    {"cooldown_ms", &MmParams::cooldown_ms, 0, kHour, nullptr},
    {"hedge_interval_ms", &MmParams::hedge_interval_ms, 100, 600'000, nullptr},
    {"max_requests_per_window", &MmParams::max_requests_per_window, 1, kMmMaxRequestsPerWindow, nullptr},
    {"request_window_ms", &MmParams::request_window_ms, 100, kHour, nullptr},
    {"rate_limit_backoff_ms", &MmParams::rate_limit_backoff_ms, 100, 600'000, nullptr},
    {"rate_limit_backoff_max_ms", &MmParams::rate_limit_backoff_max_ms, 100, kHour, nullptr},
}};

}  // namespace

std::string DecimalKey::allowed() const {
  std::string out = std::string(lo_open ? "> " : ">= ") + lo.str() + " and " + (hi_open ? "< " : "<= ") + hi.str();
  if (note != nullptr) out += std::string(" ") + note;
  return out;
}

std::string IntegerKey::allowed() const {
  std::string out = "an integer from " + std::to_string(lo) + " to " + std::to_string(hi);
  if (note != nullptr) out += std::string(" ") + note;
  return out;
}

std::span<const DecimalKey> decimal_keys() noexcept {
  return kDecimalKeys;
}
std::span<const IntegerKey> integer_keys() noexcept {
  return kIntegerKeys;
}

void cross_checks(const MmParams& p, const std::string& section, std::vector<std::string>& out) {
  const std::string s = section + ".";
  if (p.max_quote_age_ms != 0 && p.max_quote_age_ms < 100) {
    out.push_back(s + "max_quote_age_ms: " + std::to_string(p.max_quote_age_ms) +
                  " is out of range; allowed: 0 (off) or an integer from 100 to " + std::to_string(kHour));
  }
  if (p.rate_limit_backoff_max_ms < p.rate_limit_backoff_ms) {
    out.push_back(s + "rate_limit_backoff_max_ms: " + std::to_string(p.rate_limit_backoff_max_ms) + " is below " + s +
                  "rate_limit_backoff_ms " + std::to_string(p.rate_limit_backoff_ms) +
                  "; allowed: rate_limit_backoff_max_ms >= rate_limit_backoff_ms");
  }
  // Quotes may use the budget minus the headroom: at least one request must remain for them.
  const Decimal for_quotes =
      Decimal::from_int(p.max_requests_per_window).mul(Decimal::one() - p.request_headroom_fraction, Rounding::kDown);
  if (p.request_headroom_fraction >= Decimal::zero() && for_quotes < Decimal::one()) {
    out.push_back(s + "request_headroom_fraction: " + p.request_headroom_fraction.str() + " leaves no request of " + s +
                  "max_requests_per_window " + std::to_string(p.max_requests_per_window) +
                  " for quotes; allowed: max_requests_per_window x (1 - request_headroom_fraction) >= 1");
  }
}

}  // namespace mm_detail

std::vector<std::string> validate_mm_params(const MmParams& p, const std::string& section) {
  std::vector<std::string> out;
  for (const mm_detail::DecimalKey& k : mm_detail::decimal_keys()) {
    const Decimal v = p.*k.field;
    if (!k.contains(v))
      out.push_back(section + "." + k.name + ": " + v.str() + " is out of range; allowed: " + k.allowed());
  }
  for (const mm_detail::IntegerKey& k : mm_detail::integer_keys()) {
    const std::int64_t v = p.*k.field;
    if (!k.contains(v)) {
      out.push_back(section + "." + k.name + ": " + std::to_string(v) + " is out of range; allowed: " + k.allowed());
    }
  }
  if (out.empty()) mm_detail::cross_checks(p, section, out);
  return out;
}

std::vector<std::pair<std::string, std::string>> mm_param_values(const MmParams& p) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const mm_detail::DecimalKey& k : mm_detail::decimal_keys()) out.emplace_back(k.name, (p.*k.field).str());
  for (const mm_detail::IntegerKey& k : mm_detail::integer_keys()) out.emplace_back(k.name, std::to_string(p.*k.field));
  return out;
}

bool mm_param_is_live(std::string_view key) noexcept {
  // Read by decide() from the parameters each time; everything else was given to a guard's constructor.
  constexpr std::string_view kLive[] = {"price_offset_ticks",      "equity_fraction",
                                        "max_quote_usd",           "requote_ticks",
                                        "max_quote_age_ms",        "breaker_mid_move_fraction",
                                        "breaker_spread_fraction", "max_book_age_ms",
                                        "max_trade_age_ms",        "cooldown_ms",
                                        "inventory_cap_fraction",  "inventory_soft_fraction",
                                        "hedge_fraction",          "hedge_interval_ms",
                                        "requote_persist_ms"};
  for (std::string_view k : kLive)
    if (k == key) return true;
  return false;
}

MmParams with_live_mm_params(const MmParams& running, const MmParams& next) noexcept {
  MmParams out = running;
  for (const mm_detail::DecimalKey& k : mm_detail::decimal_keys())
    if (mm_param_is_live(k.name)) out.*k.field = next.*k.field;
  for (const mm_detail::IntegerKey& k : mm_detail::integer_keys())
    if (mm_param_is_live(k.name)) out.*k.field = next.*k.field;
  return out;
}

std::vector<std::string> mm_param_keys() {
  std::vector<std::string> out;
  for (const mm_detail::DecimalKey& k : mm_detail::decimal_keys()) out.emplace_back(k.name);
  for (const mm_detail::IntegerKey& k : mm_detail::integer_keys()) out.emplace_back(k.name);
  return out;
}

}  // namespace bparb
