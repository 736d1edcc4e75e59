#pragma once
// The engine: pure core of the daemon. It owns the OMS, the risk gate's checks, the portfolio and one
// two-leg trade executor per pair, and asks its Strategy (strategy/strategy.hpp; here the spot–perp
// basis strategy, strategy/basis_strategy.hpp) whether to open or close a pair's trade.
//
// It takes events (book updated, mark/funding, account snapshot, REST answers, order-stream updates,
// timer ticks) and answers through a CommandSink (orders to place, sent together when an adapter can batch
// them; cancels; outcome queries) and tells an EngineObserver what it observed, as plain events
// (exec/engine_events.hpp) the daemon turns into journal rows, log lines and metrics. No sockets, no wall
// clock (every call carries `now`), so live, paper and backtest make the same decisions.
//
// Per pair the life cycle is Flat -> Entering -> Open -> Exiting -> Flat (+ opening_delay cooldown).
// Entering/Exiting run the pair's TwoLegTrade (exec/two_leg_trade.hpp): when the two legs' fills differ,
// it completes or unwinds with taker IOC orders until delta-neutral within one step, and if the hedge
// deadline passes it moves the risk gate to ReduceOnly and reports it (no new positions until an
// operator resumes). The strategy decides when to enter and exit, the engine checks the first orders
// with the risk gate, and the executor owns the orders from then on.
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "bparb/book/order_book.hpp"
#include "bparb/core/clock.hpp"
#include "bparb/core/decimal.hpp"
#include "bparb/core/instrument.hpp"
#include "bparb/core/market_spec.hpp"
#include "bparb/core/reject_class.hpp"
#include "bparb/exec/commands.hpp"
#include "bparb/exec/engine_events.hpp"
#include "bparb/exec/leg_risk.hpp"
#include "bparb/exec/order_entry.hpp"
#include "bparb/exec/two_leg_trade.hpp"
#include "bparb/oms/order_manager.hpp"
#include "bparb/portfolio/portfolio.hpp"
#include "bparb/risk/risk_gate.hpp"
#include "bparb/strategy/basis.hpp"
#include "bparb/strategy/basis_strategy.hpp"
#include "bparb/strategy/exit_rules.hpp"

