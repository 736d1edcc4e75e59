// The market maker's decision core: events in, one decision out. docs/market_maker.md states the rules;
// the comments here say why the code is shaped the way it is.
#include "bparb/strategy/market_maker/market_maker_core.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace bparb {
namespace {

__extension__ using i128 = __int128;  // GCC extension; pedantic-clean

constexpr i128 kOne128 = Decimal::kOne;

std::int64_t abs64(std::int64_t v) noexcept {
  return v < 0 ? -v : v;
}

std::int64_t clamp_to_int64(i128 v) noexcept {
  constexpr i128 kMax = static_cast<i128>(INT64_MAX);
  return static_cast<std::int64_t>(std::min(v, kMax));
}

// Milliseconds as a Decimal (for trip numbers).
Decimal ms(DurationUs us) noexcept {
  return Decimal::from_int(us / kUsPerMs);
}

MmDecision nothing(MmReason why) noexcept {
  MmDecision d;
  d.reason = why;
  return d;
}

MmParams checked(const MmParams& p, const MarketSpec& spec) {
  const std::vector<std::string> problems = validate_mm_params(p);
  if (!problems.empty()) {
    std::string msg = "market maker for " + spec.symbol + ": invalid parameters:";
    for (const std::string& s : problems) msg += "\n  " + s;
    throw std::invalid_argument(msg);
  }
  if (!spec.tick_size.is_positive() || !spec.step_size.is_positive()) {
    throw std::invalid_argument("market maker for " + spec.symbol + ": tick size " + spec.tick_size.str() +
                                " and step size " + spec.step_size.str() + " must both be positive");
  }
  return p;
}

}  // namespace

MarketMakerCore::MarketMakerCore(const MmParams& params, const MarketSpec& spec)
    : p_(checked(params, spec)),
      tick_(spec.tick_size),
      step_(spec.step_size),
      min_qty_lots_(std::max<std::int64_t>(1, spec.min_quantity.to_units(spec.step_size, Rounding::kUp))),
      flow_(p_.flow_window_ms * kUsPerMs, p_.flow_ema_alpha, p_.side_switch_ratio, p_.min_side_hold_ms * kUsPerMs),
      mids_(p_.breaker_mid_window_ms * kUsPerMs),
      rejects_(static_cast<std::size_t>(p_.reject_burst_count), p_.reject_burst_window_ms * kUsPerMs),
      budget_(p_.max_requests_per_window, p_.request_window_ms * kUsPerMs, p_.request_headroom_fraction),
      backoff_(p_.rate_limit_backoff_ms * kUsPerMs, p_.rate_limit_backoff_max_ms * kUsPerMs) {}

std::vector<std::string> MarketMakerCore::set_params(const MmParams& next) {
  MarketSpec spec;
  spec.symbol = "the reloaded [mm]";
  spec.tick_size = tick_;
  spec.step_size = step_;
  const MmParams applied = with_live_mm_params(p_, checked(next, spec));
  std::vector<std::string> kept;
  const auto now_values = mm_param_values(applied), next_values = mm_param_values(next);
  for (std::size_t i = 0; i < now_values.size(); ++i)
    if (now_values[i].second != next_values[i].second) kept.push_back(now_values[i].first);
  p_ = applied;
  return kept;
}

// --- Events ----------------------------------------------------------------------------------------

void MarketMakerCore::on_book(const BookTop& top, TimestampUs now) noexcept {
  top_ = top;
  have_top_ = true;
  if (top.valid && top.bid_ticks > 0 && top.ask_ticks > top.bid_ticks) mids_.add(now, top.bid_ticks + top.ask_ticks);
}

void MarketMakerCore::on_trade(const PublicTrade& t) noexcept {
  flow_.on_trade(t);
}

void MarketMakerCore::on_reconnect(TimestampUs now) noexcept {
  reconnect_us_ = now;
  trip(MmBreaker::kReconnect, now, Decimal::zero(), Decimal::zero(), true);
}

void MarketMakerCore::on_equity(Decimal equity_usd) noexcept {
  equity_ = equity_usd;
}

void MarketMakerCore::on_position(std::int64_t lots) noexcept {
  position_lots_ = lots;
}

void MarketMakerCore::on_rate_limited(TimestampUs now) noexcept {
  backoff_.on_rate_limited(now);
  trip(MmBreaker::kRateLimited, now, ms(backoff_.last_delay_us()), Decimal::zero(), false);
}

