#include "bparb/exec/arb_engine.hpp"

#include <algorithm>
#include <stdexcept>

namespace bparb::exec {

using oms::is_terminal;
using oms::OrderEvent;

namespace {

constexpr std::string_view kLegName[2] = {"spot", "perp"};

oms::OmsParams oms_params(const EngineParams& p) noexcept {
  return {p.query_unknown_after_us, p.settle_timeout_us};
}

// Codes after which sending the same leg again is pointless (the market or the account refuses it).
bool definitive_reject(std::string_view code) noexcept {
  return code == "INSUFFICIENT_MARGIN" || code == "INSUFFICIENT_FUNDS" || code == "INVALID_MARKET" ||
         code == "INVALID_SYMBOL" || code == "TRADING_PAUSED" || code == "FORBIDDEN" || code == "POSITION_LIMIT" ||
         code == "MAINTENANCE" || code == "ACCOUNT_LIQUIDATING" || code == "ACCOUNT_DEACTIVATED" ||
         code == "UNAUTHORIZED";
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
  trades_.reserve(AccountSnapshot::kMaxPairs);
  marks_.reserve(AccountSnapshot::kMaxPairs);
}

PairIndex ArbEngine::add_pair(PairInfo info) {
  if (pairs_.size() >= AccountSnapshot::kMaxPairs) throw std::length_error("ArbEngine: too many pairs");
  PairSlot slot{std::move(info), PairPhase::kFlat, FundingInfo{}, BasisEvaluator(params_.basis), 0, 0, 0};
  slot.funding.interval_ms = slot.info.perp ? slot.info.perp->funding_interval_ms : 0;
  pairs_.push_back(std::move(slot));
  marks_.push_back({});
  const auto idx = static_cast<PairIndex>(pairs_.size() - 1);
  // Basis volatility over ~60 s (one sample per second at most); the name is for describe().
  // pairs_ never reallocates (reserved in the constructor), so the name's storage is stable.
  pairs_.back().evaluator = BasisEvaluator(params_.basis, 60, kUsPerSecond, idx, pairs_.back().info.name);
  trades_.emplace_back(idx, pairs_.back().info, params_, oms_, risk_, sink_);
  return idx;
}

void ArbEngine::set_params(const EngineParams& p) noexcept {
  params_ = p;  // first_client_id only counts at construction: the OMS keeps its next client id
  oms_.set_params(oms_params(p));
  for (auto& s : pairs_) s.evaluator.set_params(p.basis);
  for (auto& t : trades_) t.set_slippage_buffers(p.basis.spot_slippage_buffer, p.basis.perp_slippage_buffer);
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
  return std::none_of(trades_.begin(), trades_.end(), [](const TwoLegTrade& t) { return t.active(); });
}

void ArbEngine::live_orders(std::vector<std::pair<const MarketSpec*, oms::ClientId>>& out) const {
  oms_.for_each([&out](const oms::Order& o) {
    if (!is_terminal(o.state())) out.emplace_back(o.market(), o.client_id());
  });
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
  TwoLegTrade& t = trades_[p];
  TradeStart start = trade_start(p, false, q.plan, !perp_premium);
  start.targets[0] = {legs[0].side, legs[0].quantity, s.info.spot->step_size, s.info.spot->min_quantity};
  start.targets[1] = {legs[1].side, legs[1].quantity, s.info.perp->step_size, s.info.perp->min_quantity};
  if (!t.start(start, legs, 2, now)) return;  // order table full of live orders: cannot track more safely
  s.quote = q;
  s.phase = PairPhase::kEntering;
  t.launch();
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
  TradeStart start =
      trade_start(p, true, maker ? ExecutionPlan::kMaker : ExecutionPlan::kTaker, spot_held.is_negative());
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
                          taker_price(start.legs[0], side, spot_qty),
                          spot_qty,
                          false,
                          false,
                          OrderPurpose::kExit,
                          false,
                          false,
                          false};
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
                          taker_price(start.legs[1], side, perp_qty),
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
      sink_.on_entry_refused(s.info, s.quote, kLegName[static_cast<int>(legs[i].leg)], d);
      return;
    }
  }
  TwoLegTrade& t = trades_[p];
  start.targets[0] = {spot_held.is_positive() ? Side::kAsk : Side::kBid, spot_qty, s.info.spot->step_size,
                      s.info.spot->min_quantity};
  start.targets[1] = {perp_held.is_negative() ? Side::kBid : Side::kAsk, perp_qty, s.info.perp->step_size,
                      s.info.perp->min_quantity};
  start.initial_delta = spot_held + perp_held;
  if (!t.start(start, legs, static_cast<std::size_t>(n), now)) return;
  sink_.on_exit_signal(s.info, pos, sig);
  s.exit_reason = sig.reason;
  force_exit_[p] = ExitReason::kNone;
  s.phase = PairPhase::kExiting;
  t.launch();
}

