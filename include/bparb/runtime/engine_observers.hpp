#pragma once
// The daemon's observers of the engine's events (exec/engine_events.hpp) that belong to the runtime: the
// journal writer's rows and the log lines. Each handles the events of its own job and ignores the others,
// so a strategy's new event reaches only the observers that are taught it. The daemon attaches them to its
// ObserverList after the run's metrics and before the app's observers (trades CSV, service status,
// alerts): the journal first, so a position's journal number exists when its log line is written.
#include <cstdint>

#include "bparb/exec/arb_engine.hpp"
#include "bparb/exec/engine_events.hpp"
#include "bparb/portfolio/portfolio.hpp"
#include "bparb/runtime/journal_writer.hpp"
#include "bparb/runtime/log_lines.hpp"
#include "bparb/runtime/node.hpp"
#include "bparb/runtime/reconciler.hpp"

namespace bparb::runtime {

// Positions, funding, today's P&L and trading-state changes as journal rows. A closed position also asks
// the reconciler for the funding it may still be owed, so the record is complete as soon as the venue allows.
class JournalObserver final : public exec::EngineObserver {
 public:
  explicit JournalObserver(JournalWriter& journal) noexcept : journal_(journal) {}

  // The engine (its pairs' names) and its portfolio, once start-up made them; events before are of no pair.
  void set_engine(const exec::ArbEngine& engine, const Portfolio& portfolio) noexcept {
    engine_ = &engine;
    portfolio_ = &portfolio;
  }
  void set_reconciler(Reconciler* reconciler) noexcept { reconciler_ = reconciler; }

  void on_event(const exec::EngineEvent& e) override;

 private:
  void daily_pnl();

  JournalWriter& journal_;
  const exec::ArbEngine* engine_ = nullptr;
  const Portfolio* portfolio_ = nullptr;
  Reconciler* reconciler_ = nullptr;
};

// The greppable log lines of the engine's events (runtime/log_lines.hpp).
class LogLineObserver final : public exec::EngineObserver {
 public:
  LogLineObserver(const LogLines& lines, const JournalWriter& journal, const Node& node) noexcept
      : lines_(lines), journal_(journal), node_(node) {}

  void set_engine(const exec::ArbEngine& engine) noexcept { engine_ = &engine; }
  // A single-order strategy (the market maker) logs its own periodic summary: the engine's is not logged.
  void set_strategy_logs_stats(bool v) noexcept { strategy_logs_stats_ = v; }

  void on_event(const exec::EngineEvent& e) override;

 private:
  const LogLines& lines_;
  const JournalWriter& journal_;
  const Node& node_;
  const exec::ArbEngine* engine_ = nullptr;
  bool strategy_logs_stats_ = false;
};

}  // namespace bparb::runtime
