package dev.profileengine.profile.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.profileengine.profile.Identity;
import dev.profileengine.profile.IdentityLinks;
import dev.profileengine.profile.PiiPolicy;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class IdentityRulesTest {
  private final IdentityRules rules = IdentityRules.defaults();
  private final PiiPolicy pii = new PiiPolicy(Map.of(), "a-salt-of-enough-length-for-tests");

  @Test
  void keysKeepUserIdsAsTheyWereAndPrefixEveryOtherType() {
    assertEquals("u1", Identity.userId("u1").key());
    assertEquals("~anonymousId:a:b", Identity.anonymousId("a:b").key());
    assertEquals(Identity.anonymousId("a:b"), Identity.ofKey("~anonymousId:a:b"));
    assertEquals(Identity.userId("u1"), Identity.ofKey("u1"));
    assertEquals(new Identity("email", "h:00"), Identity.ofKey(new Identity("email", "h:00").key()));
  }

  @Test
  void aProfileKeyIsOneThatAnIdentityOfTheseRulesCanHave() {
    // Every key an identity makes passes, a personal value as its hash.
    for (IdentityClaim claim : List.of(new IdentityClaim(null, "a:b", null), new IdentityClaim(null, null, Map.of("device", "d1")),
        new IdentityClaim(null, null, Map.of("email", "ann@example.com"))))
      for (Identity i : claim.resolve(rules, pii).identities()) assertEquals(null, rules.keyProblem(i.key()), i.key());
    for (String key : List.of("~", "~x", "~:v", "~fax:1", "~Email:x", "~anonymousId:", "~device: ", "~userId:u42", "~email:ann@example.com",
        "~email:h:" + "0".repeat(63), "~email:h:" + "A".repeat(64)))
      assertTrue(rules.keyProblem(key) != null, key);
  }

  @Test
  void aUniqueTypeHoldsOneValuePerProfile() {
    var a = List.of(Identity.userId("u1"), new Identity("email", "x"));
    assertEquals("userId", rules.check(List.of(a, List.of(Identity.userId("u2")))).orElseThrow().field());
    assertEquals("identities.email", rules.check(List.of(a, List.of(new Identity("email", "y")))).orElseThrow().field());
    assertTrue(rules.check(List.of(a, List.of(Identity.anonymousId("a1"), new Identity("email", "x")))).isEmpty(), "the same value twice is fine");
    assertTrue(rules.check(List.of(a, List.of(new Identity("device", "d1")), List.of(new Identity("device", "d2")))).isEmpty(),
        "device is not unique");
  }

  @Test
  void aProfileHoldsAtMostMaxIdentities() {
    IdentityRules small = new IdentityRules(Map.of(), 3, true);
    var conflict = small.check(List.of(List.of(Identity.userId("u")), List.of(Identity.anonymousId("a"), Identity.anonymousId("b"), Identity.anonymousId("c"))));
    assertEquals("identities", conflict.orElseThrow().field());
    assertThrows(IllegalArgumentException.class, () -> new IdentityRules(Map.of("userId", new IdentityRules.TypeRule(true, false)), 5, true));
    assertThrows(IllegalArgumentException.class, () -> new IdentityRules(Map.of("e mail", new IdentityRules.TypeRule(true, false)), 5, true));
  }

  @Test
  void aClaimHashesPersonalTypesAndNamesEveryWrongField() {
    var ok = new IdentityClaim("u1", "a1", Map.of("email", "ann@example.com", "device", "d1")).resolve(rules, pii);
    assertTrue(ok.ok(), ok.errors().toString());
    Identity email = ok.identities().stream().filter(i -> i.type().equals("email")).findFirst().orElseThrow();
    assertTrue(email.value().startsWith("h:") && !email.value().contains("ann"), "an e-mail is hashed: " + email);
    assertEquals(pii.hash("ann@example.com"), email.value(), "the node's salted hash, the same each time");
    assertTrue(ok.identities().contains(new Identity("device", "d1")), "a device is not personal by default");

    assertEquals("identities.fax", new IdentityClaim("u1", null, Map.of("fax", "1")).resolve(rules, pii).errors().get(0).field());
    assertEquals("identities.userId", new IdentityClaim(null, null, Map.of("userId", "u")).resolve(rules, pii).errors().get(0).field());
    assertEquals("anonymousId", new IdentityClaim("u1", "a".repeat(129), null).resolve(rules, pii).errors().get(0).field());
    assertEquals("anonymousId", new IdentityClaim("u1", "a\u0000b", null).resolve(rules, pii).errors().get(0).field());
    assertEquals("userId", new IdentityClaim("~anonymousId:x", null, null).resolve(rules, pii).errors().get(0).field(), "~ is reserved");
    assertEquals("identities.email", new IdentityClaim("u1", null, Map.of("email", " ")).resolve(rules, pii).errors().get(0).field());
    assertEquals("userId", new IdentityClaim(null, null, null).resolve(rules, pii).errors().get(0).field(), "nothing named");
    var unsalted = new IdentityClaim("u1", null, Map.of("email", "ann@example.com")).resolve(rules, PiiPolicy.KEEP_ALL);
    assertEquals("identities.email", unsalted.errors().get(0).field(), "no salt, no hashed identity: " + unsalted);
  }

  @Test
  void anUnknownOrMisspelledTypeIsRefusedWithoutNamingIt() {
    assertEquals(null, rules.unknownType("email"));
    assertEquals(null, rules.unknownType("userId"));
    assertEquals("unknown identity type; known: anonymousId, device, email, phone, userId", rules.unknownType("fax"));
    String junk = "x\u0001" + "y".repeat(2_000);
    for (String misspelled : List.of(junk, "9a", "a".repeat(33), "")) {
      String reason = rules.unknownType(misspelled);
      assertTrue(reason.startsWith("unknown identity type: type names are letters"), reason);
      assertEquals(reason, IdentityRules.misspelledType(List.of("email", misspelled)));
    }
    assertEquals(null, IdentityRules.misspelledType(List.of("email", "fax")), "spelled as a type may be, known or not");
    var refused = new IdentityClaim("u1", null, Map.of(junk, "1")).resolve(rules, pii).errors().get(0);
    assertEquals("identities", refused.field(), "a misspelled type is not named in the field");
    assertTrue(!refused.reason().contains("yyy"), refused.reason());
  }

  @Test
  void linksKeepTheGroupEachIdentityCameWith() {
    IdentityLinks links = IdentityLinks.NONE.linked(List.of("~anonymousId:a", "~email:h:1"), "~anonymousId:a").linked(List.of("~device:d"), "~device:d");
    assertEquals(List.of("~anonymousId:a", "~email:h:1"), links.groupOf("~email:h:1"));
    assertEquals(List.of("~device:d"), links.groupOf("~device:d"));
    assertTrue(links.owns("u", "u") && links.owns("u", "~device:d") && !links.owns("u", "other"));
    IdentityLinks split = links.unlinked(links.groupOf("~anonymousId:a"));
    assertEquals(List.of("~device:d"), List.copyOf(split.groups().keySet()));
    assertTrue(links.withMergedInto("c").forwards() && !links.forwards());
  }

  @Test
  void anIdentitySeenWithMoreUsersThanItsLimitIsShared() {
    IdentityLinks d = IdentityLinks.NONE.seen(List.of("u1", "u2"), 3);
    assertTrue(!d.shared(3));
    assertEquals(List.of("u3"), d.unseen(List.of("u1", "u3"), 3));
    d = d.seen(List.of("u3", "u4", "u5"), 3);
    assertEquals(List.of("u1", "u2", "u3", "u4"), d.seenWith(), "kept up to one over the limit");
    assertTrue(d.shared(3) && !d.shared(0), "over the limit; 0 is no limit");
    assertEquals(List.of(), d.unseen(List.of("u9"), 3), "nothing more to record once over");
    assertEquals(d.seenWith(), d.withMergedInto("c").seenWith(), "the record stays with the identity when it is merged");
    assertEquals(3, rules.maxUsers("device"));
    assertEquals(0, rules.maxUsers("email"), "a unique type has no such limit");
  }
}
