#pragma once
// The order manager: the table of the orders we sent and what the venue told us about each of them.
//
// It knows orders only — client id, market, side, type, price, quantity, life-cycle state (the transition
// table of order_lifecycle.hpp), the quantity booked from fills, the cumulative quantity the venue reported
// and the trade ids already booked — not pairs, legs or strategies. Each order carries an opaque owner tag
// that the strategy sets and reads back to route the order's events.
//
// The rules it keeps:
//  - an order whose send outcome is unknown (timeout, 5xx, lost connection) stays kUnknown and is queried
//    after query_unknown_after; it is never assumed rejected;
//  - a terminal order whose reported fills have not all been booked is queried after settle_timeout;
//  - a taker (IOC/FOK) order still pending its cancel after query_unknown_after is queried: it should have
//    ended at once, so its end was lost (a cancel taken while the stream was down, an order never executed);
//  - a fill is booked once: by trade id within a per-order window of kTradeIdWindow ids, by the reported
//    cumulative quantity beyond it (or when the venue gives no trade id); nothing is booked beyond the order's
//    quantity (a fill booked without its trade id and reported again with it);
//  - a live order is never evicted: when every slot holds a live or unsettled order, track() refuses.
//
// Fixed capacity, no heap allocation after construction, no exceptions: it sits on the order path.
#include <array>
#include <cstddef>
#include <cstdint>
#include <utility>

#include "bparb/core/client_id.hpp"
#include "bparb/core/clock.hpp"
#include "bparb/core/decimal.hpp"
#include "bparb/core/instrument.hpp"
#include "bparb/core/market_spec.hpp"
#include "bparb/core/types.hpp"
#include "bparb/oms/order_lifecycle.hpp"

namespace bparb::oms {

// The kernel's client order id (core/types.hpp). 0 means "no client id", so it is never handed out.
using ClientId = bparb::ClientId;
// Opaque to the OMS: whatever the owner of an order needs to route its events back.
using OwnerTag = std::uint64_t;

// What the owner asks for; the OMS adds the client id.
struct OrderRequest {
  const MarketSpec* market = nullptr;
  InstrumentId instrument = kNoInstrument;  // what cancels and queries of the order name
  Side side = Side::kBid;
  OrderType type = OrderType::kLimit;
  TimeInForce tif = TimeInForce::kIoc;
  Decimal price;     // tick-aligned
  Decimal quantity;  // step-aligned
  bool post_only = false;
  bool reduce_only = false;
  OwnerTag owner = 0;
};

struct OmsParams {
  DurationUs query_unknown_after_us = 2 * kUsPerSecond;
  DurationUs settle_timeout_us = 5 * kUsPerSecond;  // terminal order whose fills haven't all arrived
};

// Fills reconciliation against the venue's fills history: was this trade of this order booked?
// kUntracked when the OMS cannot tell (order no longer in the table, or more fills than the per-order
// trade-id window): the caller must not book it then, or it could count twice.
enum class TradeKnown : std::uint8_t { kBooked, kMissing, kUntracked };

enum class FillBooking : std::uint8_t {
  kBooked,     // new: added to booked()
  kDuplicate,  // already booked (same trade id, or cumulative quantity not beyond what was booked)
  kEmpty,      // new but without a positive quantity: nothing to book
};

class Order {
 public:
  static constexpr std::size_t kTradeIdWindow = 16;

  ClientId client_id() const noexcept { return client_id_; }
  const OrderRequest& request() const noexcept { return request_; }
  const MarketSpec* market() const noexcept { return request_.market; }
  InstrumentId instrument() const noexcept { return request_.instrument; }
  OwnerTag owner() const noexcept { return request_.owner; }
  OrderState state() const noexcept { return state_; }
  Decimal booked() const noexcept { return booked_; }      // sum of the fills booked
  Decimal reported() const noexcept { return reported_; }  // max cumulative executed the venue reported
  TimestampUs sent_us() const noexcept { return sent_us_; }
  TimestampUs state_since_us() const noexcept { return state_since_us_; }
  bool query_sent() const noexcept { return query_sent_; }
  // Cancels of this order the venue refused so far, and when the next one is due (0: none scheduled).
  std::uint8_t cancel_refusals() const noexcept { return cancel_refusals_; }
  TimestampUs cancel_retry_at_us() const noexcept { return cancel_retry_at_us_; }
  // Terminal and every reported fill booked: nothing more will happen to it.
  bool settled() const noexcept { return settled_; }

 private:
  friend class OrderManager;
  bool used_ = false;
  ClientId client_id_ = 0;
  OrderRequest request_;
  OrderState state_ = OrderState::kPendingNew;
  Decimal booked_;
  Decimal reported_;
  TimestampUs sent_us_ = 0;
  TimestampUs state_since_us_ = 0;
  bool query_sent_ = false;
  bool settled_ = false;
  std::uint8_t cancel_refusals_ = 0;
  TimestampUs cancel_retry_at_us_ = 0;
  std::array<std::int64_t, kTradeIdWindow> trade_ids_{};
  std::uint8_t trade_id_count_ = 0;
};

class OrderManager {
 public:
  static constexpr std::size_t kCapacity = 512;  // live + recently settled orders tracked

