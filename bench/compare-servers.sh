#!/usr/bin/env bash
# The four-server comparison (issues 7 and 10): Medley, Janus, mediasoup and Pion under the same load from
# medley_loadgen, one after another in a rotating order, each server pinned to core 0 and the load generator to
# core 1, inside a private network namespace (veth 10.77.0.1) so nothing but that namespace is ever addressed.
# Prints one table (bench/compare_table.py); every JSON, log and build/compare/table.md stay under build/compare/.
#
#   bench/compare-servers.sh                      # as root on Debian 12: installs, builds, runs (about 15 min)
#   ROUNDS=1 SCENARIOS=fanout SERVERS="medley pion" NO_INSTALL=1 bench/compare-servers.sh
#
# Environment (defaults in brackets):
#   ROUNDS [3]  SCENARIOS ["fanout fanout-gcm fanout-heavy echo"]  SERVERS ["medley janus mediasoup pion"]
#   SUBSCRIBERS [100] (fanout)  HEAVY_SUBSCRIBERS [300] (fanout-heavy, GCM)  SESSIONS [50] (echo)  DURATION [15] s  WARMUP [3] s  VIDEO_KBPS [1500]
#   PACKET_SIZE [1100]  SETUP_CONCURRENCY [8]
#   NO_INSTALL=1 skips apt, NO_BUILD=1 skips every build (the binaries must exist)
#   OUT [build/compare]  MEDLEY_PEERS [../shared/peers beside the repository]  MEDLEY_BIN, LOADGEN (binaries)
#   JANUS_MAKE_CONFIG [bench/janus/make-config.sh]
# Exit status: 0 when every run succeeded, 3 when the table was printed but some runs failed (see the table and
# build/compare/logs/), 1 on a set-up error, 130/143 when interrupted. Everything it started is stopped on any exit.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SELF="$ROOT/bench/compare-servers.sh"
IP=10.77.0.1
IFACE=m0

ROUNDS=${ROUNDS:-3}
SCENARIOS=${SCENARIOS:-fanout fanout-gcm fanout-heavy echo}
SERVERS=${SERVERS:-medley janus mediasoup pion}
SUBSCRIBERS=${SUBSCRIBERS:-100}
HEAVY_SUBSCRIBERS=${HEAVY_SUBSCRIBERS:-300}
SESSIONS=${SESSIONS:-50}
DURATION=${DURATION:-15}
WARMUP=${WARMUP:-3}
VIDEO_KBPS=${VIDEO_KBPS:-1500}
PACKET_SIZE=${PACKET_SIZE:-1100}
SETUP_CONCURRENCY=${SETUP_CONCURRENCY:-8}
OUT=${OUT:-$ROOT/build/compare}
MEDLEY_BIN=${MEDLEY_BIN:-$ROOT/build/release/server/medley}
LOADGEN=${LOADGEN:-$ROOT/build/release/bench/loadgen/medley_loadgen}
JANUS_MAKE_CONFIG=${JANUS_MAKE_CONFIG:-$ROOT/bench/janus/make-config.sh}
export ROUNDS SCENARIOS SERVERS SUBSCRIBERS HEAVY_SUBSCRIBERS SESSIONS DURATION WARMUP VIDEO_KBPS PACKET_SIZE SETUP_CONCURRENCY OUT \
  MEDLEY_BIN LOADGEN JANUS_MAKE_CONFIG

