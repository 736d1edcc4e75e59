// Google Benchmark suite for the cross-venue arbitrage's decision core (strategy/cross_venue only):
//  - one book update (one level of either venue changes) -> observe + evaluate both directions, with
//    evaluate_best and evaluate_best_fast, on an opportunity and on a quiet market
//  - one direction's evaluation alone, and the exit check of an open position
// BTC perpetuals on Backpack and Lighter, 20 levels a side, the Lighter bid 90 USD over the Backpack ask
// (a LongBackpack opportunity the core walks, sizes and prices every time).
#include <benchmark/benchmark.h>

#include <cstdint>

#include "bparb/core/market_spec.hpp"
#include "bparb/strategy/cross_venue/xarb_exit.hpp"
#include "bparb/strategy/cross_venue/xarb_signal.hpp"

namespace bparb {
namespace {

constexpr TimestampUs kT0 = 1'795'132'800LL * kUsPerSecond;
constexpr int kLevels = 20;

MarketSpec perp(const char* step) {
  MarketSpec s;
  s.symbol = "BTC";
  s.type = MarketType::kPerp;
  s.tick_size = Decimal::from_string("0.1");
  s.min_price = Decimal::from_string("0.1");
  s.step_size = Decimal::from_string(step);
  s.min_quantity = s.step_size;
  s.funding_interval_ms = 3'600'000;
  return s;
}

// A snapshot stamped kT0: best bid at `bid_ticks`, best ask one tick above, kLevels levels a side one
// tick apart, `lots` steps each.
void fill(OrderBook& b, const MarketSpec& spec, std::int64_t bid_ticks, std::int64_t lots) {
  DepthSnapshot snap;
  snap.last_update_id = 1;
  snap.timestamp_us = kT0;
  const Decimal qty = Decimal::from_units(lots, spec.step_size);
  for (int i = 0; i < kLevels; ++i) {
    snap.bids.push_back({Decimal::from_units(bid_ticks - i, spec.tick_size), qty});
    snap.asks.push_back({Decimal::from_units(bid_ticks + 1 + i, spec.tick_size), qty});
  }
  b.load_snapshot(snap, kT0);
}

struct Setup {
  MarketSpec bs = perp("0.0001");
  MarketSpec ls = perp("0.00001");
  OrderBook bp{bs};
  OrderBook lt{ls};
  XarbParams params;
  XarbInputs in;

