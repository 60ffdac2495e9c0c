#!/bin/sh
# Entry point of the profile-engine image: java -jar profile-engine.jar "$@" (default: serve).
set -eu
# The image's model registry (copied from model-store/models) is used when it has an active
# version and PROFILE_MODELS_DIR is not set; otherwise the node uses the model packaged in the jar.
if [ -z "${PROFILE_MODELS_DIR:-}" ] && [ -f /opt/profile-engine/models/ACTIVE ]; then
  PROFILE_MODELS_DIR=/opt/profile-engine/models
  export PROFILE_MODELS_DIR
fi
# Under a CPU limit below one core, C2's compiling and recompiling takes most of the quota for
# minutes (measured: load-tests/BENCHMARKS.md, scale-out); C1 alone costs little and serves sooner.
# PROFILE_JIT=tiered keeps the JVM's default, c1 forces it.
cpu_quota_cores() {
  if [ -r ${CGROUP_ROOT:-/sys/fs/cgroup}/cpu.max ]; then
    awk '$1 != "max" { printf "%.3f", $1 / $2 }' ${CGROUP_ROOT:-/sys/fs/cgroup}/cpu.max
  elif [ -r ${CGROUP_ROOT:-/sys/fs/cgroup}/cpu/cpu.cfs_quota_us ]; then
    awk -v q="$(cat ${CGROUP_ROOT:-/sys/fs/cgroup}/cpu/cpu.cfs_quota_us)" -v p="$(cat ${CGROUP_ROOT:-/sys/fs/cgroup}/cpu/cpu.cfs_period_us)" \
      'BEGIN { if (q > 0) printf "%.3f", q / p }'
  fi
}
case "${PROFILE_JIT:-auto}" in
  c1) JIT_OPTS="-XX:TieredStopAtLevel=1" ;;
  tiered) JIT_OPTS="" ;;
  auto) JIT_OPTS=""
    quota=$(cpu_quota_cores || true)
    if [ -n "$quota" ] && awk -v q="$quota" 'BEGIN { exit !(q < 1) }'; then JIT_OPTS="-XX:TieredStopAtLevel=1"; fi ;;
  *) echo "PROFILE_JIT must be auto, c1 or tiered, not '${PROFILE_JIT}'" >&2; exit 2 ;;
esac
# exec: java is PID 1 and receives SIGTERM, which runs Akka's coordinated shutdown (shard hand-off).
exec java $JIT_OPTS -jar /opt/profile-engine/profile-engine.jar "$@"
