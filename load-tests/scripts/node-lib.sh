# Shared by the benchmark scripts (source it; the caller has cd'ed to the repository root).
JAR=${JAR:-api-gateway/target/profile-engine.jar}  # JAR=... compares another build
[ -f "$JAR" ] || mvn -B -q -DskipTests package

# start_node RUN PORT [JVM options...]: a fresh node with its data in RUN/data and its log in
# RUN/node.log (appended: a restart keeps one log), on PORT (HTTP) and the three ports after it; sets NODE, stops it on exit, waits
# until /ready.
start_node() {
  local run=$1 port=$2; shift 2
  PROFILE_DATA_DIR=$run/data PROFILE_HTTP_PORT=$port PROFILE_GRPC_PORT=$((port+1)) PROFILE_MANAGEMENT_PORT=$((port+2)) \
    PROFILE_REMOTE_PORT=$((port+3)) java "$@" -jar "$JAR" >> "$run/node.log" 2>&1 &
  NODE=$!
  trap 'kill $NODE 2>/dev/null || true; wait $NODE 2>/dev/null || true' EXIT  # errexit holds in traps too
  for _ in $(seq 1 120); do curl -sf "localhost:$port/ready" >/dev/null && break; sleep 0.5; done
}

# node_cpu: the CPU seconds (user + system) the node process NODE has used so far.
node_cpu() { awk '{ print ($14 + $15) / 100 }' "/proc/$NODE/stat"; }

# replay_rate LINE: the events/s of the replay CLI's last line ("replay done in ... s: N events/s"), digits only.
replay_rate() { echo "$1" | sed -E 's/.*: ([0-9,]+) events\/s.*/\1/' | tr -d ,; }

# shifted_csv CSV USER_OFFSET DAYS [HEADER]: the rows of a Taobao CSV (plain or .gz) on stdout with every user id
# raised by USER_OFFSET (new users) and every time moved DAYS days later; a line that is not a
# row (a header) is kept unless HEADER is "no".
shifted_csv() {
  awk -F, -v u="$2" -v d="$3" -v h="${4:-yes}" 'BEGIN { OFS = "," }
    /^[0-9]/ { $1 = $1 + u; $5 = $5 + d * 86400; print; next } h != "no" { print }' < <(gzip -dcf -- "$1")
}

# wrk_ms FILE PCT: the PCT% latency of a `wrk --latency` report in FILE, in ms (empty if absent).
wrk_ms() {
  awk -v p="$2%" '$1 == p { v = $2; u = v; sub(/^[0-9.]+/, "", u); sub(/[a-z]+$/, "", v)
    printf "%.3f", v * (u == "us" ? 0.001 : u == "s" ? 1000 : u == "m" ? 60000 : 1); exit }' "$1"
}

# read_script RUN CSV [DELAY_MS]: RUN/read.lua, a wrk script reading GET /v1/profiles/{id} of every
# user of CSV (plain or .gz) in turn, each connection waiting DELAY_MS (default 0) before each request.
read_script() {
  local run=$1 csv=$2 delay=${3:-0}
  gzip -dcf -- "$csv" | cut -d, -f1 | grep -E '^[0-9]+$' | sort -u > "$run/users.txt"
  cat > "$run/read.lua" <<LUA
local users = {}
for line in io.lines("$run/users.txt") do users[#users + 1] = line end
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", "/v1/profiles/" .. users[(i % #users) + 1])
end
function delay() return $delay end
LUA
}

# thread_cpu: "ticks tid name" per live thread of NODE (utime + stime, fields 14 and 15 after the
# ")" ending the kernel's name), named by the JVM's full thread name (jcmd) when it has one, else
# the kernel's 15-character one; digits in names as N, so a pool's threads share one name.
thread_cpu() {
  local names name t stat comm tid
  names=$(jcmd "$NODE" Thread.print 2> /dev/null | awk '/^"/ && match($0, /nid=0x[0-9a-f]+/) {
    n = $0; sub(/^"/, "", n); sub(/".*/, "", n); print substr($0, RSTART + 6, RLENGTH - 6), n }' || true)
  for t in /proc/$NODE/task/*; do
    { read -r stat < "$t/stat" && read -r comm < "$t/comm"; } 2> /dev/null || continue  # the thread ended
    tid=${t##*/}
    name=$(printf '%s\n' "$names" | awk -v h="$(printf '%x' "$tid")" '$1 == h { $1 = ""; sub(/^ /, ""); print; exit }')
    name=${name:-$comm}; name=${name// /_}
    echo "$(echo "${stat##*) }" | awk '{ print $12 + $13 }') $tid $(echo "$name" | sed -E 's/[0-9]+/N/g')"
  done
}

# thread_cpu_diff BEFORE AFTER: the CPU seconds each thread group used between two thread_cpu
# files, with its share, largest first.
thread_cpu_diff() {
  awk 'NR == FNR { before[$2] = $1; next } { d = $1 - before[$2]; cpu[$3] += d; all += d }
    END { for (n in cpu) if (cpu[n] > 0) printf "%8.2f s %5.1f%%  %s\n", cpu[n] / 100, 100 * cpu[n] / all, n }' "$1" "$2" | sort -rn | head -${3:-12}
}
