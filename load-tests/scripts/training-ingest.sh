#!/usr/bin/env bash
# Ingest while the feedback loop trains. One fresh node (H2 file journal, predictions on, its own copy
# of the model registry) replays CSV (the history the loop trains on), then the same rows shifted
# 1 to 4 days later (same users, entities alive, new event ids): a warm-up round (JIT, not counted),
# round "off-1" with no training, round "on" right after POST /v1/models/train while the model tools
# train in their own niced process, round "off-2" once the trainer has exited (any A/B candidate
# taken out first). Prints each round's events/s and node CPU, the trainer's CPU during "on", and
# on / mean(off-1, off-2).
#   load-tests/scripts/training-ingest.sh [CSV]    env: PORT (18620), EPOCHS (3: PROFILE_TRAINING_EPOCHS), JAR
# Figures appended to load-tests/results/training-ingest.csv (see results-lib.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
. load-tests/scripts/results-lib.sh
results_command training-ingest.sh "EPOCHS JAR" "$@"
CSV=${1:-samples/taobao-userbehavior-sample.csv.gz}
PORT=${PORT:-18620}
. load-tests/scripts/node-lib.sh
[ -f model-store/target/model-store.jar ] || mvn -B -q -DskipTests package
RUN=$(mktemp -d /tmp/training-ingest.XXXX)
cp -r model-store/models "$RUN/models"
for day in 1 2 3 4; do shifted_csv "$CSV" 0 "$day" > "$RUN/day-$day.csv"; done
export PROFILE_MODELS_DIR=$RUN/models PROFILE_TRAINING_DIR=$RUN/training PROFILE_TRAINING_EPOCHS=${EPOCHS:-3}
start_node "$RUN" "$PORT" -Xmx2g
echo "machine: $(nproc) cpus; node on $JAR, trainer model-store/target/model-store.jar, epochs $PROFILE_TRAINING_EPOCHS"
cpu_of() { awk '{ print ($14 + $15) / 100 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
replay() { java -jar "$JAR" replay --file "$1" --url "http://127.0.0.1:$PORT" --batch 500 --concurrency 4 | grep -v '^  ' | tail -1; }
status() { curl -s "localhost:$PORT/v1/models" | python3 -c 'import json,sys; t=json.load(sys.stdin)["training"]; r=t["runs"][0] if t["runs"] else {}; print(r.get("status","-"))'; }
echo "history: $(replay "$CSV")"
round() {
  local key=$1 file=$2 before result used
  before=$(cpu_of "$NODE")
  result=$(replay "$file")
  used=$(echo "$(cpu_of "$NODE") - $before" | bc)
  echo "$key: $result; node CPU $used s"
  record_result training-ingest "${key}_events_per_s" "$(replay_rate "$result")" events/s
  record_result training-ingest "${key}_node_cpu_s" "$used" s
  RATE=$(replay_rate "$result")
}
echo "warm-up: $(replay "$RUN/day-1.csv")"
round off_1 "$RUN/day-2.csv"; OFF1=$RATE
curl -sf -X POST "localhost:$PORT/v1/models/train" > "$RUN/train.json" || { echo "POST /v1/models/train refused:"; cat "$RUN/train.json"; exit 1; }
for _ in $(seq 1 120); do TRAINER=$(pgrep -f "model-store.jar train" | head -1 || true); [ -n "$TRAINER" ] && break; sleep 0.25; done
[ -n "${TRAINER:-}" ] || { echo "no trainer process: $(status)"; exit 1; }
trainer0=$(cpu_of "$TRAINER")
round on "$RUN/day-3.csv"; ON=$RATE
trainer_cpu=$(echo "$(cpu_of "$TRAINER") - $trainer0" | bc)
st=$(status)
echo "at the end of round on: run $st, trainer CPU $trainer_cpu s during the round"
record_result training-ingest trainer_cpu_s_during_on "$trainer_cpu" s
case "$st" in TRAINING|EXPORTING) ;; *) echo "the training ended before the round did: the ratio does not measure training"; exit 1 ;; esac
# Until the run has left training and evaluation (each its own trainer process), then no trainer at all.
until case "$(status)" in EXPORTING|TRAINING|EVALUATING) false ;; *) true ;; esac; do sleep 1; done
while pgrep -f "model-store.jar" > /dev/null; do sleep 1; done
curl -s -X DELETE "localhost:$PORT/v1/models/candidate" > /dev/null   # no A/B split in round off-2
echo "run: $(status)"
round off_2 "$RUN/day-4.csv"; OFF2=$RATE
RATIO=$(awk -v on="$ON" -v a="$OFF1" -v b="$OFF2" 'BEGIN { printf "%.3f", on / ((a + b) / 2) }')
echo "ingest during training / without: $RATIO (on $ON, off $OFF1 and $OFF2 events/s)"
record_result training-ingest ratio_on_vs_off "$RATIO" ratio
