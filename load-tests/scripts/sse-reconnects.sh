#!/usr/bin/env bash
# Change-stream subscribers that come and go (an EventSource reconnecting, a too_slow close, a
# client reset) on one fresh, quiet node: ROUNDS rounds of N subscriptions (GET /v1/changes?from=latest,
# then a TCP reset), the node's live heap (after full collections, jcmd) measured before the first
# round and SETTLE seconds after each. Prints the heap kept per ended subscription; run it with
# JAR=<a build> to compare.
#   load-tests/scripts/sse-reconnects.sh    env: PORT (18590), N (1000), ROUNDS (2), SETTLE (5)
set -euo pipefail
cd "$(dirname "$0")/../.."
PORT=${PORT:-18590}; N=${N:-1000}; ROUNDS=${ROUNDS:-2}; SETTLE=${SETTLE:-5}
. load-tests/scripts/node-lib.sh
RUN=$(mktemp -d /tmp/profile-sse-reconnects.XXXX)
PROFILE_PREDICTIONS=off start_node "$RUN" "$PORT"
echo "node: $JAR; $ROUNDS rounds of $N subscriptions ended by a reset"
live_heap() {
  jcmd "$NODE" GC.run >/dev/null; jcmd "$NODE" GC.run >/dev/null
  jcmd "$NODE" GC.class_histogram | awk '/^Total/ { print $3 }'
}
before=$(live_heap)
for round in $(seq 1 "$ROUNDS"); do
  python3 - "$PORT" "$N" <<'EOF'
import socket, struct, sys
port, n = int(sys.argv[1]), int(sys.argv[2])
for _ in range(n):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"GET /v1/changes?from=latest HTTP/1.1\r\nHost: localhost\r\n\r\n")
    s.settimeout(5); s.recv(4096)  # the response's head: the subscription is open
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)); s.close()  # a reset
EOF
  sleep "$SETTLE"  # the ended streams' own teardown is asynchronous
  after=$(live_heap)
  echo "round $round: live heap $before -> $after bytes: $(( (after - before) / (round * N) )) bytes per ended subscription"
done
curl -s "localhost:$PORT/metrics" | grep -E '^profile_(http_connections|change_subscribers) ' || true