log() { printf '[compare %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

usage() { sed -n '2,/^set -euo/p' "$SELF" | sed '$d; s/^# \{0,1\}//'; }

# The peers' folder: $MEDLEY_PEERS, else shared/peers beside this checkout, else beside the main checkout of a git
# worktree (a worktree's common git dir is the main checkout's .git).
find_peers() {
  if [ -n "${MEDLEY_PEERS:-}" ]; then
    (cd "$MEDLEY_PEERS" && pwd) || die "MEDLEY_PEERS=$MEDLEY_PEERS does not exist"
    return
  fi
  local d common
  if d=$(cd "$(dirname "$SELF")/../../shared/peers" 2>/dev/null && pwd); then echo "$d"; return; fi
  if common=$(git -C "$ROOT" rev-parse --path-format=absolute --git-common-dir 2>/dev/null) &&
     d=$(cd "$(dirname "$common")/../shared/peers" 2>/dev/null && pwd); then
    echo "$d"; return
  fi
  echo ""
}

wants() { case " $SERVERS " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }

# ---------------------------------------------------------------------------------------------------------------
# Outside the namespace: install, build, then run ourselves in a fresh network + PID namespace. The PID namespace
# makes the clean-up total: when its first process (our inner half) ends, the kernel kills whatever is left in it,
# and unshare --kill-child ends that first process if unshare itself is killed. Async commands of a non-interactive
# shell ignore SIGINT, so the inner half hears about a Ctrl-C as the SIGTERM the outer half sends it.

inner_pid=""
unshare_pid=""

outer_cleanup() {
  local rc=$?
  trap - EXIT
  trap '' INT TERM
  if [ -n "$unshare_pid" ] && kill -0 "$unshare_pid" 2>/dev/null; then
    # unshare blocks SIGINT/SIGTERM and waits for its child: ask the child (our inner half) to clean up.
    inner_pid=$(pgrep -P "$unshare_pid" || true)
    if [ -n "$inner_pid" ]; then kill -TERM "$inner_pid" 2>/dev/null || true; fi
    for _ in $(seq 1 150); do kill -0 "$unshare_pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$unshare_pid" 2>/dev/null; then
      log "namespace did not end in 15 s: killing it"
      kill -KILL "$unshare_pid" 2>/dev/null || true   # --kill-child takes the whole PID namespace with it
    fi
    wait "$unshare_pid" 2>/dev/null || true
  fi
  exit "$rc"
}

apt_install() {
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "$@" \
    >/dev/null || { apt-get -o DPkg::Lock::Timeout=600 update -qq &&
      DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "$@" \
        >/dev/null; }
}

install_missing() {
  log "installing what is missing (scripts/install-deps.sh, tools, janus)"
  "$ROOT/scripts/install-deps.sh"
  local tools=()
  command -v ip >/dev/null || tools+=(iproute2)
  command -v python3 >/dev/null || tools+=(python3)
  command -v pgrep >/dev/null || tools+=(procps)
  local t
  for t in unshare taskset setsid setpriv; do command -v $t >/dev/null || { tools+=(util-linux); break; }; done
  if [ ${#tools[@]} -gt 0 ]; then log "apt-get install ${tools[*]}"; apt_install "${tools[@]}"; fi
  if wants janus && ! command -v janus >/dev/null; then
    local was_active=0
    if command -v systemctl >/dev/null && systemctl is-active --quiet janus 2>/dev/null; then was_active=1; fi
    log "apt-get install janus"
    apt_install janus
    # The package starts its system service (all interfaces, default config): stop what the install started.
    if [ "$was_active" = 0 ] && command -v systemctl >/dev/null && systemctl is-active --quiet janus 2>/dev/null; then
      log "stopping the janus.service the package started"
      systemctl stop janus || true
    fi
  fi
}

build_all() {
  if wants mediasoup || wants pion; then
    [ -n "$PEERS" ] || die "shared/peers not found beside the repository: set MEDLEY_PEERS"
  fi
  if wants mediasoup; then
    # build-mediasoup.sh has no lock: never run a second one beside a build already under way.
    local waited=0
    while pgrep -f 'build-mediasoup\.sh' >/dev/null; do
      [ "$waited" = 1 ] || log "a mediasoup build is already running: waiting for it"
      waited=1; sleep 10
    done
    log "building mediasoup's worker (5 to 8 min the first time)"
    "$PEERS/build-mediasoup.sh" > "$OUT/logs/build-mediasoup.log" 2>&1 ||
      die "build-mediasoup.sh failed: see $OUT/logs/build-mediasoup.log"
  fi
  if wants pion; then
    log "building the Pion SFU"
    "$PEERS/build-pion.sh" > "$OUT/logs/build-pion.log" 2>&1 ||
      die "build-pion.sh failed: see $OUT/logs/build-pion.log"
  fi
  local targets=(medley)
  [ "$LOADGEN" = "$ROOT/build/release/bench/loadgen/medley_loadgen" ] && targets+=(medley_loadgen)
  log "building ${targets[*]} (Release, build/release)"
  {
    cmake -S "$ROOT" -B "$ROOT/build/release" -G Ninja -DCMAKE_BUILD_TYPE=Release -DMEDLEY_TESTS=OFF -DMEDLEY_BENCH=OFF &&
      cmake --build "$ROOT/build/release" --target "${targets[@]}"
  } > "$OUT/logs/build-medley.log" 2>&1 || die "the Release build failed: see $OUT/logs/build-medley.log"
}

write_meta() {
  local janus_v="" ms_v="" pion_v="" rev=""
  janus_v=$(dpkg-query -W -f='${Version}' janus 2>/dev/null || true)
  pion_v=$(dpkg-query -W -f='${Version}' golang-github-pion-webrtc.v3-dev 2>/dev/null || true)
  for d in "$PEERS" /tmp/medley-peers; do
    if [ -n "$d" ] && [ -f "$d/node_modules/mediasoup/package.json" ]; then
      ms_v=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["version"])' \
        "$d/node_modules/mediasoup/package.json" 2>/dev/null || true)
      break
    fi
  done
  rev=$(git -C "$ROOT" describe --always --dirty 2>/dev/null || true)
  META_JANUS=$janus_v META_MS=$ms_v META_PION=$pion_v META_REV=$rev python3 - "$OUT/meta.json" <<'EOF'
import json, os, platform, subprocess, sys, time
e = os.environ
model = ""
try:
    for line in subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines():
        if line.startswith("Model name:"):
            model = line.split(":", 1)[1].strip()
except OSError:
    pass
meta = {
    "date": time.strftime("%Y-%m-%d %H:%M %Z"),
    "cpu_model": model, "cpus": os.cpu_count(), "kernel": platform.release(),
    "medley_rev": e["META_REV"], "janus_version": e["META_JANUS"], "mediasoup_version": e["META_MS"],
    "pion_version": e["META_PION"],
    "settings": {k.lower(): e[k] for k in ("ROUNDS", "SCENARIOS", "SERVERS", "SUBSCRIBERS", "HEAVY_SUBSCRIBERS", "SESSIONS", "DURATION",
                                          "WARMUP", "VIDEO_KBPS", "PACKET_SIZE", "SETUP_CONCURRENCY")},
}
json.dump(meta, open(sys.argv[1], "w"), indent=1)
EOF
}

outer() {
  case "${1:-}" in -h|--help) usage; exit 0 ;; esac
  [ "$(id -u)" = 0 ] || die "run as root (network namespace, apt)"
  [ "$(nproc)" -ge 2 ] || die "needs 2 cores at least (server on core 0, load generator on core 1)"
  local s
  for s in $SCENARIOS; do
    case "$s" in fanout|fanout-gcm|fanout-heavy|echo) ;; *) die "unknown scenario '$s' (fanout fanout-gcm fanout-heavy echo)" ;; esac
  done
  for s in $SERVERS; do
    case "$s" in medley|janus|mediasoup|pion) ;; *) die "unknown server '$s' (medley janus mediasoup pion)" ;; esac
  done
  PEERS=$(find_peers)
  export MEDLEY_PEERS="$PEERS"
  mkdir -p "$OUT/logs" "$OUT/runs"
  [ "${NO_INSTALL:-0}" = 1 ] || install_missing
  [ "${NO_BUILD:-0}" = 1 ] || build_all
  [ -x "$MEDLEY_BIN" ] || ! wants medley || die "$MEDLEY_BIN missing"
  [ -x "$LOADGEN" ] || die "$LOADGEN missing"
  # A fresh set of results: the table reads every JSON in runs/.
  rm -f "$OUT"/runs/*.json "$OUT"/logs/run-*.log "$OUT/table.md"
  write_meta

  trap outer_cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  log "entering a private network namespace ($IFACE $IP)"
  # shellcheck disable=SC2016 # $0 is expanded by the inner sh, on purpose
  # setpriv --pdeathsig: even a SIGKILL of this script takes the namespace down (unshare, then its child).
  MEDLEY_COMPARE_INNER=1 setpriv --pdeathsig KILL unshare --net --pid --fork --mount-proc --kill-child bash -c '
      ip link set lo up && ip link add '"$IFACE"' type veth peer name m1 &&
      ip addr add '"$IP"'/24 dev '"$IFACE"' && ip link set m1 up && ip link set '"$IFACE"' up &&
      exec bash "$0"' "$SELF" &
  unshare_pid=$!
  local rc=0
  wait "$unshare_pid" || rc=$?
  unshare_pid=""
  [ "$rc" = 0 ] || [ "$rc" = 3 ] || exit "$rc"

  python3 "$ROOT/bench/compare_table.py" "$OUT" --markdown "$OUT/table.md" ||
    die "compare_table.py failed"
  log "table written to $OUT/table.md; JSON in $OUT/runs/, logs in $OUT/logs/"
  exit "$rc"
}

# ---------------------------------------------------------------------------------------------------------------
# Inside the namespace (PID 1 of its own PID namespace).

server_pid=""
loadgen_pid=""
start_error=""
any_failed=0

# Every process whose parent chain leads to $1, $1 first.
descendants() {
  local out=("$1") i=0 c
  while [ $i -lt ${#out[@]} ]; do
    for c in $(pgrep -P "${out[$i]}" 2>/dev/null || true); do out+=("$c"); done
    i=$((i + 1))
  done
  echo "${out[@]}"
}

# True while $1 runs (a zombie does not count).
alive() {
  local st
  st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null) || return 1
  [ -n "$st" ] && [ "${st:0:1}" != Z ]
}

# True while a process of group $1 runs.
group_alive() {
  local p
  for p in $(pgrep -g "$1" 2>/dev/null || true); do alive "$p" && return 0; done
  return 1
}

stop_server() {
  [ -n "$server_pid" ] || return 0
  local pid=$server_pid
  server_pid=""
  # Each server runs in its own session and process group (setsid): the group takes mediasoup's worker along.
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do
    group_alive "$pid" || break
    sleep 0.1
  done
  if group_alive "$pid"; then
    log "  still running 5 s after SIGTERM: SIGKILL"
    kill -KILL -- "-$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
}

inner_cleanup() {
  local rc=$?
  trap - EXIT
  trap '' INT TERM
  if [ "$rc" -ge 128 ] && [ -n "$server_pid$loadgen_pid" ]; then log "interrupted: stopping the server and the load"; fi
  if [ -n "$loadgen_pid" ]; then kill -TERM "$loadgen_pid" 2>/dev/null || true; wait "$loadgen_pid" 2>/dev/null || true; fi
  stop_server
  exit "$rc"
}

# Waits until something accepts TCP on $IP:$1, for at most $2 seconds (then status 1), while the server is alive
# (else status 2).
wait_port() {
  local deadline=$((SECONDS + $2))
  while [ $SECONDS -lt $deadline ]; do
    alive "$server_pid" || return 2
    if (exec 3<>"/dev/tcp/$IP/$1") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  return 1
}

# Starts $1 pinned to core 0 in its own process group; sets server_pid, port, url.
start_server() {
  local name=$1 logf=$2
  local cmd
  case "$name" in
    medley)
      port=8888; url="ws://$IP:8888/kurento"
      cmd=("$MEDLEY_BIN" --address "$IP" -p 8888 -t 1 --network-interfaces "$IP" --log-level 1) ;;
    janus)
      port=8188; url="ws://$IP:8188"
      cmd=(janus -F "$OUT/janus-conf" -o -d 2) ;;
    mediasoup|pion)
      port=8188; url="ws://$IP:8188"
      cmd=("$MEDLEY_PEERS/run-peer.sh" "$name" --ip "$IP" --port 8188 --max-seconds 900) ;;
    *) die "unknown server $name" ;;
  esac
  # setsid: not a group leader here (no job control), so it execs in place: $! is the server's PID.
  setsid taskset -c 0 "${cmd[@]}" > "$logf" 2>&1 < /dev/null &
  server_pid=$!
  local rc=0
  wait_port "$port" 30 || rc=$?
  if [ "$rc" = 2 ]; then
    local st=0
    wait "$server_pid" || st=$?
    start_error="exited with status $st before it answered on $IP:$port"
  elif [ "$rc" != 0 ]; then
    start_error="did not answer on $IP:$port within 30 s"
  fi
  if [ "$rc" != 0 ]; then
    log "  $name $start_error (see $logf)"
    return 1
  fi
  # Every process of the server (mediasoup: node and its worker) must stay on core 0.
  local p cpus
  for p in $(descendants "$server_pid"); do
    cpus=$(sed -n 's/^Cpus_allowed_list:\s*//p' "/proc/$p/status" 2>/dev/null || true)
    if [ -n "$cpus" ] && [ "$cpus" != 0 ]; then
      log "  warning: $name process $p runs on cores $cpus, pinning to 0"
      taskset -a -p -c 0 "$p" >/dev/null 2>&1 || true
    fi
  done
}

