// The order path's figures for /metrics: sent -> ack and tick -> order latencies matched by client id,
// fills and notional by liquidity, funding rates; their copy into the snapshot and their exposition lines.
#include "bparb/service/trading_metrics.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "bparb/exec/arb_engine.hpp"
#include "bparb/service/render.hpp"
#include "bparb/service/snapshot.hpp"

namespace bparb::service {
namespace {

constexpr TimestampUs kT0 = 1'700'000'000'000'000;

exec::OrderSpec order(ClientId id, const MarketSpec* m = nullptr) {
  exec::OrderSpec o;
  o.client_id = id;
  o.market = m;
  return o;
}

TEST(TradingMetrics, AckLatencyIsFromHandOverToTheVenuesAnswer) {
  TradingMetrics m;
  const std::vector<exec::OrderSpec> batch = {order(11), order(12)};
  m.orders_handed(batch, kT0);
  m.order_answered(11, kT0 + 3'000);
  m.order_answered(12, kT0 + 30'000);
  m.order_answered(12, kT0 + 90'000);  // a second answer of the same order is not a second sample
  m.order_answered(99, kT0 + 1'000);   // never handed by us
  EXPECT_EQ(m.order_ack().count(), 2u);
  EXPECT_EQ(m.order_ack().sum_us(), 33'000);
  EXPECT_EQ(m.order_ack().cumulative(8), 0u);   // <= 2.5 ms
  EXPECT_EQ(m.order_ack().cumulative(9), 1u);   // <= 5 ms: the 3 ms answer
  EXPECT_EQ(m.order_ack().cumulative(11), 1u);  // <= 25 ms
  EXPECT_EQ(m.order_ack().cumulative(12), 2u);  // <= 50 ms: the 30 ms answer too
}

TEST(TradingMetrics, AnUnknownOutcomeIsNoSampleAndFreesTheSlot) {
  TradingMetrics m;
  const std::vector<exec::OrderSpec> one = {order(5)};
  m.orders_handed(one, kT0);
  m.order_answered(5, kT0 + 10 * kUsPerSecond, false);
  m.order_answered(5, kT0 + 11 * kUsPerSecond);  // late answer after the timeout: already given up on
  EXPECT_EQ(m.order_ack().count(), 0u);
}

TEST(TradingMetrics, AReusedSlotDropsTheOlderOrderOnly) {
  TradingMetrics m;
  const std::vector<exec::OrderSpec> first = {order(3)};
  const std::vector<exec::OrderSpec> second = {order(3 + TradingMetrics::kInFlight)};
  m.orders_handed(first, kT0);
  m.orders_handed(second, kT0 + 100);
  EXPECT_EQ(m.ack_untracked(), 1u);
  m.order_answered(3, kT0 + 500);  // its slot now holds the other order
  EXPECT_EQ(m.order_ack().count(), 0u);
  m.order_answered(3 + TradingMetrics::kInFlight, kT0 + 600);
  EXPECT_EQ(m.order_ack().count(), 1u);
  EXPECT_EQ(m.order_ack().sum_us(), 500);
}

TEST(TradingMetrics, TickToOrderOnlyForOrdersDecidedOnABookFrame) {
  TradingMetrics m;
  const std::vector<exec::OrderSpec> entry = {order(21), order(22)};
  m.tick_begin(kT0);  // the frame was received at kT0
  m.orders_handed(entry, kT0 + 40);
  m.tick_end();
  m.orders_on_wire(entry, kT0 + 65);
  m.orders_on_wire(entry, kT0 + 900);  // the same batch again records nothing more
  const std::vector<exec::OrderSpec> hedge = {order(23)};
  m.orders_handed(hedge, kT0 + 2'000);  // after a fill, not a frame
  m.orders_on_wire(hedge, kT0 + 2'050);
  EXPECT_EQ(m.tick_to_order().count(), 1u);
  EXPECT_EQ(m.tick_to_order().sum_us(), 65);
}

TEST(TradingMetrics, FillsAndNotionalByMarketAndLiquidity) {
  MarketSpec spot, perp;
  spot.symbol = "SOL_USDC";
  perp.symbol = "SOL_USDC_PERP";
  TradingMetrics m;
  m.fill(&perp, true, Decimal::from_string("1.5"), Decimal::from_string("150.25"));
  m.fill(&perp, false, Decimal::from_string("0.5"), Decimal::from_string("150.5"));
  m.fill(&spot, false, Decimal::from_string("2"), Decimal::from_string("150.1"));
  m.fill(&perp, true, Decimal::from_string("1"), Decimal::from_string("150"));
  m.fill(nullptr, true, Decimal::one(), Decimal::one());  // no market: not counted
  ASSERT_EQ(m.flows().size(), 2u);
  EXPECT_EQ(m.flows()[0].market, &perp);
  EXPECT_EQ(m.flows()[0].fills[TradingMetrics::kMaker], 2u);
  EXPECT_EQ(m.flows()[0].notional[TradingMetrics::kMaker], Decimal::from_string("375.375"));
  EXPECT_EQ(m.flows()[0].fills[TradingMetrics::kTaker], 1u);
  EXPECT_EQ(m.flows()[0].notional[TradingMetrics::kTaker], Decimal::from_string("75.25"));
  EXPECT_EQ(m.flows()[1].notional[TradingMetrics::kTaker], Decimal::from_string("300.2"));
  EXPECT_EQ(m.flows()[1].fills[TradingMetrics::kMaker], 0u);
}

TEST(TradingMetrics, CollectedIntoTheSnapshotAndRendered) {
  MarketSpec perp;
  perp.symbol = "SOL_USDC_PERP";
  TradingMetrics m;
  m.fill(&perp, false, Decimal::from_string("0.5"), Decimal::from_string("150.5"));
  m.funding_rate(0, Decimal::from_string("-0.0000125"));
  m.funding_rate(1, Decimal::from_string("0.0001"));  // no such pair in the snapshot: not shown
  const std::vector<exec::OrderSpec> one = {order(1)};
  m.orders_handed(one, kT0);
  m.order_answered(1, kT0 + 7'000);

  Snapshot s;
  s.started_us = kT0;
  s.taken_us = kT0 + kUsPerSecond;
  PairView p;
  p.name = "SOL";
  p.spot = {"SOL_USDC", Decimal::from_string("2"), {}};
  p.perp = {"SOL_USDC_PERP", Decimal::from_string("-1.5"), {}};
  p.has_basis = true;
  p.perp_mid = Decimal::from_string("150");
  s.pairs.push_back(p);
  VenueHealth& v = s.venues.emplace_back();
  v.name = "backpack";
  collect_metrics(s, v, m);
  ASSERT_EQ(s.funding_rates.size(), 1u);
  EXPECT_EQ(s.funding_rates[0].symbol, "SOL_USDC_PERP");
  ASSERT_EQ(s.liquidity.size(), 2u);  // maker and taker, a zero maker line included
  EXPECT_EQ(v.order_ack.count(), 1u);

  const std::string text = render_metrics(s);
  for (const char* want : {
           "bparb_fills_by_liquidity_total{venue=\"backpack\",symbol=\"SOL_USDC_PERP\",liquidity=\"taker\"} 1\n",
           "bparb_fills_by_liquidity_total{venue=\"backpack\",symbol=\"SOL_USDC_PERP\",liquidity=\"maker\"} 0\n",
           "bparb_filled_notional_usd_total{venue=\"backpack\",symbol=\"SOL_USDC_PERP\",liquidity=\"taker\"} 75.25\n",
           "bparb_funding_rate{symbol=\"SOL_USDC_PERP\"} -0.0000125\n",
           "bparb_hedge_imbalance_base{symbol=\"SOL\"} 0.5\n",
           "bparb_hedge_imbalance_usd{symbol=\"SOL\"} 75\n",
           "bparb_order_ack_latency_seconds_bucket{venue=\"backpack\",le=\"0.005000\"} 0\n",
           "bparb_order_ack_latency_seconds_bucket{venue=\"backpack\",le=\"0.010000\"} 1\n",
           "bparb_order_ack_latency_seconds_bucket{venue=\"backpack\",le=\"+Inf\"} 1\n",
           "bparb_order_ack_latency_seconds_sum{venue=\"backpack\"} 0.007000\n",
           "bparb_order_ack_latency_seconds_count{venue=\"backpack\"} 1\n",
           "bparb_tick_to_order_seconds_count{venue=\"backpack\",strategy=\"basis\"} 0\n",
           "bparb_journal_write_seconds_bucket{le=\"+Inf\"} 0\n",
           "bparb_journal_write_seconds_sum 0.000000\n",
           "bparb_config_reloads_total{result=\"applied\"} 0\n",
           "bparb_reconciliation_mismatches_total{venue=\"backpack\",reason=\"fill_missing_from_stream\"} 0\n",
       })
    EXPECT_NE(text.find(want), std::string::npos) << want << "\n" << text;
  // Absent until known: the stream's last frame and the account poll's margin.
  EXPECT_EQ(text.find("bparb_ws_last_message_timestamp_seconds{"), std::string::npos);
  EXPECT_EQ(text.find("bparb_margin_available_usd{"), std::string::npos);
  v.last_message_us = kT0 + 500'000;
  v.margin_used = Decimal::from_string("12.5");
  const std::string later = render_metrics(s);
  EXPECT_NE(later.find("bparb_ws_last_message_timestamp_seconds{venue=\"backpack\"} 1700000000.500000\n"),
            std::string::npos);
  EXPECT_NE(later.find("bparb_margin_used_usd{venue=\"backpack\"} 12.5\n"), std::string::npos);
}

}  // namespace
TEST(LatencyQuantile, InterpolatesWithinTheBucketLikePrometheus) {
  LatencyHistogram h;
  EXPECT_EQ(latency_quantile_us(h, 500), 0);       // no observation
  for (int i = 0; i < 50; ++i) h.record(3'000);    // 2.5 .. 5 ms
  for (int i = 0; i < 40; ++i) h.record(7'000);    // 5 .. 10 ms
  for (int i = 0; i < 10; ++i) h.record(20'000);   // 10 .. 25 ms
  EXPECT_EQ(latency_quantile_us(h, 250), 3'750);   // rank 25 is halfway through the first bucket's 50
  EXPECT_EQ(latency_quantile_us(h, 500), 5'000);   // rank 50 ends the first bucket
  EXPECT_EQ(latency_quantile_us(h, 900), 10'000);  // rank 90 ends the second
  EXPECT_EQ(latency_quantile_us(h, 990), 23'500);  // 9 of the third bucket's 10: 10 ms + 0.9 x 15 ms
  EXPECT_EQ(latency_quantile_us(h, 1000), 25'000);
  LatencyHistogram slow;
  slow.record(60'000'000);  // above the last bound: the last finite bound is the answer
  EXPECT_EQ(latency_quantile_us(slow, 990), LatencyHistogram::kBoundsUs.back());
}

}  // namespace bparb::service
