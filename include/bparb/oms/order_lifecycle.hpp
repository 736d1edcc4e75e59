#pragma once
// Our view of one order we sent, driven by an explicit transition table.
//
// Why a table: the failures traders fear (a naked leg after a "rejected" order that was in fact placed,
// an order stuck forever) come from ad-hoc state updates. Here every (state, event) pair has exactly one
// outcome, and an outcome-unknown request (timeout, 5xx, disconnect) stays in kUnknown until the stream
// or a query settles it — it is never treated as rejected: a request that may have reached the
// exchange may also have filled, and booking it as rejected would leave a fill unhedged.
#include <cstdint>
#include <string_view>

#include "bparb/core/clock.hpp"
#include "bparb/core/decimal.hpp"
#include "bparb/core/types.hpp"

namespace bparb::oms {

enum class OrderState : std::uint8_t {
  kPendingNew,       // request sent, no answer yet
  kUnknown,          // request timed out / 5xx / connection lost: outcome must be queried
  kOpen,             // accepted, resting, nothing filled
  kPartiallyFilled,  // accepted, some filled, still live
  kPendingCancel,    // cancel sent
  kFilled,           // terminal
  kCancelled,        // terminal (may carry a partial fill)
  kExpired,          // terminal (IOC/FOK remainder, post-only taker, ...; may carry a partial fill)
  kRejected,         // terminal: the exchange answered with an error, nothing was placed
};

enum class OrderEvent : std::uint8_t {
  kAccepted,         // REST 200 with status New, or WS orderAccepted
  kRejected,         // REST 4xx with an API error code (definitive)
  kOutcomeUnknown,   // timeout / 5xx / transport failure on the send
  kPartialFill,      // a fill that leaves quantity open
  kFullFill,         // cumulative filled == quantity
  kCancelRequested,  // we sent a cancel
  kCancelled,        // exchange says cancelled
  kExpired,          // exchange says expired
  kNotFound,         // query answered: order not on the book and not in history
};

std::string_view order_state_name(OrderState s) noexcept;
std::string_view order_event_name(OrderEvent e) noexcept;
constexpr bool is_terminal(OrderState s) noexcept {
  return s == OrderState::kFilled || s == OrderState::kCancelled || s == OrderState::kExpired ||
         s == OrderState::kRejected;
}

struct Transition {
  OrderState next;
  bool valid;  // false: the event makes no sense in this state (logged, state unchanged)
};
// The table. Pure and total over all (state, event) pairs.
Transition transition(OrderState s, OrderEvent e) noexcept;
// The event a venue-reported order status (REST answer, query) stands for.
OrderEvent event_for_status(OrderStatus s) noexcept;

}  // namespace bparb::oms
