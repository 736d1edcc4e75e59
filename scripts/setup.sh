#!/usr/bin/env bash
# Installs everything bparb needs on a fresh Debian 12 machine. Idempotent; silent when all is present.
#   scripts/setup.sh            build + test dependencies (apt) and the test-only npm tools
#   scripts/setup.sh --no-npm   skip the npm tools (ccxt conformance and Lighter witness tests are then skipped)
#   scripts/setup.sh --build    only what building and running bparb needs (scripts/paper.sh): no clang, node,
#                               promtool, chromium or npm tools, which only the tests use
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"

mode="${1:-}"
apt_pkgs=(build-essential cmake ninja-build pkg-config git ca-certificates
  libboost1.74-dev libboost-system1.74-dev libssl-dev libsodium-dev libsimdjson-dev libspdlog-dev libfmt-dev
  libtomlplusplus-dev libsqlite3-dev libsystemd-dev libgtest-dev libgmock-dev libbenchmark-dev)
if [[ "$mode" != "--build" ]]; then
  apt_pkgs+=(nodejs npm
    clang libclang-rt-14-dev)  # clang + libFuzzer: the bounded fuzz run (scripts/fuzz.sh)
fi

missing=()
for p in "${apt_pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# nodesource's nodejs bundles npm; don't ask apt for Debian's npm then (the two conflict).
if [[ " ${missing[*]} " == *" npm "* ]] && command -v npm >/dev/null 2>&1; then
  missing=("${missing[@]/npm}")
fi
if [[ " ${missing[*]} " == *" nodejs "* ]] && command -v node >/dev/null 2>&1; then
  missing=("${missing[@]/nodejs}")
fi
read -r -a missing <<<"${missing[*]:-}"
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [[ "$mode" == "--build" ]]; then
  exit 0
fi

# promtool (Debian's prometheus package, test-only): the service test checks the /metrics text with
# `promtool check metrics`. Optional: without it that one check skips, so a failed install does not stop set-up.
if ! command -v promtool >/dev/null 2>&1; then
  echo "setup: installing promtool (prometheus)"
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  { $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
      prometheus >/dev/null; } || echo "setup: prometheus not installed; the promtool check will skip"
fi

# chromium (Debian's, test-only): the live page test loads the page in a headless browser, checks the DOM
# after live updates and keeps a screenshot. Optional like promtool: without it that one check skips. About
# 33 s and 350 MB on a Debian 12 machine with the build dependencies installed.
if ! command -v chromium >/dev/null 2>&1; then
  echo "setup: installing chromium (headless browser for the live page test)"
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  { $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
      chromium fonts-dejavu-core >/dev/null; } || echo "setup: chromium not installed; the headless browser check will skip"
fi

if [[ "$mode" != "--no-npm" ]]; then
  # Test-only tools: ccxt (independent Backpack client) for signing vectors and conformance tests.
  if [[ ! -d "$root/tests/conformance/node_modules/ccxt" ]]; then
    echo "setup: installing test tools with npm (tests/conformance)"
    (cd "$root/tests/conformance" && npm ci --silent --no-audit --no-fund >/dev/null 2>&1 ||
      npm install --silent --no-audit --no-fund >/dev/null)
  fi
  # The official Lighter signers (Go compiled to WebAssembly) the Lighter witness test compares against.
  # --ignore-scripts: the packages are only read (their .wasm files), never built or run on install.
  if [[ ! -d "$root/tests/venue/lighter/witness/node_modules/lighter-ts-sdk" ]]; then
    echo "setup: installing the official Lighter signers with npm (tests/venue/lighter/witness)"
    (cd "$root/tests/venue/lighter/witness" && npm ci --ignore-scripts --silent --no-audit --no-fund >/dev/null 2>&1 ||
      npm install --ignore-scripts --silent --no-audit --no-fund >/dev/null)
  fi
fi
