#!/usr/bin/env bash
# Change-notification lag under load: a fresh node (H2 file journal, predictions on) replays the
# Taobao sample while ChangeLagProbe sends one event every 50 ms for the probe's own user and times
# each from its POST to its arrival on the SSE stream (GET /v1/changes?userId=...).
#   load-tests/scripts/change-lag.sh [CSV]    env: PORT (18380), SECONDS_OF_PROBE (60), CONC (4), BATCH (500)
# CONC/BATCH shape the replay beside the probe: the defaults saturate the node (the lag then holds
# the queueing of a full node); CONC=1 BATCH=50 leaves headroom.
set -euo pipefail
cd "$(dirname "$0")/../.."
CSV=${1:-../shared/data/taobao-userbehavior-sample.csv}
PORT=${PORT:-18380}; SECS=${SECONDS_OF_PROBE:-60}
JAR=api-gateway/target/profile-engine.jar; BENCH=load-tests/target/benchmarks.jar
[ -f "$BENCH" ] || { echo "$BENCH missing: mvn -B -q -DskipTests install"; exit 2; }
RUN=$(mktemp -d /tmp/profile-lag.XXXX)
PROFILE_DATA_DIR=$RUN/data PROFILE_HTTP_PORT=$PORT PROFILE_GRPC_PORT=$((PORT+1)) PROFILE_MANAGEMENT_PORT=$((PORT+2)) \
  PROFILE_REMOTE_PORT=$((PORT+3)) java -jar "$JAR" > "$RUN/node.log" 2>&1 &
NODE=$!
trap 'kill $NODE 2>/dev/null; wait $NODE 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do curl -sf "localhost:$PORT/ready" >/dev/null && break; sleep 0.5; done
echo "machine: $(nproc) cpus; node ready: $(curl -s localhost:$PORT/ready)"
java -cp "$BENCH" dev.profileengine.bench.ChangeLagProbe "http://127.0.0.1:$PORT" "$SECS" 50 > "$RUN/lag.txt" 2>&1 &
PROBE=$!
java -jar "$JAR" replay --file "$CSV" --url "http://127.0.0.1:$PORT" --batch "${BATCH:-500}" --concurrency "${CONC:-4}" | grep -v '^  ' | tail -1
wait $PROBE
grep 'change-stream lag' "$RUN/lag.txt"
curl -s "localhost:$PORT/metrics" | grep -E '^profile_change_lag_seconds_(count|sum)'
