#pragma once
// Start-up is recovery, the same path after a clean stop or a crash (README "Restart and recovery"):
//   1. cancel every order resting on our markets (an earlier run's makers must not fill mid-reconcile);
//   2. fills since the journal's last one (the venue's history) -> journal (dedup by trade id) -> the
//      journal's positions;
//   3. settle the journal's open intents (their orders are gone now) with what they executed;
//   4. the venue's perp positions vs the journal's: matched -> restored into the engine (exits keep working,
//      no second copy); legs apart (a crash between legs) -> restored and unwound to flat; unexplained ->
//      [recovery] unexplained_positions; with check_single_positions, the same for a position on one of the
//      venue's markets that no pair trades, which the journal explains by its single orders' fills;
//   5. equity floor, then trading.
#include <spdlog/spdlog.h>

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "bparb/core/clock.hpp"
#include "bparb/core/instrument.hpp"
#include "bparb/exec/arb_engine.hpp"
#include "bparb/exec/venue_reports.hpp"
#include "bparb/journal/journal.hpp"
#include "bparb/runtime/journal_writer.hpp"

namespace bparb::runtime {

// One traded pair as the runtime sees it: its markets (and their ids in the instrument table) and its index
// in the engine and the portfolio.
struct PairRef {
  std::string base;
  const MarketSpec* spot = nullptr;
  const MarketSpec* perp = nullptr;
  PairIndex index = 0;
  std::array<InstrumentId, 2> instruments{kNoInstrument, kNoInstrument};  // spot, perp
};

// What recovery needs of the configuration ([recovery], [risk], the command line).
struct RecoveryOptions {
  enum class Unexplained : std::uint8_t { kRefuse, kFlag, kAdopt };
  Unexplained unexplained = Unexplained::kRefuse;
  std::string source_path;  // the config file, named in refusals
  Decimal min_account_balance_usd;
  Decimal max_daily_loss_usd;
  bool resume = false;  // `bparb run --resume`: start Active whatever the last run ended in
  // The venue whose reports recovery reads: only its instruments of the table are asked about (another
  // venue's symbols mean nothing to it).
  VenueId venue = VenueId::kBackpack;
  // Positions on the venue's markets that no pair trades are held to the journal's single-order fills there
  // (what its single orders bought less what they sold): Lighter's recovery. Backpack's market maker reads
  // its position from the venue instead (docs/market_maker.md), so Backpack's recovery leaves them alone.
  bool check_single_positions = false;
  // The cross-venue pair's name (its legs on two venues): its open journal position is rebuilt by
  // CrossVenueRecovery from both venues at once (runtime/cross_venue_recovery.hpp), not by one venue's.
  std::string cross_venue_pair;
  // Its legs' markets (Backpack's perp, Lighter's): their positions are CrossVenueRecovery's to check, not a
  // single order's (check_single_positions leaves them alone).
  std::vector<std::string> cross_venue_markets;
  // Steps 1 and 2 also cover the venue's markets outside the table where the journal has an open intent (an
  // order of ours whose end it has not seen): the market maker's selector may have quoted a market in an earlier
  // run that this run does not pick, and an order left there must not rest, nor its fills go unbooked.
  bool sweep_journal_markets = false;
};

// A position the journal cannot explain, as [recovery] unexplained_positions sees it: one policy for a basis
// pair's perp, a market no pair trades and a cross-venue pair's two legs.
struct UnexplainedPosition {
  std::string subject;    // "pair SOL: the exchange holds ..." — what is held and what the journal explains
  bool two_legs = false;  // a cross-venue pair: "them", "both legs", "the positions"
  bool adoptable = true;  // false: no pair trades the market, so adopt cannot unwind it (it starts as flag)
};
struct UnexplainedDecision {
  // kRefuse: start-up stops with `refusal`; kFlag: trading starts ReduceOnly and the position is left alone;
  // kAdopt: the caller takes the position over and unwinds it to flat.
  RecoveryOptions::Unexplained action = RecoveryOptions::Unexplained::kRefuse;
  std::string refusal;
};
// The policy's decision, with its log line (flag: error; adopt: warning; adopt on a market no pair trades:
// error, as flag); the refusal names the config file and the allowed values.
UnexplainedDecision decide_unexplained(const RecoveryOptions& opts, spdlog::logger& log,
                                       const UnexplainedPosition& position);

// A fill made while bparb was down, for one of our orders of no pair this recovery restores (a single order,
// or a cross-venue leg): journaled here, booked by whoever owns its position.
struct RecoveredFill {
  VenueId venue = VenueId::kBackpack;
  std::string symbol;
  ClientId client_id = 0;
  std::int64_t trade_id = -1;
  Side side = Side::kBid;
  Decimal price;
  Decimal quantity;
  Decimal fee;
  std::string fee_symbol;
  TimestampUs time_us = 0;
};

class Recovery {
 public:
  Recovery(std::shared_ptr<spdlog::logger> log, const Clock& clock, JournalWriter& journal,
           exec::ReconciliationVenue& venue, const InstrumentTable& markets, std::vector<PairRef> pairs,
           RecoveryOptions opts);

