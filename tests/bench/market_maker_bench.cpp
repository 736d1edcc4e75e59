// Google Benchmark suite for the market maker's decision core (strategy/market_maker only):
//  - one public trade -> decide (the usual case: the side holds, the quote stays)
//  - one book top change -> decide (the touch wanders: some iterations cancel or place)
//  - one fill -> MmStats, and one mid -> markouts
// A SOL-like perp at 150 with a live quote; events are generated before timing and cycled.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

#include "bparb/core/market_spec.hpp"
#include "bparb/strategy/market_maker/market_maker_core.hpp"
#include "bparb/strategy/market_maker/mm_stats.hpp"

namespace bparb {
namespace {

constexpr TimestampUs kT0 = 1'795'132'800LL * kUsPerSecond;
constexpr std::size_t kEvents = 4096;  // power of two

MarketSpec sol_perp() {
  MarketSpec s;
  s.symbol = "SOL_USDC_PERP";
  s.type = MarketType::kPerp;
  s.tick_size = Decimal::from_string("0.01");
  s.step_size = Decimal::from_string("0.01");
  s.min_quantity = Decimal::from_string("0.01");
  return s;
}

BookTop top(std::int64_t bid, std::int64_t ask, TimestampUs t) {
  BookTop b;
  b.bid_ticks = bid;
  b.bid_lots = 500;
  b.next_bid_ticks = bid - 1;
  b.ask_ticks = ask;
  b.ask_lots = 500;
  b.next_ask_ticks = ask + 1;
  b.updated_us = t;
  b.valid = true;
  return b;
}

// Answers the core's decisions as an instant venue would, so the next iteration starts from a quote.
void settle(MarketMakerCore& core, const MmDecision& d, ClientId& next_id, TimestampUs now) {
  if (d.action == MmAction::kPlace) {
    core.on_quote_submitted(next_id);
    core.on_quote_accepted(next_id++);
  } else if (d.action == MmAction::kCancel) {
    core.on_quote_done(d.client_id, QuoteEnd::kCancelled, now);
  } else if (d.action == MmAction::kHedge) {
    core.on_hedge_done(0, now, false);
  }
}

struct Warm {
  Warm() : core(params(), sol_perp()) {
    core.on_equity(Decimal::from_int(10'000));
    core.on_book(top(14'999, 15'001, now), now);
    for (int i = 0; i < 8; ++i) core.on_trade(PublicTrade{now, 15'001, 20, false});
    settle(core, core.decide(now), next_id, now);
  }
  static MmParams params() {
    MmParams p;
    p.max_requests_per_window = kMmMaxRequestsPerWindow;  // the benchmark measures decisions, not the budget
    p.request_window_ms = 100;
    p.requote_persist_ms = 0;  // every book move is followed at once: the cancel/replace path is what is timed
    return p;
  }
  MarketMakerCore core;
  TimestampUs now = kT0;
  ClientId next_id = 1;
};

void BM_MmTradeToDecision(benchmark::State& state) {
  Warm w;
  std::vector<PublicTrade> trades(kEvents);
  for (std::size_t i = 0; i < kEvents; ++i) {
    trades[i] = PublicTrade{0, 15'000 + static_cast<std::int64_t>(i % 3), 1 + static_cast<std::int64_t>(i % 7),
                            i % 4 == 0};  // three in four taker buys: the ask holds
  }
  std::size_t i = 0;
  for (auto _ : state) {
    w.now += 1'000;  // 1 ms
    PublicTrade t = trades[i++ & (kEvents - 1)];
    t.at_us = w.now;
    w.core.on_book(top(14'999, 15'001, w.now), w.now);  // keeps the book fresh; the top is unchanged
    w.core.on_trade(t);
    const MmDecision d = w.core.decide(w.now);
    benchmark::DoNotOptimize(d);
    settle(w.core, d, w.next_id, w.now);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_MmTradeToDecision);

void BM_MmBookToDecision(benchmark::State& state) {
  Warm w;
  std::vector<std::int64_t> mids(kEvents);
  for (std::size_t i = 0; i < kEvents; ++i) mids[i] = 15'000 + static_cast<std::int64_t>((i * 7) % 5) - 2;
  std::size_t i = 0;
  std::int64_t actions = 0;
  for (auto _ : state) {
    w.now += 1'000;
    const std::int64_t mid = mids[i++ & (kEvents - 1)];
    w.core.on_book(top(mid - 1, mid + 1, w.now), w.now);
    if ((i & 63) == 0) w.core.on_trade(PublicTrade{w.now, mid + 1, 20, false});
    const MmDecision d = w.core.decide(w.now);
    benchmark::DoNotOptimize(d);
    actions += d.action != MmAction::kNone;
    settle(w.core, d, w.next_id, w.now);
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["actions"] = benchmark::Counter(static_cast<double>(actions), benchmark::Counter::kAvgIterations);
}
BENCHMARK(BM_MmBookToDecision);

void BM_MmStatsFillAndMid(benchmark::State& state) {
  MmStats s;
  TimestampUs now = kT0;
  MmFill f;
  f.price = Decimal::from_string("149.99");
  f.quantity = Decimal::from_string("0.06");
  f.fee = Decimal::from_string("0.0018");
  f.mid = Decimal::from_string("150");
  std::int64_t n = 0;
  for (auto _ : state) {
    now += 100'000;  // 100 ms: fills and mids resolve markouts continuously
    f.at_us = now;
    f.side = (n++ & 1) != 0 ? Side::kBid : Side::kAsk;
    s.on_fill(f);
    s.on_mid(now, Decimal::from_raw(150'000'000'000 + (n % 7) * 5'000'000));
  }
  benchmark::DoNotOptimize(s.report());
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_MmStatsFillAndMid);

}  // namespace
}  // namespace bparb

BENCHMARK_MAIN();
