#include "mm_replay.hpp"

#include <stdexcept>

#include "bparb/book/order_book.hpp"

namespace bparb::backtest {
namespace {

// V(m) = s x q x (m - p), as MmStats values a fill (strategy/market_maker/mm_stats.hpp).
Decimal value(Decimal signed_qty, Decimal mid, Decimal price) noexcept {
  return signed_qty.mul(mid - price, Rounding::kNearest);
}

}  // namespace

MmReplay::MmReplay(const MmParams& params, const InstrumentTable& instruments, exec::OrderEntry& entry,
                   const Clock& clock, SimVenue& venue)
    : params_(params), instruments_(instruments), entry_(entry), clock_(clock), venue_(venue) {
  markets_.reserve(8);
}

MmReplay::~MmReplay() = default;

std::size_t MmReplay::add(InstrumentId perp, const OrderBook& book) {
  if (markets_.size() == markets_.capacity())
    throw std::invalid_argument("backtest: at most 8 market-maker markets");  // Market addresses must stay put
  Market& m = markets_.emplace_back();
  m.id = perp;
  m.book = &book;
  m.runner = std::make_unique<MmRunner>(params_, instruments_, perp, entry_, clock_, this);
  m.fills.reserve(1024);
  entry_.set_book(perp, &book);
  return markets_.size() - 1;
}

std::string_view MmReplay::symbol(std::size_t i) const {
  return instruments_.market(markets_[i].id).symbol;
}

MmReplay::Market* MmReplay::market_of(InstrumentId id) noexcept {
  for (Market& m : markets_)
    if (m.id == id) return &m;
  return nullptr;
}

void MmReplay::set_marks(std::size_t i) {
  Market& m = markets_[i];
  const OrderBook& b = *m.book;
  if (!b.valid() || b.empty(Side::kBid) || b.empty(Side::kAsk) || b.mid() == m.mark) return;
  m.mark = b.mid();
  venue_.set_mark_index(instruments_.market(m.id).symbol, m.mark, m.mark);
}

void MmReplay::on_book(std::size_t i) {
  set_marks(i);
  Market& m = markets_[i];
  m.runner->on_book(*m.book);
  // The mid the runner's stats just saw (MmRunner::on_book): it resolves the curve's markouts that are due.
  const BookTop top = book_top(*m.book);
  if (!top.valid || top.ask_ticks <= top.bid_ticks) return;
  const MarketSpec& spec = instruments_.market(m.id);
  m.last_mid = Decimal::from_units(top.bid_ticks + top.ask_ticks, spec.tick_size).div_int(2, Rounding::kNearest);
  const TimestampUs now = clock_.now_us();
  for (std::size_t h = 0; h < kHorizons; ++h) {
    while (m.cursor[h] < m.fills.size() && m.fills[m.cursor[h]].at_us + kCurveHorizonsUs[h] <= now) {
      const Fill& f = m.fills[m.cursor[h]++];
      m.resolved[h] += value(f.signed_qty, m.last_mid, f.price) - f.v0;
    }
  }
}

void MmReplay::on_trade(std::size_t i, TimestampUs at_us, Decimal price, Decimal quantity, bool buyer_is_maker) {
  markets_[i].runner->on_trade(at_us, price, quantity, buyer_is_maker);
}

void MmReplay::on_reconnect(std::size_t i) {
  markets_[i].runner->on_reconnect();
}

std::size_t MmReplay::on_account(Decimal equity) {
  for (Market& m : markets_) m.runner->on_equity(equity);
  if (venue_.next_event_time() != INT64_MAX) return 0;
  for (Market& m : markets_) m.runner->on_position(venue_.position(instruments_.market(m.id).symbol));
  return markets_.size();
}

void MmReplay::on_funding(std::string_view symbol, Decimal amount) {
  for (Market& m : markets_)
    if (instruments_.market(m.id).symbol == symbol) m.runner->on_funding(amount);
}

void MmReplay::on_timer() {
  for (Market& m : markets_) m.runner->on_timer();
}

void MmReplay::on_breaker_trip(InstrumentId instrument, const BreakerTrip&) noexcept {
  if (Market* m = market_of(instrument)) ++m->trips;
}

void MmReplay::on_fill(InstrumentId instrument, const MmFill& f, ClientId, std::int64_t) noexcept {
  Market* m = market_of(instrument);
  if (m == nullptr) return;
  m->fees_paid += f.fee;
  if (f.hedge) return;
  const Decimal sq = f.side == Side::kBid ? f.quantity : -f.quantity;
  if (m->last_mid.is_zero()) m->last_mid = f.mid;
  m->fills.push_back({f.at_us, sq, f.price, value(sq, f.mid, f.price)});
  // Horizon 0 is the mid at the fill itself: no move, by definition.
  for (std::size_t h = 0; h < kHorizons && kCurveHorizonsUs[h] == 0; ++h) ++m->cursor[h];
}

EquityPoint MmReplay::sample(TimestampUs now) {
  EquityPoint e;
  e.t = now;
  for (Market& m : markets_) {
    const MmReport r = m.runner->stats().report();
    const MarketSpec& spec = instruments_.market(m.id);
    const MmInventoryPoint p{now, spec.lots_to_quantity(m.runner->core().position_lots()), r.total};
    if (!m.series.empty() && m.series.back().t == now) {
      m.series.back() = p;
    } else {
      m.series.push_back(p);
    }
    // As the basis report's equity: the fills marked to the mid (price P&L), every fee, funding.
    e.equity += r.total;
    e.fees += m.fees_paid;
    e.funding += r.funding;
    e.unrealized += r.total + m.fees_paid - r.funding;
  }
  return e;
}
void MmReplay::finish(BacktestResult& res) const {
  std::vector<MmMarketResult>& out = res.market_maker;
  for (const Market& m : markets_) {
    const MmRunner& run = *m.runner;
    const MmReport r = run.stats().report();
    MmMarketResult x;
    x.symbol = instruments_.market(m.id).symbol;
    x.maker_volume_usd = r.maker_volume_usd;
    x.quote_fills = r.quote_fills;
    x.maker_fills = r.maker_fills;
    x.hedge_fills = r.hedge_fills;
    x.quotes_placed = r.quotes_placed;
    x.cancels = r.cancels;
    x.post_only_rejects = r.post_only_rejects;
    x.hedges_sent = run.counters().hedges;
    x.refusals = run.counters().refusals;
    x.breaker_trips = m.trips;
    if (r.quotes_placed > 0)
      x.fill_rate = Decimal::from_int(r.quote_fills).div_int(r.quotes_placed, Rounding::kNearest);
    x.cancel_to_fill = r.cancel_to_fill;
    x.quoting_us = r.quoting_us;
    x.at_touch_us = r.at_touch_us;
    x.spread_capture = r.spread_capture;
    x.adverse_selection = r.adverse_selection;
    x.inventory = r.inventory;
    x.fees = r.fees;
    x.funding = r.funding;
    x.hedge_cost = r.hedge_cost;
    x.total = r.total;
    x.markout_1s = r.markout_1s;
    x.markout_5s = r.markout_5s;
    x.markout_30s = r.markout_30s;
    x.net_per_million = r.net_per_million;
    x.position = r.position;
    x.last_mid = r.last_mid;
    for (std::size_t h = 0; h < kHorizons; ++h) {
      MmMarkoutPoint p;
      p.horizon_us = kCurveHorizonsUs[h];
      p.markout = m.resolved[h];
      p.fills = m.fills.size();
      // Not reached before the data ended: at the last mid, as the live stats report them.
      for (std::size_t n = m.cursor[h]; n < m.fills.size(); ++n) {
        const Fill& f = m.fills[n];
        p.markout += value(f.signed_qty, m.last_mid, f.price) - f.v0;
        ++p.at_last_mid;
      }
      x.markout_curve.push_back(p);
    }
    x.inventory_series = m.series;
    x.fees_paid = m.fees_paid;
    out.push_back(std::move(x));
  }
  res.spread_capture = res.fees = res.funding = Decimal::zero();
  for (const MmMarketResult& x : out) {
    res.spread_capture += x.total + x.fees_paid - x.funding;
    res.fees += x.fees_paid;
    res.funding += x.funding;
  }
  res.net_pnl = res.spread_capture - res.fees + res.funding;
}

}  // namespace bparb::backtest
