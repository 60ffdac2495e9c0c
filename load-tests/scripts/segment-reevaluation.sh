#!/usr/bin/env bash
# Segment re-evaluation speed (profiles/s): a fresh node (H2 file journal) takes a Taobao CSV, then
# POST /v1/segments/reevaluate re-evaluates every profile through its entity in the background
# (what a rule change triggers at startup); GET /v1/segments reports the progress until done. The
# first pass runs with the profiles live in memory; the node is then restarted so a second pass
# measures the cold case (every entity recovered from the journal and snapshots).
#   load-tests/scripts/segment-reevaluation.sh [CSV]    env: PORT (18280), PROFILE_PREDICTIONS (off)
set -euo pipefail
cd "$(dirname "$0")/../.."
CSV=${1:-samples/taobao-userbehavior-sample.csv.gz}
PORT=${PORT:-18280}
export PROFILE_PREDICTIONS=${PROFILE_PREDICTIONS:-off}
. load-tests/scripts/node-lib.sh
RUN=$(mktemp -d /tmp/profile-segments.XXXX)
reevaluate() {
  curl -s -X POST "localhost:$PORT/v1/segments/reevaluate" >/dev/null
  while true; do
    status=$(curl -s "localhost:$PORT/v1/segments" | grep -oP '"reevaluation":\{[^}]*\}')
    echo "$status" | grep -q '"state":"running"' || break
    sleep 1
  done
  echo "$1: $status"
}
echo "machine: $(nproc) cpus; predictions $PROFILE_PREDICTIONS"
start_node "$RUN" "$PORT" -Xmx2g
java -jar "$JAR" replay --file "$CSV" --url "http://127.0.0.1:$PORT" --batch 500 --concurrency 4 | grep -v '^  ' | tail -1
reevaluate "warm (entities live)"
kill "$NODE"; wait "$NODE" 2>/dev/null || true
start_node "$RUN" "$PORT" -Xmx2g
reevaluate "cold (after a restart: every entity recovered)"
