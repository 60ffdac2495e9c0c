package dev.profileengine.engine.profiles;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.profileengine.profile.Identity;
import dev.profileengine.profile.identity.IdentityClaim;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SendOrderTest {
  private static final String PHONE = Identity.anonymousId("phone").key();
  private static final String TABLET = Identity.anonymousId("tablet").key();

  @Test
  void eachKeyWithoutLinksIsOneRunOfItsOwnInBatchOrder() {
    var chains = SendOrder.chains(List.of("a", "b", "a", "c", "b"), Arrays.asList(null, null, null, null, null));
    assertEquals(List.of(List.of(List.of(0, 2)), List.of(List.of(1, 4)), List.of(List.of(3))), chains);
  }

  @Test
  void anAnonymousIdsEventsGoBeforeTheEventsThatLinkItToACustomer() {
    IdentityClaim identified = new IdentityClaim("cust", "phone", null);
    var chains = SendOrder.chains(List.of(PHONE, "other", PHONE, "cust", "cust", PHONE),
        Arrays.asList(null, null, null, identified, identified, null));
    // One person: the phone's first two, then the customer's two, then the phone's last; "other" apart.
    assertEquals(List.of(List.of(List.of(0, 2), List.of(3, 4), List.of(5)), List.of(List.of(1))), chains);
  }

  @Test
  void typedIdentitiesAndChainsOfLinksMakeOnePerson() {
    IdentityClaim phoneByEmail = new IdentityClaim(null, "phone", Map.of("email", "x@example.com"));
    IdentityClaim tabletByEmail = new IdentityClaim(null, "tablet", Map.of("email", "x@example.com"));
    IdentityClaim tabletToCustomer = new IdentityClaim("cust", "tablet", null);
    var chains = SendOrder.chains(List.of(PHONE, TABLET, "cust", "lone"), Arrays.asList(phoneByEmail, tabletByEmail, tabletToCustomer, null));
    assertEquals(List.of(List.of(List.of(0), List.of(1), List.of(2)), List.of(List.of(3))), chains);
  }

  @Test
  void aLinkedPersonWithOneKeyIsOneRun() {
    IdentityClaim identified = new IdentityClaim("cust", "phone", null);
    var chains = SendOrder.chains(List.of("cust", "cust"), Arrays.asList(identified, identified));
    assertEquals(List.of(List.of(List.of(0, 1))), chains);
  }

  @Test
  void aPersonAlternatingKeysBeyondTheBoundIsWrittenPerKeyAtOnce() {
    IdentityClaim identified = new IdentityClaim("cust", "phone", null);
    List<String> keys = new java.util.ArrayList<>();
    List<IdentityClaim> links = new java.util.ArrayList<>();
    for (int i = 0; i < 2 * SendOrder.MAX_RUNS; i++) {
      keys.add(i % 2 == 0 ? PHONE : "cust");
      links.add(i % 2 == 0 ? null : identified);
    }
    var chains = SendOrder.chains(keys, links);
    List<Integer> phone = new java.util.ArrayList<>(), cust = new java.util.ArrayList<>();
    for (int i = 0; i < keys.size(); i++) (i % 2 == 0 ? phone : cust).add(i);
    assertEquals(List.of(List.of(phone), List.of(cust)), chains);
    // At the bound, the order holds.
    assertEquals(1, SendOrder.chains(keys.subList(0, SendOrder.MAX_RUNS), links.subList(0, SendOrder.MAX_RUNS)).size());
  }
}
