// [strategy] kind = "basis" (the default), its descriptor's functions (app/strategy_kind.hpp): the enabled spot–perp
// pairs, the engine's basis parameters as the config gives them.
#include <ostream>
#include <string>

#include "bparb/app/strategy_nodes.hpp"

namespace bparb::app {

void basis_startup_markets(const Config& cfg, runtime::StartupOptions& so) {
  for (const PairConfig& pc : cfg.pairs)
    if (pc.enabled) so.pairs.push_back({pc.base, pc.spot_symbol, pc.perp_symbol});
}

void basis_paper_markets(const Config& cfg, runtime::PaperOptions& po) {
  for (const PairConfig& p : cfg.pairs)
    if (p.enabled) po.pairs.push_back({p.base, p.spot_symbol});
}

void basis_check_config(const Config& cfg, const std::string& file, std::ostream& out) {
  out << "config OK: " << file << " (" << cfg.enabled_pair_count() << " pairs, mode=" << mode_name(cfg.exchange.mode)
      << ")\n";
}

}  // namespace bparb::app
