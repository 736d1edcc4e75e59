#pragma once
// A further venue's part of the daemon ([venues.<name>]): what the daemon's composition root (daemon.cpp) asks of
// each venue it hosts beside Backpack, at fixed points of its life cycle, without knowing which venue it is. Each
// venue implements it in its own files and joins through one table (venue_nodes.cpp, `venue_plans`).
//
// Backpack stays the primary venue the daemon is built on, not a node of this table: its start-up chain
// (runtime/startup.hpp) loads the markets every strategy trades, and its account is the one the risk gate, the
// reconciler and the journal's recovery are measured against (docs/kernel.md, "Adding a venue").
//
// The daemon's order of calls:
//   set-up       venue_plans (one plan per hosted venue) -> paper (paper mode: what the embedded bpsim serves for
//                the venue, before it exists) -> make (the node, its commands routed by NodeEvents)
//   start-up     after Backpack's start-up, each node's start_up in turn (markets, recovery); then the strategy's
//                recovery step -> recovery_flag (a position the journal cannot explain: trading starts ReduceOnly)
//   trading      start_trading (with the engine and Backpack's reconciler) -> book_count / valid_books (the
//                ready gate)
//   running      collect (the operator's snapshot)
//   stopping     stop (each node in turn, before the loop ends), close (the loop is ending)
#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "bparb/app/config.hpp"
#include "bparb/app/node_events.hpp"
#include "bparb/core/clock.hpp"
#include "bparb/core/instrument.hpp"
#include "bparb/exec/arb_engine.hpp"
#include "bparb/portfolio/portfolio.hpp"
#include "bparb/runtime/journal_writer.hpp"
#include "bparb/runtime/paper.hpp"
#include "bparb/runtime/reconciler.hpp"
#include "bparb/runtime/recovery.hpp"
#include "bparb/service/snapshot.hpp"

namespace bparb::app {

// The daemon's pieces a venue node is built with: owned by the daemon, alive for the whole run.
struct VenueContext {
  boost::asio::io_context& io;
  const Clock& clock;
  std::shared_ptr<spdlog::logger> log;
  runtime::JournalWriter& journal;
  InstrumentTable& instruments;
  const Config& cfg;
  NodeEvents& events;
};

class VenueNode {
 public:
  using Fail = std::function<void(const std::string&)>;
  using Done = std::function<void()>;

  virtual ~VenueNode() = default;

  // Backpack's start-up ran: this venue's markets into the instrument table, then its recovery. `fail` with the
  // message, or `done`.
  virtual void start_up(runtime::RecoveryOptions recovery, Fail fail, Done done) = 0;
  // Why trading starts ReduceOnly after this venue's recovery (empty: it need not).
  virtual std::string_view recovery_flag() const noexcept { return {}; }
  // The engine exists and Backpack's reconciler runs: reports to the engine, the venue's stream and reconciler.
  virtual void start_trading(exec::ArbEngine& engine, Portfolio& portfolio, ClientId first_client_id,
                             const FeeSchedule& fees, runtime::ReconcilerOptions reconciler) = 0;
  // Clean stop (once, bounded by `timeout_us`), then `done`.
  virtual void stop(DurationUs timeout_us, Done done) = 0;
  // The loop is ending: timers cancelled, streams closed.
  virtual void close() = 0;
  // The ready gate: how many books the venue keeps, and how many of them are valid now.
  virtual std::size_t book_count() const noexcept = 0;
  virtual std::size_t valid_books() const noexcept = 0;
  // The operator's snapshot: one more entry of s.venues (with the metrics NodeEvents records for the venue).
  virtual void collect(service::Snapshot& s, const NodeEvents& events) const = 0;
};

// How a configured venue joins the daemon, in two steps: in paper mode, before the embedded bpsim exists, what it
// serves for the venue; then the node (in live mode the venue's keys come from the environment there).
class VenuePlan {
 public:
  virtual ~VenuePlan() = default;
  // Paper mode only: the simulated venue the embedded bpsim serves (fresh keys its account registers).
  virtual void paper(runtime::PaperOptions& po) = 0;
  // The node; `paper` is the embedded bpsim in paper mode, null in live mode. Throws std::runtime_error when the
  // venue cannot be used (a missing or invalid key, named).
  virtual std::unique_ptr<VenueNode> make(VenueContext& ctx, const runtime::PaperExchange* paper) = 0;
};

using VenueNodes = std::vector<std::unique_ptr<VenueNode>>;

// One plan per venue the config hosts ([venues.<name>] that lists markets), in the table's order.
std::vector<std::unique_ptr<VenuePlan>> venue_plans(const Config& cfg);

// The hosted node of type T (a strategy that trades on a named venue finds it here), else null.
template <class T>
T* find_venue_node(const VenueNodes& nodes) noexcept {
  for (const std::unique_ptr<VenueNode>& n : nodes)
    if (T* t = dynamic_cast<T*>(n.get())) return t;
  return nullptr;
}

}  // namespace bparb::app
