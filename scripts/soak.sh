#!/usr/bin/env bash
# Soak run: the daemon against a standalone bpsim with random faults for a long bounded run,
# then a report: orders, fills, faults by kind, max unhedged exposure and its longest stretch, memory.
#
#   scripts/soak.sh [--duration S] [--sample S] [--fault-every S] [--seed N] [--build DIR] [--out DIR] [--kill9]
#     --duration S     run length, default 1800
#     --sample S       RSS sampling period, default 10
#     --fault-every S  mean seconds between injected faults, default 20
#     --seed N         fault schedule seed (same seed, same schedule), default 1
#     --build DIR      build directory holding bparb and bpsim, default build
#     --out DIR        keep everything (logs, journal, configs, rss.csv) here; default a temp dir
#     --kill9          also SIGKILL the daemon now and then and restart it (crash recovery under load)
#
# The daemon runs in LIVE mode (the production code path) against bpsim on loopback with bpsim's
# published test key (docs/backpack.md §1.5; simulator only). The market is config/paper-sim.toml's lively one.
# Faults are injected through bpsim's control endpoint (POST /_bpsim/faults): REST/order/WS latency, WS
# drops, depth gaps and stalls, 429s, orders executed-then-503, rejected orders on one market, partial
# fills, withheld fill frames, malformed frames, clock skew. Each lasts a few seconds, then is reset.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
duration=1800 sample=10 fault_every=20 seed=1 build="$root/build" out="" kill9=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --duration) duration="$2"; shift 2 ;;
    --sample) sample="$2"; shift 2 ;;
    --fault-every) fault_every="$2"; shift 2 ;;
    --seed) seed="$2"; shift 2 ;;
    --build) build="$(cd "$2" && pwd)"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --kill9) kill9=1; shift ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
    *) echo "soak.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
for v in duration sample fault_every seed; do
  [[ "${!v}" =~ ^[0-9]+$ && "${!v}" -gt 0 ]] || { echo "soak.sh: --${v//_/-} must be a positive integer" >&2; exit 2; }
done
for b in bparb bpsim; do
  [[ -x "$build/$b" ]] || { echo "soak.sh: $build/$b not built (cmake --build $build --target bparb bpsim)" >&2; exit 2; }
done
command -v curl >/dev/null || { echo "soak.sh: curl is required" >&2; exit 2; }
if [[ -z "$out" ]]; then out="$(mktemp -d /tmp/bparb-soak.XXXXXX)"; fi
mkdir -p "$out"
out="$(cd "$out" && pwd)"
RANDOM=$seed

# --- bpsim: the lively paper market plus our account (bpsim's published test key).
readonly test_pub="A6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg="
readonly test_secret="AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
{
  cat "$root/config/paper-sim.toml"
  printf '\n[[accounts]]\napi_key = "%s"\n' "$test_pub"
  printf 'balances = { USDC = "100000", SOL = "60", BTC = "0.15", ETH = "3", SUI = "2500", JUP = "10000" }\n'
} > "$out/sim.toml"
(cd "$root" && exec "$build/bpsim" --config "$out/sim.toml" --port 0 --log-level info) > "$out/bpsim.log" 2>&1 &
sim_pid=$!
port=""
for _ in $(seq 1 100); do
  port="$(grep -oE 'listening on 127\.0\.0\.1:[0-9]+' "$out/bpsim.log" | head -1 | sed 's/.*://')" || true
  [[ -n "$port" ]] && break
  kill -0 "$sim_pid" 2>/dev/null || { echo "soak.sh: bpsim exited:" >&2; cat "$out/bpsim.log" >&2; exit 1; }
  sleep 0.1
done
[[ -n "$port" ]] || { echo "soak.sh: bpsim did not report its port" >&2; kill "$sim_pid"; exit 1; }
ctl="http://127.0.0.1:$port/_bpsim/faults"

# --- the daemon: live mode against bpsim, journal and logs in $out.
printf 'BACKPACK_PRIVATE_KEY=%s\n' "$test_secret" > "$out/soak.env"
chmod 600 "$out/soak.env"
cat > "$out/bparb.toml" <<EOF
pairs = ["SOL", "BTC", "ETH", "SUI", "JUP"]
[exchange]
mode = "live"
rest_url = "http://127.0.0.1:$port"
ws_url = "ws://127.0.0.1:$port"
env_file = "$out/soak.env"
[risk]
max_daily_loss_usd = 1000
[strategy]
opening_delay_seconds = 5
stats_interval_seconds = 60
expected_holding_hours = 1
min_closing_spread = 0.0035
min_execution_threshold = 0.001
[logging]
file = "$out/arbitrage.log"
level = "info"
console = false
[journal]
path = "$out/journal.sqlite"
[service]
enabled = false
[recovery]
unexplained_positions = "refuse"
EOF
unset BACKPACK_PRIVATE_KEY BACKPACK_API_KEY

