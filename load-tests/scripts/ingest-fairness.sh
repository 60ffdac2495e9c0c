#!/usr/bin/env bash
# Two API keys on one fresh node (H2, predictions on): a heavy client replays the Taobao sample in
# batches of 1,000, four at once, while a light client (another key) sends one event of a new user
# every 100 ms; prints both clients' figures. Run it with PROFILE_DISPATCH_WINDOW=0 for first come,
# first served (no turns between keys).
#   load-tests/scripts/ingest-fairness.sh [CSV]    env: PORT (18480), PROFILE_DISPATCH_WINDOW
set -euo pipefail
cd "$(dirname "$0")/../.."
CSV=${1:-samples/taobao-userbehavior-sample.csv.gz}
PORT=${PORT:-18480}
BENCH=load-tests/target/benchmarks.jar
[ -f "$BENCH" ] || { echo "$BENCH missing: mvn -B -q -DskipTests install"; exit 2; }
. load-tests/scripts/node-lib.sh
HEAVY=heavy-$(openssl rand -hex 20); LIGHT=light-$(openssl rand -hex 20)
RUN=$(mktemp -d /tmp/profile-fairness.XXXX)
PROFILE_API_KEYS="$HEAVY=ingest,$LIGHT=ingest" start_node "$RUN" "$PORT"
echo "dispatch window: ${PROFILE_DISPATCH_WINDOW:-default}"
java -cp "$BENCH" dev.profileengine.bench.NeighbourProbe "http://127.0.0.1:$PORT" 5 100 "$LIGHT" > /dev/null  # the light path warmed
java -cp "$BENCH" dev.profileengine.bench.NeighbourProbe "http://127.0.0.1:$PORT" 30 100 "$LIGHT" > "$RUN/neighbour.txt" &
PROBE=$!
java -jar "$JAR" replay --file "$CSV" --url "http://127.0.0.1:$PORT" --batch 1000 --concurrency 4 --api-key "$HEAVY" \
  | grep -v '^  ' | tail -2
wait $PROBE
cat "$RUN/neighbour.txt"
