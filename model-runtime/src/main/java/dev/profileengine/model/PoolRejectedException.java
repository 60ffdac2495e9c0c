package dev.profileengine.model;

/**
 * The inference pool refused a request without running it. {@link Reason#QUEUE_FULL} is
 * back-pressure (retry later or keep the previous prediction); {@link Reason#CLOSED} means the
 * pool is shutting down.
 */
public final class PoolRejectedException extends ModelStoreException {
  public enum Reason { QUEUE_FULL, CLOSED }

  private final Reason reason;

  public PoolRejectedException(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
