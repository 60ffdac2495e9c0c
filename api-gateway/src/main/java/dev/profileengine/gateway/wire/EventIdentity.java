package dev.profileengine.gateway.wire;

import dev.profileengine.engine.profiles.DecodedEvent;
import dev.profileengine.profile.BehaviorEvent;
import dev.profileengine.profile.FieldError;
import dev.profileengine.profile.Identity;
import dev.profileengine.profile.identity.IdentityClaim;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Which profile an event is about when it names identities besides (or instead of) a user id, the
 * one rule for JSON and protobuf events: a user id keys the event as always; without one an
 * anonymous id does ({@code ~anonymousId:<value>}); the identities it names together are linked
 * before it is recorded. Bad identities reject that event alone, naming the field.
 */
public final class EventIdentity {
  private EventIdentity() {}

  /**
   * The decoded event for {@code event} (its user id as the client sent it, or null), checked with
   * {@code resolver} (the facade's {@code resolveIdentities}) when it names other identities.
   */
  public static DecodedEvent decoded(BehaviorEvent event, String anonymousId, Map<String, String> identities,
                                     Function<IdentityClaim, IdentityClaim.Resolved> resolver) {
    String userId = event.userId();
    if (userId != null && userId.startsWith(Identity.TYPED_PREFIX)) {
      return DecodedEvent.unreadable(event.eventId(), List.of(new FieldError("userId",
          "must not start with '" + Identity.TYPED_PREFIX + "' (reserved for other identity types)")));
    }
    boolean typed = identities != null && !identities.isEmpty();
    // No other identity, or none to key the event by (validation answers "userId is required").
    if ((anonymousId == null && !typed) || (userId == null && anonymousId == null)) return new DecodedEvent(event, event.eventId(), List.of());
    IdentityClaim claim = new IdentityClaim(userId, anonymousId, identities);
    IdentityClaim.Resolved resolved = resolver.apply(claim);
    if (!resolved.ok()) return DecodedEvent.unreadable(event.eventId(), resolved.errors());
    if (userId != null) return DecodedEvent.linking(event, claim);
    BehaviorEvent anonymous = event.withUserId(Identity.anonymousId(anonymousId).key());
    return typed ? DecodedEvent.linking(anonymous, claim) : new DecodedEvent(anonymous, anonymous.eventId(), List.of());
  }
}
