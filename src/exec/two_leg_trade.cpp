#include "bparb/exec/two_leg_trade.hpp"

#include <algorithm>

#include "bparb/exec/arb_engine.hpp"

namespace bparb::exec {

using oms::is_terminal;
using oms::OrderEvent;
using oms::OrderState;

namespace {

constexpr oms::OwnerTag kAutoBorrow = oms::OwnerTag{1} << 48;
constexpr oms::OwnerTag kAutoBorrowRepay = oms::OwnerTag{1} << 49;
constexpr oms::OwnerTag kAutoLendRedeem = oms::OwnerTag{1} << 50;
// A maker leg cancelled to be re-priced: once settled, its remainder is posted at the new touch.
constexpr oms::OwnerTag kReplaceAfterCancel = oms::OwnerTag{1} << 51;

static_assert(sizeof(PairIndex) <= 4);

oms::OwnerTag owner_of(const OrderSpec& s) noexcept {
  oms::OwnerTag t = static_cast<oms::OwnerTag>(s.pair) | (static_cast<oms::OwnerTag>(s.leg) << 32) |
                    (static_cast<oms::OwnerTag>(s.purpose) << 40);
  if (s.auto_borrow) t |= kAutoBorrow;
  if (s.auto_borrow_repay) t |= kAutoBorrowRepay;
  if (s.auto_lend_redeem) t |= kAutoLendRedeem;
  return t;
}

}  // namespace

OrderSpec order_spec_of(const oms::Order& o) noexcept {
  const oms::OrderRequest& r = o.request();
  OrderSpec s;
  s.client_id = o.client_id();
  s.pair = static_cast<PairIndex>(trade_owner_of(o));
  s.leg = trade_leg_of(o);
  s.market = r.market;
  s.instrument = r.instrument;
  s.side = r.side;
  s.type = r.type;
  s.tif = r.tif;
  s.price = r.price;
  s.quantity = r.quantity;
  s.post_only = r.post_only;
  s.reduce_only = r.reduce_only;
  s.purpose = static_cast<OrderPurpose>((r.owner >> 40) & 0xffu);
  s.auto_borrow = (r.owner & kAutoBorrow) != 0;
  s.auto_borrow_repay = (r.owner & kAutoBorrowRepay) != 0;
  s.auto_lend_redeem = (r.owner & kAutoLendRedeem) != 0;
  return s;
}

Decimal taker_price(const TradeLeg& leg, Side side, Decimal qty) noexcept {
  const OrderBook* book = leg.book;
  const MarketSpec* m = leg.market;
  if (!book || !m) return {};
  BookFill f = book->walk(side, qty);
  Decimal ref = f.worst_price;
  if (!ref.is_positive()) {
    BookLevel top = side == Side::kBid ? book->best_ask() : book->best_bid();
    ref = top.price;
  }
  if (!ref.is_positive()) return {};
  const Decimal buf = leg.slippage_buffer;
  // Buy at most ref*(1+buf) rounded down; sell at least ref*(1-buf) rounded up: never beyond the buffer.
  if (side == Side::kBid) return ref.mul(Decimal::one() + buf, Rounding::kDown).round_to(m->tick_size, Rounding::kDown);
  return ref.mul(Decimal::one() - buf, Rounding::kUp).round_to(m->tick_size, Rounding::kUp);
}

TwoLegTrade::TwoLegTrade(std::uint32_t owner, const EngineParams& params, oms::OrderManager& oms, RiskGate& risk,
                         CommandSink& commands, EngineObserver& observer) noexcept
    : owner_(owner), params_(&params), oms_(oms), risk_(risk), commands_(commands), observer_(observer) {}

oms::Order* TwoLegTrade::track(const OrderSpec& spec, TimestampUs now) noexcept {
  return oms_.track({spec.market, spec.instrument, spec.side, spec.type, spec.tif, spec.price, spec.quantity,
                     spec.post_only, spec.reduce_only, owner_of(spec)},
                    now);
}

void TwoLegTrade::apply_flags(OrderSpec& o) const noexcept {
  const TradeLeg& leg = legs_[static_cast<std::size_t>(o.leg)];
  const LegOrderFlags& f = o.side == Side::kBid ? leg.on_buy : leg.on_sell;
  if (f.auto_borrow) o.auto_borrow = true;
  if (f.auto_borrow_repay) o.auto_borrow_repay = true;
  if (f.auto_lend_redeem) o.auto_lend_redeem = true;
}

void TwoLegTrade::set_slippage_buffers(Decimal leg0, Decimal leg1) noexcept {
  legs_[0].slippage_buffer = leg0;
  legs_[1].slippage_buffer = leg1;
}

bool TwoLegTrade::start(const TradeStart& st, OrderSpec* orders, std::size_t n, TimestampUs now) noexcept {
  legs_ = st.legs;
  for (std::size_t i = 0; i < n; ++i) apply_flags(orders[i]);
  // One leg first: only its order is tracked and sent now; the other is kept as a plan (side, limit).
  const bool sequential =
      !st.exit && n == 2 && st.plan == ExecutionPlan::kTaker && st.sequence != LegSequence::kTogether;
  if (sequential) {
    const LegIndex first = st.sequence == LegSequence::kLeg0First ? LegIndex::kSpot : LegIndex::kPerp;
    const std::size_t f = orders[0].leg == first ? 0 : 1;
    const OrderSpec& second = orders[1 - f];
    follower_leg_ = second.leg;
    follower_side_ = second.side;
    follower_price_ = second.price;
    orders = &orders[f];
    n = 1;
  }
  follower_waiting_ = false;
  follower_sent_ = Decimal{};
  first_leg_cancelled_ = false;
  first_leg_deadline_us_ = sequential ? now + st.first_leg_timeout_us : 0;
  oms::Order* tracked[2] = {nullptr, nullptr};
  for (std::size_t i = 0; i < n; ++i) {
    tracked[i] = track(orders[i], now);
    if (!tracked[i]) {
      for (std::size_t k = 0; k < i; ++k) oms_.release(*tracked[k]);
      return false;  // order table full of live orders: cannot track more safely
    }
  }
  for (std::size_t i = 0; i < n; ++i) {
    orders[i].client_id = tracked[i]->client_id();
    risk_.record_order();
  }
  const bool maker = st.plan == ExecutionPlan::kMaker;
  active_ = true;
  exit_ = st.exit;
  plan_ = st.plan;
  maker_deadline_us_ = maker ? now + params_->maker_timeout_us : 0;
  maker_timed_out_ = false;
  naked_since_us_ = 0;
  failure_reported_ = false;
  valuation_leg_ = st.valuation_leg;
  targets_ = st.targets;
  // The hedge window also covers the wait for a maker fill or, one leg first, for the first leg's fills.
  const DurationUs waits = (maker ? params_->maker_timeout_us : 0) + (sequential ? st.first_leg_timeout_us : 0);
  leg_risk_.emplace(targets_[0], targets_[1], now, params_->hedge_deadline_us + waits, 2, st.initial_delta);
  for (std::size_t i = 0; i < n; ++i) leg_risk_->on_order_sent(orders[i].leg);
  follower_waiting_ = sequential;
  pending_ = orders;
  pending_n_ = n;
  return true;
}

void TwoLegTrade::launch() noexcept {
  if (pending_n_ > 0) commands_.place_orders(std::span<const OrderSpec>(pending_, pending_n_));
  pending_ = nullptr;
  pending_n_ = 0;
}

void TwoLegTrade::on_fill(LegIndex leg, Side side, Decimal held_quantity) noexcept {
  if (active_ && leg_risk_) leg_risk_->on_fill(leg, side, held_quantity);
}

void TwoLegTrade::on_definitive_reject(LegIndex leg) noexcept {
  if (active_ && leg_risk_) leg_risk_->on_definitive_reject(leg);
}

void TwoLegTrade::on_settled(oms::Order& o, TimestampUs now) noexcept {
  const OrderSpec settled = order_spec_of(o);
  if (active_ && leg_risk_) leg_risk_->on_order_settled(settled.leg);
  if ((o.owner() & kReplaceAfterCancel) != 0 && active_ && !maker_timed_out_ && o.state() == OrderState::kCancelled) {
    // Re-price: post the remainder of this leg at the current touch.
    const auto li = static_cast<std::size_t>(settled.leg);
    Decimal done = leg_risk_->filled(settled.leg).abs();
    Decimal remaining = targets_[li].quantity - done;
    const MarketSpec* m = legs_[li].market;
    remaining = remaining.round_to(m->step_size, Rounding::kDown);
    const OrderBook* b = legs_[li].book;
    BookLevel touch = settled.side == Side::kBid ? b->best_bid() : b->best_ask();
    if (remaining >= m->min_quantity && remaining.is_positive() && touch.price.is_positive()) {
      OrderSpec spec = settled;
      spec.quantity = remaining;
      spec.price = touch.price;
      spec.purpose = OrderPurpose::kReprice;
      oms::Order* n = track(spec, now);  // may reuse o's slot: o is not read after this
      if (n) {
        spec.client_id = n->client_id();
        leg_risk_->on_order_sent(spec.leg);
        risk_.record_order();
        commands_.place_orders(std::span<const OrderSpec>(&spec, 1));
      }
    }
  }
}

bool TwoLegTrade::send_hedge(const LegRiskDecision& d, TimestampUs now) noexcept {
  const TradeLeg& leg = legs_[static_cast<std::size_t>(d.leg)];
  OrderSpec spec;
  spec.pair = static_cast<PairIndex>(owner_);
  spec.leg = d.leg;
  spec.market = leg.market;
  spec.instrument = leg.instrument;
  spec.side = d.side;
  spec.tif = TimeInForce::kIoc;
  spec.quantity = d.quantity;
  spec.price = taker_price(leg, d.side, d.quantity);
  // Orders that shrink a position are reduce-only where the venue has it, so a hedge can never flip it.
  spec.reduce_only = leg.reduce_only_unwinds && (d.action == LegRiskAction::kUnwind || exit_);
  spec.purpose = OrderPurpose::kHedge;
  apply_flags(spec);
  if (!spec.price.is_positive()) return false;
  // Hedges bypass the entry gate on purpose: they reduce exposure and are bounded by the slippage
  // buffer; refusing them on a stale book or the rate cap would leave a naked leg. They still count.
  oms::Order* o = track(spec, now);
  if (!o) return false;
  spec.client_id = o->client_id();
  leg_risk_->on_hedge_sent(d);
  risk_.record_order();
  commands_.place_orders(std::span<const OrderSpec>(&spec, 1));
  return true;
}

void TwoLegTrade::maker_maintenance(TimestampUs now) noexcept {
  // A maker leg that filled alone is naked exposure. The other leg gets hedge_deadline to fill as a maker
  // too (unless the naked leg is worth more than max_unhedged_usd: then at once); after that the maker
  // timeout is brought forward, so its remainder goes taker now (fallback) or is cancelled and LegRisk
  // completes or unwinds — not order_timeout_seconds later.
  if (plan_ == ExecutionPlan::kMaker && !maker_timed_out_) {
    const Decimal coarser = std::max(legs_[0].market->step_size, legs_[1].market->step_size);
    if (leg_risk_->net_delta().abs() > coarser) {
      if (naked_since_us_ == 0) naked_since_us_ = now;
      const bool hedge_now =
          now - naked_since_us_ >= params_->hedge_deadline_us || unhedged_beyond_limit(leg_risk_->net_delta());
      if (hedge_now && maker_deadline_us_ > now) maker_deadline_us_ = now;
    } else {
      naked_since_us_ = 0;
    }
  }
  const bool timed_out = now >= maker_deadline_us_;
  oms_.for_each([&](oms::Order& o) {
    const oms::OrderRequest& r = o.request();
    if (trade_owner_of(o) != owner_ || !r.post_only || is_terminal(o.state())) return;
    if (o.state() == OrderState::kPendingCancel || o.state() == OrderState::kPendingNew ||
        o.state() == OrderState::kUnknown)
      return;
    if (timed_out) {
      oms_.apply(o, OrderEvent::kCancelRequested, now);
      commands_.cancel_order(r.instrument, o.client_id());
      return;
    }
    const OrderBook* b = legs_[static_cast<std::size_t>(trade_leg_of(o))].book;
    BookLevel touch = r.side == Side::kBid ? b->best_bid() : b->best_ask();
    if (!touch.price.is_positive() || touch.price == r.price) return;
    Decimal moved_bps =
        (touch.price - r.price).abs().mul(Decimal::from_int(10'000), Rounding::kDown).div(r.price, Rounding::kDown);
    if (moved_bps > params_->maker_reprice_bps) {
      oms_.set_owner(o, o.owner() | kReplaceAfterCancel);
      oms_.apply(o, OrderEvent::kCancelRequested, now);
      commands_.cancel_order(r.instrument, o.client_id());
    }
  });
  if (timed_out && !maker_timed_out_) {
    maker_timed_out_ = true;
  }
  // Fallback: once every maker order is settled after the timeout, send the remainders as taker IOC.
  if (maker_timed_out_ && params_->fallback_to_taker && !leg_risk_->any_live() && plan_ == ExecutionPlan::kMaker) {
    plan_ = ExecutionPlan::kTaker;  // only once
    OrderSpec legs[2];
    int n = 0;
    for (std::size_t i = 0; i < 2; ++i) {
      const LegIndex leg = static_cast<LegIndex>(i);
      const MarketSpec* m = legs_[i].market;
      Decimal remaining = (targets_[i].quantity - leg_risk_->filled(leg).abs()).round_to(m->step_size, Rounding::kDown);
      if (remaining < m->min_quantity || !remaining.is_positive()) continue;
      Decimal price = taker_price(legs_[i], targets_[i].side, remaining);
      if (!price.is_positive()) continue;
      legs[n++] = OrderSpec{0,
                            static_cast<PairIndex>(owner_),
                            leg,
                            m,
                            legs_[i].instrument,
                            targets_[i].side,
                            OrderType::kLimit,
                            TimeInForce::kIoc,
                            price,
                            remaining,
                            false,
                            exit_ && legs_[i].reduce_only_unwinds,
                            OrderPurpose::kFallback,
                            false,
                            false,
                            false};
      apply_flags(legs[n - 1]);
    }
    for (int i = 0; i < n; ++i) {
      oms::Order* o = track(legs[i], now);
      if (!o) continue;
      legs[i].client_id = o->client_id();
      leg_risk_->on_order_sent(legs[i].leg);
      risk_.record_order();
    }
    if (n > 0) commands_.place_orders(std::span<const OrderSpec>(legs, static_cast<std::size_t>(n)));
  }
}

// The naked base quantity valued at the valuation leg's mid (the last good one while the book is
// one-sided); with no mark at all the exposure cannot be shown to be within the limit, so it counts as
// beyond it.
bool TwoLegTrade::unhedged_beyond_limit(Decimal net_delta) noexcept {
  const TradeLeg& leg = legs_[valuation_leg_];
  const Decimal mid = leg.book ? leg.book->mid() : Decimal{};
  if (!leg.last_mark) return true;
  if (mid.is_positive()) *leg.last_mark = mid;
  const Decimal mark = *leg.last_mark;
  if (!mark.is_positive()) return true;
  return net_delta.abs().mul(mark, Rounding::kUp) > params_->max_unhedged_usd;
}

// The maker plan's hedge is due (naked beyond max_unhedged_usd or past the hedge deadline: the maker
// timeout was brought forward) and what keeps LegRisk waiting is only maker orders whose cancels the venue
// refused. Their retries may take the venue's whole back-off, so the naked leg is hedged now; should such an
// order still fill before its cancel lands, LegRisk unwinds the excess once everything is settled.
bool TwoLegTrade::naked_behind_refused_cancels() const noexcept {
  if (plan_ != ExecutionPlan::kMaker || !maker_timed_out_ || naked_since_us_ == 0) return false;
  bool any = false;
  bool only_refused = true;
  oms_.for_each([&](const oms::Order& o) {
    if (trade_owner_of(o) != owner_ || o.settled()) return;
    any = true;
    if (o.state() != OrderState::kPendingCancel || o.cancel_refusals() == 0) only_refused = false;
  });
  return any && only_refused;
}

void TwoLegTrade::follow_first_leg(TimestampUs now) noexcept {
  const LegIndex first = follower_leg_ == LegIndex::kSpot ? LegIndex::kPerp : LegIndex::kSpot;
  const auto fi = static_cast<std::size_t>(follower_leg_);
  const TradeLeg& leg = legs_[fi];
  const MarketSpec* m = leg.market;
  // The second leg matches what the first filled (never more than planned), on its own step.
  const Decimal filled = std::min(leg_risk_->filled(first).abs(), targets_[fi].quantity);
  const Decimal due = (filled - follower_sent_).round_to(m->step_size, Rounding::kDown);
  if (due.is_positive() && due >= m->min_quantity) {
    OrderSpec spec;
    spec.pair = static_cast<PairIndex>(owner_);
    spec.leg = follower_leg_;
    spec.market = m;
    spec.instrument = leg.instrument;
    spec.side = follower_side_;
    spec.tif = TimeInForce::kIoc;
    spec.price = follower_price_;
    spec.quantity = due;
    spec.purpose = OrderPurpose::kEntry;
    apply_flags(spec);
    if (oms::Order* o = track(spec, now)) {
      spec.client_id = o->client_id();
      leg_risk_->on_order_sent(follower_leg_);
      risk_.record_order();
      follower_sent_ += due;
      commands_.place_orders(std::span<const OrderSpec>(&spec, 1));
    }
  }
  if (leg_risk_->live(first) == 0) {
    // The first leg is settled: what it filled and the second did not match is LegRisk's from here.
    follower_waiting_ = false;
    return;
  }
  if (now < first_leg_deadline_us_ || first_leg_cancelled_) return;
  first_leg_cancelled_ = true;
  // Past the timeout: the first leg's orders still live are cancelled (one without an answer yet is the order
  // timeout's to query); the second leg follows whatever they filled.
  oms_.for_each([&](oms::Order& o) {
    if (trade_owner_of(o) != owner_ || trade_leg_of(o) != first || is_terminal(o.state())) return;
    if (o.state() == OrderState::kPendingCancel || o.state() == OrderState::kPendingNew ||
        o.state() == OrderState::kUnknown)
      return;
    oms_.apply(o, OrderEvent::kCancelRequested, now);
    commands_.cancel_order(o.request().instrument, o.client_id());
  });
}

// An IOC order ends on the venue as soon as it has matched what it could: filled, or its remainder expired. One
// that was acknowledged and has not ended query_unknown_after later was lost on the way (a transaction the venue
// took and never executed, an end its stream did not deliver). It is cancelled: a live one ends, and an unknown
// one draws the venue's refusal, whose query settles it; the OMS also queries a taker order that stays pending
// its cancel (docs/kernel.md). Once settled, leg risk completes or unwinds what the legs filled.
void TwoLegTrade::cancel_stalled_takers(TimestampUs now) noexcept {
  oms_.for_each([&](oms::Order& o) {
    if (trade_owner_of(o) != owner_ || o.request().tif == TimeInForce::kGtc) return;
    if (o.state() != OrderState::kOpen && o.state() != OrderState::kPartiallyFilled) return;
    if (now - o.state_since_us() < params_->query_unknown_after_us) return;
    oms_.apply(o, OrderEvent::kCancelRequested, now);
    commands_.cancel_order(o.request().instrument, o.client_id());
  });
}

bool TwoLegTrade::drive(TimestampUs now) noexcept {
  if (!active_ || !leg_risk_) return false;
  if (follower_waiting_) follow_first_leg(now);
  cancel_stalled_takers(now);
  if (plan_ == ExecutionPlan::kMaker) maker_maintenance(now);
  LegRiskDecision d = leg_risk_->decide(now, naked_behind_refused_cancels());
  switch (d.action) {
    case LegRiskAction::kWait:
      return false;
    case LegRiskAction::kNeutral:
      active_ = false;
      return true;
    case LegRiskAction::kComplete:
    case LegRiskAction::kUnwind:
      observer_.on_event(event::LegRisk{owner_, d});
      send_hedge(d, now);
      return false;
    case LegRiskAction::kFailed:
      if (!failure_reported_) {
        failure_reported_ = true;
        observer_.on_event(event::LegRisk{owner_, d});
        StateChange c = risk_.set_reduce_only(StateReason::kInvariant);
        observer_.on_event(
            event::TradingStateChanged{c, ReasonText::of("leg risk: hedge deadline passed with exposure open")});
      }
      return false;
  }
  return false;
}

void TwoLegTrade::on_timer(TimestampUs now) noexcept {
  if (failure_reported_ && leg_risk_ && !leg_risk_->any_live()) {
    // Keep trying to neutralize after reporting; one window per deadline.
    leg_risk_->restart_window(now);
    failure_reported_ = false;
  }
}

}  // namespace bparb::exec