void MarketMakerCore::on_quote_submitted(ClientId id) noexcept {
  if (quote_.state == QuoteState::kPendingNew && quote_.id == 0) quote_.id = id;
}

void MarketMakerCore::on_quote_refused(TimestampUs now, bool rate_limited) noexcept {
  if (quote_.state == QuoteState::kPendingNew) quote_ = Quote{};
  if (rate_limited) on_rate_limited(now);
}

void MarketMakerCore::on_quote_accepted(ClientId id) noexcept {
  if (quote_.state == QuoteState::kPendingNew && quote_.id == id && id != 0) quote_.state = QuoteState::kLive;
}

void MarketMakerCore::on_quote_fill(ClientId id, Side side, std::int64_t qty_lots) noexcept {
  position_lots_ += side_sign(side) * qty_lots;
  if (quote_.state != QuoteState::kNone && quote_.id == id && id != 0) {
    quote_.remaining_lots = std::max<std::int64_t>(0, quote_.remaining_lots - qty_lots);
    // A fill proves the order reached the book even if its acceptance has not been reported yet.
    if (quote_.state == QuoteState::kPendingNew) quote_.state = QuoteState::kLive;
  }
}

void MarketMakerCore::on_quote_done(ClientId id, QuoteEnd why, TimestampUs now) noexcept {
  if (quote_.state != QuoteState::kNone && quote_.id == id && id != 0) quote_ = Quote{};
  if (why == QuoteEnd::kPostOnlyRejected) {
    const std::size_t n = rejects_.add(now);
    if (static_cast<std::int64_t>(n) >= p_.reject_burst_count) {
      trip(MmBreaker::kPostOnlyRejects, now, Decimal::from_int(static_cast<std::int64_t>(n)),
           Decimal::from_int(p_.reject_burst_count), true);
      recent_trips_[(trip_count_ - 1) % kRecentTrips].then_us = now - p_.reject_burst_window_ms * kUsPerMs;
      rejects_.clear();  // the next trip needs a fresh burst
    }
  }
}

void MarketMakerCore::on_cancel_failed(ClientId id, TimestampUs now, bool rate_limited) noexcept {
  if (quote_.state == QuoteState::kPendingCancel && quote_.id == id) quote_.state = QuoteState::kLive;
  if (rate_limited) on_rate_limited(now);
}

void MarketMakerCore::on_hedge_submitted(ClientId id) noexcept {
  if (hedge_in_flight_ && hedge_id_ == 0) hedge_id_ = id;
}

void MarketMakerCore::on_hedge_fill(ClientId /*id*/, Side side, std::int64_t qty_lots) noexcept {
  position_lots_ += side_sign(side) * qty_lots;
}

void MarketMakerCore::on_hedge_done(ClientId id, TimestampUs now, bool rate_limited) noexcept {
  if (hedge_in_flight_ && (hedge_id_ == id || hedge_id_ == 0)) {
    hedge_in_flight_ = false;
    hedge_id_ = 0;
  }
  if (rate_limited) on_rate_limited(now);
}

// --- Breakers ----------------------------------------------------------------------------------------

void MarketMakerCore::trip(MmBreaker kind, TimestampUs now, Decimal observed, Decimal limit, bool cooldown) noexcept {
  if (cooldown) cooldown_until_ = std::max(cooldown_until_, now + p_.cooldown_ms * kUsPerMs);
  ++trip_count_;
  BreakerTrip& t = recent_trips_[(trip_count_ - 1) % kRecentTrips];
  t = BreakerTrip{};
  t.kind = kind;
  t.at_us = now;
  t.observed = observed;
  t.limit = limit;
  t.cooldown_until_us = cooldown_until_;
}

