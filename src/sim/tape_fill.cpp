// Exchange::fill_resting: a resting order filled by a recorded trade (backtest queue model). Kept apart
// from matching.cpp because it bypasses price-time priority on purpose: the caller (the backtest runner)
// has already decided, from the recorded tape, that the quantity ahead of this order has traded.
#include <algorithm>

#include "exchange_impl.hpp"

namespace bparb::sim {

std::int64_t Exchange::fill_resting(OrderId order_id, AccountId counterparty, std::int64_t lots) {
  Impl& x = *impl_;
  auto it = x.resting.find(order_id);
  const Account* cp = x.account(counterparty);
  if (it == x.resting.end() || cp == nullptr || !cp->unlimited || lots <= 0) return 0;
  OrderState& mk = it->second;
  MarketState& m = x.markets[mk.market];
  const std::int64_t take = std::min(lots, mk.remaining_lots);
  if (take <= 0) return 0;
  // A transient taker order of the counterparty (never rests, never listed: unlimited accounts keep no
  // history), so that the trade has a buyer and a seller id like any other.
  OrderState taker;
  taker.order.id = x.next_order_id++;
  taker.order.account = counterparty;
  taker.order.symbol = m.spec.symbol;
  taker.order.side = mk.order.side == Side::kBid ? Side::kAsk : Side::kBid;
  taker.order.order_type = OrderType::kLimit;
  taker.order.time_in_force = TimeInForce::kIoc;
  taker.order.price = m.price_of(mk.price_ticks);
  taker.order.quantity = m.qty_of(take);
  taker.order.created_at_us = x.now();
  taker.market = mk.market;
  taker.price_ticks = mk.price_ticks;
  taker.quantity_lots = take;
  taker.remaining_lots = take;
  const AccountId maker_account = mk.order.account;
  x.apply_fill(m, taker, mk, mk.price_ticks, take);
  if (mk.remaining_lots == 0) x.finish_resting(mk, OrderStatus::kFilled, std::nullopt);
  if (m.spec.is_perp()) x.enforce_reduce_only(x.accounts[maker_account], m);
  x.flush_market(m);
  return take;
}

}  // namespace bparb::sim
