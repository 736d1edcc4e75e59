// [strategy] kind = "market_maker", its descriptor's functions (app/strategy_kind.hpp): its perps alone, no pair
// (docs/market_maker.md), and what check-config prints of [mm] and [mm.selector].
#include <ostream>
#include <string>

#include "bparb/app/strategy_nodes.hpp"
#include "bparb/strategy/market_maker/mm_params.hpp"

namespace bparb::app {

void market_maker_startup_markets(const Config& cfg, runtime::StartupOptions& so) {
  so.perps = cfg.mm.markets;  // the market maker trades its perps alone: no pair
  // The selector (or an edited markets list) may leave out a market an earlier run quoted.
  so.recovery.sweep_journal_markets = true;
}

void market_maker_paper_markets(const Config& cfg, runtime::PaperOptions& po) {
  po.perps = cfg.mm.markets;
}

void market_maker_check_config(const Config& cfg, const std::string& file, std::ostream& out) {
  const MarketSelectorParams& sel = cfg.mm.selector;
  std::string markets;
  for (const std::string& m : cfg.mm.markets) markets += (markets.empty() ? "" : ", ") + m;
  if (sel.enabled) {
    out << "config OK: " << file << " (market maker on up to " << sel.max_markets
        << " perp(s) the selector picks, mode=" << mode_name(cfg.exchange.mode) << ")\n";
    std::string excluded;
    for (const std::string& m : sel.exclude) excluded += (excluded.empty() ? "" : ", ") + m;
    out << "strategy: market_maker on the perps [mm.selector] picks at start-up and on SIGHUP among "
        << (markets.empty() ? std::string("every open perp") : markets)
        << " (one post-only quote per market; docs/market_maker.md)\n";
    out << "mm.selector: max_markets=" << sel.max_markets << " min_quote_volume_usd=" << sel.min_quote_volume_usd.str()
        << " max_spread_bps=" << sel.max_spread_bps.str() << " min_top_depth_usd=" << sel.min_top_depth_usd.str()
        << " exclude=[" << excluded << "]\n";
  } else {
    out << "config OK: " << file << " (market maker on " << cfg.mm.markets.size()
        << " perp(s), mode=" << mode_name(cfg.exchange.mode) << ")\n";
    out << "strategy: market_maker on " << markets << " (one post-only quote per market; docs/market_maker.md)\n";
  }
  out << "mm:";
  for (const auto& [key, value] : mm_param_values(cfg.mm.params))
    out << " " << key << "=" << value << (mm_param_is_live(key) ? "" : "*");
  out << "\n(* = needs a restart to change; the others follow SIGHUP)\n";
}

void market_maker_reload(const Config& next, Config& applied) {
  // The market maker's live keys; its markets and the keys it builds structures from wait for a restart
  // (restart_required_changes names them).
  applied.mm.params = with_live_mm_params(applied.mm.params, next.mm.params);
  applied.mm.selector = next.mm.selector;  // the selector ranks again with these (the markets change at a start)
}

}  // namespace bparb::app
