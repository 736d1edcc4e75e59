// Parse + apply of raw Backpack depth frames: the whole per-frame market-data cost between the socket
// buffer and a valid book (venue/backpack parse_ws_frame -> DepthSync::on_delta -> OrderBook).
// Frames are rendered from the seeded synthetic stream in the exact live shape (E/T as strings, U/u as
// numbers, a real frame's shape, docs/backpack.md §6) into buffers with simdjson padding, so parsing is zero-copy.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <string>
#include <vector>

#include "bparb/book/depth_sync.hpp"
#include "bparb/book/order_book.hpp"
#include "bparb/venue/backpack/parsers.hpp"
#include "synthetic_depth.hpp"

namespace bparb {
namespace {

constexpr std::size_t kFrames = 1 << 14;

void append_levels(std::string& out, const std::vector<LevelUpdate>& levels) {
  out += '[';
  char px[Decimal::kMaxChars];
  char qty[Decimal::kMaxChars];
  for (std::size_t i = 0; i < levels.size(); ++i) {
    if (i) out += ',';
    // Backpack sends fixed decimals ("117357.0", "0.00000").
    std::size_t np = levels[i].price.format_fixed(px, 2);
    std::size_t nq = levels[i].quantity.format_fixed(qty, 2);
    out += "[\"";
    out.append(px, np);
    out += "\",\"";
    out.append(qty, nq);
    out += "\"]";
  }
  out += ']';
}

std::vector<std::string> make_frames(std::int64_t first_id) {
  const std::vector<DepthDelta> deltas = make_deltas(kFrames, first_id, 46);
  std::vector<std::string> frames;
  frames.reserve(deltas.size());
  for (const DepthDelta& d : deltas) {
    std::string f;
    char head[256];
    std::snprintf(head, sizeof head,
                  "{\"stream\":\"depth.SOL_USDC_PERP\",\"data\":{\"E\":\"%lld\",\"T\":\"%lld\",\"U\":%lld,\"a\":",
                  static_cast<long long>(d.engine_time_us + 1800), static_cast<long long>(d.engine_time_us),
                  static_cast<long long>(d.first_update_id));
    f += head;
    append_levels(f, d.asks);
    f += ",\"b\":";
    append_levels(f, d.bids);
    std::snprintf(head, sizeof head, ",\"e\":\"depth\",\"s\":\"SOL_USDC_PERP\",\"u\":%lld}}",
                  static_cast<long long>(d.last_update_id));
    f += head;
    f.reserve(f.size() + backpack::kJsonPadding);  // zero-copy parse
    frames.push_back(std::move(f));
  }
  return frames;
}

void BM_BackpackParseDepthFrame(benchmark::State& state) {
  const std::vector<std::string> frames = make_frames(2);
  backpack::JsonParser parser;
  backpack::WsFrame out;
  std::size_t i = 0;
  std::int64_t bytes = 0;
  for (auto _ : state) {
    const std::string& f = frames[i++ & (kFrames - 1)];
    backpack::ParseError e = backpack::parse_ws_frame(parser, backpack::JsonInput::from_string(f), out);
    if (!e.ok() || out.type != backpack::WsFrameType::kDepth) {
      state.SkipWithError(("parse failed: " + e.message()).c_str());
      break;
    }
    benchmark::DoNotOptimize(out.depth.last_update_id);
    bytes += static_cast<std::int64_t>(f.size());
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(bytes);
}
BENCHMARK(BM_BackpackParseDepthFrame);

void BM_BackpackParseAndApplyDepthFrame(benchmark::State& state) {
  const std::vector<std::string> frames = make_frames(2);
  backpack::JsonParser parser;
  backpack::WsFrame out;
  OrderBook book(sol_spec());
  DepthSyncConfig cfg;
  cfg.snapshot_delay = 1;
  DepthSync sync(book, cfg);
  // Sync once: first frame buffered, then the snapshot at id 1.
  if (!backpack::parse_ws_frame(parser, backpack::JsonInput::from_string(frames[0]), out).ok()) {
    state.SkipWithError("parse failed");
    return;
  }
  sync.on_delta(out.depth);
  sync.on_snapshot(make_snapshot(1));
  // Frames are cycled, so ids restart every kFrames: shift them to keep the chain contiguous.
  std::int64_t shift = 0;
  std::size_t i = 1;
  for (auto _ : state) {
    const std::size_t k = i++ & (kFrames - 1);
    if (k == 0) shift += static_cast<std::int64_t>(kFrames);
    const backpack::ParseError e = backpack::parse_ws_frame(parser, backpack::JsonInput::from_string(frames[k]), out);
    if (!e.ok()) {
      state.SkipWithError(("parse failed: " + e.message()).c_str());
      break;
    }
    out.depth.first_update_id += shift;
    out.depth.last_update_id += shift;
    benchmark::DoNotOptimize(sync.on_delta(out.depth));
  }
  if (!sync.synced() || sync.stats().gaps != 0) state.SkipWithError("lost sync");
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_BackpackParseAndApplyDepthFrame);

}  // namespace
}  // namespace bparb

BENCHMARK_MAIN();
