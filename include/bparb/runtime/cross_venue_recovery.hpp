#pragma once
// Start-up recovery of the cross-venue pair (docs/cross_venue.md §11): one position, its two legs on two
// venues, so neither venue's recovery can judge it alone. It runs after both (they cancelled the orphans,
// journaled the fills made while down and settled the last run's orders) and:
//   1. rebuilds the pair from the journal's open position plus the fills made while down on either venue
//      (each venue's recovery journaled them once; they are booked here once);
//   2. compares each leg with what its venue reports (Backpack's positions, Lighter's account);
//   3. both legs as the venues hold them -> restored into the engine (its exit rules run; realized, fees and
//      funding carry over); legs apart (a crash between the two legs) -> restored and unwound to flat with
//      reduce-only taker orders; a venue holding what the journal cannot explain ->
//      [recovery] unexplained_positions, as for a basis pair.
#include <spdlog/spdlog.h>

#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "bparb/core/clock.hpp"
#include "bparb/exec/arb_engine.hpp"
#include "bparb/exec/venue_reports.hpp"
#include "bparb/journal/journal.hpp"
#include "bparb/portfolio/position.hpp"
#include "bparb/runtime/journal_writer.hpp"
#include "bparb/runtime/recovery.hpp"

namespace bparb::runtime {

class CrossVenueRecovery {
 public:
  // `pair`: leg 0 Backpack's perp, leg 1 Lighter's (its `spot` and `perp` fields, as the engine numbers them).
  CrossVenueRecovery(std::shared_ptr<spdlog::logger> log, const Clock& clock, JournalWriter& journal,
                     exec::ReconciliationVenue& backpack, exec::ReconciliationVenue& lighter, PairRef pair,
                     RecoveryOptions opts);

  // Steps 1-3. `made_while_down`: both venue recoveries' unpaired fills (Recovery::unpaired_fills); those of
  // this pair's two markets are its legs'. `fail` with the reason when nothing may trade, else `done`.
  // Throws std::runtime_error when the journal's positions cannot be read.
  void run(std::span<const RecoveredFill> made_while_down, std::function<void(const std::string&)> fail,
           std::function<void()> done);

  // Before the venue recovery's restore (which measures today's P&L from the restored portfolio): the pair
  // into the fresh engine; its flat journal row archived; ReduceOnly when a position was flagged.
  void restore(exec::ArbEngine& engine, Portfolio& portfolio, RiskGate& risk,
               const std::function<void(const StateChange&, std::string_view)>& on_state);

 private:
  void load_journal_position();
  void book(const RecoveredFill& f);
  void compare(Decimal backpack_held, Decimal backpack_entry, Decimal lighter_held, Decimal lighter_entry);

  std::shared_ptr<spdlog::logger> log_;
  const Clock& clock_;
  JournalWriter& journal_;
  exec::ReconciliationVenue& backpack_;
  exec::ReconciliationVenue& lighter_;
  PairRef pair_;
  RecoveryOptions opts_;
  std::function<void(const std::string&)> fail_;

  std::optional<journal::PositionRecord> record_;  // the journal's open position of the pair, if any
  LegPosition legs_[2];
  Decimal realized_, fees_, funding_;
  TimestampUs opened_us_ = 0;
  std::uint32_t fills_recovered_ = 0;
  bool restore_ = false;
  bool unwind_ = false;
  bool flagged_ = false;
};

}  // namespace bparb::runtime