scenario_args() {
  case "$1" in
    fanout) echo "--scenario fanout --subscribers $SUBSCRIBERS --srtp aes-cm" ;;
    fanout-gcm) echo "--scenario fanout --subscribers $SUBSCRIBERS --srtp gcm" ;;
    fanout-heavy) echo "--scenario fanout --subscribers $HEAVY_SUBSCRIBERS --srtp gcm" ;;
    echo) echo "--scenario echo --sessions $SESSIONS --srtp aes-cm" ;;
    *) die "unknown scenario $1 (fanout fanout-gcm fanout-heavy echo)" ;;
  esac
}

scenario_servers() {
  local s
  for s in $SERVERS; do
    if [ "$1" = echo ] && [ "$s" != medley ] && [ "$s" != janus ]; then continue; fi   # echo: medley and janus only
    echo "$s"
  done
}

# Records a failed run as JSON, so the table shows it.
write_failure() {
  python3 - "$@" <<'EOF'
import json, sys
out, server, scenario, srtp, why = sys.argv[1:6]
json.dump({"server": server, "scenario": scenario, "srtp": srtp, "failed": True, "errors": [why]}, open(out, "w"))
EOF
}

run_one() {
  local scenario=$1 round=$2 server=$3
  local base="$scenario.r$round.$server"
  local json="$OUT/runs/$base.json" slog="$OUT/logs/run-$base.server.log" llog="$OUT/logs/run-$base.loadgen.log"
  local -a args
  read -r -a args <<< "$(scenario_args "$scenario")"
  local srtp=${args[-1]} lscenario=${args[1]}
  log "round $round/$ROUNDS  $scenario  $server"
  if ! start_server "$server" "$slog"; then
    stop_server
    write_failure "$json" "$server" "$lscenario" "$srtp" "$server $start_error: $(tail -n 3 "$slog" | tr '\n' ' ')"
    any_failed=1
    return
  fi
  local rc=0 limit=$((WARMUP + DURATION + 180))
  rm -f "$json.tmp"
  taskset -c 1 timeout -k 10 "$limit" "$LOADGEN" --server "$server" --url "$url" --ip "$IP" \
    --server-pid "$server_pid" "${args[@]}" --video-kbps "$VIDEO_KBPS" --packet-size "$PACKET_SIZE" \
    --duration "$DURATION" --warmup "$WARMUP" --setup-concurrency "$SETUP_CONCURRENCY" --json "$json.tmp" \
    > "$llog" 2>&1 < /dev/null &
  loadgen_pid=$!
  wait "$loadgen_pid" || rc=$?
  loadgen_pid=""
  local still_up=1
  alive "$server_pid" || still_up=0
  stop_server
  if [ "$rc" = 0 ] && [ -s "$json.tmp" ] && python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$json.tmp" 2>/dev/null; then
    mv "$json.tmp" "$json"
    [ "$still_up" = 1 ] || log "  warning: $server had exited before it was stopped"
  else
    local why="load generator exit status $rc"
    [ "$rc" = 124 ] && why="load generator timed out after ${limit} s"
    [ "$still_up" = 1 ] || why="$why; the server died during the run"
    why="$why: $(tail -n 3 "$llog" | tr '\n' ' ')"
    log "  failed: $why"
    rm -f "$json.tmp"
    write_failure "$json" "$server" "$lscenario" "$srtp" "$why"
    any_failed=1
  fi
}

