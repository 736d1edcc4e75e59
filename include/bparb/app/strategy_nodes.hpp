#pragma once
// Each strategy's node factory (app/strategy_node.hpp) and descriptor functions (app/strategy_kind.hpp), defined
// in that strategy's files and named once, in the table of strategy_nodes.cpp.
#include <memory>
#include <ostream>
#include <string>

#include "bparb/app/strategy_kind.hpp"
#include "bparb/app/strategy_node.hpp"

namespace bparb::app {

std::unique_ptr<StrategyNode> make_basis_strategy_node(StrategyContext& ctx);         // basis_strategy_node.cpp
std::unique_ptr<StrategyNode> make_market_maker_strategy_node(StrategyContext& ctx);  // mm_strategy_node.cpp
std::unique_ptr<StrategyNode> make_cross_venue_strategy_node(StrategyContext& ctx);   // xarb_strategy_node.cpp

// basis_strategy_kind.cpp
void basis_startup_markets(const Config& cfg, runtime::StartupOptions& so);
void basis_paper_markets(const Config& cfg, runtime::PaperOptions& po);
void basis_check_config(const Config& cfg, const std::string& file, std::ostream& out);
// mm_strategy_kind.cpp
void market_maker_startup_markets(const Config& cfg, runtime::StartupOptions& so);
void market_maker_paper_markets(const Config& cfg, runtime::PaperOptions& po);
void market_maker_check_config(const Config& cfg, const std::string& file, std::ostream& out);
void market_maker_reload(const Config& next, Config& applied);
// xarb_strategy_kind.cpp
void cross_venue_startup_markets(const Config& cfg, runtime::StartupOptions& so);
void cross_venue_paper_markets(const Config& cfg, runtime::PaperOptions& po);
void cross_venue_engine_params(const Config& cfg, exec::EngineParams& p);
void cross_venue_check_config(const Config& cfg, const std::string& file, std::ostream& out);
void cross_venue_reload(const Config& next, Config& applied);

}  // namespace bparb::app
