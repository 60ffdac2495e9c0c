package dev.profileengine.profile;

/** What a profile decides about one incoming event before anything is persisted. */
public sealed interface Admission {
  /** New and in time: will be persisted and applied. */
  record Accept() implements Admission {}

  /** Its id was applied before: changes nothing. */
  record Duplicate() implements Admission {}

  /** Not applied, for {@code reason} (e.g. {@code too_late}, or a field error); {@code detail} explains. */
  record Reject(String reason, String field, String detail) implements Admission {}

  /** Stamped before the user was forgotten (a retried old batch): not applied. */
  record Forgotten(String detail) implements Admission {}

  Accept ACCEPT = new Accept();
  Duplicate DUPLICATE = new Duplicate();
  String TOO_LATE = "too_late";
}
