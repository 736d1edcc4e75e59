#include "bparb/strategy/cross_venue/xarb_signal.hpp"

#include <algorithm>

#include "bparb/strategy/basis.hpp"  // common_step
#include "bparb/strategy/fee_model.hpp"

namespace bparb {
namespace {

constexpr Decimal kSpreadGoodLo = Decimal::from_raw(2'000'000);   // 20 bps
constexpr Decimal kSpreadGoodHi = Decimal::from_raw(10'000'000);  // 100 bps
constexpr Decimal kSpreadFairLo = Decimal::from_raw(1'500'000);   // 15 bps

// We only cross the spread: a market must accept taker (limit IOC) orders.
bool accepts_taker_orders(OrderBookState s) noexcept {
  return s == OrderBookState::kOpen || s == OrderBookState::kLimitOnly;
}

// Initial margin fraction for a notional; a market without a margin function counts as fully
// collateralised (1.0), so a missing field can never inflate size.
Decimal imf_fraction(const MarketSpec& spec, Decimal notional) noexcept {
  double f = spec.imf.present ? spec.imf.fraction(notional.to_double()) : 1.0;
  if (!(f > 0.0) || f > 1.0) f = 1.0;
  return Decimal::from_double(f, Rounding::kUp);
}

XarbRefusal refusal_for(XarbSizeLimit s) noexcept {
  switch (s) {
    case XarbSizeLimit::kLiquidity:
      return XarbRefusal::kInsufficientLiquidity;
    case XarbSizeLimit::kPosition:
      return XarbRefusal::kPositionLimit;
    case XarbSizeLimit::kMargin:
      return XarbRefusal::kMarginLimit;
    case XarbSizeLimit::kExposure:
      return XarbRefusal::kExposureLimit;
    case XarbSizeLimit::kTarget:
    case XarbSizeLimit::kMaxQuantity:
      return XarbRefusal::kBelowMinQuantity;
  }
  return XarbRefusal::kBelowMinQuantity;
}

// The first refusal wins; kNone changes nothing.
void refuse(XarbQuote& q, XarbRefusal r, VenueId v) noexcept {
  if (q.refusal == XarbRefusal::kNone && r != XarbRefusal::kNone) {
    q.refusal = r;
    q.refused_venue = v;
  }
}

double clamp01(double v) noexcept {
  return v < 0.0 ? 0.0 : (v > 1.0 ? 1.0 : v);
}

// The health checks of one venue, in the order they are reported.
XarbRefusal venue_refusal(const XarbVenueState& v, const XarbParams& p, TimestampUs now, int stage) noexcept {
  switch (stage) {
    case 0:
      return v.book->valid() ? XarbRefusal::kNone : XarbRefusal::kBookInvalid;
    case 1:
      return now - v.book->last_update_us() > p.max_book_age_ms * kUsPerMs ? XarbRefusal::kBookStale
                                                                           : XarbRefusal::kNone;
    case 2:
      return v.private_stream_up ? XarbRefusal::kNone : XarbRefusal::kPrivateStreamDown;
    case 3:
      return v.clock_settled ? XarbRefusal::kNone : XarbRefusal::kClockUnsettled;
    default:
      return v.nonce_settled ? XarbRefusal::kNone : XarbRefusal::kNonceUnsettled;
  }
}

}  // namespace

const char* to_string(XarbDirection d) noexcept {
  return d == XarbDirection::kLongBackpack ? "LongBackpack" : "ShortBackpack";
}

const char* to_string(XarbRefusal r) noexcept {
  switch (r) {
    case XarbRefusal::kNone:
      return "none";
    case XarbRefusal::kBadMarketSpec:
      return "bad_market_spec";
    case XarbRefusal::kMarketNotTrading:
      return "market_not_trading";
    case XarbRefusal::kBookInvalid:
      return "book_invalid";
    case XarbRefusal::kBookStale:
      return "book_stale";
    case XarbRefusal::kPrivateStreamDown:
      return "private_stream_down";
    case XarbRefusal::kClockUnsettled:
      return "clock_unsettled";
    case XarbRefusal::kNonceUnsettled:
      return "nonce_unsettled";
    case XarbRefusal::kBookEmpty:
      return "book_empty";
    case XarbRefusal::kInsufficientLiquidity:
      return "insufficient_liquidity";
    case XarbRefusal::kPositionLimit:
      return "position_limit";
    case XarbRefusal::kMarginLimit:
      return "margin_limit";
    case XarbRefusal::kExposureLimit:
      return "exposure_limit";
    case XarbRefusal::kBelowMinQuantity:
      return "below_min_quantity";
    case XarbRefusal::kBelowEntrySpread:
      return "below_entry_spread";
    case XarbRefusal::kBelowThreshold:
      return "below_threshold";
    case XarbRefusal::kBelowNetEdge:
      return "below_net_edge";
    case XarbRefusal::kLowConfidence:
      return "low_confidence";
  }
  return "?";
}

const char* to_string(XarbSizeLimit s) noexcept {
  switch (s) {
    case XarbSizeLimit::kTarget:
      return "target";
    case XarbSizeLimit::kLiquidity:
      return "liquidity";
    case XarbSizeLimit::kMaxQuantity:
      return "max_quantity";
    case XarbSizeLimit::kPosition:
      return "position";
    case XarbSizeLimit::kMargin:
      return "margin";
    case XarbSizeLimit::kExposure:
      return "exposure";
  }
  return "?";
}

std::uint64_t XarbRefusalCounts::total_refused() const noexcept {
  std::uint64_t n = 0;
  for (std::size_t i = 1; i < counts_.size(); ++i) n += counts_[i];
  return n;
}

XarbEvaluator::XarbEvaluator(const XarbParams& params, std::size_t vol_window, DurationUs vol_min_interval_us)
    : params_(params), vol_(vol_window, vol_min_interval_us) {}

void XarbEvaluator::observe(const OrderBook& backpack, const OrderBook& lighter, TimestampUs now) noexcept {
  if (!backpack.valid() || !lighter.valid()) return;
  const Decimal bm = backpack.mid();
  const Decimal lm = lighter.mid();
  if (!bm.is_positive() || !lm.is_positive()) return;
  vol_.add(now, (lm - bm).to_double() / bm.to_double());
}

void XarbEvaluator::gate(const XarbInputs& in, XarbQuote& q) const noexcept {
  const XarbVenueState& bv = in.backpack;
  const XarbVenueState& lv = in.lighter;
  if (bv.spec == nullptr || bv.book == nullptr) {
    refuse(q, XarbRefusal::kBadMarketSpec, VenueId::kBackpack);
    return;
  }
  if (lv.spec == nullptr || lv.book == nullptr) {
    refuse(q, XarbRefusal::kBadMarketSpec, VenueId::kLighter);
    return;
  }
  const MarketSpec& bs = *bv.spec;
  const MarketSpec& ls = *lv.spec;
  if (!common_step(bs.step_size, ls.step_size).is_positive() || !bs.tick_size.is_positive() ||
      !ls.tick_size.is_positive()) {
    const bool backpack_bad = !bs.tick_size.is_positive() || !bs.step_size.is_positive();
    refuse(q, XarbRefusal::kBadMarketSpec, backpack_bad ? VenueId::kBackpack : VenueId::kLighter);
    return;
  }
  if (!accepts_taker_orders(bs.state)) refuse(q, XarbRefusal::kMarketNotTrading, VenueId::kBackpack);
  if (!accepts_taker_orders(ls.state)) refuse(q, XarbRefusal::kMarketNotTrading, VenueId::kLighter);
  // Venue health: each check on both venues before the next check.
  for (int stage = 0; stage < 5 && q.refusal == XarbRefusal::kNone; ++stage) {
    refuse(q, venue_refusal(bv, params_, in.now, stage), VenueId::kBackpack);
    refuse(q, venue_refusal(lv, params_, in.now, stage), VenueId::kLighter);
  }
}

XarbQuote XarbEvaluator::evaluate(const XarbInputs& in, XarbDirection dir) const noexcept {
  const XarbParams& p = params_;
  XarbQuote q;
  q.direction = dir;
  const bool long_bp = dir == XarbDirection::kLongBackpack;
  // Taker sides: LongBackpack buys on Backpack (Bid) and sells on Lighter (Ask).
  q.backpack.side = long_bp ? Side::kBid : Side::kAsk;
  q.lighter.side = opposite(q.backpack.side);
  gate(in, q);
  if (q.refusal != XarbRefusal::kNone) return q;
  auto refuse_q = [&q](XarbRefusal r, VenueId v) { refuse(q, r, v); };
  const XarbVenueState& bv = in.backpack;
  const XarbVenueState& lv = in.lighter;
  const MarketSpec& bs = *bv.spec;
  const MarketSpec& ls = *lv.spec;
  const OrderBook& bb = *bv.book;
  const OrderBook& lb = *lv.book;
  const Decimal step = common_step(bs.step_size, ls.step_size);
  const Side b_consumed = opposite(q.backpack.side);
  const Side l_consumed = opposite(q.lighter.side);
  if (bb.empty(b_consumed)) refuse_q(XarbRefusal::kBookEmpty, VenueId::kBackpack);
  if (lb.empty(l_consumed)) refuse_q(XarbRefusal::kBookEmpty, VenueId::kLighter);
  if (q.refusal != XarbRefusal::kNone) return q;

  // ---- Size -------------------------------------------------------------------------------------
  const Decimal ref_b = bb.level(b_consumed, 0).price;
  const Decimal ref_l = lb.level(l_consumed, 0).price;
  Decimal qty = p.target_quantity.is_positive() ? p.target_quantity : p.target_notional_usd.div(ref_b, Rounding::kDown);
  XarbSizeLimit limit = XarbSizeLimit::kTarget;
  VenueId limit_venue = VenueId::kBackpack;
  auto cap = [&](Decimal c, XarbSizeLimit why, VenueId v) {
    if (c < qty) {
      qty = c;
      limit = why;
      limit_venue = v;
    }
  };
  q.backpack.depth = bb.quantity_within_bps(b_consumed, p.depth_band_bps);
  q.lighter.depth = lb.quantity_within_bps(l_consumed, p.depth_band_bps);
  const bool lighter_thinner = q.lighter.depth < q.backpack.depth;
  const Decimal thinner = lighter_thinner ? q.lighter.depth : q.backpack.depth;
  cap(thinner.mul(p.max_depth_fraction, Rounding::kDown), XarbSizeLimit::kLiquidity,
      lighter_thinner ? VenueId::kLighter : VenueId::kBackpack);
  if (bs.max_quantity.is_positive()) cap(bs.max_quantity, XarbSizeLimit::kMaxQuantity, VenueId::kBackpack);
  if (ls.max_quantity.is_positive()) cap(ls.max_quantity, XarbSizeLimit::kMaxQuantity, VenueId::kLighter);
  // Position headroom: |position after the trade| <= max. Buying adds to a long, selling to a short.
  const Decimal b_room = p.max_position_backpack - (long_bp ? bv.position : -bv.position);
  const Decimal l_room = p.max_position_lighter - (long_bp ? -lv.position : lv.position);
  cap(std::max(b_room, Decimal::zero()), XarbSizeLimit::kPosition, VenueId::kBackpack);
  cap(std::max(l_room, Decimal::zero()), XarbSizeLimit::kPosition, VenueId::kLighter);
  const Decimal imf_b = imf_fraction(bs, ref_b.mul(qty, Rounding::kUp));
  const Decimal imf_l = imf_fraction(ls, ref_l.mul(qty, Rounding::kUp));
  cap(std::max(bv.available_margin, Decimal::zero()).div(ref_b.mul(imf_b, Rounding::kUp), Rounding::kDown),
      XarbSizeLimit::kMargin, VenueId::kBackpack);
  cap(std::max(lv.available_margin, Decimal::zero()).div(ref_l.mul(imf_l, Rounding::kUp), Rounding::kDown),
      XarbSizeLimit::kMargin, VenueId::kLighter);
  const Decimal exposure_room = std::max(p.max_total_exposure_usd - in.exposure_usd, Decimal::zero());
  cap(exposure_room.div(ref_b + ref_l, Rounding::kDown), XarbSizeLimit::kExposure, VenueId::kBackpack);
  if (qty.is_negative()) qty = Decimal::zero();
  qty = qty.round_to(step, Rounding::kDown);

  Decimal min_qty = std::max(bs.min_quantity, ls.min_quantity).round_to(step, Rounding::kUp);
  if (min_qty < step) min_qty = step;
  const bool size_ok = qty >= min_qty;
  if (!size_ok) refuse_q(refusal_for(limit), limit_venue);
  q.size_limited_by = limit;

  // ---- Walk (at the minimum when the size failed, so the log still shows the spread) -------------
  Decimal walk_qty = size_ok ? qty : min_qty;
  BookFill bf = bb.walk(q.backpack.side, walk_qty);
  BookFill lf = lb.walk(q.lighter.side, walk_qty);
  if (!bf.complete || !lf.complete) {
    refuse_q(XarbRefusal::kInsufficientLiquidity, bf.complete ? VenueId::kLighter : VenueId::kBackpack);
    q.quantity = walk_qty;
    return q;
  }
  // Margin again at the walked notionals (worse than the touch); shrink once. A smaller walk can only
  // have a better worst price, so one pass suffices.
  if (size_ok) {
    Decimal shrink = walk_qty;
    VenueId why = VenueId::kBackpack;
    const Decimal imf_bw = imf_fraction(bs, bf.notional);
    if (bf.notional.mul(imf_bw, Rounding::kUp) > bv.available_margin) {
      shrink = bv.available_margin.div(bf.worst_price.mul(imf_bw, Rounding::kUp), Rounding::kDown);
    }
    const Decimal imf_lw = imf_fraction(ls, lf.notional);
    if (lf.notional.mul(imf_lw, Rounding::kUp) > lv.available_margin) {
      const Decimal m = lv.available_margin.div(lf.worst_price.mul(imf_lw, Rounding::kUp), Rounding::kDown);
      if (m < shrink) {
        shrink = m;
        why = VenueId::kLighter;
      }
    }
    shrink = shrink.round_to(step, Rounding::kDown);
    if (shrink < walk_qty) {
      q.size_limited_by = XarbSizeLimit::kMargin;
      if (shrink < min_qty) {
        refuse_q(XarbRefusal::kMarginLimit, why);
      } else {
        walk_qty = shrink;
        bf = bb.walk(q.backpack.side, walk_qty);
        lf = lb.walk(q.lighter.side, walk_qty);
      }
    }
  }
  q.quantity = walk_qty;

  // ---- Economics ---------------------------------------------------------------------------------
  q.backpack.vwap = bf.vwap;
  q.backpack.best_price = bf.best_price;
  q.backpack.worst_price = bf.worst_price;
  q.lighter.vwap = lf.vwap;
  q.lighter.best_price = lf.best_price;
  q.lighter.worst_price = lf.worst_price;
  const Decimal buy_vwap = long_bp ? bf.vwap : lf.vwap;
  const Decimal sell_vwap = long_bp ? lf.vwap : bf.vwap;
  q.buy_notional_usd = long_bp ? bf.notional : lf.notional;
  q.spread_usd = sell_vwap - buy_vwap;
  q.entry_spread = q.spread_usd.div(buy_vwap, Rounding::kDown);
  q.expected_exit_spread = bps_to_fraction(p.expected_exit_spread_bps);
  q.slippage_allowance = bps_to_fraction(p.slippage_allowance_bps);

  const InstrumentFees lighter_fees = lighter_tier_fees(p.lighter_fee_tier);
  q.backpack.fee_bps = in.backpack_fees.taker_bps;
  q.lighter.fee_bps = lighter_fees.taker_bps;
  const Decimal b_exit_bps = p.exit_as_maker ? in.backpack_fees.maker_bps : in.backpack_fees.taker_bps;
  const Decimal l_exit_bps = p.exit_as_maker ? lighter_fees.maker_bps : lighter_fees.taker_bps;
  q.fee_fraction = bps_to_fraction(q.backpack.fee_bps) + bps_to_fraction(q.lighter.fee_bps) +
                   bps_to_fraction(b_exit_bps) + bps_to_fraction(l_exit_bps);

  // Funding: the interval comes from the market's spec when the caller did not copy it in.
  FundingInfo bfund = bv.funding;
  if (bfund.interval_ms <= 0) bfund.interval_ms = bs.funding_interval_ms;
  FundingInfo lfund = lv.funding;
  if (lfund.interval_ms <= 0) lfund.interval_ms = ls.funding_interval_ms;
  const DurationUs holding = p.expected_holding_s * kUsPerSecond;
  q.funding_settlements_backpack = funding_settlements(in.now, holding, bfund);
  q.funding_settlements_lighter = funding_settlements(in.now, holding, lfund);
  // LongBackpack is long Backpack's perp and short Lighter's: it receives Lighter's rate and pays
  // Backpack's; ShortBackpack the opposite.
  q.funding_fraction = expected_funding_fraction(bfund, !long_bp, q.funding_settlements_backpack) +
                       expected_funding_fraction(lfund, long_bp, q.funding_settlements_lighter);
  q.net_edge = q.entry_spread - q.expected_exit_spread - q.fee_fraction - q.slippage_allowance + q.funding_fraction;
  q.expected_profit_usd = q.buy_notional_usd.mul(q.net_edge, Rounding::kDown);
  q.economics_valid = true;

  // ---- Confidence --------------------------------------------------------------------------------
  XarbConfidence& c = q.confidence;
  c.depth_ratio = walk_qty.is_positive() ? thinner.to_double() / walk_qty.to_double() : 0.0;
  c.liquidity = c.depth_ratio >= 10.0 ? 0.3 : c.depth_ratio >= 3.0 ? 0.2 : c.depth_ratio >= 1.0 ? 0.1 : 0.0;
  if (q.entry_spread >= kSpreadGoodLo && q.entry_spread <= kSpreadGoodHi) {
    c.spread_quality = 0.2;
  } else if (q.entry_spread >= kSpreadFairLo && q.entry_spread < kSpreadGoodLo) {
    c.spread_quality = 0.1;
  }
  const DurationUs soft_stale = p.stale_after_ms * kUsPerMs;
  if (in.now - bb.last_update_us() > soft_stale || in.now - lb.last_update_us() > soft_stale) {
    c.stale_penalty = -p.stale_penalty.to_double();
  }
  const DurationUs grace = p.resync_grace_ms * kUsPerMs;
  const bool b_fresh = bv.synced_since_us > 0 && in.now - bv.synced_since_us < grace;
  const bool l_fresh = lv.synced_since_us > 0 && in.now - lv.synced_since_us < grace;
  if (b_fresh || l_fresh) c.resync_penalty = -p.resync_penalty.to_double();
  c.differential_stddev_bps = vol_.stddev() * 10'000.0;
  if (c.differential_stddev_bps > p.volatility_threshold_bps.to_double()) {
    c.volatility_penalty = -p.volatility_penalty.to_double();
  }
  c.total =
      clamp01(c.base + c.liquidity + c.spread_quality + c.stale_penalty + c.resync_penalty + c.volatility_penalty);

  // ---- Decision (every threshold strict: equal is not enough) --------------------------------------
  const bool above_bps = q.entry_spread > bps_to_fraction(p.min_entry_spread_bps);
  const bool above_usd = q.spread_usd > (long_bp ? p.long_threshold : p.short_threshold);
  q.opportunity = above_bps && above_usd;
  if (!above_bps) refuse_q(XarbRefusal::kBelowEntrySpread, VenueId::kBackpack);
  if (!above_usd) refuse_q(XarbRefusal::kBelowThreshold, VenueId::kBackpack);
  if (!(q.net_edge > bps_to_fraction(p.min_net_edge_bps))) refuse_q(XarbRefusal::kBelowNetEdge, VenueId::kBackpack);
  if (c.total < p.min_confidence.to_double()) refuse_q(XarbRefusal::kLowConfidence, VenueId::kBackpack);
  q.tradeable = q.refusal == XarbRefusal::kNone;
  return q;
}

namespace {
// evaluate_best's choice between the LongBackpack quote `a` and the ShortBackpack quote `b`.
const XarbQuote& pick_best(const XarbQuote& a, const XarbQuote& b) noexcept {
  if (a.tradeable != b.tradeable) return a.tradeable ? a : b;
  if (a.economics_valid != b.economics_valid) return a.economics_valid ? a : b;
  return b.net_edge > a.net_edge ? b : a;
}
}  // namespace

XarbQuote XarbEvaluator::evaluate_best(const XarbInputs& in) const noexcept {
  const XarbQuote a = evaluate(in, XarbDirection::kLongBackpack);
  const XarbQuote b = evaluate(in, XarbDirection::kShortBackpack);
  return pick_best(a, b);
}

bool XarbEvaluator::may_be_opportunity(const XarbInputs& in, XarbDirection dir) const noexcept {
  if (in.backpack.book == nullptr || in.lighter.book == nullptr) return false;
  const OrderBook& bb = *in.backpack.book;
  const OrderBook& lb = *in.lighter.book;
  if (!bb.valid() || !lb.valid()) return false;
  // LongBackpack consumes Backpack's asks and Lighter's bids; ShortBackpack the reverse.
  const bool long_bp = dir == XarbDirection::kLongBackpack;
  const Side b_consumed = long_bp ? Side::kAsk : Side::kBid;
  const Side l_consumed = opposite(b_consumed);
  if (bb.empty(b_consumed) || lb.empty(l_consumed)) return false;
  const std::int64_t b_touch = bb.level(b_consumed, 0).price.raw();
  const std::int64_t l_touch = lb.level(l_consumed, 0).price.raw();
  const std::int64_t buy = long_bp ? b_touch : l_touch;
  const std::int64_t sell = long_bp ? l_touch : b_touch;
  if (buy <= 0) return true;  // not a real price: let evaluate() decide
  // A taker walk's buy VWAP is never below the buy touch and its sell VWAP never above the sell touch, and
  // both spreads grow with the sell price and shrink with the buy price. So spread_usd <= sell - buy, and
  // entry_spread = floor((sell_vwap - buy_vwap) * 1e9 / buy_vwap) <= floor((sell - buy) * 1e9 / buy), where
  // floor(x / buy) > m  <=>  x >= (m + 1) * buy for integers and buy > 0. 128 bits: nothing overflows.
  const Decimal threshold = long_bp ? params_.long_threshold : params_.short_threshold;
  if (sell - buy <= threshold.raw()) return false;
  __extension__ using i128 = __int128;
  const i128 x = (static_cast<i128>(sell) - buy) * Decimal::kOne;
  const i128 m = bps_to_fraction(params_.min_entry_spread_bps).raw();
  return x >= (m + 1) * buy;
}

XarbQuote XarbEvaluator::evaluate_best_fast(const XarbInputs& in) const noexcept {
  const bool lb = may_be_opportunity(in, XarbDirection::kLongBackpack);
  const bool sb = may_be_opportunity(in, XarbDirection::kShortBackpack);
  if (!lb && !sb) {
    // Neither of evaluate_best's candidates can be an opportunity, so its answer is not one either. The
    // venue gate still runs (a few comparisons) so that an unhealthy venue is counted as such.
    XarbQuote q;
    q.backpack.side = Side::kBid;
    q.lighter.side = Side::kAsk;
    gate(in, q);
    refuse(q, XarbRefusal::kBelowEntrySpread, VenueId::kBackpack);
    return q;
  }
  // A tradeable quote for the one direction that may be an opportunity is evaluate_best's answer (the
  // other cannot be tradeable); otherwise the choice depends on the other's economics: evaluate both.
  const XarbQuote first = evaluate(in, lb ? XarbDirection::kLongBackpack : XarbDirection::kShortBackpack);
  if (lb != sb && first.tradeable) return first;
  const XarbQuote second = evaluate(in, lb ? XarbDirection::kShortBackpack : XarbDirection::kLongBackpack);
  return lb ? pick_best(first, second) : pick_best(second, first);
}

}  // namespace bparb