daemon_pid=""
runs=0
start_daemon() {
  runs=$((runs + 1))
  "$build/bparb" run --config "$out/bparb.toml" > "$out/run$runs.out" 2>&1 &
  daemon_pid=$!
}
cleanup() {
  [[ -n "$daemon_pid" ]] && kill -9 "$daemon_pid" 2>/dev/null || true
  kill "$sim_pid" 2>/dev/null || true
}
trap cleanup EXIT
start_daemon

rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
declare -A faults=()
fault() {  # kind, JSON body
  if curl -fsS -m 5 -X POST -H 'Content-Type: application/json' -d "$2" "$ctl" > /dev/null 2>>"$out/curl.err"; then
    faults[$1]=$(( ${faults[$1]:-0} + 1 ))
    echo "$(date -u +%T) fault $1 $2" >> "$out/faults.log"
  fi
}
reset_faults() { curl -fsS -m 5 -X POST -d '{"reset": true}' "$ctl" > /dev/null 2>>"$out/curl.err" || true; }
coins=(SOL BTC ETH SUI JUP)
random_fault() {
  local c="${coins[RANDOM % 5]}" perp spot
  perp="${c}_USDC_PERP" spot="${c}_USDC"
  case $((RANDOM % 13)) in
    0) fault rest_latency "{\"rest_latency_ms\": {\"min\": 100, \"max\": 1500}}" ;;
    1) fault order_latency "{\"order_latency_ms\": {\"min\": 500, \"max\": 3000}}" ;;
    2) fault ws_latency "{\"ws_latency_ms\": {\"min\": 50, \"max\": 800}}" ;;
    3) fault ws_drop '{"drop_ws": true}' ;;
    4) fault depth_gap "{\"depth_gap\": {\"symbol\": \"$perp\", \"count\": 1}}" ;;
    5) fault stall "{\"stall\": {\"stream\": \"depth.$spot\", \"seconds\": 5}}" ;;
    6) fault http_429 '{"http_429": 3}' ;;
    7) fault http_503_after_place '{"http_503_after_place": 1}' ;;
    8) fault reject_orders "{\"reject_orders\": [\"$perp\"]}" ;;
    9) fault partial_fill "{\"fill_ratio_cap\": \"0.5\", \"fill_ratio_symbols\": [\"$perp\"], \"fill_ratio_orders\": 1}" ;;
    10) fault drop_order_fills '{"drop_order_fills": 1}' ;;
    11) fault malformed_frames '{"malformed_frames": 2}' ;;
    12) fault clock_skew "{\"clock_skew_ms\": $(( (RANDOM % 3000) - 1500 ))}" ;;
  esac
}

echo "soak: bparb against bpsim on 127.0.0.1:$port for ${duration}s, faults every ~${fault_every}s, output in $out"
t0=$(date +%s)
end=$((t0 + duration))
next_sample=$t0 next_fault=$((t0 + 10 + RANDOM % fault_every)) fault_until=0
next_kill=$((t0 + 60 + RANDOM % 240))
rss_first=0 rss_max=0 rss_last=0 kills=0
echo "elapsed_s,rss_kb" > "$out/rss.csv"
while (( $(date +%s) < end )); do
  now=$(date +%s)
  if ! kill -0 "$daemon_pid" 2>/dev/null; then
    wait "$daemon_pid" || true
    echo "soak: the daemon exited early (see $out/run$runs.out):" >&2
    tail -5 "$out/run$runs.out" >&2
    break
  fi
  if (( now >= next_sample )); then
    r=$(rss_kb "$daemon_pid")
    echo "$((now - t0)),$r" >> "$out/rss.csv"
    # The first sample after a minute of warm-up is the baseline (books, buffers and the journal cache
    # are allocated by then).
    if (( rss_first == 0 && now - t0 >= 60 )); then rss_first=$r; fi
    (( r > rss_max )) && rss_max=$r
    rss_last=$r
    next_sample=$((now + sample))
  fi
  if (( fault_until > 0 && now >= fault_until )); then reset_faults; fault_until=0; fi
  if (( now >= next_fault )); then
    random_fault
    fault_until=$((now + 3 + RANDOM % 10))
    next_fault=$((now + 1 + RANDOM % (2 * fault_every)))
  fi
  if (( kill9 && now >= next_kill )); then
    kill -9 "$daemon_pid" 2>/dev/null || true
    wait "$daemon_pid" 2>/dev/null || true
    kills=$((kills + 1)); faults[kill9]=$kills
    echo "$(date -u +%T) fault kill9 (restart)" >> "$out/faults.log"
    reset_faults
    start_daemon
    next_kill=$((now + 120 + RANDOM % 480))
  fi
  sleep 1
