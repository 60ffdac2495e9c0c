#!/usr/bin/env bash
# Ingest acknowledgement latency at half the saturated rate, cold profiles: one fresh node (the
# README's defaults: H2 file journal, predictions on) replays a Taobao CSV three times, each time
# under user ids it has never seen (every profile cold): first to warm the JVM up (its JIT), then
# as fast as it answers (the saturated rate), then paced at FRACTION (0.5) of that rate. The replay
# times each batch from its POST to its acknowledgement (retries included); the paced run's p99 is
# the figure. WARMUP=0 skips the warm-up (the first replay of a fresh JVM is then measured).
#   load-tests/scripts/ack-latency.sh [CSV] [extra JVM options for the node, e.g. -XX:MaxGCPauseMillis=30]
#   env: PORT (18780), BATCH (100), CONC (4), FRACTION (0.5), WARMUP (1), JAR
# Figures appended to load-tests/results/ack-latency.csv (see results-lib.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
. load-tests/scripts/results-lib.sh
results_command ack-latency.sh "BATCH CONC FRACTION WARMUP JAR" "$@"
CSV=${1:-samples/taobao-userbehavior-sample.csv.gz}; shift || true
PORT=${PORT:-18780}; BATCH=${BATCH:-100}; CONC=${CONC:-4}; FRACTION=${FRACTION:-0.5}
. load-tests/scripts/node-lib.sh
RUN=$(mktemp -d /tmp/profile-ack.XXXX)
echo "machine: $(nproc) cpus, load $(cut -d' ' -f1-3 /proc/loadavg); file $CSV; batch $BATCH, concurrency $CONC; node options: $*"
start_node "$RUN" "$PORT" -Xlog:gc:file="$RUN/gc.log" "$@"

# replay NAME USER_OFFSET [--rate R]: the CSV under user ids raised by USER_OFFSET (new to the node); sets OUT.
replay() {
  local name=$1 offset=$2; shift 2
  shifted_csv "$CSV" "$offset" 0 > "$RUN/$name.csv"
  local cpu0 cpu1
  cpu0=$(node_cpu)
  java -jar "$JAR" replay --file "$RUN/$name.csv" --url "http://127.0.0.1:$PORT" --batch "$BATCH" --concurrency "$CONC" "$@" > "$RUN/$name.txt"
  cpu1=$(node_cpu)
  OUT=$RUN/$name.txt
  echo "$name: $(grep -E '^replay done' "$OUT"); node CPU $(echo "$cpu1 - $cpu0" | bc) s; $(grep -oE 'unconfirmed [0-9,]+  retries [0-9,]+' "$OUT" | tail -1)"
  echo "  $(grep -E '^ack latency' "$OUT")"
}

[ "${WARMUP:-1}" = 0 ] || replay warm-up 300000000
replay saturated 100000000
SATURATED=$(grep -oP 'replay done in .*: \K[0-9,]+(?= events/s)' "$OUT" | tr -d ,)
RATE=$(awk -v r="$SATURATED" -v f="$FRACTION" 'BEGIN { printf "%d", r * f }')
record_result ack-latency saturated_events_per_s "$SATURATED" events/s
record_result ack-latency saturated_ack_p99_ms "$(grep -oP 'p99 \K[0-9.]+(?= ms)' "$OUT")" ms
GC_BEFORE=$(grep -c 'Pause Young' "$RUN/gc.log" || true)
replay paced 200000000 --rate "$RATE"
# The young-collection pauses during the paced run: with every profile kept live, they grow with the old generation.
# (None with ZGC, whose collections are concurrent.)
{ grep 'Pause Young' "$RUN/gc.log" || true; } | tail -n +"$((GC_BEFORE + 1))" | { grep -oP '[0-9.]+(?=ms$)' || true; } | sort -n |
  awk '{ a[NR] = $1 } END { if (NR) printf "  GC young pauses during the paced run: %d, p50 %.1f ms, max %.1f ms\n", NR, a[int((NR + 1) / 2)], a[NR] }'
echo "live profiles: $(curl -s "localhost:$PORT/metrics" | awk '/^profile_active_entities /{printf "%d", $2}')"
P99=$(grep -oP 'p99 \K[0-9.]+(?= ms)' "$OUT")
echo "ack p99 at $RATE events/s (half of $SATURATED, cold profiles): $P99 ms"
record_result ack-latency paced_events_per_s "$RATE" events/s
for p in p50 p90 p99; do record_result ack-latency "paced_ack_${p}_ms" "$(grep -oP "$p \\K[0-9.]+(?= ms)" "$OUT")" ms; done
record_result ack-latency paced_ack_max_ms "$(grep -oP 'max \K[0-9.]+(?= ms)' "$OUT")" ms
