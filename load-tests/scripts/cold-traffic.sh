#!/usr/bin/env bash
# Every row of the cold-traffic targets (ingest of real, mostly cold profiles; reads after it; heap;
# change notification) measured in one run, one benchmark after the other on this machine, then
# printed as one table with the targets. Each step is the benchmark script named in its row (see
# load-tests/BENCHMARKS.md), with the defaults a newcomer gets (H2 file journal, predictions on);
# their figures are recorded under one run label in load-tests/results/, and the table is read
# back from there. About 35 minutes.
#   load-tests/scripts/cold-traffic.sh        env: JAR, RESULT_RUN (the label; default "cold-traffic <UTC time>")
set -euo pipefail
cd "$(dirname "$0")/../.."
export RESULT_RUN=${RESULT_RUN:-cold-traffic $(date -u '+%Y-%m-%d %H:%M')}
export RESULTS_DIR=${RESULTS_DIR-load-tests/results}
[ -n "$RESULTS_DIR" ] || { echo "RESULTS_DIR must name a directory: the table is read back from it"; exit 2; }
LOGS=$(mktemp -d /tmp/cold-traffic.XXXX)
echo "run \"$RESULT_RUN\"; each step's output in $LOGS"

step() {
  local name=$1; shift
  echo "== $name ($(date -u +%H:%M:%S))"
  if ! env "$@" > "$LOGS/$name.txt" 2>&1; then echo "   $name failed: see $LOGS/$name.txt"; fi
  tail -3 "$LOGS/$name.txt" | sed 's/^/   /'
}

step engine-vs-redis load-tests/scripts/engine-vs-redis.sh
# The stack alone on the same file (one sharded entity per user, the engine's journal, no engine work).
step stack-ceiling load-tests/scripts/stack-ceiling.sh
step ack-latency load-tests/scripts/ack-latency.sh
step reads-unknown load-tests/scripts/reads-unknown.sh
step heap-per-profile COPIES=1 PROFILE_PREDICTIONS=on load-tests/scripts/heap-per-profile.sh
step change-lag-idle RATE=0 SECONDS_OF_PROBE=30 load-tests/scripts/change-lag.sh
# Half of the saturated rate: the rate of the replay of the saturating run just before.
step change-lag-saturated SECONDS_OF_PROBE=40 load-tests/scripts/change-lag.sh
SATURATED=$(awk -F, -v run="$RESULT_RUN" '$1 == run && $2 == "replay_events_per_s" { v = $3 } END { print v }' "$RESULTS_DIR/change-lag.csv")
step change-lag-half RATE=$(( ${SATURATED:-0} / 2 )) CONC=4 BATCH=50 SECONDS_OF_PROBE=70 load-tests/scripts/change-lag.sh
step user-subscription load-tests/scripts/user-subscription.sh

# figure CSV METRIC [NTH]: the NTH (default: last) value of METRIC recorded under this run in CSV.
figure() {
  awk -F, -v run="$RESULT_RUN" -v m="$2" -v n="${3:-0}" '$1 == run && $2 == m { v[++k] = $3 } END { print (n > 0 ? v[n] : v[k]) }' \
    "$RESULTS_DIR/$1.csv" 2> /dev/null
}
ON=$(figure engine-vs-redis engine_on_events_per_s); OFF=$(figure engine-vs-redis engine_off_events_per_s)
CPU_ON=$(figure engine-vs-redis cpu_us_per_event_on); CPU_OFF=$(figure engine-vs-redis cpu_us_per_event_off)
echo
echo "| measure | target | figure |"
echo "| --- | --- | --- |"
# stack KIND ROUND: "RATE events/s (US µs)" of stack-ceiling.sh's variant KIND (h2_2, inmem_1, none_1) in ROUND.
stack() { echo "$(figure stack-ceiling "$1_$2_events_per_s") events/s ($(figure stack-ceiling "$1_$2_cpu_us_per_event") µs)"; }
echo "| replay of the sample into a fresh node, predictions on | >= 20,000 events/s | $ON events/s ($CPU_ON µs node CPU per event); the stack alone: journal rows as the engine's $(stack h2_2 fresh), Akka's in-memory journal $(stack inmem_1 fresh), no persistence $(stack none_1 fresh) |"
echo "| the same into live profiles (a day later) | >= 40,000 events/s | $(figure engine-vs-redis live_on_events_per_s) events/s ($(figure engine-vs-redis live_cpu_us_per_event_on) µs); the stack alone: $(stack h2_2 live), in-memory journal $(stack inmem_1 live), no persistence $(stack none_1 live) |"
echo "| cost of predictions (fresh node, on vs off) | <= 15% | $(awk -v a="$CPU_ON" -v b="$CPU_OFF" 'BEGIN { if (b > 0) printf "%.0f%% of node CPU per event", 100 * (a / b - 1) }'); rate on/off $(awk -v a="$ON" -v b="$OFF" 'BEGIN { if (b > 0) printf "%.2f", a / b }') |"
echo "| ratio to the Redis peer (predictions on) | >= 0.25 | $(figure engine-vs-redis ratio_on) (Redis $(figure engine-vs-redis redis_events_per_s) events/s) |"
echo "| ingest ack p99 at half the saturated rate, cold profiles | <= 50 ms | $(figure ack-latency paced_ack_p99_ms) ms at $(figure ack-latency paced_events_per_s) events/s |"
echo "| reads of existing profiles after the ingest | >= 20,000 req/s | $(figure reads-unknown existing_req_per_s) req/s ($(figure reads-unknown existing_cpu_us_per_request) µs per read) after 30 s of reads; $(figure reads-unknown existing_early_req_per_s) req/s 10 s in; Akka HTTP alone, a ready body of the same size: $(figure reads-unknown stack_req_per_s) req/s ($(figure reads-unknown stack_cpu_us_per_request) µs) |"
echo "| reads of ids never written (404) | >= 10,000 req/s | $(figure reads-unknown unknown_req_per_s) req/s |"
echo "| heap per live profile | <= 2 KB | $(figure heap-per-profile bytes_per_profile) bytes |"
echo "| change notification ack -> SSE p99, idle | <= 20 ms | $(figure change-lag ack_lag_p99_ms 1) ms |"
echo "| the same at half the saturated rate | <= 100 ms | $(figure change-lag ack_lag_p99_ms 3) ms at $(figure change-lag replay_events_per_s) events/s |"
echo "| one user's subscription from offset 0: first live event after its ack | <= 1 s | max $(figure user-subscription first_live_event_max_ms) ms on $(figure user-subscription journal_rows) journal rows |"
echo
echo "(figures recorded in $RESULTS_DIR/*.csv as run \"$RESULT_RUN\")"
