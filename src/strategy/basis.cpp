#include "bparb/strategy/basis.hpp"

#include <algorithm>
#include <cstdio>
#include <limits>
#include <numeric>

namespace bparb {
namespace {

constexpr Decimal kSpreadGoodLo = Decimal::from_raw(2'000'000);   // 0.20%
constexpr Decimal kSpreadGoodHi = Decimal::from_raw(10'000'000);  // 1.00%
constexpr Decimal kSpreadFairLo = Decimal::from_raw(1'500'000);   // 0.15%

// Closed/CancelOnly: no new orders. PostOnly: only a maker plan can trade.
bool accepts_orders(OrderBookState s) noexcept {
  return s == OrderBookState::kOpen || s == OrderBookState::kLimitOnly || s == OrderBookState::kPostOnly;
}

// Initial margin fraction for a perp notional; a market without an IMF function is treated as fully
// collateralised (1.0) so a missing field can never inflate size.
Decimal imf_fraction(const MarketSpec& spec, Decimal notional) noexcept {
  double f = spec.imf.present ? spec.imf.fraction(notional.to_double()) : 1.0;
  if (!(f > 0.0) || f > 1.0) f = 1.0;
  return Decimal::from_double(f, Rounding::kUp);
}

Refusal refusal_for(SizeLimit s) noexcept {
  switch (s) {
    case SizeLimit::kRisk:
      return Refusal::kRiskLimit;
    case SizeLimit::kLiquidity:
      return Refusal::kInsufficientLiquidity;
    case SizeLimit::kQuoteBalance:
      return Refusal::kInsufficientBalance;
    case SizeLimit::kBaseInventory:
      return Refusal::kNoSpotInventory;
    case SizeLimit::kMargin:
      return Refusal::kInsufficientMargin;
    case SizeLimit::kTarget:
    case SizeLimit::kMaxQuantity:
      return Refusal::kBelowMinQuantity;
  }
  return Refusal::kBelowMinQuantity;
}

// Taker limit: worst walked price moved by `buffer` against us, aligned to tick INWARD (buy rounds
// down, sell rounds up) so the order never pays more than the buffer allows, but never tighter than
// the worst walked level (it must still reach the liquidity we counted).
Decimal taker_limit(const MarketSpec& spec, Side side, Decimal worst, Decimal buffer) noexcept {
  Decimal px;
  if (side == Side::kBid) {
    px = worst.mul(Decimal::one() + buffer, Rounding::kDown).round_to(spec.tick_size, Rounding::kDown);
    if (px < worst) px = worst;
    if (spec.max_price.is_positive() && px > spec.max_price) px = spec.max_price;
  } else {
    px = worst.mul(Decimal::one() - buffer, Rounding::kUp).round_to(spec.tick_size, Rounding::kUp);
    if (px > worst) px = worst;
    if (px < spec.min_price) px = spec.min_price;
  }
  return px;
}

double clamp01(double v) noexcept {
  return v < 0.0 ? 0.0 : (v > 1.0 ? 1.0 : v);
}

}  // namespace

const char* to_string(BasisDirection d) noexcept {
  return d == BasisDirection::kPerpPremium ? "PerpPremium" : "SpotPremium";
}

const char* to_string(ExecutionPlan p) noexcept {
  return p == ExecutionPlan::kMaker ? "MAKER" : "TAKER";
}

const char* to_string(Refusal r) noexcept {
  switch (r) {
    case Refusal::kNone:
      return "none";
    case Refusal::kBadMarketSpec:
      return "bad_market_spec";
    case Refusal::kMarketNotTrading:
      return "market_not_trading";
    case Refusal::kBookInvalid:
      return "book_not_synced";
    case Refusal::kBookEmpty:
      return "book_empty";
    case Refusal::kInsufficientLiquidity:
      return "insufficient_liquidity";
    case Refusal::kRiskLimit:
      return "risk_limit";
    case Refusal::kNoSpotInventory:
      return "no_spot_inventory";
    case Refusal::kInsufficientBalance:
      return "insufficient_balance";
    case Refusal::kInsufficientMargin:
      return "insufficient_margin";
    case Refusal::kBelowMinQuantity:
      return "below_min_quantity";
    case Refusal::kBelowOpportunityThreshold:
      return "below_spread_threshold";
    case Refusal::kBelowExecutionThreshold:
      return "below_execution_threshold";
    case Refusal::kLowConfidence:
      return "low_confidence";
    case Refusal::kFundingAgainst:
      return "funding_against";
  }
  return "?";
}

const char* to_string(SizeLimit s) noexcept {
  switch (s) {
    case SizeLimit::kTarget:
      return "target";
    case SizeLimit::kRisk:
      return "risk";
    case SizeLimit::kLiquidity:
      return "liquidity";
    case SizeLimit::kMaxQuantity:
      return "max_quantity";
    case SizeLimit::kQuoteBalance:
      return "quote_balance";
    case SizeLimit::kBaseInventory:
      return "base_inventory";
    case SizeLimit::kMargin:
      return "margin";
  }
  return "?";
}

const char* validate(const BasisParams& p) noexcept {
  const Decimal one = Decimal::one();
  const Decimal ten_pct = Decimal::from_raw(100'000'000);
  if (!p.position_size_usd.is_positive()) return "position_size_usd must be > 0";
  if (p.min_execution_threshold < p.min_spread_threshold)
    return "min_execution_threshold must be >= min_spread_threshold";
  if (p.large_spread_threshold.is_negative()) return "large_spread_threshold must be >= 0";
  if (p.slippage_allowance.is_negative()) return "slippage_allowance must be >= 0";
  if (p.expected_holding_us < 0) return "expected_holding time must be >= 0";
  if (p.spot_slippage_buffer.is_negative() || p.spot_slippage_buffer >= ten_pct)
    return "spot_slippage_buffer must be in [0, 0.1)";
  if (p.perp_slippage_buffer.is_negative() || p.perp_slippage_buffer >= ten_pct)
    return "perp_slippage_buffer must be in [0, 0.1)";
  if (p.depth_band_bps.is_negative()) return "depth_band_bps must be >= 0";
  if (!p.max_depth_fraction.is_positive() || p.max_depth_fraction > one) return "max_depth_fraction must be in (0, 1]";
  if (!(p.min_confidence >= 0.0 && p.min_confidence <= 1.0)) return "min_confidence must be in [0, 1]";
  if (p.stale_after_us <= 0) return "stale_after must be > 0";
  if (p.resync_grace_us < 0) return "resync_grace must be >= 0";
  if (!(p.stale_penalty >= 0.0 && p.resync_penalty >= 0.0 && p.volatility_penalty >= 0.0))
    return "confidence penalties must be >= 0";
  if (!(p.volatility_threshold >= 0.0)) return "volatility_threshold must be >= 0";
  return nullptr;
}

Decimal common_step(Decimal a, Decimal b) noexcept {
  if (!a.is_positive() || !b.is_positive()) return Decimal::zero();
  const std::int64_t g = std::gcd(a.raw(), b.raw());
  const std::int64_t x = a.raw() / g;
  if (x > std::numeric_limits<std::int64_t>::max() / b.raw()) return Decimal::zero();
  return Decimal::from_raw(x * b.raw());
}

BasisEvaluator::BasisEvaluator(const BasisParams& params, std::size_t vol_window, DurationUs vol_min_interval_us,
                               std::uint32_t pair_id, std::string_view pair_name)
    : params_(params), vol_(vol_window, vol_min_interval_us), pair_id_(pair_id), pair_name_(pair_name) {}

void BasisEvaluator::observe(const OrderBook& spot, const OrderBook& perp, TimestampUs now) noexcept {
  if (!spot.valid() || !perp.valid()) return;
  const Decimal sm = spot.mid();
  const Decimal pm = perp.mid();
  if (!sm.is_positive() || !pm.is_positive()) return;
  vol_.add(now, (pm - sm).to_double() / sm.to_double());
}

BasisQuote BasisEvaluator::evaluate(const BasisInputs& in, BasisDirection dir) const noexcept {
  const BasisParams& p = params_;
  BasisQuote q;
  q.pair_id = pair_id_;
  q.pair_name = pair_name_;
  q.direction = dir;
  q.expected_exit_basis = p.expected_exit_basis;
  q.slippage_allowance = p.slippage_allowance;
  const bool perp_premium = dir == BasisDirection::kPerpPremium;
  // Taker side per leg: PerpPremium buys spot (Bid) and sells perp (Ask).
  const Side spot_side = perp_premium ? Side::kBid : Side::kAsk;
  const Side perp_side = opposite(spot_side);
  q.spot.side = spot_side;
  q.perp.side = perp_side;

  auto refuse = [&q](Refusal r) {
    if (q.refusal == Refusal::kNone) q.refusal = r;
  };

  if (in.spot.spec == nullptr || in.perp.spec == nullptr || in.spot.book == nullptr || in.perp.book == nullptr) {
    refuse(Refusal::kBadMarketSpec);
    return q;
  }
  const MarketSpec& ss = *in.spot.spec;
  const MarketSpec& ps = *in.perp.spec;
  const OrderBook& sb = *in.spot.book;
  const OrderBook& pb = *in.perp.book;
  const Decimal step = common_step(ss.step_size, ps.step_size);
  if (!step.is_positive() || !ss.tick_size.is_positive() || !ps.tick_size.is_positive()) {
    refuse(Refusal::kBadMarketSpec);
    return q;
  }
  if (!accepts_orders(ss.state) || !accepts_orders(ps.state)) {
    refuse(Refusal::kMarketNotTrading);
    return q;
  }
  if (!sb.valid() || !pb.valid()) {
    refuse(Refusal::kBookInvalid);
    return q;
  }
  // A taker on side S consumes the opposite side of the book.
  const Side spot_consumed = opposite(spot_side);
  const Side perp_consumed = opposite(perp_side);
  if (sb.empty(spot_consumed) || pb.empty(perp_consumed)) {
    refuse(Refusal::kBookEmpty);
    return q;
  }

  // ---- Size -------------------------------------------------------------------------------------
  const Decimal ref_spot = sb.level(spot_consumed, 0).price;
  const Decimal ref_perp = pb.level(perp_consumed, 0).price;
  Decimal qty = p.position_size_usd.div(ref_spot, Rounding::kDown);
  SizeLimit limit = SizeLimit::kTarget;
  auto cap = [&qty, &limit](Decimal c, SizeLimit why) {
    if (c < qty) {
      qty = c;
      limit = why;
    }
  };
  cap(in.max_notional_usd.is_positive() ? in.max_notional_usd.div(ref_spot, Rounding::kDown) : Decimal::zero(),
      SizeLimit::kRisk);
  q.spot.depth = sb.quantity_within_bps(spot_consumed, p.depth_band_bps);
  q.perp.depth = pb.quantity_within_bps(perp_consumed, p.depth_band_bps);
  const Decimal thinner = std::min(q.spot.depth, q.perp.depth);
  cap(thinner.mul(p.max_depth_fraction, Rounding::kDown), SizeLimit::kLiquidity);
  if (ss.max_quantity.is_positive()) cap(ss.max_quantity, SizeLimit::kMaxQuantity);
  if (ps.max_quantity.is_positive()) cap(ps.max_quantity, SizeLimit::kMaxQuantity);

  // Balance checks use the higher of the two spot fee rates: the plan is not known yet.
  const Decimal spot_fee = std::max(in.account.fees.rate(Venue::kSpot, Liquidity::kTaker),
                                    in.account.fees.rate(Venue::kSpot, Liquidity::kMaker));
  const Decimal fee_mult = Decimal::one() + std::max(spot_fee, Decimal::zero());
  if (perp_premium) {
    cap(in.account.available_quote.div(ref_spot.mul(fee_mult, Rounding::kUp), Rounding::kDown),
        SizeLimit::kQuoteBalance);
  } else if (!p.allow_spot_borrow) {
    cap(std::max(in.account.available_base, Decimal::zero()), SizeLimit::kBaseInventory);
  }
  const Decimal imf = imf_fraction(ps, ref_perp.mul(qty, Rounding::kUp));
  cap(in.account.available_margin.div(ref_perp.mul(imf, Rounding::kUp), Rounding::kDown), SizeLimit::kMargin);
  if (qty.is_negative()) qty = Decimal::zero();
  qty = qty.round_to(step, Rounding::kDown);

  Decimal min_qty = std::max(ss.min_quantity, ps.min_quantity).round_to(step, Rounding::kUp);
  if (min_qty < step) min_qty = step;
  const bool size_ok = qty >= min_qty;
  if (!size_ok) refuse(refusal_for(limit));
  q.size_limited_by = limit;

  // ---- Walk (at the minimum if the size failed, so the log still shows the spread) -------------
  Decimal walk_qty = size_ok ? qty : min_qty;
  BookFill sf = sb.walk(spot_side, walk_qty);
  BookFill pf = pb.walk(perp_side, walk_qty);
  if (!sf.complete || !pf.complete) {
    refuse(Refusal::kInsufficientLiquidity);
    q.quantity = walk_qty;
    return q;
  }
  // Re-check cash and margin with the walked (not top-of-book) prices; shrink once if needed. A
  // smaller walk can only have a better worst price, so one pass suffices.
  if (size_ok) {
    Decimal shrink = walk_qty;
    SizeLimit why = limit;
    if (perp_premium) {
      const Decimal need = sf.notional + fee_for_notional(sf.notional, fee_mult - Decimal::one());
      if (need > in.account.available_quote) {
        shrink = in.account.available_quote.div(sf.worst_price.mul(fee_mult, Rounding::kUp), Rounding::kDown);
        why = SizeLimit::kQuoteBalance;
      }
    }
    const Decimal imf_w = imf_fraction(ps, pf.notional);
    if (pf.notional.mul(imf_w, Rounding::kUp) > in.account.available_margin) {
      const Decimal m = in.account.available_margin.div(pf.worst_price.mul(imf_w, Rounding::kUp), Rounding::kDown);
      if (m < shrink) {
        shrink = m;
        why = SizeLimit::kMargin;
      }
    }
    shrink = shrink.round_to(step, Rounding::kDown);
    if (shrink < walk_qty) {
      q.size_limited_by = why;
      if (shrink < min_qty) {
        refuse(refusal_for(why));
      } else {
        walk_qty = shrink;
        sf = sb.walk(spot_side, walk_qty);
        pf = pb.walk(perp_side, walk_qty);
      }
    }
  }
  q.quantity = walk_qty;

  // ---- Economics ---------------------------------------------------------------------------------
  q.spot.vwap = sf.vwap;
  q.spot.best_price = sf.best_price;
  q.spot.worst_price = sf.worst_price;
  q.perp.vwap = pf.vwap;
  q.perp.best_price = pf.best_price;
  q.perp.worst_price = pf.worst_price;
  const Decimal buy_vwap = perp_premium ? sf.vwap : pf.vwap;
  const Decimal sell_vwap = perp_premium ? pf.vwap : sf.vwap;
  q.entry_spread = (sell_vwap - buy_vwap).div(buy_vwap, Rounding::kDown);
  q.notional_usd = sf.notional;

  // Maker plan: large spread and the switch on, or a market that only accepts post-only orders.
  const bool post_only_market = ss.state == OrderBookState::kPostOnly || ps.state == OrderBookState::kPostOnly;
  const bool want_maker = (p.use_maker_for_large_spreads && p.large_spread_threshold.is_positive() &&
                           q.entry_spread >= p.large_spread_threshold) ||
                          post_only_market;
  const bool touches = !sb.empty(spot_side) && !pb.empty(perp_side);
  if (want_maker && touches) {
    q.plan = ExecutionPlan::kMaker;
  } else if (post_only_market) {
    refuse(Refusal::kMarketNotTrading);
  }
  const Liquidity entry_liq = q.plan == ExecutionPlan::kMaker ? Liquidity::kMaker : Liquidity::kTaker;
  const Liquidity exit_liq = p.exit_as_maker ? Liquidity::kMaker : Liquidity::kTaker;
  q.fee_fraction = round_trip_fee_fraction(in.account.fees, {entry_liq, entry_liq, exit_liq, exit_liq});
  // The interval comes from the perp's fundingInterval when the caller did not copy it in.
  FundingInfo funding = in.funding;
  if (funding.interval_ms <= 0) funding.interval_ms = ps.funding_interval_ms;
  q.funding_settlements = funding_settlements(in.now, p.expected_holding_us, funding);
  q.funding_fraction = expected_funding_fraction(funding, perp_premium, q.funding_settlements);
  q.net_expected = q.entry_spread - q.expected_exit_basis - q.fee_fraction - q.slippage_allowance + q.funding_fraction;
  q.expected_profit_usd = q.notional_usd.mul(q.net_expected, Rounding::kDown);
  q.economics_valid = true;

  // ---- Limit prices ------------------------------------------------------------------------------
  if (q.plan == ExecutionPlan::kMaker) {
    q.spot.limit_price = sb.level(spot_side, 0).price;  // post-only at our own side's touch
    q.perp.limit_price = pb.level(perp_side, 0).price;
    q.spot.post_only = q.perp.post_only = true;
  } else {
    q.spot.limit_price = taker_limit(ss, spot_side, sf.worst_price, p.spot_slippage_buffer);
    q.perp.limit_price = taker_limit(ps, perp_side, pf.worst_price, p.perp_slippage_buffer);
  }

  // ---- Confidence --------------------------------------------------------------------------------
  ConfidenceFactors& c = q.confidence;
  c.base = 0.5;
  c.depth_ratio = walk_qty.is_positive() ? thinner.to_double() / walk_qty.to_double() : 0.0;
  c.liquidity = c.depth_ratio >= 10.0 ? 0.3 : c.depth_ratio >= 3.0 ? 0.2 : c.depth_ratio >= 1.0 ? 0.1 : 0.0;
  if (q.entry_spread >= kSpreadGoodLo && q.entry_spread <= kSpreadGoodHi) {
    c.spread_quality = 0.2;
  } else if (q.entry_spread >= kSpreadFairLo && q.entry_spread < kSpreadGoodLo) {
    c.spread_quality = 0.1;
  }
  c.spot_age_us = in.now - sb.last_update_us();
  c.perp_age_us = in.now - pb.last_update_us();
  if (c.spot_age_us > p.stale_after_us || c.perp_age_us > p.stale_after_us) c.stale_penalty = -p.stale_penalty;
  // synced_since_us == 0 means the caller does not track it: no penalty rather than a guess.
  const bool spot_fresh = in.spot.synced_since_us > 0 && in.now - in.spot.synced_since_us < p.resync_grace_us;
  const bool perp_fresh = in.perp.synced_since_us > 0 && in.now - in.perp.synced_since_us < p.resync_grace_us;
  if (spot_fresh || perp_fresh) c.resync_penalty = -p.resync_penalty;
  c.basis_stddev = vol_.stddev();
  if (c.basis_stddev > p.volatility_threshold) c.volatility_penalty = -p.volatility_penalty;
  c.total =
      clamp01(c.base + c.liquidity + c.spread_quality + c.stale_penalty + c.resync_penalty + c.volatility_penalty);

  // ---- Decision ----------------------------------------------------------------------------------
  // The seed's semantics: min_spread_threshold is about the SPREAD (what is worth a log line);
  // min_execution_threshold is about the expected NET return (what is worth trading). Judging the
  // opportunity on the net would let a funding estimate alone announce "opportunities" at a
  // negative spread.
  q.opportunity = q.entry_spread >= p.min_spread_threshold;
  if (!q.opportunity) refuse(Refusal::kBelowOpportunityThreshold);
  if (q.net_expected < p.min_execution_threshold) refuse(Refusal::kBelowExecutionThreshold);
  if (c.total < p.min_confidence) refuse(Refusal::kLowConfidence);
  q.tradeable = q.refusal == Refusal::kNone;
  return q;
}

namespace {

// Decimal fraction as a percentage string ("0.0018" -> "0.18").
const char* pct(Decimal fraction, char* b) noexcept {
  (fraction * 100).format(b);
  return b;
}
const char* dec(Decimal d, char* b) noexcept {
  d.format(b);
  return b;
}

}  // namespace

std::size_t describe(const BasisQuote& q, char* buf, std::size_t cap) noexcept {
  if (buf == nullptr || cap == 0) return 0;
  char b[16][Decimal::kMaxChars];
  const ConfidenceFactors& c = q.confidence;
  const int n = std::snprintf(
      buf, cap,
      "%.*s %s %s qty=%s notional=%s spread=%s%% exit=%s%% fees=%s%% slip=%s%% funding=%s%%(%lldx) net=%s%% "
      "(%s USD) conf=%.2f[%.1f+liq%.1f(%.1fx)+spread%.1f%+.1fstale%+.1fresync%+.1fvol(sd=%.5f)] "
      "spot %.*s vwap=%s worst=%s limit=%s%s perp %.*s vwap=%s worst=%s limit=%s%s size_by=%s %s refusal=%s",
      static_cast<int>(q.pair_name.size()), q.pair_name.data(), to_string(q.direction), to_string(q.plan),
      dec(q.quantity, b[0]), dec(q.notional_usd, b[1]), pct(q.entry_spread, b[2]), pct(q.expected_exit_basis, b[3]),
      pct(q.fee_fraction, b[4]), pct(q.slippage_allowance, b[5]), pct(q.funding_fraction, b[6]),
      static_cast<long long>(q.funding_settlements), pct(q.net_expected, b[7]), dec(q.expected_profit_usd, b[8]),
      c.total, c.base, c.liquidity, c.depth_ratio, c.spread_quality, c.stale_penalty, c.resync_penalty,
      c.volatility_penalty, c.basis_stddev, static_cast<int>(side_name(q.spot.side).size()),
      side_name(q.spot.side).data(), dec(q.spot.vwap, b[9]), dec(q.spot.worst_price, b[10]),
      dec(q.spot.limit_price, b[11]), q.spot.post_only ? " post_only" : "",
      static_cast<int>(side_name(q.perp.side).size()), side_name(q.perp.side).data(), dec(q.perp.vwap, b[12]),
      dec(q.perp.worst_price, b[13]), dec(q.perp.limit_price, b[14]), q.perp.post_only ? " post_only" : "",
      to_string(q.size_limited_by), q.tradeable ? "TRADEABLE" : (q.opportunity ? "OPPORTUNITY" : "NO"),
      to_string(q.refusal));
  if (n < 0) {
    buf[0] = '\0';
    return 0;
  }
  return static_cast<std::size_t>(n) < cap ? static_cast<std::size_t>(n) : cap - 1;
}

namespace {
// evaluate_best's choice between the PerpPremium quote `a` and the SpotPremium quote `b`.
const BasisQuote& pick_best(const BasisQuote& a, const BasisQuote& b) noexcept {
  if (a.tradeable != b.tradeable) return a.tradeable ? a : b;
  if (a.economics_valid != b.economics_valid) return a.economics_valid ? a : b;
  return b.net_expected > a.net_expected ? b : a;
}
}  // namespace

BasisQuote BasisEvaluator::evaluate_best(const BasisInputs& in) const noexcept {
  const BasisQuote a = evaluate(in, BasisDirection::kPerpPremium);
  const BasisQuote b = evaluate(in, BasisDirection::kSpotPremium);
  return pick_best(a, b);
}

bool BasisEvaluator::may_be_opportunity(const BasisInputs& in, BasisDirection dir) const noexcept {
  if (in.spot.book == nullptr || in.perp.book == nullptr) return false;
  const OrderBook& sb = *in.spot.book;
  const OrderBook& pb = *in.perp.book;
  if (!sb.valid() || !pb.valid()) return false;
  // PerpPremium buys spot (consumes spot asks) and sells perp (consumes perp bids); SpotPremium the reverse.
  const bool perp_premium = dir == BasisDirection::kPerpPremium;
  const Side spot_consumed = perp_premium ? Side::kAsk : Side::kBid;
  const Side perp_consumed = opposite(spot_consumed);
  if (sb.empty(spot_consumed) || pb.empty(perp_consumed)) return false;
  const std::int64_t spot_touch = sb.level(spot_consumed, 0).price.raw();
  const std::int64_t perp_touch = pb.level(perp_consumed, 0).price.raw();
  const std::int64_t buy = perp_premium ? spot_touch : perp_touch;
  const std::int64_t sell = perp_premium ? perp_touch : spot_touch;
  if (buy <= 0) return true;  // not a real price: let evaluate() decide
  // evaluate() computes entry_spread = floor((sell_vwap - buy_vwap) * 1e9 / buy_vwap) with
  // buy_vwap >= buy and sell_vwap <= sell, so entry_spread <= floor((sell - buy) * 1e9 / buy), and
  // floor(x / buy) < t  <=>  x < t * buy for integer t and buy > 0. In 128 bits nothing overflows.
  __extension__ using i128 = __int128;
  const i128 x = (static_cast<i128>(sell) - buy) * Decimal::kOne;
  return x >= static_cast<i128>(params_.min_spread_threshold.raw()) * buy;
}

BasisQuote BasisEvaluator::evaluate_best_fast(const BasisInputs& in) const noexcept {
  const bool pp = may_be_opportunity(in, BasisDirection::kPerpPremium);
  const bool sp = may_be_opportunity(in, BasisDirection::kSpotPremium);
  if (!pp && !sp) {
    // Both of evaluate_best's candidates are non-opportunities, so its answer is one too.
    BasisQuote q;
    q.pair_id = pair_id_;
    q.pair_name = pair_name_;
    q.expected_exit_basis = params_.expected_exit_basis;
    q.slippage_allowance = params_.slippage_allowance;
    q.refusal = Refusal::kBelowOpportunityThreshold;
    return q;
  }
  // evaluate_best returns the direction that may be an opportunity whenever it is tradeable (the
  // other cannot be); otherwise the choice depends on the other's economics, so evaluate it too.
  const BasisQuote first = evaluate(in, pp ? BasisDirection::kPerpPremium : BasisDirection::kSpotPremium);
  if (pp != sp && first.tradeable) return first;
  const BasisQuote second = evaluate(in, pp ? BasisDirection::kSpotPremium : BasisDirection::kPerpPremium);
  return pp ? pick_best(first, second) : pick_best(second, first);
}

}  // namespace bparb
