package dev.profileengine.engine.profiles;

/** What a {@link Profiles} call came to: done with a value, no such profile, or refused (and why). */
public sealed interface Outcome<T> permits Outcome.Ok, Outcome.NotFound, Outcome.Refused {
  record Ok<T>(T value) implements Outcome<T> {}

  record NotFound<T>() implements Outcome<T> {}

  record Refused<T>(Refusal refusal) implements Outcome<T> {}

  static <T> Outcome<T> refused(Refusal.Reason reason, String field, String message, long retryAfterSeconds) {
    return new Refused<>(new Refusal(reason, field, message, retryAfterSeconds));
  }
}