void MarketMakerCore::check_breakers(TimestampUs now) noexcept {
  const DurationUs cool = p_.cooldown_ms * kUsPerMs;
  // A condition breaker records one trip when it becomes active and holds the cooldown open while it stays
  // active, so the cooldown runs from the moment the condition clears.
  const auto hold = [&](bool active, bool& was, MmBreaker kind, Decimal observed, Decimal limit) {
    if (active) {
      if (!was) trip(kind, now, observed, limit, true);
      cooldown_until_ = std::max(cooldown_until_, now + cool);
    }
    was = active;
  };

  if (have_top_) {
    const DurationUs age = now - top_.updated_us;
    hold(age >= p_.max_book_age_ms * kUsPerMs, stale_book_active_, MmBreaker::kStaleBook, ms(age),
         Decimal::from_int(p_.max_book_age_ms));
  }
  if (flow_.last_trade_us() != 0) {  // before the first trade there is no side to quote anyway
    const DurationUs age = now - flow_.last_trade_us();
    hold(age >= p_.max_trade_age_ms * kUsPerMs, stale_trades_active_, MmBreaker::kStaleTrades, ms(age),
         Decimal::from_int(p_.max_trade_age_ms));
  }
  const bool sane = have_top_ && top_.valid && top_.bid_ticks > 0 && top_.ask_ticks > top_.bid_ticks;
  if (!sane) return;
  const std::int64_t mid2 = top_.bid_ticks + top_.ask_ticks;

  // spread / mid >= Y, exactly: (ask - bid) x 2 x 1e9 >= Y.raw x (ask + bid).
  const std::int64_t spread = top_.ask_ticks - top_.bid_ticks;
  const bool wide =
      static_cast<i128>(spread) * 2 * kOne128 >= static_cast<i128>(p_.breaker_spread_fraction.raw()) * mid2;
  hold(wide, spread_active_, MmBreaker::kSpread,
       Decimal::from_int(spread * 2).div(Decimal::from_int(mid2), Rounding::kNearest), p_.breaker_spread_fraction);

  // |mid - mid `window` ago| / mid `window` ago >= X, exactly, against the mid in effect a window ago.
  std::int64_t ref2 = 0;
  TimestampUs then = 0;
  if (mids_.reference(now, ref2, then) && ref2 > 0) {
    const std::int64_t move = abs64(mid2 - ref2);
    const bool moved =
        static_cast<i128>(move) * kOne128 >= static_cast<i128>(p_.breaker_mid_move_fraction.raw()) * ref2;
    const bool was = mid_active_;
    hold(moved, mid_active_, MmBreaker::kMidMove,
         Decimal::from_int(move).div(Decimal::from_int(ref2), Rounding::kNearest), p_.breaker_mid_move_fraction);
    if (moved && !was) {
      BreakerTrip& t = recent_trips_[(trip_count_ - 1) % kRecentTrips];  // the trip hold() just recorded
      t.mid_now = Decimal::from_units(mid2, tick_).div_int(2, Rounding::kNearest);
      t.mid_then = Decimal::from_units(ref2, tick_).div_int(2, Rounding::kNearest);
      t.then_us = then;
    }
  }
}

MmReason MarketMakerCore::blocker(TimestampUs now) const noexcept {
  if (flattening_) return MmReason::kStopping;
  if (!equity_.is_positive()) return MmReason::kEquityUnknown;
  if (!have_top_ || !top_.valid || top_.bid_ticks <= 0 || top_.ask_ticks <= top_.bid_ticks) {
    return MmReason::kBookInvalid;
  }
  // After a reconnect or resync the book must have changed since, or we would quote on a frozen copy.
  if (reconnect_us_ >= 0 && top_.updated_us <= reconnect_us_) return MmReason::kBookInvalid;
  if (now < cooldown_until_) return MmReason::kBreaker;
  return MmReason::kNone;
}

// --- Sizing and inventory ------------------------------------------------------------------------------

bool MarketMakerCore::compute_limits(std::int64_t& cap, std::int64_t& soft) const noexcept {
  cap = 0;
  soft = 0;
  if (!equity_.is_positive() || !have_top_ || top_.bid_ticks <= 0 || top_.ask_ticks <= 0) return false;
  // cap lots = floor(equity x cap_fraction / (mid x step)), mid = (bid + ask) / 2 ticks, all in integers.
  const i128 cap_usd = equity_.mul(p_.inventory_cap_fraction, Rounding::kDown).raw();  // 1e-9 USD
  const i128 two_lots_at_mid =
      static_cast<i128>(top_.bid_ticks + top_.ask_ticks) * tick_.raw() * step_.raw();  // 1e-18 USD
  cap = clamp_to_int64(2 * cap_usd * kOne128 / two_lots_at_mid);
  soft = clamp_to_int64(static_cast<i128>(cap) * p_.inventory_soft_fraction.raw() / kOne128);
  return true;
}

std::int64_t MarketMakerCore::exposure_lots() const noexcept {
  if (quote_.state == QuoteState::kNone || quote_.remaining_lots <= 0) return position_lots_;
  const std::int64_t with = position_lots_ + side_sign(quote_.side) * quote_.remaining_lots;
  return abs64(with) > abs64(position_lots_) ? with : position_lots_;
}

