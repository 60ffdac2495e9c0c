# Shared by the benchmark scripts (source it right after cd'ing to the repository root): appends a
# run's final figures to its benchmark's CSV in load-tests/results/, from which
# load-tests/scripts/charts.sh draws the report's charts. Kept apart from node-lib.sh because the
# scripts without a node (pool-*.sh, scale-out.sh) record too, and sourcing node-lib.sh builds
# the server jar when it is missing.
# Env: RESULTS_DIR (load-tests/results; set it empty to record nothing), RESULT_RUN (the run's
# label on the charts; default: its start, UTC), RESULT_BUILD (default: git's short commit, with
# -dirty when tracked files differ from it: with JAR=<another build>, name that build here).
RESULTS_DIR=${RESULTS_DIR-load-tests/results}
RESULT_RUN=${RESULT_RUN:-$(date -u '+%Y-%m-%d %H:%M')}
RESULT_DATE=$(date -u +%Y-%m-%d)
if [ -z "${RESULT_BUILD:-}" ]; then
  RESULT_BUILD=$(git rev-parse --short HEAD 2>/dev/null || true)
  if [ -n "$RESULT_BUILD" ] && [ -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ]; then RESULT_BUILD=$RESULT_BUILD-dirty; fi
fi
RESULT_COMMAND=${RESULT_COMMAND:-load-tests/scripts/$(basename "$0")}

# results_command SCRIPT "VAR ..." [ARGS...]: the command line recorded with the figures: those of
# the named environment variables that are set, the script and its arguments (shell-quoted).
results_command() {
  local script=$1 names=$2 n line=""; shift 2
  for n in $names; do [ -z "${!n:-}" ] || line+="$(printf '%s=%q ' "$n" "${!n}")"; done
  line+="load-tests/scripts/$script"
  [ $# -eq 0 ] || line+="$(printf ' %q' "$@")"
  RESULT_COMMAND=$line
}

# csv_field TEXT: TEXT as one CSV field, quoted when it holds a comma or a quote.
csv_field() {
  local s=${1//$'\n'/ }
  if [[ $s == *[,\"]* ]]; then printf '"%s"' "${s//\"/\"\"}"; else printf '%s' "$s"; fi
}

# record_result NAME METRIC VALUE UNIT: appends one figure of this run to RESULTS_DIR/NAME.csv
# (created with its header). VALUE may carry thousands separators and a sign; an empty or
# non-numeric VALUE (a figure the script could not find in a tool's output) is reported on stderr
# and skipped, so no malformed row reaches the charts.
record_result() {
  local name=$1 metric=$2 value=${3//,/} unit=$4 file
  [ -n "$RESULTS_DIR" ] || return 0
  value=${value#+}
  case "$value" in .*) value=0$value;; -.*) value=-0${value#-};; esac
  if ! [[ $value =~ ^-?[0-9]+(\.[0-9]+)?$ ]]; then
    echo "record_result: no figure for $name $metric ('$3'): not recorded" >&2
    return 0
  fi
  file=$RESULTS_DIR/$name.csv
  mkdir -p "$RESULTS_DIR"
  [ -s "$file" ] || echo "run,metric,value,unit,date,build,command" > "$file"
  echo "$(csv_field "$RESULT_RUN"),$metric,$value,$(csv_field "$unit"),$RESULT_DATE,$(csv_field "$RESULT_BUILD"),$(csv_field "$RESULT_COMMAND")" >> "$file"
}
