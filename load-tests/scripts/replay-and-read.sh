#!/usr/bin/env bash
# Foundation benchmark: replays a Taobao CSV into one fresh node (H2 file journal) with the replay
# CLI, then measures GET /v1/profiles/{id} latency over the replayed users with wrk.
#   load-tests/scripts/replay-and-read.sh [CSV] [extra JVM options for the node...]
# Env: PORT (18080), BATCH (500), CONC (8), READ_SECONDS (20), READ_CONNECTIONS (16), READ_THREADS (2)
set -euo pipefail
cd "$(dirname "$0")/../.."
CSV=${1:-samples/taobao-userbehavior-sample.csv.gz}; shift || true
PORT=${PORT:-18080}; BATCH=${BATCH:-500}; CONC=${CONC:-8}
. load-tests/scripts/node-lib.sh
command -v wrk >/dev/null || { echo "wrk is needed (apt-get install wrk)"; exit 2; }
RUN=$(mktemp -d /tmp/profile-bench.XXXX)
start_node "$RUN" "$PORT" "$@"
echo "node ready: $(curl -s localhost:$PORT/ready)"
java -jar "$JAR" replay --file "$CSV" --url "http://127.0.0.1:$PORT" --batch "$BATCH" --concurrency "$CONC" | grep -v '^  ' | tail -2
# users for the read test: every distinct user of the file
read_script "$RUN" "$CSV"
echo "reading profiles of $(wc -l < "$RUN/users.txt") users"
wrk -t"${READ_THREADS:-2}" -c"${READ_CONNECTIONS:-16}" -d"${READ_SECONDS:-20}s" --latency -s "$RUN/read.lua" "http://127.0.0.1:$PORT" \
  | grep -E "Latency|50%|90%|99%|Requests/sec|Non-2xx|requests in"
grep -cE "ERROR" "$RUN/node.log" | xargs echo "node log errors:"
