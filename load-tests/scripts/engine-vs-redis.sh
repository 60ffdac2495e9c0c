#!/usr/bin/env bash
# The engine against its Redis peer on the same file, back to back: a fresh node with the README's
# defaults (H2 journal, predictions on) replays a Taobao CSV with the project's replay command, then
# the same rows a day later into the same node (same users: every profile live, new event ids),
# then another fresh node with PROFILE_PREDICTIONS=off does both, then peer-redis.sh loads the
# CSV's rows. Prints the rates and the ratios engine/redis and predictions on/off; all in one run,
# since only figures from one run are comparable on a shared machine.
#   load-tests/scripts/engine-vs-redis.sh [CSV] [extra JVM options for the nodes]
#   env: PORT (18480), JAR, JFR (a file: a JFR recording, settings=profile, of the predictions-on replay),
#        KEEP (a directory: keep the nodes' data and logs there)
set -euo pipefail
cd "$(dirname "$0")/../.."
CSV=${1:-samples/taobao-userbehavior-sample.csv.gz}; shift || true
PORT=${PORT:-18480}
JVM_OPTS=("$@")
. load-tests/scripts/node-lib.sh
RUN=${KEEP:-$(mktemp -d /tmp/engine-vs-redis.XXXX)}
mkdir -p "$RUN"
echo "machine: $(nproc) cpus; file $CSV; jar $JAR"

# replay_fresh NAME [env...]: a fresh node (its own data dir) replays CSV; prints the rate, sets RATE.
replay_fresh() {
  local name=$1; shift
  mkdir -p "$RUN/$name"
  local var
  for var in "$@"; do export "${var?}"; done  # NAME=value settings for this node only
  start_node "$RUN/$name" "$PORT" -Xmx2g "${JVM_OPTS[@]}"
  for var in "$@"; do unset "${var%%=*}"; done
  local node=$NODE
  [ -z "${JFR:-}" ] || [ "$name" != predictions-on ] || jcmd "$node" JFR.start name=replay settings=profile filename="$JFR" > /dev/null
  replay_round "$name" "$CSV" fresh
  [ -z "${JFR:-}" ] || [ "$name" != predictions-on ] || jcmd "$node" JFR.stop name=replay > /dev/null
  RATE=$ROUND_RATE; CPU=$ROUND_CPU
  shifted_csv "$CSV" 0 1 > "$RUN/$name/day-later.csv"
  replay_round "$name" "$RUN/$name/day-later.csv" live
  LIVE_RATE=$ROUND_RATE; LIVE_CPU=$ROUND_CPU
  kill "$node"; wait "$node" 2> /dev/null || true
}

# replay_round NAME FILE ROUND: FILE replayed into the running node; sets ROUND_RATE and ROUND_CPU.
replay_round() {
  local name=$1 file=$2 round=$3 cpu0 cpu1 result
  cpu0=$(node_cpu)
  result=$(java -jar "$JAR" replay --file "$file" --url "http://127.0.0.1:$PORT" --batch 500 --concurrency 4 | tee "$RUN/$name/$round.txt" | grep -v '^  ' | tail -1)
  cpu1=$(node_cpu)
  grep -E '^replayed' "$RUN/$name/$round.txt" | tail -1 | sed 's/^/  /'
  ROUND_RATE=$(replay_rate "$result")
  ROUND_CPU=$(echo "$cpu1 - $cpu0" | bc)
  echo "engine, $round profiles, $name: $result; node CPU $ROUND_CPU s"
}

replay_fresh predictions-on
ON=$RATE; ON_CPU=$CPU; LIVE_ON=$LIVE_RATE; LIVE_ON_CPU=$LIVE_CPU
replay_fresh predictions-off PROFILE_PREDICTIONS=off
OFF=$RATE; OFF_CPU=$CPU; LIVE_OFF=$LIVE_RATE; LIVE_OFF_CPU=$LIVE_CPU
PEER=$(load-tests/scripts/peer-redis.sh "$CSV")
echo "$PEER"
REDIS=$(echo "$PEER" | tail -1 | sed -E 's/.*: ([0-9.]+) events\/s.*/\1/')
# Node CPU per event as well: on a shared machine the rate follows the CPU the node is given, the
# CPU it needs per event does not.
ROWS=$(gzip -dcf -- "$CSV" | grep -cE '^[0-9]')
awk -v on="$ON" -v off="$OFF" -v r="$REDIS" -v oncpu="$ON_CPU" -v offcpu="$OFF_CPU" -v rows="$ROWS" \
    -v lon="$LIVE_ON" -v loff="$LIVE_OFF" -v loncpu="$LIVE_ON_CPU" -v loffcpu="$LIVE_OFF_CPU" 'BEGIN {
  printf "\n| run | events/s | node CPU per event |\n| --- | ---: | ---: |\n"
  printf "| engine, fresh node, predictions on | %d | %.0f µs |\n", on, 1e6 * oncpu / rows
  printf "| engine, fresh node, predictions off | %d | %.0f µs |\n", off, 1e6 * offcpu / rows
  printf "| engine, the same a day later (live profiles), predictions on | %d | %.0f µs |\n", lon, 1e6 * loncpu / rows
  printf "| engine, the same a day later (live profiles), predictions off | %d | %.0f µs |\n", loff, 1e6 * loffcpu / rows
  printf "| Redis peer | %d | |\n", r
  printf "\nengine/redis (predictions on): %.4f   engine/redis (predictions off): %.4f   on/off: %.2f (predictions cost %.0f%%)\n",
    on / r, off / r, on / off, 100 * (1 - on / off) }'
. load-tests/scripts/results-lib.sh
results_command engine-vs-redis.sh "JAR" "$CSV" "${JVM_OPTS[@]}"
record_result engine-vs-redis engine_on_events_per_s "$ON" events/s
record_result engine-vs-redis engine_off_events_per_s "$OFF" events/s
record_result engine-vs-redis redis_events_per_s "$REDIS" events/s
record_result engine-vs-redis ratio_on "$(awk -v a="$ON" -v b="$REDIS" 'BEGIN { printf "%.4f", a / b }')" ratio
record_result engine-vs-redis ratio_off "$(awk -v a="$OFF" -v b="$REDIS" 'BEGIN { printf "%.4f", a / b }')" ratio
record_result engine-vs-redis cpu_us_per_event_on "$(awk -v c="$ON_CPU" -v n="$ROWS" 'BEGIN { printf "%.0f", 1e6 * c / n }')" us
record_result engine-vs-redis cpu_us_per_event_off "$(awk -v c="$OFF_CPU" -v n="$ROWS" 'BEGIN { printf "%.0f", 1e6 * c / n }')" us
record_result engine-vs-redis live_on_events_per_s "$LIVE_ON" events/s
record_result engine-vs-redis live_off_events_per_s "$LIVE_OFF" events/s
record_result engine-vs-redis live_cpu_us_per_event_on "$(awk -v c="$LIVE_ON_CPU" -v n="$ROWS" 'BEGIN { printf "%.0f", 1e6 * c / n }')" us
record_result engine-vs-redis live_cpu_us_per_event_off "$(awk -v c="$LIVE_OFF_CPU" -v n="$ROWS" 'BEGIN { printf "%.0f", 1e6 * c / n }')" us
