#!/usr/bin/env bash
# The node CPU one merge of a profile with history costs, on a warm node (identity on, H2, predictions
# on): the heavy-user file's rows before its median time are sent anonymous (anon-<user>), then each
# user's first identified row (userId + anonymousId: it merges the user's anonymous profile of about
# 50 events into its customer profile), then each user's second identified row (the link is made: no
# merge). The node CPU per event of the last two steps, measured from a quiet node to a quiet node,
# and their difference: what a merge adds. A copy of the file under other user ids warms the JVM first.
#   load-tests/scripts/merge-cpu.sh    env: PORT (18691), JAR
# Figures appended to load-tests/results/merge-cpu.csv (see results-lib.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
. load-tests/scripts/results-lib.sh
results_command merge-cpu.sh "JAR" "$@"
PORT=${PORT:-18691}
. load-tests/scripts/node-lib.sh
WORK=$(mktemp -d /tmp/merge-cpu.XXXX)
gzip -dcf samples/taobao-userbehavior-users.csv.gz > "$WORK/users.csv"
T=$(awk -F, '$5 ~ /^[0-9]+$/ { print $5 }' "$WORK/users.csv" | sort -n | awk '{ t[NR] = $1 } END { print t[int(NR / 2) + 1] }')
ANON_UNTIL=$(date -u -d "@$T" +%Y-%m-%dT%H:%M:%SZ)
# parts OFFSET PREFIX: PREFIX-anon.csv, PREFIX-first.csv, PREFIX-second.csv of the file with user ids raised by OFFSET.
parts() {
  shifted_csv "$WORK/users.csv" "$1" 0 no > "$2-all.csv"
  awk -F, -v t="$T" '$5 < t' "$2-all.csv" > "$2-anon.csv"
  awk -F, -v t="$T" '$5 >= t && !($1 in s) { s[$1] = 1; print }' "$2-all.csv" > "$2-first.csv"
  awk -F, -v t="$T" '$5 >= t { n[$1]++; if (n[$1] == 2) print }' "$2-all.csv" > "$2-second.csv"
}
parts 70000000 "$WORK/warm"; parts 0 "$WORK/run"
export PROFILE_IDENTITY=on
start_node "$WORK" "$PORT"
replay() { java -jar "$JAR" replay --file "$1" --url "http://127.0.0.1:$PORT" --batch 500 --concurrency 4 --anonymous-until "$ANON_UNTIL" | tail -1; }
# quiet: returns once the node used under 0.05 s of CPU in a second (predictions and merges settled).
quiet() { local a b; a=$(node_cpu); while sleep 1; b=$(node_cpu); [ "$(echo "$b - $a > 0.05" | bc)" = 1 ]; do a=$b; done; }
for part in anon first second; do replay "$WORK/warm-$part.csv" > /dev/null; done
declare -A US
for part in anon first second; do
  quiet; c0=$(node_cpu)
  r=$(replay "$WORK/run-$part.csv")
  quiet; c1=$(node_cpu)
  n=$(wc -l < "$WORK/run-$part.csv")
  US[$part]=$(awk -v a="$c0" -v b="$c1" -v n="$n" 'BEGIN { printf "%.0f", (b - a) * 1e6 / n }')
  echo "$part: $n events, node CPU ${US[$part]} µs per event ($r)"
done
echo "a merge adds $((US[first] - US[second])) µs of node CPU"
record_result merge-cpu cpu_us_per_event_anonymous "${US[anon]}" us
record_result merge-cpu cpu_us_per_event_merging "${US[first]}" us
record_result merge-cpu cpu_us_per_event_linked "${US[second]}" us
record_result merge-cpu cpu_us_per_merge "$((US[first] - US[second]))" us
