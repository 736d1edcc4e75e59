#include "bparb/exec/arb_engine.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace bparb::exec {

using oms::is_terminal;
using oms::OrderEvent;

namespace {

constexpr std::string_view kLegName[2] = {"spot", "perp"};

oms::OmsParams oms_params(const EngineParams& p) noexcept {
  return {p.query_unknown_after_us, p.settle_timeout_us};
}

BasisStrategyParams strategy_params(const EngineParams& p) noexcept {
  return {p.basis, p.exit, p.max_open_positions, p.opening_delay_us, p.opportunity_log_interval_us};
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

ArbEngine::ArbEngine(const EngineParams& params, const InstrumentTable& instruments, RiskGate& risk,
                     Portfolio& portfolio, CommandSink& commands, EngineObserver& observer, Strategy* strategy)
    : params_(params),
      instruments_(instruments),
      risk_(risk),
      portfolio_(portfolio),
      commands_(commands),
      observer_(observer),
      basis_(strategy_params(params)),
      strategy_(strategy != nullptr ? *strategy : basis_),
      oms_(params.first_client_id, oms_params(params)),
      entry_(instruments, oms_, risk, commands, observer, *this) {
  pairs_.reserve(AccountSnapshot::kMaxPairs);
  trades_.reserve(AccountSnapshot::kMaxPairs);
  marks_.reserve(AccountSnapshot::kMaxPairs);
}

PairIndex ArbEngine::add_pair(std::string name, std::array<InstrumentId, 2> legs,
                              std::array<const OrderBook*, 2> books) {
  if (pairs_.size() >= AccountSnapshot::kMaxPairs) throw std::length_error("ArbEngine: too many pairs");
  // Leg 0 is the basis' spot, or the cross-venue pair's first perp (its own venue); leg 1 is always a perp.
  const bool perp_first = instruments_.contains(legs[0]) && instruments_[legs[0]].kind == InstrumentKind::kPerp;
  const InstrumentKind kKinds[2] = {perp_first ? InstrumentKind::kPerp : InstrumentKind::kSpot, InstrumentKind::kPerp};
  for (std::size_t i = 0; i < 2; ++i) {
    if (!instruments_.contains(legs[i]))
      throw std::invalid_argument("ArbEngine: pair " + name + ": " + std::string(kLegName[i]) + " instrument " +
                                  std::to_string(legs[i]) + " is not in the instrument table");
    if (instruments_[legs[i]].kind != kKinds[i])
      throw std::invalid_argument("ArbEngine: pair " + name + ": " + instruments_[legs[i]].symbol() + " is " +
                                  std::string(instrument_kind_name(instruments_[legs[i]].kind)) + ", the " +
                                  std::string(kLegName[i]) + " leg must be " +
                                  std::string(instrument_kind_name(kKinds[i])));
  }
  PairInfo info{
      std::move(name), &instruments_.market(legs[0]), &instruments_.market(legs[1]), books[0], books[1], legs};
  for (std::size_t i = 0; i < 2; ++i) entry_.set_book(legs[i], books[i]);
  PairSlot slot{std::move(info), PairPhase::kFlat, BasisQuote{}, ExitReason::kNone, 0};
  pairs_.push_back(std::move(slot));
  marks_.push_back({});
  const auto idx = static_cast<PairIndex>(pairs_.size() - 1);
  // pairs_ never reallocates (reserved in the constructor), so the name's storage is stable.
  const PairInfo& in = pairs_.back().info;
  strategy_.add_pair(idx, StrategyPair{in.name, {in.spot, in.perp}, {in.spot_book, in.perp_book}});
  trades_.emplace_back(idx, pairs_.back().info, params_, oms_, risk_, commands_, observer_);
  return idx;
}

void ArbEngine::set_params(const EngineParams& p) noexcept {
  params_ = p;  // first_client_id only counts at construction: the OMS keeps its next client id
  oms_.set_params(oms_params(p));
  basis_.set_params(strategy_params(p));
  for (auto& t : trades_) t.set_slippage_buffers(p.basis.spot_slippage_buffer, p.basis.perp_slippage_buffer);
}

void ArbEngine::on_funding_info(PairIndex pair, const FundingInfo& info) noexcept {
  if (pair >= pairs_.size()) return;
  strategy_.on_funding(pair, info);
}

void ArbEngine::on_venue_account(VenueId venue, const VenueAccount& account) noexcept {
  const std::size_t i = static_cast<std::size_t>(venue);
  if (i >= kVenueCount || venue == VenueId::kBackpack) return;  // the primary account comes through on_account
  venue_accounts_[i] = account;
  venue_accounts_[i].known = true;
  venue_margins_[i] = VenueMargin{true, account.net_equity, account.initial_margin_used};
}

const VenueMargin* ArbEngine::venue_margin(VenueId venue) const noexcept {
  const std::size_t i = static_cast<std::size_t>(venue);
  if (venue == VenueId::kBackpack || i >= kVenueCount) return nullptr;
  return &venue_margins_[i];
}

void ArbEngine::on_account(const AccountSnapshot& account, TimestampUs now) noexcept {
  account_ = account;
  have_account_ = true;
  venue_accounts_[static_cast<std::size_t>(VenueId::kBackpack)] =
      VenueAccount{true, account.net_equity, account.view.available_margin, account.initial_margin_used};
  StateChange c = risk_.update(account_risk(now));
  if (c.changed) observer_.on_event(event::TradingStateChanged{c, ReasonText::of("account update")});
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

void ArbEngine::live_orders(std::vector<LiveOrder>& out) const {
  oms_.for_each([&out](const oms::Order& o) {
    if (!is_terminal(o.state())) out.push_back({o.instrument(), o.client_id()});
  });
}

void ArbEngine::on_book_update(PairIndex p, TimestampUs now) noexcept {
  if (p >= pairs_.size()) return;
  PairSlot& s = pairs_[p];
  if (!s.info.spot_book || !s.info.perp_book) return;
  strategy_.on_book(p, now);
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
  EntryContext ctx;
  ctx.now = now;
  ctx.account = account_.view;
  ctx.account.available_base = p < AccountSnapshot::kMaxPairs ? account_.available_base[p] : Decimal{};
  const AccountRisk acct = account_risk(now);
  ctx.max_notional_usd = risk_.entry_headroom_usd(Decimal::zero(), acct);
  ctx.opening_enabled = opening_enabled_;
  ctx.busy_pairs = open_positions();
  EntryDecision e;
  strategy_.entry(p, ctx, e);
  const BasisQuote& q = e.quote;
  if (e.new_episode) portfolio_.note_opportunity();
  if (e.report) observer_.on_event(event::Opportunity{p, q});
  if (!e.open) return;

  OrderSpec legs[2];
  legs[0] = OrderSpec{0,
                      p,
                      LegIndex::kSpot,
                      s.info.spot,
                      s.info.instruments[0],
                      e.orders[0].side,
                      OrderType::kLimit,
                      e.orders[0].tif,
                      e.orders[0].price,
                      e.orders[0].quantity,
                      e.orders[0].post_only,
                      false,
                      OrderPurpose::kEntry,
                      false,
                      false,
                      false};
  legs[1] = OrderSpec{0,
                      p,
                      LegIndex::kPerp,
                      s.info.perp,
                      s.info.instruments[1],
                      e.orders[1].side,
                      OrderType::kLimit,
                      e.orders[1].tif,
                      e.orders[1].price,
                      e.orders[1].quantity,
                      e.orders[1].post_only,
                      false,
                      OrderPurpose::kEntry,
                      false,
                      false,
                      false};
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
      observer_.on_event(event::EntryRefused{p, q, static_cast<LegIndex>(i), d});
      return;
    }
  }
  TwoLegTrade& t = trades_[p];
  TradeStart start = trade_start(p, false, e.plan, e.on_buy, e.on_sell);
  start.sequence = e.sequence;
  start.first_leg_timeout_us = e.first_leg_timeout_us;
  start.targets[0] = {legs[0].side, legs[0].quantity, s.info.spot->step_size, s.info.spot->min_quantity};
  start.targets[1] = {legs[1].side, legs[1].quantity, s.info.perp->step_size, s.info.perp->min_quantity};
  if (!t.start(start, legs, 2, now)) return;  // order table full of live orders: cannot track more safely
  s.quote = q;
  s.entry_started_us = now;
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
  PositionContext pc;
  pc.now = now;
  pc.position = obp;
  pc.held = {pos.spot.quantity(), pos.perp.quantity()};
  pc.average_price = {pos.spot.average_price().abs(), pos.perp.average_price().abs()};
  pc.fees = account_.view.fees;
  ExitDecision ed;
  strategy_.exit(p, pc, ed);
  ExitSignal& sig = ed.signal;
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
  TradeStart start = trade_start(p, true, maker ? ExecutionPlan::kMaker : ExecutionPlan::kTaker, ed.on_buy, ed.on_sell);
  // Spot: sell what we hold (down to the step; the sub-step fee residue stays as dust), or buy back a
  // short spot leg: enough that what arrives after the base-asset fee covers the short (up to the step).
  // A perp on leg 0 (cross-venue pair) closes exactly what it holds, reduce-only.
  const bool leg0_perp = s.info.spot->is_perp();
  Decimal spot_qty =
      leg0_perp ? spot_held.abs()
      : spot_held.is_positive()
          ? spot_held.round_to(s.info.spot->step_size, Rounding::kDown)
          : spot_buy_gross(spot_held.abs(),
                           account_.view.fees.rate(Venue::kSpot, maker ? Liquidity::kMaker : Liquidity::kTaker),
                           s.info.spot->step_size, Rounding::kUp);
  if (spot_qty >= s.info.spot->min_quantity && spot_qty.is_positive()) {
    Side side = spot_held.is_positive() ? Side::kAsk : Side::kBid;
    legs[n++] = OrderSpec{0,
                          p,
                          LegIndex::kSpot,
                          s.info.spot,
                          s.info.instruments[0],
                          side,
                          OrderType::kLimit,
                          TimeInForce::kIoc,
                          taker_price(start.legs[0], side, spot_qty),
                          spot_qty,
                          false,
                          leg0_perp,
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
                          s.info.instruments[1],
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
      observer_.on_event(event::EntryRefused{p, s.quote, legs[i].leg, d});
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
  observer_.on_event(event::ExitSignalled{p, pos, sig});
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
  const FeeSymbolText fee_symbol = FeeSymbolText::of(u.fee_symbol);
  observer_.on_event(event::Fill{spec.pair, spec, u.fill_quantity, u.fill_price, u.fee, fee_symbol, u.maker});
  if (booked.problem != FillProblem::kNone) {
    // Never a silent gap between what we hold and what we think we hold: say it, stop opening, and let
    // leg risk hedge what the venue reported.
    observer_.on_event(
        event::FillNotBooked{spec.pair, spec, booked.problem, u.fill_quantity, u.fill_price, u.fee, fee_symbol});
    StateChange c = risk_.set_reduce_only(StateReason::kInvariant);
    observer_.on_event(event::TradingStateChanged{c, ReasonText::of("a fill could not be booked in full")});
  }
}

void ArbEngine::maybe_settle(oms::Order& o, TimestampUs now) noexcept {
  if (!oms_.settle(o)) return;
  if (OrderEntry::is_single_order(o)) return entry_.on_settled(o);  // o is not read after: its owner may reuse it
  trades_[trade_owner_of(o)].on_settled(o, now);
}

void ArbEngine::count_rejected(RejectClass c) noexcept {
  const auto i = static_cast<std::size_t>(c);
  ++rejected_by_class_[i < kRejectClassCount ? i : 0];
}

void ArbEngine::on_order_ack(const OrderAck& ack, TimestampUs now) noexcept {
  oms::Order* o = oms_.find(ack.client_id);
  if (!o) {
    ++unknown_updates_;
    return;
  }
  if (OrderEntry::is_single_order(*o)) {
    const oms::OrderState before = o->state();
    if (ack.kind == OrderAck::Kind::kAccepted) oms_.note_reported(*o, ack.executed_quantity);
    oms_.apply(*o,
               ack.kind == OrderAck::Kind::kAccepted   ? oms::event_for_status(ack.status)
               : ack.kind == OrderAck::Kind::kRejected ? OrderEvent::kRejected
                                                       : OrderEvent::kOutcomeUnknown,
               now);
    if (ack.kind == OrderAck::Kind::kRejected && o->state() != before) count_rejected(ack.reject);
    entry_.on_ack(*o, before, ack, now);
    return maybe_settle(*o, now);
  }
  switch (ack.kind) {
    case OrderAck::Kind::kAccepted:
      oms_.note_reported(*o, ack.executed_quantity);
      oms_.apply(*o, oms::event_for_status(ack.status), now);
      break;
    case OrderAck::Kind::kRejected: {
      oms_.apply(*o, OrderEvent::kRejected, now);
      const OrderSpec spec = order_spec_of(*o);
      if (definitive(ack.reject)) trades_[spec.pair].on_definitive_reject(spec.leg);
      count_rejected(ack.reject);
      observer_.on_event(
          event::OrderRejected{spec.pair, spec, RejectCodeText::of(ack.code), RejectMessageText::of(ack.message)});
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
  if (OrderEntry::is_single_order(*o)) return single_order_update(*o, u, now);
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
  const oms::OrderState before = o->state();
  oms_.query_answered(*o);
  if (!found) {
    oms_.apply(*o, OrderEvent::kNotFound, now);
  } else {
    oms_.note_reported(*o, executed);
    oms_.apply(*o, oms::event_for_status(status), now);
    // A trade's order whose cancel was refused and that the venue still has live: cancel it again (bounded
    // by the refusals counted so far).
    if (o->state() == oms::OrderState::kPendingCancel && o->cancel_refusals() > 0 &&
        o->cancel_refusals() <= params_.max_cancel_refusals && o->cancel_retry_at_us() == 0 &&
        (status == OrderStatus::kNew || status == OrderStatus::kPartiallyFilled) && !OrderEntry::is_single_order(*o))
      oms_.schedule_cancel_retry(*o, now);
  }
  if (OrderEntry::is_single_order(*o)) {
    entry_.on_state(*o, before);
    return maybe_settle(*o, now);
  }
  maybe_settle(*o, now);
  drive(trade_owner_of(*o), now);
}

void ArbEngine::on_cancel_refused(const CancelRefusal& r, TimestampUs now) noexcept {
  oms::Order* o = oms_.find(r.client_id);
  if (!o) {
    ++unknown_updates_;
    return;
  }
  // Already settled by the stream (a fill or a cancel overtook the answer): nothing to retry or restore.
  if (o->state() != oms::OrderState::kPendingCancel) return;
  const std::uint8_t refusals = oms_.note_cancel_refusal(*o);
  // A refusal for rate, or no answer, leaves the order live: the cancel goes again once the venue's
  // back-off is over, a bounded number of times. Any other refusal (already gone, unknown) and an
  // unanswered one are checked with the venue, so an order that is in fact done does not stay live here
  // and one that is live is cancelled again (on_order_query).
  const bool retryable = r.reject == RejectClass::kRateLimited || r.ambiguous;
  if (retryable && refusals <= params_.max_cancel_refusals) {
    DurationUs delay = params_.cancel_retry_initial_us;
    for (std::uint8_t i = 1; i < refusals && delay < params_.cancel_retry_max_us; ++i) delay *= 2;
    delay = std::max(std::min(delay, params_.cancel_retry_max_us), r.retry_after_us);
    oms_.schedule_cancel_retry(*o, now + delay);
  } else if (retryable) {
    oms_.schedule_cancel_retry(*o, 0);
    StateChange c = risk_.set_reduce_only(StateReason::kInvariant);
    observer_.on_event(event::TradingStateChanged{
        c, ReasonText::of("a cancel refused too many times: the order is only queried now")});
  }
  if (r.ambiguous || !retryable || refusals > params_.max_cancel_refusals)
    commands_.query_order(o->instrument(), o->client_id());
  // A two-leg trade's order keeps pending its cancel: the retry, the stream or the query settles it. A
  // single order goes back to live and its owner hears of the refusal (it may cancel again itself).
  if (!OrderEntry::is_single_order(*o)) return;
  oms_.cancel_refused(*o, now);
  entry_.on_cancel_refused(*o, r);
}

// Refused cancels whose back-off is over go again: a trade's order is still pending its cancel; a single
// order that its owner did not cancel again itself meanwhile is put back to pending first.
void ArbEngine::retry_refused_cancels(TimestampUs now) noexcept {
  oms_.for_each([&](oms::Order& o) {
    const TimestampUs at = o.cancel_retry_at_us();
    if (at == 0 || at > now) return;
    oms_.schedule_cancel_retry(o, 0);
    const oms::OrderState s = o.state();
    if (s == oms::OrderState::kOpen || s == oms::OrderState::kPartiallyFilled) {
      oms_.apply(o, OrderEvent::kCancelRequested, now);
    } else if (s != oms::OrderState::kPendingCancel || OrderEntry::is_single_order(o)) {
      return;  // done meanwhile, or its owner's own cancel is in flight
    }
    commands_.cancel_order(o.instrument(), o.client_id());
  });
}

// A single order's stream event or fill: the same OMS steps as a trade's order (fills booked once, by trade
// id or cumulative quantity), then its owner hears what changed. No pair's portfolio books it: the owner
// keeps its own inventory.
void ArbEngine::single_order_update(oms::Order& o, const OrderUpdate& u, TimestampUs now) noexcept {
  const oms::OrderState before = o.state();
  oms_.note_reported(o, u.cumulative_quantity);
  switch (u.kind) {
    case OrderUpdate::Kind::kAccepted:
      oms_.apply(o, OrderEvent::kAccepted, now);
      break;
    case OrderUpdate::Kind::kFill:
      if (oms_.book_fill(o, u.trade_id, u.fill_quantity, u.cumulative_quantity) == oms::FillBooking::kBooked)
        entry_.on_fill(o, u);
      oms_.apply(o, o.booked() >= o.request().quantity ? OrderEvent::kFullFill : OrderEvent::kPartialFill, now);
      break;
    case OrderUpdate::Kind::kCancelled:
      oms_.apply(o, OrderEvent::kCancelled, now);
      break;
    case OrderUpdate::Kind::kExpired:
      oms_.apply(o, OrderEvent::kExpired, now);
      break;
  }
  entry_.on_state(o, before);
  maybe_settle(o, now);
}

void ArbEngine::on_funding_payment(PairIndex pair, Decimal amount, TimestampUs settled_at_us) noexcept {
  if (pair >= pairs_.size()) return;
  const FundingOutcome booked = portfolio_.apply_funding(pair, amount, settled_at_us);
  if (booked.target != FundingTarget::kUnknownPair) observer_.on_event(event::Funding{pair, amount, booked});
}

TradeStart ArbEngine::trade_start(PairIndex p, bool exit, ExecutionPlan plan,
                                  const std::array<LegOrderFlags, 2>& on_buy,
                                  const std::array<LegOrderFlags, 2>& on_sell) noexcept {
  const PairInfo& info = pairs_[p].info;
  TradeStart st;
  st.exit = exit;
  st.plan = plan;
  const Instrument& spot = instruments_[info.instruments[0]];
  const Instrument& perp = instruments_[info.instruments[1]];
  st.legs[0] = {spot.venue,
                spot.id,
                info.spot,
                info.spot_book,
                params_.basis.spot_slippage_buffer,
                spot.kind == InstrumentKind::kPerp,
                on_buy[0],
                on_sell[0],
                &marks_[p].spot};
  st.legs[1] = {perp.venue, perp.id,   info.perp,  info.perp_book, params_.basis.perp_slippage_buffer,
                true,       on_buy[1], on_sell[1], &marks_[p].perp};
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
      observer_.on_event(event::PositionOpened{p, pos, s.quote});
    } else {
      s.phase = PairPhase::kFlat;
      strategy_.on_flat(p, now);
      // A position opened and closed within this entry: a leg filled and leg risk unwound it.
      const bool unwound = pos.id != 0 && pos.closed_at_us >= s.entry_started_us;
      observer_.on_event(event::TradeAbandoned{
          p, ReasonText::of(unwound ? "a leg filled and was unwound; nothing is left open" : "no leg filled")});
    }
    return;
  }
  if (!pos.open) {
    s.phase = PairPhase::kFlat;
    strategy_.on_flat(p, now);
    observer_.on_event(event::PositionClosed{p, pos, s.exit_reason});
  } else {
    // Neutral but not flat (IOC exits only partly filled): back to Open; the exit rule re-fires.
    s.phase = PairPhase::kOpen;
  }
}

void ArbEngine::on_timer(TimestampUs now) noexcept {
  retry_refused_cancels(now);
  oms_.poll(now, [this](const oms::Order& o) { commands_.query_order(o.instrument(), o.client_id()); });
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
    if (c.changed) observer_.on_event(event::TradingStateChanged{c, ReasonText::of("periodic check")});
  }
  if (now - last_stats_us_ >= params_.stats_interval_us) {
    if (last_stats_us_ != 0) observer_.on_event(event::Stats{portfolio_.stats(), risk_.state()});
    last_stats_us_ = now;
  }
}

}  // namespace bparb::exec