void ArbEngine::book_fill(oms::Order& o, const OrderUpdate& u, TimestampUs now) noexcept {
  if (oms_.book_fill(o, u.trade_id, u.fill_quantity, u.cumulative_quantity) != oms::FillBooking::kBooked) return;
  const OrderSpec spec = order_spec_of(o);
  PairSlot& s = pairs_[spec.pair];
  const bool spot = spec.leg == LegIndex::kSpot;
  const MarketSpec* m = spot ? s.info.spot : s.info.perp;
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
  {
    // What the account actually holds moves by the fill net of a base-asset fee (paid or rebated).
    const bool base_fee = spot && asset == FeeAsset::kBase && spec.side == Side::kBid;
    trades_[spec.pair].on_fill(spec.leg, spec.side, base_fee ? u.fill_quantity - u.fee : u.fill_quantity);
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
  trades_[trade_owner_of(o)].on_settled(o, now);
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
      const OrderSpec spec = order_spec_of(*o);
      PairSlot& s = pairs_[spec.pair];
      if (definitive_reject(ack.code)) trades_[spec.pair].on_definitive_reject(spec.leg);
      sink_.on_order_rejected(s.info, spec, ack.code, ack.message);
      break;
    }
    case OrderAck::Kind::kUnknown:
      oms_.apply(*o, OrderEvent::kOutcomeUnknown, now);
      break;
  }
  maybe_settle(*o, now);
  drive(trade_owner_of(*o), now);
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
  drive(trade_owner_of(*o), now);
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
  drive(trade_owner_of(*o), now);
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

TradeStart ArbEngine::trade_start(PairIndex p, bool exit, ExecutionPlan plan, bool spot_short) noexcept {
  const PairInfo& info = pairs_[p].info;
  TradeStart st;
  st.exit = exit;
  st.plan = plan;
  st.legs[0] = {VenueId::kBackpack, info.spot, info.spot_book, params_.basis.spot_slippage_buffer, false, {}, {},
                &marks_[p].spot};
  st.legs[1] = {VenueId::kBackpack, info.perp, info.perp_book, params_.basis.perp_slippage_buffer, true, {}, {},
                &marks_[p].perp};
  // A spot-premium trade without inventory sells borrowed base: Backpack refuses a spot sell beyond the
  // free balance unless the order itself asks to borrow, and keeps the borrow (accruing interest) after
  // the buy-back unless that order asks to repay. Only when the operator allowed borrowing.
  if (params_.basis.allow_spot_borrow && spot_short) {
    st.legs[0].on_sell.auto_borrow = true;
    st.legs[0].on_sell.auto_lend_redeem = true;
    st.legs[0].on_buy.auto_borrow_repay = true;
  }
  st.valuation_leg = 1;  // a naked quantity is valued at the perp mark
  return st;
}

void ArbEngine::drive(PairIndex p, TimestampUs now) noexcept {
  if (p >= pairs_.size()) return;
  if (trades_[p].drive(now)) finish_trade(p, now);
}

void ArbEngine::finish_trade(PairIndex p, TimestampUs now) noexcept {
  PairSlot& s = pairs_[p];
  const PositionState& pos = portfolio_.position(p);
  if (!trades_[p].is_exit()) {
    if (pos.open) {
      s.phase = PairPhase::kOpen;
      sink_.on_position_opened(s.info, pos, s.quote);
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
    sink_.on_position_closed(s.info, pos, s.exit_reason);
  } else {
    // Neutral but not flat (IOC exits only partly filled): back to Open; the exit rule re-fires.
    s.phase = PairPhase::kOpen;
  }
}

void ArbEngine::on_timer(TimestampUs now) noexcept {
  oms_.poll(now, [this](const oms::Order& o) { sink_.query_order(*o.market(), o.client_id()); });
  for (PairIndex p = 0; p < pairs_.size(); ++p) {
    PairSlot& s = pairs_[p];
    if (trades_[p].active()) {
      trades_[p].on_timer(now);
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