namespace bparb::exec {

// One pair as the engine trades it. Its legs are instruments of the table (by LegIndex); the market and book
// pointers are what log lines and the strategy read.
struct PairInfo {
  std::string name;  // "SOL"
  const MarketSpec* spot = nullptr;
  const MarketSpec* perp = nullptr;
  const OrderBook* spot_book = nullptr;
  const OrderBook* perp_book = nullptr;
  std::array<InstrumentId, 2> instruments{kNoInstrument, kNoInstrument};  // by LegIndex
};

// A live order as shutdown and status see it: the instrument it rests on and its client id.
struct LiveOrder {
  InstrumentId instrument = kNoInstrument;
  oms::ClientId client_id = 0;
};

enum class PairPhase : std::uint8_t { kFlat, kEntering, kOpen, kExiting };
std::string_view pair_phase_name(PairPhase p) noexcept;

struct EngineParams {
  BasisParams basis;
  ExitParams exit;
  std::uint32_t max_open_positions = 3;
  DurationUs opening_delay_us = 60 * kUsPerSecond;
  DurationUs maker_timeout_us = 30 * kUsPerSecond;  // order_timeout_seconds
  bool fallback_to_taker = true;
  Decimal maker_reprice_bps = Decimal::from_int(5);  // re-price a maker leg when the touch moved this far
  DurationUs hedge_deadline_us = 10 * kUsPerSecond;
  // risk.max_unhedged_usd: a naked leg (|spot + perp| base units at the perp mark) worth more is hedged at
  // once instead of being given hedge_deadline to fill as a maker.
  Decimal max_unhedged_usd = Decimal::from_int(100);
  DurationUs query_unknown_after_us = 2 * kUsPerSecond;
  DurationUs settle_timeout_us = 5 * kUsPerSecond;  // terminal order whose fills haven't all arrived
  DurationUs stats_interval_us = 60 * kUsPerSecond;
  DurationUs opportunity_log_interval_us = 10 * kUsPerSecond;
  // A cancel the venue refused for rate (or left unanswered) goes again after the venue's back-off, at
  // least cancel_retry_initial_us doubled per refusal of that order (capped at cancel_retry_max_us); after
  // max_cancel_refusals the engine stops opening (ReduceOnly) and only queries the order (docs/kernel.md).
  DurationUs cancel_retry_initial_us = 500 * kUsPerMs;
  DurationUs cancel_retry_max_us = 8 * kUsPerSecond;
  std::uint8_t max_cancel_refusals = 8;
  oms::ClientId first_client_id = 1;
};

// An order's REST answer.
struct OrderAck {
  oms::ClientId client_id = 0;
  enum class Kind : std::uint8_t { kAccepted, kRejected, kUnknown } kind = Kind::kAccepted;
  OrderStatus status = OrderStatus::kNew;  // when accepted: the synchronous matching outcome
  Decimal executed_quantity;               // cumulative, as reported
  std::string_view code;                   // when rejected: the venue's own code and message, for log lines
  std::string_view message;
  RejectClass reject = RejectClass::kOther;  // when rejected: what it means; the engine decides on this only
};

// The venue's refusal of a cancel (the order already gone, unknown to it, a rate limit, ...). `ambiguous`:
// the answer does not say whether the cancel was applied (timeout, 5xx).
struct CancelRefusal {
  oms::ClientId client_id = 0;
  RejectClass reject = RejectClass::kOther;
  bool ambiguous = false;
  std::string_view code;  // the venue's own code and message, for log lines
  std::string_view message;
  // The venue's back-off still to run when it refused for rate (0: none known): the cancel is not sent
  // again before it ends.
  DurationUs retry_after_us = 0;
};

// One private order-stream event (account.orderUpdate) or one fills-history row.
struct OrderUpdate {
  oms::ClientId client_id = 0;
  enum class Kind : std::uint8_t { kAccepted, kFill, kCancelled, kExpired } kind = Kind::kAccepted;
  std::int64_t trade_id = -1;  // fills
  Decimal fill_quantity;
  Decimal fill_price;
  Decimal fee;
  std::string_view fee_symbol;
  bool maker = false;
  Decimal cumulative_quantity;    // z: executed so far (zero = unknown, e.g. history rows)
  TimestampUs venue_time_us = 0;  // the venue's execution time of a fill (0 = unknown)
};

struct AccountSnapshot {
  static constexpr std::size_t kMaxPairs = 32;
  AccountView view;  // fees, available quote, margin (view.available_base is set per pair from below)
  std::array<Decimal, kMaxPairs> available_base{};  // free spot inventory of each pair's base asset
  Decimal net_equity;
  Decimal initial_margin_used;
};

// One venue's account as its account poll reported it: the engine's per-venue view.
struct VenueAccount {
  bool known = false;  // reported at least once
  Decimal net_equity;
  Decimal available_margin;     // equity free for new margin
  Decimal initial_margin_used;  // margin held by positions and orders
};

class ArbEngine : private AccountRiskSource {
 public:
  static constexpr std::size_t kMaxOrders = oms::OrderManager::kCapacity;  // live + recently settled orders tracked

  // `instruments` is the start-up table every order's instrument comes from; it outlives the engine.
  // `strategy` (outliving the engine) replaces the basis strategy built from `params` when given.
  ArbEngine(const EngineParams& params, const InstrumentTable& instruments, RiskGate& risk, Portfolio& portfolio,
            CommandSink& commands, EngineObserver& observer, Strategy* strategy = nullptr);

  // Start-up (allocates): register pairs in the same order as Portfolio::add_pair. `legs` are the two
  // instruments (LegIndex order: a spot and a perp for the basis strategy; two perps, on two venues, for
  // the cross-venue one), `books` their books. Throws std::invalid_argument when an id is not in the table
  // or leg 1 is not a perp (leg 0 a spot or a perp).
  PairIndex add_pair(std::string name, std::array<InstrumentId, 2> legs, std::array<const OrderBook*, 2> books);
  const InstrumentTable& instruments() const noexcept { return instruments_; }
  // Single-instrument strategies place, cancel and replace their orders here (exec/order_entry.hpp): same
  // OMS, risk gate and sink as the pairs' trades. The pairs' books are registered with it by add_pair.
  OrderEntry& order_entry() noexcept { return entry_; }
  std::size_t pair_count() const noexcept { return pairs_.size(); }
  const PairInfo& pair(PairIndex p) const noexcept { return pairs_[p].info; }
  PairPhase phase(PairIndex p) const noexcept { return pairs_[p].phase; }

