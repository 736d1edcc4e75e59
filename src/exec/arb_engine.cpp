#include "bparb/exec/arb_engine.hpp"

#include <algorithm>
#include <stdexcept>

namespace bparb::exec {

using oms::is_terminal;
using oms::OrderEvent;
using oms::OrderState;

namespace {

constexpr std::string_view kLegName[2] = {"spot", "perp"};

// The owner tag the engine puts on each OMS order: what routes the order's events to its pair and leg and
// rebuilds its OrderSpec. Bits 0-31 pair, 32-39 leg, 40-47 purpose, 48-51 flags.
static_assert(sizeof(PairIndex) <= 4);
constexpr oms::OwnerTag kAutoBorrow = oms::OwnerTag{1} << 48;
constexpr oms::OwnerTag kAutoBorrowRepay = oms::OwnerTag{1} << 49;
constexpr oms::OwnerTag kAutoLendRedeem = oms::OwnerTag{1} << 50;
// A maker leg cancelled to be re-priced: once settled, its remainder is posted at the new touch.
constexpr oms::OwnerTag kReplaceAfterCancel = oms::OwnerTag{1} << 51;

oms::OwnerTag owner_of(const OrderSpec& s) noexcept {
  oms::OwnerTag t = static_cast<oms::OwnerTag>(s.pair) | (static_cast<oms::OwnerTag>(s.leg) << 32) |
                    (static_cast<oms::OwnerTag>(s.purpose) << 40);
  if (s.auto_borrow) t |= kAutoBorrow;
  if (s.auto_borrow_repay) t |= kAutoBorrowRepay;
  if (s.auto_lend_redeem) t |= kAutoLendRedeem;
  return t;
}

PairIndex pair_of(const oms::Order& o) noexcept {
  return static_cast<PairIndex>(o.owner() & 0xffff'ffffu);
}
LegIndex leg_of(const oms::Order& o) noexcept {
  return static_cast<LegIndex>((o.owner() >> 32) & 0xffu);
}

OrderSpec spec_of(const oms::Order& o) noexcept {
  const oms::OrderRequest& r = o.request();
  OrderSpec s;
  s.client_id = o.client_id();
  s.pair = pair_of(o);
  s.leg = leg_of(o);
  s.market = r.market;
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

oms::OmsParams oms_params(const EngineParams& p) noexcept {
  return {p.query_unknown_after_us, p.settle_timeout_us};
}

}  // namespace

std::string_view order_purpose_name(OrderPurpose p) noexcept {
  switch (p) {
    case OrderPurpose::kEntry:
      return "entry";
    case OrderPurpose::kExit:
      return "exit";
    case OrderPurpose::kHedge:
      return "hedge";
    case OrderPurpose::kReprice:
      return "reprice";
    case OrderPurpose::kFallback:
      return "fallback";
  }
  return "?";
}

std::string_view pair_phase_name(PairPhase p) noexcept {
  switch (p) {
    case PairPhase::kFlat:
      return "Flat";
    case PairPhase::kEntering:
      return "Entering";
    case PairPhase::kOpen:
      return "Open";
    case PairPhase::kExiting:
      return "Exiting";
  }
  return "?";
}

ArbEngine::ArbEngine(const EngineParams& params, RiskGate& risk, Portfolio& portfolio, EngineSink& sink)
    : params_(params),
      risk_(risk),
      portfolio_(portfolio),
      sink_(sink),
      oms_(params.first_client_id, oms_params(params)) {
  pairs_.reserve(AccountSnapshot::kMaxPairs);
  marks_.reserve(AccountSnapshot::kMaxPairs);
}

PairIndex ArbEngine::add_pair(PairInfo info) {
  if (pairs_.size() >= AccountSnapshot::kMaxPairs) throw std::length_error("ArbEngine: too many pairs");
  PairSlot slot{std::move(info), PairPhase::kFlat, Trade{}, FundingInfo{}, BasisEvaluator(params_.basis), 0, 0, 0};
  slot.funding.interval_ms = slot.info.perp ? slot.info.perp->funding_interval_ms : 0;
  pairs_.push_back(std::move(slot));
  marks_.push_back({});
  const auto idx = static_cast<PairIndex>(pairs_.size() - 1);
  // Basis volatility over ~60 s (one sample per second at most); the name is for describe().
  // pairs_ never reallocates (reserved in the constructor), so the name's storage is stable.
  pairs_.back().evaluator = BasisEvaluator(params_.basis, 60, kUsPerSecond, idx, pairs_.back().info.name);
  return idx;
}

void ArbEngine::set_params(const EngineParams& p) noexcept {
  params_ = p;  // first_client_id only counts at construction: the OMS keeps its next client id
  oms_.set_params(oms_params(p));
  for (auto& s : pairs_) s.evaluator.set_params(p.basis);
}

void ArbEngine::on_funding_info(PairIndex pair, const FundingInfo& info) noexcept {
  if (pair >= pairs_.size()) return;
  FundingInfo f = info;
  if (f.interval_ms == 0 && pairs_[pair].info.perp) f.interval_ms = pairs_[pair].info.perp->funding_interval_ms;
  pairs_[pair].funding = f;
}

void ArbEngine::on_account(const AccountSnapshot& account, TimestampUs now) noexcept {
  account_ = account;
  have_account_ = true;
  StateChange c = risk_.update(account_risk(now));
  if (c.changed) sink_.on_trading_state(c, "account update");
}

void ArbEngine::fill_marks() noexcept {
  for (std::size_t i = 0; i < pairs_.size(); ++i) {
    const PairInfo& info = pairs_[i].info;
    Decimal s = info.spot_book ? info.spot_book->mid() : Decimal{};
    Decimal p = info.perp_book ? info.perp_book->mid() : Decimal{};
    // Keep the last good mark when a book is momentarily one-sided or resyncing.
    if (s.is_positive()) marks_[i].spot = s;
    if (p.is_positive()) marks_[i].perp = p;
  }
}

AccountRisk ArbEngine::account_risk(TimestampUs now) noexcept {
  fill_marks();
  AccountRisk a;
  a.net_equity = account_.net_equity;
  a.initial_margin_used = account_.initial_margin_used;
  a.total_exposure_usd = portfolio_.exposure_usd(marks_);
  a.daily_pnl_usd = portfolio_.daily_pnl(now, marks_) + carried_daily_pnl(now);
  return a;
}

std::uint32_t ArbEngine::open_positions() const noexcept {
  std::uint32_t n = 0;
  for (const auto& s : pairs_)
    if (s.phase != PairPhase::kFlat) ++n;
  return n;
}

bool ArbEngine::idle() const noexcept {
  return std::none_of(pairs_.begin(), pairs_.end(), [](const PairSlot& s) { return s.trade.active; });
}

void ArbEngine::live_orders(std::vector<std::pair<const MarketSpec*, oms::ClientId>>& out) const {
  oms_.for_each([&out](const oms::Order& o) {
    if (!is_terminal(o.state())) out.emplace_back(o.market(), o.client_id());
  });
}

oms::Order* ArbEngine::track(const OrderSpec& spec, TimestampUs now) noexcept {
  return oms_.track({spec.market, spec.side, spec.type, spec.tif, spec.price, spec.quantity, spec.post_only,
                     spec.reduce_only, owner_of(spec)},
                    now);
}

Decimal ArbEngine::taker_price(const PairInfo& info, LegIndex leg, Side side, Decimal qty) const noexcept {
  const OrderBook* book = book_of(info, leg);
  const MarketSpec* m = market_of(info, leg);
  if (!book || !m) return {};
  BookFill f = book->walk(side, qty);
  Decimal ref = f.worst_price;
  if (!ref.is_positive()) {
    BookLevel top = side == Side::kBid ? book->best_ask() : book->best_bid();
    ref = top.price;
  }
  if (!ref.is_positive()) return {};
  const Decimal buf = leg == LegIndex::kSpot ? params_.basis.spot_slippage_buffer : params_.basis.perp_slippage_buffer;
  // Buy at most ref*(1+buf) rounded down; sell at least ref*(1-buf) rounded up: never beyond the buffer.
  if (side == Side::kBid) return ref.mul(Decimal::one() + buf, Rounding::kDown).round_to(m->tick_size, Rounding::kDown);
  return ref.mul(Decimal::one() - buf, Rounding::kUp).round_to(m->tick_size, Rounding::kUp);
}

void ArbEngine::on_book_update(PairIndex p, TimestampUs now) noexcept {
  if (p >= pairs_.size()) return;
  PairSlot& s = pairs_[p];
  if (!s.info.spot_book || !s.info.perp_book) return;
  s.evaluator.observe(*s.info.spot_book, *s.info.perp_book, now);
  switch (s.phase) {
    case PairPhase::kFlat:
      try_enter(p, now);
      break;
    case PairPhase::kOpen:
      try_exit(p, now);
      break;
    case PairPhase::kEntering:
    case PairPhase::kExiting:
      drive(p, now);
      break;
  }
}

void ArbEngine::try_enter(PairIndex p, TimestampUs now) noexcept {
  PairSlot& s = pairs_[p];
  if (!have_account_) return;
  BasisInputs in;
  in.spot = {s.info.spot, s.info.spot_book, s.info.spot_book->valid_since_us()};
  in.perp = {s.info.perp, s.info.perp_book, s.info.perp_book->valid_since_us()};
  in.funding = s.funding;
  in.account = account_.view;
  in.account.available_base = p < AccountSnapshot::kMaxPairs ? account_.available_base[p] : Decimal{};
  const AccountRisk acct = account_risk(now);
  in.max_notional_usd = risk_.entry_headroom_usd(Decimal::zero(), acct);
  in.now = now;
  BasisQuote q =
      s.evaluator.evaluate_best_fast(in);  // same decision; skips walks when the touch cannot reach a threshold
  // The exit rules close a position whose funding charges more than max_adverse_funding_rate. Entering
  // while that already holds would pay four fees for a position closed on the next update (seen in paper
  // runs), so such an entry is refused — and logged as not traded — like any other refusal.
  if (q.tradeable) {
    const Decimal adverse = q.direction == BasisDirection::kPerpPremium ? -s.funding.rate : s.funding.rate;
    if (adverse > params_.exit.max_adverse_funding_rate) {
      q.tradeable = false;
      q.refusal = Refusal::kFundingAgainst;
    }
  }

  if (q.opportunity) {
    // One episode per spread excursion: a spread hovering at the threshold must not count (or log) a
    // new opportunity on every book update. An episode ends after a quiet opportunity_log_interval.
    const bool new_episode =
        s.last_opportunity_seen_us == 0 || now - s.last_opportunity_seen_us > params_.opportunity_log_interval_us;
    if (new_episode) portfolio_.note_opportunity();
    // A turn of direction is logged at once: the line names the direction, and a reader of the log must
    // not see the old one stand for the new one for up to an interval.
    const bool turned = q.direction != s.last_opportunity_direction;
    if (new_episode || turned || now - s.last_opportunity_log_us >= params_.opportunity_log_interval_us) {
      sink_.on_opportunity(s.info, q);
      s.last_opportunity_log_us = now;
      s.last_opportunity_direction = q.direction;
    }
    s.last_opportunity_seen_us = now;
  }
  if (!q.tradeable || !opening_enabled_ || now < s.cooldown_until_us) return;
  if (open_positions() >= params_.max_open_positions) return;

  const bool perp_premium = q.direction == BasisDirection::kPerpPremium;
  const bool maker = q.plan == ExecutionPlan::kMaker;
  OrderSpec legs[2];
  legs[0] = OrderSpec{0,
                      p,
                      LegIndex::kSpot,
                      s.info.spot,
                      perp_premium ? Side::kBid : Side::kAsk,
                      OrderType::kLimit,
                      maker ? TimeInForce::kGtc : TimeInForce::kIoc,
                      q.spot.limit_price,
                      q.quantity,
                      q.spot.post_only,
                      false,
                      OrderPurpose::kEntry,
                      false,
                      false,
                      false};
  legs[1] = OrderSpec{0,
                      p,
                      LegIndex::kPerp,
                      s.info.perp,
                      perp_premium ? Side::kAsk : Side::kBid,
                      OrderType::kLimit,
                      maker ? TimeInForce::kGtc : TimeInForce::kIoc,
                      q.perp.limit_price,
                      q.quantity,
                      q.perp.post_only,
                      false,
                      OrderPurpose::kEntry,
                      false,
                      false,
                      false};
  // A spot BUY pays its fee in the base asset: buy that much more so the spot holding matches the
  // perp short (rounded to the step; the remaining sub-step difference is within tolerance).
  if (legs[0].side == Side::kBid)
    legs[0].quantity =
        spot_buy_gross(s.info, q.quantity, maker ? Liquidity::kMaker : Liquidity::kTaker, Rounding::kNearest);
  set_margin_flags(legs[0], !perp_premium);
  for (int i = 0; i < 2; ++i) {
    OrderCheck c;
    c.reduces_exposure = false;
    c.notional_usd = legs[i].quantity.mul(legs[i].price, Rounding::kUp);
    c.position_notional_after_usd = q.notional_usd;
    if (i == 1) {
      c.perp_spec = s.info.perp;
      c.perp_notional_after_usd = c.notional_usd;
    }
    const OrderBook* b = i == 0 ? s.info.spot_book : s.info.perp_book;
    c.book = {b->valid(), b->last_update_us()};
    RiskDecision d = risk_.check(c, acct);
    if (!d.allowed) {
      sink_.on_entry_refused(s.info, q, kLegName[i], d);
      return;
    }
  }
  oms::Order* o0 = track(legs[0], now);
  oms::Order* o1 = o0 ? track(legs[1], now) : nullptr;
  if (!o0 || !o1) {
    if (o0) oms_.release(*o0);
    return;  // order table full of live orders: cannot track more safely
  }
  legs[0].client_id = o0->client_id();
  legs[1].client_id = o1->client_id();
  risk_.record_order();
  risk_.record_order();

  Trade& t = s.trade;
  t = Trade{};
  t.active = true;
  t.exit = false;
  t.plan = q.plan;
  t.started_us = now;
  t.maker_deadline_us = maker ? now + params_.maker_timeout_us : 0;
  t.quote = q;
  t.spot_short = !perp_premium;
  t.targets[0] = {legs[0].side, legs[0].quantity, s.info.spot->step_size, s.info.spot->min_quantity};
  t.targets[1] = {legs[1].side, legs[1].quantity, s.info.perp->step_size, s.info.perp->min_quantity};
  t.leg_risk.emplace(t.targets[0], t.targets[1], now,
                     params_.hedge_deadline_us + (maker ? params_.maker_timeout_us : 0));
  t.leg_risk->on_order_sent(LegIndex::kSpot);
  t.leg_risk->on_order_sent(LegIndex::kPerp);
  s.phase = PairPhase::kEntering;
  sink_.place_orders(std::span<const OrderSpec>(legs, 2));
}

void ArbEngine::try_exit(PairIndex p, TimestampUs now) noexcept {
  PairSlot& s = pairs_[p];
  const PositionState& pos = portfolio_.position(p);
  if (!pos.open) {
    s.phase = PairPhase::kFlat;
    return;
  }
  OpenBasisPosition obp;
  obp.direction = pos.perp.quantity().is_negative() ? BasisDirection::kPerpPremium : BasisDirection::kSpotPremium;
  obp.quantity = pos.perp.quantity().abs();
  obp.entry_spread = obp.direction == BasisDirection::kPerpPremium ? pos.entry_basis : -pos.entry_basis;
  obp.entry_notional = pos.entry_notional;
  obp.opened_at_us = pos.opened_at_us;
  obp.fees_paid_usd = pos.fees_usd;
  obp.funding_received_usd = pos.funding;
  ExitSignal sig =
      evaluate_exit(obp, *s.info.spot_book, *s.info.perp_book, s.funding, account_.view.fees, params_.exit, now);
  // Recovery / shutdown flatten: unwind both legs whatever the exit rules say (force_exit()).
  if (force_exit_[p] != ExitReason::kNone && !sig.exit) {
    sig.exit = true;
    sig.reason = force_exit_[p];
  }
  if (!sig.exit) return;

  const Decimal spot_held = pos.spot.quantity();
  const Decimal perp_held = pos.perp.quantity();
  OrderSpec legs[2];
  int n = 0;
  const bool maker = params_.exit.exit_as_maker;
  // Spot: sell what we hold (down to the step; the sub-step fee residue stays as dust), or buy back a
  // short spot leg: enough that what arrives after the base-asset fee covers the short (up to the step).
  Decimal spot_qty =
      spot_held.is_positive()
          ? spot_held.round_to(s.info.spot->step_size, Rounding::kDown)
          : spot_buy_gross(s.info, spot_held.abs(), maker ? Liquidity::kMaker : Liquidity::kTaker, Rounding::kUp);
  if (spot_qty >= s.info.spot->min_quantity && spot_qty.is_positive()) {
    Side side = spot_held.is_positive() ? Side::kAsk : Side::kBid;
    legs[n++] = OrderSpec{0,
                          p,
                          LegIndex::kSpot,
                          s.info.spot,
                          side,
                          OrderType::kLimit,
                          TimeInForce::kIoc,
                          taker_price(s.info, LegIndex::kSpot, side, spot_qty),
                          spot_qty,
                          false,
                          false,
                          OrderPurpose::kExit,
                          false,
                          false,
                          false};
    set_margin_flags(legs[n - 1], spot_held.is_negative());
  }
  Decimal perp_qty = perp_held.abs();
  if (perp_qty.is_positive()) {
    Side side = perp_held.is_negative() ? Side::kBid : Side::kAsk;
    legs[n++] = OrderSpec{0,
                          p,
                          LegIndex::kPerp,
                          s.info.perp,
                          side,
                          OrderType::kLimit,
                          TimeInForce::kIoc,
                          taker_price(s.info, LegIndex::kPerp, side, perp_qty),
                          perp_qty,
                          false,
                          true,
                          OrderPurpose::kExit,
                          false,
                          false,
                          false};
  }
  if (n == 0) return;
  if (maker) {
    // Post-only at our own side's touch.
    for (int i = 0; i < n; ++i) {
      const OrderBook* b = book_of(s.info, legs[i].leg);
      BookLevel touch = legs[i].side == Side::kBid ? b->best_bid() : b->best_ask();
      if (!touch.price.is_positive()) return;
      legs[i].price = touch.price;
      legs[i].post_only = true;
      legs[i].tif = TimeInForce::kGtc;
    }
  }
  const AccountRisk acct = account_risk(now);
  for (int i = 0; i < n; ++i) {
    if (!legs[i].price.is_positive()) return;  // a book cannot price the unwind now; retry next update
    OrderCheck c;
    c.reduces_exposure = true;
    c.notional_usd = legs[i].quantity.mul(legs[i].price, Rounding::kUp);
    const OrderBook* b = book_of(s.info, legs[i].leg);
    c.book = {b->valid(), b->last_update_us()};
    RiskDecision d = risk_.check(c, acct);
    if (!d.allowed) {
      sink_.on_entry_refused(s.info, s.trade.quote, kLegName[static_cast<int>(legs[i].leg)], d);
      return;
    }
  }
  oms::Order* tracked[2] = {nullptr, nullptr};
  for (int i = 0; i < n; ++i) {
    tracked[i] = track(legs[i], now);
    if (!tracked[i]) {
      for (int k = 0; k < i; ++k) oms_.release(*tracked[k]);
      return;
    }
    legs[i].client_id = tracked[i]->client_id();
    risk_.record_order();
  }
  sink_.on_exit_signal(s.info, pos, sig);
  Trade& t = s.trade;
  BasisQuote entry_quote = t.quote;
  t = Trade{};
  t.quote = entry_quote;
  t.active = true;
  t.exit = true;
  t.exit_reason = sig.reason;
  t.spot_short = spot_held.is_negative();
  t.plan = maker ? ExecutionPlan::kMaker : ExecutionPlan::kTaker;
  t.started_us = now;
  t.maker_deadline_us = maker ? now + params_.maker_timeout_us : 0;
  t.targets[0] = {spot_held.is_positive() ? Side::kAsk : Side::kBid, spot_qty, s.info.spot->step_size,
                  s.info.spot->min_quantity};
  t.targets[1] = {perp_held.is_negative() ? Side::kBid : Side::kAsk, perp_qty, s.info.perp->step_size,
                  s.info.perp->min_quantity};
  t.leg_risk.emplace(t.targets[0], t.targets[1], now,
                     params_.hedge_deadline_us + (maker ? params_.maker_timeout_us : 0), 2, spot_held + perp_held);
  for (int i = 0; i < n; ++i) t.leg_risk->on_order_sent(legs[i].leg);
  force_exit_[p] = ExitReason::kNone;
  s.phase = PairPhase::kExiting;
  sink_.place_orders(std::span<const OrderSpec>(legs, static_cast<std::size_t>(n)));
}

void ArbEngine::book_fill(oms::Order& o, const OrderUpdate& u, TimestampUs now) noexcept {
  if (oms_.book_fill(o, u.trade_id, u.fill_quantity, u.cumulative_quantity) != oms::FillBooking::kBooked) return;
  const OrderSpec spec = spec_of(o);
  PairSlot& s = pairs_[spec.pair];
  const bool spot = spec.leg == LegIndex::kSpot;
  const MarketSpec* m = market_of(s.info, spec.leg);
  FeeAsset asset = FeeAsset::kOther;
  if (u.fee_symbol == m->quote_symbol || (u.fee_symbol.empty() && u.fee.is_zero()))
    asset = FeeAsset::kQuote;
  else if (u.fee_symbol == m->base_symbol)
    asset = FeeAsset::kBase;
  Fill f;
  f.leg = spot ? Leg::kSpot : Leg::kPerp;
  f.side = spec.side;
  f.price = u.fill_price;
  f.quantity = u.fill_quantity;
  f.fee = u.fee;
  f.fee_asset = asset;
  f.time_us = now;
  f.venue_time_us = u.venue_time_us;
  const FillOutcome booked = portfolio_.apply_fill(spec.pair, f);
  if (s.trade.active && s.trade.leg_risk) {
    // What the account actually holds moves by the fill net of a base-asset fee (paid or rebated).
    const bool base_fee = spot && asset == FeeAsset::kBase && spec.side == Side::kBid;
    s.trade.leg_risk->on_fill(spec.leg, spec.side, base_fee ? u.fill_quantity - u.fee : u.fill_quantity);
  }
  sink_.on_fill(s.info, spec, u.fill_quantity, u.fill_price, u.fee, u.fee_symbol, u.maker);
  if (booked.problem != FillProblem::kNone) {
    // Never a silent gap between what we hold and what we think we hold: say it, stop opening, and let
    // leg risk hedge what the venue reported.
    sink_.on_fill_problem(s.info, spec, booked.problem, u.fill_quantity, u.fill_price, u.fee, u.fee_symbol);
    StateChange c = risk_.set_reduce_only(StateReason::kInvariant);
    sink_.on_trading_state(c, "a fill could not be booked in full");
  }
}

void ArbEngine::maybe_settle(oms::Order& o, TimestampUs now) noexcept {
  if (!oms_.settle(o)) return;
  const OrderSpec settled = spec_of(o);
  PairSlot& s = pairs_[settled.pair];
  if (s.trade.active && s.trade.leg_risk) s.trade.leg_risk->on_order_settled(settled.leg);
  if ((o.owner() & kReplaceAfterCancel) != 0 && s.trade.active && !s.trade.maker_timed_out &&
      o.state() == OrderState::kCancelled) {
    // Re-price: post the remainder of this leg at the current touch.
    const int li = static_cast<int>(settled.leg);
    Decimal done = s.trade.leg_risk->filled(settled.leg).abs();
    Decimal remaining = s.trade.targets[li].quantity - done;
    const MarketSpec* m = market_of(s.info, settled.leg);
    remaining = remaining.round_to(m->step_size, Rounding::kDown);
    const OrderBook* b = book_of(s.info, settled.leg);
    BookLevel touch = settled.side == Side::kBid ? b->best_bid() : b->best_ask();
    if (remaining >= m->min_quantity && remaining.is_positive() && touch.price.is_positive()) {
      OrderSpec spec = settled;
      spec.quantity = remaining;
      spec.price = touch.price;
      spec.purpose = OrderPurpose::kReprice;
      oms::Order* n = track(spec, now);  // may reuse o's slot: o is not read after this
      if (n) {
        spec.client_id = n->client_id();
        s.trade.leg_risk->on_order_sent(spec.leg);
        risk_.record_order();
        sink_.place_orders(std::span<const OrderSpec>(&spec, 1));
      }
    }
  }
}

void ArbEngine::on_order_ack(const OrderAck& ack, TimestampUs now) noexcept {
  oms::Order* o = oms_.find(ack.client_id);
  if (!o) {
    ++unknown_updates_;
    return;
  }
  switch (ack.kind) {
    case OrderAck::Kind::kAccepted:
      oms_.note_reported(*o, ack.executed_quantity);
      oms_.apply(*o, oms::event_for_status(ack.status), now);
      break;
    case OrderAck::Kind::kRejected: {
      oms_.apply(*o, OrderEvent::kRejected, now);
      const OrderSpec spec = spec_of(*o);
      PairSlot& s = pairs_[spec.pair];
      if (definitive(ack.reject) && s.trade.active && s.trade.leg_risk)
        s.trade.leg_risk->on_definitive_reject(spec.leg);
      sink_.on_order_rejected(s.info, spec, ack.code, ack.message);
      break;
    }
    case OrderAck::Kind::kUnknown:
      oms_.apply(*o, OrderEvent::kOutcomeUnknown, now);
      break;
  }
  maybe_settle(*o, now);
  drive(pair_of(*o), now);
}

void ArbEngine::on_order_update(const OrderUpdate& u, TimestampUs now) noexcept {
  oms::Order* o = oms_.find(u.client_id);
  if (!o) {
    ++unknown_updates_;
    return;
  }
  oms_.note_reported(*o, u.cumulative_quantity);
  switch (u.kind) {
    case OrderUpdate::Kind::kAccepted:
      oms_.apply(*o, OrderEvent::kAccepted, now);
      break;
    case OrderUpdate::Kind::kFill:
      book_fill(*o, u, now);
      oms_.apply(*o, o->booked() >= o->request().quantity ? OrderEvent::kFullFill : OrderEvent::kPartialFill, now);
      break;
    case OrderUpdate::Kind::kCancelled:
      oms_.apply(*o, OrderEvent::kCancelled, now);
      break;
    case OrderUpdate::Kind::kExpired:
      oms_.apply(*o, OrderEvent::kExpired, now);
      break;
  }
  maybe_settle(*o, now);
  drive(pair_of(*o), now);
}

void ArbEngine::on_order_query(oms::ClientId client_id, bool found, OrderStatus status, Decimal executed,
                               TimestampUs now) noexcept {
  oms::Order* o = oms_.find(client_id);
  if (!o) return;
  oms_.query_answered(*o);
  if (!found) {
    oms_.apply(*o, OrderEvent::kNotFound, now);
  } else {
    oms_.note_reported(*o, executed);
    oms_.apply(*o, oms::event_for_status(status), now);
  }
  maybe_settle(*o, now);
  drive(pair_of(*o), now);
}

void ArbEngine::on_funding_payment(PairIndex pair, Decimal amount, TimestampUs settled_at_us) noexcept {
  if (pair >= pairs_.size()) return;
  const FundingOutcome booked = portfolio_.apply_funding(pair, amount, settled_at_us);
  if (booked.target != FundingTarget::kUnknownPair) sink_.on_funding(pairs_[pair].info, amount, booked);
}

Decimal ArbEngine::spot_buy_gross(const PairInfo& info, Decimal net, Liquidity liq, Rounding mode) const noexcept {
  const Decimal rate = account_.view.fees.rate(Venue::kSpot, liq);
  // Received = gross * (1 - rate): gross = net / (1 - rate). A rate of 100 % or more cannot be bought
  // around; the account's fee schedule never says so, but the division must not be asked then.
  const Decimal keep = Decimal::one() - rate;
  if (!keep.is_positive() || rate.is_zero()) return net.round_to(info.spot->step_size, mode);
  return net.div(keep, mode == Rounding::kDown ? Rounding::kDown : Rounding::kUp).round_to(info.spot->step_size, mode);
}

bool ArbEngine::send_hedge(PairIndex p, const LegRiskDecision& d, TimestampUs now) noexcept {
  PairSlot& s = pairs_[p];
  OrderSpec spec;
  spec.pair = p;
  spec.leg = d.leg;
  spec.market = market_of(s.info, d.leg);
  spec.side = d.side;
  spec.tif = TimeInForce::kIoc;
  spec.quantity = d.quantity;
  spec.price = taker_price(s.info, d.leg, d.side, d.quantity);
  // Perp orders that shrink the position are reduce-only so a hedge can never flip it.
  spec.reduce_only = d.leg == LegIndex::kPerp && (d.action == LegRiskAction::kUnwind || s.trade.exit);
  spec.purpose = OrderPurpose::kHedge;
  set_margin_flags(spec, s.trade.spot_short);
  if (!spec.price.is_positive()) return false;
  // Hedges bypass the entry gate on purpose: they reduce exposure and are bounded by the slippage
  // buffer; refusing them on a stale book or the rate cap would leave a naked leg. They still count.
  oms::Order* o = track(spec, now);
  if (!o) return false;
  spec.client_id = o->client_id();
  s.trade.leg_risk->on_hedge_sent(d);
  risk_.record_order();
  sink_.place_orders(std::span<const OrderSpec>(&spec, 1));
  return true;
}

// A spot-premium trade without inventory sells borrowed base: Backpack refuses a spot sell beyond the
// free balance unless the order itself asks to borrow, and keeps the borrow (accruing interest) after
// the buy-back unless that order asks to repay. Only when the operator allowed borrowing.
void ArbEngine::set_margin_flags(OrderSpec& o, bool spot_short) const noexcept {
  if (!params_.basis.allow_spot_borrow || o.leg != LegIndex::kSpot || !spot_short) return;
  if (o.side == Side::kAsk) {
    o.auto_borrow = true;
    o.auto_lend_redeem = true;
  } else {
    o.auto_borrow_repay = true;
  }
}

void ArbEngine::maker_maintenance(PairIndex p, TimestampUs now) noexcept {
  PairSlot& s = pairs_[p];
  Trade& t = s.trade;
  // A maker leg that filled alone is naked exposure. The other leg gets hedge_deadline to fill as a maker
  // too (unless the naked leg is worth more than max_unhedged_usd: then at once); after that the maker
  // timeout is brought forward, so its remainder goes taker now (fallback) or is cancelled and LegRisk
  // completes or unwinds — not order_timeout_seconds later.
  if (t.plan == ExecutionPlan::kMaker && !t.maker_timed_out) {
    const Decimal coarser = std::max(s.info.spot->step_size, s.info.perp->step_size);
    if (t.leg_risk->net_delta().abs() > coarser) {
      if (t.naked_since_us == 0) t.naked_since_us = now;
      const bool hedge_now =
          now - t.naked_since_us >= params_.hedge_deadline_us || unhedged_beyond_limit(p, t.leg_risk->net_delta());
      if (hedge_now && t.maker_deadline_us > now) t.maker_deadline_us = now;
    } else {
      t.naked_since_us = 0;
    }
  }
  const bool timed_out = now >= t.maker_deadline_us;
  oms_.for_each([&](oms::Order& o) {
    const oms::OrderRequest& r = o.request();
    if (pair_of(o) != p || !r.post_only || is_terminal(o.state())) return;
    if (o.state() == OrderState::kPendingCancel || o.state() == OrderState::kPendingNew ||
        o.state() == OrderState::kUnknown)
      return;
    if (timed_out) {
      oms_.apply(o, OrderEvent::kCancelRequested, now);
      sink_.cancel_order(*r.market, o.client_id());
      return;
    }
    const OrderBook* b = book_of(s.info, leg_of(o));
    BookLevel touch = r.side == Side::kBid ? b->best_bid() : b->best_ask();
    if (!touch.price.is_positive() || touch.price == r.price) return;
    Decimal moved_bps =
        (touch.price - r.price).abs().mul(Decimal::from_int(10'000), Rounding::kDown).div(r.price, Rounding::kDown);
    if (moved_bps > params_.maker_reprice_bps) {
      oms_.set_owner(o, o.owner() | kReplaceAfterCancel);
      oms_.apply(o, OrderEvent::kCancelRequested, now);
      sink_.cancel_order(*r.market, o.client_id());
    }
  });
  if (timed_out && !t.maker_timed_out) {
    t.maker_timed_out = true;
  }
  // Fallback: once every maker order is settled after the timeout, send the remainders as taker IOC.
  if (t.maker_timed_out && params_.fallback_to_taker && !t.leg_risk->any_live() && t.plan == ExecutionPlan::kMaker) {
    t.plan = ExecutionPlan::kTaker;  // only once
    OrderSpec legs[2];
    int n = 0;
    for (int i = 0; i < 2; ++i) {
      const LegIndex leg = static_cast<LegIndex>(i);
      const MarketSpec* m = market_of(s.info, leg);
      Decimal remaining =
          (t.targets[i].quantity - t.leg_risk->filled(leg).abs()).round_to(m->step_size, Rounding::kDown);
      if (remaining < m->min_quantity || !remaining.is_positive()) continue;
      Decimal price = taker_price(s.info, leg, t.targets[i].side, remaining);
      if (!price.is_positive()) continue;
      legs[n++] = OrderSpec{0,
                            p,
                            leg,
                            m,
                            t.targets[i].side,
                            OrderType::kLimit,
                            TimeInForce::kIoc,
                            price,
                            remaining,
                            false,
                            t.exit && leg == LegIndex::kPerp,
                            OrderPurpose::kFallback,
                            false,
                            false,
                            false};
      set_margin_flags(legs[n - 1], t.spot_short);
    }
    for (int i = 0; i < n; ++i) {
      oms::Order* o = track(legs[i], now);
      if (!o) continue;
      legs[i].client_id = o->client_id();
      t.leg_risk->on_order_sent(legs[i].leg);
      risk_.record_order();
    }
    if (n > 0) sink_.place_orders(std::span<const OrderSpec>(legs, static_cast<std::size_t>(n)));
  }
}

// The naked base quantity valued at the perp mid (the last good one while the book is one-sided); with no
// mark at all the exposure cannot be shown to be within the limit, so it counts as beyond it.
bool ArbEngine::unhedged_beyond_limit(PairIndex p, Decimal net_delta) noexcept {
  const PairInfo& info = pairs_[p].info;
  const Decimal mid = info.perp_book ? info.perp_book->mid() : Decimal{};
  if (mid.is_positive()) marks_[p].perp = mid;
  const Decimal mark = marks_[p].perp;
  if (!mark.is_positive()) return true;
  return net_delta.abs().mul(mark, Rounding::kUp) > params_.max_unhedged_usd;
}

void ArbEngine::drive(PairIndex p, TimestampUs now) noexcept {
  if (p >= pairs_.size()) return;
  PairSlot& s = pairs_[p];
  Trade& t = s.trade;
  if (!t.active || !t.leg_risk) return;
  if (t.plan == ExecutionPlan::kMaker) maker_maintenance(p, now);
  LegRiskDecision d = t.leg_risk->decide(now);
  switch (d.action) {
    case LegRiskAction::kWait:
      return;
    case LegRiskAction::kNeutral:
      finish_trade(p, now);
      return;
    case LegRiskAction::kComplete:
    case LegRiskAction::kUnwind:
      sink_.on_leg_risk(s.info, d);
      send_hedge(p, d, now);
      return;
    case LegRiskAction::kFailed:
      if (!t.failure_reported) {
        t.failure_reported = true;
        sink_.on_leg_risk(s.info, d);
        StateChange c = risk_.set_reduce_only(StateReason::kInvariant);
        sink_.on_trading_state(c, "leg risk: hedge deadline passed with exposure open");
      }
      return;
  }
}

void ArbEngine::finish_trade(PairIndex p, TimestampUs now) noexcept {
  PairSlot& s = pairs_[p];
  Trade& t = s.trade;
  const PositionState& pos = portfolio_.position(p);
  t.active = false;
  if (!t.exit) {
    if (pos.open) {
      s.phase = PairPhase::kOpen;
      sink_.on_position_opened(s.info, pos, t.quote);
    } else {
      s.phase = PairPhase::kFlat;
      s.cooldown_until_us = now + params_.opening_delay_us;
      sink_.on_trade_abandoned(s.info, "no leg filled");
    }
    return;
  }
  if (!pos.open) {
    s.phase = PairPhase::kFlat;
    s.cooldown_until_us = now + params_.opening_delay_us;
    sink_.on_position_closed(s.info, pos, t.exit_reason);
  } else {
    // Neutral but not flat (IOC exits only partly filled): back to Open; the exit rule re-fires.
    s.phase = PairPhase::kOpen;
  }
}

void ArbEngine::on_timer(TimestampUs now) noexcept {
  oms_.poll(now, [this](const oms::Order& o) { sink_.query_order(*o.market(), o.client_id()); });
  for (PairIndex p = 0; p < pairs_.size(); ++p) {
    PairSlot& s = pairs_[p];
    if (s.trade.active) {
      if (s.trade.failure_reported && s.trade.leg_risk && !s.trade.leg_risk->any_live()) {
        // Keep trying to neutralize after reporting; one window per deadline.
        s.trade.leg_risk->restart_window(now);
        s.trade.failure_reported = false;
      }
      drive(p, now);
    } else if (s.phase == PairPhase::kOpen && s.info.spot_book && s.info.perp_book) {
      try_exit(p, now);  // time- and funding-based exits fire without book updates
    }
  }
  if (have_account_) {
    StateChange c = risk_.update(account_risk(now));
    if (c.changed) sink_.on_trading_state(c, "periodic check");
  }
  if (now - last_stats_us_ >= params_.stats_interval_us) {
    if (last_stats_us_ != 0) sink_.on_stats(portfolio_.stats(), risk_.state());
    last_stats_us_ = now;
  }
}

}  // namespace bparb::exec
