// Balances, positions, collateral and margin views of an account.
//
// Cross margin, simplified from Backpack's model (docs/backpack.md §9):
//   collateral value of an asset = balance (available + locked) * index price * weight
//     (weight 1 for USDC, ExchangeConfig::collateral_weights / default 0.9 otherwise; a negative
//     balance counts fully as a liability, no weight)
//   net equity        = sum of collateral values - liabilities + unrealized perp P&L
//   initial margin    = sum over perps of exposure notional * max(imf(notional), 1 / leverage limit)
//     where exposure = max(|pos + open bids|, |pos - open asks|) (worst case incl. resting orders)
//   maintenance       = sum over perps of |pos| * mark * mmf(notional)
//   netEquityLocked   = initial margin; netEquityAvailable = netEquity - netEquityLocked
//   marginFraction    = netEquity / sum |pos| * mark (null without positions)
// A perp order is rejected (Reject::kInsufficientMargin) when it raises the initial margin above net equity.
#include <algorithm>

#include "bparb/sim/margin.hpp"
#include "exchange_impl.hpp"

namespace bparb::sim {

Decimal Exchange::Impl::imf_fraction(const Account& acct, const MarketState& m, Decimal notional) const noexcept {
  Decimal f = margin_fraction(m.spec.imf, notional);
  const Decimal lev = Decimal::one().div(acct.leverage_limit, Rounding::kUp);
  return f > lev ? f : lev;
}

PositionView Exchange::Impl::position_view(const Account& acct, const MarketState& m) const {
  const Position& p = acct.positions[m.index];
  PositionView v;
  v.symbol = m.spec.symbol;
  v.position_id = p.id;
  v.net_quantity = m.qty_of(p.lots);
  v.net_cost = p.cost;
  v.mark_price = m.mark;
  v.index_price = m.index_price;
  v.pnl_realized = p.realized;
  v.cumulative_funding_payment = p.funding;
  v.imf_function = m.spec.imf;
  v.mmf_function = m.spec.mmf;
  if (p.lots != 0) {
    v.entry_price = p.cost.div(v.net_quantity, Rounding::kNearest);
    v.break_even_price = (p.cost + p.fees - p.funding).div(v.net_quantity, Rounding::kNearest);
    v.pnl_unrealized = v.net_quantity.mul(m.mark, Rounding::kNearest) - p.cost;
  }
  std::int64_t bids = 0, asks = 0;
  open_perp_lots(acct, m.index, bids, asks);
  const std::int64_t up = p.lots + bids;
  const std::int64_t down = p.lots - asks;
  const std::int64_t exposure = std::max(up < 0 ? -up : up, down < 0 ? -down : down);
  const std::int64_t signed_exposure = (up < 0 ? -up : up) >= (down < 0 ? -down : down) ? up : down;
  v.net_exposure_quantity = m.qty_of(signed_exposure);
  v.net_exposure_notional = m.qty_of(exposure).mul(m.mark, Rounding::kNearest);
  const Decimal notional = v.net_quantity.abs().mul(m.mark, Rounding::kNearest);
  v.imf = imf_fraction(acct, m, notional);
  v.mmf = margin_fraction(m.spec.mmf, notional);
  return v;
}

void Exchange::Impl::open_perp_lots(const Account& acct, std::size_t market, std::int64_t& bid_lots,
                                    std::int64_t& ask_lots) const {
  bid_lots = ask_lots = 0;
  for (OrderId id : acct.open) {
    const OrderState& st = resting.at(id);
    if (st.market != market) continue;
    (st.order.side == Side::kBid ? bid_lots : ask_lots) += st.remaining_lots;
  }
}

Decimal Exchange::Impl::unrealized_pnl(const Account& acct) const {
  Decimal u;
  for (const MarketState& m : markets) {
    if (!m.spec.is_perp()) continue;
    const Position& p = acct.positions[m.index];
    if (p.lots != 0) u += m.qty_of(p.lots).mul(m.mark, Rounding::kNearest) - p.cost;
  }
  return u;
}

Decimal Exchange::Impl::net_equity(const Account& acct) const {
  Decimal e;
  for (const auto& [asset, b] : acct.balances) {
    const Decimal total = b.available + b.locked;
    if (total.is_zero()) continue;
    const Decimal px = asset_price(asset);
    const Decimal notional = total.mul(px, Rounding::kNearest);
    e += total.is_positive() ? notional.mul(collateral_weight(asset), Rounding::kDown) : notional;
  }
  return e + unrealized_pnl(acct);
}

Decimal Exchange::Impl::required_imf(const Account& acct, std::optional<std::size_t> extra_market, Side extra_side,
                                     std::int64_t extra_lots) const {
  Decimal req;
  for (const MarketState& m : markets) {
    if (!m.spec.is_perp()) continue;
    std::int64_t bids = 0, asks = 0;
    open_perp_lots(acct, m.index, bids, asks);
    if (extra_market && *extra_market == m.index) (extra_side == Side::kBid ? bids : asks) += extra_lots;
    const std::int64_t pos = acct.positions[m.index].lots;
    const std::int64_t up = pos + bids;
    const std::int64_t down = pos - asks;
    const std::int64_t exposure = std::max(up < 0 ? -up : up, down < 0 ? -down : down);
    if (exposure == 0) continue;
    const Decimal notional = m.qty_of(exposure).mul(m.mark, Rounding::kNearest);
    req += notional.mul(imf_fraction(acct, m, notional), Rounding::kUp);
  }
  return req;
}

// ---------------------------------------------------------------------------------------------
// Public views

std::vector<BalanceView> Exchange::balances(AccountId a) const {
  std::vector<BalanceView> out;
  const Account* acct = impl_->account(a);
  if (!acct) return out;
  for (const auto& [asset, b] : acct->balances) out.push_back(BalanceView{asset, b.available, b.locked, Decimal{}});
  return out;
}

Decimal Exchange::balance(AccountId a, std::string_view asset) const {
  return available_balance(a, asset) + locked_balance(a, asset);
}

Decimal Exchange::available_balance(AccountId a, std::string_view asset) const {
  const Account* acct = impl_->account(a);
  if (!acct) return {};
  auto it = acct->balances.find(asset);
  return it == acct->balances.end() ? Decimal{} : it->second.available;
}

Decimal Exchange::locked_balance(AccountId a, std::string_view asset) const {
  const Account* acct = impl_->account(a);
  if (!acct) return {};
  auto it = acct->balances.find(asset);
  return it == acct->balances.end() ? Decimal{} : it->second.locked;
}

CollateralSummary Exchange::collateral(AccountId a) const {
  CollateralSummary c;
  const Account* acct = impl_->account(a);
  if (!acct) return c;
  const Impl& I = *impl_;
  Decimal collateral_sum;
  for (const auto& [asset, b] : acct->balances) {
    CollateralRow row;
    row.symbol = asset;
    row.asset_mark_price = I.asset_price(asset);
    row.total_quantity = b.available + b.locked;
    row.balance_notional = row.total_quantity.mul(row.asset_mark_price, Rounding::kNearest);
    row.collateral_weight = I.collateral_weight(asset);
    row.open_order_quantity = b.locked;
    row.available_quantity = b.available;
    if (row.total_quantity.is_negative()) {
      row.collateral_value = row.balance_notional;
      c.borrow_liability -= row.balance_notional;
    } else {
      row.collateral_value = row.balance_notional.mul(row.collateral_weight, Rounding::kDown);
      c.assets_value += row.balance_notional;
      collateral_sum += row.collateral_value;
    }
    c.collateral.push_back(std::move(row));
  }
  c.liabilities_value = c.borrow_liability;
  c.pnl_unrealized = I.unrealized_pnl(*acct);
  c.net_equity = collateral_sum - c.borrow_liability + c.pnl_unrealized;
  c.net_equity_locked = I.required_imf(*acct);
  c.net_equity_available = c.net_equity - c.net_equity_locked;
  Decimal exposure_all;  // incl. open orders, for the account imf fraction
  Decimal mmf_req;
  for (const MarketState& m : I.markets) {
    if (!m.spec.is_perp()) continue;
    const Position& p = acct->positions[m.index];
    const PositionView v = I.position_view(*acct, m);
    exposure_all += v.net_exposure_notional;
    if (p.lots == 0) continue;
    const Decimal notional = m.qty_of(p.lots).abs().mul(m.mark, Rounding::kNearest);
    c.net_exposure_futures += notional;
    mmf_req += notional.mul(v.mmf, Rounding::kUp);
  }
  if (exposure_all.is_positive()) c.imf = c.net_equity_locked.div(exposure_all, Rounding::kUp);
  if (c.net_exposure_futures.is_positive()) {
    c.mmf = mmf_req.div(c.net_exposure_futures, Rounding::kUp);
    c.margin_fraction = c.net_equity.div(c.net_exposure_futures, Rounding::kDown);
  }
  return c;
}

std::vector<PositionView> Exchange::positions(AccountId a, std::optional<std::string_view> symbol) const {
  std::vector<PositionView> out;
  const Account* acct = impl_->account(a);
  if (!acct || acct->unlimited) return out;
  std::vector<const MarketState*> perps;
  for (const MarketState& m : impl_->markets)
    if (m.spec.is_perp() && acct->positions[m.index].lots != 0 && (!symbol || m.spec.symbol == *symbol))
      perps.push_back(&m);
  std::sort(perps.begin(), perps.end(),
            [](const MarketState* x, const MarketState* y) { return x->spec.symbol < y->spec.symbol; });
  for (const MarketState* m : perps) out.push_back(impl_->position_view(*acct, *m));
  return out;
}

AccountSummaryView Exchange::account_summary(AccountId a) const {
  AccountSummaryView v;
  const Account* acct = impl_->account(a);
  if (!acct) return v;
  v.futures_maker_fee = acct->fees.perp_maker_bps;
  v.futures_taker_fee = acct->fees.perp_taker_bps;
  v.spot_maker_fee = acct->fees.spot_maker_bps;
  v.spot_taker_fee = acct->fees.spot_taker_bps;
  v.leverage_limit = acct->leverage_limit;
  v.limit_orders = acct->open.size();
  return v;
}

}  // namespace bparb::sim
