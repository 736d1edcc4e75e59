// Order entry, matching (price-time priority), cancels, and the per-fill accounting of balances,
// positions and fees.
#include <algorithm>
#include <limits>

#include "bparb/sim/margin.hpp"
#include "exchange_impl.hpp"

namespace bparb::sim {
namespace {

constexpr std::int64_t kUnbounded = std::numeric_limits<std::int64_t>::max();

// How far the taker may walk and how much it may take.
struct WalkLimits {
  Side side = Side::kBid;  // taker side
  bool has_cap = false;
  std::int64_t cap_ticks = 0;  // Bid: maker price <= cap; Ask: maker price >= cap
  StopReason cap_reason = StopReason::kLimit;
  std::int64_t max_lots = kUnbounded;
  std::optional<Decimal> quote_budget;
};

bool beyond_cap(const WalkLimits& w, std::int64_t ticks) noexcept {
  if (!w.has_cap) return false;
  return w.side == Side::kBid ? ticks > w.cap_ticks : ticks < w.cap_ticks;
}

struct DryRun {
  std::int64_t lots = 0;
  Decimal quote;
  StopReason stop = StopReason::kNone;
};

// What the walk would do, without touching anything (FOK and funds checks). Mirrors the real walk,
// including self-trade prevention, so its result is exact.
DryRun dry_run(const MarketState& m, AccountId self, SelfTradePrevention stp, const WalkLimits& w) {
  DryRun r;
  std::int64_t want = w.max_lots;
  std::optional<Decimal> budget = w.quote_budget;
  const Side opp = opposite(w.side);
  for (const auto& [ticks, lvl] : m.book.levels(opp)) {
    if (beyond_cap(w, ticks)) {
      r.stop = w.cap_reason;
      return r;
    }
    for (const BookEntry& e : m.book.queue(lvl)) {
      if (e.account == self && stp != SelfTradePrevention::kAllow) {
        if (stp == SelfTradePrevention::kRejectMaker) continue;
        r.stop = StopReason::kSelfTrade;
        return r;
      }
      std::int64_t take = std::min(want, e.remaining_lots);
      if (budget) {
        const Decimal unit = m.notional(ticks, 1);
        take = std::min(take, budget->raw() / unit.raw());
        if (take == 0) {
          r.stop = StopReason::kBudget;
          return r;
        }
      }
      const Decimal q = m.notional(ticks, take);
      r.lots += take;
      r.quote += q;
      want -= take;
      if (budget) *budget -= q;
      if (want == 0) {
        r.stop = StopReason::kFilled;
        return r;
      }
    }
  }
  r.stop = StopReason::kEmpty;
  return r;
}

}  // namespace

// ---------------------------------------------------------------------------------------------

Expected<SimOrder, Reject> Exchange::Impl::execute(AccountId a, const SimOrderRequest& r) {
  Account* acct = account(a);
  if (!acct) return unexpected(Reject::kUnknownAccount);
  MarketState* mp = find_market(r.symbol);
  if (!mp) return unexpected(Reject::kUnknownSymbol);
  MarketState& m = *mp;
  const MarketSpec& s = m.spec;
  const bool is_market = r.order_type == OrderType::kMarket;
  const bool reduce_only = r.reduce_only.value_or(false);

  switch (s.state) {
    case OrderBookState::kClosed:
      return unexpected(Reject::kTradingPaused);
    case OrderBookState::kCancelOnly:
      return unexpected(Reject::kCancelOnlyMode);
    case OrderBookState::kLimitOnly:
      if (is_market) return unexpected(Reject::kLimitOnlyMode);
      break;
    default:
      break;
  }

  // ---- validation (no order id is consumed by a rejected request)
  if (reduce_only && !s.is_perp()) return unexpected(Reject::kReduceOnlyNotPerp);
  std::int64_t price_ticks = 0;
  std::int64_t qty_lots = 0;
  if (!is_market) {
    if (!r.price) return unexpected(Reject::kPriceRequired);
    if (!r.quantity) return unexpected(Reject::kQuantityRequired);
    if (r.quote_quantity) return unexpected(Reject::kQuoteQuantityOnLimit);
    const Decimal p = *r.price;
    if (!p.is_positive()) return unexpected(Reject::kPriceNotPositive);
    if (!p.is_multiple_of(s.tick_size)) return unexpected(Reject::kPriceOffTick);
    if (p < s.min_price || (s.max_price.is_positive() && p > s.max_price)) return unexpected(Reject::kPriceOutOfBounds);
    if ((s.max_multiplier.is_positive() && p > m.last_price.mul(s.max_multiplier, Rounding::kUp)) ||
        (s.min_multiplier.is_positive() && p < m.last_price.mul(s.min_multiplier, Rounding::kDown)))
      return unexpected(Reject::kPriceTooFar);
    price_ticks = s.price_to_ticks(p);
  } else {
    if (r.quantity.has_value() == r.quote_quantity.has_value()) return unexpected(Reject::kMarketSizeAmbiguous);
    if (r.post_only) return unexpected(Reject::kPostOnlyOnMarket);
  }
  if (r.quantity) {
    const Decimal q = *r.quantity;
    if (!q.is_positive()) return unexpected(Reject::kQuantityNotPositive);
    if (!q.is_multiple_of(s.step_size)) return unexpected(Reject::kQuantityOffStep);
    if (q < s.min_quantity) return unexpected(Reject::kQuantityBelowMin);
    if (s.max_quantity.is_positive() && q > s.max_quantity) return unexpected(Reject::kQuantityAboveMax);
    qty_lots = s.quantity_to_lots(q);
  }
  if (r.quote_quantity && !r.quote_quantity->is_positive()) return unexpected(Reject::kQuoteQuantityNotPositive);

  // ---- how far the walk may go
  const Side opp = opposite(r.side);
  WalkLimits w;
  w.side = r.side;
  if (!is_market) {
    w.has_cap = true;
    w.cap_ticks = price_ticks;
    w.cap_reason = StopReason::kLimit;
  } else if (auto best = m.book.best_price(opp)) {
    const Decimal ref = m.price_of(*best);
    if (r.side == Side::kBid && s.max_impact_multiplier.is_positive()) {
      w.has_cap = true;
      w.cap_ticks = s.price_to_ticks(ref.mul(s.max_impact_multiplier, Rounding::kDown), Rounding::kDown);
      w.cap_reason = StopReason::kImpact;
    } else if (r.side == Side::kAsk && s.min_impact_multiplier.is_positive()) {
      w.has_cap = true;
      w.cap_ticks = s.price_to_ticks(ref.mul(s.min_impact_multiplier, Rounding::kUp), Rounding::kUp);
      w.cap_reason = StopReason::kImpact;
    }
  }
  w.max_lots = r.quantity ? qty_lots : kUnbounded;
  w.quote_budget = r.quote_quantity;
  const Position& pos = acct->positions[m.index];
  const bool reduces = (r.side == Side::kBid && pos.lots < 0) || (r.side == Side::kAsk && pos.lots > 0);
  const std::int64_t reduce_cap = reduces ? (pos.lots < 0 ? -pos.lots : pos.lots) : 0;
  if (reduce_only) w.max_lots = std::min(w.max_lots, reduce_cap);

  // ---- funds / margin
  if (!acct->unlimited) {
    if (!s.is_perp()) {
      std::string_view asset;
      Decimal need;
      if (!is_market) {
        asset = r.side == Side::kBid ? std::string_view(s.quote_symbol) : std::string_view(s.base_symbol);
        need = r.side == Side::kBid ? m.notional(price_ticks, qty_lots) : *r.quantity;
      } else {
        const DryRun dr = dry_run(m, a, r.self_trade_prevention, w);
        if (r.side == Side::kBid) {
          asset = s.quote_symbol;
          need = dr.quote;
        } else {
          asset = s.base_symbol;
          need = r.quantity ? *r.quantity : m.qty_of(dr.lots);
        }
      }
      const Decimal shortfall = need - acct->bal(asset).available;
      if (shortfall.is_positive()) {
        // autoBorrow on a sell: the missing base is borrowed if its value fits in the free collateral
        // (net equity less the perps' initial margin); otherwise the same answer as without the flag.
        const bool borrow = r.auto_borrow && r.side == Side::kAsk &&
                            shortfall.mul(asset_price(asset), Rounding::kUp) <= net_equity(*acct) - required_imf(*acct);
        if (!borrow) return unexpected(Reject::kInsufficientFunds);
      }
    } else if (!reduce_only) {
      std::int64_t lots = qty_lots;
      if (!r.quantity) lots = dry_run(m, a, r.self_trade_prevention, w).lots;
      const Decimal before = required_imf(*acct);
      const Decimal after = required_imf(*acct, m.index, r.side, lots);
      if (after > before && after > net_equity(*acct)) return unexpected(Reject::kInsufficientMargin);
    }
  }

  // ---- the order exists from here on
  const TimestampUs t = now();
  OrderState st;
  SimOrder& o = st.order;
  o.id = next_order_id++;
  o.account = a;
  o.client_id = r.client_id;
  o.symbol = s.symbol;
  o.side = r.side;
  o.order_type = r.order_type;
  o.time_in_force = r.time_in_force;
  if (!is_market) o.price = r.price;
  o.quantity = r.quantity;
  o.quote_quantity = is_market ? r.quote_quantity : std::nullopt;
  o.post_only = !is_market && r.post_only;
  o.reduce_only = r.reduce_only;
  o.self_trade_prevention = r.self_trade_prevention;
  o.status = OrderStatus::kNew;
  o.created_at_us = o.updated_at_us = t;
  st.market = m.index;
  st.price_ticks = price_ticks;
  st.quantity_lots = qty_lots;
  st.remaining_lots = r.quantity ? qty_lots : kUnbounded;
  st.lock_in_quote = r.side == Side::kBid;
  if (!acct->unlimited) {
    acct->order_ids.push_back(o.id);
    if (config.max_history_per_account && acct->order_ids.size() > config.max_history_per_account) {
      acct->closed.erase(acct->order_ids.front());
      acct->order_ids.pop_front();
    }
    if (!s.is_perp() && !is_market) {  // a resting spot order holds its funds
      AssetBalance& b = acct->bal(st.lock_in_quote ? s.quote_symbol : s.base_symbol);
      st.locked = st.lock_in_quote ? m.notional(price_ticks, qty_lots) : *r.quantity;
      b.available -= st.locked;
      b.locked += st.locked;
    }
  }
  emit_order(*acct, OrderEventType::kAccepted, o);

  auto finish_taker = [&](OrderStatus status, std::optional<ExpiryReason> reason) -> SimOrder {
    release_lock(*acct, st);
    o.status = status;
    o.expiry_reason = reason;
    o.updated_at_us = now();
    record_history(*acct, o);
    if (status == OrderStatus::kExpired) emit_order(*acct, OrderEventType::kExpired, o);
    flush_market(m);
    return o;
  };

  // ---- outcomes decided before any matching
  if (s.state == OrderBookState::kPostOnly && !o.post_only)
    return finish_taker(OrderStatus::kExpired, ExpiryReason::kPostOnlyMode);
  if (reduce_only) {
    if (reduce_cap == 0) return finish_taker(OrderStatus::kExpired, ExpiryReason::kReduceOnlyNotReduced);
    if (r.quantity && qty_lots > reduce_cap) {  // trim so it cannot flip the position
      st.quantity_lots = st.remaining_lots = reduce_cap;
      o.quantity = m.qty_of(reduce_cap);
      emit_order(*acct, OrderEventType::kModified, o);
    } else if (!r.quantity) {
      st.remaining_lots = reduce_cap;
    }
  }
  if (o.post_only) {
    const auto best = m.book.best_price(opp);
    if (best && !beyond_cap(w, *best)) return finish_taker(OrderStatus::kExpired, ExpiryReason::kPostOnlyTaker);
  }
  if (r.time_in_force == TimeInForce::kFok) {
    WalkLimits fw = w;
    fw.max_lots = st.remaining_lots;
    const DryRun dr = dry_run(m, a, r.self_trade_prevention, fw);
    const bool complete =
        r.quantity ? dr.lots == st.remaining_lots : (dr.stop == StopReason::kBudget || dr.stop == StopReason::kFilled);
    if (!complete || dr.lots == 0) return finish_taker(OrderStatus::kExpired, ExpiryReason::kFillOrKill);
  }

  // ---- walk the book
  std::vector<AccountId>& makers = maker_scratch;  // accounts whose positions may have changed
  makers.clear();
  std::optional<Decimal> budget = w.quote_budget;
  StopReason stop = StopReason::kNone;
  while (true) {
    if (st.remaining_lots == 0) {
      stop = StopReason::kFilled;
      break;
    }
    const auto best = m.book.best_price(opp);
    if (!best) {
      stop = StopReason::kEmpty;
      break;
    }
    if (beyond_cap(w, *best)) {
      stop = w.cap_reason;
      break;
    }
    const BookEntry e = m.book.queue(m.book.levels(opp).begin()->second).front();
    OrderState& mk = resting.at(e.id);
    if (e.account == a && r.self_trade_prevention != SelfTradePrevention::kAllow) {
      const auto mode = r.self_trade_prevention;
      if (mode == SelfTradePrevention::kRejectMaker || mode == SelfTradePrevention::kRejectBoth)
        finish_resting(mk, OrderStatus::kExpired, ExpiryReason::kSelfTradePrevention);
      if (mode == SelfTradePrevention::kRejectTaker || mode == SelfTradePrevention::kRejectBoth) {
        stop = StopReason::kSelfTrade;
        break;
      }
      continue;
    }
    std::int64_t lots = std::min(st.remaining_lots, e.remaining_lots);
    if (budget) {
      lots = std::min(lots, budget->raw() / m.notional(*best, 1).raw());
      if (lots == 0) {
        stop = StopReason::kBudget;
        break;
      }
      *budget -= m.notional(*best, lots);
    }
    apply_fill(m, st, mk, *best, lots);
    if (std::find(makers.begin(), makers.end(), e.account) == makers.end()) makers.push_back(e.account);
    if (mk.remaining_lots == 0) finish_resting(mk, OrderStatus::kFilled, std::nullopt);
  }

  // ---- what happens to the remainder
  SimOrder result;
  const bool executed = o.executed_quantity.is_positive();
  if (stop == StopReason::kFilled || (stop == StopReason::kBudget && executed)) {
    result = finish_taker(OrderStatus::kFilled, std::nullopt);
  } else if (stop == StopReason::kSelfTrade) {
    result = finish_taker(OrderStatus::kExpired, ExpiryReason::kSelfTradePrevention);
  } else if (is_market) {
    result = finish_taker(OrderStatus::kExpired, stop == StopReason::kImpact ? ExpiryReason::kPriceImpact
                                                                             : ExpiryReason::kInsufficientLiquidity);
  } else if (r.time_in_force == TimeInForce::kIoc) {
    result = finish_taker(OrderStatus::kExpired, ExpiryReason::kImmediateOrCancel);
  } else if (r.time_in_force == TimeInForce::kFok) {
    result = finish_taker(OrderStatus::kExpired, ExpiryReason::kFillOrKill);  // unreachable: dry run passed
  } else {
    // GTC limit rests with its remainder.
    o.updated_at_us = now();
    m.book.add(r.side, price_ticks, BookEntry{o.id, a, st.remaining_lots});
    if (!acct->unlimited) acct->open.insert(o.id);
    const OrderId id = o.id;
    resting.emplace(id, std::move(st));
    result = resting.at(id).order;
  }

  // Positions moved: resting reduce-only orders may now be too large or pointless.
  if (s.is_perp()) {
    enforce_reduce_only(*acct, m);
    for (AccountId mid : makers)
      if (mid != a) enforce_reduce_only(accounts[mid], m);
    if (auto it = resting.find(result.id); it != resting.end()) result = it->second.order;
  }
  flush_market(m);
  return result;
}

void Exchange::Impl::apply_fill(MarketState& m, OrderState& taker, OrderState& maker, std::int64_t ticks,
                                std::int64_t lots) {
  const std::int64_t trade_id = m.next_trade_id++;
  m.book.reduce(maker.order.side, ticks, maker.order.id, lots);
  maker.remaining_lots -= lots;
  taker.remaining_lots -= lots;
  const Decimal qty = m.qty_of(lots);
  const Decimal quote = m.notional(ticks, lots);
  for (OrderState* st : {&maker, &taker}) {
    SimOrder& o = st->order;
    o.executed_quantity += qty;
    o.executed_quote_quantity += quote;
    o.status = st->remaining_lots == 0 ? OrderStatus::kFilled : OrderStatus::kPartiallyFilled;
    o.updated_at_us = now();
  }
  const bool buyer_is_maker = maker.order.side == Side::kBid;
  const OrderId buyer = buyer_is_maker ? maker.order.id : taker.order.id;
  const OrderId seller = buyer_is_maker ? taker.order.id : maker.order.id;
  record_trade(m, trade_id, ticks, lots, buyer, seller, buyer_is_maker);
  account_fill(accounts[maker.order.account], m, maker, ticks, lots, true, trade_id);
  account_fill(accounts[taker.order.account], m, taker, ticks, lots, false, trade_id);
}

void Exchange::Impl::account_fill(Account& acct, MarketState& m, OrderState& st, std::int64_t ticks, std::int64_t lots,
                                  bool maker, std::int64_t trade_id) {
  if (acct.unlimited) return;
  const MarketSpec& s = m.spec;
  const Side side = st.order.side;
  const Decimal qty = m.qty_of(lots);
  const Decimal quote = m.notional(ticks, lots);
  const Decimal price = m.price_of(ticks);
  Decimal fee;
  std::string_view fee_symbol;
  std::optional<PositionView> closed_view;
  bool opened = false;

  if (!s.is_perp()) {
    const Decimal bps = maker ? acct.fees.spot_maker_bps : acct.fees.spot_taker_bps;
    if (side == Side::kBid) {
      fee = fee_amount(qty, bps);  // spot buys pay the fee in the base asset
      fee_symbol = s.base_symbol;
      AssetBalance& qb = acct.bal(s.quote_symbol);
      if (st.lock_in_quote && st.locked.is_positive()) {
        const Decimal release = m.notional(st.price_ticks, lots);  // held at the order's limit price
        qb.locked -= release;
        st.locked -= release;
        qb.available += release - quote;  // price improvement comes back
      } else {
        qb.available -= quote;
      }
      acct.bal(s.base_symbol).available += qty - fee;
    } else {
      fee = fee_amount(quote, bps);
      fee_symbol = s.quote_symbol;
      AssetBalance& bb = acct.bal(s.base_symbol);
      if (!st.lock_in_quote && st.locked.is_positive()) {
        bb.locked -= qty;
        st.locked -= qty;
      } else {
        bb.available -= qty;
      }
      acct.bal(s.quote_symbol).available += quote - fee;
    }
  } else {
    const Decimal bps = maker ? acct.fees.perp_maker_bps : acct.fees.perp_taker_bps;
    fee = fee_amount(quote, bps);
    fee_symbol = config.settlement_asset;
    Position& p = acct.positions[m.index];
    const std::int64_t d = side == Side::kBid ? lots : -lots;
    std::int64_t open_lots = lots;
    Decimal realized;
    if (p.lots != 0 && (p.lots > 0) != (d > 0)) {  // reduces (maybe flips)
      const std::int64_t abs_pos = p.lots > 0 ? p.lots : -p.lots;
      const std::int64_t closed = std::min(lots, abs_pos);
      const Decimal removed = mul_ratio(p.cost, closed, abs_pos, Rounding::kNearest);
      const Decimal close_value = m.notional(ticks, closed);
      realized = (p.lots > 0 ? close_value : -close_value) - removed;
      p.cost -= removed;
      p.lots += d > 0 ? closed : -closed;
      p.realized += realized;
      open_lots = lots - closed;
      if (p.lots == 0) {
        p.cost = Decimal::zero();  // rounding residue of the proportional removal dies with the position
        closed_view = position_view(acct, m);
      }
    }
    if (open_lots > 0) {
      if (p.lots == 0) {  // a new position (fresh id, entry price and P&L)
        p = Position{};
        p.id = next_position_id++;
        opened = true;
      }
      const Decimal add = m.notional(ticks, open_lots);
      p.cost += d > 0 ? add : -add;
      p.lots += d > 0 ? open_lots : -open_lots;
    }
    // A flipping fill's fee is shared pro rata, so the new position's break-even only carries its part.
    p.fees += (open_lots > 0 && open_lots < lots) ? mul_ratio(fee, open_lots, lots, Rounding::kNearest) : fee;
    acct.bal(config.settlement_asset).available += realized - fee;  // auto-realize
  }

  if (!acct.unlimited) {
    acct.fills.push_back(SimFill{trade_id, st.order.id, st.order.client_id, s.symbol, side, price, qty, fee,
                                 std::string(fee_symbol), maker, now()});
    if (config.max_history_per_account && acct.fills.size() > config.max_history_per_account) acct.fills.pop_front();
  }
  emit_fill(acct, st.order, trade_id, qty, price, maker, fee, fee_symbol);
  if (s.is_perp() && !listeners.empty()) {
    const TimestampUs t = now();
    auto send = [&](const PositionView& v, PositionEventType type) {
      PositionEvent ev{acct.id, type, &v, t};
      for (ExchangeListener* l : listeners) l->on_position(ev);
    };
    if (closed_view) send(*closed_view, PositionEventType::kClosed);
    if (opened) {
      send(position_view(acct, m), PositionEventType::kOpened);
    } else if (!closed_view) {
      send(position_view(acct, m), PositionEventType::kAdjusted);
    }
  }
}

void Exchange::Impl::release_lock(Account& acct, OrderState& st) {
  if (!st.locked.is_positive()) return;
  const MarketSpec& s = markets[st.market].spec;
  AssetBalance& b = acct.bal(st.lock_in_quote ? s.quote_symbol : s.base_symbol);
  b.locked -= st.locked;
  b.available += st.locked;
  st.locked = Decimal::zero();
}

void Exchange::Impl::finish_resting(OrderState& st, OrderStatus status, std::optional<ExpiryReason> reason) {
  MarketState& m = markets[st.market];
  Account& acct = accounts[st.order.account];
  if (st.remaining_lots > 0) m.book.remove(st.order.side, st.price_ticks, st.order.id);
  release_lock(acct, st);
  st.order.status = status;
  st.order.expiry_reason = reason;
  st.order.updated_at_us = now();
  acct.open.erase(st.order.id);
  record_history(acct, st.order);
  if (status == OrderStatus::kCancelled) emit_order(acct, OrderEventType::kCancelled, st.order);
  if (status == OrderStatus::kExpired) emit_order(acct, OrderEventType::kExpired, st.order);
  resting.erase(st.order.id);  // st is dangling from here on
}

OrderState* Exchange::Impl::find_resting(const Account& acct, const MarketState& m, const OrderRef& ref) {
  if (ref.order_id) {
    auto it = resting.find(*ref.order_id);
    if (it == resting.end() || it->second.order.account != acct.id || it->second.market != m.index) return nullptr;
    return &it->second;
  }
  if (!ref.client_id) return nullptr;
  for (OrderId id : acct.open) {  // oldest first
    OrderState& st = resting.at(id);
    if (st.market == m.index && st.order.client_id == ref.client_id) return &st;
  }
  return nullptr;
}

Expected<SimOrder, Reject> Exchange::Impl::cancel(AccountId a, std::string_view symbol, const OrderRef& ref) {
  if (ref.order_id.has_value() == ref.client_id.has_value()) return unexpected(Reject::kOrderRefAmbiguous);
  Account* acct = account(a);
  if (!acct) return unexpected(Reject::kUnknownAccount);
  MarketState* m = find_market(symbol);
  if (!m) return unexpected(Reject::kUnknownSymbol);
  OrderState* st = find_resting(*acct, *m, ref);
  if (!st) return unexpected(Reject::kUnknownOrder);
  SimOrder out = st->order;
  finish_resting(*st, OrderStatus::kCancelled, std::nullopt);
  out.status = OrderStatus::kCancelled;
  out.updated_at_us = now();
  flush_market(*m);
  return out;
}

Expected<std::vector<SimOrder>, Reject> Exchange::Impl::cancel_all(AccountId a, std::string_view symbol) {
  Account* acct = account(a);
  if (!acct) return unexpected(Reject::kUnknownAccount);
  MarketState* m = find_market(symbol);
  if (!m) return unexpected(Reject::kUnknownSymbol);
  std::vector<OrderId> ids;
  for (OrderId id : acct->open)
    if (resting.at(id).market == m->index) ids.push_back(id);
  std::vector<SimOrder> out;
  out.reserve(ids.size());
  for (OrderId id : ids) {
    OrderState& st = resting.at(id);
    SimOrder o = st.order;
    finish_resting(st, OrderStatus::kCancelled, std::nullopt);
    o.status = OrderStatus::kCancelled;
    o.updated_at_us = now();
    out.push_back(std::move(o));
  }
  flush_market(*m);
  return out;
}

void Exchange::Impl::enforce_reduce_only(Account& acct, MarketState& m) {
  if (acct.unlimited || !m.spec.is_perp()) return;
  const std::int64_t pos = acct.positions[m.index].lots;
  const std::int64_t abs_pos = pos < 0 ? -pos : pos;
  std::vector<OrderId> ids;
  for (OrderId id : acct.open) {
    const OrderState& st = resting.at(id);
    if (st.market == m.index && st.order.reduce_only.value_or(false)) ids.push_back(id);
  }
  for (OrderId id : ids) {
    OrderState& st = resting.at(id);
    const bool reduces = (st.order.side == Side::kBid && pos < 0) || (st.order.side == Side::kAsk && pos > 0);
    if (!reduces) {
      finish_resting(st, OrderStatus::kExpired, ExpiryReason::kReduceOnlyNotReduced);
      continue;
    }
    if (st.remaining_lots <= abs_pos) continue;
    const std::int64_t cut = st.remaining_lots - abs_pos;
    m.book.reduce(st.order.side, st.price_ticks, id, cut);
    st.remaining_lots -= cut;
    st.quantity_lots -= cut;
    st.order.quantity = m.qty_of(st.quantity_lots);
    st.order.updated_at_us = now();
    emit_order(acct, OrderEventType::kModified, st.order);
  }
}

}  // namespace bparb::sim
