#include "bparb/strategy/basis_strategy.hpp"

#include <stdexcept>

namespace bparb {

Decimal spot_buy_gross(Decimal net, Decimal rate, Decimal step, Rounding mode) noexcept {
  // Received = gross * (1 - rate): gross = net / (1 - rate). A rate of 100 % or more cannot be bought
  // around; the account's fee schedule never says so, but the division must not be asked then.
  const Decimal keep = Decimal::one() - rate;
  if (!keep.is_positive() || rate.is_zero()) return net.round_to(step, mode);
  return net.div(keep, mode == Rounding::kDown ? Rounding::kDown : Rounding::kUp).round_to(step, mode);
}

BasisStrategy::BasisStrategy(const BasisStrategyParams& params) : params_(params) {
  pairs_.reserve(kMaxPairs);
}

void BasisStrategy::set_params(const BasisStrategyParams& p) noexcept {
  params_ = p;
  for (auto& s : pairs_) s.evaluator.set_params(p.basis);
}

void BasisStrategy::add_pair(std::uint32_t pair, const StrategyPair& info) {
  if (pair != pairs_.size() || pairs_.size() >= kMaxPairs) throw std::length_error("BasisStrategy: pair out of order");
  Slot slot{info, FundingInfo{}, BasisEvaluator(params_.basis), 0, 0, 0};
  slot.funding.interval_ms = info.markets[1] ? info.markets[1]->funding_interval_ms : 0;
  pairs_.push_back(slot);
  // Basis volatility over ~60 s (one sample per second at most); the name is for describe() and lives
  // as long as the engine's pair.
  pairs_.back().evaluator = BasisEvaluator(params_.basis, 60, kUsPerSecond, pair, info.name);
}

void BasisStrategy::on_funding(std::uint32_t pair, const FundingInfo& info) noexcept {
  if (pair >= pairs_.size()) return;
  FundingInfo f = info;
  if (f.interval_ms == 0 && pairs_[pair].info.markets[1])
    f.interval_ms = pairs_[pair].info.markets[1]->funding_interval_ms;
  pairs_[pair].funding = f;
}

void BasisStrategy::on_book(std::uint32_t pair, TimestampUs now) noexcept {
  if (pair >= pairs_.size()) return;
  Slot& s = pairs_[pair];
  if (!s.info.books[0] || !s.info.books[1]) return;
  s.evaluator.observe(*s.info.books[0], *s.info.books[1], now);
}

// A spot-premium trade without inventory sells borrowed base: Backpack refuses a spot sell beyond the
// free balance unless the order itself asks to borrow, and keeps the borrow (accruing interest) after
// the buy-back unless that order asks to repay. Only when the operator allowed borrowing.
void BasisStrategy::margin_flags(bool spot_short, std::array<LegOrderFlags, 2>& on_buy,
                                 std::array<LegOrderFlags, 2>& on_sell) const noexcept {
  if (!params_.basis.allow_spot_borrow || !spot_short) return;
  on_sell[0].auto_borrow = true;
  on_sell[0].auto_lend_redeem = true;
  on_buy[0].auto_borrow_repay = true;
}

void BasisStrategy::entry(std::uint32_t pair, const EntryContext& ctx, EntryDecision& out) noexcept {
  if (pair >= pairs_.size()) return;
  Slot& s = pairs_[pair];
  const TimestampUs now = ctx.now;
  BasisInputs in;
  in.spot = {s.info.markets[0], s.info.books[0], s.info.books[0]->valid_since_us()};
  in.perp = {s.info.markets[1], s.info.books[1], s.info.books[1]->valid_since_us()};
  in.funding = s.funding;
  in.account = ctx.account;
  in.max_notional_usd = ctx.max_notional_usd;
  in.now = now;
  BasisQuote& q = out.quote;
  q = s.evaluator.evaluate_best_fast(in);  // same decision; skips walks when the touch cannot reach a threshold
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
    out.new_episode =
        s.last_opportunity_seen_us == 0 || now - s.last_opportunity_seen_us > params_.opportunity_log_interval_us;
    // A turn of direction is logged at once: the line names the direction, and a reader of the log must
    // not see the old one stand for the new one for up to an interval.
    const bool turned = q.direction != s.last_opportunity_direction;
    if (out.new_episode || turned || now - s.last_opportunity_log_us >= params_.opportunity_log_interval_us) {
      out.report = true;
      s.last_opportunity_log_us = now;
      s.last_opportunity_direction = q.direction;
    }
    s.last_opportunity_seen_us = now;
  }
  if (!q.tradeable || !ctx.opening_enabled || now < s.cooldown_until_us) return;
  if (ctx.busy_pairs >= params_.max_open_positions) return;

  const bool perp_premium = q.direction == BasisDirection::kPerpPremium;
  const bool maker = q.plan == ExecutionPlan::kMaker;
  const TimeInForce tif = maker ? TimeInForce::kGtc : TimeInForce::kIoc;
  out.open = true;
  out.plan = q.plan;
  out.orders[0] = {perp_premium ? Side::kBid : Side::kAsk, q.spot.limit_price, q.quantity, tif, q.spot.post_only};
  out.orders[1] = {perp_premium ? Side::kAsk : Side::kBid, q.perp.limit_price, q.quantity, tif, q.perp.post_only};
  // A spot BUY pays its fee in the base asset: buy that much more so the spot holding matches the
  // perp short (rounded to the step; the remaining sub-step difference is within tolerance).
  if (out.orders[0].side == Side::kBid)
    out.orders[0].quantity =
        spot_buy_gross(q.quantity, ctx.account.fees.rate(Venue::kSpot, maker ? Liquidity::kMaker : Liquidity::kTaker),
                       s.info.markets[0]->step_size, Rounding::kNearest);
  margin_flags(!perp_premium, out.on_buy, out.on_sell);
}

void BasisStrategy::exit(std::uint32_t pair, const PositionContext& ctx, ExitDecision& out) noexcept {
  if (pair >= pairs_.size()) return;
  const Slot& s = pairs_[pair];
  out.signal =
      evaluate_exit(ctx.position, *s.info.books[0], *s.info.books[1], s.funding, ctx.fees, params_.exit, ctx.now);
  margin_flags(ctx.held[0].is_negative(), out.on_buy, out.on_sell);
}

void BasisStrategy::on_flat(std::uint32_t pair, TimestampUs now) noexcept {
  if (pair >= pairs_.size()) return;
  pairs_[pair].cooldown_until_us = now + params_.opening_delay_us;
}

}  // namespace bparb
