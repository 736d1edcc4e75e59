#pragma once
// Order entry for single-instrument strategies (a market maker quoting one instrument): place, cancel and
// replace single orders with the same bookkeeping the two-leg trades get. Every order is checked by the
// risk gate, tracked in the engine's OMS (client id, transition table, trade-id dedup, unknown outcomes
// queried, never assumed rejected) and sent through the engine's CommandSink, so the daemon journals the
// intent before a byte leaves, logs it and the adapter sends it, exactly as for the basis strategy's
// orders. What happens to an order comes back to the owner that placed it as SingleOrderEvents.
//
// Prices and quantities are integers: ticks and lots (steps) of the instrument, so an order field is
// never built from a double. Allocation-free and exception-free once set up (owners and books are
// registered at start-up).
//
// The engine (exec/arb_engine.hpp) owns one OrderEntry on its OMS and routes the events of the orders
// placed here (their OMS owner tag says so) to it; a strategy gets it from ArbEngine::order_entry().
//
// Replace: the old order ends and a new one (a new client id) takes its place, in one command to the sink
// (CommandSink::replace_order). A venue that modifies in place (Lighter's ModifyOrder) sends one request and
// reports the old order cancelled once the modify applied; one without (Backpack) cancels and places. Until
// the venue answers, both may fill, which the owner sees as fills of either client id (docs/kernel.md,
// "Replace").
#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "bparb/book/order_book.hpp"
#include "bparb/core/client_id.hpp"
#include "bparb/core/clock.hpp"
#include "bparb/core/decimal.hpp"
#include "bparb/core/instrument.hpp"
#include "bparb/core/reject_class.hpp"
#include "bparb/core/types.hpp"
#include "bparb/exec/commands.hpp"
#include "bparb/oms/order_manager.hpp"
#include "bparb/risk/risk_gate.hpp"

namespace bparb::exec {

class CommandSink;
class EngineObserver;
struct OrderAck;
struct OrderUpdate;
struct OrderSpec;
struct CancelRefusal;

// Who placed an order: an index handed out by OrderEntry::add_owner at start-up.
using OrderOwner = std::uint32_t;

struct SingleOrderRequest {
  InstrumentId instrument = kNoInstrument;
  Side side = Side::kBid;
  std::int64_t price_ticks = 0;                 // limit price in ticks of the instrument (> 0)
  std::int64_t quantity_lots = 0;               // quantity in steps of the instrument (> 0)
  bool post_only = false;                       // rests or is refused; never takes
  bool reduce_only = false;                     // perps only: may only shrink the position
  bool ioc = false;                             // immediate-or-cancel; otherwise good-till-cancelled
  OrderPurpose purpose = OrderPurpose::kEntry;  // for log lines and the journal
};

// Why order entry refused a command before anything was sent.
enum class EntryRefusal : std::uint8_t {
  kNone,
  kUnknownOwner,       // not an owner add_owner handed out
  kUnknownInstrument,  // not an id of the instrument table
  kInvalidPrice,       // not positive, beyond what a price can hold, or outside the market's min/max price
  kInvalidQuantity,    // not positive, below the market's minimum or above its maximum
  kInvalidFlags,       // post-only with IOC, or reduce-only on a spot instrument
  kRisk,               // the risk gate refused (SubmitResult::risk names the rule and the numbers)
  kOrderTableFull,     // the OMS holds only live or unsettled orders: nothing more can be tracked safely
  kUnknownOrder,       // no tracked order with this client id belongs to this owner
  kNotCancellable,     // the order's send is unanswered or its outcome unknown: cancel after the answer
  kNotLive,            // the order is already done (filled, cancelled, expired, rejected) or being cancelled
};
std::string_view entry_refusal_name(EntryRefusal r) noexcept;  // "risk", "not_live", ...

struct SubmitResult {
  ClientId client_id = 0;  // of the order sent (0 when refused)
  EntryRefusal refusal = EntryRefusal::kNone;
  RiskDecision risk;  // when refusal == kRisk: the rule and its numbers
  bool ok() const noexcept { return refusal == EntryRefusal::kNone; }
};

// In the order they happen to one order. A venue's answer may report an order filled before its fills
// arrive: then kFilled comes before the kFill events; kSettled always comes last.
enum class SingleOrderEventKind : std::uint8_t {
  kAccepted,        // the venue accepted it (resting, or matched in the same answer)
  kRejected,        // the venue refused it (reject class, code and message set) or never knew it (a query)
  kOutcomeUnknown,  // the send's outcome is unknown: the engine queries it; not a rejection
  kFill,            // one fill, booked once (fill fields set)
  kFilled,          // terminal: fully filled
  kCancelled,       // terminal: cancelled (may carry a partial fill)
  kExpired,         // terminal: an IOC remainder, a post-only that would have taken, ... (may carry fills)
  kSettled,         // terminal and every reported fill booked: the last event of this order
  // The venue refused a cancel (reject class, code and message set): the order is live again (state says
  // which) and may be cancelled again; a query is on its way unless the refusal was for rate.
  kCancelRefused,
};
std::string_view single_order_event_name(SingleOrderEventKind k) noexcept;

struct SingleOrderEvent {
  SingleOrderEventKind kind = SingleOrderEventKind::kAccepted;
  ClientId client_id = 0;
  InstrumentId instrument = kNoInstrument;
  Side side = Side::kBid;
  oms::OrderState state = oms::OrderState::kPendingNew;  // the order's state after the event
  Decimal quantity;                                      // ordered
  Decimal filled;                                        // booked so far
  // kFill
  Decimal fill_quantity;
  Decimal fill_price;
  Decimal fee;
  std::string_view fee_symbol;
  bool maker = false;
  // kRejected, kCancelRefused
  RejectClass reject = RejectClass::kOther;
  std::string_view code;  // the venue's own code and message, for log lines
  std::string_view message;
};

// The owning strategy's side. Called from inside the engine's event handlers: it may submit or cancel
// through OrderEntry from there (commands go out through the sink, which never calls back synchronously).
class SingleOrderHandler {
 public:
  virtual ~SingleOrderHandler() = default;
  virtual void on_single_order_event(const SingleOrderEvent& e) noexcept = 0;
};

// What the risk gate needs from the engine at the moment of an order: the account's numbers, and for an
// order on another venue than the primary account's, that venue's equity and margin in use.
class AccountRiskSource {
 public:
  virtual ~AccountRiskSource() = default;
  virtual AccountRisk current_account_risk(TimestampUs now) noexcept = 0;
  // Null for the primary account's venue (its figures are the AccountRisk's).
  virtual const VenueMargin* venue_margin(VenueId venue) const noexcept = 0;
};

class OrderEntry {
 public:
  static constexpr std::size_t kMaxOwners = 16;

