#!/usr/bin/env bash
# A local profile-engine cluster on loopback: N nodes from the fat jar sharing a PostgreSQL journal.
#
#   scripts/cluster.sh start [N]     start PostgreSQL (unless PROFILE_DB_URL is set) and N nodes (default 3)
#   scripts/cluster.sh status        each node: pid, /ready on the management and HTTP ports
#   scripts/cluster.sh kill NODE     kill -9 node NODE (1..N): a crash, no shard hand-off
#   scripts/cluster.sh restart NODE  stop node NODE (SIGTERM) if running, start it again, wait until ready
#   scripts/cluster.sh stop          stop every node (SIGTERM, then -9 after 30 s) and our PostgreSQL
#   scripts/cluster.sh clean         stop, then delete the run directory (journal included)
#
# Node i (1-based) listens on 127.0.0.1: HTTP 8079+i, gRPC 8089+i, management 8557+i, Artery 25519+i
# (node 1: 8080, 8090, 8558, 25520). Seed nodes: every node's Artery address, node 1 first, so node 1
# forms the cluster on a cold start and a restarted node 1 rejoins the running cluster.
#
# Journal: PROFILE_DB_URL (+ PROFILE_DB_USER, PROFILE_DB_PASSWORD) if set; otherwise a PostgreSQL of
# Debian's packages (/usr/lib/postgresql/*/bin) is initialised under the run directory and started
# on a free port >= 15432, loopback only, trust auth (apt-get install postgresql if missing, as root).
#
# Remoting runs over TLS with mutual authentication: the key material is made on start by
# k8s/generate-cluster-certs.sh in the run directory's cluster-tls/ (kept across restarts).
#
# Run directory: ./cluster-run under the repository (CLUSTER_RUN_DIR overrides): nodeI.pid, nodeI.log,
# nodeI/ (working dir), postgres/ (data, log), cluster-tls/, cluster.env (the settings of the running cluster),
# profile-engine.jar (the copy the nodes run: rebuilding does not affect them; stop + start picks
# up a new jar, restart NODE keeps the copy).
# Other knobs: PROFILE_JAR (default api-gateway/target/profile-engine.jar), CLUSTER_JAVA_OPTS
# (default -Xms256m -Xmx1g), CLUSTER_READY_TIMEOUT (seconds, default 180), PROFILE_API_KEYS (passed on).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
RUN_DIR="${CLUSTER_RUN_DIR:-$ROOT/cluster-run}"
JAR="${PROFILE_JAR:-$ROOT/api-gateway/target/profile-engine.jar}"
JAVA_OPTS_DEFAULT="-Xms256m -Xmx1g"
READY_TIMEOUT="${CLUSTER_READY_TIMEOUT:-180}"
MAX_NODES=10   # keeps the HTTP (8080..8089) and gRPC (8090..8099) ranges apart

log() { echo "cluster: $*" >&2; }
die() { log "$*"; exit 1; }

http_port() { echo $((8079 + $1)); }
grpc_port() { echo $((8089 + $1)); }
mgmt_port() { echo $((8557 + $1)); }
remote_port() { echo $((25519 + $1)); }

