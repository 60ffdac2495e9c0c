#!/usr/bin/env bash
# Ingest on a cold node, a warm node and into live profiles: one fresh node (H2 file journal)
# replays a Taobao CSV three times: as it is (cold JVM, new users), with every user id shifted
# (warm JVM, new users), and shifted again with the times a day later (warm JVM, the users of
# the second round, whose entities are alive). Prints events/s and the node's CPU seconds per
# round, then where the node's CPU went by thread (the JIT compiler threads are the cold cost).
# Last, the acknowledgement latency on the warm node: Gatling's IngestSimulation posts the users of
# the third round once more (a day later again) at a fixed arrival rate of FRACTION (0.5) of the
# third round's rate, in batches of 100, and prints its response-time percentiles.
#   load-tests/scripts/ingest-warm.sh [CSV] [extra JVM options for the node, e.g. -XX:+UseZGC]    env: PORT (18380), PROFILE_PREDICTIONS (off), JAR, FRACTION, RATE (batches/s, instead of FRACTION), PACED_SECONDS (40, at most one pass over the file), JFR (a file: a JFR recording, settings=profile, of the live round and the paced run)
# Figures appended to load-tests/results/ingest-warm.csv (see results-lib.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
. load-tests/scripts/results-lib.sh
results_command ingest-warm.sh "RATE FRACTION PACED_SECONDS JAR PROFILE_PREDICTIONS" "$@"
CSV=${1:-samples/taobao-userbehavior-sample.csv.gz}; shift || true
PORT=${PORT:-18380}
export PROFILE_PREDICTIONS=${PROFILE_PREDICTIONS:-off}
. load-tests/scripts/node-lib.sh
RUN=$(mktemp -d /tmp/profile-warm.XXXX)
# The sample's users shifted to new ids, their times moved DAY days later: day 0 are new users,
# days 1 and 2 the same users again while their entities are alive.
for day in 0 1 2; do
  shifted_csv "$CSV" 900000000 "$day" > "$RUN/shifted-day-$day.csv"
done
start_node "$RUN" "$PORT" -Xmx2g "$@"
echo "machine: $(nproc) cpus; predictions $PROFILE_PREDICTIONS; node JVM options: -Xmx2g $*"
for round in "cold|cold JVM, new users|$CSV" "warm|warm JVM, new users|$RUN/shifted-day-0.csv" "live|warm JVM, live profiles|$RUN/shifted-day-1.csv"; do
  IFS='|' read -r key label file <<< "$round"
  [ "$key" != live ] || [ -z "${JFR:-}" ] || jcmd "$NODE" JFR.start name=live settings=profile filename="$JFR" > /dev/null
  before=$(node_cpu)
  result=$(java -jar "$JAR" replay --file "$file" --url "http://127.0.0.1:$PORT" --batch 500 --concurrency 4 | grep -v '^  ' | tail -1)
  used=$(echo "$(node_cpu) - $before" | bc)
  echo "$label: $result; node CPU $used s"
  record_result ingest-warm "${key}_events_per_s" "$(replay_rate "$result")" events/s
  record_result ingest-warm "${key}_node_cpu_s" "$used" s
done
LIVE_RATE=$(replay_rate "$result")
if [ -n "${RATE:-}" ]; then
  BATCHES=$RATE; CHOSEN="RATE (the full-speed rate was $LIVE_RATE events/s)"
else
  BATCHES=$(awk -v r="$LIVE_RATE" -v f="${FRACTION:-0.5}" 'BEGIN { printf "%.1f", r * f / 100 }'); CHOSEN="${FRACTION:-0.5} x $LIVE_RATE events/s"
fi
# The paced run must not outlast the file: a second lap would send its events again, and answering
# duplicates (no journal write) would flatter the latency. So it lasts at most rows / rate.
ROWS=$(grep -cE '^[0-9]' "$RUN/shifted-day-2.csv")
SECONDS_PACED=$(awk -v want="${PACED_SECONDS:-40}" -v rows="$ROWS" -v b="$BATCHES" 'BEGIN { s = int(rows / (100 * b)); print (s < want ? s : want) }')
echo "paced, warm JVM, live profiles: $CHOSEN = $BATCHES batches of 100 per second for $SECONDS_PACED s (Gatling, open model; $ROWS rows, one pass):"
mvn -B -q -pl load-tests gatling:test -Dgatling.simulationClass=dev.profileengine.load.IngestSimulation \
  -DbaseUrl="http://127.0.0.1:$PORT" -Ddata="$RUN/shifted-day-2.csv" -Dbatch=100 -Drate="$BATCHES" \
  -Dduration="$SECONDS_PACED" -Dfresh=true > "$RUN/paced.txt" 2>&1 || true
grep -E "ingest totals" "$RUN/paced.txt" | head -1 || true
grep -E "requests|percentile|mean|OK=|KO=" "$RUN/paced.txt" | grep -vi "^\[" | head -12 || true
# Gatling's global statistics: "response time 99th percentile" and "request count" lines, with the
# figure first after the name (total | OK | KO columns, or "N (OK=N KO=N)" in older consoles).
percentile() { awk -v p="$1" 'index($0, "response time " p "th percentile") { sub(/.*percentile/, ""); if (match($0, /[0-9][0-9,.]*/)) print substr($0, RSTART, RLENGTH); exit }' "$RUN/paced.txt"; }
failed() { awk 'index($0, "request count") { if (match($0, /KO=[0-9,]+/)) print substr($0, RSTART + 3, RLENGTH - 3); else if (split($0, f, "|") == 4) { gsub(/[^0-9]/, "", f[4]); print f[4] }; exit }' "$RUN/paced.txt"; }
record_result ingest-warm paced_events_per_s "$(awk -v b="$BATCHES" 'BEGIN { printf "%.0f", b * 100 }')" events/s
for p in 50 95 99; do record_result ingest-warm "ack_p${p}_ms" "$(percentile "$p")" ms; done
record_result ingest-warm ack_ko "$(failed)" requests
[ -z "${JFR:-}" ] || jcmd "$NODE" JFR.stop name=live > /dev/null
echo "node CPU seconds by thread since start:"
thread_cpu | awk '{ s[$3] += $1 } END { for (k in s) printf "%8.1f %s\n", s[k] / 100, k }' | sort -rn | head -5
