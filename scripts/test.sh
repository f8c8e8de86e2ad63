#!/usr/bin/env bash
# Builds Medley with AddressSanitizer+UndefinedBehaviorSanitizer and runs every test: a short libFuzzer run of each
# fuzz target (MEDLEY_FUZZ_SECONDS each, default 10; 0 skips), then unit tests, fuzz corpus replays and
# integration tests under ctest. What a fresh Debian 12 machine runs; .ci/run calls it.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh

fuzz_seconds=${MEDLEY_FUZZ_SECONDS:-10}
if [ "$fuzz_seconds" -gt 0 ]; then
  scripts/fuzz.sh "$fuzz_seconds"
fi

# Real peers from npm (libwebrtc for Node), pinned by the lockfile; the registry is the only network used.
(cd tests/integration/npm && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null)

build=${MEDLEY_TEST_BUILD:-build/test}
jobs=${MEDLEY_JOBS:-$(nproc)}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g" \
  -DMEDLEY_SANITIZE=address -DMEDLEY_BENCH=OFF >/dev/null
cmake --build "$build" -j "$jobs"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
ctest --test-dir "$build" --output-on-failure --no-label-summary -j "$jobs" "$@"
