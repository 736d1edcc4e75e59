// The one table from [strategy] kind to what the strategy brings to the app (app/strategy_kind.hpp): its node in
// the daemon, its markets, its engine parameters and its check-config lines. A new strategy adds its kind to the
// config (StrategyKind) and one row here.
#include "bparb/app/strategy_nodes.hpp"

#include <array>
#include <stdexcept>
#include <string>

namespace bparb::app {
namespace {

constexpr std::array kStrategies{
    StrategyDescriptor{StrategyKind::kBasis, &make_basis_strategy_node, &basis_startup_markets, &basis_paper_markets,
                       &basis_engine_params, &basis_check_config, &basis_reload, false},
    StrategyDescriptor{StrategyKind::kMarketMaker, &make_market_maker_strategy_node, &market_maker_startup_markets,
                       &market_maker_paper_markets, &basis_engine_params, &market_maker_check_config,
                       &market_maker_reload, false},
    StrategyDescriptor{StrategyKind::kCrossVenue, &make_cross_venue_strategy_node, &cross_venue_startup_markets,
                       &cross_venue_paper_markets, &cross_venue_engine_params, &cross_venue_check_config,
                       &cross_venue_reload, true},
};

}  // namespace

const StrategyDescriptor& strategy_descriptor(StrategyKind kind) {
  for (const StrategyDescriptor& d : kStrategies)
    if (d.kind == kind) return d;
  throw std::logic_error("no descriptor for [strategy] kind = " + std::string(strategy_kind_name(kind)));
}

std::span<const StrategyDescriptor> strategy_descriptors() noexcept {
  return kStrategies;
}

std::unique_ptr<StrategyNode> make_strategy_node(StrategyKind kind, StrategyContext& ctx) {
  return strategy_descriptor(kind).make_node(ctx);
}

}  // namespace bparb::app
