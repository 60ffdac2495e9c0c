#!/usr/bin/env bash
# The report's charts: reads every CSV of load-tests/results/ (each benchmark script appends its
# run's figures there) and writes the SVG charts of load-tests/BENCHMARKS.md into load-tests/charts/.
# Builds nothing: it runs the benchmarks jar, or the module's compiled classes if only those exist.
#   load-tests/scripts/charts.sh [RESULTS_DIR] [CHARTS_DIR]
set -euo pipefail
cd "$(dirname "$0")/../.."
RESULTS=${1:-load-tests/results}; CHARTS=${2:-load-tests/charts}
CP=load-tests/target/benchmarks.jar
if [ ! -f "$CP" ]; then
  if [ -f load-tests/target/classes/dev/profileengine/bench/charts/ChartMain.class ]; then
    CP=load-tests/target/classes
  else
    echo "$CP missing: build it with mvn -B -q -DskipTests install (from the repository root)"; exit 2
  fi
fi
exec java -cp "$CP" dev.profileengine.bench.charts.ChartMain "$RESULTS" "$CHARTS"
