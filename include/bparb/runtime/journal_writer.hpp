#pragma once
// Every journal write of the daemon, and the failure latch (README "Restart and recovery"). It observes
// what the engine and the venue report (intents, acks, fills, funding, positions, today's P&L, the trading
// state) and never decides anything: a failed write latches once and tells the owner (on_failure), which
// stops new positions.
#include <spdlog/spdlog.h>

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "bparb/core/client_id.hpp"
#include "bparb/core/clock.hpp"
#include "bparb/core/decimal.hpp"
#include "bparb/core/latency_histogram.hpp"
#include "bparb/exec/arb_engine.hpp"
#include "bparb/journal/journal.hpp"

namespace bparb::runtime {

// What the writer needs of the configuration ([journal], [exchange] mode).
struct JournalOptions {
  bool enabled = true;
  std::string path;
  // Paper mode trades a fresh simulated exchange every run: the last run's journal is kept as <path>.prev.
  bool paper = false;
};

// The journal mirrors an order's venue status one to one.
journal::OrderRecordState record_state(OrderStatus s) noexcept;

// Moves <path> (with its WAL and shm files) to <path>.prev, replacing an older .prev.
void rotate_paper_journal(const std::string& path);

class JournalWriter {
 public:
  JournalWriter(std::shared_ptr<spdlog::logger> log, const Clock& clock) : log_(std::move(log)), clock_(clock) {}

  // Opens (or, disabled, says so). Throws std::runtime_error with the path and SQLite's message.
  void open(const JournalOptions& opts);
  // Called once, on the first failed write (the latch).
  void on_failure(std::function<void()> f) { on_failure_ = std::move(f); }
  // Pair names by PairIndex, for the intent rows.
  void set_pair_names(std::vector<std::string> names) { pair_names_ = std::move(names); }
  // Where a pair's legs trade, for its position rows (docs/journal.md: each leg keeps its venue and symbol).
  // A pair without it is recorded as Backpack's, symbols unknown.
  struct PairLegs {
    std::string pair;
    std::array<VenueId, 2> venue{VenueId::kBackpack, VenueId::kBackpack};
    std::array<std::string, 2> symbol;
  };
  void set_pair_legs(std::vector<PairLegs> legs) { pair_legs_ = std::move(legs); }

  bool enabled() const noexcept { return jr_.has_value(); }
  journal::Journal* journal() noexcept { return jr_ ? &*jr_ : nullptr; }
  const journal::Journal* journal() const noexcept { return jr_ ? &*jr_ : nullptr; }
  bool failed() const noexcept { return alarm_; }
  // How long each write took (the statements and their commit), successful or not, timed by the clock.
  const LatencyHistogram& write_latency() const noexcept { return write_latency_; }

  // The journal's number of a position: restored positions keep theirs, this run's are numbered in its block.
  std::uint64_t position_id(std::uint64_t portfolio_id) const noexcept;
  void restore_position_id(std::uint64_t portfolio_id, std::uint64_t journal_id) {
    restored_ids_[portfolio_id] = journal_id;
  }

  // The latch: logs once, then on_failure.
  void fail();

  // False = the batch must not be sent (the intents could not be made durable); the alarm is latched and the
  // critical line written, the owner answers the orders.
  // `venue` is where the orders go (one venue per call).
  bool intents(std::span<const exec::OrderSpec> orders, VenueId venue = VenueId::kBackpack);
  void ack(ClientId id, std::string_view exchange_id, journal::OrderRecordState st, Decimal executed,
           VenueId venue = VenueId::kBackpack);
  // A cancel's answer or an order query can be the only news of an order's end (the stream's event was lost with
  // a dropped connection): a terminal state it reports is recorded too, so the intent is not left pending; an
  // order the venue does not know is recorded as rejected with nothing executed.
  void query_answer(ClientId id, bool found, OrderStatus status, Decimal executed, VenueId venue);
  // True = new (book it), false = the journal already has this trade. A failed write books it anyway (the fill
  // happened) and latches the alarm.
  bool fill(std::int64_t trade_id, std::string_view symbol, ClientId cid, Side side, Decimal price, Decimal qty,
            Decimal fee, std::string_view fee_symbol, bool maker, TimestampUs t, VenueId venue = VenueId::kBackpack);
  // True = new, false = an earlier run booked this payment.
  bool funding(const std::string& symbol, std::int64_t interval_end_ms, Decimal quantity,
               VenueId venue = VenueId::kBackpack);
  void position(std::string_view pair, const PositionState& pos);
  void trading_state(const StateChange& c, std::string_view why);
  // Today's P&L for the daily loss budget; `realized_net` is the portfolio's running total. Written when it
  // changes.
  void daily_pnl(Decimal realized_net);
  // After a restart: today's P&L carried from the journal, measured from the restored portfolio's total.
  void restore_daily(TimestampUs day_start_us, Decimal carried, Decimal realized_net);
  Decimal daily_carried() const noexcept { return daily_carried_; }

 private:
  std::shared_ptr<spdlog::logger> log_;
  const Clock& clock_;
  std::optional<journal::Journal> jr_;
  std::function<void()> on_failure_;
  std::vector<std::string> pair_names_;
  std::vector<PairLegs> pair_legs_;
  bool alarm_ = false;
  LatencyHistogram write_latency_;
  std::vector<journal::IntentRecord> intents_;  // reused
  std::uint64_t position_id_base_ = 0;
  std::map<std::uint64_t, std::uint64_t> restored_ids_;  // portfolio id of a restored position -> its journal id
  TimestampUs daily_day_us_ = 0;
  Decimal daily_carried_, daily_realized_start_, daily_last_written_;
};

}  // namespace bparb::runtime
