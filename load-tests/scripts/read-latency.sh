#!/usr/bin/env bash
# Profile reads on one warm node: replays a Taobao CSV into a fresh node (H2 file journal), warms the
# read path up, measures the saturated rate with wrk (keep-alive connections), then the latency at
# half of that rate with each connection paced (wrk's delay(): closed loop with think time, so a
# stall delays the next requests of its connection instead of queueing them: p99 is a lower bound),
# and last GET /health paced the same way: the floor of the HTTP server and the machine, with no
# profile behind it, to set the profile read's tail against.
#   load-tests/scripts/read-latency.sh [CSV] [extra JVM options for the node...]
# Figures appended to load-tests/results/read-latency.csv (see results-lib.sh).
# Env: PORT (18280), CONNECTIONS (16, the saturated run), SECONDS_PER_RUN (20), WARMUP (30), FRACTION (0.5), PROFILE_PREDICTIONS (off)
set -euo pipefail
cd "$(dirname "$0")/../.."
. load-tests/scripts/results-lib.sh
results_command read-latency.sh "CONNECTIONS SECONDS_PER_RUN WARMUP FRACTION JAR PROFILE_PREDICTIONS" "$@"
CSV=${1:-samples/taobao-userbehavior-sample.csv.gz}; shift || true
PORT=${PORT:-18280}; CONN=${CONNECTIONS:-16}; SECS=${SECONDS_PER_RUN:-20}; WARMUP=${WARMUP:-30}; FRACTION=${FRACTION:-0.5}
export PROFILE_PREDICTIONS=${PROFILE_PREDICTIONS:-off}
. load-tests/scripts/node-lib.sh
command -v wrk >/dev/null || { echo "wrk is needed (apt-get install wrk)"; exit 2; }
RUN=$(mktemp -d /tmp/profile-read.XXXX)
start_node "$RUN" "$PORT" "$@"
echo "machine: $(nproc) cpus; node JVM options: ${*:-default}; predictions $PROFILE_PREDICTIONS; $CONN connections"
java -jar "$JAR" replay --file "$CSV" --url "http://127.0.0.1:$PORT" --batch 500 --concurrency 8 | grep -v '^  ' | tail -1
read_script "$RUN" "$CSV" 0
wrk -t2 -c"$CONN" -d"${WARMUP}s" -s "$RUN/read.lua" "http://127.0.0.1:$PORT" > /dev/null
MAX=$(wrk -t2 -c"$CONN" -d"${SECS}s" --latency -s "$RUN/read.lua" "http://127.0.0.1:$PORT" | tee "$RUN/max.txt" | awk '/Requests\/sec/{printf "%d", $2}')
echo "saturated: $MAX req/s; $(grep -E '^ +(50|99)%' "$RUN/max.txt" | tr -s ' ' | tr '\n' ' ')$(grep -E 'Non-2xx' "$RUN/max.txt" || true)"
# Each connection waits delay ms before each request: rate ~ connections * 1000 / (delay + latency).
# wrk's delay is whole milliseconds, so the paced run keeps each connection waiting 2 ms (about
# 2.5 ms per request with the reply) and opens as many connections as the target rate needs.
TARGET=$(awk -v m="$MAX" -v f="$FRACTION" 'BEGIN{printf "%d", m*f}')
DELAY=2
PCONN=$(awk -v t="$TARGET" 'BEGIN{n = int(t * 2.5 / 1000 + 0.5); printf "%d", n < 2 ? 2 : n}')
read_script "$RUN" "$CSV" "$DELAY"
wrk -t2 -c"$PCONN" -d"${SECS}s" --latency -s "$RUN/read.lua" "http://127.0.0.1:$PORT" > "$RUN/half.txt"
# paced FILE: a paced wrk run's rate, percentiles and non-2xx answers on one line
paced() { echo "$(awk '/Requests\/sec/{printf "%d req/s; ", $2}' "$1")$(grep -E '^ +(50|75|90|99)%' "$1" | tr -s ' ' | tr '\n' ' ')$(grep -E 'Non-2xx' "$1" || true)"; }
echo "paced at ${FRACTION} of max (target $TARGET req/s, $PCONN connections, ${DELAY} ms between a connection's requests): $(paced "$RUN/half.txt")"
cat > "$RUN/health.lua" <<LUA
request = function() return wrk.format("GET", "/health") end
function delay() return $DELAY end
LUA
wrk -t2 -c"$PCONN" -d"${SECS}s" --latency -s "$RUN/health.lua" "http://127.0.0.1:$PORT" > "$RUN/health.txt"
echo "GET /health paced the same way (no profile): $(paced "$RUN/health.txt")"
echo "node log errors: $(grep -cE "ERROR" "$RUN/node.log" || true)"  # grep -c exits 1 on a count of 0
rate() { awk '/Requests\/sec/{printf "%d", $2}' "$1"; }
record_result read-latency saturated_req_per_s "$MAX" req/s
for p in 50 99; do record_result read-latency "saturated_p${p}_ms" "$(wrk_ms "$RUN/max.txt" "$p")" ms; done
record_result read-latency paced_req_per_s "$(rate "$RUN/half.txt")" req/s
record_result read-latency paced_connections "$PCONN" connections
for p in 50 90 99; do record_result read-latency "paced_p${p}_ms" "$(wrk_ms "$RUN/half.txt" "$p")" ms; done
record_result read-latency health_p99_ms "$(wrk_ms "$RUN/health.txt" 99)" ms
