#!/usr/bin/env bash
# Scale-out with CPU isolation: ingest events/s of 1 node against NODES nodes, each node process
# capped at CORE of a core and the cluster's PostgreSQL at PG_CORE, by Linux cgroup CPU quotas
# (cgroup v2 cpu.max, else v1 cpu.cfs_quota_us; root only). A run starts a fresh 1-node cluster
# (scripts/cluster.sh, embedded PostgreSQL), caps it, replays WARMUP rows of other users, then the
# same ROWS rows of the Taobao sample (MultiNodeReplayProbe: users split over the nodes' HTTP
# ports, rows stored counted from the replies); then the same with NODES nodes. RUNS runs back to
# back; prints each run and the median ratio. The replay client runs in a group of its own, uncapped.
#
#   load-tests/scripts/scale-out.sh                   # 1 vs 3 nodes at 0.4 core each, 3 runs
#   NODES=5 CORE=0.25 load-tests/scripts/scale-out.sh # 1 vs 5 nodes at 0.25 core each
#   WARMUP=0 load-tests/scripts/scale-out.sh          # a cold cluster: reports unconfirmed events and retried batches
#
# Env: NODES (3), CORE (0.4), PG_CORE (0.5), ROWS (30000), WARMUP (10000 rows per node, as each JVM
# warms up on its own; 0 = a cold cluster), RUNS (3), ROUTE (owner; hash: users split by id hash),
# BATCH (500), LANES (4 per node), PROFILE_PREDICTIONS (on), CLUSTER_JAVA_OPTS (see below),
# PROFILE_JAR (api-gateway/target/profile-engine.jar). Nodes start uncapped (a JVM start at 0.25
# core takes minutes) and are capped once ready, before the warm-up.
# JFR_DIR: each node records the measured phase there (JFR profile settings; jfr-breakdown.awk).
# KEEP_LOGS: a directory to copy each cluster's node logs to before it is removed.
# Figures appended to load-tests/results/scale-out.csv (see results-lib.sh), metrics named
# events_per_s_<N>n_<CORE>c and so on; each run's node and PostgreSQL CPU seconds too.
set -euo pipefail
cd "$(dirname "$0")/../.."
. load-tests/scripts/results-lib.sh
results_command scale-out.sh "NODES CORE PG_CORE ROWS WARMUP RUNS BATCH LANES ROUTE PROFILE_PREDICTIONS CLUSTER_JAVA_OPTS PROFILE_JAR" "$@"
NODES=${NODES:-3}; CORE=${CORE:-0.4}; PG_CORE=${PG_CORE:-0.5}; ROWS=${ROWS:-30000}; WARMUP=${WARMUP:-10000}
JFR_DIR=${JFR_DIR:-}; RUNS=${RUNS:-3}; BATCH=${BATCH:-500}; LANES=${LANES:-4}; ROUTE=${ROUTE:-owner}
export PROFILE_PREDICTIONS=${PROFILE_PREDICTIONS:-on}
# The JVM sizes its GC and compiler threads and the default pools from the CPUs it sees: the 2 of
# the machine, not the fraction of one it may use. C1 only (TieredStopAtLevel=1), as the image
# does under a sub-core limit (k8s/docker-entrypoint.sh): C2's compiling and recompiling took most
# of a 0.4-core quota for minutes.
export CLUSTER_JAVA_OPTS=${CLUSTER_JAVA_OPTS:--Xms256m -Xmx1g -XX:ActiveProcessorCount=1 -XX:TieredStopAtLevel=1}
BENCH=load-tests/target/benchmarks.jar
RUN_DIR=${CLUSTER_RUN_DIR:-cluster-run}
[ -f "$BENCH" ] || { echo "$BENCH missing: mvn -B -o -q -DskipTests package"; exit 2; }
[ "$(id -u)" = 0 ] || { echo "scale-out.sh caps processes with cgroups: run it as root"; exit 2; }