done
reset_faults
if kill -0 "$daemon_pid" 2>/dev/null; then
  kill -TERM "$daemon_pid"
  for _ in $(seq 1 300); do kill -0 "$daemon_pid" 2>/dev/null || break; sleep 0.1; done
fi
rc=0
wait "$daemon_pid" || rc=$?
daemon_pid=""
sim_faults="$(curl -fsS -m 5 "$ctl" 2>/dev/null || echo '{}')"
kill "$sim_pid" 2>/dev/null || true
wait "$sim_pid" 2>/dev/null || true
trap - EXIT

# --- report. Counted from the log, which spans every run (a SIGKILLed run prints no summary).
log="$out/arbitrage.log"
count() { grep -cE "$1" "$log" 2>/dev/null || true; }
sum_placed() { grep -oE "\] Placing [0-9]+ (TAKER|MAKER) orders \($1" "$log" 2>/dev/null | awk '{s += $3} END {print s + 0}'; }
max_of() {  # regex with the number last, over the log and every run's summary
  cat "$log" "$out"/run*.out 2>/dev/null | grep -oE "$1" | grep -oE '[0-9]+(\.[0-9]+)?$' |
    awk 'BEGIN {m = 0} {if ($1 + 0 > m) m = $1 + 0} END {print m}'
}
sum_last() {  # regex with one number group, over every run's summary
  cat "$out"/run*.out 2>/dev/null | grep -oE "$1" | grep -oE '[0-9]+$' | awk '{s += $1} END {print s + 0}'
}
net_pnl=$(grep -oE "Closed position #[0-9]+ [A-Z]+ pnl=-?[0-9]+\.[0-9]+" "$log" 2>/dev/null | sed 's/.*pnl=//' |
  awk '{s += $1} END {printf "%.2f", s}')
ran=$(( $(date +%s) - t0 ))
echo
echo "=== bparb soak report ($ran s, seed $seed, output $out)"
echo "daemon runs: $runs (kill -9: $kills), last exit status: $rc"
echo "orders sent: $(sum_placed '[a-z]+'), of which hedges: $(sum_placed hedge); rejected: $(count 'Order #[0-9]+ .* rejected:')"
echo "fills: $(count '\] Fill '), leg-risk failures: $(count 'LEG RISK')"
echo "positions opened: $(count 'Opened position #'), restored after a restart: $(count 'Recovery: restored position'), closed: $(count 'Closed position #') (net P&L of closed: $net_pnl USD)"
echo "max unhedged exposure: $(max_of 'max unhedged [0-9.]+') USD, longest unhedged stretch: $(max_of 'longest unhedged [0-9]+') ms"
echo "book gaps: $(sum_last 'book gaps [0-9]+'), resyncs: $(sum_last 'resyncs [0-9]+'), ws reconnects: $(sum_last 'ws reconnects [0-9]+'), malformed frames: $(sum_last 'malformed frames [0-9]+') (clean exits only)"
printf 'faults injected:'
for k in $(printf '%s\n' "${!faults[@]}" | sort); do printf ' %s=%s' "$k" "${faults[$k]}"; done
echo
echo "bpsim fault counters: $(echo "$sim_faults" | grep -oE '"counters":\{[^}]*\}' || echo n/a)"
echo "RSS (KiB): after warm-up $rss_first, end $rss_last, max $rss_max, growth $(( rss_last - rss_first )) (samples in $out/rss.csv)"
echo "trading state at exit: $(grep -oE 'trading state [A-Za-z]+' "$out/run$runs.out" | tail -1 | awk '{print $3}')"
echo "journal: $out/journal.sqlite; log: $out/arbitrage.log"
