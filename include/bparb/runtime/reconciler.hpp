#pragma once
// The polls that keep the engine in step with one venue, through its neutral reports: the account (equity,
// free balances), the fills history (a fill the private stream lost is booked once, through ingest_fill)
// and the funding history (every payment booked once, to the position that held the perp when it settled;
// docs/money.md).
#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "bparb/core/client_id.hpp"
#include "bparb/core/clock.hpp"
#include "bparb/exec/arb_engine.hpp"
#include "bparb/exec/venue_reports.hpp"
#include "bparb/runtime/journal_writer.hpp"
#include "bparb/runtime/recovery.hpp"

namespace bparb::runtime {

struct ReconcilerOptions {
  DurationUs account_poll_us = 0;
  DurationUs fills_reconcile_us = 0;
  DurationUs funding_poll_us = 0;
  TimestampUs started_us = 0;  // the run's start: the fills window never reaches further back than a minute before
  VenueId venue = VenueId::kBackpack;  // the venue asked: its funding payments are journaled under its name
  // True: the account poll is the engine's primary account view (equity, margin, balances). False: a second
  // venue's, which goes to the engine's view of that venue (ArbEngine::on_venue_account: its equity and margin
  // for the risk gate's margin rule on that venue's orders).
  bool feeds_engine_account = true;
};

class Reconciler {
 public:
  Reconciler(boost::asio::io_context& io, std::shared_ptr<spdlog::logger> log, const Clock& clock,
             JournalWriter& journal, exec::ReconciliationVenue& venue, std::vector<PairRef> pairs,
             std::string quote_asset, FeeSchedule fees, ReconcilerOptions opts);

  // Starts the polls for a trading engine: the account now, the funding baseline (payments settled while
  // down) now, the fills reconciliation after its interval.
  void start(exec::ArbEngine& engine, Portfolio& portfolio, ClientId first_client_id);
  // Shutting down: no poll is scheduled again (one in flight completes).
  void stop() noexcept { stopping_ = true; }
  // Cancels every timer (the event loop is ending).
  void cancel();
  // Before exit: one last look at the fills (every missing one booked at once) and funding; then `done`.
  void final_pass(std::function<void()> done);
  // A position just closed: the funding of the interval it closed in is polled now, not at the next tick
  // (one such poll at a time; the periodic poll goes on as it was).
  void poll_funding_soon();
  // Told (after the log line) when the exchange's record and the books disagree: a fill the order stream
  // never delivered. The operator's alerts listen here.
  void on_mismatch(std::function<void(std::string_view what)> f) { on_mismatch_ = std::move(f); }
  // Told of each newly journaled funding payment on a perp outside the pairs (the market maker's perps, the
  // cross-venue legs), with the venue's settlement time: the position that held it may have closed since.
  void on_unpaired_funding(std::function<void(std::string_view symbol, Decimal amount, TimestampUs settled_us)> f) {
    on_unpaired_funding_ = std::move(f);
  }
  // The venue's net equity at the last answered account poll (none before the first).
  std::optional<Decimal> net_equity() const noexcept { return net_equity_; }
  // The venue's equity, available and locked margin at the last answered account poll (none before).
  const std::optional<exec::EquityReport>& equity() const noexcept { return equity_; }
  // Fills the fills history held that the order stream never delivered (each booked from the history).
  std::uint64_t fills_missing_from_stream() const noexcept { return fills_missing_from_stream_; }

 private:
  const PairRef* pair_of(std::string_view symbol) const noexcept;
  void journal_daily_pnl();
  void poll_account();
  void schedule_account_poll();
  void schedule_fills_reconcile();
  void reconcile_fills(bool final_pass, std::function<void()> done);
  void baseline_funding();
  void book_funding_to_journal_position(const PairRef& p, Decimal amount, TimestampUs settled_us);
  void fetch_funding(std::function<void(std::span<const exec::FundingReport>)> done);
  void poll_funding(std::function<void()> done);
  void schedule_funding_poll();

  std::shared_ptr<spdlog::logger> log_;
  const Clock& clock_;
  JournalWriter& journal_;
  exec::ReconciliationVenue& venue_;
  std::vector<PairRef> pairs_;
  std::string quote_asset_;
  FeeSchedule fees_;
  ReconcilerOptions opts_;
  exec::ArbEngine* engine_ = nullptr;
  Portfolio* portfolio_ = nullptr;
  ClientId first_client_id_ = 0;
  bool stopping_ = false;
  std::function<void(std::string_view)> on_mismatch_;
  std::function<void(std::string_view, Decimal, TimestampUs)> on_unpaired_funding_;
  bool funding_soon_pending_ = false;
  std::optional<Decimal> net_equity_;
  std::optional<exec::EquityReport> equity_;
  std::uint64_t fills_missing_from_stream_ = 0;
  boost::asio::steady_timer account_timer_, funding_timer_, fills_timer_;
  std::set<std::string> seen_funding_;
  std::map<std::int64_t, std::int64_t> fills_suspect_;  // missing from the stream on the last poll: id -> ts ms
  std::int64_t fills_last_ok_sent_ms_ = 0;              // when the last answered fills poll was sent
  std::set<std::int64_t> fills_reported_;               // missing fills already logged (once each)
};

}  // namespace bparb::runtime