# ------------------------------------------------------------------ cgroups
CG_PREFIX=profile-scale-$$
if [ -f /sys/fs/cgroup/cgroup.controllers ] && grep -qw cpu /sys/fs/cgroup/cgroup.controllers; then
  CG_MODE=v2; CG_ROOT=/sys/fs/cgroup
  grep -qw cpu "$CG_ROOT/cgroup.subtree_control" || echo +cpu > "$CG_ROOT/cgroup.subtree_control"
elif [ -f /sys/fs/cgroup/cpu/cpu.cfs_quota_us ]; then
  CG_MODE=v1; CG_ROOT=/sys/fs/cgroup/cpu
elif [ -f /sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us ]; then
  CG_MODE=v1; CG_ROOT=/sys/fs/cgroup/cpu,cpuacct
else
  echo "no cgroup cpu controller (v2 cpu.max or v1 cpu.cfs_quota_us) under /sys/fs/cgroup"; exit 2
fi

# cg_make NAME CORES: a group capped at CORES of a core (period 100 ms; max: not capped), weighted
# high so that other work on the machine does not take the CPU it is allowed.
cg_make() {
  local dir=$CG_ROOT/$CG_PREFIX-$1 quota
  quota=$(awk -v c="$2" 'BEGIN { printf "%d", c * 100000 }')
  [ "$2" != max ] || quota=max
  mkdir -p "$dir"
  if [ "$CG_MODE" = v2 ]; then
    echo "$quota 100000" > "$dir/cpu.max"; echo 10000 > "$dir/cpu.weight"
  else
    echo 100000 > "$dir/cpu.cfs_period_us"; echo "${quota/max/-1}" > "$dir/cpu.cfs_quota_us"; echo 262144 > "$dir/cpu.shares"
  fi
}
# cg_add NAME PID...: moves each process (all its threads) into the group.
cg_add() { local dir=$CG_ROOT/$CG_PREFIX-$1 p; shift; for p in "$@"; do echo "$p" > "$dir/cgroup.procs" 2>/dev/null || true; done; }
# cg_throttled NAME: periods in which the group used up its quota (v1 nr_throttled, v2 nr_throttled).
cg_throttled() { awk '$1 == "nr_throttled" { print $2 }' "$CG_ROOT/$CG_PREFIX-$1/cpu.stat"; }
cg_remove_all() { # every group this script made (a failed run's too): processes back to the root group first
  local dir p
  for dir in "$CG_ROOT/$CG_PREFIX"-*; do
    [ -d "$dir" ] || continue
    for p in $(cat "$dir/cgroup.procs" 2>/dev/null); do echo "$p" > "$CG_ROOT/cgroup.procs" 2>/dev/null || true; done
    rmdir "$dir" 2>/dev/null || true
  done
}
cleanup() { scripts/cluster.sh clean >/dev/null 2>&1 || true; cg_remove_all; }
trap cleanup EXIT

# cpu_seconds PID...: CPU time (user + system, of exited children too) of the processes, in seconds.
cpu_seconds() {
  local p ticks=0 t
  for p in "$@"; do
    t=$(awk '{ print $14 + $15 + $16 + $17 }' "/proc/$p/stat" 2>/dev/null || echo 0)
    ticks=$((ticks + t))
  done
  awk -v t="$ticks" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.1f", t / hz }'
}
pg_pids() { # the postmaster and its children
  local pm
  pm=$(head -1 "$RUN_DIR/postgres/data/postmaster.pid" 2>/dev/null) || return 0
  echo "$pm"; pgrep -P "$pm" || true
}
node_pids() { local i; for i in $(seq "$1"); do cat "$RUN_DIR/node$i.pid"; done; }
figure() { echo "$2" | grep -oP "[0-9][0-9,.]*(?= $1)" | tail -1 | tr -d , || true; }

