#!/usr/bin/env bash
# Segment re-evaluation speed (profiles/s): a fresh node (H2 file journal) takes a Taobao CSV, then
# POST /v1/segments/reevaluate re-evaluates every profile through its entity in the background
# (what a rule change triggers at startup); GET /v1/segments reports the progress until done. The
# first pass runs with the profiles live in memory; the node is then restarted so a second pass
# measures the cold case (every entity recovered from the journal and snapshots).
# Figures appended to load-tests/results/segment-reevaluation.csv (see results-lib.sh).
#   load-tests/scripts/segment-reevaluation.sh [CSV]    env: PORT (18280), PROFILE_PREDICTIONS (off)
set -euo pipefail
cd "$(dirname "$0")/../.."
. load-tests/scripts/results-lib.sh
results_command segment-reevaluation.sh "PROFILE_PREDICTIONS JAR" "$@"
CSV=${1:-samples/taobao-userbehavior-sample.csv.gz}
PORT=${PORT:-18280}
export PROFILE_PREDICTIONS=${PROFILE_PREDICTIONS:-off}
. load-tests/scripts/node-lib.sh
RUN=$(mktemp -d /tmp/profile-segments.XXXX)
# reevaluate KEY LABEL: one re-evaluation, its status printed and its figures recorded as KEY_...
reevaluate() {
  curl -s -X POST "localhost:$PORT/v1/segments/reevaluate" >/dev/null
  while true; do
    status=$(curl -s "localhost:$PORT/v1/segments" | grep -oP '"reevaluation":\{[^}]*\}')
    echo "$status" | grep -q '"state":"running"' || break
    sleep 1
  done
  echo "$2: $status"
  field() { echo "$status" | grep -oP "\"$1\":\K[0-9.]+" | head -1 || true; }
  record_result segment-reevaluation "$1_profiles_per_s" "$(field profilesPerSecond)" profiles/s
  record_result segment-reevaluation "$1_seconds" "$(field seconds)" s
  record_result segment-reevaluation profiles "$(field profiles)" profiles
}
echo "machine: $(nproc) cpus; predictions $PROFILE_PREDICTIONS"
start_node "$RUN" "$PORT" -Xmx2g
java -jar "$JAR" replay --file "$CSV" --url "http://127.0.0.1:$PORT" --batch 500 --concurrency 4 | grep -v '^  ' | tail -1
reevaluate warm "warm (entities live)"
kill "$NODE"; wait "$NODE" 2>/dev/null || true
start_node "$RUN" "$PORT" -Xmx2g
reevaluate cold "cold (after a restart: every entity recovered)"
