#include "bparb/strategy/basis.hpp"

#include <gtest/gtest.h>

#include <string>

#include "bparb/strategy/exit_rules.hpp"
#include "strategy_test_util.hpp"

namespace bparb {
namespace {

using testutil::D;
using testutil::load;

constexpr TimestampUs kNow = testutil::kDay0 + 10 * kUsPerHour;

// Perp 0.4% rich: spot ask 50000, perp bid 50200, 1 BTC on every level.
class BasisTest : public ::testing::Test {
 protected:
  BasisTest()
      : spot_spec_(testutil::btc_spot()), perp_spec_(testutil::btc_perp()), spot_(spot_spec_), perp_(perp_spec_) {
    load(spot_, {{"49999.00", "1"}}, {{"50000.00", "1"}}, kNow);
    load(perp_, {{"50200.0", "1"}}, {{"50201.0", "1"}}, kNow);
    params_.position_size_usd = D("1000");
    params_.min_spread_threshold = D("0.001");
    params_.min_execution_threshold = D("0.002");
    params_.expected_exit_basis = D("0");
    params_.slippage_allowance = D("0.0002");
    params_.expected_holding_us = 8 * kUsPerHour;
    params_.min_confidence = 0.6;
  }

  BasisInputs inputs() {
    BasisInputs in;
    in.spot = {&spot_spec_, &spot_, 0};
    in.perp = {&perp_spec_, &perp_, 0};
    in.funding = FundingInfo{D("0.0001"), 3'600'000, 0, D("50200")};
    in.account.fees = FeeSchedule{D("8"), D("10"), D("1"), D("4")};
    in.account.available_quote = D("100000");
    in.account.available_base = D("0");
    in.account.available_margin = D("100000");
    in.max_notional_usd = D("5000");
    in.now = kNow;
    return in;
  }

