#!/usr/bin/env bash
# Change-notification lag under load: a fresh node (H2 file journal, predictions on) replays the
# Taobao sample while ChangeLagProbe sends one event every 50 ms for the probe's own user and times
# each from its POST to its arrival on the SSE stream (GET /v1/changes?userId=...).
#   load-tests/scripts/change-lag.sh [CSV]    env: PORT (18380), SECONDS_OF_PROBE (60), CONC (4), BATCH (500), RATE
# CONC/BATCH shape the replay beside the probe: the defaults saturate the node (the lag then holds
# the queueing of a full node); CONC=1 BATCH=50 leaves headroom. RATE (events/s) paces the replay
# (the replay's --rate): half of the saturated run's rate is the target's condition; RATE=0 replays
# nothing (the idle node's lag). Figures appended to
# load-tests/results/change-lag.csv (see results-lib.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
. load-tests/scripts/results-lib.sh
results_command change-lag.sh "SECONDS_OF_PROBE CONC BATCH RATE JAR" "$@"
CSV=${1:-samples/taobao-userbehavior-sample.csv.gz}
PORT=${PORT:-18380}; SECS=${SECONDS_OF_PROBE:-60}
BENCH=load-tests/target/benchmarks.jar
[ -f "$BENCH" ] || { echo "$BENCH missing: mvn -B -q -DskipTests install"; exit 2; }
. load-tests/scripts/node-lib.sh
RUN=$(mktemp -d /tmp/profile-lag.XXXX)
start_node "$RUN" "$PORT"
echo "machine: $(nproc) cpus; node ready: $(curl -s localhost:$PORT/ready)"
java -cp "$BENCH" dev.profileengine.bench.ChangeLagProbe "http://127.0.0.1:$PORT" "$SECS" 50 > "$RUN/lag.txt" 2>&1 &
PROBE=$!
cpu0=$(node_cpu)
if [ "${RATE:-}" = 0 ]; then
  echo "idle: no replay" > "$RUN/replay.txt"
else
  java -jar "$JAR" replay --file "$CSV" --url "http://127.0.0.1:$PORT" --batch "${BATCH:-500}" --concurrency "${CONC:-4}" \
    ${RATE:+--rate "$RATE"} | tee "$RUN/replay.txt" | grep -v '^  ' | tail -1
fi
cpu1=$(node_cpu)
wait $PROBE
echo "node CPU during the replay: $(echo "$cpu1 - $cpu0" | bc) s"
grep 'change-stream lag' "$RUN/lag.txt"
# lag FROM PCT: the probe's PCT figure (p50, p90, p99) of its line "change-stream lag from FROM ..."
lag() { grep "change-stream lag from $1" "$RUN/lag.txt" | grep -oP "$2 \K[0-9.]+(?= ms)" | head -1 || true; }
for p in p50 p90 p99; do
  record_result change-lag "ack_lag_${p}_ms" "$(lag 'the acknowledgement' "$p")" ms
  record_result change-lag "post_lag_${p}_ms" "$(lag POST "$p")" ms
done
record_result change-lag replay_events_per_s "$(grep -oP 'replay done in .*: \K[0-9,]+(?= events/s)' "$RUN/replay.txt")" events/s
record_result change-lag node_cpu_s "$(echo "$cpu1 - $cpu0" | bc)" s
curl -s "localhost:$PORT/metrics" | grep -E '^profile_change_lag_seconds_(count|sum)'
