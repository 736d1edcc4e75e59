// The runner's result side (runner_impl.hpp): the engine's events -> trades, refusals and fills; equity;
// the totals at the end of the run.
#include <algorithm>
#include <cmath>

#include "runner_impl.hpp"

namespace bparb::backtest {

namespace {

const char* exit_reason_text(ExitReason r) noexcept {
  switch (r) {
    case ExitReason::kConverged:
      return "convergence";
    case ExitReason::kTakeProfit:
      return "take_profit";
    case ExitReason::kMaxHoldingTime:
      return "max_holding";
    case ExitReason::kFundingAgainst:
      return "funding";
    case ExitReason::kRecoveryUnwind:     // the backtester never recovers or shuts down mid-run
    case ExitReason::kFlattenOnShutdown:  // (kept apart so a new reason is a compile error here)
    case ExitReason::kOperatorFlatten:    // no operator in a replay
    case ExitReason::kNone:
      break;
  }
  return "none";
}

const char* direction_text(BasisDirection d) noexcept {
  return d == BasisDirection::kPerpPremium ? "perp_premium" : "spot_premium";
}

BasisPercentiles percentiles(std::vector<double>& v) {
  BasisPercentiles p;
  p.samples = v.size();
  if (v.empty()) return p;
  std::sort(v.begin(), v.end());
  auto rank = [&](double q) {  // nearest rank
    std::size_t i = static_cast<std::size_t>(std::ceil(q * static_cast<double>(v.size())));
    return v[i == 0 ? 0 : i - 1];
  };
  p.p50 = rank(0.50);
  p.p75 = rank(0.75);
  p.p90 = rank(0.90);
  p.p99 = rank(0.99);
  p.min = v.front();
  p.max = v.back();
  return p;
}

}  // namespace

const std::string& Runner::Impl::pair_name(PairIndex p) const {
  return engine->pair(p).name;
}

void Runner::Impl::observe(const exec::event::Opportunity& e) {
  const BasisQuote& q = e.quote;
  PairState& ps = pair_by_name(pair_name(e.pair));
  const std::uint64_t episodes = portfolio->stats().opportunities;
  if (episodes != ps.episodes_seen) {
    ps.episodes_seen = episodes;
    ps.refusal_counted = false;
  }
  if (!q.tradeable && !ps.refusal_counted) {
    count_refusal(to_string(q.refusal));
    ps.refusal_counted = true;
  }
}

void Runner::Impl::observe(const exec::event::EntryRefused& e) {
  PairState& ps = pair_by_name(pair_name(e.pair));
  if (ps.refusal_counted) return;
  count_refusal(e.decision.rule_name());
  ps.refusal_counted = true;
}

void Runner::Impl::observe(const exec::event::PositionOpened& e) {
  const PositionState& pos = e.position;
  const BasisQuote& q = e.quote;
  PairState& ps = pair_by_name(pair_name(e.pair));
  ++result.opportunities_taken;
  TradeRecord t;
  t.id = pos.id;
  t.pair = ps.name;
  // Cross-venue: leg 0 is Backpack's perp, so a long leg 0 is LongBackpack.
  t.direction = ps.cross_venue ? (pos.spot.quantity().is_positive() ? "long_backpack" : "short_backpack")
                               : direction_text(q.direction);
  t.opened_us = pos.opened_at_us;
  t.entry_basis_bps = pos.entry_basis.to_double() * 1e4;
  t.quantity = pos.spot.quantity().abs();
  ps.open_trade = result.trades.size();
  result.trades.push_back(std::move(t));
}

void Runner::Impl::observe(const exec::event::ExitSignalled& e) {
  const ExitSignal& s = e.signal;
  PairState& ps = pair_by_name(pair_name(e.pair));
  ps.last_exit_basis_bps = s.exit_basis.to_double() * 1e4;
  ps.last_exit_reason = s.reason;
}

void Runner::Impl::observe(const exec::event::PositionClosed& e) {
  const PositionState& pos = e.position;
  const ExitReason r = e.reason;
  PairState& ps = pair_by_name(pair_name(e.pair));
  if (ps.open_trade == SIZE_MAX) return;
  TradeRecord& t = result.trades[ps.open_trade];
  ps.open_trade = SIZE_MAX;
  t.closed_us = pos.closed_at_us;
  t.exit_basis_bps = ps.last_exit_basis_bps;
  t.spread_pnl = pos.realized_pnl;
  t.fees = pos.fees_usd;
  t.funding = pos.funding;
  t.net_pnl = pos.realized_net();
  t.exit_reason = exit_reason_text(r != ExitReason::kNone ? r : ps.last_exit_reason);
}

void Runner::Impl::observe(const exec::event::Fill& e) {
  on_fill(e.order, e.quantity, e.price, e.fee, e.maker);
}

void Runner::Impl::on_fill(const exec::OrderSpec& o, Decimal qty, Decimal price, Decimal fee, bool maker) {
  ++stats.fills;
  stats.fill_log.push_back({clock.now_us(), o.market->symbol, o.side, qty, price, fee, maker});
  if (maker) ++stats.maker_fills;
  fill_happened = true;
  if (xarb) xarb->on_fill(o);
}

void Runner::Impl::observe(const exec::event::OrderRejected&) {
  ++stats.orders_rejected;
}

void Runner::Impl::observe(const exec::event::SingleOrderFill& e) {
  on_fill(e.order, e.quantity, e.price, e.fee, e.maker);
}

void Runner::Impl::observe(const exec::event::SingleOrderRejected&) {
  ++stats.orders_rejected;
}

void Runner::Impl::count_refusal(std::string_view reason) {
  for (RefusalCount& r : result.refusals)
    if (r.reason == reason) return void(++r.count);
  result.refusals.push_back({std::string(reason), 1});
}

Runner::Impl::PairState& Runner::Impl::pair_by_name(std::string_view name) {
  for (PairState& p : pairs)
    if (p.name == name) return p;
  return pairs.front();  // unreachable: the engine only reports pairs we registered
}

Decimal Runner::Impl::exit_mark(const EngineBook& b, Decimal qty) const noexcept {
  // Long -> sell at the bid, short -> buy at the ask; the other side or the mid if a side is empty.
  const OrderBook& ob = *b.book;
  const Side s = qty.is_positive() ? Side::kBid : Side::kAsk;
  if (const PriceLevel* t = ob.top(s)) return ob.ticks_to_price(t->price_ticks);
  if (const PriceLevel* t = ob.top(s == Side::kBid ? Side::kAsk : Side::kBid)) return ob.ticks_to_price(t->price_ticks);
  return Decimal::zero();
}

Decimal Runner::Impl::pair_unrealized(const PairState& p) const noexcept {
  const PositionState& pos = portfolio->position(static_cast<PairIndex>(&p - pairs.data()));
  if (!pos.open) return Decimal::zero();
  return pos.spot.unrealized(exit_mark(*p.spot_book, pos.spot.quantity())) +
         pos.perp.unrealized(exit_mark(*p.perp_book, pos.perp.quantity()));
}

void Runner::Impl::equity_point(TimestampUs t) {
  EquityPoint e = mm ? mm->sample(t) : EquityPoint{};
  if (!mm) {
    const StrategyStats s = portfolio->stats();
    e.t = t;
    e.realized = s.realized_pnl;
    e.fees = s.fees;
    e.funding = s.funding;
    for (const PairState& p : pairs) e.unrealized += pair_unrealized(p);
    e.equity = e.realized + e.unrealized - e.fees + e.funding;
  }
  if (!have_peak || e.equity > peak) {
    peak = e.equity;
    have_peak = true;
  }
  if (peak - e.equity > result.max_drawdown) result.max_drawdown = peak - e.equity;
  if (!result.equity.empty() && result.equity.back().t == t) {
    result.equity.back() = e;
  } else {
    result.equity.push_back(e);
  }
}

BacktestResult Runner::Impl::end_run() {
  // A cross-venue run needs both legs' books: a recording of one venue cannot show a single trade.
  for (const PairState& p : pairs) {
    if (!p.cross_venue) continue;
    for (const EngineBook* b : {p.spot_book, p.perp_book})
      if (b->lines == 0)
        throw std::runtime_error(std::string("backtest: cross_venue: the recording has no book lines of ") +
                                 (b == p.spot_book ? "Backpack's " : "Lighter's ") + b->spec->symbol +
                                 ": record both venues (bparb record with [strategy] kind = \"cross_venue\")");
  }
  result.to_us = last_t;
  validity.close_window(last_t);
  if (trading) {
    // Let in-flight answers land, then mark to the books. No funding settles after the data ends: a
    // boundary just past the last line would pay for a position the recording cannot price.
    next_funding = INT64_MAX;
    advance_to(clock.now_us() + 10 * std::max(venue->max_latency(), xarb ? xarb->venue().max_latency() : 0));
    equity_point(clock.now_us());
  }
  finish();
  return std::move(result);
}

void Runner::Impl::finish() {
  result.books = validity.result();
  stats.depth_frames += watched.counts().depth_frames;
  stats.snapshots += watched.counts().snapshots;
  stats.other_frames += watched.counts().other_frames;
  result.malformed_frames += watched.counts().malformed;
  result.funding_feeds = funding_feeds.result();
  stats.venue_refusals = venue->counters().mirror.orders_refused;
  stats.orders_sent = venue->counters().orders_sent;
  stats.tape_fills = venue->counters().tape_fills;
  const StrategyStats s = portfolio->stats();
  Decimal unrealized;
  for (PairState& p : pairs) {
    const Decimal u = pair_unrealized(p);
    unrealized += u;
    if (p.open_trade != SIZE_MAX) {
      const PositionState& pos = portfolio->position(static_cast<PairIndex>(&p - pairs.data()));
      TradeRecord& t = result.trades[p.open_trade];
      t.spread_pnl = pos.realized_pnl + u;
      t.fees = pos.fees_usd;
      t.funding = pos.funding;
      t.net_pnl = t.spread_pnl - t.fees + t.funding;
      t.exit_reason = "end_of_data";
    }
  }
  result.opportunities_seen = s.opportunities;  // episodes, as the daemon's stats count them
  result.spread_capture = s.realized_pnl + unrealized;
  result.fees = s.fees;
  result.funding = s.funding;
  result.net_pnl = result.spread_capture - result.fees + result.funding;
  double held_sum = 0;
  std::uint64_t closed = 0;
  for (const TradeRecord& t : result.trades) {
    if (t.closed_us == 0) continue;
    ++closed;
    if (t.net_pnl.is_positive()) {
      ++result.wins;
    } else {
      ++result.losses;
    }
    const double h = static_cast<double>(t.closed_us - t.opened_us) / 1e6;
    held_sum += h;
    result.max_holding_seconds = std::max(result.max_holding_seconds, h);
  }
  result.mean_holding_seconds = closed ? held_sum / static_cast<double>(closed) : 0;
  std::stable_sort(result.refusals.begin(), result.refusals.end(), [](const RefusalCount& a, const RefusalCount& b) {
    return a.count != b.count ? a.count > b.count : a.reason < b.reason;
  });
  for (std::size_t i = 0; i < pairs.size(); ++i) {
    pair_series[i].perp_premium = percentiles(pairs[i].perp_premium);
    pair_series[i].spot_premium = percentiles(pairs[i].spot_premium);
  }
  result.pairs = std::move(pair_series);
  if (xarb) xarb->finish(result, result.pairs.front());
  if (mm) mm->finish(result);
}

}  // namespace bparb::backtest