pid_of() { # the pid of node $1 if it is running
  local f="$RUN_DIR/node$1.pid" pid
  [ -f "$f" ] || return 1
  pid="$(cat "$f")"
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

load_env() {
  [ -f "$RUN_DIR/cluster.env" ] || die "no cluster in $RUN_DIR (run: $0 start [N])"
  # shellcheck disable=SC1091
  . "$RUN_DIR/cluster.env"
}

# ------------------------------------------------------------------ PostgreSQL

pg_bin() {
  local d
  d="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)"
  if [ -z "$d" ] || [ ! -x "$d/initdb" ]; then
    [ "$(id -u)" = 0 ] || die "PostgreSQL server binaries not found: apt-get install postgresql (as root), or set PROFILE_DB_URL"
    log "PostgreSQL server binaries not found: installing Debian's postgresql package (apt-get install -y postgresql)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >/dev/null \
      || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >/dev/null; } \
      || die "apt-get install postgresql failed"
    d="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
  fi
  echo "$d"
}

as_pg() { # run a PostgreSQL command as a non-root user (initdb/postgres refuse root)
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start_postgres() {
  local bin dir port
  bin="$(pg_bin)"
  dir="$RUN_DIR/postgres"
  mkdir -p "$dir"
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || die "running as root needs the 'postgres' user (created by Debian's postgresql package)"
    chown postgres: "$dir"
    runuser -u postgres -- test -w "$dir" || die "user postgres cannot write $dir (set CLUSTER_RUN_DIR to a directory it can reach)"
  fi
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    log "initialising PostgreSQL ($bin) in $dir/data"
    as_pg "$bin/initdb" -D "$dir/data" -U profile --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
      || as_pg "$bin/initdb" -D "$dir/data" -U profile --auth=trust -E UTF8 >"$dir/initdb.log" 2>&1 \
      || die "initdb failed: see $dir/initdb.log"
  fi
  port=15432
  while port_in_use "$port"; do port=$((port + 1)); done
  as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 \
    -o "-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$dir -c max_connections=200" start >/dev/null \
    || die "PostgreSQL did not start: see $dir/postgres.log"
  if ! as_pg "$bin/psql" -h 127.0.0.1 -p "$port" -U profile -d postgres -tAc "select 1 from pg_database where datname='profiles'" | grep -q 1; then
    as_pg "$bin/createdb" -h 127.0.0.1 -p "$port" -U profile profiles
  fi
  log "PostgreSQL $(basename "$(dirname "$bin")") on 127.0.0.1:$port (data $dir/data, log $dir/postgres.log)"
  PG_BIN="$bin"
  PG_PORT="$port"
  PROFILE_DB_URL="jdbc:postgresql://127.0.0.1:$port/profiles"
  PROFILE_DB_USER=profile
  PROFILE_DB_PASSWORD=""
}

stop_postgres() {
  [ "${PG_PORT:-}" != "" ] || return 0
  if [ -f "$RUN_DIR/postgres/data/postmaster.pid" ]; then
    as_pg "$PG_BIN/pg_ctl" -D "$RUN_DIR/postgres/data" -m fast -w stop >/dev/null 2>&1 && log "PostgreSQL stopped" \
      || log "PostgreSQL did not stop cleanly (see $RUN_DIR/postgres/postgres.log)"
  fi
}

# ------------------------------------------------------------------ nodes

start_node() {
  local i="$1" dir="$RUN_DIR/node$1" pid
  if pid="$(pid_of "$i")"; then log "node $i already running (pid $pid)"; return 0; fi
  for p in "$(http_port "$i")" "$(grpc_port "$i")" "$(mgmt_port "$i")" "$(remote_port "$i")"; do
    port_in_use "$p" && die "node $i: port $p is already in use"
  done
  mkdir -p "$dir"
  rm -f "$RUN_DIR/node$i.pid"
  # setsid: the node outlives this script and is not hit by a Ctrl-C in the calling shell. All of
  # its output goes to the log, so nothing keeps this script's stdout/stderr (a pipe) open.
  # shellcheck disable=SC2086
  (cd "$dir" && exec env \
      PROFILE_HTTP_PORT="$(http_port "$i")" PROFILE_GRPC_PORT="$(grpc_port "$i")" \
      PROFILE_MANAGEMENT_PORT="$(mgmt_port "$i")" PROFILE_REMOTE_PORT="$(remote_port "$i")" \
      PROFILE_REMOTE_HOST=127.0.0.1 PROFILE_BIND=127.0.0.1 PROFILE_DISCOVERY=config \
      PROFILE_SEED_NODES="$SEEDS" PROFILE_DATA_DIR="$dir/data" \
      PROFILE_REMOTE_TLS=on PROFILE_REMOTE_TLS_DIR="$RUN_DIR/cluster-tls" \
      PROFILE_JOURNAL=postgres PROFILE_DB_URL="$PROFILE_DB_URL" \
      PROFILE_DB_USER="$PROFILE_DB_USER" PROFILE_DB_PASSWORD="$PROFILE_DB_PASSWORD" \
      OPT_OUT_TRACKING=true \
      setsid sh -c 'echo $$ > "$0"; exec "$@"' "$RUN_DIR/node$i.pid" \
        java $JAVA_OPTS -Dai.djl.offline=true -jar "$JAR" serve
  ) >>"$RUN_DIR/node$i.log" 2>&1 </dev/null &
  for _ in $(seq 50); do [ -s "$RUN_DIR/node$i.pid" ] && break; sleep 0.1; done
  log "node $i started (pid $(cat "$RUN_DIR/node$i.pid")): http 127.0.0.1:$(http_port "$i") grpc $(grpc_port "$i") management $(mgmt_port "$i") artery $(remote_port "$i"), log $RUN_DIR/node$i.log"
}

stop_node() { # SIGTERM (coordinated shutdown hands the shards off), -9 after 30 s
  local i="$1" pid
  pid="$(pid_of "$i")" || { rm -f "$RUN_DIR/node$i.pid"; return 0; }
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then
    log "node $i (pid $pid) still running after 30 s: kill -9"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$RUN_DIR/node$i.pid"
  log "node $i stopped"
}

probe() { # prints the HTTP status of GET url (000 when nothing answers)
  curl -s -o /dev/null -m 2 -w '%{http_code}' "$1" 2>/dev/null || true
}

node_ready() { # ready on the management port, or (until it exists) on the HTTP port
  [ "$(probe "http://127.0.0.1:$(mgmt_port "$1")/ready")" = 200 ] || [ "$(probe "http://127.0.0.1:$(http_port "$1")/ready")" = 200 ]
}

wait_ready() {
  local deadline=$((SECONDS + READY_TIMEOUT)) pending
  while :; do
    pending=""
    for i in "$@"; do
      pid_of "$i" >/dev/null || die "node $i exited: see $RUN_DIR/node$i.log"
      node_ready "$i" || pending="$pending $i"
    done
    [ -z "$pending" ] && { log "ready: node(s) $*"; return 0; }
    [ "$SECONDS" -ge "$deadline" ] && die "not ready after ${READY_TIMEOUT}s: node(s)$pending (see $RUN_DIR/node*.log)"
    sleep 1
  done
}

check_node_arg() {
  [[ "${1:-}" =~ ^[0-9]+$ ]] && [ "$1" -ge 1 ] && [ "$1" -le "$NODES" ] || die "NODE must be 1..$NODES, was '${1:-}'"
}

# ------------------------------------------------------------------ commands

cmd_start() {
  local n="${1:-3}"
  [[ "$n" =~ ^[0-9]+$ ]] && [ "$n" -ge 1 ] && [ "$n" -le "$MAX_NODES" ] || die "N must be 1..$MAX_NODES, was '$n'"
  [ -f "$JAR" ] || die "$JAR not found: build it with mvn -B -q -DskipTests package"
  command -v java >/dev/null || die "java not found"
  command -v curl >/dev/null || die "curl not found"
  mkdir -p "$RUN_DIR"
  local db_url="${PROFILE_DB_URL:-}" db_user="${PROFILE_DB_USER:-profile}" db_password="${PROFILE_DB_PASSWORD:-}" jar="$JAR"
  if [ -f "$RUN_DIR/cluster.env" ]; then
    load_env
    for i in $(seq "$NODES"); do pid_of "$i" >/dev/null && die "a cluster is running in $RUN_DIR (stop it first: $0 stop)"; done
    stop_postgres
  fi
  PG_BIN="" PG_PORT=""
  if [ -n "$db_url" ]; then
    PROFILE_DB_URL="$db_url" PROFILE_DB_USER="$db_user" PROFILE_DB_PASSWORD="$db_password"
    log "journal: $PROFILE_DB_URL (from PROFILE_DB_URL)"
  else
    start_postgres
  fi
  NODES="$n"
  SEEDS=""
  for i in $(seq "$n"); do SEEDS="${SEEDS:+$SEEDS,}127.0.0.1:$(remote_port "$i")"; done
  JAVA_OPTS="${CLUSTER_JAVA_OPTS:-$JAVA_OPTS_DEFAULT}"
  if [ ! -f "$RUN_DIR/cluster-tls/keystore.p12" ]; then
    "$ROOT/k8s/generate-cluster-certs.sh" --out "$RUN_DIR/cluster-tls" >&2 || die "k8s/generate-cluster-certs.sh failed"
    log "TLS key material for remoting in $RUN_DIR/cluster-tls"
  fi
  # The nodes run a copy: a rebuild of the jar does not pull it from under running nodes.
  cp "$jar" "$RUN_DIR/profile-engine.jar.tmp" && mv -f "$RUN_DIR/profile-engine.jar.tmp" "$RUN_DIR/profile-engine.jar"
  JAR="$RUN_DIR/profile-engine.jar"
  {
    printf 'NODES=%q\nSEEDS=%q\nJAVA_OPTS=%q\nJAR=%q\n' "$NODES" "$SEEDS" "$JAVA_OPTS" "$JAR"
    printf 'PROFILE_DB_URL=%q\nPROFILE_DB_USER=%q\nPROFILE_DB_PASSWORD=%q\n' "$PROFILE_DB_URL" "$PROFILE_DB_USER" "$PROFILE_DB_PASSWORD"
    printf 'PG_BIN=%q\nPG_PORT=%q\n' "$PG_BIN" "$PG_PORT"
  } >"$RUN_DIR/cluster.env"
  chmod 600 "$RUN_DIR/cluster.env"
  for i in $(seq "$n"); do start_node "$i"; done
  wait_ready $(seq "$n")
  cmd_status || true
}

cmd_status() {
  load_env
  local all=0 pid mgmt http
  printf '%-5s %-8s %-22s %-22s\n' node pid "management /ready" "http /ready" >&2
  for i in $(seq "$NODES"); do
    if pid="$(pid_of "$i")"; then
      mgmt="$(probe "http://127.0.0.1:$(mgmt_port "$i")/ready")"
      http="$(probe "http://127.0.0.1:$(http_port "$i")/ready")"
    else
      pid="-" mgmt="-" http="-"
    fi
    printf '%-5s %-8s %-22s %-22s\n' "$i" "$pid" ":$(mgmt_port "$i") $mgmt" ":$(http_port "$i") $http" >&2
    { [ "$mgmt" = 200 ] || [ "$http" = 200 ]; } || all=1
  done
  if [ -n "${PG_PORT:-}" ]; then
    if as_pg "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT"; then log "PostgreSQL 127.0.0.1:$PG_PORT up"; else log "PostgreSQL 127.0.0.1:$PG_PORT DOWN"; all=1; fi
  else
    log "journal: $PROFILE_DB_URL"
  fi
  return "$all"
}

cmd_kill() {
  load_env
  check_node_arg "${1:-}"
  local pid
  pid="$(pid_of "$1")" || die "node $1 is not running"
  kill -KILL "$pid"
  rm -f "$RUN_DIR/node$1.pid"
  log "node $1 (pid $pid) killed with SIGKILL"
}

cmd_restart() {
  load_env
  check_node_arg "${1:-}"
  stop_node "$1"
  start_node "$1"
  wait_ready "$1"
}

cmd_stop() {
  [ -f "$RUN_DIR/cluster.env" ] || { log "nothing to stop in $RUN_DIR"; return 0; }
  load_env
  local i
  for i in $(seq "$NODES"); do stop_node "$i" & done
  wait
  stop_postgres
}

cmd_clean() {
  cmd_stop
  rm -rf "$RUN_DIR"
  log "removed $RUN_DIR"
}

case "${1:-}" in
  start) shift; cmd_start "$@" ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  kill) shift; cmd_kill "$@" ;;
  restart) shift; cmd_restart "$@" ;;
  clean) cmd_clean ;;
  -h|--help|help|"") awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; [ -n "${1:-}" ] ;;
  *) die "unknown command '$1' (start [N] | stop | status | kill NODE | restart NODE | clean)" ;;
esac
