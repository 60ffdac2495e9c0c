#!/usr/bin/env bash
# How fast one SSE subscriber catches up from offset 0, by read-ahead: a fresh node (H2, predictions
# on) takes the Taobao sample, then is restarted on the same data once per PROFILE_CHANGE_BUFFER
# value (BUFFERS, default "1000 128 1000 128") and times `GET /v1/changes?from=0` to its first
# 200,000 changes (curl, one connection).
#   load-tests/scripts/subscriber-catch-up.sh [CSV]    env: PORT (18580), BUFFERS
set -euo pipefail
cd "$(dirname "$0")/../.."
CSV=${1:-samples/taobao-userbehavior-sample.csv.gz}
PORT=${PORT:-18580}
. load-tests/scripts/node-lib.sh
RUN=$(mktemp -d /tmp/profile-catch-up.XXXX)
start_node "$RUN" "$PORT"
java -jar "$JAR" replay --file "$CSV" --url "http://127.0.0.1:$PORT" --batch 500 --concurrency 4 | grep -v '^  ' | tail -1
kill $NODE; wait $NODE 2>/dev/null || true
set +o pipefail  # curl ends on SIGPIPE once enough changes were read
for b in ${BUFFERS:-1000 128 1000 128}; do
  PROFILE_CHANGE_BUFFER=$b start_node "$RUN" "$PORT"
  curl -sN "localhost:$PORT/v1/changes?from=0" | head -c 1 > /dev/null || true  # the route's first call
  s=$(date +%s.%N)
  n=$(timeout 120 curl -sN "localhost:$PORT/v1/changes?from=0" | grep -m 200000 '^id:' | wc -l)
  e=$(date +%s.%N)
  echo "read-ahead $b: $n changes in $(echo "$e - $s" | bc) s"
  kill $NODE; wait $NODE 2>/dev/null || true
done
