#!/usr/bin/env bash
# The Redis peer of the ingest benchmark: "a Redis hash per user" with dedup, as durable as the
# engine's journal (AOF, appendfsync always). Installs Redis from the distribution's packages if
# missing, starts its own redis-server on a free port in a temp dir, turns every row of a Taobao
# CSV (plain or .gz; 5-column or 10-column layout, as event-data's TaobaoCsv reads them) into
#   SADD seen:<user> <eventId>   and   HINCRBY profile:<user> <type> 1
# (the event id and type spelled as the replay command sends them), loads them with
# `redis-cli --pipe`, prints events/s and stops the server.
#   load-tests/scripts/peer-redis.sh [CSV]    env: REDIS_PORT (a free port from 16379 when unset)
# Last line of output: "redis: N events in S s: R events/s" (engine-vs-redis.sh reads R).
set -euo pipefail
cd "$(dirname "$0")/../.."
CSV=${1:-samples/taobao-userbehavior-sample.csv.gz}

if ! command -v redis-server > /dev/null || ! command -v redis-cli > /dev/null; then
  SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get install -y redis-server > /dev/null 2>&1 || { $SUDO apt-get update > /dev/null && $SUDO apt-get install -y redis-server > /dev/null; }
fi

free_port() {
  local p=$1
  while (exec 3<>"/dev/tcp/127.0.0.1/$p") 2> /dev/null; do p=$((p + 1)); done
  echo "$p"
}
PORT=${REDIS_PORT:-$(free_port 16379)}
DIR=$(mktemp -d /tmp/peer-redis.XXXX)

# RESP commands, one SADD and one HINCRBY per row; header and unreadable lines are skipped.
to_resp() {
  gzip -dcf -- "$1" | awk -F, '
    function bulk(s) { return "$" length(s) "\r\n" s "\r\n" }
    BEGIN { wire["pv"] = "view"; wire["fav"] = "favorite"; wire["cart"] = "cart"; wire["buy"] = "purchase" }
    {
      sub(/\r$/, "")
      if (NF == 5) { u = $1; item = $2; t = $4; ts = $5 }
      else if (NF == 10) { u = $1; item = $2; t = $8; ts = $9 }
      else next
      gsub(/ /, "", u); gsub(/ /, "", item); gsub(/ /, "", t); gsub(/ /, "", ts)
      if (u !~ /^[0-9]+$/ || item !~ /^[0-9]+$/ || !(t in wire) || ts !~ /^-?[0-9]+$/) next
      printf "*3\r\n%s%s%s", bulk("SADD"), bulk("seen:" u), bulk("tb-" u "-" item "-" wire[t] "-" ts)
      printf "*4\r\n%s%s%s%s", bulk("HINCRBY"), bulk("profile:" u), bulk(wire[t]), bulk("1")
      rows++
    }
    END { print rows > "/dev/stderr" }'
}
ROWS=$(to_resp "$CSV" 2>&1 > "$DIR/commands.resp")

redis-server --port "$PORT" --bind 127.0.0.1 --dir "$DIR" --appendonly yes --appendfsync always \
  --save '' --daemonize no --logfile "$DIR/redis.log" &
REDIS=$!
trap 'redis-cli -p "$PORT" shutdown nosave > /dev/null 2>&1 || kill $REDIS 2> /dev/null; wait $REDIS 2> /dev/null || true; rm -rf "$DIR"' EXIT
for _ in $(seq 1 100); do redis-cli -p "$PORT" ping > /dev/null 2>&1 && break; sleep 0.1; done

start=$(date +%s.%N)
redis-cli -p "$PORT" --pipe < "$DIR/commands.resp" > "$DIR/pipe.txt"
end=$(date +%s.%N)
grep -q "errors: 0" "$DIR/pipe.txt" || { cat "$DIR/pipe.txt" >&2; exit 1; }
echo "redis $(redis-server --version | sed -E 's/.*v=([^ ]+).*/\1/'): $(redis-cli -p "$PORT" dbsize) keys, AOF $(du -h "$DIR/appendonlydir" 2> /dev/null | tail -1 | cut -f1), appendfsync $(redis-cli -p "$PORT" config get appendfsync | tail -1)"
awk -v n="$ROWS" -v s="$start" -v e="$end" 'BEGIN { printf "redis: %d events in %.2f s: %.0f events/s\n", n, e - s, n / (e - s) }'
