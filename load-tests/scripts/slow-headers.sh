#!/usr/bin/env bash
# Slowloris against one fresh node: ATTACKERS connections (default: the node's connection limit plus
# 100) each send half a request head and then a header line every 5 s, reopening whenever the node
# closes one, while a client asks GET /health on a new connection every 100 ms (5 s to answer).
# Prints the client's answered share and latency. The node's limit is lowered to MAX_CONNECTIONS
# (1000) so the attack fits the machine; run it with JAR=<a build before the header deadline> to see
# Akka HTTP alone.
#   load-tests/scripts/slow-headers.sh    env: PORT (18580), MAX_CONNECTIONS (1000), ATTACKERS, SECONDS_OF_PROBE (60)
set -euo pipefail
cd "$(dirname "$0")/../.."
PORT=${PORT:-18580}; MAX=${MAX_CONNECTIONS:-1000}; ATTACKERS=${ATTACKERS:-$((MAX + 100))}; SECS=${SECONDS_OF_PROBE:-60}
BENCH=load-tests/target/benchmarks.jar
[ -f "$BENCH" ] || { echo "$BENCH missing: mvn -B -q -DskipTests install"; exit 2; }
. load-tests/scripts/node-lib.sh
RUN=$(mktemp -d /tmp/profile-slow-headers.XXXX)
PROFILE_HTTP_MAX_CONNECTIONS=$MAX start_node "$RUN" "$PORT"
echo "node: $JAR; max connections $MAX; header timeout ${PROFILE_HTTP_HEADER_TIMEOUT:-default}"
java -cp "$BENCH" dev.profileengine.bench.SlowHeadersProbe "http://127.0.0.1:$PORT" "$SECS" "$ATTACKERS"
curl -s "localhost:$PORT/metrics" | grep -E '^profile_http_(connections|header_timeouts)' || true