  // Steps 1-5. `fail` with the reason when a check fails (nothing may trade then), `done` when trading may
  // start. Throws std::runtime_error when the journal's positions cannot be read.
  void run(std::function<void(const std::string&)> fail, std::function<void()> done);

  // Restores what recovery found into the fresh engine (positions, daily P&L, trading state); `on_state`
  // reports a trading-state change.
  void restore(exec::ArbEngine& engine, Portfolio& portfolio, RiskGate& risk,
               const std::function<void(const StateChange&, std::string_view)>& on_state);
  // A position the journal cannot explain was found under unexplained_positions = flag (or adopt, on a market
  // no pair trades): trading must start ReduceOnly (restore() does it for the pairs' recovery).
  bool flagged() const noexcept { return flagged_; }

  // The fills made while down (newly journaled by run()) whose order belongs to none of this recovery's pairs.
  const std::vector<RecoveredFill>& unpaired_fills() const noexcept { return unpaired_fills_; }

 private:
  // Per pair: what the journal (plus fills made while we were down) says we hold.
  struct Recovered {
    LegPosition spot, perp;
    Decimal realized, fees, funding;
    TimestampUs opened_us = 0;
    std::optional<journal::PositionRecord> record;  // the journal's open position, if any
    std::uint32_t fills_recovered = 0;
    bool restore = false;
    bool unwind = false;
  };

  const PairRef* pair_named(std::string_view base) const noexcept;
  void load_journal_positions();
  void cancel_orphans(std::size_t i);
  void recover_fills(std::size_t i);
  // The first instrument at or after `i` that is the venue's (markets_.size() when none is left).
  std::size_t venue_market(std::size_t i) const noexcept;
  // Steps 1 and 2 walk the venue's markets of the table, then swept_ (sweep_journal_markets): sweep index i
  // names markets_[i] below markets_.size(), swept_[i - markets_.size()] from there.
  void find_swept_markets();
  std::size_t sweep_end() const noexcept { return markets_.size() + swept_.size(); }
  const std::string& sweep_symbol(std::size_t i) const noexcept {
    return i < markets_.size() ? symbol_of(i) : swept_[i - markets_.size()];
  }
  std::string venue_prefix() const;
  void recover_fill(const exec::FillReport& f);
  void settle_open_intents();
  void reconcile_positions();
  // check_single_positions: false when recovery failed (fail_ was called).
  bool reconcile_single_positions(std::span<const exec::PositionReport> positions);
  bool in_a_pair(std::string_view symbol) const noexcept;
  void check_equity();

  std::shared_ptr<spdlog::logger> log_;
  const Clock& clock_;
  JournalWriter& journal_;
  exec::ReconciliationVenue& venue_;
  const InstrumentTable& markets_;  // the traded markets, in id order
  const std::string& symbol_of(std::size_t i) const noexcept {
    return markets_.market(static_cast<InstrumentId>(i)).symbol;
  }
  std::vector<PairRef> pairs_;
  RecoveryOptions opts_;
  std::function<void(const std::string&)> fail_;
  std::function<void()> done_;
  std::vector<journal::OpenIntent> open_intents_;
  std::int64_t recover_from_ms_ = 0;
  std::vector<Recovered> recovered_;
  std::vector<RecoveredFill> unpaired_fills_;
  std::vector<std::string> swept_;  // markets outside the table that steps 1 and 2 cover
  bool flagged_ = false;
};

}  // namespace bparb::runtime
