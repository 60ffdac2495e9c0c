package dev.profileengine.profile;

/**
 * The per-event answer of an ingest call.
 *
 * @param status {@code accepted}, {@code duplicate}, {@code rejected}, {@code forgotten} (stamped
 *     before the user was forgotten: not applied) or {@code unconfirmed}
 * @param reason why it was rejected (null otherwise): {@code too_late}, or {@code "<field>: <why>"}
 * @param field the offending field when a field is to blame
 * @param detail more explanation when useful
 */
public record EventResult(String eventId, String status, String reason, String field, String detail) {
  public static final String ACCEPTED = "accepted";
  public static final String DUPLICATE = "duplicate";
  public static final String REJECTED = "rejected";
  /** Stamped before the user was forgotten (a retried old batch): refused, never re-applied. */
  public static final String FORGOTTEN = "forgotten";
  /** The detail of an event accepted without the user's analytics consent. */
  public static final String NOT_PROFILED = "not profiled: the user withdrew analytics consent (acknowledged and de-duplicated only)";
  /** Not known to be stored (the entity did not confirm, or asked for a retry): safe to retry. */
  public static final String UNCONFIRMED = "unconfirmed";

  public static EventResult of(String eventId, Admission admission) {
    // Java 17: type patterns in switch are still a preview feature, so instanceof it is.
    if (admission instanceof Admission.Reject r) return new EventResult(eventId, REJECTED, r.reason(), r.field(), r.detail());
    if (admission instanceof Admission.Forgotten f) return new EventResult(eventId, FORGOTTEN, FORGOTTEN, "timestamp", f.detail());
    if (admission instanceof Admission.Duplicate) return new EventResult(eventId, DUPLICATE, null, null, null);
    return new EventResult(eventId, ACCEPTED, null, null, null);
  }

  public static EventResult invalid(String eventId, java.util.List<FieldError> errors) {
    FieldError first = errors.get(0);
    String all = String.join("; ", errors.stream().map(FieldError::toString).toList());
    return new EventResult(eventId, REJECTED, all, first.field(), null);
  }
}