  MarketSpec spot_spec_;
  MarketSpec perp_spec_;
  OrderBook spot_;
  OrderBook perp_;
  BasisParams params_;
};

TEST_F(BasisTest, PerpPremiumNetExpectedHandComputed) {
  BasisEvaluator ev(params_);
  const BasisQuote q = ev.evaluate(inputs(), BasisDirection::kPerpPremium);
  ASSERT_TRUE(q.economics_valid) << to_string(q.refusal);
  // 1000 USD / 50000 = 0.02 BTC (on the common 0.0001 step).
  EXPECT_EQ(q.quantity, D("0.02"));
  EXPECT_EQ(q.spot.side, Side::kBid);
  EXPECT_EQ(q.perp.side, Side::kAsk);
  EXPECT_EQ(q.spot.vwap, D("50000"));
  EXPECT_EQ(q.perp.vwap, D("50200"));
  EXPECT_EQ(q.notional_usd, D("1000"));
  EXPECT_EQ(q.entry_spread, D("0.004"));       // 200 / 50000
  EXPECT_EQ(q.fee_fraction, D("0.0028"));      // taker round trip
  EXPECT_EQ(q.funding_settlements, 8);         // hourly over 8 h
  EXPECT_EQ(q.funding_fraction, D("0.0008"));  // short perp receives 8 x 0.01%
  // 0.004 - 0 - 0.0028 - 0.0002 + 0.0008 = 0.0018
  EXPECT_EQ(q.net_expected, D("0.0018"));
  EXPECT_EQ(q.expected_profit_usd, D("1.8"));
  EXPECT_TRUE(q.opportunity);  // >= 0.001
  EXPECT_FALSE(q.tradeable);   // < 0.002
  EXPECT_EQ(q.refusal, Refusal::kBelowExecutionThreshold);
  EXPECT_STREQ(to_string(q.refusal), "below_execution_threshold");

  params_.min_execution_threshold = D("0.0015");
  BasisEvaluator ev2(params_);
  const BasisQuote q2 = ev2.evaluate(inputs(), BasisDirection::kPerpPremium);
  EXPECT_TRUE(q2.tradeable);
  EXPECT_EQ(q2.refusal, Refusal::kNone);
  EXPECT_EQ(q2.plan, ExecutionPlan::kTaker);
}

TEST_F(BasisTest, FundingIntervalFromMarketSpecAndNextSettlement) {
  BasisEvaluator ev(params_);
  BasisInputs in = inputs();
  in.funding.interval_ms = 0;  // not copied in: the perp's fundingInterval (1 h) is used
  EXPECT_EQ(ev.evaluate(in, BasisDirection::kPerpPremium).funding_settlements, 8);
  perp_spec_.funding_interval_ms = 8 * 3'600'000;  // an 8-hourly venue would pay once
  EXPECT_EQ(ev.evaluate(in, BasisDirection::kPerpPremium).funding_settlements, 1);
  perp_spec_.funding_interval_ms = 3'600'000;
  // Next settlement at 10:30, holding 8 h from 10:00: 10:30 .. 17:30 -> 8; one at 18:30 is too late.
  in.funding.next_funding_us = kNow + 30 * 60 * kUsPerSecond;
  const BasisQuote q = ev.evaluate(in, BasisDirection::kPerpPremium);
  EXPECT_EQ(q.funding_settlements, 8);
  EXPECT_EQ(q.funding_fraction, D("0.0008"));
}

TEST_F(BasisTest, TakerLimitPricesAlignedAdverseSafe) {
  BasisEvaluator ev(params_);
  const BasisQuote q = ev.evaluate(inputs(), BasisDirection::kPerpPremium);
  // Spot buy: 50000 * 1.0005 = 50025.00 (tick 0.01, rounded down so the buffer is never exceeded).
  EXPECT_EQ(q.spot.limit_price, D("50025.00"));
  // Perp sell: 50200 * 0.9995 = 50174.9 (tick 0.1, rounded up).
  EXPECT_EQ(q.perp.limit_price, D("50174.9"));
  EXPECT_FALSE(q.spot.post_only);
  EXPECT_TRUE(spot_spec_.valid_price(q.spot.limit_price));
  EXPECT_TRUE(perp_spec_.valid_price(q.perp.limit_price));

  // A buffer that lands between ticks: 50000 * 1.00033 = 50016.5 -> 50016.50 on spot, and the perp
  // 50200 * (1 - 0.00033) = 50183.434 -> rounded UP to 50183.5 (not below what the buffer allows).
  params_.spot_slippage_buffer = D("0.00033");
  params_.perp_slippage_buffer = D("0.00033");
  BasisEvaluator ev2(params_);
  const BasisQuote q2 = ev2.evaluate(inputs(), BasisDirection::kPerpPremium);
  EXPECT_EQ(q2.spot.limit_price, D("50016.50"));
  EXPECT_EQ(q2.perp.limit_price, D("50183.5"));
}

TEST_F(BasisTest, ConfidenceFactorsAllReported) {
  BasisEvaluator ev(params_);
  const BasisQuote q = ev.evaluate(inputs(), BasisDirection::kPerpPremium);
  const ConfidenceFactors& c = q.confidence;
  EXPECT_DOUBLE_EQ(c.base, 0.5);
  EXPECT_DOUBLE_EQ(c.depth_ratio, 50.0);    // 1 BTC in band / 0.02
  EXPECT_DOUBLE_EQ(c.liquidity, 0.3);       // >= 10x
  EXPECT_DOUBLE_EQ(c.spread_quality, 0.2);  // 0.4% in [0.2%, 1.0%]
  EXPECT_DOUBLE_EQ(c.stale_penalty, 0.0);
  EXPECT_DOUBLE_EQ(c.resync_penalty, 0.0);
  EXPECT_DOUBLE_EQ(c.volatility_penalty, 0.0);
  EXPECT_DOUBLE_EQ(c.total, 1.0);
}

TEST_F(BasisTest, ConfidencePenaltiesStaleResyncVolatile) {
  BasisEvaluator ev(params_);
  BasisInputs in = inputs();
  in.now = kNow + 3 * kUsPerSecond;                      // books 3 s old > 2 s
  in.perp.synced_since_us = in.now - 10 * kUsPerSecond;  // resynced 10 s ago < 30 s
  // Feed a jumpy basis: mids alternate between +0.4% and -0.4%.
  for (int i = 0; i < 10; ++i) {
    OrderBook s(spot_spec_), p(perp_spec_);
    load(s, {{"49999.00", "1"}}, {{"50001.00", "1"}}, kNow);
    if (i % 2 == 0) {
      load(p, {{"50199.0", "1"}}, {{"50201.0", "1"}}, kNow);
    } else {
      load(p, {{"49799.0", "1"}}, {{"49801.0", "1"}}, kNow);
    }
    ev.observe(s, p, kNow + i);
  }
  EXPECT_EQ(ev.volatility().size(), 10u);
  EXPECT_NEAR(ev.volatility().stddev(), 0.004, 1e-12);
  const BasisQuote q = ev.evaluate(in, BasisDirection::kPerpPremium);
  const ConfidenceFactors& c = q.confidence;
  EXPECT_DOUBLE_EQ(c.stale_penalty, -0.2);
  EXPECT_DOUBLE_EQ(c.resync_penalty, -0.1);
  EXPECT_DOUBLE_EQ(c.volatility_penalty, -0.2);
  EXPECT_EQ(c.spot_age_us, 3 * kUsPerSecond);
  // 0.5 + 0.3 + 0.2 - 0.2 - 0.1 - 0.2 = 0.5 < 0.6
  EXPECT_NEAR(c.total, 0.5, 1e-12);
  EXPECT_EQ(q.refusal, Refusal::kBelowExecutionThreshold);  // economics fail first
  params_.min_execution_threshold = D("0.001");
  ev.set_params(params_);
  EXPECT_EQ(ev.evaluate(in, BasisDirection::kPerpPremium).refusal, Refusal::kLowConfidence);
}

TEST_F(BasisTest, SpreadQualityBrackets) {
  BasisEvaluator ev(params_);
  // 0.18%: +0.1
  load(perp_, {{"50090.0", "1"}}, {{"50091.0", "1"}}, kNow);
  BasisQuote q = ev.evaluate(inputs(), BasisDirection::kPerpPremium);
  EXPECT_EQ(q.entry_spread, D("0.0018"));
  EXPECT_DOUBLE_EQ(q.confidence.spread_quality, 0.1);
  // 1.2%: too wide to trust, no bonus.
  load(perp_, {{"50600.0", "1"}}, {{"50601.0", "1"}}, kNow);
  q = ev.evaluate(inputs(), BasisDirection::kPerpPremium);
  EXPECT_EQ(q.entry_spread, D("0.012"));
  EXPECT_DOUBLE_EQ(q.confidence.spread_quality, 0.0);
  // 0.1%: no bonus.
  load(perp_, {{"50050.0", "1"}}, {{"50051.0", "1"}}, kNow);
  q = ev.evaluate(inputs(), BasisDirection::kPerpPremium);
  EXPECT_DOUBLE_EQ(q.confidence.spread_quality, 0.0);
}

TEST_F(BasisTest, LiquidityBonusBrackets) {
  BasisEvaluator ev(params_);
  params_.max_depth_fraction = D("1");
  ev.set_params(params_);
  // 0.05 BTC in band on the thinner (spot) leg; size 0.02 -> 2.5x -> +0.1.
  load(spot_, {{"49999.00", "1"}}, {{"50000.00", "0.05"}}, kNow);
  BasisQuote q = ev.evaluate(inputs(), BasisDirection::kPerpPremium);
  EXPECT_DOUBLE_EQ(q.confidence.depth_ratio, 2.5);
  EXPECT_DOUBLE_EQ(q.confidence.liquidity, 0.1);
  // 0.1 -> 5x -> +0.2
  load(spot_, {{"49999.00", "1"}}, {{"50000.00", "0.1"}}, kNow);
  q = ev.evaluate(inputs(), BasisDirection::kPerpPremium);
  EXPECT_DOUBLE_EQ(q.confidence.liquidity, 0.2);
  // Depth outside the 10 bps band does not count: 0.02 at the touch, 5 BTC at +1%.
  load(spot_, {{"49999.00", "1"}}, {{"50000.00", "0.02"}, {"50500.00", "5"}}, kNow);
  q = ev.evaluate(inputs(), BasisDirection::kPerpPremium);
  EXPECT_DOUBLE_EQ(q.confidence.depth_ratio, 1.0);
  EXPECT_DOUBLE_EQ(q.confidence.liquidity, 0.1);
}

TEST_F(BasisTest, ThinBookVwapAndWorstPrice) {
  // Three thin ask levels: 0.01 @ 50000, 0.01 @ 50010, 0.1 @ 50050; buy 0.03.
  load(spot_, {{"49999.00", "1"}}, {{"50000.00", "0.01"}, {"50010.00", "0.01"}, {"50050.00", "0.1"}}, kNow);
  params_.position_size_usd = D("1500");
  BasisEvaluator ev(params_);
  const BasisQuote q = ev.evaluate(inputs(), BasisDirection::kPerpPremium);
  EXPECT_EQ(q.quantity, D("0.03"));
  EXPECT_EQ(q.spot.best_price, D("50000"));
  EXPECT_EQ(q.spot.worst_price, D("50050"));
  // (500 + 500.1 + 500.5) / 0.03 = 50020: the thin book costs 20 USD/BTC over the touch.
  EXPECT_EQ(q.notional_usd, D("1500.6"));
  EXPECT_EQ(q.spot.vwap, D("50020"));
  // (50200 - 50020) / 50020 = 0.0035985605... rounded down.
  EXPECT_EQ(q.entry_spread, D("0.003598560"));
  EXPECT_EQ(q.spot.depth, D("0.12"));
  EXPECT_DOUBLE_EQ(q.confidence.depth_ratio, 4.0);
  EXPECT_DOUBLE_EQ(q.confidence.liquidity, 0.2);
  // Limit from the WORST level: 50050 * 1.0005 = 50075.025 -> 50075.02.
  EXPECT_EQ(q.spot.limit_price, D("50075.02"));
}

TEST_F(BasisTest, SpotPremiumNeedsInventory) {
  load(spot_, {{"50300.00", "1"}}, {{"50301.00", "1"}}, kNow);
  load(perp_, {{"50099.0", "1"}}, {{"50100.0", "1"}}, kNow);
  BasisEvaluator ev(params_);
  BasisInputs in = inputs();
  BasisQuote q = ev.evaluate(in, BasisDirection::kSpotPremium);
  EXPECT_EQ(q.refusal, Refusal::kNoSpotInventory);
  EXPECT_EQ(q.size_limited_by, SizeLimit::kBaseInventory);
  EXPECT_FALSE(q.tradeable);
  EXPECT_TRUE(q.economics_valid);  // still priced at the minimum for the log

  in.account.available_base = D("1");
  in.funding.rate = D("-0.0001");  // shorts pay longs: our long perp receives
  q = ev.evaluate(in, BasisDirection::kSpotPremium);
  EXPECT_EQ(q.spot.side, Side::kAsk);
  EXPECT_EQ(q.perp.side, Side::kBid);
  // 1000 / 50300 = 0.01988.. -> 0.0198 on the common step.
  EXPECT_EQ(q.quantity, D("0.0198"));
  EXPECT_EQ(q.notional_usd, D("995.94"));
  // (50300 - 50100) / 50100 = 0.00399201596.. -> 0.003992015
  EXPECT_EQ(q.entry_spread, D("0.003992015"));
  EXPECT_EQ(q.funding_fraction, D("0.0008"));
  EXPECT_EQ(q.net_expected, D("0.001792015"));
  EXPECT_TRUE(q.opportunity);

  // Positive funding charges the long perp: -0.0008 -> net 0.000192015. The spread (0.399%) is still
  // an opportunity worth logging, but the net is below the execution threshold.
  in.funding.rate = D("0.0001");
  q = ev.evaluate(in, BasisDirection::kSpotPremium);
  EXPECT_EQ(q.funding_fraction, D("-0.0008"));
  EXPECT_EQ(q.net_expected, D("0.000192015"));
  EXPECT_TRUE(q.opportunity);
  EXPECT_FALSE(q.tradeable);
  EXPECT_EQ(q.refusal, Refusal::kBelowExecutionThreshold);

  // Borrowing allowed: no inventory needed.
  params_.allow_spot_borrow = true;
  ev.set_params(params_);
  in.account.available_base = D("0");
  q = ev.evaluate(in, BasisDirection::kSpotPremium);
  EXPECT_EQ(q.quantity, D("0.0198"));
  EXPECT_NE(q.refusal, Refusal::kNoSpotInventory);
}

TEST_F(BasisTest, EvaluateBestPicksTheRichSide) {
  BasisEvaluator ev(params_);
  BasisInputs in = inputs();
  in.account.available_base = D("1");
  const BasisQuote q = ev.evaluate_best(in);
  EXPECT_EQ(q.direction, BasisDirection::kPerpPremium);
  // SpotPremium here sells spot at 49999 and buys perp at 50201: deeply negative.
  const BasisQuote s = ev.evaluate(in, BasisDirection::kSpotPremium);
  EXPECT_TRUE(s.net_expected.is_negative());
}

TEST_F(BasisTest, StepRoundingUsesCoarserStepAndBothMinimums) {
  EXPECT_EQ(common_step(D("0.00001"), D("0.0001")), D("0.0001"));
  EXPECT_EQ(common_step(D("0.01"), D("0.01")), D("0.01"));
  EXPECT_EQ(common_step(D("0.02"), D("0.05")), D("0.1"));  // neither divides the other
  EXPECT_EQ(common_step(D("0"), D("0.1")), D("0"));

  load(spot_, {{"31234.55", "1"}}, {{"31234.56", "1"}}, kNow);
  load(perp_, {{"31400.0", "1"}}, {{"31400.1", "1"}}, kNow);
  BasisEvaluator ev(params_);
  const BasisQuote q = ev.evaluate(inputs(), BasisDirection::kPerpPremium);
  // 1000 / 31234.56 = 0.0320158.. : 0.03201 would be valid on spot but not on the perp.
  EXPECT_EQ(q.quantity, D("0.032"));
  EXPECT_TRUE(spot_spec_.valid_quantity(q.quantity));
  EXPECT_TRUE(perp_spec_.valid_quantity(q.quantity));

  // Same step on both: the finer step is kept.
  perp_spec_.step_size = D("0.00001");
  perp_spec_.min_quantity = D("0.00001");
  OrderBook p2(perp_spec_);
  load(p2, {{"31400.0", "1"}}, {{"31400.1", "1"}}, kNow);
  BasisInputs in = inputs();
  in.perp.book = &p2;
  EXPECT_EQ(ev.evaluate(in, BasisDirection::kPerpPremium).quantity, D("0.03201"));
}

TEST_F(BasisTest, BelowEitherMinimumIsRefusedNotHalfValid) {
  perp_spec_.min_quantity = D("0.001");
  params_.position_size_usd = D("20");  // 0.0004 BTC: fine for spot (min 0.00001), not for the perp
  BasisEvaluator ev(params_);
  BasisQuote q = ev.evaluate(inputs(), BasisDirection::kPerpPremium);
  EXPECT_FALSE(q.tradeable);
  EXPECT_EQ(q.refusal, Refusal::kBelowMinQuantity);
  EXPECT_EQ(q.size_limited_by, SizeLimit::kTarget);
  EXPECT_EQ(q.quantity, D("0.001"));  // priced at the common minimum for the log
  EXPECT_TRUE(q.economics_valid);

  // The spot minimum can bind too.
  perp_spec_.min_quantity = D("0.0001");
  spot_spec_.min_quantity = D("0.0005");
  q = ev.evaluate(inputs(), BasisDirection::kPerpPremium);
  EXPECT_EQ(q.refusal, Refusal::kBelowMinQuantity);
  EXPECT_EQ(q.quantity, D("0.0005"));

  // Large enough for both: accepted, and valid on both markets.
  params_.position_size_usd = D("50");  // 0.001
  params_.min_execution_threshold = D("0.001");
  ev.set_params(params_);
  q = ev.evaluate(inputs(), BasisDirection::kPerpPremium);
  EXPECT_EQ(q.quantity, D("0.001"));
  EXPECT_TRUE(q.tradeable);
  EXPECT_TRUE(spot_spec_.valid_quantity(q.quantity) && perp_spec_.valid_quantity(q.quantity));
}

TEST_F(BasisTest, MaxQuantityCaps) {
  perp_spec_.max_quantity = D("0.015");
  BasisEvaluator ev(params_);
  const BasisQuote q = ev.evaluate(inputs(), BasisDirection::kPerpPremium);
  EXPECT_EQ(q.quantity, D("0.015"));
  EXPECT_EQ(q.size_limited_by, SizeLimit::kMaxQuantity);
}

TEST_F(BasisTest, SizeCappedByRiskBalanceMarginAndLiquidity) {
  BasisEvaluator ev(params_);
  BasisInputs in = inputs();
  in.max_notional_usd = D("600");  // 600 / 50000 = 0.012
  BasisQuote q = ev.evaluate(in, BasisDirection::kPerpPremium);
  EXPECT_EQ(q.quantity, D("0.012"));
  EXPECT_EQ(q.size_limited_by, SizeLimit::kRisk);

  in = inputs();
  in.max_notional_usd = D("4");  // 0.00008 < 0.0001 minimum
  q = ev.evaluate(in, BasisDirection::kPerpPremium);
  EXPECT_EQ(q.refusal, Refusal::kRiskLimit);
  in.max_notional_usd = D("0");
  EXPECT_EQ(ev.evaluate(in, BasisDirection::kPerpPremium).refusal, Refusal::kRiskLimit);

  in = inputs();
  in.account.available_quote = D("500");  // 500 / (50000 * 1.001) = 0.00999.. -> 0.0099
  q = ev.evaluate(in, BasisDirection::kPerpPremium);
  EXPECT_EQ(q.quantity, D("0.0099"));
  EXPECT_EQ(q.size_limited_by, SizeLimit::kQuoteBalance);
  in.account.available_quote = D("3");
  EXPECT_EQ(ev.evaluate(in, BasisDirection::kPerpPremium).refusal, Refusal::kInsufficientBalance);

  in = inputs();
  in.account.available_margin = D("10");  // 10 / (50200 * 0.02) = 0.00996.. -> 0.0099
  q = ev.evaluate(in, BasisDirection::kPerpPremium);
  EXPECT_EQ(q.quantity, D("0.0099"));
  EXPECT_EQ(q.size_limited_by, SizeLimit::kMargin);
  in.account.available_margin = D("0.05");
  EXPECT_EQ(ev.evaluate(in, BasisDirection::kPerpPremium).refusal, Refusal::kInsufficientMargin);

  // Liquidity buffer: 0.03 in band, take at most half -> 0.015.
  load(spot_, {{"49999.00", "1"}}, {{"50000.00", "0.03"}}, kNow);
  q = ev.evaluate(inputs(), BasisDirection::kPerpPremium);
  EXPECT_EQ(q.quantity, D("0.015"));
  EXPECT_EQ(q.size_limited_by, SizeLimit::kLiquidity);
  load(spot_, {{"49999.00", "1"}}, {{"50000.00", "0.00015"}}, kNow);
  EXPECT_EQ(ev.evaluate(inputs(), BasisDirection::kPerpPremium).refusal, Refusal::kInsufficientLiquidity);
}

TEST_F(BasisTest, BalanceRecheckedAtWalkedPrice) {
  // Top of book says 1005 USD buys 0.02; the walk costs 1010 + fee, so the size shrinks once.
  load(spot_, {{"49999.00", "1"}}, {{"50000.00", "0.01"}, {"51000.00", "1"}}, kNow);
  params_.depth_band_bps = D("500");
  BasisEvaluator ev(params_);
  BasisInputs in = inputs();
  in.account.available_quote = D("1005");
  const BasisQuote q = ev.evaluate(in, BasisDirection::kPerpPremium);
  // 1005 / (51000 * 1.001) = 0.019686.. -> 0.0196; cost 500 + 0.0096*51000 = 989.6 (+0.9896 fee).
  EXPECT_EQ(q.quantity, D("0.0196"));
  EXPECT_EQ(q.notional_usd, D("989.6"));
  EXPECT_EQ(q.size_limited_by, SizeLimit::kQuoteBalance);
}

TEST_F(BasisTest, MakerPlanForLargeSpreads) {
  params_.use_maker_for_large_spreads = true;
  params_.large_spread_threshold = D("0.003");
  params_.exit_as_maker = true;
  BasisEvaluator ev(params_);
  BasisQuote q = ev.evaluate(inputs(), BasisDirection::kPerpPremium);
  EXPECT_EQ(q.plan, ExecutionPlan::kMaker);
  EXPECT_STREQ(to_string(q.plan), "MAKER");
  EXPECT_EQ(q.fee_fraction, D("0.0018"));  // maker round trip
  // Post-only at our own side's touch: buy spot at the best bid, sell perp at the best ask.
  EXPECT_EQ(q.spot.limit_price, D("49999"));
  EXPECT_EQ(q.perp.limit_price, D("50201"));
  EXPECT_TRUE(q.spot.post_only && q.perp.post_only);
  // 0.004 - 0.0018 - 0.0002 + 0.0008
  EXPECT_EQ(q.net_expected, D("0.0028"));

  // Below the large-spread threshold: taker.
  params_.large_spread_threshold = D("0.005");
  ev.set_params(params_);
  q = ev.evaluate(inputs(), BasisDirection::kPerpPremium);
  EXPECT_EQ(q.plan, ExecutionPlan::kTaker);
  EXPECT_EQ(q.fee_fraction, D("0.0023"));  // taker in, maker out (exit_as_maker)
}

TEST_F(BasisTest, BadInputsGetClearRefusals) {
  BasisEvaluator ev(params_);
  BasisInputs in = inputs();
  in.perp.book = nullptr;
  EXPECT_EQ(ev.evaluate(in, BasisDirection::kPerpPremium).refusal, Refusal::kBadMarketSpec);

  in = inputs();
  perp_spec_.state = OrderBookState::kCancelOnly;
  EXPECT_EQ(ev.evaluate(in, BasisDirection::kPerpPremium).refusal, Refusal::kMarketNotTrading);
  // A post-only market forces the MAKER plan; without a touch of our own side to join, no trade.
  perp_spec_.state = OrderBookState::kPostOnly;
  EXPECT_EQ(ev.evaluate(in, BasisDirection::kPerpPremium).plan, ExecutionPlan::kMaker);
  load(spot_, {}, {{"50000.00", "1"}}, kNow);  // no spot bids to post a buy at
  EXPECT_EQ(ev.evaluate(in, BasisDirection::kPerpPremium).refusal, Refusal::kMarketNotTrading);
  load(spot_, {{"49999.00", "1"}}, {{"50000.00", "1"}}, kNow);
  perp_spec_.state = OrderBookState::kOpen;

  perp_.set_valid(false);
  BasisQuote q = ev.evaluate(in, BasisDirection::kPerpPremium);
  EXPECT_EQ(q.refusal, Refusal::kBookInvalid);
  EXPECT_FALSE(q.economics_valid);
  EXPECT_FALSE(q.tradeable);
  perp_.set_valid(true);

  load(spot_, {{"49999.00", "1"}}, {}, kNow);  // no asks to buy from
  EXPECT_EQ(ev.evaluate(in, BasisDirection::kPerpPremium).refusal, Refusal::kBookEmpty);
}

}  // namespace
}  // namespace bparb

