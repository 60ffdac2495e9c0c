package dev.profileengine.engine.changes;

import dev.profileengine.profile.BehaviorType;
import dev.profileengine.profile.Consent;
import dev.profileengine.profile.ProfilePrediction;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What a journaled profile event changed, as the change stream tells subscribers: built once from
 * the journal by {@link ChangeFeed}, rendered to JSON (HTTP) and to typed messages (gRPC) at the
 * edges. The wire {@link #cause()} is derived from the type, here and nowhere else.
 */
public sealed interface ProfileChange {

  /** A behavior was applied to the profile. {@code amount} is null when the event has no price. */
  record BehaviorApplied(String eventId, BehaviorType type, Instant eventTime, String itemId, String categoryId, String brand,
                         Double amount) implements ProfileChange {}

  /** An event accepted without analytics consent: subscribers learn its id, nothing of the behavior. */
  record Acknowledged(String eventId) implements ProfileChange {}

  /** Attributes set by the client; values are the client's JSON values (string, number, boolean). */
  record AttributesChanged(Map<String, Object> attributes) implements ProfileChange {}

  /** A new prediction; {@code nextCategories} holds the top three only. */
  record PredictionChanged(String modelVersion, long asOfEventCount, String asOfEventId, Map<String, Double> nextBehavior,
                           String predictedBehavior, List<ProfilePrediction.Category> nextCategories) implements ProfileChange {}

  /** Consent purposes set (only those the request changed). */
  record ConsentChanged(Map<Consent.Purpose, Boolean> purposes) implements ProfileChange {}

  /** Segments entered and left, and the user's memberships after the change. */
  record SegmentsChanged(List<String> entered, List<String> left, List<String> members) implements ProfileChange {
    /** Whether the user entered or left {@code segment}. */
    public boolean touches(String segment) {
      return entered.contains(segment) || left.contains(segment);
    }
  }

  /** The user was forgotten: announced before the erasure, and again by the profile's tombstone. */
  record Forgotten() implements ProfileChange {}

  /**
   * Profiles merged: {@code merged} and its {@code identities} ({@code type:value}) belong to the
   * canonical profile {@code canonical} from now on (told by both profiles).
   */
  record Merged(String canonical, String merged, List<String> identities) implements ProfileChange {}

  /** Unmerged: {@code split} and its {@code identities} are a profile of their own again, apart from {@code canonical}. */
  record Unmerged(String canonical, String split, List<String> identities) implements ProfileChange {}

  /** A journaled event this model does not know (a newer node's); kept so offsets stay gap-free. */
  record Other() implements ProfileChange {}

  /**
   * A row the engine keeps for itself (a merge or split started, a link cancelled or blocked, an
   * identity seen with user ids): no change to a profile a subscriber could see, so never sent.
   */
  record Internal() implements ProfileChange {}

  /** The wire name of the change: {@code event}, {@code acknowledged}, {@code attributes}, ... */
  default String cause() {
    // Java 17: no pattern-matching switch yet, so an instanceof chain over the sealed types.
    if (this instanceof BehaviorApplied) return "event";
    if (this instanceof Acknowledged) return "acknowledged";
    if (this instanceof AttributesChanged) return "attributes";
    if (this instanceof PredictionChanged) return "prediction";
    if (this instanceof ConsentChanged) return "consent";
    if (this instanceof SegmentsChanged) return "segments";
    if (this instanceof Forgotten) return "forgotten";
    if (this instanceof Merged) return "merged";
    if (this instanceof Unmerged) return "unmerged";
    if (this instanceof Internal) return "internal";
    return "other";
  }

  /** The events that caused the change (the applied or acknowledged event, the prediction's last event). */
  default List<String> eventIds() {
    if (this instanceof BehaviorApplied b) return List.of(b.eventId());
    if (this instanceof Acknowledged a) return List.of(a.eventId());
    if (this instanceof PredictionChanged p && p.asOfEventId() != null) return List.of(p.asOfEventId());
    return List.of();
  }
}
