#!/usr/bin/env bash
# Behaviour-preserving refactors are proven here: two bparb binaries (e.g. built from the commit before and
# after the change) backtest the same recordings with the same configs, and their summary.json and
# report.html must be identical byte for byte (a backtest is deterministic: same data + config, same bytes).
#
#   scripts/backtest_identity.sh BEFORE/bparb AFTER/bparb [DATA CONFIG]...
#
# Without DATA/CONFIG pairs it runs the shipped 3 s paper recording (tests/record/data/paper_sol) with
# the config it was recorded with (tests/record/data/paper_sol_bparb.toml: one pair, default
# thresholds), with tests/backtest/data/identity_paper_sol.toml, whose zero thresholds make it trade
# (orders, fills, exits: the order path is exercised, not only the books), and with
# identity_paper_sol_maker.toml (post-only maker plan, cancels, re-prices). Other recordings are given
# as DATA CONFIG pairs (then only those run), e.g. one written by `bparb-import binance` with
# tests/backtest/data/binance_backtest.toml. Runs from the repository root (configs use relative paths).
# A run may exit non-zero (e.g. 1 when a market's book never became valid) and still write its report:
# the exit status is compared like the files. Exit status 0: every case identical; 1: a difference (the
# diverging files are kept and named).
set -euo pipefail

if [[ $# -lt 2 || $(($# % 2)) -ne 0 ]]; then
  sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
fi
before=$(realpath "$1")
after=$(realpath "$2")
shift 2
for b in "$before" "$after"; do
  [[ -x $b ]] || { echo "not an executable: $b" >&2; exit 2; }
done

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
if [[ $# -eq 0 ]]; then
  set -- tests/record/data/paper_sol tests/record/data/paper_sol_bparb.toml \
    tests/record/data/paper_sol tests/backtest/data/identity_paper_sol.toml \
    tests/record/data/paper_sol tests/backtest/data/identity_paper_sol_maker.toml
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/bparb_identity.XXXXXX")
status=0
n=0
while [[ $# -gt 0 ]]; do
  data=$1 config=$2
  shift 2
  n=$((n + 1))
  case_dir="$work/case$n"
  mkdir -p "$case_dir"
  for side in before after; do
    bin=$before
    [[ $side == after ]] && bin=$after
    rc=0
    "$bin" backtest --config "$config" --data "$data" --report "$case_dir/$side" \
      >"$case_dir/$side.out" 2>"$case_dir/$side.err" || rc=$?
    echo "$rc" >"$case_dir/$side.rc"
  done
  same=1
  if ! cmp -s "$case_dir/before.rc" "$case_dir/after.rc"; then
    echo "case $n ($data, $config): exit status $(cat "$case_dir/before.rc") before, $(cat "$case_dir/after.rc") after:" >&2
    cat "$case_dir/after.err" >&2
    same=0
  fi
  for f in summary.json report.html; do
    if [[ ! -s $case_dir/before/$f ]]; then
      echo "case $n: $f missing or empty" >&2
      same=0
    elif ! cmp -s "$case_dir/before/$f" "$case_dir/after/$f"; then
      echo "case $n: $f differs ($case_dir/before/$f vs $case_dir/after/$f)" >&2
      same=0
    fi
  done
  summary=$(grep -m1 "^backtest:" "$case_dir/after.out" || true)
  if [[ $same -eq 1 ]]; then
    echo "case $n: identical  exit=$(cat "$case_dir/after.rc")  data=$data config=$config  sha256(summary.json)=$(sha256sum <"$case_dir/after/summary.json" | cut -c1-16)  [$summary]"
  else
    status=1
  fi
done

if [[ $status -eq 0 ]]; then
  rm -rf "$work"
  echo "all $n cases identical"
else
  echo "differences found; outputs kept in $work" >&2
fi
exit $status
