#!/bin/sh
# Entry point of the profile-engine image: java -jar profile-engine.jar "$@" (default: serve).
set -eu
# Where the image keeps the jars and its model registry (PROFILE_IMAGE_DIR: for tests of this script).
IMAGE_DIR=${PROFILE_IMAGE_DIR:-/opt/profile-engine}

# Copies the image registry's active version and ACTIVE into an empty registry $1 (a shared volume
# on first start). Pods starting together may seed at once: each copies into its own temporary
# directory and renames it into place; the first rename wins, the others drop their copy.
seed_registry() {
  version=$(tr -d ' \r\n' < "$IMAGE_DIR/models/ACTIVE")
  if [ -z "$version" ] || [ ! -d "$IMAGE_DIR/models/$version" ]; then
    echo "docker-entrypoint: the image's models/ACTIVE names no version, $1 not seeded" >&2
    return 0
  fi
  # (set -e does not apply inside a function called with ||: each step says when it failed.)
  mkdir -p "$1" && tmp=$(mktemp -d "$1/.seed.XXXXXX") || return 1
  if ! cp -R "$IMAGE_DIR/models/$version" "$tmp/$version" || ! printf '%s\n' "$version" > "$tmp/ACTIVE"; then
    rm -rf "$tmp"
    return 1
  fi
  [ -d "$1/$version" ] || mv -T "$tmp/$version" "$1/$version" 2>/dev/null || true
  # ln fails when ACTIVE exists (another pod wrote it); a volume without hard links gets a rename.
  ln "$tmp/ACTIVE" "$1/ACTIVE" 2>/dev/null || [ -f "$1/ACTIVE" ] || mv -f "$tmp/ACTIVE" "$1/ACTIVE" || { rm -rf "$tmp"; return 1; }
  rm -rf "$tmp"
  echo "docker-entrypoint: seeded $1 with the image's model $version" >&2
}

# The model registry: unset, the image's own (read-only) when it has an active version, else the
# model packaged in the jar. Set to a directory without ACTIVE (a fresh shared volume, see
# k8s/components/model-training): seeded with the image's active version, so the cluster serves
# the image's default model until training promotes another one.
if [ -z "${PROFILE_MODELS_DIR:-}" ]; then
  if [ -f "$IMAGE_DIR/models/ACTIVE" ]; then
    PROFILE_MODELS_DIR=$IMAGE_DIR/models
    export PROFILE_MODELS_DIR
  fi
elif [ ! -f "$PROFILE_MODELS_DIR/ACTIVE" ] && [ -f "$IMAGE_DIR/models/ACTIVE" ]; then
  # Not writable, or a failed copy: the node still starts (on the packaged model) and says why.
  seed_registry "$PROFILE_MODELS_DIR" || echo "docker-entrypoint: could not seed $PROFILE_MODELS_DIR" >&2
fi
# The model tools the feedback loop runs (POST /v1/models/train, profile.model.training.schedule).
if [ -z "${PROFILE_TRAINER_JAR:-}" ] && [ -f "$IMAGE_DIR/model-store.jar" ]; then
  PROFILE_TRAINER_JAR=$IMAGE_DIR/model-store.jar
  export PROFILE_TRAINER_JAR
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
exec java $JIT_OPTS -jar "$IMAGE_DIR/profile-engine.jar" "$@"