  Setup() {
    fill(bp, bs, 499'990, 20);   // 49999.0 / 49999.1, 0.002 BTC a level
    fill(lt, ls, 500'900, 200);  // 50090.0 / 50090.1, 0.002 BTC a level
    params.target_notional_usd = Decimal::from_int(1'000);
    params.max_position_backpack = params.max_position_lighter = Decimal::from_int(1);
    params.max_total_exposure_usd = Decimal::from_int(1'000'000);
    for (XarbVenueState* v : {&in.backpack, &in.lighter}) {
      v->private_stream_up = v->clock_settled = v->nonce_settled = true;
      v->available_margin = Decimal::from_int(100'000);
      v->funding = FundingInfo{Decimal::from_string("0.00001"), 3'600'000, kT0 + kUsPerHour, {}};
    }
    in.backpack = {&bs, &bp, 1, true, true, true, in.backpack.funding, {}, in.backpack.available_margin};
    in.lighter = {&ls, &lt, 1, true, true, true, in.lighter.funding, {}, in.lighter.available_margin};
    in.backpack_fees = InstrumentFees{Decimal::from_int(2), Decimal::from_int(5)};
    in.now = kT0;
  }
};

void BM_BookUpdateEvaluateBoth(benchmark::State& state) {
  Setup s;
  XarbEvaluator ev(s.params);
  std::int64_t i = 0;
  for (auto _ : state) {
    // Alternate venues; the quantity at one of the levels the walk consumes changes.
    const std::int64_t lots = 20 + (i & 7);
    if ((i & 1) == 0) {
      s.bp.apply_level_ticks(Side::kAsk, 499'992, lots);
    } else {
      s.lt.apply_level_ticks(Side::kBid, 500'898, lots * 10);
    }
    s.in.now = kT0 + (i & 1023);  // the books stay fresh (apply_level_ticks does not stamp them)
    ev.observe(s.bp, s.lt, s.in.now);
    const XarbQuote q = ev.evaluate_best(s.in);
    benchmark::DoNotOptimize(q.net_edge);
    ++i;
  }
  state.counters["tradeable"] = ev.evaluate_best(s.in).tradeable ? 1 : 0;
}
BENCHMARK(BM_BookUpdateEvaluateBoth);

// The same update through evaluate_best_fast: the opportunity is real, so both directions' touch tests
// pass one of them and the walk still runs (the cost of an opportunity).
void BM_BookUpdateEvaluateFast(benchmark::State& state) {
  Setup s;
  XarbEvaluator ev(s.params);
  std::int64_t i = 0;
  for (auto _ : state) {
    const std::int64_t lots = 20 + (i & 7);
    if ((i & 1) == 0) {
      s.bp.apply_level_ticks(Side::kAsk, 499'992, lots);
    } else {
      s.lt.apply_level_ticks(Side::kBid, 500'898, lots * 10);
    }
    s.in.now = kT0 + (i & 1023);
    ev.observe(s.bp, s.lt, s.in.now);
    const XarbQuote q = ev.evaluate_best_fast(s.in);
    benchmark::DoNotOptimize(q.net_edge);
    ++i;
  }
}
BENCHMARK(BM_BookUpdateEvaluateFast);

// A quiet market: both venues' books around the same price (no direction crosses min_entry_spread_bps
// at the touch), through evaluate_best and evaluate_best_fast.
template <bool kFast>
void BM_QuietMarket(benchmark::State& state) {
  Setup s;
  fill(s.lt, s.ls, 499'991, 200);  // Lighter's bid 0.1 USD over Backpack's bid: 0.02 bps
  XarbEvaluator ev(s.params);
  std::int64_t i = 0;
  for (auto _ : state) {
    s.bp.apply_level_ticks(Side::kAsk, 499'992, 20 + (i & 7));
    s.in.now = kT0 + (i & 1023);
    ev.observe(s.bp, s.lt, s.in.now);
    const XarbQuote q = kFast ? ev.evaluate_best_fast(s.in) : ev.evaluate_best(s.in);
    benchmark::DoNotOptimize(q.refusal);
    ++i;
  }
}
BENCHMARK_TEMPLATE(BM_QuietMarket, false)->Name("BM_QuietMarketEvaluateBest");
BENCHMARK_TEMPLATE(BM_QuietMarket, true)->Name("BM_QuietMarketEvaluateBestFast");

void BM_EvaluateOneDirection(benchmark::State& state) {
  Setup s;
  const XarbEvaluator ev(s.params);
  for (auto _ : state) {
    const XarbQuote q = ev.evaluate(s.in, XarbDirection::kLongBackpack);
    benchmark::DoNotOptimize(q.net_edge);
  }
}
BENCHMARK(BM_EvaluateOneDirection);

void BM_HealthRefusal(benchmark::State& state) {
  Setup s;
  s.in.lighter.nonce_settled = false;
  const XarbEvaluator ev(s.params);
  for (auto _ : state) {
    const XarbQuote q = ev.evaluate_best(s.in);
    benchmark::DoNotOptimize(q.refusal);
  }
}
BENCHMARK(BM_HealthRefusal);

void BM_ExitCheck(benchmark::State& state) {
  Setup s;
  const XarbPosition pos{XarbDirection::kLongBackpack,
                         Decimal::from_string("0.02"),
                         Decimal::from_int(90),
                         Decimal::from_int(1'000),
                         kT0 - kUsPerHour,
                         Decimal::from_string("0.5"),
                         Decimal::zero()};
  const XarbExitInputs in{&s.bp, &s.lt, s.in.backpack.funding, s.in.lighter.funding, s.in.backpack_fees, false, kT0};
  for (auto _ : state) {
    const XarbExitSignal x = evaluate_xarb_exit(pos, in, s.params);
    benchmark::DoNotOptimize(x.pnl_if_closed_usd);
  }
}
BENCHMARK(BM_ExitCheck);

}  // namespace
}  // namespace bparb

BENCHMARK_MAIN();
