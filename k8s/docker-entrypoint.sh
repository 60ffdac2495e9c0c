#!/bin/sh
# Entry point of the profile-engine image: java -jar profile-engine.jar "$@" (default: serve).
set -eu
# The image's model registry (copied from model-store/models) is used when it has an active
# version and PROFILE_MODELS_DIR is not set; otherwise the node uses the model packaged in the jar.
if [ -z "${PROFILE_MODELS_DIR:-}" ] && [ -f /opt/profile-engine/models/ACTIVE ]; then
  PROFILE_MODELS_DIR=/opt/profile-engine/models
  export PROFILE_MODELS_DIR
fi
# exec: java is PID 1 and receives SIGTERM, which runs Akka's coordinated shutdown (shard hand-off).
exec java -jar /opt/profile-engine/profile-engine.jar "$@"
