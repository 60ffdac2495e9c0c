#!/usr/bin/env bash
# Ingest acknowledgement latency at half the saturated rate, cold profiles: a fresh node (the
# README's defaults: H2 file journal, predictions on) replays a Taobao CSV as fast as it answers,
# then another fresh node (so every profile is new to it again) replays the same rows paced at
# FRACTION (0.5) of that rate. The replay times each batch from its POST to its acknowledgement
# (retries included); the paced run's p99 is the figure.
#   load-tests/scripts/ack-latency.sh [CSV] [extra JVM options for the nodes]
#   env: PORT (18780), BATCH (100), CONC (4), FRACTION (0.5), RATE (events/s: skip the saturated run), JAR
# Figures appended to load-tests/results/ack-latency.csv (see results-lib.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
. load-tests/scripts/results-lib.sh
results_command ack-latency.sh "BATCH CONC FRACTION RATE JAR" "$@"
CSV=${1:-samples/taobao-userbehavior-sample.csv.gz}; shift || true
PORT=${PORT:-18780}; BATCH=${BATCH:-100}; CONC=${CONC:-4}; FRACTION=${FRACTION:-0.5}
. load-tests/scripts/node-lib.sh
RUN=$(mktemp -d /tmp/profile-ack.XXXX)
echo "machine: $(nproc) cpus, load $(cut -d' ' -f1-3 /proc/loadavg); file $CSV; batch $BATCH, concurrency $CONC"

# replay_fresh NAME [--rate R]: a fresh node replays CSV; prints its lines, the node's CPU, sets OUT.
replay_fresh() {
  local name=$1; shift
  mkdir -p "$RUN/$name"
  start_node "$RUN/$name" "$PORT" -Xmx2g "${JVM_OPTS[@]}"
  local cpu0 cpu1
  cpu0=$(awk '{ print ($14 + $15) / 100 }' "/proc/$NODE/stat")
  java -jar "$JAR" replay --file "$CSV" --url "http://127.0.0.1:$PORT" --batch "$BATCH" --concurrency "$CONC" "$@" > "$RUN/$name/replay.txt"
  cpu1=$(awk '{ print ($14 + $15) / 100 }' "/proc/$NODE/stat")
  kill "$NODE"; wait "$NODE" 2> /dev/null || true
  OUT=$RUN/$name/replay.txt
  grep -E '^replayed' "$OUT" | tail -1
  echo "$name: $(grep -E '^replay done' "$OUT"); node CPU $(echo "$cpu1 - $cpu0" | bc) s"
  grep -E '^ack latency' "$OUT"
}
JVM_OPTS=("$@")

if [ -z "${RATE:-}" ]; then
  replay_fresh saturated
  SATURATED=$(grep -oP 'replay done in .*: \K[0-9,]+(?= events/s)' "$OUT" | tr -d ,)
  RATE=$(awk -v r="$SATURATED" -v f="$FRACTION" 'BEGIN { printf "%d", r * f }')
  record_result ack-latency saturated_events_per_s "$SATURATED" events/s
  record_result ack-latency saturated_ack_p99_ms "$(grep -oP 'p99 \K[0-9.]+(?= ms)' "$OUT")" ms
fi
replay_fresh paced --rate "$RATE"
P99=$(grep -oP 'p99 \K[0-9.]+(?= ms)' "$OUT")
echo "ack p99 at $RATE events/s (cold profiles): $P99 ms"
record_result ack-latency paced_events_per_s "$RATE" events/s
for p in p50 p90 p99; do record_result ack-latency "paced_ack_${p}_ms" "$(grep -oP "$p \\K[0-9.]+(?= ms)" "$OUT")" ms; done
record_result ack-latency paced_ack_max_ms "$(grep -oP 'max \K[0-9.]+(?= ms)' "$OUT")" ms
