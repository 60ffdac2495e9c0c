#!/usr/bin/env bash
# Heap bytes per active profile: a fresh node (H2 file journal) is measured after a full GC before
# and after replaying a Taobao CSV, and the difference is divided by the profile entities alive
# (profile_active_entities; passivation after 10 min idle or beyond 100,000 entities, so all stay
# live during the run). Includes everything a live profile costs: the entity actor, its state, the
# sharding bookkeeping.
#   load-tests/scripts/heap-per-profile.sh [CSV]    env: PORT (18180), HEAP (3g), PROFILE_PREDICTIONS (off)
set -euo pipefail
cd "$(dirname "$0")/../.."
CSV=${1:-../shared/data/taobao-userbehavior-sample.csv}
PORT=${PORT:-18180}; HEAP=${HEAP:-3g}
export PROFILE_PREDICTIONS=${PROFILE_PREDICTIONS:-off}
. load-tests/scripts/node-lib.sh
RUN=$(mktemp -d /tmp/profile-heap.XXXX)
start_node "$RUN" "$PORT" -Xms"$HEAP" -Xmx"$HEAP" -XX:+UseG1GC
used() { jcmd "$NODE" GC.run >/dev/null; sleep 2; jcmd "$NODE" GC.run >/dev/null; sleep 1; jcmd "$NODE" GC.heap_info | grep -oP 'used \K[0-9]+(?=K)' | head -1; }
echo "machine: $(nproc) cpus, $(free -m | awk '/^Mem:/{print $2}') MB; heap $HEAP; predictions $PROFILE_PREDICTIONS"
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
