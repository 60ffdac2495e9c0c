package dev.profileengine.gateway.grpc;

import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.profileengine.engine.profiles.DecodedEvent;
import dev.profileengine.gateway.wire.EventIdentity;
import dev.profileengine.gateway.wire.EventJson;
import dev.profileengine.gateway.wire.IdentityWire;
import dev.profileengine.grpc.Event;
import dev.profileengine.grpc.EventResult;
import dev.profileengine.profile.BehaviorEvent;
import dev.profileengine.profile.BehaviorType;
import dev.profileengine.profile.EventContext;
import dev.profileengine.profile.EventValidation;
import dev.profileengine.profile.FieldError;
import dev.profileengine.profile.identity.IdentityClaim;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** Protobuf events to domain events and domain results to protobuf, with the JSON API's field names in errors. */
final class EventProto {
  private EventProto() {}

  static DecodedEvent decode(Event e, Function<IdentityClaim, IdentityClaim.Resolved> resolver) {
    List<FieldError> errors = new ArrayList<>(0);
    String eventId = blankToNull(e.getEventId());
    BehaviorType type = null;
    if (!e.getType().isEmpty()) {
      type = BehaviorType.fromWire(e.getType()).orElse(null);
      if (type == null) {
        String shown = e.getType().length() > 40 ? e.getType().substring(0, 40) + "..." : e.getType();
        errors.add(new FieldError("type", "unknown behavior type '" + shown + "': expected one of " + BehaviorType.wireNames()));
      }
    }
    // Two different instants for one event: refused rather than one of them picked silently.
    if (!e.getTimestampIso().isEmpty() && e.getTimestampMs() != 0) {
      errors.add(new FieldError("timestamp", "set timestamp_ms or timestamp_iso, not both"));
    }
    Instant timestamp = !e.getTimestampIso().isEmpty()
        ? EventJson.timestamp(TextNode.valueOf(e.getTimestampIso()), errors)
        : e.getTimestampMs() != 0 ? EventJson.timestamp(LongNode.valueOf(e.getTimestampMs()), errors) : null;
    Integer quantity = e.hasQuantity() ? EventValidation.intField("quantity", e.getQuantity().getValue(), 1, EventValidation.MAX_QUANTITY, errors) : null;
    Integer pageDepth = e.hasPageDepth()
        ? EventValidation.intField("pageDepth", e.getPageDepth().getValue(), 0, EventValidation.MAX_PAGE_DEPTH, errors) : null;
    FieldError badTypes = IdentityWire.typeNames(e.getIdentitiesMap().keySet());
    if (badTypes != null) errors.add(badTypes);
    if (!errors.isEmpty()) return DecodedEvent.unreadable(eventId, errors);
    EventContext context = null;
    if (e.hasContext()) {
      var c = e.getContext();
      context = new EventContext(blankToNull(c.getDevice()), blankToNull(c.getOs()), blankToNull(c.getChannel()),
          blankToNull(c.getCountry()), blankToNull(c.getCity()), blankToNull(c.getNetwork()));
    }
    BehaviorEvent event = new BehaviorEvent(eventId, blankToNull(e.getUserId()), type, timestamp,
        blankToNull(e.getItemId()), blankToNull(e.getCategoryId()), blankToNull(e.getBrand()),
        e.hasPrice() ? e.getPrice().getValue() : null, quantity, blankToNull(e.getQuery()),
        e.hasDwellMs() ? e.getDwellMs().getValue() : null, pageDepth, context);
    return EventIdentity.decoded(event, blankToNull(e.getAnonymousId()), e.getIdentitiesMap(), resolver);
  }

  static EventResult result(dev.profileengine.profile.EventResult r) {
    EventResult.Builder b = EventResult.newBuilder().setStatus(r.status());
    if (r.eventId() != null) b.setEventId(r.eventId());
    if (r.reason() != null) b.setReason(r.reason());
    if (r.field() != null) b.setField(r.field());
    if (r.detail() != null) b.setDetail(r.detail());
    return b.build();
  }

  private static String blankToNull(String s) {
    return s == null || s.isEmpty() ? null : s;
  }

}
