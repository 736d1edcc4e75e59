// Lighter order_book frames through the WebSocket session's own entry point: LighterWs::handle_frame
// (parse in place from a padded buffer, market lookup, BookSync, flat book, the on_book callback), on
// the seeded synthetic stream of tests/bench/lighter_frames.hpp. The difference to
// bparb_bench_lighter_book's BM_LighterBookFrameParseAndApply is what the session adds per frame.
//   build/tests/bench/bparb_bench_lighter_session [--benchmark_repetitions=3 --benchmark_report_aggregates_only=true]
#include <benchmark/benchmark.h>

#include <boost/asio/io_context.hpp>
#include <string>
#include <vector>

#include "bparb/venue/lighter/ws_session.hpp"
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
  m.market_id = 0;
  m.symbol = "ETH";
  m.price_decimals = 2;
  m.size_decimals = 4;
  return m;
}

// The whole stream in order, snapshot included (1 frame in 20,001); items = frames.
void BM_LighterSessionBookFrame(benchmark::State& state) {
  const auto& f = frames();
  boost::asio::io_context io;
  ManualClock clock(1'800'000'000'000'000);
  LighterWsOptions opts;
  opts.ws.url = "ws://127.0.0.1:9";  // never started: frames are handed in as the socket would
  LighterWs ws(io, clock, opts);
  ws.add_book(eth());
  std::uint64_t book_events = 0;
  LighterWsHandlers h;
  h.on_book = [&book_events](std::int64_t) { ++book_events; };
  ws.set_handlers(std::move(h));
  std::size_t i = 0;
  for (auto _ : state) {
    const std::string& s = f[i];
    ws.handle_frame(s.data(), s.size(), s.capacity());
    if (++i == f.size()) i = 0;
  }
  if (ws.counters().malformed != 0 || ws.counters().resubscribes != 0 || !ws.book_valid(0)) {
    state.SkipWithError("a frame failed to parse or broke the chain");
  }
  benchmark::DoNotOptimize(book_events);
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.counters["levels_bid"] = static_cast<double>(ws.book(0)->level_count(Side::kBid));
}
BENCHMARK(BM_LighterSessionBookFrame);

}  // namespace

BENCHMARK_MAIN();
