#pragma once
// What each [strategy] kind brings to the app, named once per kind in the table of strategy_nodes.cpp: its node in
// the daemon (strategy_node.hpp), the markets start-up loads and the embedded bpsim serves, the engine parameters
// of its own, and the lines `bparb check-config` prints for it. A new strategy defines its descriptor's functions
// in its own files and adds one row to that table; the config → options mapping (node_options.cpp,
// engine_config.cpp) and the CLI ask the descriptor and name no strategy.
#include <memory>
#include <ostream>
#include <span>
#include <string>

#include "bparb/app/config.hpp"
#include "bparb/exec/arb_engine.hpp"
#include "bparb/runtime/paper.hpp"
#include "bparb/runtime/startup.hpp"

namespace bparb::app {

struct StrategyContext;
class StrategyNode;

struct StrategyDescriptor {
  StrategyKind kind;
  // Its part of the daemon.
  std::unique_ptr<StrategyNode> (*make_node)(StrategyContext& ctx);
  // The markets start-up loads (so.pairs or so.perps) and what the recovery names after them.
  void (*startup_markets)(const Config& cfg, runtime::StartupOptions& so);
  // The markets the embedded bpsim serves in paper mode (po.pairs or po.perps).
  void (*paper_markets)(const Config& cfg, runtime::PaperOptions& po);
  // The engine's parameters of its own over the basis ones [strategy], [execution] and [risk] give.
  void (*engine_params)(const Config& cfg, exec::EngineParams& p);
  // `bparb check-config`: the "config OK" line and what the strategy trades.
  void (*check_config)(const Config& cfg, const std::string& file, std::ostream& out);
  // SIGHUP: the keys of the strategy's own section that apply live, from `next` into `applied` (whatever the
  // running kind: a later restart into another kind starts from the config file anyway).
  void (*reload)(const Config& next, Config& applied);
  // It trades on [venues.lighter] (what check-config says of that section).
  bool trades_lighter;
};

// The descriptor of `[strategy] kind` (throws std::logic_error for a kind without one).
const StrategyDescriptor& strategy_descriptor(StrategyKind kind);
// Every kind's, in the table's order.
std::span<const StrategyDescriptor> strategy_descriptors() noexcept;

// The basis descriptor's engine and reload steps: nothing of its own ([strategy] itself is reloaded for every kind).
inline void basis_engine_params(const Config& /*cfg*/, exec::EngineParams& /*p*/) {}
inline void basis_reload(const Config& /*next*/, Config& /*applied*/) {}

}  // namespace bparb::app
