#!/usr/bin/env bash
# Foundation benchmark: replays a Taobao CSV into one fresh node (H2 file journal) with the replay
# CLI, then measures GET /v1/profiles/{id} latency over the replayed users with wrk.
#   load-tests/scripts/replay-and-read.sh [CSV] [extra JVM options for the node...]
# Env: PORT (18080), BATCH (500), CONC (8), READ_SECONDS (20), READ_CONNECTIONS (16), READ_THREADS (2)
set -euo pipefail
cd "$(dirname "$0")/../.."
CSV=${1:-../shared/data/taobao-userbehavior-sample.csv}; shift || true
PORT=${PORT:-18080}; BATCH=${BATCH:-500}; CONC=${CONC:-8}
JAR=api-gateway/target/profile-engine.jar
[ -f "$JAR" ] || mvn -B -q -DskipTests package
command -v wrk >/dev/null || { echo "wrk is needed (apt-get install wrk)"; exit 2; }
RUN=$(mktemp -d /tmp/profile-bench.XXXX)
PROFILE_DATA_DIR=$RUN/data PROFILE_HTTP_PORT=$PORT PROFILE_GRPC_PORT=$((PORT+1)) PROFILE_MANAGEMENT_PORT=$((PORT+2)) \
  PROFILE_REMOTE_PORT=$((PORT+3)) java "$@" -jar "$JAR" > "$RUN/node.log" 2>&1 &
NODE=$!
trap 'kill $NODE 2>/dev/null; wait $NODE 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do curl -sf "localhost:$PORT/ready" >/dev/null && break; sleep 0.5; done
echo "node ready: $(curl -s localhost:$PORT/ready)"
java -jar "$JAR" replay --file "$CSV" --url "http://127.0.0.1:$PORT" --batch "$BATCH" --concurrency "$CONC" | grep -v '^  ' | tail -2
# users for the read test: every distinct user of the file
cut -d, -f1 "$CSV" | grep -E '^[0-9]+$' | sort -u > "$RUN/users.txt"
cat > "$RUN/read.lua" <<LUA
local users = {}
for line in io.lines("$RUN/users.txt") do users[#users + 1] = line end
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", "/v1/profiles/" .. users[(i % #users) + 1])
end
LUA
echo "reading profiles of $(wc -l < "$RUN/users.txt") users"
wrk -t"${READ_THREADS:-2}" -c"${READ_CONNECTIONS:-16}" -d"${READ_SECONDS:-20}s" --latency -s "$RUN/read.lua" "http://127.0.0.1:$PORT" \
  | grep -E "Latency|50%|90%|99%|Requests/sec|Non-2xx|requests in"
grep -cE "ERROR" "$RUN/node.log" | xargs echo "node log errors:"
