#!/usr/bin/env bash
# Builds Medley with AddressSanitizer+UndefinedBehaviorSanitizer and runs every test (unit tests, fuzz corpus
# replays, integration tests with real peers). What a fresh Debian 12 machine runs; .ci/run calls it.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh

build=${MEDLEY_TEST_BUILD:-build/test}
jobs=${MEDLEY_JOBS:-$(nproc)}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g" \
  -DMEDLEY_SANITIZE=address -DMEDLEY_BENCH=OFF >/dev/null
cmake --build "$build" -j "$jobs"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
ctest --test-dir "$build" --output-on-failure -j "$jobs" "$@"
