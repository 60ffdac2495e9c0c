#!/usr/bin/env bash
# Two builds of the server jar, each replaying a Taobao CSV into a fresh node (the README's
# defaults: H2 file journal, predictions on), alternating A, B, A, B... PAIRS times: events/s and
# the node's CPU per event. On a noisy machine the CPU per event and the pairs' direction are the
# figures to compare, not one pair's rates.
#   load-tests/scripts/builds-ab.sh JAR_A JAR_B [CSV]    env: PAIRS (2), PORT (18880), ROWS (the CSV's first
#   ROWS rows; default all), WARMUP (1: a copy of those rows under other user ids first, not measured),
#   REPLAY_ARGS (more replay options, e.g. "--anonymous-until 2017-11-01T00:00:00Z" for ids on every event)
# Figures appended to load-tests/results/builds-ab.csv (metric names end in _a and _b; set
# RESULT_BUILD to name the pair, e.g. "07edc1c vs 1a2b3c4").
set -euo pipefail
cd "$(dirname "$0")/../.."
[ $# -ge 2 ] || { echo "usage: $0 JAR_A JAR_B [CSV]"; exit 2; }
A=$1; B=$2; CSV=${3:-samples/taobao-userbehavior-sample.csv.gz}
PAIRS=${PAIRS:-2}; PORT=${PORT:-18880}
. load-tests/scripts/results-lib.sh
results_command builds-ab.sh "PAIRS ROWS WARMUP REPLAY_ARGS" "$@"
ROWS_CSV=$(mktemp /tmp/builds-ab.XXXX.csv)
(gzip -dcf -- "$CSV" || true) | head -"${ROWS:-999999999}" > "$ROWS_CSV" || true
CSV=$ROWS_CSV
ROWS=$(grep -cE '^[0-9]' "$CSV")
read -r -a EXTRA <<< "${REPLAY_ARGS:-}"
for pair in $(seq 1 "$PAIRS"); do
  for side in a b; do
    JAR=$([ "$side" = a ] && echo "$A" || echo "$B")
    . load-tests/scripts/node-lib.sh
    RUN=$(mktemp -d /tmp/builds-ab.XXXX)
    start_node "$RUN" "$PORT" -Xmx2g
    if [ "${WARMUP:-0}" != 0 ]; then
      shifted_csv "$CSV" 70000000 0 > "$RUN/warm-up.csv"
      java -jar "$JAR" replay --file "$RUN/warm-up.csv" --url "http://127.0.0.1:$PORT" --batch 500 --concurrency 4 "${EXTRA[@]}" > /dev/null
    fi
    cpu0=$(node_cpu)
    rate=$(java -jar "$JAR" replay --file "$CSV" --url "http://127.0.0.1:$PORT" --batch 500 --concurrency 4 "${EXTRA[@]}" | grep -oP 'replay done in .*: \K[0-9,]+(?= events/s)' | tr -d ,)
    cpu1=$(node_cpu)
    us=$(awk -v a="$cpu0" -v b="$cpu1" -v n="$ROWS" 'BEGIN { printf "%.0f", (b - a) * 1e6 / n }')
    echo "pair $pair, $side ($JAR): $rate events/s, node CPU $us µs per event"
    record_result builds-ab "events_per_s_$side" "$rate" events/s
    record_result builds-ab "cpu_us_per_event_$side" "$us" us
    kill "$NODE"; wait "$NODE" 2> /dev/null || true
    rm -rf "$RUN"
  done
done
rm -f "$ROWS_CSV"
