#!/usr/bin/env bash
# Where a replay into live profiles goes: a fresh node (-Xmx2g, predictions as PROFILE_PREDICTIONS,
# default on) takes a Taobao CSV, then the same rows a day later (same users, entities live, new
# event ids) under a JFR recording (settings=default); prints the node's CPU per event of the second
# replay by thread group (from /proc: native inference and the JIT included), and jfr-breakdown.awk's
# split of the Java samples by layer into OUT/breakdown.txt.
#   load-tests/scripts/profile-live-replay.sh [CSV] [extra JVM options...]   env: PORT (18480), JAR, OUT
set -euo pipefail
cd "$(dirname "$0")/../.."
CSV=${1:-samples/taobao-userbehavior-sample.csv.gz}; shift || true
PORT=${PORT:-18480}
export PROFILE_PREDICTIONS=${PROFILE_PREDICTIONS:-on}
. load-tests/scripts/node-lib.sh
OUT=${OUT:-$(mktemp -d /tmp/profile-live.XXXX)}
ROWS=$(gzip -dcf -- "$CSV" | grep -cE '^[0-9]')
start_node "$OUT" "$PORT" -Xmx2g "$@"
echo "machine: $(nproc) cpus, load $(cut -d' ' -f1-3 /proc/loadavg); file $CSV ($ROWS rows); jar $JAR; predictions $PROFILE_PREDICTIONS"
java -jar "$JAR" replay --file "$CSV" --url "http://127.0.0.1:$PORT" --batch 500 --concurrency 4 | grep -E '^replay done' | sed 's/^/fresh: /'
shifted_csv "$CSV" 0 1 > "$OUT/shifted.csv"
thread_cpu > "$OUT/t0"; c0=$(node_cpu)
jcmd "$NODE" JFR.start name=live settings=default filename="$OUT/live.jfr" > /dev/null
java -jar "$JAR" replay --file "$OUT/shifted.csv" --url "http://127.0.0.1:$PORT" --batch 500 --concurrency 4 | grep -E '^replay done' | sed 's/^/live: /'
jcmd "$NODE" JFR.stop name=live > /dev/null
c1=$(node_cpu); thread_cpu > "$OUT/t1"
echo "node CPU per event of the live replay: $(awk -v a="$c0" -v b="$c1" -v n="$ROWS" 'BEGIN { printf "%.0f", (b - a) * 1e6 / n }') µs; by thread group (CPU s, share, µs per event):"
thread_cpu_diff "$OUT/t0" "$OUT/t1" 20 | awk -v n="$ROWS" '{ printf "%s  %6.0f µs\n", $0, $1 * 1e6 / n }'
jfr print --stack-depth 64 --events jdk.ExecutionSample "$OUT/live.jfr" > "$OUT/samples.txt"
awk -f load-tests/scripts/jfr-breakdown.awk "$OUT/samples.txt" > "$OUT/breakdown.txt"
echo "JFR split by layer: $OUT/breakdown.txt"
