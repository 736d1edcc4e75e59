// The one table from [strategy] kind to its node in the daemon (app/strategy_node.hpp). A new strategy adds its
// kind to the config (StrategyKind) and one row here.
#include "bparb/app/strategy_nodes.hpp"

#include <array>
#include <stdexcept>
#include <string>

namespace bparb::app {
namespace {

struct StrategyNodeEntry {
  StrategyKind kind;
  std::unique_ptr<StrategyNode> (*make)(StrategyContext& ctx);
};

constexpr std::array kStrategyNodes{
    StrategyNodeEntry{StrategyKind::kBasis, &make_basis_strategy_node},
    StrategyNodeEntry{StrategyKind::kMarketMaker, &make_market_maker_strategy_node},
    StrategyNodeEntry{StrategyKind::kCrossVenue, &make_cross_venue_strategy_node},
};

}  // namespace

std::unique_ptr<StrategyNode> make_strategy_node(StrategyKind kind, StrategyContext& ctx) {
  for (const StrategyNodeEntry& e : kStrategyNodes)
    if (e.kind == kind) return e.make(ctx);
  throw std::logic_error("no daemon node for [strategy] kind = " + std::string(strategy_kind_name(kind)));
}

}  // namespace bparb::app
