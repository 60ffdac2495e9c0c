#!/usr/bin/env bash
# Foundation benchmark: replays a Taobao CSV into one fresh node (H2 file journal) with the replay
# CLI, then measures GET /v1/profiles/{id} latency over the replayed users with wrk.
#   load-tests/scripts/replay-and-read.sh [CSV] [extra JVM options for the node...]
# Figures appended to load-tests/results/replay-and-read.csv (see results-lib.sh).
# Env: PORT (18080), BATCH (500), CONC (8), READ_SECONDS (20), READ_CONNECTIONS (16), READ_THREADS (2)
set -euo pipefail
cd "$(dirname "$0")/../.."
. load-tests/scripts/results-lib.sh
results_command replay-and-read.sh "BATCH CONC READ_SECONDS READ_CONNECTIONS READ_THREADS JAR" "$@"
CSV=${1:-samples/taobao-userbehavior-sample.csv.gz}; shift || true
PORT=${PORT:-18080}; BATCH=${BATCH:-500}; CONC=${CONC:-8}
. load-tests/scripts/node-lib.sh
command -v wrk >/dev/null || { echo "wrk is needed (apt-get install wrk)"; exit 2; }
RUN=$(mktemp -d /tmp/profile-bench.XXXX)
start_node "$RUN" "$PORT" "$@"
echo "node ready: $(curl -s localhost:$PORT/ready)"
replay=$(java -jar "$JAR" replay --file "$CSV" --url "http://127.0.0.1:$PORT" --batch "$BATCH" --concurrency "$CONC" | grep -v '^  ' | tail -2)
echo "$replay"
# users for the read test: every distinct user of the file
read_script "$RUN" "$CSV"
echo "reading profiles of $(wc -l < "$RUN/users.txt") users"
wrk -t"${READ_THREADS:-2}" -c"${READ_CONNECTIONS:-16}" -d"${READ_SECONDS:-20}s" --latency -s "$RUN/read.lua" "http://127.0.0.1:$PORT" > "$RUN/read.txt"
grep -E "Latency|50%|90%|99%|Requests/sec|Non-2xx|requests in" "$RUN/read.txt"
grep -cE "ERROR" "$RUN/node.log" | xargs echo "node log errors:"
record_result replay-and-read replay_events_per_s "$(replay_rate "$(echo "$replay" | tail -1)")" events/s
record_result replay-and-read read_req_per_s "$(awk '/Requests\/sec/{printf "%d", $2}' "$RUN/read.txt")" req/s
for p in 50 90 99; do record_result replay-and-read "read_p${p}_ms" "$(wrk_ms "$RUN/read.txt" "$p")" ms; done
