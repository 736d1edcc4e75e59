// Lighter order_book frames: parse (simdjson) + BookSync (nonce chain, crossed check) + flat book, per
// frame, on a seeded synthetic stream (lighter_frames.hpp). Also the parse and apply halves alone.
//   build/tests/bench/bparb_bench_lighter_book [--benchmark_repetitions=5 --benchmark_report_aggregates_only=true]
//   build/tests/bench/bparb_bench_lighter_book --write-frames=/tmp/lighter_frames.txt   (one frame a line, then exit)
// The second form feeds tests/bench/lighter_ccxt_book.mjs (ccxt's handler on the same frames).
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "bparb/venue/lighter/book_sync.hpp"
#include "bparb/venue/lighter/parsers.hpp"
#include "lighter_frames.hpp"

namespace {

using namespace bparb;
using namespace bparb::lighter;

constexpr std::size_t kUpdates = 20000;
constexpr std::uint64_t kSeed = 42;

const std::vector<std::string>& frames() {
  static const std::vector<std::string> f = bench::make_book_frames(kUpdates, kSeed);
  return f;
}

MarketDetails eth() {
  MarketDetails m;
  m.symbol = "ETH";
  m.price_decimals = 2;
  m.size_decimals = 4;
  return m;
}

JsonInput input(const std::string& s) {
  return JsonInput(s.data(), s.size(), s.capacity());
}

// The whole stream in order, snapshot included (1 frame in 20,001); items = frames.
void BM_LighterBookFrameParseAndApply(benchmark::State& state) {
  const auto& f = frames();
  ManualClock clock(1);
  OrderBook book(book_spec(eth()));
  BookSync sync(book, 0, clock);
  JsonParser parser;
  WsFrame frame;
  std::size_t i = 0;
  std::uint64_t bad = 0;
  for (auto _ : state) {
    if (!parse_ws_frame(parser, input(f[i]), frame).ok()) ++bad;
    if (sync.on_frame(frame.book).action != SyncAction::kNone) ++bad;
    if (++i == f.size()) i = 0;
  }
  if (bad != 0) state.SkipWithError("a frame failed to parse or broke the chain");
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.counters["levels_bid"] = static_cast<double>(book.level_count(Side::kBid));
}
BENCHMARK(BM_LighterBookFrameParseAndApply);

void BM_LighterBookFrameParseOnly(benchmark::State& state) {
  const auto& f = frames();
  JsonParser parser;
  WsFrame frame;
  std::size_t i = 0;
  for (auto _ : state) {
    const ParseError e = parse_ws_frame(parser, input(f[i]), frame);
    benchmark::DoNotOptimize(e);
    if (++i == f.size()) i = 0;
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_LighterBookFrameParseOnly);

// Apply of pre-parsed frames (the stream parsed once up front).
void BM_LighterBookFrameApplyOnly(benchmark::State& state) {
  const auto& f = frames();
  JsonParser parser;
  std::vector<BookFrame> parsed(f.size());
  WsFrame frame;
  for (std::size_t k = 0; k < f.size(); ++k) {
    if (!parse_ws_frame(parser, input(f[k]), frame).ok()) {
      state.SkipWithError("parse failed");
      return;
    }
    parsed[k] = frame.book;
  }
  ManualClock clock(1);
  OrderBook book(book_spec(eth()));
  BookSync sync(book, 0, clock);
  std::size_t i = 0;
  std::uint64_t bad = 0;
  for (auto _ : state) {
    if (sync.on_frame(parsed[i]).action != SyncAction::kNone) ++bad;
    if (++i == parsed.size()) i = 0;
  }
  if (bad != 0) state.SkipWithError("the chain broke");
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_LighterBookFrameApplyOnly);

}  // namespace

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    constexpr const char* kFlag = "--write-frames=";
    if (std::strncmp(argv[i], kFlag, std::strlen(kFlag)) == 0) {
      std::FILE* out = std::fopen(argv[i] + std::strlen(kFlag), "wb");
      if (out == nullptr) return 1;
      for (const std::string& s : frames()) {
        std::fwrite(s.data(), 1, s.size(), out);
        std::fputc('\n', out);
      }
      // The top of book after the whole stream, to compare with another client's result.
      ManualClock clock(1);
      OrderBook book(book_spec(eth()));
      BookSync sync(book, 0, clock);
      JsonParser parser;
      WsFrame frame;
      for (const std::string& s : frames()) {
        if (!parse_ws_frame(parser, input(s), frame).ok() || sync.on_frame(frame.book).action != SyncAction::kNone)
          return 1;
      }
      char bp[Decimal::kMaxChars];
      char bq[Decimal::kMaxChars];
      char ap[Decimal::kMaxChars];
      char aq[Decimal::kMaxChars];
      bp[book.best_bid().price.format(bp)] = '\0';
      bq[book.best_bid().quantity.format(bq)] = '\0';
      ap[book.best_ask().price.format(ap)] = '\0';
      aq[book.best_ask().quantity.format(aq)] = '\0';
      std::printf("frames=%zu best_bid=%s@%s best_ask=%s@%s\n", frames().size(), bp, bq, ap, aq);
      return std::fclose(out) == 0 ? 0 : 1;
    }
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
