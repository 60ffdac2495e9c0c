#!/usr/bin/env bash
# Inference pool: batch-1 predictions/s, pool max predictions/s (closed loop) and the pool's added
# latency p50/p99 at a fixed offered rate of 50% of that max (open loop), in one JVM, so the
# ratio pool/batch-1 comes from one run. See PoolLatencyProbe for the options, e.g.
#   load-tests/scripts/pool-latency.sh                               # 64 / 2 ms / 1 worker per core, 50% of max for 20 s
#   load-tests/scripts/pool-latency.sh --fractions 0.25,0.5,0.75     # several offered rates
#   load-tests/scripts/pool-latency.sh --maxBatch 128 --workers 2
# Env: JAVA_OPTS: extra JVM options. Figures appended to load-tests/results/pool-latency.csv (see
# results-lib.sh; RESULT_RUN names the configuration on the charts).
set -euo pipefail
cd "$(dirname "$0")/../.."
. load-tests/scripts/results-lib.sh
results_command pool-latency.sh "JAVA_OPTS" "$@"
JAR=load-tests/target/benchmarks.jar
[ -f "$JAR" ] || { echo "$JAR missing: mvn -q -DskipTests install (from the repository root)"; exit 2; }
echo "machine: $(nproc) cpus, $(free -m | awk '/^Mem:/{print $2}') MB memory, $(java -version 2>&1 | head -1)"
OUT=$(mktemp /tmp/pool-latency.XXXX)
status=0
# shellcheck disable=SC2086
env OPT_OUT_TRACKING=true java -Dai.djl.offline=true -Xms1g -Xmx1g ${JAVA_OPTS:-} \
  -cp "$JAR" dev.profileengine.bench.PoolLatencyProbe "$@" | tee "$OUT" || status=$?
pick() { grep -oP -e "$1" "$OUT" | head -1 || true; }
record_result pool-latency batch1_per_s "$(pick '^batch 1 .*: \K[0-9,.]+(?= predictions/s)')" predictions/s
record_result pool-latency pool_max_per_s "$(pick '^pool max .*: \K[0-9,.]+(?= predictions/s)')" predictions/s
record_result pool-latency ratio_pool_vs_batch1 "$(pick '=>  \K[0-9.]+(?= x batch 1)')" x
record_result pool-latency mean_batch "$(pick '^pool max .*mean batch \K[0-9.]+')" requests
# Each open-loop step: "open loop 50% of max: offered 11,245/s, ..." then
# "  added latency from predict(): p50 4.68 ms, p90 ... ms, p99 9.07 ms, p99.9 12.46 ms, max 16.97 ms".
while read -r metric value unit; do record_result pool-latency "$metric" "$value" "$unit"; done < <(awk '
  /^open loop [0-9]+% of max/ { pct = $3; sub(/%.*/, "", pct); o = $0; sub(/.*offered /, "", o); sub(/\/s.*/, "", o)
    print "offered_per_s_at_" pct "pct " o " predictions/s"; next }
  /added latency from predict\(\)/ && pct != "" { n = split($0, w, " ")
    for (i = 1; i < n; i++) if (w[i] ~ /^(p[0-9.]+|max)$/) { k = w[i]; gsub(/\./, "", k); print "added_" k "_ms_at_" pct "pct " w[i + 1] " ms" } }' "$OUT")
rm -f "$OUT"
exit "$status"
