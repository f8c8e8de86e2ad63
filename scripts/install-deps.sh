#!/usr/bin/env bash
# Installs exactly the Debian 12 packages Medley needs to build and test; quiet and quick when they are present.
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake ninja-build ccache pkg-config clang libclang-rt-14-dev
  # media stack
  libssl-dev libsrtp2-dev libvpx-dev libopenh264-dev libopus-dev libwebm-dev libyuv-dev libusrsctp-dev zlib1g-dev
  # server helpers
  libboost-dev nlohmann-json3-dev libspdlog-dev libfmt-dev libcli11-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev
  # real peers: a browser for the demo-page test, ffmpeg/ffprobe to make and check media
  chromium ffmpeg
)

# Real peers for integration tests: Node.js runs libwebrtc (npm @roamhq/wrtc). Debian's nodejs only when the
# machine has no node of its own (it may carry a newer one).
if ! command -v node >/dev/null 2>&1; then packages+=(nodejs npm); fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