namespace bparb {
namespace {

TEST_F(BasisTest, DescribeShowsTheFormula) {
  params_.min_execution_threshold = D("0.0015");
  BasisEvaluator ev(params_, 60, 0, 3, "BTC");
  const BasisQuote q = ev.evaluate(inputs(), BasisDirection::kPerpPremium);
  EXPECT_EQ(q.pair_id, 3u);
  EXPECT_EQ(q.pair_name, "BTC");
  char buf[1024];
  const std::size_t n = describe(q, buf, sizeof buf);
  const std::string line(buf, n);
  EXPECT_EQ(line,
            "BTC PerpPremium TAKER qty=0.02 notional=1000 spread=0.4% exit=0% fees=0.28% slip=0.02% "
            "funding=0.08%(8x) net=0.18% (1.8 USD) conf=1.00[0.5+liq0.3(50.0x)+spread0.2+0.0stale+0.0resync"
            "+0.0vol(sd=0.00000)] spot Bid vwap=50000 worst=50000 limit=50025 perp Ask vwap=50200 worst=50200 "
            "limit=50174.9 size_by=target TRADEABLE refusal=none");
  // Truncates safely.
  char small[16];
  EXPECT_EQ(describe(q, small, sizeof small), 15u);
  EXPECT_EQ(std::string(small), "BTC PerpPremium");
  EXPECT_EQ(describe(q, nullptr, 0), 0u);
}

}  // namespace
}  // namespace bparb

