#!/usr/bin/env bash
# Ingest events/s of one node vs three nodes on this machine, in one run: a fresh 1-node cluster
# (PostgreSQL journal, scripts/cluster.sh) takes ROWS rows of the Taobao sample, then a fresh
# 3-node cluster takes the same rows spread over its three HTTP ports. All nodes share the
# machine's cores, so this measures the cost of distribution more than the gain of scale-out.
# Figures appended to load-tests/results/scale-1-vs-3.csv (see results-lib.sh).
#   load-tests/scripts/scale-1-vs-3.sh     env: ROWS (40000), BATCH (500), LANES (4), PROFILE_PREDICTIONS (off)
set -euo pipefail
cd "$(dirname "$0")/../.."
. load-tests/scripts/results-lib.sh
results_command scale-1-vs-3.sh "ROWS BATCH LANES PROFILE_PREDICTIONS PROFILE_JAR" "$@"
ROWS=${ROWS:-40000}; BATCH=${BATCH:-500}; LANES=${LANES:-4}
export PROFILE_PREDICTIONS=${PROFILE_PREDICTIONS:-off}
BENCH=load-tests/target/benchmarks.jar
[ -f "$BENCH" ] || { echo "$BENCH missing: mvn -B -q -DskipTests install"; exit 2; }
echo "machine: $(nproc) cpus; rows $ROWS, batch $BATCH, lanes $LANES per node, predictions $PROFILE_PREDICTIONS"
trap 'scripts/cluster.sh clean >/dev/null 2>&1 || true' EXIT
RUN_DIR=${CLUSTER_RUN_DIR:-cluster-run}
for n in 1 3; do
  scripts/cluster.sh clean >/dev/null 2>&1 || true
  if ! scripts/cluster.sh start "$n" >/dev/null; then
    for log in "$RUN_DIR"/node*.log; do echo "== $log"; grep -E 'ERROR|Exception|refused|failed' "$log" | head -5; done
    exit 1
  fi
  urls=$(seq 1 "$n" | while read -r i; do printf 'http://127.0.0.1:%d,' $((8079 + i)); done)
  summary=$(java -cp "$BENCH" dev.profileengine.bench.MultiNodeReplayProbe "${urls%,}" "$ROWS" "$BATCH" "$LANES" | grep SUMMARY)
  echo "$summary"
  # "SUMMARY nodes N: R rows, A accepted, D duplicates, J rejected, T retries in S s = E events/s"
  figure() { echo "$summary" | grep -oP "[0-9][0-9,.]*(?= $1)" | tail -1 || true; }
  nodes=$([ "$n" = 1 ] && echo node || echo nodes)
  record_result scale-1-vs-3 "events_per_s_${n}_$nodes" "$(figure 'events/s')" events/s
  for what in accepted duplicates rejected; do record_result scale-1-vs-3 "${what}_${n}_$nodes" "$(figure "$what")" events; done
  record_result scale-1-vs-3 "retries_${n}_$nodes" "$(figure retries)" batches
done
