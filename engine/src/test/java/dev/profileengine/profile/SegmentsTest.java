package dev.profileengine.profile;

import static dev.profileengine.profile.Events.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.profileengine.engine.EngineSettings;
import dev.profileengine.engine.TestSettings;
import dev.profileengine.profile.segment.Segment;
import dev.profileengine.profile.segment.SegmentDefinitions;
import dev.profileengine.profile.segment.SegmentFacts;
import dev.profileengine.profile.segment.SegmentRule;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The demo segments of engine-profile.conf against real folded profiles. */
class SegmentsTest {
  private static final Config CONF = TestSettings.engineConfig();
  private static final EngineSettings E = EngineSettings.from(CONF);
  private static final ProfileSettings S = E.profile();

  private static Set<String> members(ProfileState p) {
    return E.segments().evaluate(ProfileFacts.of(p, S, null), true);
  }

  private static ProfileState fold(List<BehaviorEvent> events) {
    return Events.fold(S, events.toArray(BehaviorEvent[]::new));
  }

  private static List<BehaviorEvent> purchases(int n, Instant from) {
    List<BehaviorEvent> out = new ArrayList<>();
    for (int i = 0; i < n; i++) out.add(Events.purchase("p" + i, from.plus(Duration.ofDays(i)), 10, 1));
    return out;
  }

  @Test
  void theDemoSegmentsAreConfigured() {
    assertEquals(List.of("abandoned-cart", "category-lover-4756105", "frequent-buyers", "high-churn-risk", "likely-buyers", "rfm-champions"),
        E.segments().segments().stream().map(Segment::id).toList());
    assertEquals(List.of("likely-buyers"), E.segments().segments().stream().filter(Segment::ads).map(Segment::id).toList());
  }

  @Test
  void frequentBuyers() {
    assertTrue(members(fold(purchases(3, T0))).contains("frequent-buyers"));
    assertFalse(members(fold(purchases(2, T0))).contains("frequent-buyers"));
    List<BehaviorEvent> longAgo = purchases(3, T0);
    longAgo.add(Events.view("now", T0.plus(Duration.ofDays(40)), "c"));
    assertFalse(members(fold(longAgo)).contains("frequent-buyers"), "the purchases left the 30d window");
  }

  @Test
  void abandonedCart() {
    assertTrue(members(Events.fold(S, Events.cart("k", T0))).contains("abandoned-cart"));
    assertFalse(members(Events.fold(S, Events.cart("k", T0), Events.purchase("p", T0.plusSeconds(600), 10, 1))).contains("abandoned-cart"));
    assertFalse(members(Events.fold(S, Events.cart("k", T0), Events.view("v", T0.plus(Duration.ofDays(2)), "c")))
        .contains("abandoned-cart"), "the cart is older than 24h");
  }

  @Test
  void rfmChampions() {
    assertTrue(members(fold(purchases(5, T0))).contains("rfm-champions"), "5 orders, the last one just now: R5F4");
    assertFalse(members(fold(purchases(1, T0))).contains("rfm-champions"), "a new customer");
    assertFalse(members(Events.fold(S, Events.view("v", T0, "c"))).contains("rfm-champions"), "no purchases, no RFM");
  }

  @Test
  void categoryLover() {
    ProfileState lover = Events.fold(S, Events.view("a", T0, "4756105"), Events.view("b", T0.plusSeconds(60), "4756105"),
        Events.view("c", T0.plusSeconds(120), "4756105"), Events.view("d", T0.plusSeconds(180), "2355072"));
    assertTrue(members(lover).contains("category-lover-4756105"));
    ProfileState browser = Events.fold(S, Events.view("a", T0, "4756105"), Events.view("b", T0.plusSeconds(60), "2355072"),
        Events.view("c", T0.plusSeconds(120), "982926"));
    assertFalse(members(browser).contains("category-lover-4756105"));
  }

  @Test
  void highChurnRiskNeedsAReadingTimeAfterTheSilence() {
    ProfileState p = ChurnRiskTest.daily(20);
    assertFalse(members(p).contains("high-churn-risk"), "as of the latest event the user is active");
    Instant monthLater = Instant.ofEpochMilli(p.lastEventMillis()).plus(Duration.ofDays(30));
    assertTrue(E.segments().evaluate(ProfileFacts.of(p, S, monthLater), true).contains("high-churn-risk"));
  }

  @Test
  void likelyBuyersIsAnAdsAudience() {
    ProfileState p = Events.fold(S, Events.view("a", T0, "c"));
    ProfileState likely = p.withPrediction(ChurnRiskTest.prediction(p, 0.3, 0.1));
    assertTrue(members(likely).contains("likely-buyers"));
    assertFalse(E.segments().evaluate(ProfileFacts.of(likely, S, null), false).contains("likely-buyers"), "no ads consent");
    assertFalse(members(p.withPrediction(ChurnRiskTest.prediction(p, 0.1, 0.1))).contains("likely-buyers"));
    assertFalse(members(p).contains("likely-buyers"), "no prediction yet");
  }

