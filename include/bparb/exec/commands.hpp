#pragma once
// What the kernel asks of the venues: the orders it sends and the one interface they go out through.
// The kernel's observations (fills booked, positions opened, refusals, ...) go elsewhere, as events to
// observers (exec/engine_events.hpp): a CommandSink does I/O and nothing else.
#include <cstdint>
#include <span>
#include <string_view>

#include "bparb/core/decimal.hpp"
#include "bparb/core/instrument.hpp"
#include "bparb/core/market_spec.hpp"
#include "bparb/core/types.hpp"
#include "bparb/exec/leg_risk.hpp"
#include "bparb/oms/order_manager.hpp"
#include "bparb/portfolio/portfolio.hpp"

namespace bparb::exec {

// Why an order was sent: log lines, the journal and the trades CSV name it.
enum class OrderPurpose : std::uint8_t { kEntry, kExit, kHedge, kReprice, kFallback };
std::string_view order_purpose_name(OrderPurpose p) noexcept;

struct OrderSpec {
  oms::ClientId client_id = 0;
  PairIndex pair = 0;
  LegIndex leg = LegIndex::kSpot;
  const MarketSpec* market = nullptr;       // the instrument's market (its symbol, tick and step for the wire)
  InstrumentId instrument = kNoInstrument;  // what cancels and queries of this order name
  Side side = Side::kBid;
  OrderType type = OrderType::kLimit;
  TimeInForce tif = TimeInForce::kIoc;
  Decimal price;     // tick-aligned
  Decimal quantity;  // step-aligned
  bool post_only = false;
  bool reduce_only = false;
  OrderPurpose purpose = OrderPurpose::kEntry;
  // Backpack spot-margin flags (strategy.allow_spot_borrow, spot leg of a spot-premium trade only): the
  // opening sell may borrow the base asset (autoBorrow) or redeem a lend (autoLendRedeem); the buy-back
  // repays the borrow (autoBorrowRepay). Never set on perp orders or when borrowing is not allowed.
  bool auto_borrow = false;
  bool auto_borrow_repay = false;
  bool auto_lend_redeem = false;
};

// The kernel's commands out. Implementations must not call back into the engine synchronously (post the
// I/O; deliver answers as new events).
class CommandSink {
 public:
  virtual ~CommandSink() = default;
  virtual void place_orders(std::span<const OrderSpec> orders) = 0;
  // Cancels and queries name the instrument (an id of the engine's InstrumentTable): the adapter resolves
  // the venue's symbol itself.
  virtual void cancel_order(InstrumentId instrument, oms::ClientId client_id) = 0;
  virtual void query_order(InstrumentId instrument, oms::ClientId client_id) = 0;
  // A replace (exec/order_entry.hpp): `old_id` on `instrument` ends and `next` (a new client id, same
  // instrument, side and flags) takes its place. A venue that modifies an order in place does it in one
  // request (Lighter's ModifyOrder); the default is what a venue without one does: the cancel, then the order.
  virtual void replace_order(InstrumentId instrument, oms::ClientId old_id, const OrderSpec& next) {
    cancel_order(instrument, old_id);
    place_orders(std::span<const OrderSpec>(&next, 1));
  }
};

}  // namespace bparb::exec