  void set_params(const EngineParams& p) noexcept;  // SIGHUP reload of thresholds
  const EngineParams& params() const noexcept { return params_; }

  // Events.
  void on_book_update(PairIndex pair, TimestampUs now) noexcept;
  void on_funding_info(PairIndex pair, const FundingInfo& info) noexcept;
  // The primary account (Backpack): the strategy's sizing view, the risk gate's account rules.
  void on_account(const AccountSnapshot& account, TimestampUs now) noexcept;
  // Another venue's account poll (Lighter): the risk gate checks the margin of that venue's orders against
  // it. Until it is reported, an order on that venue that needs margin is refused (no room).
  void on_venue_account(VenueId venue, const VenueAccount& account) noexcept;
  // Each venue's last reported account (the primary's from on_account).
  const VenueAccount& venue_account(VenueId venue) const noexcept {
    return venue_accounts_[static_cast<std::size_t>(venue) % kVenueCount];
  }
  void on_order_ack(const OrderAck& ack, TimestampUs now) noexcept;
  void on_order_update(const OrderUpdate& update, TimestampUs now) noexcept;
  // Answer to query_order: `found` = the exchange knows the order (open or in history).
  void on_order_query(oms::ClientId client_id, bool found, OrderStatus status, Decimal executed,
                      TimestampUs now) noexcept;
  // The venue refused a cancel. A single order returns to its live state and its owner hears
  // kCancelRefused; unless the refusal was for rate, the order is queried too (it may be gone). A two-leg
  // trade's order stays pending its cancel until the stream or a query settles it.
  void on_cancel_refused(const CancelRefusal& refusal, TimestampUs now) noexcept;
  // A funding payment the venue settled at `settled_at_us` (its clock): + received, - paid.
  void on_funding_payment(PairIndex pair, Decimal amount, TimestampUs settled_at_us) noexcept;
  void on_timer(TimestampUs now) noexcept;
  // Stop opening positions (shutdown / operator); exits and hedges continue.
  void stop_opening() noexcept { opening_enabled_ = false; }
  // Open positions again after stop_opening() (the operator's resume); the risk gate still checks every entry.
  void resume_opening() noexcept { opening_enabled_ = true; }
  bool opening_enabled() const noexcept { return opening_enabled_; }
  // Orders still live (for shutdown: cancel them).
  void live_orders(std::vector<std::pair<const MarketSpec*, oms::ClientId>>& out) const;
  void live_orders(std::vector<LiveOrder>& out) const;
  // The order table, read-only (the operator's order view; order_spec_of() decodes an order's purpose).
  const oms::OrderManager& orders() const noexcept { return oms_; }
  bool idle() const noexcept;  // no trade in progress on any pair

  oms::ClientId next_client_id() const noexcept { return oms_.next_client_id(); }
  // Fills reconciliation against the exchange's fills history (oms::TradeKnown).
  using TradeKnown = oms::TradeKnown;
  TradeKnown trade_known(oms::ClientId client_id, std::int64_t trade_id) const noexcept {
    return oms_.trade_known(client_id, trade_id);
  }