inner() {
  trap inner_cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  local addrs
  addrs=$(ip -o addr show dev "$IFACE" 2>/dev/null || true)
  case "$addrs" in *" $IP/"*) ;; *) die "not inside the comparison's namespace" ;; esac
  if wants janus; then
    if [ -x "$JANUS_MAKE_CONFIG" ]; then
      rm -rf "$OUT/janus-conf"
      "$JANUS_MAKE_CONFIG" "$IP" "$IFACE" "$OUT/janus-conf" > "$OUT/logs/janus-make-config.log" 2>&1 ||
        die "$JANUS_MAKE_CONFIG failed: see $OUT/logs/janus-make-config.log"
    else
      die "$JANUS_MAKE_CONFIG missing (set JANUS_MAKE_CONFIG or leave janus out of SERVERS)"
    fi
  fi
  local round scenario i n
  local -a order
  for round in $(seq 1 "$ROUNDS"); do
    for scenario in $SCENARIOS; do
      mapfile -t order < <(scenario_servers "$scenario")
      n=${#order[@]}
      # Round r starts with the (r-1)-th server: each server takes each position in turn.
      for i in $(seq 0 $((n - 1))); do
        run_one "$scenario" "$round" "${order[$(((i + round - 1) % n))]}"
      done
    done
  done
  [ "$any_failed" = 0 ] || exit 3
}

if [ "${MEDLEY_COMPARE_INNER:-}" = 1 ]; then
  unset MEDLEY_COMPARE_INNER
  inner
else
  outer "$@"
fi
