#!/usr/bin/env bash
# Reads right after a replay, against the JIT's warm-up of the read path: one fresh node (H2,
# predictions on) replays a Taobao CSV, idles IDLE_S (10) s, then takes wrk GETs of the CSV's users
# (keep-alive, 8 connections) in three consecutive 10 s windows, each printed with its rate and
# the node's CPU per read (and the JIT compiler threads' part). PREWARM=1 first replays 3,000 rows
# under other user ids and reads those users for PREWARM_S (10) s, before the replay: the read
# path is then compiled before the ingest's own compilations fill the JIT's queue. Run it with
# PREWARM=0 and PREWARM=1 back to back to compare.
#   load-tests/scripts/reads-jit-warmup.sh [CSV]     env: PREWARM (0), PREWARM_S (10), IDLE_S (10), PORT (18480), JAR
# Figures appended to load-tests/results/reads-jit-warmup.csv (see results-lib.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
. load-tests/scripts/results-lib.sh
results_command reads-jit-warmup.sh "PREWARM PREWARM_S IDLE_S JAR" "$@"
CSV=${1:-samples/taobao-userbehavior-sample.csv.gz}
PORT=${PORT:-18480}; PREWARM=${PREWARM:-0}
. load-tests/scripts/node-lib.sh
command -v wrk >/dev/null || { echo "wrk is needed (apt-get install wrk)"; exit 2; }
RUN=$(mktemp -d /tmp/reads-jit-warmup.XXXX)
start_node "$RUN" "$PORT"
echo "machine: $(nproc) cpus, load $(cut -d' ' -f1-3 /proc/loadavg); jar $JAR; prewarm $PREWARM"
if [ "$PREWARM" = 1 ]; then
  { shifted_csv "$CSV" 500000000 0 | head -3000 > "$RUN/pre.csv"; } || true  # head closes the pipe early
  java -jar "$JAR" replay --file "$RUN/pre.csv" --url "http://127.0.0.1:$PORT" --batch 500 --concurrency 4 | tail -1
  read_script "$RUN" "$RUN/pre.csv" 0; mv "$RUN/read.lua" "$RUN/pre.lua"
  echo "prewarm reads: $(wrk -t2 -c8 -d"${PREWARM_S:-10}s" -s "$RUN/pre.lua" "http://127.0.0.1:$PORT" | awk '/Requests\/sec/{printf "%d req/s", $2}')"
fi
java -jar "$JAR" replay --file "$CSV" --url "http://127.0.0.1:$PORT" --batch 500 --concurrency 4 | grep -v '^  ' | tail -1
read_script "$RUN" "$CSV" 0
c0=$(node_cpu); thread_cpu > "$RUN/i0"; sleep "${IDLE_S:-10}"; c1=$(node_cpu); thread_cpu > "$RUN/i1"
echo "idle ${IDLE_S:-10} s after the replay: node CPU $(echo "$c1 - $c0" | bc) s, the JIT's $(thread_cpu_diff "$RUN/i0" "$RUN/i1" 40 | awk '/Compiler/ { s += $1 } END { printf "%.2f", s }') s"
for w in 1 2 3; do
  c0=$(node_cpu); thread_cpu > "$RUN/t0"
  wrk -t2 -c8 -d10s -s "$RUN/read.lua" "http://127.0.0.1:$PORT" > "$RUN/w$w.txt"
  c1=$(node_cpu); thread_cpu > "$RUN/t1"
  n=$(awk '/requests in/{print $1}' "$RUN/w$w.txt")
  rate=$(awk '/Requests\/sec/{printf "%d", $2}' "$RUN/w$w.txt")
  us=$(awk -v a="$c0" -v b="$c1" -v n="$n" 'BEGIN{printf "%.1f", (b-a)*1e6/n}')
  jit=$(thread_cpu_diff "$RUN/t0" "$RUN/t1" 40 | awk -v n="$n" '/Compiler/ { s += $1 } END { printf "%.1f", s * 1e6 / n }')
  echo "reads $(( (w - 1) * 10 ))-$(( w * 10 )) s: $rate req/s, node CPU $us us/read, of which the JIT $jit"
  record_result reads-jit-warmup "prewarm${PREWARM}_window${w}_req_per_s" "$rate" req/s
  record_result reads-jit-warmup "prewarm${PREWARM}_window${w}_cpu_us_per_request" "$us" us
done
