#!/usr/bin/env bash
# Native-memory leak check of the InferencePool: 1,000,000 predictions (real users' last 50
# behaviors, default model) through a pool at its operating point (maxBatch 64, 5 ms,
# 1 worker), printing the process RSS (VmRSS of /proc/self/status) after warm-up, every 100,000
# predictions and at the end. Exit code 1 if RSS grew by more than --maxGrowthMb (64) MB.
#   load-tests/scripts/pool-rss.sh [--predictions N] [--warmup N] [--every N] [--maxBatch 64]
#       [--delayMs 2] [--workers <cores>] [--outstanding 256] [--maxGrowthMb 64]
# Env: HEAP (512m): fixed and pre-touched (-Xms = -Xmx, AlwaysPreTouch), so the Java heap cannot
# grow during the run and pass for a native leak. JAVA_OPTS: extra JVM options (e.g.
# -XX:NativeMemoryTracking=summary to tell JVM-native from PyTorch memory). Figures appended to
# load-tests/results/pool-rss.csv (see results-lib.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
. load-tests/scripts/results-lib.sh
results_command pool-rss.sh "HEAP JAVA_OPTS" "$@"
JAR=load-tests/target/benchmarks.jar
[ -f "$JAR" ] || { echo "$JAR missing: mvn -q -DskipTests install (from the repository root)"; exit 2; }
HEAP=${HEAP:-512m}
echo "machine: $(nproc) cpus, $(free -m | awk '/^Mem:/{print $2}') MB memory, $(java -version 2>&1 | head -1)"
OUT=$(mktemp /tmp/pool-rss.XXXX)
status=0
# shellcheck disable=SC2086
env OPT_OUT_TRACKING=true java -Dai.djl.offline=true -Xms"$HEAP" -Xmx"$HEAP" -XX:+AlwaysPreTouch ${JAVA_OPTS:-} \
  -cp "$JAR" dev.profileengine.bench.PoolRssCheck "$@" | tee "$OUT" || status=$?
# "after 1,000,000 predictions (+50,000 warm-up): RSS 765,860 kB -> 767,984 kB (+2,124 kB, +0.28%), peak 773,212 kB;
#  completed 1,050,000, failed 0, rejected 0, mean batch 63.9; load average ..."
pick() { grep '^after ' "$OUT" | tail -1 | grep -oP -e "$1" | head -1 || true; }
record_result pool-rss predictions "$(pick '^after \K[0-9,]+')" predictions
record_result pool-rss rss_warm_kb "$(pick 'RSS \K[0-9,]+(?= kB ->)')" kB
record_result pool-rss rss_end_kb "$(pick '-> \K[0-9,]+(?= kB)')" kB
record_result pool-rss rss_growth_kb "$(pick '\(\K[-+][0-9,]+(?= kB,)')" kB
record_result pool-rss rss_growth_pct "$(pick ', \K[-+][0-9.]+(?=%\))')" %
record_result pool-rss rss_peak_kb "$(pick 'peak \K[0-9,]+')" kB
record_result pool-rss failed "$(pick 'failed \K[0-9]+')" predictions
rm -f "$OUT"
exit "$status"
