package dev.profileengine.engine.profiles;

import dev.profileengine.profile.BehaviorEvent;
import dev.profileengine.profile.FieldError;
import java.util.List;

/**
 * One event as a protocol decoded it (JSON, protobuf): the event, or the fields that could not be
 * read and whatever id could be, for the event's result. {@link Profiles#record} validates the
 * decoded ones (the domain's rules) and reports every event on its own.
 */
public record DecodedEvent(BehaviorEvent event, String eventId, List<FieldError> errors) {
  public DecodedEvent {
    errors = List.copyOf(errors);
  }

  public static DecodedEvent of(BehaviorEvent event) {
    return new DecodedEvent(event, event.eventId(), List.of());
  }

  public static DecodedEvent unreadable(String eventId, List<FieldError> errors) {
    return new DecodedEvent(null, eventId, errors);
  }

  public boolean ok() {
    return errors.isEmpty();
  }
}
