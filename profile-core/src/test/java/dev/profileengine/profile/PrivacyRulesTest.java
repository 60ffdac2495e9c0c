package dev.profileengine.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** PII handling and consent as pure functions. */
class PrivacyRulesTest {
  private static final EventContext CTX = new EventContext("phone", "ios", "app", "CN", "Hangzhou", "wifi");

  private static BehaviorEvent search() {
    return new BehaviorEvent("e1", "u1", BehaviorType.SEARCH, Events.T0, null, null, null, null, null, "red shoes", null, null, CTX);
  }

  @Test
  void hashesDropsAndKeepsFieldByField() {
    PiiPolicy policy = new PiiPolicy(Map.of(PiiPolicy.Field.CITY, PiiPolicy.Action.HASH, PiiPolicy.Field.QUERY, PiiPolicy.Action.DROP,
        PiiPolicy.Field.DEVICE, PiiPolicy.Action.DROP), "s3cret");
    BehaviorEvent stored = policy.apply(search());
    // HMAC-SHA256 keyed by the salt, full width: printf Hangzhou | openssl dgst -sha256 -hmac s3cret
    assertEquals("h:cee4c4530548c192778e9dc8b1ae302077bd6db7ee60ce37f797dcde0c88cda2", stored.context().city());
    assertNull(stored.query());
    assertNull(stored.context().device());
    assertEquals("CN", stored.context().country());
    assertEquals("ios", stored.context().os());
    assertEquals("e1", stored.eventId());
    assertEquals(stored.context().city(), policy.apply(search()).context().city(), "equal values hash equally");
    PiiPolicy otherSalt = new PiiPolicy(Map.of(PiiPolicy.Field.CITY, PiiPolicy.Action.HASH), "pepper");
    assertNotEquals(stored.context().city(), otherSalt.apply(search()).context().city(), "the salt changes every hash");
  }

  @Test
  void keepAllReturnsTheEventItself() {
    BehaviorEvent e = search();
    assertSame(e, PiiPolicy.KEEP_ALL.apply(e));
    assertThrows(IllegalArgumentException.class, () -> PiiPolicy.Field.parse("email"));
    assertThrows(IllegalArgumentException.class, () -> PiiPolicy.Action.parse("encrypt"));
  }

  @Test
  void consentFallsBackToDefaultsAndOverlaysChoices() {
    Consent.ConsentDefaults defaults = new Consent.ConsentDefaults(true, true, false);
    Consent c = Consent.NONE;
    assertTrue(c.granted(Consent.Purpose.PERSONALIZATION, defaults));
    assertFalse(c.granted(Consent.Purpose.ADS, defaults));
    Instant at = Instant.parse("2026-01-01T00:00:00Z");
    Consent next = c.with(Map.of(Consent.Purpose.ADS, true), at).with(Map.of(Consent.Purpose.ANALYTICS, false), at);
    assertEquals(Map.of("analytics", false, "personalization", true, "ads", true), next.effective(defaults));
    assertEquals(at, next.updatedAt());
    assertNull(Consent.Purpose.parse("marketing"));
  }

  @Test
  void withdrawingPersonalizationDropsThePredictionAndMakesTheProfileExist() {
    ProfileSettings s = ProfileSettings.defaults();
    ProfileState state = Events.fold(s, Events.view("v1", Events.T0, "c1"))
        .withPrediction(new ProfilePrediction("m1", 1, "v1", Map.of("view", 1.0), "view", List.of(), Events.T0));
    assertNotNull(state.prediction());
    ProfileState withdrawn = state.withConsent(Map.of(Consent.Purpose.PERSONALIZATION, false), Events.T0, s.consentDefaults());
    assertNull(withdrawn.prediction());
    assertFalse(withdrawn.allows(Consent.Purpose.PERSONALIZATION, s));
    assertFalse(withdrawn.view(null, s).consent().purposes().get("personalization"));

    ProfileState onlyConsent = ProfileState.empty("u2").withConsent(Map.of(Consent.Purpose.ADS, false), Events.T0, s.consentDefaults());
    assertTrue(onlyConsent.exists(), "a consent choice is stored data");
  }
}
