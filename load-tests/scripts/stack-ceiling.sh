#!/usr/bin/env bash
# The ceiling the stack puts on ingest, before any of the engine's own work: StackCeilingProbe sends
# a Taobao CSV's rows, in the replay's batches (500 rows, 4 in flight, each user's rows of a batch as
# one message), to one sharded entity per user on the engine's node configuration, each variant in
# a fresh JVM with the engine scripts' heap (-Xmx2g):
#   h2, 2 rows  an event-sourced entity journaling each event and a second small row after its reply
#               on the engine's embedded H2 journal: the engine's rows per event with predictions on
#   h2, 1 row   the same without the second row: the engine's rows with predictions off
#   inmem       Akka's in-memory journal: Akka's persistence without any database
#   none        a plain sharded actor that replies: sharding and actors alone
# Each variant: a fresh JVM's first replay (every user new), the same rows into the live entities,
# then the rows under new user ids (entity starts on a warm JVM). Prints events/s and the JVM's CPU
# per event for each; compare with the engine's rows of the same run (cold-traffic.sh runs both).
#   load-tests/scripts/stack-ceiling.sh [CSV]    env: VARIANTS ("h2:2 h2:1 inmem:1 none:1")
# Figures appended to load-tests/results/stack-ceiling.csv (see results-lib.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
. load-tests/scripts/results-lib.sh
results_command stack-ceiling.sh "VARIANTS" "$@"
CSV=${1:-samples/taobao-userbehavior-sample.csv.gz}
BENCH=load-tests/target/benchmarks.jar
[ -f "$BENCH" ] || { echo "$BENCH missing: mvn -B -q -DskipTests package"; exit 2; }
echo "machine: $(nproc) cpus; file $CSV"
echo "| stack alone | round | events/s | CPU per event |"
echo "| --- | --- | ---: | ---: |"
for variant in ${VARIANTS:-h2:2 h2:1 inmem:1 none:1}; do
  journal=${variant%%:*} rows=${variant##*:}
  while read -r line; do
    # RESULT stack-ceiling ROUND journal=J rows=R ...: N events in S s = RATE events/s, process CPU C s = US µs per event
    round=$(echo "$line" | awk '{ print $3 }')
    rate=$(echo "$line" | sed -E 's/.* = ([0-9,]+) events\/s.*/\1/' | tr -d ,)
    us=$(echo "$line" | sed -E 's/.* = ([0-9]+) µs per event.*/\1/')
    echo "| $journal, $rows row(s) per event | $round | $rate | $us µs |"
    record_result stack-ceiling "${journal}_${rows}_${round//-/_}_events_per_s" "$rate" events/s
    record_result stack-ceiling "${journal}_${rows}_${round//-/_}_cpu_us_per_event" "$us" us
  done < <(java -Xmx2g -cp "$BENCH" dev.profileengine.bench.StackCeilingProbe --file "$CSV" --journal "$journal" --rows "$rows" 2>&1 \
             | grep '^RESULT stack-ceiling')
done
