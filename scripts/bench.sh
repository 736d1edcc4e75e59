#!/usr/bin/env bash
# Performance suite: builds Release with benchmarks in build-bench/ and runs every benchmark
# and bench tool, pinned to one core, writing results to stdout. Timings on a shared machine are noisy:
# the script prints the load average and runs the tools several times (report the medians);
# callgrind instruction counts (--callgrind) are load-independent.
#
#   scripts/bench.sh                  # everything (~3 min)
#   scripts/bench.sh --quick          # shorter runs
#   scripts/bench.sh --callgrind      # also instruction counts of the key paths (slow, needs valgrind)
#   BENCH_CPU=1 BENCH_BUILD=build-bench BENCH_CXXFLAGS=-march=x86-64-v3 scripts/bench.sh
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
build="${BENCH_BUILD:-build-bench}"
cpu="${BENCH_CPU:-1}"
quick=0
callgrind=0
for a in "$@"; do
  case "$a" in
    --quick) quick=1 ;;
    --callgrind) callgrind=1 ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "bench.sh: unknown option $a" >&2; exit 2 ;;
  esac
done
pin=()
if command -v taskset >/dev/null && taskset -c "$cpu" true 2>/dev/null; then pin=(taskset -c "$cpu"); fi

cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DBPARB_BUILD_BENCH=ON \
  -DCMAKE_CXX_FLAGS="${BENCH_CXXFLAGS:-}" >/dev/null
cmake --build "$build" --target bparb-bench bparb_bench_hotpath bparb_bench_book bparb_bench_depth_parse \
  bparb_bench_lighter bparb_bench_lighter_book bparb_bench_lighter_session bparb_bench_market_maker bparb_perf_tests bparb_fast_path_tests -j "${BENCH_JOBS:-2}"
bin="$build/tests/bench"
data="$(mktemp -d)"
trap 'rm -rf "$data"' EXIT

echo "== machine"
echo "date: $(date -u +%FT%TZ)  host cores: $(nproc)  pinned: ${pin[*]:-no}"
lscpu | grep -E "Model name|^CPU\(s\)|Thread|MHz" || true
echo "compiler: $(${CXX:-c++} --version | head -1)  flags: Release (-O3 -DNDEBUG) ${BENCH_CXXFLAGS:-}"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"

echo "== no-allocation test"
"${pin[@]}" "$bin/bparb_perf_tests" --gtest_brief=1 || echo "(no-allocation test FAILED: see BENCHMARKS.md)"
echo "== fast paths = ordinary paths (depth levels/ints, strategy short-circuit)"
"$bin/bparb_fast_path_tests" --gtest_brief=1 || echo "(fast-path equivalence test FAILED)"

frames=200000
iters=20000
min_time=0.5
runs=3
if [[ $quick == 1 ]]; then frames=50000; iters=5000; min_time=0.1; runs=1; fi

echo "== depth replay (bpsim SOL_USDC_PERP stream, whole-ladder re-quotes, $frames frames)"
"$bin/bparb-bench" gen-depth --frames "$frames" --snapshot-out "$data/snap.json" --frames-out "$data/frames.txt"
for ((i = 0; i < runs; i++)); do
  "${pin[@]}" "$bin/bparb-bench" depth-replay --snapshot "$data/snap.json" --frames "$data/frames.txt" --repeat 5
done
# The same frames with "data" before "stream" (the order some
# producers use; the exchange and bpsim send "stream" first, which the envelope reader expects).
sed -E 's/^\{("stream":"[^"]*"),"data":(.*)\}$/{"data":\2,\1}/' "$data/frames.txt" >"$data/frames_df.txt"
echo "-- data-first ordering"
"${pin[@]}" "$bin/bparb-bench" depth-replay --snapshot "$data/snap.json" --frames "$data/frames_df.txt" --repeat 5
echo "== depth replay (bpsim with keep_unchanged_levels: live-shaped deltas of a few levels, $frames frames)"
"$bin/bparb-bench" gen-depth --frames "$frames" --keep-levels 1 --snapshot-out "$data/snap_k.json" \
  --frames-out "$data/frames_k.txt"
for ((i = 0; i < runs; i++)); do
  "${pin[@]}" "$bin/bparb-bench" depth-replay --snapshot "$data/snap_k.json" --frames "$data/frames_k.txt" --repeat 5
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"

echo "== tick-to-wire ($iters trades in-process, $((iters / 10)) over loopback)"
for ((i = 0; i < runs; i++)); do
  "${pin[@]}" "$bin/bparb-bench" tick-to-wire --iterations "$iters" --loopback-iterations "$((iters / 10))"
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"

