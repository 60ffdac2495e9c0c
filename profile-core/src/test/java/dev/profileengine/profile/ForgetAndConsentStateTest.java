package dev.profileengine.profile;

import static dev.profileengine.profile.Events.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The pure rules behind forget's tombstone and the analytics consent. */
class ForgetAndConsentStateTest {
  private static final ProfileSettings S = ProfileSettings.defaults();

  @Test
  void theTombstoneRefusesEventsStampedBeforeTheForgetAndAcceptsLaterOnes() {
    ProfileState tomb = ProfileState.forgotten("u1", T0.toEpochMilli());
    assertFalse(tomb.exists());
    assertFalse(tomb.changedSinceForgotten());
    Admission old = tomb.admit(Events.view("old", T0.minusMillis(1), "c"), S);
    assertTrue(old instanceof Admission.Forgotten, old.toString());
    assertEquals("forgotten", EventResult.of("old", old).status());
    assertTrue(tomb.admit(Events.view("new", T0, "c"), S) instanceof Admission.Accept);
    ProfileState fresh = tomb.apply(Events.view("new", T0, "c"), S).changed();
    assertEquals(1, fresh.eventCount());
    assertTrue(fresh.changedSinceForgotten());
    assertTrue(fresh.admit(Events.view("old2", T0.minusSeconds(1), "c"), S) instanceof Admission.Forgotten,
        "still refused, though within the allowed lateness of the fresh profile");
    assertEquals(ProfileState.empty("u1"), ProfileState.empty("u1").changed(), "never forgotten: nothing to mark");
  }

  @Test
  void aSnapshotWrittenBeforeTheTombstoneFieldsLoadsAsNeverForgotten() throws Exception {
    ObjectMapper json = new ObjectMapper().registerModule(new JavaTimeModule())
        .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    ObjectNode tree = json.valueToTree(Events.fold(S, Events.view("a", T0, "c")));
    tree.remove("forgottenMillis");
    tree.remove("changedSinceForgotten");
    ProfileState old = json.treeToValue(tree, ProfileState.class);
    assertEquals(0, old.forgottenMillis());
    assertTrue(old.admit(Events.view("b", T0.plusSeconds(1), "c"), S) instanceof Admission.Accept);
  }

  @Test
  void withdrawingAnalyticsDropsTheBehaviorDataAndKeepsTheRest() {
    ProfileState p = Events.fold(S, Events.view("a", T0, "c1"), Events.purchase("b", T0.plusSeconds(5), 10, 1))
        .withAttributes(Map.of("tier", "gold"));
    ProfileState off = p.withConsent(Map.of(Consent.Purpose.ANALYTICS, false), T0.plusSeconds(10), S.consentDefaults());
    ProfileView v = off.view(null, S);
    assertEquals(0, v.eventCount());
    assertTrue(v.recent().isEmpty() && v.interests().categories().isEmpty() && v.interests().brands().isEmpty());
    assertEquals(0, v.spend().orders());
    assertNull(off.prediction());
    assertEquals("gold", v.attributes().get("tier"));
    assertFalse(v.consent().purposes().get("analytics"));
    assertTrue(off.seen().contains("a"), "the remembered ids stay: exactly-once holds across the withdrawal");

    ProfileState acked = off.acknowledged("c", T0.plusSeconds(20).toEpochMilli(), S);
    assertEquals(0, acked.eventCount(), "an acknowledged event is not profiled");
    assertTrue(acked.admit(Events.view("c", T0.plusSeconds(20), "c1"), S) instanceof Admission.Duplicate);

    ProfileState on = acked.withConsent(Map.of(Consent.Purpose.ANALYTICS, true), T0.plusSeconds(30), S.consentDefaults());
    assertEquals(1, on.apply(Events.view("d", T0.plus(Duration.ofMinutes(1)), "c1"), S).eventCount(), "later events are profiled again");
  }
}
