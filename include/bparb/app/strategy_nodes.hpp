#pragma once
// Each strategy's node factory (app/strategy_node.hpp), defined in that strategy's file and named once, in the
// table of strategy_nodes.cpp.
#include <memory>

#include "bparb/app/strategy_node.hpp"

namespace bparb::app {

std::unique_ptr<StrategyNode> make_basis_strategy_node(StrategyContext& ctx);         // basis_strategy_node.cpp
std::unique_ptr<StrategyNode> make_market_maker_strategy_node(StrategyContext& ctx);  // mm_strategy_node.cpp
std::unique_ptr<StrategyNode> make_cross_venue_strategy_node(StrategyContext& ctx);   // xarb_strategy_node.cpp

}  // namespace bparb::app
