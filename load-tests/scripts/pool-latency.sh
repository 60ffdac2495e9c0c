#!/usr/bin/env bash
# Inference pool: batch-1 predictions/s, pool max predictions/s (closed loop) and the pool's added
# latency p50/p99 at a fixed offered rate of 50% of that max (open loop), in one JVM, so the
# ratio pool/batch-1 comes from one run. See PoolLatencyProbe for the options, e.g.
#   load-tests/scripts/pool-latency.sh                               # 64 / 2 ms / 1 worker per core, 50% of max for 20 s
#   load-tests/scripts/pool-latency.sh --fractions 0.25,0.5,0.75     # several offered rates
#   load-tests/scripts/pool-latency.sh --maxBatch 128 --workers 2
# Env: JAVA_OPTS: extra JVM options.
set -euo pipefail
cd "$(dirname "$0")/../.."
JAR=load-tests/target/benchmarks.jar
[ -f "$JAR" ] || { echo "$JAR missing: mvn -q -DskipTests install (from the repository root)"; exit 2; }
echo "machine: $(nproc) cpus, $(free -m | awk '/^Mem:/{print $2}') MB memory, $(java -version 2>&1 | head -1)"
# shellcheck disable=SC2086
exec env OPT_OUT_TRACKING=true java -Dai.djl.offline=true -Xms1g -Xmx1g ${JAVA_OPTS:-} \
  -cp "$JAR" dev.profileengine.bench.PoolLatencyProbe "$@"
