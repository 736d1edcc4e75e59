#!/usr/bin/env bash
# The test command: set-up, configure, build, run every test (unit + integration + conformance),
# then the ASan+UBSan build of the whole suite (unit + integration + conformance), then a bounded libFuzzer
# run of every fuzz target over its corpus. CI (.ci/run) calls exactly this. Each build after the first runs
# beside the previous test stage (see below), so a stage's wall time includes the build that shared it.
#   BPARB_SKIP_SANITIZE=1 scripts/test.sh   skip the sanitizer pass (local iteration)
#   BPARB_SKIP_FUZZ=1 scripts/test.sh       skip the fuzz run
#   BPARB_FUZZ_SECONDS=N                    seconds per fuzz target (default 10)
#   BPARB_TEST_JOBS=N                       tests run at once (default six per core; two per core under ASan)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
cd "$root"
jobs="${BPARB_JOBS:-$(nproc)}"

# Every stage prints its wall time and the CPU time (user + sys) of what it ran, and the load is printed
# at both ends: CI machines are shared, so the wall time says little alone; the CPU time hardly depends on
# the neighbours.
t_all=$SECONDS
cpu_file="$(mktemp)"
cpu=0
children_cpu() {  # sets $cpu: CPU seconds used so far by this shell's finished children (`times`, 2nd line)
  times >"$cpu_file"  # in this shell: `times` in a $(...) subshell would see no children
  cpu=$(awk 'NR == 2 { t = 0; for (i = 1; i <= 2; i++) { split($i, a, "m"); t += a[1] * 60 + a[2] } printf "%d", t }' \
    "$cpu_file")
}
children_cpu
stage_name="" t_stage=0 cpu_stage=0 cpu_all=$cpu
stage() {
  children_cpu
  [[ -n "$stage_name" ]] && echo "== stage $stage_name took $((SECONDS - t_stage)) s (CPU $((cpu - cpu_stage)) s)"
  stage_name="${1:-}" t_stage=$SECONDS cpu_stage=$cpu
  [[ -n "$stage_name" ]] && echo "== $stage_name"
  return 0
}
echo "== load: $(uptime)"

stage "setup"
"$here/setup.sh"

stage "configure + build (Release, -Werror)"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DBPARB_WERROR=ON >/dev/null
cmake --build build -j "$jobs"

# The test stages mostly wait on simulated exchange time (the Release suite used ~30 CPU s in ~300 s wall, the
# sanitizer suite ~170 CPU s in ~580 s), while the builds are CPU-bound. So the next tree is built beside each
# test stage, at the lowest CPU priority so that the tests keep theirs, and its output is kept in a log that
# is printed when it fails.
sanitize=1 fuzz=1
[[ "${BPARB_SKIP_SANITIZE:-0}" == "1" ]] && sanitize=0
[[ "${BPARB_SKIP_FUZZ:-0}" == "1" ]] && fuzz=0
bg_pid="" bg_log="" bg_what=""
trap 'rm -f "$cpu_file"; [[ -n "$bg_pid" ]] && kill "$bg_pid" 2>/dev/null; true' EXIT
start_beside() {  # start_beside WHAT LOG COMMAND...: runs COMMAND niced in the background
  bg_what="$1" bg_log="$2"
  shift 2
  echo "== beside it: $bg_what (log $bg_log)"
  (
    renice -n 19 -p "$BASHPID" >/dev/null
    "$@"
  ) >"$bg_log" 2>&1 &
  bg_pid=$!
}
finish_beside() {  # waits for the background job; prints its log's end and fails when it failed
  local rc=0
  wait "$bg_pid" || rc=$?
  bg_pid=""
  if ((rc != 0)); then
    tail -n 80 "$bg_log"
    echo "== $bg_what FAILED (exit $rc; whole log in $bg_log)"
    exit "$rc"
  fi
  echo "== $bg_what: done"
}

stage "tests (unit + integration)"
if ((sanitize)); then
  # -O1 -g1: ASan's recommended optimisation level, and much cheaper to compile (Boost/Beast) than -O2 -g.
  cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g1" \
    -DBPARB_SANITIZE=ON -DBPARB_WERROR=ON -DBPARB_BUILD_BENCH=OFF >/dev/null
  # Only the test suites and the binaries they run (bparb_test_binaries), not the tools nobody runs here.
  # The fuzz tree is built right after it, still beside the Release tests: the last stage then only runs the
  # fuzzers beside the sanitizer tests, which leave the CPU mostly idle.
  build_beside() {
    cmake --build build-asan --target bparb_test_binaries -j "$jobs" || return
    if ((fuzz)); then "$here/fuzz.sh" --build-only; fi
  }
  start_beside "ASan+UBSan build$( ((fuzz)) && echo ", then the fuzz build")" "$root/build-asan.log" build_beside
fi
# The daemon-against-bpsim tests mostly wait on simulated exchange time (the sanitizer suite used ~170 CPU s
# of ~1,500 test-seconds), so six run at once per core; the longest start first (ctest's cost data, seeded
# from tests/ctest_cost_data.txt). BENCHMARKS.md "Build and CI time" has the measurements.
test_jobs="${BPARB_TEST_JOBS:-$((jobs * 6))}"
# Under ASan+UBSan each daemon and bpsim process costs several times the CPU, and a few daemon tests wait on
# wall-clock deadlines: at six per core two of them missed theirs (a restart that came after the simulated
# market had filled the quote it was to cancel; a funding settlement before the position opened), and one of them
# again at three per core. Two per core, as before the longest-first order.
asan_test_jobs="${BPARB_TEST_JOBS:-$((jobs * 2))}"
ctest --test-dir build --output-on-failure -j "$test_jobs" --timeout 300
if ((sanitize)); then
  stage "ASan+UBSan build (the rest of it)"
  finish_beside
fi

if ((fuzz)); then
  # The fuzz run is the last stage; it runs beside the sanitizer tests when there are any (its tree was built
  # beside the Release tests then; fuzz.sh builds it here otherwise).
  if ((sanitize)); then
    start_beside "bounded fuzz run (libFuzzer + ASan/UBSan, corpus in tests/fuzz/corpus)" "$root/fuzz.log" \
      "$here/fuzz.sh" "${BPARB_FUZZ_SECONDS:-10}"
  else
    stage "bounded fuzz run (libFuzzer + ASan/UBSan, corpus in tests/fuzz/corpus)"
    "$here/fuzz.sh" "${BPARB_FUZZ_SECONDS:-10}"
  fi
fi

if ((sanitize)); then
  stage "ASan+UBSan: every test (unit + integration + conformance)"
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir build-asan --output-on-failure -j "$asan_test_jobs" --timeout 600
  if ((fuzz)); then
    stage "bounded fuzz run (the rest of it)"
    finish_beside
    cat "$root/fuzz.log"
  fi
fi
stage
echo "== load: $(uptime)"
children_cpu
echo "== all tests passed in $((SECONDS - t_all)) s (CPU $((cpu - cpu_all)) s)"
