package dev.profileengine.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.profileengine.gateway.replay.Replayer;
import dev.profileengine.model.BehaviorType;
import dev.profileengine.model.data.BehaviorRow;
import dev.profileengine.model.data.TaobaoCsv;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Segments over HTTP on real replayed rows: the projected member lists equal an independent
 * computation from the rows, and equal what each profile says of itself; leaving and forgetting
 * update the read side; recommendations blend model, interest and popularity.
 */
@org.junit.jupiter.api.TestMethodOrder(org.junit.jupiter.api.MethodOrderer.OrderAnnotation.class)
class SegmentsTest {
  @TempDir
  static Path dir;
  static TestNode node;
  static List<BehaviorRow> rows;

  @BeforeAll
  static void start() throws Exception {
    node = TestNode.start(dir);
    // Heavy users' rows over 9 days: every user's 30-day window holds all of their rows.
    rows = TaobaoCsv.read(SharedData.file("taobao-userbehavior-users.csv"), b -> {}).subList(0, 20_000);
    Replayer.Progress p = node.replay(rows);
    assertEquals(0, p.rejected(), "every row applies, so counting the rows is an independent computation");
    assertEquals(rows.size(), p.accepted() + p.duplicates());
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  private static JsonNode json(HttpResponse<String> r) throws Exception {
    return Json.MAPPER.readTree(r.body());
  }

  /** All members of a segment through the paginated API. */
  private static Set<String> members(String segment, int pageSize) throws Exception {
    Set<String> all = new TreeSet<>();
    String after = null;
    do {
      HttpResponse<String> r = node.get("/v1/segments/" + segment + "/members?limit=" + pageSize + (after == null ? "" : "&after=" + after));
      assertEquals(200, r.statusCode(), r.body());
      JsonNode page = json(r);
      for (JsonNode m : page.get("members")) assertTrue(all.add(m.get("userId").asText()), "listed twice: " + m);
      after = page.hasNonNull("next") ? page.get("next").asText() : null;
    } while (after != null);
    return all;
  }

  /** Waits until the projection has caught up: the member list is stable for a while. */
  private static Set<String> settledMembers(String segment) throws Exception {
    Set<String> last = null;
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      Set<String> now = members(segment, 500);
      if (now.equals(last)) return now;
      last = now;
      Thread.sleep(1500);
    }
    return last;
  }

  @Test
  void frequentBuyersEqualAnIndependentCountOfTheRows() throws Exception {
    Map<String, Long> purchases = rows.stream().filter(r -> r.type() == BehaviorType.PURCHASE)
        .collect(Collectors.groupingBy(BehaviorRow::userId, Collectors.counting()));
    Set<String> expected = purchases.entrySet().stream().filter(e -> e.getValue() >= 3).map(Map.Entry::getKey)
        .collect(Collectors.toCollection(TreeSet::new));
    assertFalse(expected.isEmpty(), "the slice has frequent buyers");
    assertEquals(expected, settledMembers("frequent-buyers"));
    assertEquals(expected, members("frequent-buyers", 7), "pagination neither skips nor repeats");

    JsonNode list = json(node.get("/v1/segments"));
    JsonNode fb = null;
    for (JsonNode s : list.get("segments")) if (s.get("id").asText().equals("frequent-buyers")) fb = s;
    assertNotNull(fb);
    assertEquals(expected.size(), fb.get("members").asLong());
  }

  /**
   * Abandoned cart = a cart and no purchase in the 24 hour-buckets ending at the user's latest
   * event (the last hour counted whole, as the profile's windows are), counted here from the rows.
   */
  @Test
  void abandonedCartsEqualAnIndependentCountOfTheRows() throws Exception {
    Map<String, List<BehaviorRow>> byUser = rows.stream().collect(Collectors.groupingBy(BehaviorRow::userId));
    Set<String> expected = new TreeSet<>();
    byUser.forEach((user, own) -> {
      long lastHour = own.stream().mapToLong(BehaviorRow::epochSecond).max().orElseThrow() / 3600;
      long carts = own.stream().filter(r -> r.type() == BehaviorType.CART && r.epochSecond() / 3600 > lastHour - 24).count();
      long buys = own.stream().filter(r -> r.type() == BehaviorType.PURCHASE && r.epochSecond() / 3600 > lastHour - 24).count();
      if (carts >= 1 && buys == 0) expected.add(user);
    });
    assertFalse(expected.isEmpty());
    assertEquals(expected, settledMembers("abandoned-cart"));
  }

