#!/usr/bin/env bash
# Reads right after an ingest, on one fresh node (H2 journal, predictions as PROFILE_PREDICTIONS,
# default on): replays a Taobao CSV, then GETs with wrk (keep-alive) of the CSV's users (200):
# "existing_early" measured SECONDS_PER_RUN s after WARMUP s of reads, "existing" measured after
# WARMUP_MORE s more (the JIT still compiles Akka Streams' interpreter 10 s into the reads); then of
# ids never written (a new id each request: 404); then the same reads of the users against
# HttpCeilingProbe, Akka HTTP alone with the node's settings answering a ready body of the profiles'
# mean size (the stack's ceiling, warmed as long as "existing"). Prints for each its rate, p50/p99,
# non-2xx answers and the server's CPU per request (user + system time of the server process over
# the measured run divided by its requests), and the JIT compiler threads' share of it.
#   load-tests/scripts/reads-unknown.sh [CSV] [extra JVM options for the node...]
# Figures appended to load-tests/results/reads-unknown.csv (see results-lib.sh).
# Env: JAR, PORT (18380), CONNECTIONS (8), SECONDS_PER_RUN (20), WARMUP (10), WARMUP_MORE (20), PROFILE_PREDICTIONS (on)
set -euo pipefail
cd "$(dirname "$0")/../.."
. load-tests/scripts/results-lib.sh
results_command reads-unknown.sh "CONNECTIONS SECONDS_PER_RUN WARMUP WARMUP_MORE JAR PROFILE_PREDICTIONS" "$@"
CSV=${1:-samples/taobao-userbehavior-sample.csv.gz}; shift || true
PORT=${PORT:-18380}; CONN=${CONNECTIONS:-8}; SECS=${SECONDS_PER_RUN:-20}; WARMUP=${WARMUP:-10}; WARMUP_MORE=${WARMUP_MORE:-20}
export PROFILE_PREDICTIONS=${PROFILE_PREDICTIONS:-on}
. load-tests/scripts/node-lib.sh
[ -f load-tests/target/benchmarks.jar ] || { echo "load-tests/target/benchmarks.jar missing: mvn -B -q -DskipTests package"; exit 2; }
command -v wrk >/dev/null || { echo "wrk is needed (apt-get install wrk)"; exit 2; }
RUN=$(mktemp -d /tmp/reads-unknown.XXXX)
start_node "$RUN" "$PORT" "$@"
echo "machine: $(nproc) cpus, load $(cut -d' ' -f1-3 /proc/loadavg); jar $JAR; predictions $PROFILE_PREDICTIONS; $CONN connections"
java -jar "$JAR" replay --file "$CSV" --url "http://127.0.0.1:$PORT" --batch 500 --concurrency 4 | grep -v '^  ' | tail -1
read_script "$RUN" "$CSV" 0
cat > "$RUN/unknown.lua" <<'LUA'
-- a new never-written id each request, distinct across threads
local thread_id = 0
setup = function(thread) thread_id = thread_id + 1; thread:set("tid", thread_id) end
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", "/v1/profiles/never-" .. tid .. "-" .. i)
end
LUA
# measure NAME SCRIPT WARMUP_S: warm-up, then a measured run; prints one line and records its figures
measure() {
  local name=$1 script=$2 c0 c1 out rate
  wrk -t2 -c"$CONN" -d"${3}s" -s "$script" "http://127.0.0.1:$PORT" > /dev/null
  thread_cpu > "$RUN/t0"; c0=$(node_cpu)
  wrk -t2 -c"$CONN" -d"${SECS}s" --latency -s "$script" "http://127.0.0.1:$PORT" > "$RUN/$name.txt"
  c1=$(node_cpu); thread_cpu > "$RUN/t1"
  rate=$(awk '/Requests\/sec/{printf "%d", $2}' "$RUN/$name.txt")
  local requests; requests=$(awk '/requests in/{print $1}' "$RUN/$name.txt")
  local us; us=$(awk -v a="$c0" -v b="$c1" -v n="$requests" 'BEGIN{printf "%.1f", (b - a) * 1e6 / n}')
  local jit; jit=$(thread_cpu_diff "$RUN/t0" "$RUN/t1" 40 | awk -v n="$requests" '/Compiler/ { s += $1 } END { printf "%.1f", s * 1e6 / n }')
  echo "$name: $rate req/s; $(grep -E '^ +(50|99)%' "$RUN/$name.txt" | tr -s ' ' | tr '\n' ' ')$(grep -E 'Non-2xx' "$RUN/$name.txt" | tr -s ' ' || true); node CPU $us us/request, of which the JIT $jit"
  record_result reads-unknown "${name}_req_per_s" "$rate" req/s
  for p in 50 99; do record_result reads-unknown "${name}_p${p}_ms" "$(wrk_ms "$RUN/$name.txt" "$p")" ms; done
  record_result reads-unknown "${name}_cpu_us_per_request" "$us" us
  record_result reads-unknown "${name}_jit_us_per_request" "$jit" us
}
# existing ids first: an unknown id that starts an entity (a build without the filter) leaves it in memory
measure existing_early "$RUN/read.lua" "$WARMUP"
measure existing "$RUN/read.lua" "$WARMUP_MORE"
measure unknown "$RUN/unknown.lua" "$WARMUP"
grep -o 'profile_reads_total{[^}]*} [0-9.E]*' <(curl -s "localhost:$((PORT))/metrics") | tr '\n' ' '; echo
echo "node log errors: $(grep -cE "ERROR" "$RUN/node.log" || true)"  # grep -c exits 1 on a count of 0
# The stack's ceiling: the profiles' mean body size (200 of them), served ready by Akka HTTP alone.
BYTES=$(head -200 "$RUN/users.txt" | while read -r u; do curl -s -o /dev/null -w '%{size_download}\n' "localhost:$PORT/v1/profiles/$u"; done \
  | awk '{ s += $1 } END { printf "%d", s / NR }')
kill "$NODE"; wait "$NODE" 2> /dev/null || true
java -Xmx2g -cp load-tests/target/benchmarks.jar dev.profileengine.bench.HttpCeilingProbe --port "$PORT" --bytes "$BYTES" > "$RUN/stack.log" 2>&1 &
NODE=$!
for _ in $(seq 1 60); do grep -q listening "$RUN/stack.log" && break; sleep 0.5; done
echo "Akka HTTP alone, $BYTES-byte bodies (the profiles' mean):"
measure stack "$RUN/read.lua" $((WARMUP + SECS + WARMUP_MORE))
