#pragma once
// A strategy's part of the daemon ([strategy] kind): what the daemon's composition root (daemon.cpp) asks of the
// strategy it runs, at fixed points of its life cycle, without knowing which strategy it is. Each strategy
// implements it in its own files and is built through one table (strategy_nodes.cpp, `make_strategy_node`).
//
// The daemon's order of calls:
//   start-up     startup_options (the markets start-up loads), then, once every venue's recovery ran,
//                recover (a recovery step of the strategy's own) -> the engine is made with engine_strategy()
//   trading      start (pairs or single-order runners on the engine) -> restore (before the venues' restores)
//                -> the streams start -> announce (the "Trading ..." line) -> book_funding (the reconcilers run)
//                -> node_hooks (the node's timer, shutdown and stats hooks)
//   running      pairs (status, summary, ready gate), reload (SIGHUP, POST /api/v1/reload), collect (the
//                operator's snapshot)
//   stopping     stop (the shutdown begins), cancel (the loop is ending), summarize (the run summary)
#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "bparb/alerts/alerter.hpp"
#include "bparb/app/config.hpp"
#include "bparb/app/daemon.hpp"
#include "bparb/app/node_events.hpp"
#include "bparb/app/node_observers.hpp"
#include "bparb/app/venue_node.hpp"
#include "bparb/core/clock.hpp"
#include "bparb/core/instrument.hpp"
#include "bparb/exec/arb_engine.hpp"
#include "bparb/portfolio/portfolio.hpp"
#include "bparb/risk/risk_gate.hpp"
#include "bparb/runtime/engine_observers.hpp"
#include "bparb/runtime/journal_writer.hpp"
#include "bparb/runtime/log_lines.hpp"
#include "bparb/runtime/node.hpp"
#include "bparb/runtime/reconciler.hpp"
#include "bparb/runtime/recovery.hpp"
#include "bparb/runtime/startup.hpp"
#include "bparb/service/snapshot.hpp"
#include "bparb/venue/backpack/venue.hpp"

namespace bparb::app {

// The daemon's pieces a strategy node composes: owned by the daemon, alive for the whole run. The pointers
// behind `startup` and `alerter` and the nodes of `venues` are set as the daemon starts (null and empty before;
// `venues` holds the venues beside Backpack the config hosts, found by type with find_venue_node, `alerter`
// stays null without alert sinks). `cfg` is the daemon's: a reload replaces
// its thresholds in place.
struct StrategyContext {
  boost::asio::io_context& io;
  std::shared_ptr<spdlog::logger> log;
  const Clock& clock;
  const Config& cfg;
  InstrumentTable& instruments;
  RiskGate& risk;
  const runtime::LogLines& lines;
  runtime::JournalWriter& journal;
  NodeEvents& events;
  exec::ObserverList& observers;
  runtime::LogLineObserver& line_observer;
  StatusObserver& status_observer;
  TradeRecords& trade_records;
  backpack::BackpackVenue& backpack;
  const std::unique_ptr<runtime::Startup>& startup;
  const VenueNodes& venues;
  const std::unique_ptr<alerts::Alerter>& alerter;
};

class StrategyNode {
 public:
  using Fail = std::function<void(const std::string&)>;
  using Done = std::function<void()>;
  using OnState = std::function<void(const StateChange&, std::string_view why)>;

  virtual ~StrategyNode() = default;

  // The strategy writes the seed's trades_ CSV itself, with its own header (the daemon's trade records then
  // open none).
  virtual bool writes_own_trades_csv() const noexcept { return false; }
  // The markets start-up loads and how it picks them (the start-up options are the config's before this).
  virtual void startup_options(runtime::StartupOptions& /*so*/) {}
  // Every venue's start-up recovery ran: the strategy's own recovery step, then `done` (or `fail` with the
  // reason). The default has none.
  virtual void recover(const runtime::RecoveryOptions& /*recovery*/, Fail /*fail*/, Done done) { done(); }
  // The strategy the engine runs in place of the basis strategy built from its parameters (null: that one).
  virtual Strategy* engine_strategy() noexcept { return nullptr; }
  // The traded pairs (empty until start-up loaded the markets).
  virtual const std::vector<runtime::PairRef>& pairs() const noexcept = 0;

  // The engine exists: the strategy's pairs or runners on it, before recovery restores positions into it.
  virtual void start(exec::ArbEngine& engine, Portfolio& portfolio) = 0;
  // Before the venues' restores (today's P&L is measured from the restored portfolio).
  virtual void restore(exec::ArbEngine& /*engine*/, Portfolio& /*portfolio*/, const OnState& /*on_state*/) {}
  // The streams started: the start-up line that says what is traded.
  virtual void announce() {}
  // The reconcilers run: funding payments no basis pair claims.
  virtual void book_funding(exec::ArbEngine& /*engine*/, runtime::Reconciler& /*reconciler*/) {}
  // The node's hooks (runtime/node.hpp), filled with the daemon's defaults; the strategy replaces or adds its
  // own.
  virtual void node_hooks(exec::ArbEngine& /*engine*/, Portfolio& /*portfolio*/, runtime::NodeHooks& /*hooks*/) {}

  // SIGHUP and POST /api/v1/reload applied new thresholds (the context's config holds them).
  virtual void reload() {}
  // The operator's snapshot (service/snapshot.hpp).
  virtual void collect(service::Snapshot& /*s*/) const {}
  // The shutdown begins (the engine exists).
  virtual void stop() {}
  // The loop is ending: timers cancelled.
  virtual void cancel() noexcept {}
  // The run summary's lines of the strategy's own.
  virtual void summarize(RunSummary& /*s*/) const {}
};

// The strategy node of `[strategy] kind` (the table in strategy_nodes.cpp).
std::unique_ptr<StrategyNode> make_strategy_node(StrategyKind kind, StrategyContext& ctx);

}  // namespace bparb::app
