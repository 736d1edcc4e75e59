#!/usr/bin/env bash
# Paper trading in one command: installs dependencies if missing, builds if needed, then runs the daemon
# against an embedded bpsim (simulated Backpack on loopback). No keys, no network.
#   scripts/paper.sh                    # runs config/paper.toml (duration from the file)
#   scripts/paper.sh --duration 300     # any `bparb run` option
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
if [[ ! -x build/bparb ]] || [[ -n "$(find src include CMakeLists.txt -newer build/bparb -print -quit 2>/dev/null)" ]]; then
  "$root/scripts/setup.sh" --build
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build build --target bparb bpsim -j "$(nproc)"
fi
mkdir -p paper
exec build/bparb run --config config/paper.toml "$@"
