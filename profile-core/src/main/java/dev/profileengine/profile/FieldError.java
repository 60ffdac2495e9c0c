package dev.profileengine.profile;

/** Why one field of one event is unacceptable: the field's JSON name and a reason a person can act on. */
public record FieldError(String field, String reason) {
  @Override
  public String toString() {
    return field + ": " + reason;
  }
}
