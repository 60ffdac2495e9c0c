package dev.profileengine.profile;

import static dev.profileengine.profile.Events.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Every part of a profile a client can grow stops at its cap, deterministically. */
class ProfileCapsTest {
  private static final ProfileSettings S = ProfileSettings.defaults();
  private static final AttributeLimits LIMITS = new AttributeLimits(10, 200, 16, 32);

  private static Map<String, Object> numbered(int from, int to) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = from; i < to; i++) m.put("k" + i, (long) i);
    return m;
  }

  @Test
  void attributeCountStopsAtTheCapAndRemovalsMakeRoom() {
    Map<String, Object> ten = numbered(0, 10);
    assertNull(LIMITS.check(Map.of(), ten));
    FieldError over = LIMITS.check(ten, Map.of("k10", 1L));
    assertNotNull(over);
    assertEquals("attributes", over.field());
    assertTrue(over.reason().contains("at most 10 attributes"), over.reason());
    assertNull(LIMITS.check(ten, Map.of("k0", 5L)), "replacing a value keeps the count");
    Map<String, Object> swap = new HashMap<>();
    swap.put("k0", null);
    swap.put("k10", 1L);
    assertNull(LIMITS.check(ten, swap), "a removal in the same write makes room");
  }

  @Test
  void attributeBytesStopAtTheCap() {
    Map<String, Object> current = Map.of("a", "x".repeat(30), "b", "y".repeat(30), "c", "z".repeat(30),
        "d", "w".repeat(30), "e", "v".repeat(30), "f", "u".repeat(30));
    assertEquals(186, AttributeLimits.bytes(current));
    FieldError over = LIMITS.check(current, Map.of("g", "0123456789abcd"));
    assertNotNull(over);
    assertEquals("attributes", over.field());
    assertTrue(over.reason().contains("at most 200 bytes"), over.reason());
    assertNull(LIMITS.check(current, Map.of("g", "0123456789abc")), "exactly at the cap");
    assertEquals(2, AttributeLimits.bytes(Map.of("é", "")), "counted as UTF-8");
  }

  @Test
  void attributeNamesAndValuesAreBounded() {
    assertEquals("attributes.k", LIMITS.check(Map.of(), Map.of("k", "x".repeat(33))).field());
    assertNull(LIMITS.check(Map.of(), Map.of("k", "x".repeat(32))));
    assertEquals("attributes", LIMITS.check(Map.of(), Map.of("n".repeat(17), 1L)).field());
    assertEquals("attributes.k", LIMITS.check(Map.of(), Map.of("k", Map.of("nested", 1))).field(), "scalars only");
    assertEquals("attributes.k", LIMITS.check(Map.of(), Map.of("k", Double.NaN)).field());
    assertNull(LIMITS.check(Map.of(), Map.of("k", "line 1\nline 2")), "a value is free text: line breaks pass");
    assertEquals(new FieldError("attributes.k", TextChecks.UNPAIRED_SURROGATE), LIMITS.check(Map.of(), Map.of("k", "\n\ud800")));
    assertEquals(new FieldError("attributes.k\u0001", "attribute names must not contain control characters"),
        LIMITS.check(Map.of(), Map.of("k\u0001", 1L)));
    assertEquals(new FieldError("attributes", "attribute names " + TextChecks.UNPAIRED_SURROGATE), LIMITS.check(Map.of(), Map.of("k\ud800", 1L)));
  }

  @Test
  void contextDistributionsKeepTopKValuesAndCountTheRestAsOther() {
    ProfileState p = ProfileState.empty("u1");
    Random r = new Random(7);
    for (int i = 0; i < 500; i++) {
      String v = "v" + r.nextInt(1000);
      BehaviorEvent e = Events.event("e" + i, BehaviorType.VIEW, T0.plusSeconds(i))
          .withBrowsing(null, null, null, new EventContext(v, v, v, v, v, v));
      p = p.apply(e, S);
    }
    for (Map<String, Long> d : p.context().view().distribution().values()) {
      assertEquals(S.contextTopK() + 1, d.size(), "top-K values and other: " + d);
      assertEquals(500, d.values().stream().mapToLong(Long::longValue).sum(), "every event counted once");
    }
  }

  @Test
  void rememberedIdsRecentBehaviorsAndInterestsAreCapped() {
    ProfileSettings s = S.withMaxRememberedIds(100);
    ProfileState p = ProfileState.empty("u1");
    for (int i = 0; i < 1000; i++) {
      // All inside the lateness horizon: only the id cap bounds the remembered ids.
      BehaviorEvent e = Events.view("e" + i, T0.plusMillis(i), "c" + i).withPurchase("b" + i, null, null);
      assertTrue(p.admit(e, s) instanceof Admission.Accept);
      p = p.apply(e, s);
    }
    assertEquals(100, p.seen().size());
    assertEquals(s.recentBehaviors(), p.recentBehaviors().size());
    assertEquals(s.interestTopK(), p.categories().keys().length);
    assertEquals(s.interestTopK(), p.brands().keys().length);
    // The documented consequence of the id cap: an event not newer than the forgotten ids is refused.
    assertTrue(p.admit(Events.view("old", T0.plusMillis(5), "c"), s) instanceof Admission.Reject);
  }
}
