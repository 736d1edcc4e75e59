#!/usr/bin/env bash
# Depth throughput on a recording made by `bparb record` (the depth
# target: parse + apply + top of book on a recorded depth.<symbol> stream). For every market of the recording: its first REST snapshot and every depth
# frame after it, exactly as received, replayed by `bparb-bench depth-replay` on one core; prints one line
# per market and the aggregate (frames / thread-CPU seconds), with the simdjson parse-only ceiling.
#
#   build/bparb record --config config/paper.toml --out rec --duration 600     # or a live recording
#   scripts/bench_recording.sh rec [repeat=100] [bparb-bench=build-bench/tests/bench/bparb-bench]
set -euo pipefail
rec="${1:?usage: bench_recording.sh RECORDING_DIR [repeat] [bparb-bench]}"
repeat="${2:-100}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bench="${3:-$root/build-bench/tests/bench/bparb-bench}"
[[ -x "$bench" ]] || { echo "bench_recording.sh: $bench not built (scripts/bench.sh builds it)" >&2; exit 2; }
pin=()
if command -v taskset >/dev/null && taskset -c 1 true 2>/dev/null; then pin=(taskset -c 1); fi
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-16s %8s %8s %14s %14s\n' market frames lv/frame frames/s_cpu parse_only/s
for f in "$rec"/*/*.frames*; do
  market="$(basename "$(dirname "$f")")"
  cat_cmd=(cat); [[ "$f" == *.gz ]] && cat_cmd=(zcat)
  # Line format (tests/record/FORMAT.md): <receive_time_us> <ws|rest_depth|event> <payload>
  "${cat_cmd[@]}" "$f" | awk -v snap="$tmp/snap.json" -v frames="$tmp/frames.txt" '
    $2 == "rest_depth" && !have { p = substr($0, index($0, " rest_depth ") + 12);
      sub(/^\{"symbol":"[^"]*","data":/, "", p); sub(/\}$/, "", p); print p > snap; have = 1; next }
    have && $2 == "ws" && index($0, "\"stream\":\"depth.") { print substr($0, index($0, " ws ") + 4) > frames }'
  [[ -s "$tmp/frames.txt" ]] || continue
  "${pin[@]}" "$bench" depth-replay --snapshot "$tmp/snap.json" --frames "$tmp/frames.txt" --repeat "$repeat" |
    tail -1 | awk -v m="$market" '{
      match($0, /"frames":[0-9]+/); n = substr($0, RSTART + 9, RLENGTH - 9);
      match($0, /"levels_per_frame":[0-9.]+/); lv = substr($0, RSTART + 19, RLENGTH - 19);
      match($0, /"cpu_frames_per_s":[0-9]+/); fps = substr($0, RSTART + 19, RLENGTH - 19); s = n / fps;
      match($0, /"parse_only_cpu_frames_per_s":[0-9]+/); po = substr($0, RSTART + 30, RLENGTH - 30);
      printf "%-16s %8d %8.2f %14.0f %14d\n", m, n, lv, n / s, po; print n, lv, s > "/dev/stderr" }' 2>>"$tmp/sum"
  rm -f "$tmp/snap.json" "$tmp/frames.txt"
done
awk '{ f += $1; l += $1 * $2; s += $3 } END { if (f) printf "all markets: %d frames, %.2f levels/frame, %.0f frames/s (thread CPU)\n", f, l / f, f / s }' "$tmp/sum"
