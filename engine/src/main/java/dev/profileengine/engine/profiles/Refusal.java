package dev.profileengine.engine.profiles;

/**
 * Why {@link Profiles} did not do what was asked, in protocol-neutral terms: each protocol maps a
 * {@link Reason} to its status once (HTTP status and Retry-After, gRPC status code).
 *
 * @param field what the refusal names (a request field, or the subscriber cap), or null
 * @param retryAfterSeconds when to retry (0: no advice)
 */
public record Refusal(Reason reason, String field, String message, long retryAfterSeconds) {
  public enum Reason {
    /** The node's admission bound on events or reads in flight: nothing was done, retry later. */
    OVERLOADED,
    /** The profile's entity did not answer within the ask timeout: retry (writes are idempotent or deduplicated). */
    TIMED_OUT,
    /** The profile is in a passing state (being forgotten, an erasure failed): retry. */
    UNAVAILABLE,
    /** The request's content was refused by the profile (e.g. an attribute over its limits). */
    INVALID,
    /** The feature asked for is switched off on this node (e.g. identity resolution). */
    DISABLED,
    /** A link the identity rules refuse (two values of a unique type, too many identities): nothing changed. */
    CONFLICT,
    /** An unmerge names an identity that is not linked to the profile: nothing changed. */
    NOT_LINKED,
    /** The node serves its most change-stream subscribers ({@code max-subscribers}). */
    SUBSCRIBERS_PER_NODE,
    /** The caller holds its most change-stream subscriptions on this node ({@code max-subscribers-per-key}). */
    SUBSCRIBERS_PER_KEY,
    /** The request names something this node does not have (a segment): nothing was done. */
    UNKNOWN
  }

  static Refusal timedOut() {
    return new Refusal(Reason.TIMED_OUT, null, "the profile did not answer in time: retry", 1);
  }
}
