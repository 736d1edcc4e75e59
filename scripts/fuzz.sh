#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan+UBSan, separate tree build-fuzz/) and runs each for a bounded
# time over its seed corpus (tests/fuzz/corpus/<target>/). Exits non-zero if any target crashed, leaked,
# hit UB, timed out on an input or violated a FUZZ_CHECK; the reproducer is kept in
# build-fuzz/fuzz-artifacts/<target>/ and the log in build-fuzz/fuzz-logs/<target>.log.
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]   default 20 s, all targets
#   scripts/fuzz.sh --replay [TARGET...]                only re-run the seed corpus (fast regression check)
#   scripts/fuzz.sh --build-only [TARGET...]            configure and build, run nothing (scripts/test.sh
#                                                       builds the tree early, beside other work)
#
# New interesting inputs go to build-fuzz/fuzz-corpus/<target>/ (not into the repo); copy a reproducer
# into tests/fuzz/corpus/<target>/ once the bug it found is fixed.
# Env: BPARB_FUZZ_BUILD_DIR (default build-fuzz), JOBS (build parallelism, default 2).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
build="${BPARB_FUZZ_BUILD_DIR:-$root/build-fuzz}"
all_targets=(fuzz_ws_frame fuzz_rest_markets fuzz_rest_depth fuzz_rest_order fuzz_rest_batch fuzz_rest_fills
  fuzz_signing fuzz_server_payloads fuzz_decimal fuzz_config fuzz_lighter_request fuzz_lighter_frame fuzz_lighter_rest
  fuzz_lighter_tx_info fuzz_http_request)

replay=0 build_only=0
secs=20
if [[ "${1:-}" == "--replay" ]]; then
  replay=1
  shift
elif [[ "${1:-}" == "--build-only" ]]; then
  build_only=1
  shift
elif [[ "${1:-}" =~ ^[0-9]+$ ]]; then
  secs="$1"
  shift
elif [[ "${1:-}" == -* ]]; then
  sed -n '2,14p' "$0"
  exit 2
fi
targets=("$@")
((${#targets[@]})) || targets=("${all_targets[@]}")
for t in "${targets[@]}"; do
  [[ " ${all_targets[*]} " == *" $t "* ]] || { echo "fuzz.sh: unknown target '$t' (known: ${all_targets[*]})" >&2; exit 2; }
done

command -v clang++ >/dev/null || { echo "fuzz.sh: clang++ not found (apt install clang libclang-rt-14-dev)" >&2; exit 2; }

t_build=$SECONDS
# Configure once. Until the top-level CMakeLists includes BparbFuzz itself, inject it as a project include.
if [[ ! -f "$build/build.ninja" ]]; then
  extra=()
  grep -q "BparbFuzz" "$root/CMakeLists.txt" || extra+=("-DCMAKE_PROJECT_INCLUDE=$root/cmake/BparbFuzz.cmake")
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_C_COMPILER=clang \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBPARB_FUZZ=ON -DBPARB_BUILD_TESTS=OFF -DBPARB_BUILD_BENCH=OFF \
    "${extra[@]}" >/dev/null
fi
cmake --build "$build" --target "${targets[@]}" -j"${JOBS:-2}"
echo "fuzz.sh: configure + build took $((SECONDS - t_build)) s"
((build_only)) && exit 0

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

mkdir -p "$build/fuzz-logs"
failed=()
printf '%-20s %8s %12s %10s %8s  %s\n' target seconds execs execs/s corpus result
for t in "${targets[@]}"; do
  seeds="$root/tests/fuzz/corpus/$t"
  work="$build/fuzz-corpus/$t"
  artifacts="$build/fuzz-artifacts/$t/"
  log="$build/fuzz-logs/$t.log"
  mkdir -p "$work" "$artifacts" "$seeds"
  dict=()
  case "$t" in
    fuzz_ws_frame | fuzz_rest_* | fuzz_server_payloads | fuzz_lighter_*) dict=("-dict=$root/tests/fuzz/json.dict") ;;
    fuzz_config) dict=("-dict=$root/tests/fuzz/toml.dict") ;;
  esac
  args=(-timeout=10 -rss_limit_mb=2048 -print_final_stats=1 "-artifact_prefix=$artifacts" "${dict[@]}")
  if ((replay)); then
    args+=(-runs=0)
    dirs=("$seeds")
  else
    args+=("-max_total_time=$secs")
    dirs=("$work" "$seeds")
  fi
  set +e
  "$build/$t" "${args[@]}" "${dirs[@]}" >"$log" 2>&1
  rc=$?
  set -e
  execs=$(grep -ao 'stat::number_of_executed_units: *[0-9]*' "$log" | tail -1 | grep -o '[0-9]*$' || true)
  rate=$(grep -ao 'stat::average_exec_per_sec: *[0-9]*' "$log" | tail -1 | grep -o '[0-9]*$' || true)
  corpus=$(find "${dirs[0]}" -type f | wc -l)
  if ((rc == 0)); then
    result=ok
  else
    result="FAILED (exit $rc, log $log)"
    failed+=("$t")
  fi
  printf '%-20s %8s %12s %10s %8s  %s\n' "$t" "$( ((replay)) && echo - || echo "$secs")" "${execs:-0}" \
    "${rate:-0}" "$corpus" "$result"
  if ((rc != 0)); then
    grep -E "ERROR|FUZZ_CHECK|runtime error|SUMMARY|Test unit written|terminate called" "$log" | head -8 | sed 's/^/    /'
  fi
done

if ((${#failed[@]})); then
  echo "fuzz.sh: ${#failed[@]} target(s) failed: ${failed[*]}" >&2
  exit 1
fi
echo "fuzz.sh: all ${#targets[@]} target(s) clean"