# measure N: one fresh N-node cluster, capped; prints the probe's SUMMARY line plus CPU figures.
measure() {
  local n=$1 urls summary pids pgp node_cpu0 pg_cpu0 node_cpu pg_cpu out
  scripts/cluster.sh clean >/dev/null 2>&1 || true
  cg_remove_all
  if ! scripts/cluster.sh start "$n" >/dev/null 2>"$RUN_DIR.start.log"; then
    cat "$RUN_DIR.start.log" >&2
    for log in "$RUN_DIR"/node*.log; do echo "== $log" >&2; grep -E 'ERROR|Exception|refused|failed' "$log" | head -5 >&2; done
    exit 1
  fi
  rm -f "$RUN_DIR.start.log"
  cg_make pg "$PG_CORE"
  # The postmaster first: the backends it forks from now on start in its group.
  cg_add pg $(pg_pids)
  cg_add pg $(pg_pids)
  for i in $(seq "$n"); do cg_make "node$i" "$CORE"; cg_add "node$i" "$(cat "$RUN_DIR/node$i.pid")"; done
  urls=$(seq 1 "$n" | while read -r i; do printf 'http://127.0.0.1:%d,' $((8079 + i)); done)
  # A formed cluster places its shards itself (PROFILE_PLACE_SHARDS_AFTER, 3 s after its membership
  # is still); a client arriving seconds later finds them placed. Wait for that, 60 s at most.
  local placed=0 t
  for t in $(seq 1 300); do
    placed=$(curl -sf "localhost:8080/v1/cluster/shards" | grep -oE '\[[0-9,]*\]' | tr -d '[]' | tr ',' '\n' | grep -c . || true)
    [ "$placed" -ge 256 ] && break
    sleep 0.2
  done
  echo "  shards placed before the load: $placed" >&2
  pids=$(node_pids "$n")
  # The measured phase's CPU: the probe prints WARMUP when the warm-up is over; sample then.
  out=$(mktemp)
  java -cp "$BENCH" dev.profileengine.bench.MultiNodeReplayProbe "${urls%,}" "$ROWS" "$BATCH" "$LANES" "$WARMUP" "$ROUTE" >"$out" &
  local probe=$!
  cg_make client max; cg_add client "$probe"
  if [ "$WARMUP" -gt 0 ]; then
    while kill -0 "$probe" 2>/dev/null && ! grep -q '^WARMUP' "$out"; do sleep 0.2; done
  fi
  if [ -n "$JFR_DIR" ]; then
    mkdir -p "$JFR_DIR"
    for i in $(seq "$n"); do jcmd "$(cat "$RUN_DIR/node$i.pid")" JFR.start name=scale settings=profile >/dev/null; done
  fi
  node_cpu0=$(cpu_seconds $pids); pg_cpu0=$(cpu_seconds $(pg_pids))
  local each0=() p; for p in $pids; do each0+=("$(cpu_seconds "$p")"); done
  local th0 thp0 i
  thp0=$(cg_throttled pg); th0=0; for i in $(seq "$n"); do th0=$((th0 + $(cg_throttled "node$i"))); done
  wait "$probe" || { cat "$out" >&2; exit 1; }
  node_cpu=$(awk -v a="$(cpu_seconds $pids)" -v b="$node_cpu0" 'BEGIN { printf "%.1f", a - b }')
  pg_cpu=$(awk -v a="$(cpu_seconds $(pg_pids))" -v b="$pg_cpu0" 'BEGIN { printf "%.1f", a - b }')
  local each="" k=0
  for p in $pids; do each+="$(awk -v a="$(cpu_seconds "$p")" -v b="${each0[$k]}" 'BEGIN { printf "%.1f", a - b }') "; k=$((k + 1)); done
  local th=0; for i in $(seq "$n"); do th=$((th + $(cg_throttled "node$i"))); done
  if [ -n "$JFR_DIR" ]; then
    for i in $(seq "$n"); do
      jcmd "$(cat "$RUN_DIR/node$i.pid")" JFR.stop name=scale filename="$(realpath "$JFR_DIR")/${n}nodes-node$i.jfr" >/dev/null
    done
  fi
  grep -E '^(WARMUP|ROUTE)' "$out" | sed 's/^/  /' >&2 || true
  summary=$(grep '^SUMMARY' "$out"); rm -f "$out"
  if [ -n "${KEEP_LOGS:-}" ]; then mkdir -p "$KEEP_LOGS/${n}nodes"; cp "$RUN_DIR"/node*.log "$KEEP_LOGS/${n}nodes/"; fi
  echo "$summary; node cpu ${node_cpu} s (each: ${each% }), pg cpu ${pg_cpu} s, throttled periods nodes $((th - th0)) pg $(($(cg_throttled pg) - thp0))"
  scripts/cluster.sh clean >/dev/null 2>&1 || true
  cg_remove_all
}

