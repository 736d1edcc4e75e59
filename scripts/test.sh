#!/usr/bin/env bash
# The test command: set-up, configure, build, run every test (unit + integration + conformance),
# then the ASan+UBSan build of the unit tests. CI (.ci/run) calls exactly this.
#   BPARB_SKIP_SANITIZE=1 scripts/test.sh   skip the sanitizer pass (local iteration)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
cd "$root"
jobs="${BPARB_JOBS:-$(nproc)}"

"$here/setup.sh"

echo "== configure + build (Release, -Werror)"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DBPARB_WERROR=ON >/dev/null
cmake --build build -j "$jobs"

echo "== tests (unit + integration)"
ctest --test-dir build --output-on-failure -j "$jobs" --timeout 300

if [[ "${BPARB_SKIP_SANITIZE:-0}" != "1" ]]; then
  echo "== ASan+UBSan unit tests"
  # -O1 -g1: ASan's recommended optimisation level, and much cheaper to compile (Boost/Beast) than -O2 -g.
  cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g1" \
    -DBPARB_SANITIZE=ON -DBPARB_WERROR=ON \
    -DBPARB_UNIT_TESTS_ONLY=ON -DBPARB_BUILD_BENCH=OFF >/dev/null
  cmake --build build-asan -j "$jobs" --target bparb_unit_tests
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir build-asan --output-on-failure -j "$jobs" -L unit --timeout 300
fi
echo "== all tests passed"
