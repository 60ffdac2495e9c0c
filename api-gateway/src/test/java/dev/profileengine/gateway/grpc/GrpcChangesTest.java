package dev.profileengine.gateway.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.google.protobuf.NullValue;
import dev.profileengine.engine.changes.ProfileChange;
import dev.profileengine.grpc.ProfileChange.ChangeCase;
import dev.profileengine.profile.BehaviorType;
import dev.profileengine.profile.Consent;
import dev.profileengine.profile.ProfilePrediction;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every typed change fills its own case of the gRPC oneof, named as its cause. */
class GrpcChangesTest {
  private static dev.profileengine.grpc.ProfileChange proto(ProfileChange change) {
    var b = dev.profileengine.grpc.ProfileChange.newBuilder();
    GrpcChanges.fill(b, change);
    return b.build();
  }

  @Test
  void eachCauseHasItsCase() {
    Map<ProfileChange, ChangeCase> cases = Map.of(
        new ProfileChange.BehaviorApplied("e1", BehaviorType.VIEW, Instant.EPOCH, null, null, null, null), ChangeCase.EVENT,
        new ProfileChange.Acknowledged("e2"), ChangeCase.ACKNOWLEDGED,
        new ProfileChange.AttributesChanged(Map.of("tier", "gold")), ChangeCase.ATTRIBUTES,
        new ProfileChange.PredictionChanged("m", 0, null, Map.of(), null, List.of()), ChangeCase.PREDICTION,
        new ProfileChange.ConsentChanged(Map.of(Consent.Purpose.ADS, false)), ChangeCase.CONSENT,
        new ProfileChange.SegmentsChanged(List.of("a"), List.of(), List.of("a")), ChangeCase.SEGMENTS,
        new ProfileChange.Forgotten(), ChangeCase.FORGOTTEN);
    cases.forEach((change, expected) -> {
      assertEquals(expected, proto(change).getChangeCase(), change.toString());
      assertEquals(expected.name().toLowerCase(java.util.Locale.ROOT), change.cause(), "the case is named as the cause");
    });
    assertEquals(ChangeCase.CHANGE_NOT_SET, proto(new ProfileChange.Other()).getChangeCase());
  }

  @Test
  void aBehaviorWithoutPriceHasNoAmount() {
    var e = proto(new ProfileChange.BehaviorApplied("e1", BehaviorType.VIEW, Instant.ofEpochMilli(1234), null, null, null, null)).getEvent();
    assertEquals("view", e.getType());
    assertEquals(1234, e.getEventTimeMs());
    assertFalse(e.hasAmount());
  }

  @Test
  void attributesKeepTheirJsonTypes() {
    Map<String, Object> attrs = new HashMap<>();
    attrs.put("tier", "gold");
    attrs.put("age", 31);
    attrs.put("vip", true);
    attrs.put("gone", null);
    var a = proto(new ProfileChange.AttributesChanged(attrs)).getAttributes().getAttributesMap();
    assertEquals("gold", a.get("tier").getStringValue());
    assertEquals(31.0, a.get("age").getNumberValue());
    assertEquals(true, a.get("vip").getBoolValue());
    assertEquals(NullValue.NULL_VALUE, a.get("gone").getNullValue());
  }

  @Test
  void predictionAndConsent() {
    var p = proto(new ProfileChange.PredictionChanged("m-3", 12, "e12", Map.of("view", 0.7), "view",
        List.of(new ProfilePrediction.Category("c1", 0.4)))).getPrediction();
    assertEquals("m-3", p.getModelVersion());
    assertEquals(12, p.getAsOfEventCount());
    assertEquals("e12", p.getAsOfEventId());
    assertEquals(0.7, p.getNextBehaviorOrThrow("view"));
    assertEquals("view", p.getPredictedBehavior());
    assertEquals("c1", p.getNextCategories(0).getId());
    assertEquals(0.4, p.getNextCategories(0).getProbability());

    var c = proto(new ProfileChange.ConsentChanged(Map.of(Consent.Purpose.ANALYTICS, true, Consent.Purpose.ADS, false))).getConsent();
    assertEquals(Map.of("analytics", true, "ads", false), c.getPurposesMap());
  }
}