Side MarketMakerCore::wanted_side(std::int64_t soft, bool& have) const noexcept {
  // Above the soft level only the side that reduces the position is quoted, whatever the flow says.
  if (position_lots_ != 0 && abs64(position_lots_) >= soft) {
    have = true;
    return position_lots_ > 0 ? Side::kAsk : Side::kBid;
  }
  const std::optional<Side> s = flow_.side();
  have = s.has_value();
  return s.value_or(Side::kBid);
}

std::int64_t MarketMakerCore::others_best(Side side) const noexcept {
  const bool bid = side == Side::kBid;
  const std::int64_t best = bid ? top_.bid_ticks : top_.ask_ticks;
  const std::int64_t lots = bid ? top_.bid_lots : top_.ask_lots;
  const bool ours_rests = quote_.state == QuoteState::kLive || quote_.state == QuoteState::kPendingCancel;
  if (ours_rests && quote_.side == side && quote_.price_ticks == best && lots <= quote_.remaining_lots) {
    return bid ? top_.next_bid_ticks : top_.next_ask_ticks;  // we are alone at the best price
  }
  return best;
}

// The price-move clock of our quote: started when everyone else's best first stands requote_ticks or more
// from where it was when we placed, stopped when it stands within again. A touch that flickers (a level
// briefly re-posted, so that for a frame we are alone and the next level counts) restarts it every time.
void MarketMakerCore::track_price_move(TimestampUs now) noexcept {
  if (quote_.state != QuoteState::kLive) return;
  const std::int64_t others = others_best(quote_.side);
  if (others > 0 && abs64(others - quote_.ref_best_ticks) >= p_.requote_ticks) {
    if (quote_.moved_since_us < 0) quote_.moved_since_us = now;
  } else {
    quote_.moved_since_us = -1;
  }
}

MmReason MarketMakerCore::cancel_reason(TimestampUs now, MmReason blocked, std::int64_t cap,
                                        std::int64_t soft) const noexcept {
  if (blocked != MmReason::kNone) return blocked;
  bool have = false;
  const Side want = wanted_side(soft, have);
  const bool soft_reached = position_lots_ != 0 && abs64(position_lots_) >= soft;
  if (have && want != quote_.side) return soft_reached ? MmReason::kInventorySoft : MmReason::kSideSwitch;
  if (abs64(exposure_lots()) > cap && abs64(exposure_lots()) > abs64(position_lots_)) return MmReason::kInventoryCap;
  if (quote_.moved_since_us >= 0 && now - quote_.moved_since_us >= p_.requote_persist_ms * kUsPerMs)
    return MmReason::kPriceMoved;
  if (p_.max_quote_age_ms > 0 && now - quote_.placed_us >= p_.max_quote_age_ms * kUsPerMs) return MmReason::kQuoteAged;
  return MmReason::kNone;
}

bool MarketMakerCore::may_send(TimestampUs now, bool priority, MmReason& why) noexcept {
  if (backoff_.active(now)) {
    why = MmReason::kRateLimited;
    return false;
  }
  if (!budget_.can_send(now, priority)) {
    why = MmReason::kBudget;
    return false;
  }
  return true;
}

MmDecision MarketMakerCore::try_hedge(TimestampUs now, std::int64_t cap) noexcept {
  const std::int64_t size = abs64(position_lots_);
  const std::int64_t excess = size - cap;
  if (excess <= 0) return nothing(MmReason::kNone);
  if (hedge_in_flight_ || now < next_hedge_us_) return nothing(MmReason::kHedgeInFlight);
  if (!top_.valid || top_.bid_ticks <= 0 || top_.ask_ticks <= 0) return nothing(MmReason::kBookInvalid);
  // A fraction of the excess, at least the venue's minimum, never more than the position (reduce-only: a
  // hedge can only bring the position toward zero).
  std::int64_t qty = clamp_to_int64(static_cast<i128>(excess) * p_.hedge_fraction.raw() / kOne128);
  qty = std::min(std::max(qty, min_qty_lots_), size);
  if (flattening_) qty = size;  // the whole position (the cap is zero and the fraction does not apply)
  if (qty < min_qty_lots_) return nothing(MmReason::kTooSmall);
  MmReason why = MmReason::kNone;
  if (!may_send(now, true, why)) return nothing(why);
  MmDecision d;
  d.action = MmAction::kHedge;
  d.reason = flattening_ ? MmReason::kStopping : MmReason::kOverCap;
  d.side = position_lots_ > 0 ? Side::kAsk : Side::kBid;
  d.price_ticks = d.side == Side::kAsk ? top_.bid_ticks : top_.ask_ticks;
  d.qty_lots = qty;
  d.reduce_only = true;
  d.tif = TimeInForce::kIoc;
  budget_.record(now);
  hedge_in_flight_ = true;
  hedge_id_ = 0;
  next_hedge_us_ = now + p_.hedge_interval_ms * kUsPerMs;
  return d;
}

