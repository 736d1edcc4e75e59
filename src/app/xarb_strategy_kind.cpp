// [strategy] kind = "cross_venue", its descriptor's functions (app/strategy_kind.hpp): Backpack's perp of the coin
// as start-up's lone perp (its other leg is Lighter's, loaded by the Lighter venue), the recovery's pair, each
// venue's own slippage buffer, and what check-config prints of [xarb] (docs/cross_venue.md).
#include <ostream>
#include <string>

#include "bparb/app/strategy_nodes.hpp"
#include "bparb/strategy/cross_venue/xarb_params_toml.hpp"
#include "bparb/strategy/fee_model.hpp"

namespace bparb::app {

void cross_venue_startup_markets(const Config& cfg, runtime::StartupOptions& so) {
  so.perps = {cfg.xarb.backpack_market};  // its pair's other leg is Lighter's, loaded by the Lighter node
  so.recovery.cross_venue_pair = cfg.xarb.coin;
  so.recovery.cross_venue_markets = {cfg.xarb.backpack_market, cfg.xarb.lighter_market};
}

void cross_venue_paper_markets(const Config& cfg, runtime::PaperOptions& po) {
  po.perps = {cfg.xarb.backpack_market};
}

void cross_venue_engine_params(const Config& cfg, exec::EngineParams& p) {
  // Leg 0 is Backpack's perp, leg 1 Lighter's: hedges and exits use each venue's own buffer, and exits cross.
  p.basis.spot_slippage_buffer = bps_to_fraction(cfg.xarb.backpack_slippage_bps);
  p.basis.perp_slippage_buffer = bps_to_fraction(cfg.xarb.lighter_slippage_bps);
  p.exit.exit_as_maker = false;
}

void cross_venue_check_config(const Config& cfg, const std::string& file, std::ostream& out) {
  const XarbConfig& x = cfg.xarb;
  out << "config OK: " << file << " (cross-venue " << x.coin << ", mode=" << mode_name(cfg.exchange.mode) << ")\n";
  out << "strategy: cross_venue " << x.coin << ": Backpack " << x.backpack_market << " / Lighter " << x.lighter_market
      << " (docs/cross_venue.md)\n";
  out << "xarb: backpack_slippage_bps=" << x.backpack_slippage_bps.str()
      << " lighter_slippage_bps=" << x.lighter_slippage_bps.str()
      << " opening_delay_seconds=" << x.opening_delay_us / kUsPerSecond
      << " leg_order=" << xarb_leg_order_name(x.leg_order)
      << " first_leg_timeout_ms=" << x.first_leg_timeout_us / kUsPerMs
      << " csv_dir=" << (x.csv_dir.empty() ? "(the log file's directory)" : x.csv_dir);
  for (const auto& [key, value] : xarb_param_values(x.params)) out << " " << key << "=" << value;
  out << "\n(coin, markets and csv_dir need a restart to change; the others follow SIGHUP)\n";
}

void cross_venue_reload(const Config& next, Config& applied) {
  // The cross-venue thresholds, sizes and buffers; its coin, markets and CSV directory wait for a restart.
  applied.xarb.params = next.xarb.params;
  applied.xarb.backpack_slippage_bps = next.xarb.backpack_slippage_bps;
  applied.xarb.lighter_slippage_bps = next.xarb.lighter_slippage_bps;
  applied.xarb.opening_delay_us = next.xarb.opening_delay_us;
}

}  // namespace bparb::app
