#include "bparb/oms/order_manager.hpp"

namespace bparb::oms {

OrderManager::OrderManager(ClientId first_client_id, const OmsParams& params) noexcept
    : params_(params), next_client_id_(first_client_id == 0 ? 1 : first_client_id) {}

Order* OrderManager::find(ClientId id) noexcept {
  for (auto& o : orders_)
    if (o.used_ && o.client_id_ == id) return &o;
  return nullptr;
}

const Order* OrderManager::find(ClientId id) const noexcept {
  for (const auto& o : orders_)
    if (o.used_ && o.client_id_ == id) return &o;
  return nullptr;
}

Order* OrderManager::track(const OrderRequest& request, TimestampUs now) noexcept {
  // Round-robin over the table: the slot after the last one handed out is the oldest, so the first free
  // or settled slot from the cursor is taken (O(1) in steady state instead of a full scan per order).
  // A live order is never evicted.
  Order* slot = nullptr;
  for (std::size_t k = 0; k < kCapacity; ++k) {
    Order& o = orders_[(cursor_ + k) % kCapacity];
    if (!o.used_ || (o.settled_ && is_terminal(o.state_))) {
      slot = &o;
      cursor_ = (cursor_ + k + 1) % kCapacity;
      break;
    }
  }
  if (!slot) return nullptr;
  *slot = Order{};
  slot->used_ = true;
  slot->request_ = request;
  slot->client_id_ = next_client_id_++;
  if (next_client_id_ == 0) next_client_id_ = 1;  // wrap: 0 means "no clientId"
  slot->sent_us_ = now;
  slot->state_since_us_ = now;
  return slot;
}

void OrderManager::apply(Order& o, OrderEvent e, TimestampUs now) noexcept {
  const Transition t = transition(o.state_, e);
  if (t.next != o.state_) o.state_since_us_ = now;
  o.state_ = t.next;
}

bool OrderManager::cancel_refused(Order& o, TimestampUs now) noexcept {
  if (o.state_ != OrderState::kPendingCancel) return false;
  o.state_ = o.booked_.is_positive() || o.reported_.is_positive() ? OrderState::kPartiallyFilled : OrderState::kOpen;
  o.state_since_us_ = now;
  return true;
}

void OrderManager::note_reported(Order& o, Decimal cumulative) noexcept {
  if (cumulative > o.reported_) o.reported_ = cumulative;
}

FillBooking OrderManager::book_fill(Order& o, std::int64_t trade_id, Decimal quantity, Decimal cumulative) noexcept {
  // An order never fills beyond its quantity: once it is booked in full, a further report is one already booked
  // under another name (a fill booked from the order's amounts without its trade id, seen again with the id in
  // the fills history).
  if (o.request_.quantity.is_positive() && o.booked_ >= o.request_.quantity) {
    ++duplicate_fills_;
    return FillBooking::kDuplicate;
  }
  if (trade_id >= 0) {
    for (std::uint8_t i = 0; i < o.trade_id_count_; ++i) {
      if (o.trade_ids_[i] == trade_id) {
        ++duplicate_fills_;
        return FillBooking::kDuplicate;
      }
    }
    if (o.trade_id_count_ < o.trade_ids_.size()) {
      o.trade_ids_[o.trade_id_count_++] = trade_id;
    } else if (cumulative.is_positive() && cumulative <= o.booked_) {
      ++duplicate_fills_;  // beyond the id window: fall back to the cumulative quantity
      return FillBooking::kDuplicate;
    }
  } else if (cumulative.is_positive() && cumulative <= o.booked_) {
    ++duplicate_fills_;
    return FillBooking::kDuplicate;
  }
  if (!quantity.is_positive()) return FillBooking::kEmpty;
  o.booked_ += quantity;
  if (o.booked_ > o.reported_) o.reported_ = o.booked_;
  return FillBooking::kBooked;
}

bool OrderManager::settle(Order& o) noexcept {
  if (o.settled_ || !is_terminal(o.state_) || o.booked_ < o.reported_) return false;
  o.settled_ = true;
  return true;
}

TradeKnown OrderManager::trade_known(ClientId id, std::int64_t trade_id) const noexcept {
  const Order* o = find(id);
  if (!o || trade_id < 0) return TradeKnown::kUntracked;
  for (std::uint8_t i = 0; i < o->trade_id_count_; ++i)
    if (o->trade_ids_[i] == trade_id) return TradeKnown::kBooked;
  return o->trade_id_count_ < o->trade_ids_.size() ? TradeKnown::kMissing : TradeKnown::kUntracked;
}

}  // namespace bparb::oms
