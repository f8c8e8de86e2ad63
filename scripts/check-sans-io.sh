#!/usr/bin/env bash
# The sans-IO rule (DESIGN.md rule 1): the protocol cores rtp/ ice/ codec/ mux/ touch no sockets, threads, locks or
# clocks. Fails listing each offending line.
set -euo pipefail
cd "$(dirname "$0")/.."
pattern='boost/asio|#include *<asio|std::thread|std::mutex|std::condition_variable|steady_clock::now|system_clock::now|high_resolution_clock::now|<sys/socket\.h>|\bsleep\(|usleep\('
if hits=$(grep -rnE "$pattern" --include='*.hpp' --include='*.cpp' --include='*.h' rtp ice codec mux 2>/dev/null); then
  echo "sans-IO cores must not use sockets, threads, locks or clocks (DESIGN.md rule 1):"
  echo "$hits"
  exit 1
fi
echo "sans-IO check: clean"
