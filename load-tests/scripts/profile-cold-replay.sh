#!/usr/bin/env bash
# Where a cold replay goes: a fresh node with the README's defaults (predictions on unless
# PROFILE_PREDICTIONS says otherwise) replays a Taobao CSV under a JFR recording (settings=profile),
# then jfr-breakdown.awk splits the node's CPU samples by thread group and by layer. Then, on a
# second fresh node with H2's statement trace on, the first SLICE rows (20,000) again: the SQL
# statements and journal rows per event, by kind (recovery, writes, reads of the change feed).
#   load-tests/scripts/profile-cold-replay.sh [CSV]    env: PORT (18580), JAR, SLICE, OUT (a directory for the results), PARTS ("jfr sql": either or both)
set -euo pipefail
cd "$(dirname "$0")/../.."
CSV=${1:-samples/taobao-userbehavior-sample.csv.gz}
PORT=${PORT:-18580}
SLICE=${SLICE:-20000}
PARTS=${PARTS:-jfr sql}
. load-tests/scripts/node-lib.sh
OUT=${OUT:-$(mktemp -d /tmp/profile-cold.XXXX)}
mkdir -p "$OUT/jfr" "$OUT/sql"
H2_OPTIONS="WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE;MAX_LENGTH_INPLACE_LOB=1024"  # engine-persistence.conf's

if [[ $PARTS == *jfr* ]]; then
start_node "$OUT/jfr" "$PORT" -Xmx2g
thread_cpu > "$OUT/threads-before.txt"
jcmd "$NODE" JFR.start name=replay settings=profile filename="$OUT/replay.jfr" > /dev/null
cpu0=$(node_cpu)
java -jar "$JAR" replay --file "$CSV" --url "http://127.0.0.1:$PORT" --batch 500 --concurrency 4 | grep -E '^replay done'
cpu1=$(node_cpu)
thread_cpu > "$OUT/threads-after.txt"
jcmd "$NODE" JFR.stop name=replay > /dev/null
echo "node CPU during the replay: $(echo "$cpu1 - $cpu0" | bc) s"
kill "$NODE"; wait "$NODE" 2> /dev/null || true
echo "node CPU during the replay by thread group (from /proc; native code such as inference included):"
thread_cpu_diff "$OUT/threads-before.txt" "$OUT/threads-after.txt" 15
jfr print --stack-depth 64 --events jdk.ExecutionSample "$OUT/replay.jfr" > "$OUT/samples.txt"
awk -f load-tests/scripts/jfr-breakdown.awk "$OUT/samples.txt"
fi
[[ $PARTS == *sql* ]] || exit 0

# The slice, with every SQL statement traced (TRACE_LEVEL_FILE=2) to journal.trace.db.
gzip -dcf -- "$CSV" | awk -v n="$SLICE" '/^[0-9]/ && ++rows <= n' > "$OUT/slice.csv"
start_node "$OUT/sql" "$PORT" -Xmx2g "-Dprofile.journal.h2-options=$H2_OPTIONS;TRACE_LEVEL_FILE=2;TRACE_MAX_FILE_SIZE=4000"
java -jar "$JAR" replay --file "$OUT/slice.csv" --url "http://127.0.0.1:$PORT" --batch 500 --concurrency 4 | grep -E '^replay done'
kill "$NODE"; wait "$NODE" 2> /dev/null || true
echo "SQL statements per event ($SLICE events), by kind:"
# Each statement H2 runs is traced as a "/*SQL ...*/<statement>;" line.
grep -E '^/\*SQL' "$OUT/sql/data/journal.trace.db" | sed -E 's#^/\*SQL[^*]*\*/##; s/\\"/"/g' | awk -v n="$SLICE" '
  { s = tolower($0); k = "other: " substr($0, 1, 50) }
  s ~ /^select max\(/ && s ~ /event_journal/ { k = "recovery: highest sequence number" }
  s ~ /from "snapshot"/ && s ~ /^select/ { k = "recovery: snapshot load" }
  s ~ /^select/ && s ~ /from "event_journal"/ && s ~ /"persistence_id" = / && s !~ /max\(/ { k = "recovery: events replay" }
  s ~ /^insert into "event_journal"/ { k = "write: insert journal rows" }
  s ~ /^insert into "snapshot"|^update "snapshot"|^merge into "snapshot"/ { k = "write: snapshot" }
  s ~ /^delete from "snapshot"/ { k = "write: snapshot cleanup" }
  s ~ /^(insert into|delete from) profile_segment_member/ { k = "segment read side: member rows" }
  s ~ /akka_projection_offset_store/ { k = "segment read side: projection offset" }
  s ~ /^checkpoint sync/ { k = "write: CHECKPOINT SYNC" }
  s ~ /^commit|^rollback|set autocommit/ { k = "transaction control" }
  s ~ /^select/ && s ~ /"ordering" > / && s !~ /"persistence_id" = / { k = "change feed / projection poll" }
  { c[k]++; t++ }
  END { for (k in c) printf "%10d  %6.3f/event  %s\n", c[k], c[k] / n, k; printf "%10d  %6.3f/event  all\n", t, t / n }' | sort -rn
H2=$(find ~/.m2/repository/com/h2database/h2 -name 'h2-*.jar' | sort | head -1)
java -cp "$H2" org.h2.tools.Shell -url "jdbc:h2:file:$OUT/sql/data/journal" -user sa \
  -sql 'select "event_ser_manifest" as kind, count(*) as journal_rows from "event_journal" group by kind' | head -8
echo "results in $OUT"
