// Book and depth-sync micro-benchmarks on a synthetic, seeded delta stream (no data files needed).
//
// The stream imitates Backpack's realtime depth for a SOL-like market (tick 0.01, step 0.01, price
// ~150, 1000 levels a side from the snapshot): most changes hit the top few levels, ~20% delete a
// level, a few touch deep levels. Streams are generated before timing and cycled.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "bparb/book/depth_sync.hpp"
#include "bparb/book/order_book.hpp"
#include "recorded_depth.hpp"
#include "synthetic_depth.hpp"

namespace bparb {
namespace {

OrderBook loaded_book() {
  OrderBook b(sol_spec());
  b.load_snapshot(make_snapshot(1));
  return b;
}

// One absolute level change near the top, integer path (what the book costs by itself).
void BM_BookApplyLevelTicksNearTop(benchmark::State& state) {
  OrderBook book = loaded_book();
  const std::vector<TickUpdate> ups = make_updates(kStreamLen, 42);
  std::size_t i = 0;
  for (auto _ : state) {
    const TickUpdate& u = ups[i++ & (kStreamLen - 1)];
    benchmark::DoNotOptimize(book.apply_level_ticks(u.side, u.price_ticks, u.qty_lots));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_BookApplyLevelTicksNearTop);

// A parsed DepthDelta (1-3 Decimal levels) near the top, incl. tick/step validation and conversion.
void BM_BookApplyDeltaNearTop(benchmark::State& state) {
  OrderBook book = loaded_book();
  const std::vector<DepthDelta> deltas = make_deltas(kStreamLen, 2, 43);
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(book.apply(deltas[i++ & (kStreamLen - 1)]));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_BookApplyDeltaNearTop);

// Delete a level `depth` levels below the touch, then put it back (2 operations per iteration):
// the worst case for a best-at-back array is a change far from the back (memmove of the tail).
void BM_BookDeepDeleteReinsert(benchmark::State& state) {
  OrderBook book = loaded_book();
  const std::int64_t depth = state.range(0);
  const std::int64_t px = kMidTicks - 1 - depth;
  for (auto _ : state) {
    benchmark::DoNotOptimize(book.apply_level_ticks(Side::kBid, px, 0));
    benchmark::DoNotOptimize(book.apply_level_ticks(Side::kBid, px, 1234));
  }
  state.SetItemsProcessed(state.iterations() * 2);
}
BENCHMARK(BM_BookDeepDeleteReinsert)->Arg(10)->Arg(500)->Arg(990);

// Taker walk through exactly 10 levels (VWAP, notional, worst price).
void BM_BookWalk10Levels(benchmark::State& state) {
  OrderBook book = loaded_book();
  std::int64_t lots = 0;
  for (std::size_t i = 0; i < 9; ++i) lots += book.levels(Side::kAsk)[book.level_count(Side::kAsk) - 1 - i].qty_lots;
  lots += 1;  // one lot into the 10th level
  const Decimal qty = book.lots_to_quantity(lots);
  for (auto _ : state) {
    BookFill f = book.walk(Side::kBid, qty);
    benchmark::DoNotOptimize(f);
  }
  if (book.walk(Side::kBid, qty).levels != 10) state.SkipWithError("walk did not touch 10 levels");
}
BENCHMARK(BM_BookWalk10Levels);

void BM_BookWalkNotional10Levels(benchmark::State& state) {
  OrderBook book = loaded_book();
  // Budget: the notional of the first 9 levels plus one lot at the 10th.
  Decimal budget;
  for (std::size_t i = 0; i < 9; ++i) {
    BookLevel l = book.level(Side::kAsk, i);
    budget += l.price.mul(l.quantity, Rounding::kUp);
  }
  budget += book.level(Side::kAsk, 9).price.mul(book.step_size(), Rounding::kUp);
  for (auto _ : state) {
    BookFill f = book.walk_notional(Side::kBid, budget);
    benchmark::DoNotOptimize(f);
  }
  if (book.walk_notional(Side::kBid, budget).levels != 10) state.SkipWithError("did not touch 10 levels");
}
BENCHMARK(BM_BookWalkNotional10Levels);

void BM_BookQuantityWithin10Bps(benchmark::State& state) {
  OrderBook book = loaded_book();
  const Decimal bps = Decimal::from_int(10);  // 15 ticks at 150.00
  for (auto _ : state) benchmark::DoNotOptimize(book.quantity_within_bps(Side::kAsk, bps));
}
BENCHMARK(BM_BookQuantityWithin10Bps);

// DepthSync while synced: sequence check + apply of a 1-3 level delta (timing includes refilling the
// reused frame object from the stream, as a parser would).
void BM_DepthSyncOnDeltaSynced(benchmark::State& state) {
  OrderBook book(sol_spec());
  DepthSyncConfig cfg;
  cfg.snapshot_delay = 1;
  DepthSync sync(book, cfg);
  const std::vector<DepthDelta> deltas = make_deltas(kStreamLen, 2, 44);
  sync.on_delta(deltas[0]);
  sync.on_snapshot(make_snapshot(1));
  // Ids must keep increasing across stream cycles: shift a reused copy instead of regenerating.
  DepthDelta d;
  d.bids.reserve(8);
  d.asks.reserve(8);
  std::int64_t next_id = 3;
  std::size_t i = 1;
  for (auto _ : state) {
    const DepthDelta& src = deltas[i++ & (kStreamLen - 1)];
    d.bids.assign(src.bids.begin(), src.bids.end());
    d.asks.assign(src.asks.begin(), src.asks.end());
    d.first_update_id = d.last_update_id = next_id++;
    d.engine_time_us = src.engine_time_us;
    benchmark::DoNotOptimize(sync.on_delta(d));
  }
  if (!sync.synced() || sync.stats().gaps != 0) state.SkipWithError("lost sync");
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DepthSyncOnDeltaSynced);

// DepthSync while awaiting a snapshot: copy into the ring (overflowing, so the ring stays full).
void BM_DepthSyncOnDeltaBuffering(benchmark::State& state) {
  OrderBook book(sol_spec());
  DepthSyncConfig cfg;
  cfg.snapshot_delay = 10;
  cfg.max_buffered = 1024;
  DepthSync sync(book, cfg);
  const std::vector<DepthDelta> deltas = make_deltas(kStreamLen, 1, 45);
  DepthDelta d;
  d.bids.reserve(8);
  d.asks.reserve(8);
  std::int64_t next_id = 1;
  std::size_t i = 0;
  for (auto _ : state) {
    const DepthDelta& src = deltas[i++ & (kStreamLen - 1)];
    d.bids.assign(src.bids.begin(), src.bids.end());
    d.asks.assign(src.asks.begin(), src.asks.end());
    d.first_update_id = d.last_update_id = next_id++;
    benchmark::DoNotOptimize(sync.on_delta(d));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DepthSyncOnDeltaBuffering);

// Cold path, for scale: loading a 1000+1000-level snapshot (already in Backpack's ascending order).
void BM_BookLoadSnapshot1000(benchmark::State& state) {
  OrderBook book(sol_spec());
  const DepthSnapshot s = make_snapshot(1);
  for (auto _ : state) benchmark::DoNotOptimize(book.load_snapshot(s));
}
BENCHMARK(BM_BookLoadSnapshot1000);

// --- Replay of a real recorded feed (optional) ---------------------------------------------------
// BPARB_REPLAY_FILE=<plain-text recording> BPARB_REPLAY_FORMAT=binance-spot|binance-usdm|backpack
// [BPARB_REPLAY_TICK=.. BPARB_REPLAY_STEP=..]. Frames are parsed once up front; each iteration resets
// the DepthSync and replays every depth frame and snapshot in file order (snapshot_delay 0, so the
// recorded snapshot is accepted whenever it appears).
struct Recorded {
  bool is_snapshot = false;
  DepthDelta delta;
  DepthSnapshot snapshot;
};

struct Replay {
  MarketSpec spec;
  std::vector<Recorded> events;
  std::size_t deltas = 0;
};

bool load_replay(Replay& r) {
  const char* path = std::getenv("BPARB_REPLAY_FILE");
  const char* fmt = std::getenv("BPARB_REPLAY_FORMAT");
  if (path == nullptr || fmt == nullptr) return false;
  bench::FeedFormat format;
  if (!bench::parse_feed_format(fmt, format)) {
    std::fprintf(stderr, "BPARB_REPLAY_FORMAT: unknown format %s\n", fmt);
    return false;
  }
  const char* tick = std::getenv("BPARB_REPLAY_TICK");
  const char* step = std::getenv("BPARB_REPLAY_STEP");
  r.spec.symbol = "REPLAY";
  r.spec.tick_size = Decimal::from_string(tick ? tick : format == bench::FeedFormat::kBinanceUsdm ? "0.1" : "0.01");
  r.spec.step_size = Decimal::from_string(step                                        ? step
                                          : format == bench::FeedFormat::kBinanceSpot ? "0.000001"
                                          : format == bench::FeedFormat::kBinanceUsdm ? "0.001"
                                                                                      : "0.01");
  std::ifstream in(path);
  if (!in) {
    std::fprintf(stderr, "BPARB_REPLAY_FILE: cannot open %s\n", path);
    return false;
  }
  bench::RecordedLineParser parser(format, 1000);
  bench::TopQuote quote;
  std::string line;
  Recorded ev;
  TimestampUs local_us = 0;
  while (std::getline(in, line)) {
    const bench::LineKind k = parser.parse(line, ev.delta, ev.snapshot, quote, local_us);
    if (k == bench::LineKind::kDepth) {
      r.events.push_back(Recorded{false, ev.delta, {}});
      ++r.deltas;
    } else if (k == bench::LineKind::kSnapshot) {
      r.events.push_back(Recorded{true, {}, ev.snapshot});
    }
  }
  return r.deltas > 0;
}

void BM_ReplayRecordedDepth(benchmark::State& state, const Replay* r) {
  OrderBook book(r->spec);
  DepthSyncConfig cfg;
  cfg.snapshot_delay = 0;
  DepthSync sync(book, cfg);
  for (auto _ : state) {
    sync.reset();
    for (const Recorded& e : r->events) {
      if (e.is_snapshot) {
        benchmark::DoNotOptimize(sync.on_snapshot(e.snapshot));
      } else {
        benchmark::DoNotOptimize(sync.on_delta(e.delta));
      }
    }
  }
  if (!sync.synced() || sync.stats().gaps != 0) state.SkipWithError("replay did not stay in sync");
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(r->deltas));
  state.counters["frames"] = static_cast<double>(r->deltas);
}

}  // namespace
}  // namespace bparb

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  static bparb::Replay replay;
  if (bparb::load_replay(replay))
    benchmark::RegisterBenchmark("BM_ReplayRecordedDepth", bparb::BM_ReplayRecordedDepth, &replay)
        ->Unit(benchmark::kMicrosecond);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
