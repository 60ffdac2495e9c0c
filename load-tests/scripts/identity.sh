#!/usr/bin/env bash
# Identity resolution's cost, on fresh nodes (H2 file journal, predictions on, default settings):
# 1. ingest: the first ROWS rows of the Taobao sample replayed with each user anonymous until
#    ANON_UNTIL (default: the median time of those rows; sent as anonymousId anon-<user>) and
#    identified after (userId + anonymousId: the engine merges the user's two profiles at its first
#    such batch, when it has both), with PROFILE_IDENTITY on and
#    off (off: the same events, the links ignored), alternating, PAIRS times: events/s, the node's
#    CPU seconds and merges, and where that CPU went by thread group. WARMUP=1 first replays a copy
#    of the rows under other user ids into the same node (same mode, not measured), so the JIT has
#    compiled the merge's code paths: the steady state of a node that has run for a while.
# 2. merge latency: IdentityMergeProbe joins MERGES pairs of profiles of 100 and of 1,000 events each.
#   load-tests/scripts/identity.sh    env: ROWS (30000), PAIRS (2), ANON_UNTIL (median), MERGES (30), PORT (18591), WARMUP (0),
#   FILE (the Taobao CSV; default the sample, where most users have a handful of events, so a third
#   of the events bring a merge; samples/taobao-userbehavior-users.csv.gz: 686 users of about 105
#   events each, one merge per about 100 events; with ANON_UNTIL before its first row every event
#   carries both ids, so each anonymous id is linked at its first event, before it has a profile)
# Figures appended to load-tests/results/identity.csv (see results-lib.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
. load-tests/scripts/results-lib.sh
results_command identity.sh "ROWS PAIRS ANON_UNTIL MERGES JAR FILE SUFFIX WARMUP" "$@"
ROWS=${ROWS:-30000}; PAIRS=${PAIRS:-2}; MERGES=${MERGES:-30}; PORT=${PORT:-18591}
BENCH=load-tests/target/benchmarks.jar
[ -f "$BENCH" ] || { echo "$BENCH missing: mvn -B -q -DskipTests install"; exit 2; }
. load-tests/scripts/node-lib.sh
CSV=$(mktemp /tmp/identity.XXXX.csv)
FILE=${FILE:-samples/taobao-userbehavior-sample.csv.gz}
# Another file's figures are recorded under their own names (e.g. events_per_s_identity_on_users);
# SUFFIX names them otherwise (another ANON_UNTIL).
if [ -z "${SUFFIX+set}" ]; then
  SUFFIX=; [ "$FILE" = samples/taobao-userbehavior-sample.csv.gz ] || SUFFIX=_$(basename "$FILE" | sed -E 's/\..*//; s/.*-//')
  [ "${WARMUP:-0}" = 0 ] || SUFFIX=${SUFFIX}_warm
fi
(gzip -dcf -- "$FILE" || true) | head -"$ROWS" > "$CSV" || true
ANON_UNTIL=${ANON_UNTIL:-$(awk -F, '$5 ~ /^[0-9]+$/ { print $5 }' "$CSV" | sort -n | awk '{ t[NR] = $1 } END { print strftime("%Y-%m-%dT%H:%M:%SZ", t[int(NR / 2) + 1], 1) }')}
links() { curl -s "localhost:$PORT/metrics" | awk -v o="$1" '/^profile_identity_links_total/ && index($0, "outcome=\"" o "\"") { s += $2 } END { printf "%d", s }'; }
echo "machine: $(nproc) cpus; $(grep -cE '^[0-9]' "$CSV") rows of $FILE, anonymous until $ANON_UNTIL"
for pair in $(seq 1 "$PAIRS"); do
  for mode in on off; do
    RUN=$(mktemp -d /tmp/identity.XXXX)
    export PROFILE_IDENTITY=$mode
    start_node "$RUN" "$PORT"
    if [ "${WARMUP:-0}" != 0 ]; then
      shifted_csv "$CSV" 70000000 0 > "$RUN/warm-up.csv"
      java -jar "$JAR" replay --file "$RUN/warm-up.csv" --url "http://127.0.0.1:$PORT" --batch 500 --concurrency 4 \
        --anonymous-until "$ANON_UNTIL" > /dev/null
    fi
    thread_cpu > "$RUN/threads-before.txt"
    cpu0=$(node_cpu)
    result=$(java -jar "$JAR" replay --file "$CSV" --url "http://127.0.0.1:$PORT" --batch 500 --concurrency 4 \
      --anonymous-until "$ANON_UNTIL" | grep -v '^  ' | tail -1)
    thread_cpu > "$RUN/threads-after.txt"
    rate=$(replay_rate "$result")
    cpu=$(echo "$(node_cpu) - $cpu0" | bc)
    # Every event must be stored whichever way identities are resolved: a rejected one is a bug.
    lost=$(curl -s "localhost:$PORT/metrics" | awk '/^profile_ingest_events_total/ && /status="(rejected|unconfirmed)"/ { s += $2 } END { printf "%d", s }')
    # Entities live at the end: an identity merged directly stops once confirmed, the rest stay until idle.
    live=$(curl -s "localhost:$PORT/metrics" | awk '/^profile_active_entities / { printf "%d", $2 }')
    echo "pair $pair, identity $mode: $rate events/s, node CPU $cpu s, $(links merged) merges, $(links linked) already linked, $(links cached) cached, $lost rejected or unconfirmed, $live live entities"
    # How the canonical profiles took them (state, refold, kept: an identity seen first in its link), warm-up included.
    [ "$mode" = off ] || echo "  absorbed: $(curl -s "localhost:$PORT/metrics" | awk '/^profile_identity_absorbs_total/ { match($0, /way="[a-z]+"/); printf "%s %d, ", substr($0, RSTART + 5, RLENGTH - 6), $2 }')"
    thread_cpu_diff "$RUN/threads-before.txt" "$RUN/threads-after.txt" 6
    record_result identity "events_not_stored_identity_$mode$SUFFIX" "$lost" events
    record_result identity "events_per_s_identity_$mode$SUFFIX" "$rate" events/s
    record_result identity "node_cpu_s_identity_$mode$SUFFIX" "$cpu" s
    record_result identity "live_entities_identity_$mode$SUFFIX" "$live" entities
    kill "$NODE"; wait "$NODE" 2>/dev/null || true
  done
done
unset PROFILE_IDENTITY
[ "$MERGES" -gt 0 ] || exit 0
RUN=$(mktemp -d /tmp/identity.XXXX)
start_node "$RUN" "$PORT"
for events in 100 1000; do
  line=$(java -cp "$BENCH" dev.profileengine.bench.IdentityMergeProbe "http://127.0.0.1:$PORT" "$events" "$MERGES")
  echo "$line"
  record_result identity "merge_p50_ms_$events" "$(echo "$line" | sed -E 's/.*p50 ([0-9.]+) ms.*/\1/')" ms
  record_result identity "merge_p99_ms_$events" "$(echo "$line" | sed -E 's/.*p99 ([0-9.]+) ms.*/\1/')" ms
done
