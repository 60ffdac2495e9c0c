#!/usr/bin/env bash
# New users on a node as it warms up: one fresh node (the README's defaults: H2 file journal,
# predictions on) takes a Taobao CSV ROUNDS times, each time under user ids it has never seen (every
# profile new, as on a fresh node), and prints per round the rate, the node's CPU per event and its
# JIT compiler threads' share of it. Then the bare stack on the same file (stack-ceiling.sh, the
# engine's rows per event) for the ratio in one run. Shows how much of a fresh node's figure is a
# young JVM's warm-up rather than the per-user work.
#   load-tests/scripts/new-users-rounds.sh [CSV]    env: PORT (18580), ROUNDS (6), JAR
# Figures appended to load-tests/results/new-users-rounds.csv (see results-lib.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
. load-tests/scripts/results-lib.sh
results_command new-users-rounds.sh "ROUNDS JAR" "$@"
export RESULT_RUN  # stack-ceiling.sh below records under the same run
CSV=${1:-samples/taobao-userbehavior-sample.csv.gz}
PORT=${PORT:-18580}; ROUNDS=${ROUNDS:-6}
. load-tests/scripts/node-lib.sh
RUN=$(mktemp -d /tmp/new-users-rounds.XXXX)
ROWS=$(gzip -dcf -- "$CSV" | grep -cE '^[0-9]')
echo "machine: $(nproc) cpus, load $(cut -d' ' -f1-3 /proc/loadavg); file $CSV ($ROWS rows); jar $JAR"
start_node "$RUN" "$PORT" -Xmx2g
for r in $(seq 0 $((ROUNDS - 1))); do
  shifted_csv "$CSV" $((r * 100000000)) 0 > "$RUN/round.csv"  # user ids raised past every earlier round's
  thread_cpu > "$RUN/t0"; c0=$(node_cpu)
  out=$(java -jar "$JAR" replay --file "$RUN/round.csv" --url "http://127.0.0.1:$PORT" --batch 500 --concurrency 4 | grep -E '^replay done')
  c1=$(node_cpu); thread_cpu > "$RUN/t1"
  rate=$(replay_rate "$out")
  us=$(awk -v a="$c0" -v b="$c1" -v n="$ROWS" 'BEGIN { printf "%.0f", (b - a) * 1e6 / n }')
  jit=$(thread_cpu_diff "$RUN/t0" "$RUN/t1" 40 | awk -v n="$ROWS" '/Compiler/ { s += $1 } END { printf "%.0f", s * 1e6 / n }')
  echo "round $r (new users): $rate events/s; node CPU $us µs per event, of which the JIT $jit µs"
  record_result new-users-rounds "round${r}_events_per_s" "$rate" events/s
  record_result new-users-rounds "round${r}_cpu_us_per_event" "$us" us
  record_result new-users-rounds "round${r}_jit_us_per_event" "$jit" us
done
echo "node log errors: $(grep -cE "ERROR" "$RUN/node.log" || true)"  # grep -c exits 1 on a count of 0
kill "$NODE"; wait "$NODE" 2> /dev/null || true
echo "the stack alone, the engine's rows per event:"
VARIANTS=h2:2 load-tests/scripts/stack-ceiling.sh "$CSV" | tail -3
