#include "bparb/oms/order_lifecycle.hpp"

#include <gtest/gtest.h>

namespace bparb::oms {
namespace {

TEST(OrderLifecycle, TableCoversUnknownAndLateEvents) {
  EXPECT_EQ(transition(OrderState::kPendingNew, OrderEvent::kOutcomeUnknown).next, OrderState::kUnknown);
  // Unknown is never turned into rejected by silence, only by facts.
  EXPECT_EQ(transition(OrderState::kUnknown, OrderEvent::kPartialFill).next, OrderState::kPartiallyFilled);
  EXPECT_EQ(transition(OrderState::kUnknown, OrderEvent::kNotFound).next, OrderState::kRejected);
  // Fill that overtakes the REST ack.
  EXPECT_EQ(transition(OrderState::kPendingNew, OrderEvent::kFullFill).next, OrderState::kFilled);
  // Late ack after fill is ignored.
  auto t = transition(OrderState::kFilled, OrderEvent::kAccepted);
  EXPECT_FALSE(t.valid);
  EXPECT_EQ(t.next, OrderState::kFilled);
  // Fill racing a cancel.
  EXPECT_EQ(transition(OrderState::kPendingCancel, OrderEvent::kFullFill).next, OrderState::kFilled);
  EXPECT_TRUE(is_terminal(OrderState::kExpired));
  EXPECT_FALSE(is_terminal(OrderState::kUnknown));
  EXPECT_EQ(order_state_name(OrderState::kPartiallyFilled), "PartiallyFilled");
}

// A REST or query status maps to the event the table expects; a trigger order waiting for its trigger is
// live (accepted), one whose trigger failed is over (expired).
TEST(OrderLifecycle, VenueStatusesMapToEvents) {
  EXPECT_EQ(event_for_status(OrderStatus::kNew), OrderEvent::kAccepted);
  EXPECT_EQ(event_for_status(OrderStatus::kPartiallyFilled), OrderEvent::kPartialFill);
  EXPECT_EQ(event_for_status(OrderStatus::kFilled), OrderEvent::kFullFill);
  EXPECT_EQ(event_for_status(OrderStatus::kCancelled), OrderEvent::kCancelled);
  EXPECT_EQ(event_for_status(OrderStatus::kExpired), OrderEvent::kExpired);
  EXPECT_EQ(event_for_status(OrderStatus::kTriggerFailed), OrderEvent::kExpired);
  EXPECT_EQ(event_for_status(OrderStatus::kTriggerPending), OrderEvent::kAccepted);
}

}  // namespace
}  // namespace bparb::oms