  // ---- Recovery (start-up, after add_pair, before the first book update; src/exec/arb_engine_recovery.cpp)
  // A position the journal and the exchange agree on, rebuilt into the portfolio so exits keep working
  // and no second copy is opened. Signed quantities, signed average costs (LegPosition::cost).
  // False when the pair is unknown, busy, already holds a position, or both legs are flat. What the
  // position realized, paid and received before carries over (RestoredState).
  bool restore_position(PairIndex p, const RestoredState& r, TimestampUs now) noexcept;
  // Close this pair's open position at its next book update whatever the exit rules say: both legs
  // unwound with IOC orders (perp reduce-only) through LegRisk. Used for leg imbalances found at
  // recovery, flatten_on_shutdown and the operator's flatten; `why` is the reason the Closed line shows.
  // False when there is nothing open to close.
  bool force_exit(PairIndex p, ExitReason why) noexcept;
  // Daily P&L of earlier runs in the same UTC day (journal): keeps the daily loss budget across restarts.
  void restore_daily_pnl(TimestampUs day_start_us, Decimal carried) noexcept;
  // Today's P&L as the risk gate sees it (this run + carried).
  Decimal daily_pnl(TimestampUs now) noexcept { return account_risk(now).daily_pnl_usd; }
  std::uint64_t unknown_client_updates() const noexcept { return unknown_updates_; }
  // Orders the venue rejected, by what the refusal means (index: RejectClass); the metrics' reason label.
  const std::array<std::uint64_t, kRejectClassCount>& rejected_by_class() const noexcept { return rejected_by_class_; }
  std::uint64_t duplicate_fills() const noexcept { return oms_.duplicate_fills(); }

 private:
  struct PairSlot {
    PairInfo info;
    PairPhase phase = PairPhase::kFlat;
    BasisQuote quote;                            // of the entry in progress or of the open position
    ExitReason exit_reason = ExitReason::kNone;  // of the exit in progress
    TimestampUs entry_started_us = 0;            // of the entry in progress
  };

  void try_enter(PairIndex p, TimestampUs now) noexcept;
  void try_exit(PairIndex p, TimestampUs now) noexcept;
  void drive(PairIndex p, TimestampUs now) noexcept;
  void retry_refused_cancels(TimestampUs now) noexcept;
  void count_rejected(RejectClass c) noexcept;
  void finish_trade(PairIndex p, TimestampUs now) noexcept;
  // The pair's two legs as the trade executor sees them, with the strategy's order flags.
  TradeStart trade_start(PairIndex p, bool exit, ExecutionPlan plan, const std::array<LegOrderFlags, 2>& on_buy,
                         const std::array<LegOrderFlags, 2>& on_sell) noexcept;
  void book_fill(oms::Order& o, const OrderUpdate& u, TimestampUs now) noexcept;
  // Once the OMS settles the order: tell the trade's LegRisk, and re-price a cancelled maker leg.
  void maybe_settle(oms::Order& o, TimestampUs now) noexcept;
  void single_order_update(oms::Order& o, const OrderUpdate& u, TimestampUs now) noexcept;
  AccountRisk account_risk(TimestampUs now) noexcept;
  AccountRisk current_account_risk(TimestampUs now) noexcept override { return account_risk(now); }
  const VenueMargin* venue_margin(VenueId venue) const noexcept override;
  void fill_marks() noexcept;
  std::uint32_t open_positions() const noexcept;
  const OrderBook* book_of(const PairInfo& info, LegIndex leg) const noexcept {
    return leg == LegIndex::kSpot ? info.spot_book : info.perp_book;
  }

  EngineParams params_;
  const InstrumentTable& instruments_;
  RiskGate& risk_;
  Portfolio& portfolio_;
  CommandSink& commands_;
  EngineObserver& observer_;
  BasisStrategy basis_;  // the strategy this engine runs, asked through strategy_
  Strategy& strategy_;
  std::vector<PairSlot> pairs_;
  std::vector<TwoLegTrade> trades_;  // one executor per pair, same index
  std::vector<Marks> marks_;
  oms::OrderManager oms_;
  OrderEntry entry_;  // single orders, on oms_
  AccountSnapshot account_{};
  std::array<VenueAccount, kVenueCount> venue_accounts_{};
  std::array<VenueMargin, kVenueCount> venue_margins_{};  // the same, as the risk gate reads it
  bool have_account_ = false;
  bool opening_enabled_ = true;
  TimestampUs last_stats_us_ = 0;
  std::uint64_t unknown_updates_ = 0;
  std::array<std::uint64_t, kRejectClassCount> rejected_by_class_{};
  std::array<ExitReason, AccountSnapshot::kMaxPairs> force_exit_{};  // kNone = no forced exit pending
  TimestampUs carried_day_start_us_ = -1;
  Decimal carried_daily_pnl_;
  Decimal carried_daily_pnl(TimestampUs now) const noexcept {
    return utc_day_start(now) == carried_day_start_us_ ? carried_daily_pnl_ : Decimal{};
  }
};

}  // namespace bparb::exec
