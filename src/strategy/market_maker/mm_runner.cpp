// The market maker on the kernel's order entry: decisions out as orders, the kernel's answers back in.
#include "bparb/strategy/market_maker/mm_runner.hpp"

#include <stdexcept>

#include "bparb/book/order_book.hpp"

namespace bparb {
namespace {

using exec::EntryRefusal;
using exec::SingleOrderEvent;
using K = exec::SingleOrderEventKind;

// Each decision changes the core's state, so it settles within three; the bound only guards against a
// refusal loop.
constexpr int kMaxDecisionsPerEvent = 4;

const MarketSpec& perp_of(const InstrumentTable& instruments, InstrumentId id) {
  if (!instruments.contains(id)) throw std::invalid_argument("market maker: unknown instrument id");
  const Instrument& in = instruments[id];
  if (!in.is_perp()) {
    throw std::invalid_argument("market maker for " + in.market.symbol + ": not a perp (reduce-only hedges need one)");
  }
  return in.market;
}

}  // namespace

MmRunner::MmRunner(const MmParams& params, const InstrumentTable& instruments, InstrumentId instrument,
                   exec::OrderEntry& entry, const Clock& clock, MmRunnerObserver* observer, std::size_t stats_capacity)
    : market_(perp_of(instruments, instrument)),
      instrument_(instrument),
      entry_(entry),
      clock_(clock),
      observer_(observer),
      core_(params, market_),
      stats_(stats_capacity) {
  owner_ = entry_.add_owner(*this);
}

std::int64_t MmRunner::lots_of(Decimal quantity) const noexcept {
  return quantity.to_units(market_.step_size, Rounding::kNearest);
}

// --- Market data and account ----------------------------------------------------------------------------

void MmRunner::on_book(const OrderBook& book) noexcept {
  const TimestampUs now = clock_.now_us();
  const BookTop top = book_top(book);
  core_.on_book(top, now);
  // A book that was valid and is no longer (a sequence gap or a dropped stream: the feed resyncs it) trips the
  // reconnect breaker: the quote is pulled, and nothing is quoted for the cooldown and until the book is fresh.
  if (book_valid_ && !top.valid) core_.on_reconnect(now);
  book_valid_ = top.valid;
  if (top.valid && top.ask_ticks > top.bid_ticks) {
    mid_ = Decimal::from_units(top.bid_ticks + top.ask_ticks, market_.tick_size).div_int(2, Rounding::kNearest);
    stats_.on_mid(now, mid_);
  }
  drive(now);
}

void MmRunner::on_trade(const PublicTrade& trade) noexcept {
  core_.on_trade(trade);
  drive(clock_.now_us());
}

void MmRunner::on_trade(TimestampUs at_us, Decimal price, Decimal quantity, bool buyer_is_maker) noexcept {
  on_trade(PublicTrade{at_us, market_.price_to_ticks(price, Rounding::kNearest), lots_of(quantity), buyer_is_maker});
}

void MmRunner::on_reconnect() noexcept {
  const TimestampUs now = clock_.now_us();
  core_.on_reconnect(now);
  drive(now);
}

void MmRunner::on_equity(Decimal equity_usd) noexcept {
  core_.on_equity(equity_usd);
  drive(clock_.now_us());
}

void MmRunner::flatten() noexcept {
  core_.flatten();
  drive(clock_.now_us());
}

void MmRunner::on_position(Decimal signed_quantity) noexcept {
  core_.on_position(lots_of(signed_quantity));
  drive(clock_.now_us());
}

void MmRunner::on_funding(Decimal amount) noexcept {
  stats_.on_funding(amount);
}

void MmRunner::on_rate_limited() noexcept {
  const TimestampUs now = clock_.now_us();
  core_.on_rate_limited(now);
  drive(now);
}

void MmRunner::on_timer() noexcept {
  drive(clock_.now_us());
}

std::vector<std::string> MmRunner::set_params(const MmParams& next) {
  return core_.set_params(next);
}

// --- Decisions -> order entry -----------------------------------------------------------------------------

void MmRunner::drive(TimestampUs now) noexcept {
  for (int i = 0; i < kMaxDecisionsPerEvent; ++i) {
    const MmDecision d = core_.decide(now);
    if (d.action == MmAction::kNone) {
      idle_reason_ = d.reason;
      break;
    }
    if (!carry_out(d, now)) break;
  }
  after_events(now);
}

bool MmRunner::carry_out(const MmDecision& d, TimestampUs now) noexcept {
  switch (d.action) {
    case MmAction::kNone:
      return true;
    case MmAction::kPlace:
    case MmAction::kHedge: {
      const bool hedge = d.action == MmAction::kHedge;
      exec::SingleOrderRequest r;
      r.instrument = instrument_;
      r.side = d.side;
      r.price_ticks = d.price_ticks;
      r.quantity_lots = d.qty_lots;
      r.post_only = d.post_only;
      r.reduce_only = d.reduce_only;
      r.ioc = d.tif == TimeInForce::kIoc;
      r.purpose = hedge ? exec::OrderPurpose::kHedge : exec::OrderPurpose::kEntry;
      const exec::SubmitResult res = entry_.submit(owner_, r, now);
      if (!res.ok()) {
        ++counters_.refusals;
        counters_.last_refusal = res.refusal;
        // Nothing reached the venue: the core's pending order is gone at once (for a hedge, the core's
        // hedge interval still applies, so a refused hedge is not retried in a loop).
        if (hedge) {
          core_.on_hedge_done(0, now, false);
        } else {
          core_.on_quote_refused(now, false);
        }
        return false;
      }
      if (hedge) {
        ++counters_.hedges;
        hedge_ = Tracked{res.client_id};
        core_.on_hedge_submitted(res.client_id);
      } else {
        ++counters_.places;
        quote_ = Tracked{res.client_id};
        core_.on_quote_submitted(res.client_id);
        stats_.on_quote_placed();
      }
      if (observer_) observer_->on_sent(instrument_, d, res.client_id, now);
      return true;
    }
    case MmAction::kCancel: {
      const EntryRefusal r = entry_.cancel(owner_, d.client_id, now);
      if (r == EntryRefusal::kNone) {
        ++counters_.cancels;
        stats_.on_cancel();
        if (observer_) observer_->on_sent(instrument_, d, d.client_id, now);
        return true;
      }
      ++counters_.refusals;
      counters_.last_refusal = r;
      if (r == EntryRefusal::kUnknownOrder) {
        // The kernel no longer tracks it: it is gone, whatever the last word was.
        core_.on_quote_done(d.client_id, QuoteEnd::kCancelled, now);
        quote_ = Tracked{};
      } else if (r == EntryRefusal::kNotCancellable) {
        core_.on_cancel_failed(d.client_id, now, false);  // cancelled again once it is accepted
      }
      // kNotLive: already ending (its terminal event and settlement are on their way); stay pending.
      return false;
    }
  }
  return true;
}

void MmRunner::after_events(TimestampUs now) noexcept {
  const std::uint64_t trips = core_.trip_count();
  if (trips != trips_seen_) {
    // Every trip since the last call, oldest first (the core keeps the last kRecentTrips).
    std::uint64_t from = trips_seen_ + 1;
    if (trips - trips_seen_ > MarketMakerCore::kRecentTrips) from = trips - MarketMakerCore::kRecentTrips + 1;
    trips_seen_ = trips;
    if (observer_)
      for (std::uint64_t n = from; n <= trips; ++n) observer_->on_breaker_trip(instrument_, core_.trip_at(n));
  }
  const std::optional<Side> side = core_.flow().side();
  if (side.has_value() && side != flow_side_) {
    if (observer_) observer_->on_side_switch(instrument_, flow_side_, *side, now);
    flow_side_ = side;
  }
  const QuoteState s = core_.quote_state();
  stats_.on_quote_presence(now, s == QuoteState::kLive || s == QuoteState::kPendingCancel, core_.quote_at_touch());
}

// --- The kernel's answers -> the core ---------------------------------------------------------------------

void MmRunner::on_single_order_event(const SingleOrderEvent& e) noexcept {
  const TimestampUs now = clock_.now_us();
  if (e.client_id != 0 && e.client_id == hedge_.id) {
    on_hedge_event(e, now);
  } else if (e.client_id != 0 && e.client_id == quote_.id) {
    on_quote_event(e, now);
  } else {
    ++counters_.foreign_events;
    return;
  }
  drive(now);
}

void MmRunner::book_fill(const SingleOrderEvent& e, bool hedge, TimestampUs now) noexcept {
  MmFill f;
  f.at_us = now;
  f.side = e.side;
  f.price = e.fill_price;
  f.quantity = e.fill_quantity;
  f.fee = e.fee;
  f.maker = e.maker;
  f.hedge = hedge;
  f.mid = mid_.is_zero() ? e.fill_price : mid_;
  stats_.on_fill(f);
  if (observer_) observer_->on_fill(instrument_, f, e.client_id, core_.position_lots());
}

void MmRunner::on_quote_event(const SingleOrderEvent& e, TimestampUs now) noexcept {
  const auto end = [&](QuoteEnd why) {
    if (quote_.ended) return;
    quote_.ended = true;
    quote_.end = why;
  };
  switch (e.kind) {
    case K::kAccepted:
      core_.on_quote_accepted(e.client_id);
      return;
    case K::kOutcomeUnknown:
      return;  // stays pending until the kernel's query settles it
    case K::kCancelRefused:
      // Refused for rate: the order is where it was; the quote is live again and is cancelled again after the
      // rate limit's pause. Any other refusal ("not found", no answer) makes the kernel ask the venue what
      // became of the order, which is usually filled or cancelled already: the quote stays pending-cancel
      // until that answer settles it, and the kernel cancels it again itself if the venue still has it
      // (docs/kernel.md). Re-sending here would fire a cancel per event into an order that is gone.
      if (e.reject == RejectClass::kRateLimited) return core_.on_cancel_failed(e.client_id, now, true);
      return;
    case K::kFill:
      core_.on_quote_fill(e.client_id, e.side, lots_of(e.fill_quantity));
      book_fill(e, false, now);
      return;
    case K::kFilled:
      return end(QuoteEnd::kFilled);
    case K::kCancelled:
      return end(QuoteEnd::kCancelled);
    case K::kExpired:
      // A post-only order that would have taken is answered Expired by Backpack (docs/backpack.md §3, §4):
      // a quote that expires without a fill is counted as a post-only rejection.
      if (e.filled.is_zero()) {
        stats_.on_post_only_reject();
        return end(QuoteEnd::kPostOnlyRejected);
      }
      return end(QuoteEnd::kExpired);
    case K::kRejected:
      quote_.rate_limited = e.reject == RejectClass::kRateLimited;
      if (e.reject == RejectClass::kPostOnlyWouldTake) {
        stats_.on_post_only_reject();
        return end(QuoteEnd::kPostOnlyRejected);
      }
      return end(QuoteEnd::kRejected);
    case K::kSettled: {
      const Tracked t = quote_;
      quote_ = Tracked{};
      core_.on_quote_done(t.id, t.ended ? t.end : QuoteEnd::kCancelled, now);
      if (t.rate_limited) core_.on_rate_limited(now);
      return;
    }
  }
}

void MmRunner::on_hedge_event(const SingleOrderEvent& e, TimestampUs now) noexcept {
  switch (e.kind) {
    case K::kFill:
      core_.on_hedge_fill(e.client_id, e.side, lots_of(e.fill_quantity));
      book_fill(e, true, now);
      return;
    case K::kRejected:
      hedge_.rate_limited = e.reject == RejectClass::kRateLimited;
      return;
    case K::kSettled: {
      const Tracked t = hedge_;
      hedge_ = Tracked{};
      core_.on_hedge_done(t.id, now, t.rate_limited);
      return;
    }
    case K::kAccepted:
    case K::kOutcomeUnknown:
    case K::kFilled:
    case K::kCancelled:
    case K::kExpired:
    case K::kCancelRefused:
      return;
  }
}

}  // namespace bparb
