// Exchange set-up, public queries, market-data events and funding. Orders live in matching.cpp,
// balances/positions/margin in accounts.cpp.
#include "bparb/sim/exchange.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>

#include "exchange_impl.hpp"

namespace bparb::sim {

namespace {

__extension__ using i128 = __int128;
constexpr DurationUs kUsPerMinute = 60 * kUsPerSecond;

std::int64_t floor_div(std::int64_t a, std::int64_t b) noexcept {
  std::int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

template <class T, class Pred>
Page<T> paginate(const std::deque<T>& src, std::size_t limit, std::size_t offset, bool ascending, Pred keep) {
  Page<T> page;
  if (limit > 1000) limit = 1000;
  auto visit = [&](const T& v) {
    if (!keep(v)) return;
    if (page.total >= offset && page.items.size() < limit) page.items.push_back(v);
    ++page.total;
  };
  if (ascending) {
    for (const T& v : src) visit(v);
  } else {
    for (auto it = src.rbegin(); it != src.rend(); ++it) visit(*it);
  }
  return page;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Set-up

Exchange::Impl::Impl(const Clock& c, ExchangeConfig cfg) : clock(c), config(std::move(cfg)) {
  next_order_id = config.first_order_id;
  const TimestampUs t0 = clock.now_us();
  markets.reserve(config.markets.size());
  for (const MarketSetup& ms : config.markets) {
    const MarketSpec& s = ms.spec;
    if (s.symbol.empty()) throw std::invalid_argument("sim market with empty symbol");
    if (market_by_symbol.count(s.symbol)) throw std::invalid_argument("duplicate sim market " + s.symbol);
    if (!s.tick_size.is_positive() || !s.step_size.is_positive())
      throw std::invalid_argument("sim market " + s.symbol + ": tickSize and stepSize must be positive");
    if (!ms.seed_price.is_positive() || !ms.seed_price.is_multiple_of(s.tick_size))
      throw std::invalid_argument("sim market " + s.symbol + ": seed price " + ms.seed_price.str() +
                                  " must be positive and on tick " + s.tick_size.str());
    {
      const i128 product = static_cast<i128>(s.tick_size.raw()) * s.step_size.raw();
      if (product % Decimal::kOne != 0)
        throw std::invalid_argument("sim market " + s.symbol + ": tickSize * stepSize (" + s.tick_size.str() + " * " +
                                    s.step_size.str() + ") needs more than 9 decimals");
    }
    for (const auto& seed : {ms.seed_mark, ms.seed_index})
      if (seed && !seed->is_positive())
        throw std::invalid_argument("sim market " + s.symbol + ": seed mark/index must be positive");
    if (s.is_perp() && s.funding_interval_ms <= 0)
      throw std::invalid_argument("sim market " + s.symbol + ": perp needs fundingInterval > 0 ms");
    MarketState m;
    m.spec = s;
    m.index = markets.size();
    m.last_price = ms.seed_price;
    m.mark = ms.seed_mark.value_or(ms.seed_price);
    m.index_price = ms.seed_index.value_or(ms.seed_price);
    if (s.is_perp()) {
      m.next_funding_ms = next_funding_boundary_ms(t0 / kUsPerMs, s.funding_interval_ms);
      m.premium.reset(t0, premium(m.mark, m.index_price));
    }
    market_by_symbol.emplace(s.symbol, markets.size());
    specs.push_back(s);
    markets.push_back(std::move(m));
  }
  for (MarketState& m : markets) m.delta.symbol = m.spec.symbol;  // after the vector stopped moving
  for (const AccountSetup& a : config.accounts) add_account(a);
  if (config.mark_price_interval_us > 0)
    next_mark_emit_us = (floor_div(t0, config.mark_price_interval_us) + 1) * config.mark_price_interval_us;
  if (config.ticker_interval_us > 0)
    next_ticker_emit_us = (floor_div(t0, config.ticker_interval_us) + 1) * config.ticker_interval_us;
}

AccountId Exchange::Impl::add_account(const AccountSetup& s) {
  if (s.api_key.empty()) throw std::invalid_argument("sim account with empty api_key");
  if (account_by_key.count(s.api_key)) throw std::invalid_argument("duplicate sim account api_key " + s.api_key);
  Account acct;
  acct.id = static_cast<AccountId>(accounts.size());
  acct.api_key = s.api_key;
  acct.fees = s.fees ? *s.fees : config.fees;
  acct.leverage_limit = s.leverage_limit ? *s.leverage_limit : config.leverage_limit;
  if (!acct.leverage_limit.is_positive())
    throw std::invalid_argument("sim account " + s.api_key + ": leverage limit must be positive");
  acct.unlimited = s.unlimited;
  acct.positions.resize(markets.size());
  for (const auto& [asset, amount] : s.balances) acct.bal(asset).available += amount;
  account_by_key.emplace(acct.api_key, acct.id);
  accounts.push_back(std::move(acct));
  return accounts.back().id;
}

MarketState* Exchange::Impl::find_market(std::string_view symbol) noexcept {
  return const_cast<MarketState*>(std::as_const(*this).find_market(symbol));
}
const MarketState* Exchange::Impl::find_market(std::string_view symbol) const noexcept {
  // Orders come in runs on one market (a background sync, a strategy's quotes): one compare, not a map walk.
  if (last_market < markets.size() && markets[last_market].spec.symbol == symbol) return &markets[last_market];
  auto it = market_by_symbol.find(symbol);
  if (it == market_by_symbol.end()) return nullptr;
  last_market = it->second;
  return &markets[it->second];
}

Decimal Exchange::Impl::collateral_weight(std::string_view asset) const noexcept {
  if (asset == config.settlement_asset) return Decimal::one();
  auto it = config.collateral_weights.find(std::string(asset));
  return it == config.collateral_weights.end() ? config.default_collateral_weight : it->second;
}

Decimal Exchange::Impl::asset_price(std::string_view asset) const noexcept {
  if (asset == config.settlement_asset) return Decimal::one();
  // Prefer the perp's index (what the model sets to the spot mid), then the spot market's index.
  const MarketState* spot = nullptr;
  for (const MarketState& m : markets) {
    if (m.spec.base_symbol != asset || m.spec.quote_symbol != config.settlement_asset) continue;
    if (m.spec.is_perp()) return m.index_price;
    if (!spot) spot = &m;
  }
  return spot ? spot->index_price : Decimal::zero();
}

// ---------------------------------------------------------------------------------------------
// Events

void Exchange::Impl::flush_market(MarketState& m) {
  if (batch_depth > 0) return;  // touched levels accumulate until batch_end()
  if (!config.publish_depth) {
    m.book.clear_touched();  // nobody reads the depth stream: the touched levels are not sorted out
  } else if (const auto& touched = m.book.take_changed(); !touched.empty()) {
    // Only levels whose total differs from the last publish (a ladder re-quoted at the same size is no update).
    const auto n = static_cast<std::int64_t>(touched.size());
    m.delta.bids.clear();
    m.delta.asks.clear();
    m.delta.first_update_id = m.depth_update_id + 1;
    m.delta.last_update_id = m.depth_update_id + n;
    m.depth_update_id += n;
    const TimestampUs t = now();
    m.delta.event_time_us = m.delta.engine_time_us = t;
    for (const auto& [side, ticks] : touched) {
      LevelUpdate u{m.price_of(ticks), m.qty_of(m.book.level_lots(side, ticks))};
      (side == Side::kBid ? m.delta.bids : m.delta.asks).push_back(u);  // ascending (take_changed sorts)
    }
    for (ExchangeListener* l : listeners) l->on_depth(m.delta);
  }
  // bookTicker: only when the top of book changed.
  const auto bid = m.book.best_price(Side::kBid);
  const auto ask = m.book.best_price(Side::kAsk);
  const std::int64_t bid_lots = m.book.best_lots(Side::kBid);
  const std::int64_t ask_lots = m.book.best_lots(Side::kAsk);
  if (bid == m.pub_bid_px && ask == m.pub_ask_px && bid_lots == m.pub_bid_lots && ask_lots == m.pub_ask_lots) return;
  m.pub_bid_px = bid;
  m.pub_ask_px = ask;
  m.pub_bid_lots = bid_lots;
  m.pub_ask_lots = ask_lots;
  ++m.book_ticker_id;
  if (listeners.empty()) return;
  BookTickerEvent ev;
  ev.symbol = m.spec.symbol;
  if (bid) {
    ev.bid_price = m.price_of(*bid);
    ev.bid_quantity = m.qty_of(bid_lots);
  }
  if (ask) {
    ev.ask_price = m.price_of(*ask);
    ev.ask_quantity = m.qty_of(ask_lots);
  }
  ev.update_id = m.book_ticker_id;
  ev.engine_time_us = now();
  for (ExchangeListener* l : listeners) l->on_book_ticker(ev);
}

void Exchange::Impl::emit_order(const Account& acct, OrderEventType type, const SimOrder& o) {
  if (acct.unlimited || listeners.empty()) return;
  OrderEvent ev;
  ev.account = acct.id;
  ev.type = type;
  ev.order = &o;
  ev.engine_time_us = now();
  for (ExchangeListener* l : listeners) l->on_order(ev);
}

void Exchange::Impl::emit_fill(const Account& acct, const SimOrder& o, std::int64_t trade_id, Decimal qty,
                               Decimal price, bool maker, Decimal fee, std::string_view fee_symbol) {
  if (acct.unlimited || listeners.empty()) return;
  OrderEvent ev;
  ev.account = acct.id;
  ev.type = OrderEventType::kFill;
  ev.order = &o;
  ev.trade_id = trade_id;
  ev.fill_quantity = qty;
  ev.fill_price = price;
  ev.is_maker = maker;
  ev.fee = fee;
  ev.fee_symbol = fee_symbol;
  ev.engine_time_us = now();
  for (ExchangeListener* l : listeners) l->on_order(ev);
}

void Exchange::Impl::emit_position(const Account& acct, const MarketState& m, PositionEventType type) {
  if (acct.unlimited || listeners.empty()) return;
  PositionView v = position_view(acct, m);
  PositionEvent ev;
  ev.account = acct.id;
  ev.type = type;
  ev.position = &v;
  ev.engine_time_us = now();
  for (ExchangeListener* l : listeners) l->on_position(ev);
}

static MarkPriceView make_mark_view(const MarketState& m, TimestampUs t) {
  MarkPriceView v;
  v.symbol = m.spec.symbol;
  v.mark_price = m.mark;
  v.index_price = m.index_price;
  if (m.spec.is_perp()) {
    v.funding_rate = clamp_funding_rate(interval_funding_rate(m.premium.average_until(t), m.spec.funding_interval_ms),
                                        m.spec.funding_rate_lower_bound_bps, m.spec.funding_rate_upper_bound_bps);
    v.next_funding_timestamp_ms = m.next_funding_ms;
  }
  return v;
}

void Exchange::Impl::emit_mark_price(const MarketState& m) {
  if (listeners.empty()) return;
  const TimestampUs t = now();
  MarkPriceView v = make_mark_view(m, t);
  MarkPriceEvent ev{&v, m.spec.is_perp(), t};
  for (ExchangeListener* l : listeners) l->on_mark_price(ev);
}

static TickerView make_ticker(const MarketState& m, TimestampUs t) {
  TickerView v;
  v.symbol = m.spec.symbol;
  v.last_price = m.last_price;
  const std::int64_t from_minute = floor_div(t - kUsPerDay, kUsPerMinute);
  bool any = false;
  for (const MinuteBucket& b : m.buckets) {
    if (b.minute <= from_minute) continue;  // the rolling window covers the last 24 h
    if (!any) {
      v.first_price = b.open;
      v.high = b.high;
      v.low = b.low;
      any = true;
    }
    v.high = std::max(v.high, b.high);
    v.low = std::min(v.low, b.low);
    v.volume += b.volume;
    v.quote_volume += b.quote_volume;
    v.trades += b.count;
  }
  if (!any) v.first_price = v.high = v.low = m.last_price;
  v.price_change = v.last_price - v.first_price;
  v.price_change_percent =
      v.first_price.is_positive() ? v.price_change.div(v.first_price, Rounding::kNearest) : Decimal::zero();
  return v;
}

void Exchange::Impl::emit_ticker(const MarketState& m) {
  if (listeners.empty()) return;
  const TimestampUs t = now();
  TickerView v = make_ticker(m, t);
  TickerEvent ev{&v, t};
  for (ExchangeListener* l : listeners) l->on_ticker(ev);
}

void Exchange::Impl::record_trade(MarketState& m, std::int64_t trade_id, std::int64_t ticks, std::int64_t lots,
                                  OrderId buyer, OrderId seller, bool buyer_maker) {
  const TimestampUs t = now();
  const Decimal px = m.price_of(ticks);
  const Decimal qty = m.qty_of(lots);
  const Decimal quote = m.notional(ticks, lots);
  m.last_price = px;
  if (config.public_trades_kept > 0) {
    m.trades.push_back(PublicTrade{trade_id, px, qty, quote, t, buyer_maker});
    while (m.trades.size() > config.public_trades_kept) m.trades.pop_front();
  }
  const std::int64_t minute = floor_div(t, kUsPerMinute);
  if (m.buckets.empty() || m.buckets.back().minute != minute) {
    m.buckets.push_back(MinuteBucket{minute, px, px, px, px, {}, {}, 0});
    const std::int64_t oldest = floor_div(t - kUsPerDay, kUsPerMinute);
    while (!m.buckets.empty() && m.buckets.front().minute <= oldest) m.buckets.pop_front();
  }
  MinuteBucket& b = m.buckets.back();
  b.high = std::max(b.high, px);
  b.low = std::min(b.low, px);
  b.close = px;
  b.volume += qty;
  b.quote_volume += quote;
  ++b.count;
  if (listeners.empty()) return;
  TradeEvent ev;
  ev.symbol = m.spec.symbol;
  ev.trade_id = trade_id;
  ev.price = px;
  ev.quantity = qty;
  ev.buyer_order_id = buyer;
  ev.seller_order_id = seller;
  ev.buyer_is_maker = buyer_maker;
  ev.engine_time_us = t;
  for (ExchangeListener* l : listeners) l->on_trade(ev);
}

void Exchange::Impl::record_history(Account& acct, const SimOrder& o) {
  if (acct.unlimited) return;
  acct.closed[o.id] = o;
}

// ---------------------------------------------------------------------------------------------
// Funding

void Exchange::Impl::settle_funding(MarketState& m, std::int64_t interval_end_ms) {
  const TimestampUs end_us = interval_end_ms * kUsPerMs;
  const Decimal avg = config.average_premium_over_interval ? m.premium.average_until(end_us) : m.premium.current();
  const Decimal rate =
      m.given_rate_ms == interval_end_ms
          ? m.given_rate
          : clamp_funding_rate(interval_funding_rate(avg, m.spec.funding_interval_ms),
                               m.spec.funding_rate_lower_bound_bps, m.spec.funding_rate_upper_bound_bps);
  m.funding_rates.push_back(FundingRateRecord{m.spec.symbol, interval_end_ms, rate});
  m.premium.reset(end_us, m.premium.current());
  m.next_funding_ms = interval_end_ms + m.spec.funding_interval_ms;
  for (Account& acct : accounts) {
    if (acct.unlimited) continue;
    Position& p = acct.positions[m.index];
    if (p.lots == 0) continue;
    const Decimal pay = funding_payment(m.qty_of(p.lots), m.mark, rate);
    acct.bal(config.settlement_asset).available += pay;
    p.funding += pay;
    acct.funding.push_back(FundingPayment{m.spec.symbol, pay, rate, interval_end_ms, m.qty_of(p.lots)});
    if (config.max_history_per_account && acct.funding.size() > config.max_history_per_account)
      acct.funding.pop_front();
    emit_position(acct, m, PositionEventType::kAdjusted);
  }
}

void Exchange::Impl::settle_due(MarketState& m, TimestampUs t) {
  if (!m.spec.is_perp()) return;
  while (m.next_funding_ms * kUsPerMs <= t) settle_funding(m, m.next_funding_ms);
}

// ---------------------------------------------------------------------------------------------
// Public API forwarding

Exchange::Exchange(const Clock& clock, ExchangeConfig config)
    : impl_(std::make_unique<Impl>(clock, std::move(config))) {}
Exchange::~Exchange() = default;

const Clock& Exchange::clock() const noexcept {
  return impl_->clock;
}
const ExchangeConfig& Exchange::config() const noexcept {
  return impl_->config;
}

void Exchange::add_listener(ExchangeListener* l) {
  if (l && std::find(impl_->listeners.begin(), impl_->listeners.end(), l) == impl_->listeners.end())
    impl_->listeners.push_back(l);
}
void Exchange::remove_listener(ExchangeListener* l) {
  auto& v = impl_->listeners;
  v.erase(std::remove(v.begin(), v.end(), l), v.end());
}

std::optional<AccountId> Exchange::find_account(std::string_view api_key) const {
  auto it = impl_->account_by_key.find(std::string(api_key));
  if (it == impl_->account_by_key.end()) return std::nullopt;
  return it->second;
}
AccountId Exchange::add_account(const AccountSetup& setup) {
  return impl_->add_account(setup);
}
const std::string& Exchange::api_key(AccountId a) const {
  return impl_->accounts.at(a).api_key;
}
std::size_t Exchange::account_count() const noexcept {
  return impl_->accounts.size();
}
void Exchange::deposit(AccountId a, std::string_view asset, Decimal amount) {
  impl_->accounts.at(a).bal(asset).available += amount;
}
void Exchange::set_fees(AccountId a, const FeeSchedule& fees) {
  impl_->accounts.at(a).fees = fees;
}

Expected<SimOrder, Reject> Exchange::execute(AccountId a, const SimOrderRequest& req) {
  return impl_->execute(a, req);
}

std::vector<Expected<SimOrder, Reject>> Exchange::execute_batch(AccountId a, const std::vector<SimOrderRequest>& reqs,
                                                                std::optional<Reject>* batch_error) {
  std::vector<Expected<SimOrder, Reject>> out;
  if (batch_error) batch_error->reset();
  if (reqs.empty() || reqs.size() > impl_->config.max_batch_size) {
    if (batch_error) *batch_error = reqs.empty() ? Reject::kEmptyBatch : Reject::kBatchTooLarge;
    return out;
  }
  out.reserve(reqs.size());
  for (const SimOrderRequest& r : reqs) out.push_back(impl_->execute(a, r));
  return out;
}

Expected<SimOrder, Reject> Exchange::cancel(AccountId a, std::string_view symbol, const OrderRef& ref) {
  return impl_->cancel(a, symbol, ref);
}
Expected<std::vector<SimOrder>, Reject> Exchange::cancel_all(AccountId a, std::string_view symbol) {
  return impl_->cancel_all(a, symbol);
}

std::vector<SimOrder> Exchange::open_orders(AccountId a, std::optional<std::string_view> symbol) const {
  std::vector<SimOrder> out;
  const Account* acct = impl_->account(a);
  if (!acct) return out;
  for (OrderId id : acct->open) {
    const OrderState& st = impl_->resting.at(id);
    if (symbol && !symbol->empty() && st.order.symbol != *symbol) continue;
    out.push_back(st.order);
  }
  return out;
}

Expected<SimOrder, Reject> Exchange::query_order(AccountId a, std::string_view symbol, const OrderRef& ref) const {
  if (ref.order_id.has_value() == ref.client_id.has_value()) return unexpected(Reject::kOrderRefAmbiguous);
  const Account* acct = impl_->account(a);
  const MarketState* m = impl_->find_market(symbol);
  if (!m) return unexpected(Reject::kUnknownSymbol);
  if (acct) {
    OrderState* st = impl_->find_resting(*acct, *m, ref);
    if (st) return st->order;
  }
  return unexpected(Reject::kUnknownOrder);
}

Page<SimOrder> Exchange::order_history(AccountId a, const OrderHistoryQuery& q) const {
  Page<SimOrder> page;
  const Account* acct = impl_->account(a);
  if (!acct) return page;
  std::size_t limit = std::min<std::size_t>(q.limit, 1000);
  auto visit = [&](OrderId id) {
    const SimOrder* o = nullptr;
    if (auto it = impl_->resting.find(id); it != impl_->resting.end()) {
      o = &it->second.order;
    } else if (auto c = acct->closed.find(id); c != acct->closed.end()) {
      o = &c->second;
    }
    if (!o) return;
    if (q.symbol && o->symbol != *q.symbol) return;
    if (q.order_id && o->id != *q.order_id) return;
    if (page.total >= q.offset && page.items.size() < limit) page.items.push_back(*o);
    ++page.total;
  };
  if (q.ascending) {
    for (OrderId id : acct->order_ids) visit(id);
  } else {
    for (auto it = acct->order_ids.rbegin(); it != acct->order_ids.rend(); ++it) visit(*it);
  }
  return page;
}

Page<SimFill> Exchange::fills(AccountId a, const FillQuery& q) const {
  const Account* acct = impl_->account(a);
  if (!acct) return {};
  return paginate(acct->fills, q.limit, q.offset, q.ascending, [&](const SimFill& f) {
    if (q.symbol && f.symbol != *q.symbol) return false;
    if (q.order_id && f.order_id != *q.order_id) return false;
    const std::int64_t ms = f.timestamp_us / kUsPerMs;
    if (q.from_ms && ms < *q.from_ms) return false;
    if (q.to_ms && ms > *q.to_ms) return false;
    return true;
  });
}

Page<FundingPayment> Exchange::funding_history(AccountId a, const FundingHistoryQuery& q) const {
  const Account* acct = impl_->account(a);
  if (!acct) return {};
  return paginate(acct->funding, q.limit, q.offset, q.ascending,
                  [&](const FundingPayment& f) { return !q.symbol || f.symbol == *q.symbol; });
}

const std::vector<MarketSpec>& Exchange::markets() const noexcept {
  return impl_->specs;
}
const MarketSpec* Exchange::market(std::string_view symbol) const noexcept {
  const MarketState* m = impl_->find_market(symbol);
  return m ? &m->spec : nullptr;
}

Expected<DepthSnapshot, Reject> Exchange::depth_snapshot(std::string_view symbol, std::size_t limit) const {
  const MarketState* m = impl_->find_market(symbol);
  if (!m) return unexpected(Reject::kUnknownSymbol);
  DepthSnapshot s;
  s.last_update_id = m->depth_update_id;
  s.timestamp_us = impl_->now();
  for (const auto& [ticks, lvl] : m->book.levels(Side::kBid)) {  // best (highest) first
    if (limit && s.bids.size() >= limit) break;
    s.bids.push_back(LevelUpdate{m->price_of(ticks), m->qty_of(lvl.total_lots)});
  }
  std::reverse(s.bids.begin(), s.bids.end());  // ascending like the REST API
  for (const auto& [ticks, lvl] : m->book.levels(Side::kAsk)) {
    if (limit && s.asks.size() >= limit) break;
    s.asks.push_back(LevelUpdate{m->price_of(ticks), m->qty_of(lvl.total_lots)});
  }
  return s;
}

std::optional<TickerView> Exchange::ticker(std::string_view symbol) const {
  const MarketState* m = impl_->find_market(symbol);
  if (!m) return std::nullopt;
  return make_ticker(*m, impl_->now());
}

std::vector<TickerView> Exchange::tickers() const {
  std::vector<TickerView> out;
  for (const MarketState& m : impl_->markets) out.push_back(make_ticker(m, impl_->now()));
  return out;
}

std::optional<MarkPriceView> Exchange::mark_price(std::string_view symbol) const {
  const MarketState* m = impl_->find_market(symbol);
  if (!m) return std::nullopt;
  return make_mark_view(*m, impl_->now());
}

std::vector<MarkPriceView> Exchange::mark_prices(std::optional<MarketType> type) const {
  std::vector<MarkPriceView> out;
  const MarketType want = type.value_or(MarketType::kPerp);
  for (const MarketState& m : impl_->markets)
    if (m.spec.type == want) out.push_back(make_mark_view(m, impl_->now()));
  return out;
}

Page<FundingRateRecord> Exchange::funding_rates(std::string_view symbol, std::size_t limit, std::size_t offset) const {
  Page<FundingRateRecord> page;
  const MarketState* m = impl_->find_market(symbol);
  if (!m) return page;
  limit = std::min<std::size_t>(limit, 10000);
  page.total = m->funding_rates.size();
  std::size_t skipped = 0;
  for (auto it = m->funding_rates.rbegin(); it != m->funding_rates.rend(); ++it) {  // newest first
    if (skipped++ < offset) continue;
    if (page.items.size() >= limit) break;
    page.items.push_back(*it);
  }
  return page;
}

std::vector<PublicTrade> Exchange::recent_trades(std::string_view symbol, std::size_t limit) const {
  std::vector<PublicTrade> out;
  const MarketState* m = impl_->find_market(symbol);
  if (!m) return out;
  const std::size_t n = std::min(limit, m->trades.size());
  out.assign(m->trades.end() - static_cast<std::ptrdiff_t>(n), m->trades.end());
  return out;
}

std::optional<Decimal> Exchange::last_price(std::string_view symbol) const {
  const MarketState* m = impl_->find_market(symbol);
  if (!m) return std::nullopt;
  return m->last_price;
}

std::optional<Decimal> Exchange::best_bid(std::string_view symbol) const {
  const MarketState* m = impl_->find_market(symbol);
  if (!m) return std::nullopt;
  auto p = m->book.best_price(Side::kBid);
  if (!p) return std::nullopt;
  return m->price_of(*p);
}

std::optional<Decimal> Exchange::best_ask(std::string_view symbol) const {
  const MarketState* m = impl_->find_market(symbol);
  if (!m) return std::nullopt;
  auto p = m->book.best_price(Side::kAsk);
  if (!p) return std::nullopt;
  return m->price_of(*p);
}

std::int64_t Exchange::last_update_id(std::string_view symbol) const {
  const MarketState* m = impl_->find_market(symbol);
  return m ? m->depth_update_id : 0;
}

bool Exchange::set_mark_index(std::string_view symbol, Decimal mark, Decimal index) {
  MarketState* m = impl_->find_market(symbol);
  if (!m || !mark.is_positive() || !index.is_positive()) return false;
  m->mark = mark;
  m->index_price = index;
  if (m->spec.is_perp()) {
    // Settle anything due before the premium changes, so each interval averages its own premiums.
    impl_->settle_due(*m, impl_->now());
    m->premium.set_premium(impl_->now(), premium(mark, index));
  }
  return true;
}

bool Exchange::set_funding_rate(std::string_view symbol, Decimal rate, std::int64_t funding_time_ms) {
  MarketState* m = impl_->find_market(symbol);
  if (!m || !m->spec.is_perp()) return false;
  impl_->settle_due(*m, impl_->now());  // a settlement already due pays what it was going to
  m->given_rate = rate;
  m->given_rate_ms = funding_time_ms;
  return true;
}

bool Exchange::set_market_state(std::string_view symbol, OrderBookState state) {
  MarketState* m = impl_->find_market(symbol);
  if (!m) return false;
  m->spec.state = state;
  impl_->specs[m->index].state = state;
  return true;
}

void Exchange::advance_to(TimestampUs now) {
  Impl& I = *impl_;
  for (MarketState& m : I.markets) I.settle_due(m, now);
  if (now <= I.last_advance_us) return;
  I.last_advance_us = now;
  const DurationUs mi = I.config.mark_price_interval_us;
  if (mi > 0 && now >= I.next_mark_emit_us) {
    publish_mark_prices();
    I.next_mark_emit_us = (floor_div(now, mi) + 1) * mi;
  }
  const DurationUs ti = I.config.ticker_interval_us;
  if (ti > 0 && now >= I.next_ticker_emit_us) {
    publish_tickers();
    I.next_ticker_emit_us = (floor_div(now, ti) + 1) * ti;
  }
}

void Exchange::batch_begin() noexcept {
  ++impl_->batch_depth;
}

void Exchange::batch_end() {
  if (impl_->batch_depth == 0) return;
  if (--impl_->batch_depth > 0) return;
  for (MarketState& m : impl_->markets) impl_->flush_market(m);
}

void Exchange::publish_mark_prices() {
  for (const MarketState& m : impl_->markets) impl_->emit_mark_price(m);
}
void Exchange::publish_tickers() {
  for (const MarketState& m : impl_->markets) impl_->emit_ticker(m);
}

}  // namespace bparb::sim
