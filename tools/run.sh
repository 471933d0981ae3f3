#!/usr/bin/env bash
# Runs the gateway locally (the README's "run the gateway" command): installs the build
# dependencies, builds Release into build/, then starts
#   portico-cp     with examples/quickstart.yaml (xDS :18000, admin/REST :18001)
#   portico-proxy  (--xds=127.0.0.1:18000 --node_id=quickstart --admin_port=9901; traffic on :8080)
#   echo-1, echo-2 echo-backends that register themselves as service "echo"
# waits until they are ready, prints what to try, and stays in the foreground until Ctrl-C.
#
# Usage: tools/run.sh [--no-build]
# Env: BUILD_DIR (default <repo>/build), JOBS (default 2), SKIP_DEPS=1 (skip install-deps.sh),
#      BUILD_LOCK (a file to flock around the build).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-$root/build}
JOBS=${JOBS:-2}
CONFIG=$root/examples/quickstart.yaml
XDS_PORT=18000
CP_ADMIN_PORT=18001
PROXY_ADMIN_PORT=9901
LISTENER_PORT=8080

build=1
for arg in "$@"; do
  case "$arg" in
    --no-build) build=0 ;;
    -h|--help) sed -n '2,12p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run.sh: unexpected argument '$arg' (see --help)" >&2; exit 1 ;;
  esac
done

say() { echo "run.sh: $*"; }
die() { echo "run.sh: $*" >&2; exit 1; }
locked() { if [ -n "${BUILD_LOCK:-}" ]; then flock "$BUILD_LOCK" "$@"; else "$@"; fi; }

# ---- build --------------------------------------------------------------------------------------

if [ "$build" = 1 ]; then
  if [ "${SKIP_DEPS:-0}" != 1 ]; then
    "$root/tools/install-deps.sh"
  fi
  configure=(cmake -S "$root" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release)
  [ -f "$BUILD_DIR/CMakeCache.txt" ] || configure+=(-G Ninja)
  "${configure[@]}"
  say "building (-j$JOBS); the first build takes a while"
  locked cmake --build "$BUILD_DIR" -j"$JOBS"
fi

BIN=$BUILD_DIR/bin
for binary in portico-cp echo-backend porticoctl; do
  [ -x "$BIN/$binary" ] || die "$BIN/$binary is missing; build first (run without --no-build)"
done

# ---- processes ----------------------------------------------------------------------------------

logs=$(mktemp -d /tmp/portico-quickstart.XXXXXX)
pids=()
names=()

stop_all() {
  local i pid j
  trap - EXIT INT TERM
  # One at a time in reverse start order: the proxy first, then the backends (which
  # deregister while the control plane still runs), the control plane last.
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    pid=${pids[i]}
    kill -TERM "$pid" 2>/dev/null || true
    for j in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  pids=()
}
on_exit() {
  local code=$?
  if [ ${#pids[@]} -gt 0 ]; then
    echo
    say "stopping ${names[*]}"
    stop_all
  fi
  say "logs kept in $logs"
  exit "$code"
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

start() {  # start NAME CMD...: background, output to $logs/NAME.log; sets $started
  local name=$1; shift
  "$@" >"$logs/$name.log" 2>&1 &
  started=$!
  pids+=("$started")
  names+=("$name")
}

show_log() { echo "---- $1 log ($logs/$1.log) ----" >&2; tail -n 25 "$logs/$1.log" >&2 || true; }

wait_for() {  # wait_for NAME PID SECONDS CHECK...: until CHECK succeeds, PID exits, or time runs out
  local name=$1 pid=$2 limit=$3 i; shift 3
  for i in $(seq $((limit * 10))); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    if ! kill -0 "$pid" 2>/dev/null; then show_log "$name"; die "$name exited during startup"; fi
    sleep 0.1
  done
  show_log "$name"
  die "$name was not ready within ${limit}s"
}

port_free() { [ -z "$(ss -ltnH "sport = :$1" 2>/dev/null)" ]; }
for port in $XDS_PORT $CP_ADMIN_PORT $PROXY_ADMIN_PORT $LISTENER_PORT; do
  port_free "$port" || die "port $port is in use (another run.sh? see: ss -ltnp 'sport = :$port')"
done

instances_registered() {  # true when service echo has 2 instances
  [ "$(curl -sf "http://127.0.0.1:$CP_ADMIN_PORT/v1/services/echo" | grep -o '"id"' | wc -l)" -ge 2 ]
}

say "starting portico-cp with $CONFIG"
start portico-cp "$BIN/portico-cp" --config="$CONFIG" --xds_address=127.0.0.1 --xds_port=$XDS_PORT \
  --admin_address=127.0.0.1 --admin_port=$CP_ADMIN_PORT
wait_for portico-cp "$started" 20 curl -sf "http://127.0.0.1:$CP_ADMIN_PORT/readyz"

for name in echo-1 echo-2; do
  start "$name" "$BIN/echo-backend" --name="$name" --address=127.0.0.1 --port=0 \
    --port_file="$logs/$name.port" --register=127.0.0.1:$CP_ADMIN_PORT --service=echo \
    --instance_id="$name" --ttl=10
done
wait_for echo-backends "$started" 15 instances_registered

proxy=0
if [ -x "$BIN/portico-proxy" ]; then
  say "starting portico-proxy"
  start portico-proxy "$BIN/portico-proxy" --xds=127.0.0.1:$XDS_PORT --node_id=quickstart \
    --admin_address=127.0.0.1 --admin_port=$PROXY_ADMIN_PORT
  wait_for portico-proxy "$started" 30 curl -sf "http://127.0.0.1:$PROXY_ADMIN_PORT/ready"
  wait_for portico-proxy "$started" 15 curl -sf "http://127.0.0.1:$LISTENER_PORT/echo/hello"
  proxy=1
else
  say "portico-proxy is not built yet ($BIN/portico-proxy): starting the control plane and backends only"
fi

ctl=$BIN/porticoctl
case "$BIN" in "$root"/*) ctl=${BIN#"$root"/}/porticoctl ;; esac
echo
say "ready (logs in $logs)"
echo "  control plane   http://127.0.0.1:$CP_ADMIN_PORT (xDS on 127.0.0.1:$XDS_PORT)"
echo "  backends        echo-1 on 127.0.0.1:$(cat "$logs/echo-1.port"), echo-2 on 127.0.0.1:$(cat "$logs/echo-2.port")"
echo
echo "Try:"
if [ "$proxy" = 1 ]; then
  echo "  curl -s localhost:$LISTENER_PORT/echo/hello        # answered by echo-1 or echo-2 through the proxy"
  echo "  curl -s localhost:$PROXY_ADMIN_PORT/config_dump        # what the proxy runs"
fi
echo "  $ctl services            # registered services"
echo "  $ctl services echo       # the two echo instances and their leases"
echo "  $ctl routes              # routes the control plane pushes"
echo "  $ctl proxies             # connected proxies and their sync state"
echo
echo "Ctrl-C stops everything."

# Foreground until Ctrl-C; if a component dies, say so and stop the rest.
while true; do
  for i in "${!pids[@]}"; do
    if ! kill -0 "${pids[i]}" 2>/dev/null; then
      show_log "${names[i]}"
      die "${names[i]} exited unexpectedly"
    fi
  done
  sleep 1 &
  wait $! || true
done
