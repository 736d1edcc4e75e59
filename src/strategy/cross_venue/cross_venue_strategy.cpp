#include "bparb/strategy/cross_venue/cross_venue_strategy.hpp"

#include <algorithm>
#include <stdexcept>

namespace bparb {
namespace {

constexpr std::size_t kBackpack = 0;
constexpr std::size_t kLighter = 1;

std::size_t leg_of(VenueId v) noexcept {
  return v == VenueId::kLighter ? kLighter : kBackpack;
}

// A taker IOC limit for the walked size: the worst level moved by the venue's buffer against us (a buy may pay
// up to worst * (1 + buffer)), on the tick, never past that bound. Zero when the walk found no price.
Decimal taker_limit(const XarbLegPlan& leg, const MarketSpec& m, Decimal buffer) noexcept {
  if (!leg.worst_price.is_positive()) return Decimal{};
  const bool buy = leg.side == Side::kBid;
  const Decimal factor = buy ? Decimal::one() + buffer : Decimal::one() - buffer;
  const Decimal raw = leg.worst_price.mul(factor, buy ? Rounding::kDown : Rounding::kUp);
  const Decimal p = raw.round_to(m.tick_size, buy ? Rounding::kDown : Rounding::kUp);
  return p.is_positive() ? p : Decimal{};
}

// Venue-gate refusals: a venue's state, not the prices. Counted once per change, not per book update.
bool gate_refusal(XarbRefusal r) noexcept {
  switch (r) {
    case XarbRefusal::kBadMarketSpec:
    case XarbRefusal::kMarketNotTrading:
    case XarbRefusal::kBookInvalid:
    case XarbRefusal::kBookStale:
    case XarbRefusal::kPrivateStreamDown:
    case XarbRefusal::kClockUnsettled:
    case XarbRefusal::kNonceUnsettled:
      return true;
    default:
      return false;
  }
}

}  // namespace

ExitReason to_exit_reason(XarbExitReason r) noexcept {
  switch (r) {
    case XarbExitReason::kConverged:
      return ExitReason::kConverged;
    case XarbExitReason::kTakeProfit:
      return ExitReason::kTakeProfit;
    case XarbExitReason::kMaxHoldingTime:
      return ExitReason::kMaxHoldingTime;
    case XarbExitReason::kFundingAgainst:
      return ExitReason::kFundingAgainst;
    case XarbExitReason::kOperatorFlatten:
      return ExitReason::kOperatorFlatten;
    case XarbExitReason::kNone:
      break;
  }
  return ExitReason::kNone;
}

CrossVenueStrategy::CrossVenueStrategy(const CrossVenueStrategyParams& params) : params_(params) {
  pairs_.reserve(kMaxPairs);
}

void CrossVenueStrategy::set_params(const CrossVenueStrategyParams& p) noexcept {
  params_ = p;
  for (Slot& s : pairs_) s.evaluator = XarbEvaluator(p.xarb, XarbEvaluator::kDefaultVolWindow, kUsPerSecond);
}

void CrossVenueStrategy::add_pair(std::uint32_t pair, const StrategyPair& info) {
  if (pair != pairs_.size() || pairs_.size() >= kMaxPairs)
    throw std::length_error("CrossVenueStrategy: pair out of order");
  for (const MarketSpec* m : info.markets)
    if (m == nullptr || !m->is_perp())
      throw std::invalid_argument("CrossVenueStrategy: pair " + std::string(info.name) + ": both legs must be perps");
  // The mid differential's volatility over ~60 s, one sample per second at most.
  pairs_.push_back(Slot{info, XarbEvaluator(params_.xarb, XarbEvaluator::kDefaultVolWindow, kUsPerSecond)});
  Slot& s = pairs_.back();
  for (std::size_t leg = 0; leg < 2; ++leg) s.funding[leg].interval_ms = info.markets[leg]->funding_interval_ms;
}

void CrossVenueStrategy::set_funding(std::uint32_t pair, VenueId venue, const FundingInfo& info) noexcept {
  if (pair >= pairs_.size()) return;
  Slot& s = pairs_[pair];
  const std::size_t leg = leg_of(venue);
  FundingInfo f = info;
  if (f.interval_ms == 0) f.interval_ms = s.info.markets[leg]->funding_interval_ms;
  s.funding[leg] = f;
}

void CrossVenueStrategy::set_venue_state(std::uint32_t pair, VenueId venue, const XarbVenueHealth& h) noexcept {
  if (pair >= pairs_.size()) return;
  pairs_[pair].health[leg_of(venue)] = h;
}

void CrossVenueStrategy::on_funding(std::uint32_t pair, const FundingInfo& info) noexcept {
  set_funding(pair, VenueId::kBackpack, info);
}

void CrossVenueStrategy::on_book(std::uint32_t pair, TimestampUs now) noexcept {
  if (pair >= pairs_.size()) return;
  Slot& s = pairs_[pair];
  if (!s.info.books[0] || !s.info.books[1]) return;
  s.evaluator.observe(*s.info.books[0], *s.info.books[1], now);
}

XarbInputs CrossVenueStrategy::inputs(const Slot& s, const AccountView& account, TimestampUs now) const noexcept {
  XarbInputs in;
  XarbVenueState* venues[2] = {&in.backpack, &in.lighter};
  for (std::size_t leg = 0; leg < 2; ++leg) {
    XarbVenueState& v = *venues[leg];
    const XarbVenueHealth& h = s.health[leg];
    v.spec = s.info.markets[leg];
    v.book = s.info.books[leg];
    v.synced_since_us = v.book ? v.book->valid_since_us() : 0;
    v.private_stream_up = h.private_stream_up;
    v.clock_settled = h.clock_settled;
    v.nonce_settled = h.nonce_settled;
    v.funding = s.funding[leg];
    v.available_margin = h.available_margin;
  }
  // Backpack's margin is the engine's account view (the collateral its perps share); Lighter's is pushed in.
  in.backpack.available_margin = account.available_margin;
  in.backpack_fees = {account.fees.perp_maker_bps, account.fees.perp_taker_bps};
  in.now = now;
  return in;
}

void CrossVenueStrategy::entry(std::uint32_t pair, const EntryContext& ctx, EntryDecision& out) noexcept {
  if (pair >= pairs_.size()) return;
  Slot& s = pairs_[pair];
  if (!s.info.books[0] || !s.info.books[1]) return;
  const TimestampUs now = ctx.now;
  XarbInputs in = inputs(s, ctx.account, now);
  XarbQuote& q = s.last;
  q = s.evaluator.evaluate_best_fast(in);
  // The risk gate's headroom (daily loss, total exposure across the account) bounds the buy leg's notional.
  if (q.tradeable && q.buy_notional_usd > ctx.max_notional_usd) {
    q.tradeable = false;
    q.refusal = XarbRefusal::kExposureLimit;
  }

  if (gate_refusal(q.refusal)) {
    if (q.refusal != s.last_gate_refusal) s.refusals.add(q.refusal);
    s.last_gate_refusal = q.refusal;
  } else {
    s.last_gate_refusal = XarbRefusal::kNone;
  }
  if (q.opportunity) {
    // One episode per spread excursion (as the basis strategy counts them): a spread hovering at the
    // threshold is one opportunity, not one per book update.
    // A turn of direction is a new excursion too (the other venue is now the rich one).
    const bool turned = q.direction != s.last_opportunity_direction;
    out.new_episode = s.last_opportunity_seen_us == 0 || turned ||
                      now - s.last_opportunity_seen_us > params_.opportunity_log_interval_us;
    if (out.new_episode && !q.tradeable) s.refusals.add(q.refusal);
    if (out.new_episode || turned || now - s.last_opportunity_log_us >= params_.opportunity_log_interval_us) {
      if (observer_) observer_->on_xarb_opportunity(pair, q);
      s.last_opportunity_log_us = now;
      s.last_opportunity_direction = q.direction;
    }
    s.last_opportunity_seen_us = now;
  }
  // The engine's own lines are the basis ones: the observer has reported this quote.
  out.report = false;
  BasisQuote& bq = out.quote;
  // Leg 1 (Lighter) is sold when Backpack is bought: the engine's "perp premium" shape.
  bq.direction =
      q.direction == XarbDirection::kLongBackpack ? BasisDirection::kPerpPremium : BasisDirection::kSpotPremium;
  bq.quantity = q.quantity;
  bq.notional_usd = q.buy_notional_usd;
  bq.entry_spread = q.entry_spread;
  bq.net_expected = q.net_edge;
  bq.expected_profit_usd = q.expected_profit_usd;
  bq.fee_fraction = q.fee_fraction;
  bq.funding_fraction = q.funding_fraction;
  bq.opportunity = q.opportunity;
  bq.tradeable = q.tradeable;
  if (!q.tradeable || !ctx.opening_enabled || now < s.cooldown_until_us) return;

  const Decimal bp_limit = taker_limit(q.backpack, *s.info.markets[0], params_.backpack_slippage_buffer);
  const Decimal lt_limit = taker_limit(q.lighter, *s.info.markets[1], params_.lighter_slippage_buffer);
  if (!bp_limit.is_positive() || !lt_limit.is_positive()) return;
  out.open = true;
  out.plan = ExecutionPlan::kTaker;
  out.sequence = params_.leg_order;
  out.first_leg_timeout_us = params_.first_leg_timeout_us;
  out.orders[0] = {q.backpack.side, bp_limit, q.quantity, TimeInForce::kIoc, false};
  out.orders[1] = {q.lighter.side, lt_limit, q.quantity, TimeInForce::kIoc, false};
}

void CrossVenueStrategy::exit(std::uint32_t pair, const PositionContext& ctx, ExitDecision& out) noexcept {
  if (pair >= pairs_.size()) return;
  Slot& s = pairs_[pair];
  if (!s.info.books[0] || !s.info.books[1]) return;
  XarbPosition pos;
  pos.direction = ctx.held[0].is_negative() ? XarbDirection::kShortBackpack : XarbDirection::kLongBackpack;
  pos.quantity = std::max(ctx.held[0].abs(), ctx.held[1].abs());
  // Sell price - buy price per unit, from the legs' average entry prices.
  pos.entry_spread_usd = pos.direction == XarbDirection::kLongBackpack ? ctx.average_price[1] - ctx.average_price[0]
                                                                       : ctx.average_price[0] - ctx.average_price[1];
  pos.entry_notional = ctx.position.entry_notional;
  pos.opened_at_us = ctx.position.opened_at_us;
  pos.fees_paid_usd = ctx.position.fees_paid_usd;
  pos.funding_received_usd = ctx.position.funding_received_usd;
  XarbExitInputs in;
  in.backpack = s.info.books[0];
  in.lighter = s.info.books[1];
  in.backpack_funding = s.funding[0];
  in.lighter_funding = s.funding[1];
  in.backpack_fees = {ctx.fees.perp_maker_bps, ctx.fees.perp_taker_bps};
  in.now = ctx.now;
  const XarbExitSignal x = evaluate_xarb_exit(pos, in, params_.xarb);
  ExitSignal& sig = out.signal;
  sig.exit = x.exit;
  sig.reason = to_exit_reason(x.reason);
  sig.prices_valid = x.prices_valid;
  sig.exit_basis =
      pos.entry_notional.is_positive() && pos.quantity.is_positive()
          ? x.exit_spread_usd.mul(pos.quantity, Rounding::kNearest).div(pos.entry_notional, Rounding::kNearest)
          : Decimal{};
  sig.pnl_fraction_if_closed = x.pnl_fraction;
  sig.held_us = x.held_us;
  sig.adverse_funding_rate = x.adverse_funding_fraction;
  if (x.exit && observer_) observer_->on_xarb_exit(pair, x, pos);
}

void CrossVenueStrategy::on_flat(std::uint32_t pair, TimestampUs now) noexcept {
  if (pair >= pairs_.size()) return;
  pairs_[pair].cooldown_until_us = now + params_.opening_delay_us;
}

}  // namespace bparb
