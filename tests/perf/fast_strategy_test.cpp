// BasisEvaluator::evaluate_best_fast (touch-price short-circuit) must make the same decision as
// evaluate_best: over many random book pairs, accounts, fees and thresholds, whenever either quote is
// an opportunity or tradeable the two quotes are identical; otherwise both are neither. And
// may_be_opportunity must never say "no" for a direction whose full evaluation is an opportunity.
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "bparb/book/order_book.hpp"
#include "bparb/strategy/basis.hpp"

namespace bparb {
namespace {

MarketSpec spec(const char* symbol, MarketType type, const char* tick, const char* step) {
  MarketSpec s;
  s.symbol = symbol;
  s.type = type;
  s.tick_size = Decimal::from_string(tick);
  s.min_price = s.tick_size;
  s.step_size = Decimal::from_string(step);
  s.min_quantity = s.step_size;
  if (type == MarketType::kPerp) {
    s.funding_interval_ms = 3'600'000;
    s.imf.present = true;
    s.imf.base = Decimal::from_string("0.02");
  }
  return s;
}

// A random book around `mid_ticks`: 0..8 levels a side, spread >= 1 tick, random lots.
void random_book(OrderBook& b, std::mt19937_64& rng, std::int64_t mid_ticks, Decimal tick, Decimal step,
                 TimestampUs t) {
  DepthSnapshot s;
  s.last_update_id = static_cast<std::int64_t>(rng() % 1000 + 1);
  const std::int64_t half = 1 + static_cast<std::int64_t>(rng() % 20);
  const int nb = static_cast<int>(rng() % 9), na = static_cast<int>(rng() % 9);
  std::int64_t p = mid_ticks - half;
  for (int i = 0; i < nb; ++i) {
    s.bids.push_back(
        {Decimal::from_units(p, tick), Decimal::from_units(1 + static_cast<std::int64_t>(rng() % 5000), step)});
    p -= 1 + static_cast<std::int64_t>(rng() % 5);
  }
  p = mid_ticks + half;
  for (int i = 0; i < na; ++i) {
    s.asks.push_back(
        {Decimal::from_units(p, tick), Decimal::from_units(1 + static_cast<std::int64_t>(rng() % 5000), step)});
    p += 1 + static_cast<std::int64_t>(rng() % 5);
  }
  b.load_snapshot(s, t);
  if (rng() % 40 == 0) b.set_valid(false);
}

void expect_same_quote(const BasisQuote& a, const BasisQuote& b, int iter) {
  EXPECT_EQ(a.direction, b.direction) << iter;
  EXPECT_EQ(a.plan, b.plan) << iter;
  EXPECT_EQ(a.quantity, b.quantity) << iter;
  EXPECT_EQ(a.notional_usd, b.notional_usd) << iter;
  EXPECT_EQ(a.entry_spread, b.entry_spread) << iter;
  EXPECT_EQ(a.fee_fraction, b.fee_fraction) << iter;
  EXPECT_EQ(a.funding_fraction, b.funding_fraction) << iter;
  EXPECT_EQ(a.net_expected, b.net_expected) << iter;
  EXPECT_EQ(a.expected_profit_usd, b.expected_profit_usd) << iter;
  EXPECT_EQ(a.confidence.total, b.confidence.total) << iter;
  EXPECT_EQ(a.spot.vwap, b.spot.vwap) << iter;
  EXPECT_EQ(a.perp.vwap, b.perp.vwap) << iter;
  EXPECT_EQ(a.spot.limit_price, b.spot.limit_price) << iter;
  EXPECT_EQ(a.perp.limit_price, b.perp.limit_price) << iter;
  EXPECT_EQ(a.spot.post_only, b.spot.post_only) << iter;
  EXPECT_EQ(a.size_limited_by, b.size_limited_by) << iter;
  EXPECT_EQ(a.economics_valid, b.economics_valid) << iter;
  EXPECT_EQ(a.opportunity, b.opportunity) << iter;
  EXPECT_EQ(a.tradeable, b.tradeable) << iter;
  EXPECT_EQ(a.refusal, b.refusal) << iter;
}

TEST(FastStrategy, EvaluateBestFastMakesTheSameDecisionOnRandomBooks) {
  const MarketSpec ss = spec("SOL_USDC", MarketType::kSpot, "0.01", "0.01");
  const MarketSpec ps = spec("SOL_USDC_PERP", MarketType::kPerp, "0.01", "0.01");
  OrderBook spot(ss), perp(ps);
  std::mt19937_64 rng(424242);
  const TimestampUs now = 1'795'132'800LL * kUsPerSecond;
  int opportunities = 0, tradeable = 0, short_circuited = 0, one_sided = 0;
  for (int iter = 0; iter < 30000; ++iter) {
    BasisParams params;
    // Thresholds from 0 to 0.5 %, execution >= spread threshold; sometimes maker for large spreads.
    params.min_spread_threshold = Decimal::from_raw(static_cast<std::int64_t>(rng() % 5'000'000));
    params.min_execution_threshold =
        params.min_spread_threshold + Decimal::from_raw(static_cast<std::int64_t>(rng() % 3'000'000));
    params.use_maker_for_large_spreads = rng() % 4 == 0;
    params.position_size_usd = Decimal::from_int(50 + static_cast<std::int64_t>(rng() % 2000));
    params.min_confidence = (rng() % 3) * 0.3;
    BasisEvaluator ev(params, 60, 0, 3, "SOL");

    // Spot mid ~150; the perp mid 0..+-1 % away so both directions see opportunities sometimes.
    const std::int64_t spot_mid = 15'000;
    const std::int64_t perp_mid = spot_mid + static_cast<std::int64_t>(rng() % 301) - 150;
    random_book(spot, rng, spot_mid, ss.tick_size, ss.step_size, now - static_cast<TimestampUs>(rng() % 3'000'000));
    random_book(perp, rng, perp_mid, ps.tick_size, ps.step_size, now - static_cast<TimestampUs>(rng() % 3'000'000));
    for (int k = 0; k < 3; ++k) ev.observe(spot, perp, now - 1000 * (3 - k));

    BasisInputs in;
    in.spot = {&ss, &spot, rng() % 5 == 0 ? now - 1000 : 0};
    in.perp = {&ps, &perp, 0};
    in.funding = FundingInfo{Decimal::from_raw(static_cast<std::int64_t>(rng() % 400'000) - 200'000), 3'600'000, 0,
                             Decimal::from_int(150)};
    in.account.fees = FeeSchedule{Decimal::from_string("8"), Decimal::from_string("10"), Decimal::from_string("1"),
                                  Decimal::from_string("4")};
    in.account.available_quote = Decimal::from_int(static_cast<std::int64_t>(rng() % 5000));
    in.account.available_base = Decimal::from_raw(static_cast<std::int64_t>(rng() % 20) * 1'000'000'000);
    in.account.available_margin = Decimal::from_int(static_cast<std::int64_t>(rng() % 5000));
    in.max_notional_usd = Decimal::from_int(static_cast<std::int64_t>(rng() % 3000));
    in.now = now;

    const BasisQuote full = ev.evaluate_best(in);
    const BasisQuote fast = ev.evaluate_best_fast(in);
    const bool pp = ev.may_be_opportunity(in, BasisDirection::kPerpPremium);
    const bool sp = ev.may_be_opportunity(in, BasisDirection::kSpotPremium);
    // The pre-check never rules out a direction that is an opportunity.
    if (ev.evaluate(in, BasisDirection::kPerpPremium).opportunity) {
      ASSERT_TRUE(pp) << iter;
    }
    if (ev.evaluate(in, BasisDirection::kSpotPremium).opportunity) {
      ASSERT_TRUE(sp) << iter;
    }
    if (!pp && !sp) ++short_circuited;
    if (pp != sp) ++one_sided;
    if (full.opportunity || full.tradeable || fast.opportunity || fast.tradeable) {
      expect_same_quote(full, fast, iter);
      opportunities += full.opportunity;
      tradeable += full.tradeable;
    } else {
      EXPECT_FALSE(fast.opportunity) << iter;
      EXPECT_FALSE(fast.tradeable) << iter;
    }
    if (::testing::Test::HasFailure()) break;
  }
  // Every branch was exercised, tradeable quotes included.
  EXPECT_GT(opportunities, 1000);
  EXPECT_GT(tradeable, 100);
  EXPECT_GT(short_circuited, 5000);
  EXPECT_GT(one_sided, 1000);
}

TEST(FastStrategy, TouchBoundIsExactAtTheThreshold) {
  // Spot ask 100, perp bid 100.1: touch spread exactly 0.001. At threshold 0.001 the direction may
  // be an opportunity; at 0.001000001 it cannot.
  const MarketSpec ss = spec("S", MarketType::kSpot, "0.01", "0.01");
  const MarketSpec ps = spec("P", MarketType::kPerp, "0.01", "0.01");
  OrderBook spot(ss), perp(ps);
  DepthSnapshot a;
  a.last_update_id = 1;
  a.bids.push_back({Decimal::from_string("99.9"), Decimal::from_string("10")});
  a.asks.push_back({Decimal::from_string("100"), Decimal::from_string("10")});
  spot.load_snapshot(a, 1);
  DepthSnapshot b;
  b.last_update_id = 1;
  b.bids.push_back({Decimal::from_string("100.1"), Decimal::from_string("10")});
  b.asks.push_back({Decimal::from_string("100.2"), Decimal::from_string("10")});
  perp.load_snapshot(b, 1);
  BasisInputs in;
  in.spot = {&ss, &spot, 0};
  in.perp = {&ps, &perp, 0};
  BasisParams params;
  params.min_spread_threshold = Decimal::from_string("0.001");
  EXPECT_TRUE(BasisEvaluator(params).may_be_opportunity(in, BasisDirection::kPerpPremium));
  params.min_spread_threshold = Decimal::from_string("0.001000001");
  EXPECT_FALSE(BasisEvaluator(params).may_be_opportunity(in, BasisDirection::kPerpPremium));
  // SpotPremium sells spot at 99.9 and buys perp at 100.2: negative spread.
  params.min_spread_threshold = Decimal::zero();
  EXPECT_FALSE(BasisEvaluator(params).may_be_opportunity(in, BasisDirection::kSpotPremium));
  params.min_spread_threshold = Decimal::from_string("-0.01");
  EXPECT_TRUE(BasisEvaluator(params).may_be_opportunity(in, BasisDirection::kSpotPremium));
  // Missing or invalid books cannot be opportunities.
  perp.set_valid(false);
  EXPECT_FALSE(BasisEvaluator(params).may_be_opportunity(in, BasisDirection::kSpotPremium));
  in.perp.book = nullptr;
  EXPECT_FALSE(BasisEvaluator(params).may_be_opportunity(in, BasisDirection::kPerpPremium));
}

}  // namespace
}  // namespace bparb
