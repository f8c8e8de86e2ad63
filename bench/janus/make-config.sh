#!/bin/sh
# make-config.sh IP IFACE OUTDIR: a Janus 1.1 configuration folder for the four-server comparison, made from
# Debian's package (/etc/janus, plugins/transports under /usr/lib/<triplet>/janus): only the WebSocket transport
# (ws://IP:8188, no admin API), only the echotest and videoroom plugins, media on one event loop (as the other
# servers run one media thread), ICE on IFACE only, no STUN/TURN, logs on stdout at warning level.
# Start it with:  janus -F OUTDIR -o     (-o: no colours; add -d N to change the level)
set -eu

if [ $# -ne 3 ]; then
  echo "usage: $0 IP IFACE OUTDIR" >&2
  exit 2
fi
IP=$1
IFACE=$2
OUT=$3
DEBUG_LEVEL=${JANUS_DEBUG_LEVEL:-3}  # 3 = warnings; 4 = Janus' default (info)

SRC=/etc/janus
[ -f "$SRC/janus.jcfg" ] || { echo "$SRC/janus.jcfg not found: apt-get install janus" >&2; exit 1; }
folder() {  # a folder path as Debian's janus.jcfg names it
  sed -n "s/^[[:space:]]*$1[[:space:]]*=[[:space:]]*\"\([^\"]*\)\".*/\1/p" "$SRC/janus.jcfg" | head -n 1
}
PLUGINS=$(folder plugins_folder)
TRANSPORTS=$(folder transports_folder)
EVENTS=$(folder events_folder)
LOGGERS=$(folder loggers_folder)
for d in "$PLUGINS" "$TRANSPORTS"; do
  [ -d "$d" ] || { echo "Janus folder '$d' (from $SRC/janus.jcfg) not found" >&2; exit 1; }
done

# Comma-separated list of the .so files in folder $1 whose names are not in the list $2 (space separated).
disable_all_but() {
  dir=$1
  keep=$2
  list=""
  [ -d "$dir" ] || { echo ""; return; }
  for f in "$dir"/*.so; do
    [ -e "$f" ] || continue
    name=$(basename "$f")
    case " $keep " in *" $name "*) continue ;; esac
    list="${list:+$list,}$name"
  done
  echo "$list"
}

mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
rm -f "$OUT"/*.jcfg

cat > "$OUT/janus.jcfg" <<EOF
# Made by bench/janus/make-config.sh from $SRC/janus.jcfg for the Medley comparison (IP $IP, interface $IFACE).
general: {
	configs_folder = "$OUT"
	plugins_folder = "$PLUGINS"
	transports_folder = "$TRANSPORTS"
	events_folder = "$EVENTS"
	loggers_folder = "$LOGGERS"
	log_to_stdout = true
	debug_level = $DEBUG_LEVEL
	debug_colors = false
	interface = "$IP"
	server_name = "medley-bench-janus"
	session_timeout = 60
	# All handles share one event loop thread for their media (Janus' default is a thread per handle).
	event_loops = 1
	protected_folders = ["/bin", "/boot", "/dev", "/etc", "/initrd", "/lib", "/lib32", "/lib64", "/proc", "/sbin",
		"/sys", "/usr", "/var"]
}
certificates: {
}
media: {
	ipv6 = false
}
nat: {
	nice_debug = false
	full_trickle = false
	ice_lite = false
	ice_tcp = false
	ice_enforce_list = "$IFACE"
}
plugins: {
	disable = "$(disable_all_but "$PLUGINS" "libjanus_echotest.so libjanus_videoroom.so")"
}
transports: {
	disable = "$(disable_all_but "$TRANSPORTS" "libjanus_websockets.so")"
}
loggers: {
	disable = "$(disable_all_but "$LOGGERS" "")"
}
events: {
	broadcast = false
	disable = "$(disable_all_but "$EVENTS" "")"
}
EOF

cat > "$OUT/janus.transport.websockets.jcfg" <<EOF
general: {
	json = "compact"
	ws = true
	ws_port = 8188
	ws_ip = "$IP"
	wss = false
}
admin: {
	admin_ws = false
	admin_wss = false
}
EOF

# No preconfigured rooms (the driver creates its own); no string room ids.
cat > "$OUT/janus.plugin.videoroom.jcfg" <<EOF
general: {
	string_ids = false
}
EOF
cat > "$OUT/janus.plugin.echotest.jcfg" <<EOF
general: {
}
EOF

echo "$OUT"