echo "machine: $(nproc) cpus, cgroup $CG_MODE; 1 vs $NODES nodes at $CORE core each, PostgreSQL at $PG_CORE core;"
echo "rows $ROWS after a warm-up of $WARMUP rows per node of other users, route by $ROUTE; batch $BATCH, lanes $LANES per node; predictions $PROFILE_PREDICTIONS;"
echo "node JVM: $CLUSTER_JAVA_OPTS"
tag="${NODES}n_${CORE}c"   # metrics of runs with another warm-up or route say so: _cold, _w<rows>, _hash
if [ "$WARMUP" = 0 ]; then tag="${tag}_cold"; elif [ "$WARMUP" != 10000 ]; then tag="${tag}_w$WARMUP"; fi
[ "$ROUTE" = owner ] || tag="${tag}_$ROUTE"
ratios=()
printf '%-4s %14s %14s %7s %s\n' run "1 node ev/s" "$NODES nodes ev/s" ratio "(unconfirmed / retries, 1 node | $NODES nodes)"
RUNS_LABEL=$RESULT_RUN
for run in $(seq "$RUNS"); do
  RESULT_RUN="$RUNS_LABEL #$run"   # each run its own label on the charts
  one=$(measure 1); many=$(measure "$NODES")
  echo "  $one" >&2; echo "  $many" >&2
  e1=$(figure 'events/s' "$one"); en=$(figure 'events/s' "$many")
  ratio=$(awk -v a="$en" -v b="$e1" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
  ratios+=("$ratio")
  printf '%-4s %14s %14s %6sx %s\n' "$run" "$e1" "$en" "$ratio" \
    "($(figure unconfirmed "$one") / $(figure retries "$one") | $(figure unconfirmed "$many") / $(figure retries "$many"))"
  for side in one many; do
    line=${!side}; k=$([ "$side" = one ] && echo 1 || echo "$NODES")
    record_result scale-out "events_per_s_${k}_of_$tag" "$(figure 'events/s' "$line")" events/s
    record_result scale-out "events_per_s_per_core_${k}_of_$tag" \
      "$(awk -v e="$(figure 'events/s' "$line")" -v k="$k" -v c="$CORE" 'BEGIN { printf "%.0f", e / (k * c) }')" "events/s per node core"
    record_result scale-out "unconfirmed_${k}_of_$tag" "$(figure unconfirmed "$line")" events
    record_result scale-out "retries_${k}_of_$tag" "$(figure retries "$line")" batches
    record_result scale-out "stored_${k}_of_$tag" "$(figure stored "$line")" events
    record_result scale-out "pg_cpu_s_${k}_of_$tag" "$(echo "$line" | grep -oP '(?<=pg cpu )[0-9.]+')" s
    record_result scale-out "node_cpu_s_${k}_of_$tag" "$(echo "$line" | grep -oP '(?<=node cpu )[0-9.]+')" s
  done
  record_result scale-out "ratio_$tag" "$ratio" x
done
median=$(printf '%s\n' "${ratios[@]}" | sort -g | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else printf "%.2f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }')
echo "median ratio $NODES nodes / 1 node: ${median}x (runs: ${ratios[*]})"
RESULT_RUN=$RUNS_LABEL
record_result scale-out "median_ratio_$tag" "$median" x