  OrderEntry(const InstrumentTable& instruments, oms::OrderManager& oms, RiskGate& risk, CommandSink& commands,
             EngineObserver& observer, AccountRiskSource& account) noexcept;

  // ---- Start-up (allocates; throws std::length_error / std::invalid_argument)
  OrderOwner add_owner(SingleOrderHandler& handler);
  // The book whose health (synced, last update) the risk gate checks for orders on `instrument`. An
  // instrument without one is refused as not synced.
  void set_book(InstrumentId instrument, const OrderBook* book);

  // ---- Commands
  SubmitResult submit(OrderOwner owner, const SingleOrderRequest& request, TimestampUs now) noexcept;
  EntryRefusal cancel(OrderOwner owner, ClientId client_id, TimestampUs now) noexcept;
  // Cancels `client_id` and places the same order (instrument, side, flags) at the new price and quantity.
  // Nothing is cancelled unless the new order passes every check.
  SubmitResult replace(OrderOwner owner, ClientId client_id, std::int64_t price_ticks, std::int64_t quantity_lots,
                       TimestampUs now) noexcept;

  // ---- Routing (the engine, for orders whose owner tag is_single_order)
  static bool is_single_order(const oms::Order& o) noexcept;
  // The engine applied an ack / update / query answer to `o` (state before: `before`); tell its owner.
  void on_ack(oms::Order& o, oms::OrderState before, const OrderAck& ack, TimestampUs now) noexcept;
  void on_fill(oms::Order& o, const OrderUpdate& u) noexcept;
  void on_state(oms::Order& o, oms::OrderState before) noexcept;
  // The venue refused a cancel of `o` (the OMS put it back to its live state).
  void on_cancel_refused(const oms::Order& o, const CancelRefusal& refusal) noexcept;
  // The OMS settled `o` (terminal, every fill booked).
  void on_settled(const oms::Order& o) noexcept;
  // The spec the order was sent with (for the observer's events).
  OrderSpec spec_of(const oms::Order& o) const noexcept;

  std::size_t owner_count() const noexcept { return owner_count_; }

 private:
  SingleOrderHandler* handler_of(const oms::Order& o) const noexcept;
  oms::Order* owned(OrderOwner owner, ClientId client_id) noexcept;
  SingleOrderEvent event_of(const oms::Order& o, SingleOrderEventKind kind) const noexcept;
  void emit(const oms::Order& o, const SingleOrderEvent& e) noexcept;
  SubmitResult check(OrderOwner owner, const SingleOrderRequest& request, TimestampUs now) noexcept;
  SubmitResult send(OrderOwner owner, const SingleOrderRequest& request, TimestampUs now) noexcept;
  // Into the OMS (and the risk gate's order rate), not sent; null when the table is full.
  oms::Order* track(OrderOwner owner, const SingleOrderRequest& request, TimestampUs now) noexcept;

  const InstrumentTable& instruments_;
  oms::OrderManager& oms_;
  RiskGate& risk_;
  CommandSink& commands_;
  EngineObserver& observer_;
  AccountRiskSource& account_;
  std::array<SingleOrderHandler*, kMaxOwners> owners_{};
  std::size_t owner_count_ = 0;
  std::vector<const OrderBook*> books_;  // by InstrumentId
};

}  // namespace bparb::exec
