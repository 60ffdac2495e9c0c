#!/usr/bin/env bash
# Heap bytes per active profile: a fresh node (H2 file journal) is measured after a full GC before
# and after replaying a Taobao CSV, and the difference is divided by the profile entities alive
# (profile_active_entities). Idle profiles passivate after 10 minutes, and the entity limit is set
# 25% above the users replayed, as an operator would size it (Akka divides it among the shards),
# so all stay live. Includes everything a live profile costs: the entity actor, its state, the
# sharding and passivation bookkeeping (which grows with the limit), and the node's bounded caches
# (H2's page cache), which more profiles amortize. The CSV is replayed as COPIES copies whose user
# ids are shifted apart (3 copies of the sample: about 200,000 users of the sample's kind).
# Figures appended to load-tests/results/heap-per-profile.csv (see results-lib.sh).
#   load-tests/scripts/heap-per-profile.sh [CSV]    env: COPIES (3), PORT (18180), HEAP (3g), PROFILE_PREDICTIONS (off)
set -euo pipefail
cd "$(dirname "$0")/../.."
. load-tests/scripts/results-lib.sh
results_command heap-per-profile.sh "COPIES HEAP PROFILE_PREDICTIONS PROFILE_ACTIVE_ENTITY_LIMIT JAR" "$@"
SOURCE=${1:-samples/taobao-userbehavior-sample.csv.gz}
PORT=${PORT:-18180}; HEAP=${HEAP:-3g}; COPIES=${COPIES:-3}
export PROFILE_PREDICTIONS=${PROFILE_PREDICTIONS:-off}
. load-tests/scripts/node-lib.sh
RUN=$(mktemp -d /tmp/profile-heap.XXXX)
CSV=$RUN/replayed.csv
# Copy k (0-based) shifts every numeric user id by k x 100,000,000; a header, if any, is kept once.
: > "$CSV"
for k in $(seq 0 $((COPIES - 1))); do
  shifted_csv "$SOURCE" $((k * 100000000)) 0 "$([ "$k" = 0 ] && echo yes || echo no)" >> "$CSV"
done
USERS=$(cut -d, -f1 "$CSV" | grep -E '^[0-9]+$' | sort -u | wc -l)
export PROFILE_ACTIVE_ENTITY_LIMIT=${PROFILE_ACTIVE_ENTITY_LIMIT:-$((USERS + USERS / 4))}
start_node "$RUN" "$PORT" -Xms"$HEAP" -Xmx"$HEAP" -XX:+UseG1GC
used() { jcmd "$NODE" GC.run >/dev/null; sleep 2; jcmd "$NODE" GC.run >/dev/null; sleep 1; jcmd "$NODE" GC.heap_info | grep -oP 'used \K[0-9]+(?=K)' | head -1; }
echo "machine: $(nproc) cpus, $(free -m | awk '/^Mem:/{print $2}') MB; heap $HEAP; predictions $PROFILE_PREDICTIONS; $COPIES copies of $SOURCE: $USERS users, entity limit $PROFILE_ACTIVE_ENTITY_LIMIT"
BEFORE=$(used)
jcmd "$NODE" GC.class_histogram > "$RUN/histogram-before.txt"
java -jar "$JAR" replay --file "$CSV" --url "http://127.0.0.1:$PORT" --batch 500 --concurrency 4 | grep -v '^  ' | tail -1
sleep 5
AFTER=$(used)
jcmd "$NODE" GC.class_histogram > "$RUN/histogram-after.txt"
ENTITIES=$(curl -s "localhost:$PORT/metrics" | grep -E '^profile_active_entities ' | awk '{printf "%d", $2}')
EVENTS=$(grep -cvE '^\s*$' "$CSV")
echo "heap used after full GC: before ${BEFORE} KiB, after ${AFTER} KiB; ${ENTITIES} active profiles from ${EVENTS} rows"
# Where the bytes are: the classes that grew most, per active profile.
echo "top classes by growth (bytes per active profile, instances per active profile):"
awk -v n="$ENTITIES" 'FNR == NR { if ($1 ~ /^[0-9]+:$/) { bytes[$4] = $3; count[$4] = $2 }; next }
  $1 ~ /^[0-9]+:$/ { d = $3 - bytes[$4]; if (d > 0) printf "%10.0f %8.2f  %s\n", d / n, ($2 - count[$4]) / n, $4 }' \
  "$RUN/histogram-before.txt" "$RUN/histogram-after.txt" | sort -rn | head -${TOP:-30} || true
awk -v b="$BEFORE" -v a="$AFTER" -v n="$ENTITIES" -v e="$EVENTS" 'BEGIN { printf "SUMMARY %.0f bytes per active profile (%.1f events per profile)\n", (a-b)*1024/n, e/n }'
record_result heap-per-profile bytes_per_profile "$(awk -v b="$BEFORE" -v a="$AFTER" -v n="$ENTITIES" 'BEGIN { if (n > 0) printf "%.0f", (a-b)*1024/n }')" bytes
record_result heap-per-profile active_profiles "$ENTITIES" profiles
record_result heap-per-profile heap_before_kb "$BEFORE" KiB
record_result heap-per-profile heap_after_kb "$AFTER" KiB
