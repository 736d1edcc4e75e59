#!/usr/bin/env bash
# The test command: set-up, configure, build, run every test (unit + integration + conformance),
# then the ASan+UBSan build of the whole suite (unit + integration + conformance), then a bounded libFuzzer
# run of every fuzz target over its corpus. CI (.ci/run) calls exactly this.
#   BPARB_SKIP_SANITIZE=1 scripts/test.sh   skip the sanitizer pass (local iteration)
#   BPARB_SKIP_FUZZ=1 scripts/test.sh       skip the fuzz run
#   BPARB_FUZZ_SECONDS=N                    seconds per fuzz target (default 10)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
cd "$root"
jobs="${BPARB_JOBS:-$(nproc)}"

# Every stage prints its wall time, and the load is printed at both ends: CI machines are shared, so a
# slow log says whether the build or the neighbours were slow.
t_all=$SECONDS
stage_name="" t_stage=0
stage() {
  [[ -n "$stage_name" ]] && echo "== stage $stage_name took $((SECONDS - t_stage)) s"
  stage_name="${1:-}" t_stage=$SECONDS
  [[ -n "$stage_name" ]] && echo "== $stage_name"
  return 0
}
echo "== load: $(uptime)"

stage "setup"
"$here/setup.sh"

stage "configure + build (Release, -Werror)"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DBPARB_WERROR=ON >/dev/null
cmake --build build -j "$jobs"

stage "tests (unit + integration)"
# Integration tests mostly wait on simulated exchange time, so twice as many run at once as there are cores.
ctest --test-dir build --output-on-failure -j "$((jobs * 2))" --timeout 300

if [[ "${BPARB_SKIP_SANITIZE:-0}" != "1" ]]; then
  stage "ASan+UBSan build"
  # -O1 -g1: ASan's recommended optimisation level, and much cheaper to compile (Boost/Beast) than -O2 -g.
  cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g1" \
    -DBPARB_SANITIZE=ON -DBPARB_WERROR=ON -DBPARB_BUILD_BENCH=OFF >/dev/null
  cmake --build build-asan -j "$jobs"
  stage "ASan+UBSan: every test (unit + integration + conformance)"
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir build-asan --output-on-failure -j "$jobs" --timeout 600
fi

if [[ "${BPARB_SKIP_FUZZ:-0}" != "1" ]]; then
  stage "bounded fuzz run (libFuzzer + ASan/UBSan, corpus in tests/fuzz/corpus)"
  "$here/fuzz.sh" "${BPARB_FUZZ_SECONDS:-10}"
fi
stage
echo "== load: $(uptime)"
echo "== all tests passed in $((SECONDS - t_all)) s"
