// [xarb]: the cross-venue arbitrage's coin, markets and the daemon's own keys (docs/cross_venue.md §8), and how
// [strategy] kind picks it. The decision core's parameters are read by its own reader
// (strategy/cross_venue/xarb_params_toml.hpp); its messages become the loader's issues, at their position.
#include <algorithm>
#include <string>
#include <vector>

#include "bparb/strategy/cross_venue/xarb_params_toml.hpp"
#include "config_reader.hpp"

namespace bparb::app {

std::string_view xarb_leg_order_name(LegSequence s) noexcept {
  switch (s) {
    case LegSequence::kLeg0First:
      return "backpack_first";
    case LegSequence::kLeg1First:
      return "lighter_first";
    case LegSequence::kTogether:
      break;
  }
  return "together";
}

}  // namespace bparb::app

namespace bparb::app::config_detail {
namespace {

constexpr std::string_view kCoinAllowed =
    "allowed: an upper-case coin symbol of 1 to 12 letters or digits, e.g. \"BTC\"";

bool coin_symbol(std::string_view s) {
  return !s.empty() && s.size() <= 12 &&
         std::all_of(s.begin(), s.end(), [](char ch) { return (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9'); });
}

// The daemon's keys of [xarb]; the rest belong to the decision core's reader.
constexpr const char* kOwnKeys[] = {"coin",
                                    "backpack_market",
                                    "lighter_market",
                                    "backpack_slippage_bps",
                                    "lighter_slippage_bps",
                                    "opening_delay_seconds",
                                    "leg_order",
                                    "first_leg_timeout_ms",
                                    "bbo_csv_interval_seconds",
                                    "csv_dir"};

}  // namespace

void Loader::read_xarb(Section& s, Config& c) {
  const toml::table* t = s.table();
  if (t == nullptr) return;
  XarbConfig& x = c.xarb;
  x.present = true;
  if (const toml::node* n = s.string("coin", x.coin); n != nullptr && !coin_symbol(x.coin)) {
    issue_at(n, "xarb.coin: got " + quote(x.coin) + "; " + std::string(kCoinAllowed));
    x.coin.clear();
  }
  s.string("backpack_market", x.backpack_market);
  s.string("lighter_market", x.lighter_market);
  if (!x.coin.empty()) {
    if (x.backpack_market.empty()) x.backpack_market = x.coin + "_USDC_PERP";
    if (x.lighter_market.empty()) x.lighter_market = x.coin;
  }
  s.decimal("backpack_slippage_bps", x.backpack_slippage_bps, between("0", "500", "bps beyond the worst walked level"));
  s.decimal("lighter_slippage_bps", x.lighter_slippage_bps, between("0", "500", "bps beyond the worst walked level"));
  s.duration("opening_delay_seconds", kUsPerSecond, x.opening_delay_us, between("0", "86400"));
  const int order = s.choice("leg_order", {"together", "backpack_first", "lighter_first"}, false);
  if (order >= 0) x.leg_order = static_cast<LegSequence>(order);  // the words are in LegSequence's order
  s.duration("first_leg_timeout_ms", kUsPerMs, x.first_leg_timeout_us,
             between("10", "60000", "ms the second leg waits for the first leg's fills"));
  s.string("csv_dir", x.csv_dir);
  // Every key of the core's table is known here; a key that is none of them (nor the daemon's) is left to the
  // loader's unknown-key report, with its suggestion, like in every other section.
  for (const std::string& k : xarb_param_keys()) (void)s.get(k);
  toml::table core = *t;
  for (const char* k : kOwnKeys) core.erase(k);
  XarbParamsRead r = read_xarb_params(core, "", "xarb");
  for (const std::string& e : r.errors) {
    if (e.find(": unknown key") != std::string::npos) continue;
    std::uint32_t line = 0, col = 0;
    std::string text = strip_position(e, line, col);
    Issue i;
    i.line = line;
    i.col = col;
    i.text = std::move(text);
    issues_.push_back(std::move(i));
  }
  x.params = r.params;
}

void Loader::check_xarb(const Config& c) {
  if (c.strategy.kind != StrategyKind::kCrossVenue) {
    if (c.xarb.present)
      warnings_.push_back(file_ + ": [xarb] is read only with [strategy] kind = \"cross_venue\"; this config trades " +
                          std::string(strategy_kind_name(c.strategy.kind)) + " and ignores it");
    return;
  }
  if (!c.xarb.present) {
    issue(nullptr,
          "strategy.kind: \"cross_venue\" needs an [xarb] table naming its coin; allowed: [xarb] coin = \"BTC\" "
          "(docs/cross_venue.md)");
    return;
  }
  if (c.xarb.coin.empty()) {
    if (nodes_.count("xarb.coin") == 0)
      issue(nullptr,
            "xarb.coin: missing; [strategy] kind = \"cross_venue\" trades one coin; " + std::string(kCoinAllowed));
    return;
  }
  const bool lighter_listed =
      c.venues.lighter.has_value() && std::find(c.venues.lighter->markets.begin(), c.venues.lighter->markets.end(),
                                                c.xarb.lighter_market) != c.venues.lighter->markets.end();
  if (!lighter_listed)
    issue(nullptr, "venues.lighter.markets: must list " + quote(c.xarb.lighter_market) +
                       " (xarb.lighter_market) for [strategy] kind = \"cross_venue\"; allowed: [venues.lighter] "
                       "markets = [" +
                       quote(c.xarb.lighter_market) + "]");
  if (c.xarb.params.max_position_backpack.is_zero() || c.xarb.params.max_position_lighter.is_zero())
    warnings_.push_back(file_ +
                        ": xarb.max_position_backpack or xarb.max_position_lighter is 0: the cross-venue strategy "
                        "will never open a position");
}

}  // namespace bparb::app::config_detail
