#!/usr/bin/env bash
# A subscription for one user from offset 0 on a full journal: a fresh node (H2 file journal,
# predictions on, the defaults) is filled with a Taobao CSV and a copy of it shifted one day (the
# same users, new event ids: about 330,000 journal rows from the sample), then UserSubscriptionProbe,
# for each of the CSV's USERS busiest users in turn, opens GET /v1/changes?userId=U&from=0, posts one
# new event for U as soon as the stream is open, and times it from its acknowledgement to its
# arrival (behind U's earlier changes, which the catch-up delivers first). Prints each user's
# figure, the max, the journal rows written and the node's CPU during the subscriptions.
#   load-tests/scripts/user-subscription.sh [CSV]    env: PORT (18680), USERS (5), JAR
# Figures appended to load-tests/results/user-subscription.csv (see results-lib.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
. load-tests/scripts/results-lib.sh
results_command user-subscription.sh "USERS JAR" "$@"
CSV=${1:-samples/taobao-userbehavior-sample.csv.gz}
PORT=${PORT:-18680}; USERS=${USERS:-5}
BENCH=load-tests/target/benchmarks.jar
[ -f "$BENCH" ] || { echo "$BENCH missing: mvn -B -q -DskipTests package"; exit 2; }
. load-tests/scripts/node-lib.sh
RUN=$(mktemp -d /tmp/user-subscription.XXXX)
shifted_csv "$CSV" 0 1 > "$RUN/shifted-day-1.csv"
start_node "$RUN" "$PORT" -Xmx2g
echo "machine: $(nproc) cpus; node ready: $(curl -s "localhost:$PORT/ready")"
for file in "$CSV" "$RUN/shifted-day-1.csv"; do
  echo "fill, $(basename "$file"): $(java -jar "$JAR" replay --file "$file" --url "http://127.0.0.1:$PORT" --batch 500 --concurrency 4 | grep -v '^  ' | tail -1)"
done
# Rows the node's journal writer committed (events, predictions, erasure logs; snapshots are not journal rows).
ROWS=$(curl -s "localhost:$PORT/metrics" | awk '/^profile_journal_batch_rows_sum / { printf "%d", $2 }')
echo "journal rows written: $ROWS"
mapfile -t PROBED < <(gzip -dcf -- "$CSV" | cut -d, -f1 | grep -E '^[0-9]+$' | sort | uniq -c | sort -k1,1nr -k2,2 | head -"$USERS" | awk '{ print $2 }')
before=$(node_cpu)
java -cp "$BENCH" dev.profileengine.bench.UserSubscriptionProbe "http://127.0.0.1:$PORT" "${PROBED[@]}" | tee "$RUN/probe.txt"
echo "node CPU during the subscriptions: $(echo "$(node_cpu) - $before" | bc) s"
record_result user-subscription journal_rows "$ROWS" rows
record_result user-subscription first_live_event_max_ms "$(grep -oP 'max of [0-9]+ users: \K[0-9.]+' "$RUN/probe.txt")" ms
record_result user-subscription first_live_event_median_ms "$(grep -oP 'live event \K[0-9.]+(?= ms after its ack)' "$RUN/probe.txt" | sort -n | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)] }')" ms
