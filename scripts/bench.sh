#!/usr/bin/env bash
# Builds Medley in release mode and runs every benchmark in bench/ (the main job until the server exists).
# Extra arguments go to each benchmark binary, e.g. --benchmark_filter=Srtp.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh

build=${MEDLEY_BENCH_BUILD:-build/release}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DMEDLEY_TESTS=OFF >/dev/null
cmake --build "$build" --target benchmarks -j "$(nproc)"

for b in "$build"/bench/bench_*; do
  [ -x "$b" ] || continue
  echo "== $(basename "$b")"
  "$b" --benchmark_counters_tabular=true "$@"
done