namespace bparb {
namespace {

TEST(BasisParamsValidate, ClearMessages) {
  BasisParams p;
  EXPECT_EQ(validate(p), nullptr);
  p.position_size_usd = Decimal::zero();
  EXPECT_STREQ(validate(p), "position_size_usd must be > 0");
  p = BasisParams{};
  p.min_execution_threshold = Decimal::from_string("0.0005");  // below the 0.001 opportunity threshold
  EXPECT_STREQ(validate(p), "min_execution_threshold must be >= min_spread_threshold");
  p = BasisParams{};
  p.max_depth_fraction = Decimal::from_string("1.5");
  EXPECT_STREQ(validate(p), "max_depth_fraction must be in (0, 1]");
  p = BasisParams{};
  p.spot_slippage_buffer = Decimal::from_string("0.2");
  EXPECT_STREQ(validate(p), "spot_slippage_buffer must be in [0, 0.1)");
  p = BasisParams{};
  p.min_confidence = 1.5;
  EXPECT_STREQ(validate(p), "min_confidence must be in [0, 1]");

  ExitParams e;
  EXPECT_EQ(validate(e), nullptr);
  e.max_adverse_funding_rate = Decimal::from_string("-0.0001");
  EXPECT_STREQ(validate(e), "max_adverse_funding_rate must be >= 0");
  e = ExitParams{};
  e.min_closing_spread = Decimal::from_string("-0.5");
  EXPECT_STREQ(validate(e), "min_closing_spread must be within +/-0.1");
}

}  // namespace
}  // namespace bparb