  explicit OrderManager(ClientId first_client_id, const OmsParams& params = {}) noexcept;
  void set_params(const OmsParams& p) noexcept { params_ = p; }
  const OmsParams& params() const noexcept { return params_; }

  // A new order in kPendingNew with the next client id, or nullptr when the table holds only live or
  // unsettled orders (it cannot track more safely).
  Order* track(const OrderRequest& request, TimestampUs now) noexcept;
  // Forgets an order that track() handed out but that was never sent (the rest of its batch could not be
  // tracked). Its client id is not reused.
  void release(Order& o) noexcept { o.used_ = false; }
  Order* find(ClientId id) noexcept;
  const Order* find(ClientId id) const noexcept;
  void set_owner(Order& o, OwnerTag owner) noexcept { o.request_.owner = owner; }

  // Moves the order through the transition table; an event that makes no sense in its state is ignored.
  void apply(Order& o, OrderEvent e, TimestampUs now) noexcept;
  // The venue refused a cancel of `o`: a pending cancel returns to the live state it left (partially
  // filled when anything was reported or booked, else open). Not an event of the table: the refusal is of
  // our request, not a fact about the order. False (nothing changed) when `o` is not pending a cancel.
  bool cancel_refused(Order& o, TimestampUs now) noexcept;
  // Counts a refused cancel of `o` (saturating) and returns the count so far.
  std::uint8_t note_cancel_refusal(Order& o) noexcept {
    if (o.cancel_refusals_ < 255) ++o.cancel_refusals_;
    return o.cancel_refusals_;
  }
  // The cancel of `o` is to be sent again at `at` (0: not any more).
  void schedule_cancel_retry(Order& o, TimestampUs at) noexcept { o.cancel_retry_at_us_ = at; }
  // The venue reported `cumulative` executed (REST answer, stream event, query): keeps the maximum.
  void note_reported(Order& o, Decimal cumulative) noexcept;
  // One fill report (trade_id < 0: the venue gave none; cumulative zero: unknown). Books it unless it
  // is a duplicate; the caller books the fill itself only on kBooked.
  FillBooking book_fill(Order& o, std::int64_t trade_id, Decimal quantity, Decimal cumulative) noexcept;
  // True exactly once per order: when it is terminal and every reported fill is booked.
  bool settle(Order& o) noexcept;
  // The answer to a query arrived (whatever it said): a later one may be sent.
  void query_answered(Order& o) noexcept { o.query_sent_ = false; }
  TradeKnown trade_known(ClientId id, std::int64_t trade_id) const noexcept;

  // Timer tick: calls query(const Order&) for each order that must be queried now (outcome unknown for
  // query_unknown_after, or terminal with fills missing for settle_timeout). A query whose answer does not
  // come within settle_timeout may be sent again.
  template <class Query>
  void poll(TimestampUs now, Query&& query) noexcept;

  // Every tracked order, in table order.
  template <class F>
  void for_each(F&& f) noexcept {
    for (auto& o : orders_)
      if (o.used_) f(o);
  }
  template <class F>
  void for_each(F&& f) const noexcept {
    for (const auto& o : orders_)
      if (o.used_) f(o);
  }

  ClientId next_client_id() const noexcept { return next_client_id_; }
  std::uint64_t duplicate_fills() const noexcept { return duplicate_fills_; }

 private:
  OmsParams params_;
  std::array<Order, kCapacity> orders_{};
  std::size_t cursor_ = 0;
  ClientId next_client_id_;
  std::uint64_t duplicate_fills_ = 0;
};

template <class Query>
void OrderManager::poll(TimestampUs now, Query&& query) noexcept {
  for (auto& o : orders_) {
    if (!o.used_ || o.settled_) continue;
    const bool unknown = o.state_ == OrderState::kUnknown && now - o.state_since_us_ >= params_.query_unknown_after_us;
    const bool unsettled =
        is_terminal(o.state_) && o.booked_ < o.reported_ && now - o.state_since_us_ >= params_.settle_timeout_us;
    // A taker order (IOC/FOK) ends on the venue at once; one still pending its cancel has lost its end on the way
    // (a cancel taken while the stream was down, an order the venue never executed): the venue says how it ended.
    const bool cancel_unheard = o.state_ == OrderState::kPendingCancel && o.request_.tif != TimeInForce::kGtc &&
                                now - o.state_since_us_ >= params_.query_unknown_after_us;
    if ((unknown || unsettled || cancel_unheard) && !o.query_sent_) {
      o.query_sent_ = true;
      o.state_since_us_ = now;  // re-query after another interval if still open
      query(std::as_const(o));
    } else if (o.query_sent_ && now - o.state_since_us_ >= params_.settle_timeout_us) {
      o.query_sent_ = false;  // answer lost: allow another query next tick
    }
  }
}

}  // namespace bparb::oms