MmDecision MarketMakerCore::try_place(TimestampUs now, MmReason blocked, std::int64_t cap, std::int64_t soft) noexcept {
  if (blocked != MmReason::kNone) return nothing(blocked);
  bool have = false;
  const Side side = wanted_side(soft, have);
  if (!have) return nothing(MmReason::kNoSide);
  const std::int64_t others = others_best(side);
  const std::int64_t price = side == Side::kBid ? others - p_.price_offset_ticks : others + p_.price_offset_ticks;
  if (price <= 0) return nothing(MmReason::kBookInvalid);

  // Size: equity x fraction, capped at max_quote_usd, in whole lots rounded down at our price.
  Decimal usd = equity_.mul(p_.equity_fraction, Rounding::kDown);
  usd = std::min(usd, p_.max_quote_usd);
  const i128 lot_value = static_cast<i128>(price) * tick_.raw() * step_.raw();  // 1e-18 USD
  std::int64_t qty = clamp_to_int64(static_cast<i128>(usd.raw()) * kOne128 / lot_value);
  if (qty < min_qty_lots_) return nothing(MmReason::kTooSmall);
  // The cap is enforced, not promised: the position with this quote filled stays within it.
  const std::int64_t room = cap - side_sign(side) * position_lots_;
  if (room < min_qty_lots_) return nothing(MmReason::kInventoryCap);
  qty = std::min(qty, room);

  MmReason why = MmReason::kNone;
  if (!may_send(now, false, why)) return nothing(why);
  MmDecision d;
  d.action = MmAction::kPlace;
  d.reason = MmReason::kQuote;
  d.side = side;
  d.price_ticks = price;
  d.qty_lots = qty;
  d.post_only = true;
  d.tif = TimeInForce::kGtc;
  budget_.record(now);
  quote_ = Quote{QuoteState::kPendingNew, 0, side, price, qty, others, now, -1};
  return d;
}

MmDecision MarketMakerCore::decide(TimestampUs now) noexcept {
  flow_.advance(now);
  check_breakers(now);
  std::int64_t cap = 0;
  std::int64_t soft = 0;
  const bool limits = compute_limits(cap, soft);
  cap_lots_ = cap;
  MmReason blocked = blocker(now);
  if (!limits && blocked == MmReason::kNone) blocked = MmReason::kBookInvalid;

  // 1. A resting quote that should not rest is cancelled first: a breaker, a switch, a move.
  // A quote filled in full waits for its done report: a cancel could only fail.
  track_price_move(now);
  if (quote_.state == QuoteState::kLive && quote_.remaining_lots > 0) {
    const MmReason why = cancel_reason(now, blocked, cap, soft);
    if (why != MmReason::kNone) {
      MmReason refused = MmReason::kNone;
      if (!may_send(now, true, refused)) return nothing(refused);
      MmDecision d;
      d.action = MmAction::kCancel;
      d.reason = why;
      d.side = quote_.side;
      d.price_ticks = quote_.price_ticks;
      d.qty_lots = quote_.remaining_lots;
      d.client_id = quote_.id;
      budget_.record(now);
      quote_.state = QuoteState::kPendingCancel;
      return d;
    }
  }
  // 2. Over the cap, a reduce-only hedge (throttled), whatever the quote is doing.
  MmReason hedge_wait = MmReason::kNone;
  if (limits || flattening_) {
    MmDecision h = try_hedge(now, flattening_ ? 0 : cap);
    if (h.action != MmAction::kNone) return h;
    hedge_wait = h.reason;
  }
  // 3. A new quote only when none of ours exists in any state.
  if (quote_.state == QuoteState::kLive) return nothing(hedge_wait);
  if (quote_.state != QuoteState::kNone) return nothing(MmReason::kWaitingForOrder);
  return try_place(now, blocked, cap, soft);
}

}  // namespace bparb
