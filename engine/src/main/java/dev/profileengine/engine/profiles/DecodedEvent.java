package dev.profileengine.engine.profiles;

import dev.profileengine.profile.BehaviorEvent;
import dev.profileengine.profile.FieldError;
import dev.profileengine.profile.identity.IdentityClaim;
import java.util.List;

/**
 * One event as a protocol decoded it (JSON, protobuf): the event, or the fields that could not be
 * read and whatever id could be, for the event's result. {@link Profiles#record} validates the
 * decoded ones (the domain's rules) and reports every event on its own. {@code links}, when set,
 * names identities to link before the event is recorded (null: none).
 */
public record DecodedEvent(BehaviorEvent event, String eventId, List<FieldError> errors, IdentityClaim links) {
  public DecodedEvent {
    errors = List.copyOf(errors);
  }

  public DecodedEvent(BehaviorEvent event, String eventId, List<FieldError> errors) {
    this(event, eventId, errors, null);
  }

  public static DecodedEvent of(BehaviorEvent event) {
    return new DecodedEvent(event, event.eventId(), List.of());
  }

  /**
   * An event that also names identities to link (its user id and anonymous id, or typed ones): they
   * are linked before the event is recorded, so it lands in the profile they resolve to.
   */
  public static DecodedEvent linking(BehaviorEvent event, IdentityClaim links) {
    return new DecodedEvent(event, event.eventId(), List.of(), links);
  }

  public static DecodedEvent unreadable(String eventId, List<FieldError> errors) {
    return new DecodedEvent(null, eventId, errors);
  }

  public boolean ok() {
    return errors.isEmpty();
  }
}
