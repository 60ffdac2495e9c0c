#!/usr/bin/env bash
# What waiting for the prediction before the write costs (PROFILE_PREDICTION_WAIT): a fresh node
# (H2 file journal, predictions on) replays the first ROWS rows of the Taobao sample with each
# setting, alternating, PAIRS times; prints events/s, the node's CPU seconds and the journal's
# rows and commits for each. Figures appended to load-tests/results/prediction-wait.csv.
#   load-tests/scripts/prediction-wait.sh    env: ROWS (20000), WAIT (20ms), PAIRS (2), PORT (18581)
set -euo pipefail
cd "$(dirname "$0")/../.."
. load-tests/scripts/results-lib.sh
results_command prediction-wait.sh "ROWS WAIT PAIRS JAR" "$@"
ROWS=${ROWS:-20000}; WAIT=${WAIT:-20ms}; PAIRS=${PAIRS:-2}; PORT=${PORT:-18581}
. load-tests/scripts/node-lib.sh
CSV=$(mktemp /tmp/prediction-wait.XXXX.csv)
(gzip -dc samples/taobao-userbehavior-sample.csv.gz || true) | head -"$ROWS" > "$CSV" || true
metric() { curl -s "localhost:$PORT/metrics" | grep -E "^$1 " | awk '{ printf "%d", $2 }'; }
for pair in $(seq 1 "$PAIRS"); do
  for wait in "$WAIT" 0ms; do
    RUN=$(mktemp -d /tmp/prediction-wait.XXXX)
    export PROFILE_PREDICTION_WAIT=$wait
    start_node "$RUN" "$PORT"
    cpu0=$(node_cpu)
    result=$(java -jar "$JAR" replay --file "$CSV" --url "http://127.0.0.1:$PORT" --batch 500 --concurrency 4 | grep -v '^  ' | tail -1)
    cpu=$(echo "$(node_cpu) - $cpu0" | bc)
    rate=$(replay_rate "$result")
    rows=$(metric profile_journal_batch_rows_sum); commits=$(metric profile_journal_batch_rows_count)
    echo "pair $pair, wait $wait: $rate events/s, node CPU $cpu s, $rows journal rows in $commits commits"
    record_result prediction-wait "events_per_s_wait_$wait" "$rate" events/s
    record_result prediction-wait "node_cpu_s_wait_$wait" "$cpu" s
    record_result prediction-wait "journal_rows_wait_$wait" "$rows" rows
    kill "$NODE"; wait "$NODE" 2>/dev/null || true
  done
done
