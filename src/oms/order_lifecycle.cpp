#include "bparb/oms/order_lifecycle.hpp"

#include <array>

namespace bparb::oms {
namespace {

using S = OrderState;
using E = OrderEvent;
constexpr std::size_t kStates = 9;
constexpr std::size_t kEvents = 9;
constexpr Transition X{S::kPendingNew, false};  // placeholder for invalid; `next` replaced by current state

// Rows: current state; columns: events in enum order
// (Accepted, Rejected, OutcomeUnknown, PartialFill, FullFill, CancelRequested, Cancelled, Expired, NotFound).
// A fill or a terminal report is accepted from any live state: the exchange is the source of truth and
// stream events can overtake the REST answer. A late kAccepted after a fill is ignored (stays).
// One row per state, as the table it is (kept out of clang-format).
// clang-format off
constexpr std::array<std::array<Transition, kEvents>, kStates> kTable{{
    // kPendingNew
    {{{S::kOpen, true}, {S::kRejected, true}, {S::kUnknown, true}, {S::kPartiallyFilled, true}, {S::kFilled, true},
      {S::kPendingCancel, true}, {S::kCancelled, true}, {S::kExpired, true}, {S::kRejected, true}}},
    // kUnknown: only the exchange's facts move it; a query that finds nothing means it never existed.
    {{{S::kOpen, true}, {S::kRejected, true}, {S::kUnknown, true}, {S::kPartiallyFilled, true}, {S::kFilled, true},
      {S::kPendingCancel, true}, {S::kCancelled, true}, {S::kExpired, true}, {S::kRejected, true}}},
    // kOpen
    {{{S::kOpen, true}, X, X, {S::kPartiallyFilled, true}, {S::kFilled, true}, {S::kPendingCancel, true},
      {S::kCancelled, true}, {S::kExpired, true}, X}},
    // kPartiallyFilled
    {{{S::kPartiallyFilled, true}, X, X, {S::kPartiallyFilled, true}, {S::kFilled, true},
      {S::kPendingCancel, true}, {S::kCancelled, true}, {S::kExpired, true}, X}},
    // kPendingCancel: fills can still arrive before the cancel lands; a rejected cancel keeps it pending
    // until a query says otherwise.
    {{{S::kPendingCancel, true}, X, {S::kPendingCancel, true}, {S::kPendingCancel, true}, {S::kFilled, true},
      {S::kPendingCancel, true}, {S::kCancelled, true}, {S::kExpired, true}, {S::kCancelled, true}}},
    // terminal states: everything is a no-op (duplicates from stream + REST are normal)
    {{X, X, X, X, {S::kFilled, true}, X, X, X, X}},  // kFilled
    {{X, X, X, X, X, X, {S::kCancelled, true}, X, X}},  // kCancelled
    {{X, X, X, X, X, X, X, {S::kExpired, true}, X}},  // kExpired
    {{X, {S::kRejected, true}, X, X, X, X, X, X, X}},  // kRejected
}};
// clang-format on

}  // namespace

Transition transition(OrderState s, OrderEvent e) noexcept {
  Transition t = kTable[static_cast<std::size_t>(s)][static_cast<std::size_t>(e)];
  if (!t.valid) t.next = s;
  return t;
}

OrderEvent event_for_status(OrderStatus s) noexcept {
  switch (s) {
    case OrderStatus::kNew:
      return OrderEvent::kAccepted;
    case OrderStatus::kPartiallyFilled:
      return OrderEvent::kPartialFill;
    case OrderStatus::kFilled:
      return OrderEvent::kFullFill;
    case OrderStatus::kCancelled:
      return OrderEvent::kCancelled;
    case OrderStatus::kExpired:
    case OrderStatus::kTriggerFailed:
      return OrderEvent::kExpired;
    case OrderStatus::kTriggerPending:
      return OrderEvent::kAccepted;
  }
  return OrderEvent::kAccepted;
}

std::string_view order_state_name(OrderState s) noexcept {
  constexpr std::array<std::string_view, kStates> names{"PendingNew",      "Unknown",       "Open",
                                                        "PartiallyFilled", "PendingCancel", "Filled",
                                                        "Cancelled",       "Expired",       "Rejected"};
  return names[static_cast<std::size_t>(s)];
}

std::string_view order_event_name(OrderEvent e) noexcept {
  constexpr std::array<std::string_view, kEvents> names{"Accepted",    "Rejected", "OutcomeUnknown",
                                                        "PartialFill", "FullFill", "CancelRequested",
                                                        "Cancelled",   "Expired",  "NotFound"};
  return names[static_cast<std::size_t>(e)];
}

}  // namespace bparb::oms
