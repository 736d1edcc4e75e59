#include "bparb/portfolio/portfolio.hpp"

namespace bparb {
namespace {
const PositionState kEmptyPosition{};
}

const char* to_string(FillProblem p) noexcept {
  switch (p) {
    case FillProblem::kNone:
      return "none";
    case FillProblem::kUnknownPair:
      return "unknown pair";
    case FillProblem::kBadQuantity:
      return "quantity is not positive";
    case FillProblem::kBadPrice:
      return "price is not positive";
    case FillProblem::kBaseFeeOnPerp:
      return "fee in the base asset on a perp fill";
    case FillProblem::kFeeInOtherAsset:
      return "fee in an asset the position cannot value";
  }
  return "?";
}

const char* to_string(FillEvent e) noexcept {
  switch (e) {
    case FillEvent::kUpdated:
      return "updated";
    case FillEvent::kOpened:
      return "opened";
    case FillEvent::kClosed:
      return "closed";
    case FillEvent::kRejected:
      return "rejected";
  }
  return "?";
}

Portfolio::Portfolio(std::size_t expected_pairs) {
  pairs_.reserve(expected_pairs);
}

PairIndex Portfolio::add_pair(Decimal spot_dust) {
  PairSlot s;
  s.spot_dust = spot_dust.abs();
  pairs_.push_back(s);
  return static_cast<PairIndex>(pairs_.size() - 1);
}

FillOutcome Portfolio::apply_fill(PairIndex pair, const Fill& f) noexcept {
  FillOutcome out;
  if (pair >= pairs_.size())
    out.problem = FillProblem::kUnknownPair;
  else if (!f.quantity.is_positive())
    out.problem = FillProblem::kBadQuantity;
  else if (!f.price.is_positive())
    out.problem = FillProblem::kBadPrice;
  if (out.problem != FillProblem::kNone) {
    out.event = FillEvent::kRejected;
    return out;
  }
  PairSlot& slot = pairs_[pair];
  PositionState& p = slot.pos;
  if (!p.open) {
    p = PositionState{};
    p.id = next_id_++;
    p.open = true;
    p.opened_at_us = f.time_us;
    p.opened_venue_us = f.venue_time_us != 0 ? f.venue_time_us : f.time_us;
    ++executed_;
    out.event = FillEvent::kOpened;
  }
  out.position_id = p.id;
  ++p.fills;

  LegPosition& leg = f.leg == Leg::kSpot ? p.spot : p.perp;
  const Decimal before = leg.quantity().abs();
  const Decimal signed_qty = f.side == Side::kBid ? f.quantity : -f.quantity;
  out.realized = leg.apply(signed_qty, f.price);
  switch (f.fee_asset) {
    case FeeAsset::kQuote:
      out.fee_usd = f.fee;
      p.fees_quote += f.fee;
      break;
    case FeeAsset::kBase:
      if (f.leg != Leg::kSpot) {
        out.problem = FillProblem::kBaseFeeOnPerp;
        break;
      }
      // Paid (or, negative, received) in coins: the leg holds what the account holds.
      out.realized += leg.remove_for_fee(f.fee, f.price);
      out.fee_usd = f.fee.mul(f.price, Rounding::kNearest);
      p.fees_base += f.fee;
      break;
    case FeeAsset::kOther:
      if (!f.fee.is_zero()) out.problem = FillProblem::kFeeInOtherAsset;
      break;
  }
  if (f.leg == Leg::kSpot) slot.last_spot_price = f.price;
  p.realized_pnl += out.realized;
  p.fees_usd += out.fee_usd;
  realized_total_ += out.realized;
  fees_total_ += out.fee_usd;

  // Entry basis tracks the averages while the position is being built (a leg growing).
  if (leg.quantity().abs() > before && !p.spot.flat() && !p.perp.flat()) {
    const Decimal sa = p.spot.average_price().abs();
    const Decimal pa = p.perp.average_price().abs();
    if (sa.is_positive()) p.entry_basis = (pa - sa).div(sa, Rounding::kNearest);
  }
  if (p.spot.cost().abs() > p.entry_notional) p.entry_notional = p.spot.cost().abs();

  if (p.perp.flat() && p.spot.quantity().abs() <= slot.spot_dust) {
    if (!p.spot.flat()) {
      p.dust_base = p.spot.quantity();
      slot.dust_total += p.dust_base;
      const Decimal r = p.spot.close_out(slot.last_spot_price);
      p.realized_pnl += r;
      realized_total_ += r;
      out.realized += r;
    }
    p.open = false;
    p.closed_at_us = f.time_us;
    p.closed_venue_us = f.venue_time_us != 0 ? f.venue_time_us : f.time_us;
    ++closed_;
    const Decimal net = p.realized_net();
    closed_net_ += net;
    if (net.is_positive()) ++wins_;
    out.event = FillEvent::kClosed;
    out.closed = p;
    archive_closed(slot);
  }
  return out;
}

void Portfolio::archive_closed(PairSlot& slot) noexcept {
  slot.closed[slot.closed_next] = slot.pos;
  slot.closed_next = (slot.closed_next + 1) % kRecentClosed;
}

bool Portfolio::restore(PairIndex pair, const RestoredState& r) noexcept {
  if (pair >= pairs_.size() || pairs_[pair].pos.open) return false;
  if (r.spot_qty.is_zero() && r.perp_qty.is_zero()) return false;
  PairSlot& slot = pairs_[pair];
  PositionState& p = slot.pos;
  p = PositionState{};
  p.id = next_id_++;
  p.open = true;
  p.opened_at_us = r.opened_at_us;
  p.opened_venue_us = r.opened_at_us;
  if (!r.spot_qty.is_zero()) p.spot.apply(r.spot_qty, r.spot_cost.div(r.spot_qty, Rounding::kNearest));
  if (!r.perp_qty.is_zero()) p.perp.apply(r.perp_qty, r.perp_cost.div(r.perp_qty, Rounding::kNearest));
  p.realized_pnl = r.realized_pnl;
  p.fees_usd = r.fees_usd;
  p.fees_quote = r.fees_usd;
  p.funding = r.funding;
  p.entry_basis = r.entry_basis;
  p.entry_notional = p.spot.cost().abs();
  if (!p.spot.flat()) slot.last_spot_price = p.spot.average_price().abs();
  ++executed_;
  realized_total_ += r.realized_pnl;
  fees_total_ += r.fees_usd;
  funding_total_ += r.funding;
  return true;
}

const PositionState& Portfolio::position(PairIndex pair) const noexcept {
  return pair < pairs_.size() ? pairs_[pair].pos : kEmptyPosition;
}

FundingOutcome Portfolio::apply_funding(PairIndex pair, Decimal amount, TimestampUs settled_at_us) noexcept {
  FundingOutcome out;
  if (pair >= pairs_.size()) {
    out.target = FundingTarget::kUnknownPair;
    return out;
  }
  funding_total_ += amount;
  PairSlot& slot = pairs_[pair];
  if (slot.pos.open && slot.pos.opened_venue_us <= settled_at_us) {
    slot.pos.funding += amount;
    out.target = FundingTarget::kOpenPosition;
    out.position = slot.pos;
    return out;
  }
  for (PositionState& c : slot.closed) {
    if (c.id == 0 || c.opened_venue_us > settled_at_us || c.closed_venue_us < settled_at_us) continue;
    const bool won = c.realized_net().is_positive();
    c.funding += amount;
    closed_net_ += amount;
    const bool wins_now = c.realized_net().is_positive();
    if (won != wins_now) wins_ = wins_now ? wins_ + 1 : wins_ - 1;
    if (slot.pos.id == c.id) slot.pos = c;  // still the pair's latest position
    out.target = FundingTarget::kClosedPosition;
    out.position = c;
    return out;
  }
  out.target = FundingTarget::kNoPosition;
  return out;
}

Decimal Portfolio::unrealized(std::span<const Marks> marks) const noexcept {
  Decimal u;
  for (std::size_t i = 0; i < pairs_.size() && i < marks.size(); ++i) {
    const PositionState& p = pairs_[i].pos;
    if (p.open) u += p.unrealized(marks[i].spot, marks[i].perp);
  }
  return u;
}

Decimal Portfolio::total_pnl(std::span<const Marks> marks) const noexcept {
  return realized_total_ - fees_total_ + funding_total_ + unrealized(marks);
}

Decimal Portfolio::exposure_usd(std::span<const Marks> marks) const noexcept {
  Decimal e;
  for (std::size_t i = 0; i < pairs_.size() && i < marks.size(); ++i) {
    const PositionState& p = pairs_[i].pos;
    if (p.open) e += p.spot.quantity().abs().mul(marks[i].spot, Rounding::kUp);
  }
  return e;
}

void Portfolio::roll_day(TimestampUs now, std::span<const Marks> marks) noexcept {
  const TimestampUs d = utc_day_start(now);
  if (day_set_ && d <= day_start_) return;
  day_start_ = d;
  day_set_ = true;
  day_baseline_ = total_pnl(marks);
}

Decimal Portfolio::daily_pnl(TimestampUs now, std::span<const Marks> marks) noexcept {
  roll_day(now, marks);
  return total_pnl(marks) - day_baseline_;
}

StrategyStats Portfolio::stats() const noexcept {
  StrategyStats s;
  s.opportunities = opportunities_;
  s.executed = executed_;
  s.closed = closed_;
  s.wins = wins_;
  for (const PairSlot& p : pairs_)
    if (p.pos.open) ++s.open;
  s.win_rate = closed_ == 0 ? 0.0 : static_cast<double>(wins_) / static_cast<double>(closed_);
  s.realized_pnl = realized_total_;
  s.fees = fees_total_;
  s.funding = funding_total_;
  s.realized_net = realized_total_ - fees_total_ + funding_total_;
  s.closed_net = closed_net_;
  return s;
}

}  // namespace bparb