  @Test
  void factsOfAFoldedProfile() {
    ProfileState p = Events.fold(S,
        Events.at(Events.view("a", T0, "4756105"), "CN", "Beijing"),
        Events.purchase("b", T0.plusSeconds(60), 25, 2),
        Events.at(Events.view("c", T0.plus(Duration.ofHours(1)), "4756105"), "US", "New York"))
        .withAttributes(Map.of("vip", true, "tier", 3));
    SegmentFacts f = ProfileFacts.of(p, S, T0.plus(Duration.ofDays(2)));
    assertEquals(2L, value(f, "counts.lifetime.view"));
    assertEquals(0L, value(f, "counts.24h.view"), "read two days later");
    assertEquals(3L, value(f, "eventCount"));
    assertEquals(2L, value(f, "sessions.count"));
    assertEquals("c1", value(f, "interest.topCategory"), "a purchase weighs 6 views");
    assertEquals(0.0, value(f, "interest.brand.nope"));
    assertEquals(50.0, value(f, "spend.total"));
    assertEquals(1L, value(f, "spend.orders"));
    assertEquals(4, value(f, "rfm.r"));
    assertEquals("new", value(f, "rfm.segment"));
    assertEquals(2 - 1 / 24.0, (Double) value(f, "recency.days"), 1e-9);
    assertEquals("US", value(f, "context.country"));
    assertEquals(true, value(f, "attributes.vip"));
    assertEquals(3, value(f, "attributes.tier"));
    assertEquals(0.0, value(f, "prediction.purchase"), "no prediction");
    assertEquals(false, value(f, "flags.impossible_travel"), "raised an hour after T0, cleared 24h later");
    assertEquals(true, value(ProfileFacts.of(p, S, null), "flags.impossible_travel"));
    assertEquals(true, value(ProfileFacts.of(p, S, null), "flags"));
    assertTrue((Double) value(f, "churn.risk") > 0);
    assertNull(value(f, "counts.2h.view"), "unknown leaves are null");
    assertNull(value(f, "flags.nope"));
    assertNull(value(f, "prediction.nope"));
    assertNull(value(f, "spend"));
    assertTrue(SegmentRule.parse("context.country in [\"US\", \"CA\"] and not flags.cart_without_purchase").matches(f));
    assertFalse(SegmentRule.parse("counts.2h.view != 1").matches(f), "null fails != too");
  }

  private static Object value(SegmentFacts f, String path) {
    return f.value(((SegmentRule.Truthy) SegmentRule.parse(path)).path());
  }

  @Test
  void fingerprintFollowsRulesNotDescriptionsOrSpacing() {
    Map<String, Object> a = new LinkedHashMap<>();
    a.put("x", Map.of("rule", "counts.1h.cart >= 1 and counts.1h.purchase == 0", "description", "one"));
    Map<String, Object> b = new LinkedHashMap<>();
    b.put("x", Map.of("rule", "(counts.1h.cart>=1) and counts.1h.purchase==0", "description", "two"));
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("x", Map.of("rule", "counts.1h.cart >= 2 and counts.1h.purchase == 0"));
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("x", Map.of("rule", "counts.1h.cart >= 1 and counts.1h.purchase == 0", "ads", true));
    String fa = SegmentDefinitions.parse(a).fingerprint();
    assertEquals(16, fa.length());
    assertEquals(fa, SegmentDefinitions.parse(b).fingerprint());
    assertNotEquals(fa, SegmentDefinitions.parse(c).fingerprint());
    assertNotEquals(fa, SegmentDefinitions.parse(d).fingerprint());
    assertEquals(E.segments().fingerprint(), EngineSettings.from(CONF).segments().fingerprint(), "stable");
  }

  private static String failure(String hocon) {
    Config bad = ConfigFactory.parseString(hocon).withFallback(CONF).resolve();
    return assertThrows(IllegalArgumentException.class, () -> EngineSettings.from(bad)).getMessage();
  }

  @Test
  void badDefinitionsFailFastNamingTheSegment() {
    assertEquals("segment 'broken': rule \"counts.1h.cart >=\": column 18: expected a literal (number, \"string\", true, false or null)"
        + " but found end of rule", failure("profile.segments.broken.rule = \"counts.1h.cart >=\""));
    assertTrue(failure("profile.segments.unknown-root.rule = \"orders.count > 1\"")
        .startsWith("segment 'unknown-root': rule \"orders.count > 1\": column 1: expected a path root (counts"));
    assertEquals("segment 'Bad_Id': the id must be lower-case kebab (a-z, 0-9, single dashes)",
        failure("profile.segments.Bad_Id.rule = \"flags\""));
    assertEquals("segment 'no-rule': 'rule' must be a non-empty string", failure("profile.segments.no-rule.description = \"x\""));
    assertEquals("segment 'typo': unknown key 'rules', expected rule, description or ads",
        failure("profile.segments.typo { rule = \"flags\", rules = \"flags\" }"));
    assertEquals("segment 'ads': 'ads' must be true or false, got yes", failure("profile.segments.ads { rule = \"flags\", ads = yes }"));
    assertEquals("segment 'flat': expected an object {rule, description, ads}, got flags", failure("profile.segments.flat = flags"));
  }

  @Test
  void badChurnAndRiskSettingsFailFast() {
    assertEquals("profile.churn.prediction-weight must be within 0..1, got 2.0", failure("profile.churn.prediction-weight = 2"));
    assertEquals("profile.risk.outlier.min-purchases must be >= 2, got 1", failure("profile.risk.outlier.min-purchases = 1"));
  }
}
