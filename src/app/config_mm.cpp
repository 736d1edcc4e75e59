// [mm]: the market maker's markets and parameters (docs/market_maker.md), and how [strategy] kind picks it.
// The parameters are read by the market maker's own reader (strategy/market_maker/mm_params_toml.hpp); its
// messages become the loader's issues, at their position, so they sort and print like every other one.
#include <algorithm>
#include <cctype>
#include <charconv>
#include <string>
#include <vector>

#include "bparb/strategy/market_maker/mm_params_toml.hpp"
#include "config_reader.hpp"

namespace bparb::app::config_detail {
namespace {

constexpr std::string_view kMarketsAllowed =
    "allowed: an array of 1 to 8 distinct Backpack perp symbols such as [\"SOL_USDC_PERP\"] (upper case, ending in "
    "_PERP)";

bool perp_symbol(std::string_view s) {
  constexpr std::string_view kSuffix = "_PERP";
  if (s.size() <= kSuffix.size() + 1 || s.size() > 40 || s.substr(s.size() - kSuffix.size()) != kSuffix) return false;
  return std::all_of(s.begin(), s.end(),
                     [](char ch) { return (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_'; });
}

}  // namespace

// The reader's message without the file: ":LINE:COL: text" or ": text". `line`/`col` stay 0 without a position.
std::string strip_position(const std::string& msg, std::uint32_t& line, std::uint32_t& col) {
  line = col = 0;
  std::size_t at = 0;
  if (!msg.empty() && msg[0] == ':') {
    const char* p = msg.data() + 1;
    const char* end = msg.data() + msg.size();
    auto r = std::from_chars(p, end, line);
    if (r.ec == std::errc() && r.ptr < end && *r.ptr == ':') {
      r = std::from_chars(r.ptr + 1, end, col);
      if (r.ec == std::errc()) at = static_cast<std::size_t>(r.ptr - msg.data());
    }
  }
  if (msg.compare(at, 2, ": ") == 0) at += 2;
  return msg.substr(at);
}

void Loader::read_mm(Section& s, Config& c) {
  const toml::table* t = s.table();
  if (t == nullptr) return;
  c.mm.present = true;
  // markets
  if (const toml::node* n = s.get("markets")) {
    const toml::array* a = n->as_array();
    if (a == nullptr) {
      issue_at(n, "mm.markets: wrong type, got " + describe(*n) + "; " + std::string(kMarketsAllowed));
    } else if (a->empty() || a->size() > 8) {
      issue_at(n, "mm.markets: " + std::to_string(a->size()) + " market(s); " + std::string(kMarketsAllowed));
    } else {
      for (const toml::node& m : *a) {
        const auto* str = m.as_string();
        if (str == nullptr || !perp_symbol(str->get())) {
          issue_at(&m,
                   "mm.markets: got " + describe(m) + ", which is not a perp symbol; " + std::string(kMarketsAllowed));
          continue;
        }
        const std::string sym(str->get());
        if (std::find(c.mm.markets.begin(), c.mm.markets.end(), sym) != c.mm.markets.end()) {
          issue_at(&m, "mm.markets: " + quote(sym) + " is listed twice; " + std::string(kMarketsAllowed));
          continue;
        }
        c.mm.markets.push_back(sym);
      }
    }
  }
  s.boolean("flatten_on_stop", c.mm.flatten_on_stop);
  read_mm_selector(s, c);
  // The parameters: every key of the market maker's table is known here; a key that is none of them is left
  // to the loader's unknown-key report (with its suggestion), like in every other section.
  for (const std::string& k : mm_param_keys()) (void)s.get(k);
  MmParamsRead r = read_mm_params(*t, "", "mm");
  bool refused = false;
  for (const std::string& e : r.errors) {
    if (e.find(": unknown key") != std::string::npos) continue;
    std::uint32_t line = 0, col = 0;
    std::string text = strip_position(e, line, col);
    Issue i;
    i.line = line;
    i.col = col;
    i.text = std::move(text);
    issues_.push_back(std::move(i));
    refused = true;
  }
  // The reader checks between keys only when nothing else was wrong: an unknown key (checked above) must not
  // hide a cross-key problem.
  if (!refused)
    for (std::string& e : validate_mm_params(r.params, "mm")) issue(&t->source(), std::move(e));
  c.mm.params = r.params;
}

// [mm.selector]: the market selector's thresholds (strategy/market_maker/market_selector.hpp).
void Loader::read_mm_selector(Section& mm, Config& c) {
  const toml::node* n = mm.get("selector");
  if (n == nullptr) return;
  const toml::table* t = n->as_table();
  if (t == nullptr) {
    issue_at(n, "mm.selector: wrong type, got " + describe(*n) + "; allowed: a table ([mm.selector])");
    return;
  }
  sections_.push_back(std::make_unique<Section>(*this, "mm.selector", "mm.selector", t));
  Section& s = *sections_.back();
  MarketSelectorParams& p = c.mm.selector;
  s.boolean("enabled", p.enabled);
  s.integer("max_markets", p.max_markets, 1, 8);
  s.decimal("min_quote_volume_usd", p.min_quote_volume_usd, at_least("0"));
  s.decimal("max_spread_bps", p.max_spread_bps, above_upto("0", "1000"));
  s.decimal("min_top_depth_usd", p.min_top_depth_usd, at_least("0"));
  if (const toml::node* e = s.get("exclude")) {
    constexpr std::string_view kAllowed =
        "allowed: an array of perp symbols such as [\"JUP_USDC_PERP\"] (may be empty)";
    const toml::array* a = e->as_array();
    if (a == nullptr) {
      issue_at(e, "mm.selector.exclude: wrong type, got " + describe(*e) + "; " + std::string(kAllowed));
      return;
    }
    for (const toml::node& m : *a) {
      const auto* str = m.as_string();
      if (str == nullptr || !perp_symbol(str->get())) {
        issue_at(&m,
                 "mm.selector.exclude: got " + describe(m) + ", which is not a perp symbol; " + std::string(kAllowed));
        continue;
      }
      p.exclude.emplace_back(str->get());
    }
  }
}

void Loader::check_mm(const Config& c) {
  if (c.strategy.kind == StrategyKind::kMarketMaker) {
    if (!c.mm.present) {
      issue(nullptr,
            "strategy.kind: \"market_maker\" needs an [mm] table naming its markets; allowed: [mm] markets = "
            "[\"SOL_USDC_PERP\"] (docs/market_maker.md)");
    } else if (c.mm.markets.empty() && nodes_.count("mm.markets") == 0 && !c.mm.selector.enabled) {
      issue(nullptr,
            "mm.markets: missing; [strategy] kind = \"market_maker\" quotes the perps it names, or those "
            "[mm.selector] enabled = true picks; " +
                std::string(kMarketsAllowed));
    }
    // Paper mode funds its account from the perps the file names: with the selector and no list it would
    // quote on no equity at all.
    if (c.mm.selector.enabled && c.mm.markets.empty() && c.exchange.mode == Mode::kPaper)
      issue(nullptr,
            "mm.markets: missing; paper mode funds the simulated account from the perps [mm] markets "
            "names, so with [mm.selector] enabled it needs them as the selector's candidates; allowed: [mm] "
            "markets = [\"SOL_USDC_PERP\", \"ETH_USDC_PERP\"] (docs/market_maker.md \"Market selector\")");
    // Every quote is an order the risk gate counts: a cap below the market makers' own request budget makes
    // the gate, not the budget, decide when quoting stops.
    const MmParams& p = c.mm.params;
    const std::int64_t budget_per_minute =
        p.max_requests_per_window * 60'000 / std::max<std::int64_t>(1, p.request_window_ms) *
        (c.mm.selector.enabled ? c.mm.selector.max_markets
                               : static_cast<std::int64_t>(std::max<std::size_t>(1, c.mm.markets.size())));
    if (c.risk.max_orders_per_minute < budget_per_minute)
      warnings_.push_back(file_ + ": risk.max_orders_per_minute " + std::to_string(c.risk.max_orders_per_minute) +
                          " is below the market maker's request budget of " + std::to_string(budget_per_minute) +
                          " per minute (mm.max_requests_per_window per mm.request_window_ms, per market): the risk "
                          "gate will refuse quotes first (counted as refused in the MM stats)");
  } else if (c.mm.present) {
    warnings_.push_back(file_ +
                        ": [mm] is read only with [strategy] kind = \"market_maker\"; this config trades the basis "
                        "strategy and ignores it");
  }
}

}  // namespace bparb::app::config_detail