  @Test
  void theReadSideAgreesWithEveryProfile() throws Exception {
    for (String segment : List.of("abandoned-cart", "category-lover-4756105", "rfm-champions")) {
      Set<String> listed = settledMembers(segment);
      Set<String> users = rows.stream().map(BehaviorRow::userId).collect(Collectors.toCollection(TreeSet::new));
      List<String> sample = new ArrayList<>(users).subList(0, Math.min(400, users.size()));
      for (String u : sample) {
        JsonNode profile = json(node.get("/v1/profiles/" + u));
        boolean member = false;
        for (JsonNode s : profile.get("segments")) member |= s.asText().equals(segment);
        assertEquals(member, listed.contains(u), segment + " of " + u + ": profile says " + profile.get("segments"));
      }
    }
  }

  @Test
  @org.junit.jupiter.api.Order(Integer.MAX_VALUE) // changes memberships the other tests check
  void leavingAndForgettingUpdateTheReadSide() throws Exception {
    Set<String> carted = settledMembers("abandoned-cart");
    assertFalse(carted.isEmpty());
    String user = carted.iterator().next();
    long last = rows.stream().filter(r -> r.userId().equals(user)).mapToLong(BehaviorRow::epochSecond).max().orElseThrow();
    HttpResponse<String> buy = node.send("POST", "/v1/events", "{\"eventId\":\"seg-buy\",\"userId\":\"" + user
        + "\",\"type\":\"purchase\",\"timestamp\":" + (last * 1000 + 1000) + "}");
    assertEquals(1, json(buy).get("accepted").asLong(), buy.body());
    JsonNode profile = json(node.get("/v1/profiles/" + user));
    for (JsonNode s : profile.get("segments")) assertFalse(s.asText().equals("abandoned-cart"), "a purchase ends the abandoned cart");
    awaitMembership("abandoned-cart", user, false);

    String buyer = settledMembers("frequent-buyers").iterator().next();
    assertEquals(200, node.send("DELETE", "/v1/profiles/" + buyer, "").statusCode());
    awaitMembership("frequent-buyers", buyer, false);
  }

  @Test
  void recommendationsBlendModelInterestAndPopularity() throws Exception {
    String user = rows.get(0).userId();
    HttpResponse<String> r = node.get("/v1/profiles/" + user + "/recommendations?k=10");
    assertEquals(200, r.statusCode(), r.body());
    JsonNode items = json(r).get("items");
    assertEquals(10, items.size(), r.body());
    double previous = Double.MAX_VALUE;
    for (JsonNode i : items) {
      assertTrue(Set.of("model", "interest", "popular").contains(i.get("reason").asText()), i.toString());
      assertTrue(i.get("score").asDouble() <= previous, "best first");
      previous = i.get("score").asDouble();
    }
    assertEquals(400, node.get("/v1/profiles/" + user + "/recommendations?k=0").statusCode());
    assertEquals("k", json(node.get("/v1/profiles/" + user + "/recommendations?k=abc")).get("field").asText());
    assertEquals(404, node.get("/v1/profiles/nobody-here/recommendations").statusCode());

    assertEquals(200, node.send("PUT", "/v1/profiles/" + user + "/consent", "{\"personalization\":false}").statusCode());
    JsonNode withheld = json(node.get("/v1/profiles/" + user + "/recommendations"));
    assertEquals(0, withheld.get("items").size(), "no recommendation without personalization consent");
    assertTrue(withheld.get("withheld").asText().contains("personalization"));
  }

  @Test
  void unknownSegmentsAndBadPagesAreClearErrors() throws Exception {
    assertEquals(404, node.get("/v1/segments/no-such-segment/members").statusCode());
    HttpResponse<String> bad = node.get("/v1/segments/frequent-buyers/members?limit=0");
    assertEquals(400, bad.statusCode());
    assertEquals("limit", json(bad).get("field").asText());
  }

  private static void awaitMembership(String segment, String user, boolean member) throws Exception {
    for (int i = 0; i < 60; i++) {
      if (members(segment, 1000).contains(user) == member) return;
      Thread.sleep(500);
    }
    throw new AssertionError(user + (member ? " never entered " : " never left ") + segment + " on the read side");
  }
}