echo "== Google Benchmark: hot path"
"${pin[@]}" "$bin/bparb_bench_hotpath" --benchmark_min_time="$min_time" --benchmark_repetitions="$runs" \
  --benchmark_report_aggregates_only="$([[ $runs -gt 1 ]] && echo true || echo false)"
echo "== Google Benchmark: book"
"${pin[@]}" "$bin/bparb_bench_book" --benchmark_min_time="$min_time"
echo "== Google Benchmark: synthetic depth parse"
"${pin[@]}" "$bin/bparb_bench_depth_parse" --benchmark_min_time="$min_time"
echo "== Google Benchmark: market maker decision core (one trade or book event -> decision)"
"${pin[@]}" "$bin/bparb_bench_market_maker" --benchmark_min_time="$min_time"
echo "== Google Benchmark: Lighter signer"
"${pin[@]}" "$bin/bparb_bench_lighter" --benchmark_min_time="$min_time" --benchmark_repetitions="$runs" \
  --benchmark_report_aggregates_only="$([[ $runs -gt 1 ]] && echo true || echo false)"
if [[ -d tests/venue/lighter/witness/node_modules/lighter-ts-sdk ]] && command -v node >/dev/null; then
  echo "== official Lighter signer (lighter-go as WebAssembly in node): SignCreateOrder, 1000 calls"
  (cd tests/venue/lighter/witness && "${pin[@]}" node witness.mjs --bench 1000)
fi
echo "== Google Benchmark: Lighter order_book frames (parse + nonce chain + book)"
"${pin[@]}" "$bin/bparb_bench_lighter_book" --benchmark_min_time="$min_time" --benchmark_repetitions="$runs" \
  --benchmark_report_aggregates_only="$([[ $runs -gt 1 ]] && echo true || echo false)"
echo "== Google Benchmark: the same frames through the Lighter WebSocket session (LighterWs::handle_frame)"
"${pin[@]}" "$bin/bparb_bench_lighter_session" --benchmark_min_time="$min_time"
if [[ -d tests/conformance/node_modules/ccxt ]] && command -v node >/dev/null; then
  echo "== ccxt's Lighter order-book handler on the same frames"
  "$bin/bparb_bench_lighter_book" --write-frames="$data/lighter_frames.txt"
  "${pin[@]}" node tests/bench/lighter_ccxt_book.mjs "$data/lighter_frames.txt" 5
fi
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
# Not pinned: the decode-ahead reader and a sweep use both cores. Reads the sample data directory the build
# was configured with (BPARB_SAMPLE_DATA_DIR); reports an error per benchmark when it is absent.
echo "== Google Benchmark: backtest replay of the Binance sample (decode, replay from memory, end to end)"
"$bin/bparb_bench_backtest" --benchmark_min_time="$min_time" --benchmark_repetitions="$runs"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"

if [[ $callgrind == 1 ]]; then
  echo "== callgrind instruction counts (load-independent)"
  head -20000 "$data/frames.txt" >"$data/frames20k.txt"
  valgrind --tool=callgrind --callgrind-out-file="$data/cg_t2w.out" \
    --toggle-collect='bparb::bench::TickToWire::on_frame*' \
    "$bin/bparb-bench" tick-to-wire --iterations 2000 --loopback-iterations 0 >/dev/null 2>&1
  # 2000 measured + 200 warm-up trades, each followed by one non-trading frame: 4400 frames, 2200 orders.
  callgrind_annotate --inclusive=yes "$data/cg_t2w.out" 2>/dev/null |
    awk '/TickToWire::on_frame|parse_ws_frame\(|DepthSync::on_delta|ArbEngine::on_book_update|evaluate_best|ArbEngine::track|crypto_sign_detached|RequestWriter::write_batch|TickToWire::place_orders/ {
           gsub(",", "", $1); printf "  %-14s %s\n", $1, $0 }' | cut -c1-200
  valgrind --tool=callgrind --callgrind-out-file="$data/cg_replay.out" \
    --toggle-collect='bparb::backpack::parse_ws_frame*' --toggle-collect='bparb::DepthSync::on_delta*' \
    --toggle-collect='simdjson::dom::parser::parse*' \
    "$bin/bparb-bench" depth-replay --snapshot "$data/snap.json" --frames "$data/frames20k.txt" --repeat 1 >/dev/null 2>&1
  # 20000 frames x 2 passes each for parse+apply and for the DOM ceiling.
  callgrind_annotate --inclusive=yes "$data/cg_replay.out" 2>/dev/null |
    awk '/parse_ws_frame\(|DepthSync::on_delta|dom::parser::parse\(/ { printf "  %s\n", $0 }' | cut -c1-200
fi
