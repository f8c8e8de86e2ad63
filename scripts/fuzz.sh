#!/usr/bin/env bash
# Builds every fuzz target with clang's libFuzzer under ASan+UBSan and runs each for N seconds (default 60)
# on its corpus in fuzz/corpus/<target>/. New crashes land in fuzz/corpus/<target>/ as crash-* files.
# Usage: scripts/fuzz.sh [seconds] [target...]
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh

seconds=${1:-60}
shift || true
build=${MEDLEY_FUZZ_BUILD:-build/fuzz}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
  -DMEDLEY_FUZZ=ON -DMEDLEY_TESTS=OFF -DMEDLEY_BENCH=OFF -DMEDLEY_WERROR=OFF >/dev/null
cmake --build "$build" --target fuzzers -j "$(nproc)"

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for f in fuzz/fuzz_*.cpp; do t=$(basename "$f" .cpp); targets+=("${t#fuzz_}"); done
fi

status=0
for t in "${targets[@]}"; do
  corpus=fuzz/corpus/$t
  mkdir -p "$corpus"
  work=$(mktemp -d)
  echo "== fuzz_$t for ${seconds}s"
  if ! "$build/fuzz/fuzz_$t" "$work" "$corpus" -max_total_time="$seconds" -print_final_stats=1 \
      -artifact_prefix="$corpus/" -rss_limit_mb=2048 2>"$work.log"; then
    echo "fuzz_$t FAILED; see $work.log and the crash-* file in $corpus"
    tail -n 40 "$work.log"
    status=1
  else
    grep -E "^stat::number_of_executed_units|^stat::peak_rss_mb" "$work.log" | tr '\n' ' '
    echo
  fi
  rm -rf "$work"
done
exit $status
