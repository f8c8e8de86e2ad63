#!/usr/bin/env bash
# Installs what Medley needs, builds the medley server (release) and runs it; arguments go to medley, e.g.
#   scripts/run.sh --port 8888 --log-dir /tmp/medley      then open http://localhost:8888/ for the demo page.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

scripts/install-deps.sh
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release -DMEDLEY_TESTS=OFF -DMEDLEY_BENCH=OFF >/dev/null
cmake --build build/release --target medley
exec build/release/server/medley "$@"
