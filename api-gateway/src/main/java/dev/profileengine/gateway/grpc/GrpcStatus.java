package dev.profileengine.gateway.grpc;

import dev.profileengine.engine.profiles.Refusal;
import dev.profileengine.gateway.auth.AccessControl;
import io.grpc.Status;

/** The one mapping of refusals to gRPC: access denials and the facade's refusal reasons to status codes. */
final class GrpcStatus {
  private GrpcStatus() {}

  static Status of(AccessControl.Decision.Denied no) {
    Status status = switch (no.reason()) {
      case FORBIDDEN -> Status.PERMISSION_DENIED;
      case RATE_LIMITED -> Status.RESOURCE_EXHAUSTED;
      case UNAUTHORIZED -> Status.UNAUTHENTICATED;
    };
    return status.withDescription(no.message());
  }

  /** The status of a refusal, described "field: message" like HTTP's 4xx/5xx body. */
  static Status of(Refusal refusal) {
    Status status = switch (refusal.reason()) {
      case OVERLOADED, TIMED_OUT, UNAVAILABLE -> Status.UNAVAILABLE;
      case INVALID -> Status.INVALID_ARGUMENT;
      case CONFLICT -> Status.FAILED_PRECONDITION;
      case DISABLED -> Status.UNIMPLEMENTED;
      case NOT_LINKED, UNKNOWN -> Status.NOT_FOUND;
      case SUBSCRIBERS_PER_NODE, SUBSCRIBERS_PER_KEY -> Status.RESOURCE_EXHAUSTED;
    };
    return status.withDescription(refusal.field() == null ? refusal.message() : refusal.field() + ": " + refusal.message());
  }
}
