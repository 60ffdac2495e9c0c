package dev.profileengine.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.profileengine.data.BehaviorRow;
import dev.profileengine.data.SampleFiles;
import dev.profileengine.data.TaobaoCsv;
import dev.profileengine.engine.journal.JournalDatabase;
import dev.profileengine.gateway.replay.Replayer;
import dev.profileengine.gateway.wire.Json;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Export, forget and consent over HTTP on a real node (H2 journal, default model), with real users'
 * rows: forgetting leaves no journal row (but the tombstone) and no snapshot, notifies {@code forgotten}, and the next
 * event starts a fresh profile; consent gates predictions; PII fields are hashed or dropped before
 * they are journaled.
 */
class PrivacyTest {
  @TempDir
  static Path dir;
  static TestNode node;
  static List<BehaviorRow> rows;

  @BeforeAll
  static void start() throws Exception {
    node = TestNode.start(dir, Map.of("profile.snapshot.every", 10, "profile.privacy.pii-spec", "city=hash,query=drop",
        "profile.privacy.pii-salt", "9f4c2a7e1b8d3f60a5c7e2b9d4f1a8c3"));
    rows = TaobaoCsv.read(SampleFiles.find("taobao-userbehavior-users.csv"), b -> {}).subList(0, 4000);
    Replayer.Progress p = node.replay(rows);
    assertEquals(rows.size(), p.accepted() + p.duplicates());
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  private static JsonNode json(HttpResponse<String> r) throws Exception {
    return Json.MAPPER.readTree(r.body());
  }

  /** The users of the replayed rows, most events first. */
  private static List<String> usersByEvents() {
    Map<String, Long> counts = rows.stream().collect(Collectors.groupingBy(BehaviorRow::userId, Collectors.counting()));
    return counts.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).map(Map.Entry::getKey).toList();
  }

  @Test
  void exportHoldsTheProfileAndEveryStoredEventWithPiiHashedOrDropped() throws Exception {
    String user = usersByEvents().get(3);
    long expected = rows.stream().filter(r -> r.userId().equals(user)).count();
    String body = """
        {"eventId":"pii-1","userId":"%s","type":"search","timestamp":%d,"query":"red shoes size 42",
         "context":{"city":"Hangzhou","country":"CN","device":"phone"}}""".formatted(user, rows.stream()
        .filter(r -> r.userId().equals(user)).mapToLong(BehaviorRow::epochSecond).max().orElseThrow() * 1000);
    assertEquals(200, node.send("POST", "/v1/events", body).statusCode());

    HttpResponse<String> r = node.get("/v1/profiles/" + user + "/export");
    assertEquals(200, r.statusCode(), r.body());
    JsonNode export = json(r);
    assertEquals(user, export.get("userId").asText());
    assertEquals(expected + 1, export.at("/profile/eventCount").asLong());
    Set<String> behaviorIds = new HashSet<>();
    JsonNode piiEvent = null;
    for (JsonNode e : export.get("events")) {
      if (!e.get("kind").asText().equals("behavior")) continue;
      behaviorIds.add(e.at("/data/eventId").asText());
      assertEquals(user, e.at("/data/userId").asText());
      if (e.at("/data/eventId").asText().equals("pii-1")) piiEvent = e.get("data");
    }
    Set<String> sent = rows.stream().filter(x -> x.userId().equals(user)).map(BehaviorRow::eventId).collect(Collectors.toSet());
    sent.add("pii-1");
    assertEquals(sent, behaviorIds, "every stored behavior of the user, and only those");
    assertNotNull(piiEvent);
    assertTrue(piiEvent.at("/context/city").asText().matches("h:[0-9a-f]{64}"), "city hashed: " + piiEvent);
    assertEquals("CN", piiEvent.at("/context/country").asText(), "fields without a PII rule are kept");
    assertNull(piiEvent.get("query"), "query dropped: " + piiEvent);
    assertFalse(r.body().contains("Hangzhou") || r.body().contains("red shoes"), "no raw PII anywhere in the export");

    assertEquals(404, node.get("/v1/profiles/nobody-" + System.nanoTime() + "/export").statusCode());
  }

  @Test
  void forgetRemovesEveryRowNotifiesAndALaterEventStartsAfresh() throws Exception {
    String user = usersByEvents().get(0); // > 10 events: snapshots exist
    String pid = "UserProfile|" + user;
    assertTrue(count("event_journal", pid) > 10);
    awaitSnapshot(pid);
    assertEquals(200, node.send("PUT", "/v1/profiles/" + user + "/attributes", "{\"tier\":\"gold\"}").statusCode());

    try (SseClient changes = new SseClient(node.base.resolve("/v1/changes?userId=" + user + "&from=" + latestOffset()), null)) {
      HttpResponse<String> r = node.send("DELETE", "/v1/profiles/" + user, "");
      assertEquals(200, r.statusCode(), r.body());
      JsonNode forgot = json(r);
      assertTrue(forgot.get("forgotten").asBoolean());
      assertTrue(forgot.get("eventsErased").asInt() > 10, r.body());
      assertTrue(forgot.get("snapshotsErased").asInt() >= 1, r.body());

      assertEquals(1, count("event_journal", pid), "no journal row left but the tombstone (the forget instant)");
      assertEquals(0, count("snapshot", pid), "no snapshot left");
      assertEquals(404, node.get("/v1/profiles/" + user).statusCode());
      assertEquals(404, node.get("/v1/profiles/" + user + "/export").statusCode());
      assertEquals(404, node.send("DELETE", "/v1/profiles/" + user, "").statusCode(), "forgetting twice finds nothing");

      JsonNode notice = null;
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (notice == null && System.nanoTime() < deadline) {
        SseClient.Event e = changes.next(Duration.ofSeconds(5));
        if (e == null || e.data().isEmpty()) continue;
        JsonNode d = Json.MAPPER.readTree(e.data());
        if (d.get("cause").asText().equals("forgotten")) notice = d;
      }
      assertNotNull(notice, "a forgotten notification for " + user);
      assertEquals(user, notice.get("userId").asText());
    }

    long now = System.currentTimeMillis();
    HttpResponse<String> again = node.send("POST", "/v1/events",
        "{\"eventId\":\"after-forget\",\"userId\":\"" + user + "\",\"type\":\"view\",\"timestamp\":" + now + ",\"categoryId\":\"c9\"}");
    assertEquals(200, again.statusCode(), again.body());
    assertEquals(1, json(again).get("accepted").asLong(), again.body());
    JsonNode fresh = json(node.get("/v1/profiles/" + user));
    assertEquals(1, fresh.get("eventCount").asLong(), "a fresh profile: " + fresh);
    assertTrue(fresh.get("attributes").isEmpty(), "attributes forgotten too");
    List<String> behaviors = new java.util.ArrayList<>();
    for (JsonNode e : json(node.get("/v1/profiles/" + user + "/export")).get("events")) {
      if (e.get("kind").asText().equals("behavior")) behaviors.add(e.at("/data/eventId").asText());
    }
    assertEquals(List.of("after-forget"), behaviors, "only what came after the forget is stored");
  }

  @Test
  void withoutPersonalizationConsentNoPredictionIsComputed() throws Exception {
    String user = usersByEvents().get(1);
    awaitPrediction(user);
    HttpResponse<String> r = node.send("PUT", "/v1/profiles/" + user + "/consent", "{\"personalization\": false}");
    assertEquals(200, r.statusCode(), r.body());
    JsonNode profile = json(r);
    assertFalse(profile.at("/consent/purposes/personalization").asBoolean());
    assertTrue(profile.at("/consent/purposes/ads").asBoolean(), "purposes not named keep their default");
    assertTrue(profile.get("prediction") == null || profile.get("prediction").isNull(), "the prediction is dropped: " + profile);

    long t = System.currentTimeMillis();
    for (int i = 0; i < 5; i++) {
      node.send("POST", "/v1/events", "{\"eventId\":\"nc" + i + "\",\"userId\":\"" + user + "\",\"type\":\"view\",\"timestamp\":" + (t - 1000 + i) + "}");
    }
    Thread.sleep(1500);
    JsonNode later = json(node.get("/v1/profiles/" + user));
    assertEquals(rows.stream().filter(x -> x.userId().equals(user)).count() + 5, later.get("eventCount").asLong());
    assertTrue(later.get("prediction") == null || later.get("prediction").isNull(), "no prediction without consent: " + later.get("prediction"));

    assertEquals(200, node.send("PUT", "/v1/profiles/" + user + "/consent", "{\"personalization\": true}").statusCode());
    node.send("POST", "/v1/events", "{\"eventId\":\"nc-back\",\"userId\":\"" + user + "\",\"type\":\"view\",\"timestamp\":" + t + "}");
    awaitPrediction(user);
  }

  @Test
  void badConsentNamesTheField() throws Exception {
    HttpResponse<String> unknown = node.send("PUT", "/v1/profiles/u-consent/consent", "{\"marketing\": true}");
    assertEquals(400, unknown.statusCode());
    assertEquals("marketing", json(unknown).get("field").asText(), unknown.body());
    HttpResponse<String> notBool = node.send("PUT", "/v1/profiles/u-consent/consent", "{\"ads\": \"yes\"}");
    assertEquals(400, notBool.statusCode());
    assertEquals("ads", json(notBool).get("field").asText(), notBool.body());
    assertEquals(400, node.send("PUT", "/v1/profiles/u-consent/consent", "[]").statusCode());
    assertEquals(404, node.get("/v1/profiles/u-consent").statusCode(), "a refused consent creates nothing");
  }

  private static void awaitPrediction(String user) throws Exception {
    for (int i = 0; i < 100; i++) {
      JsonNode p = json(node.get("/v1/profiles/" + user)).get("prediction");
      if (p != null && !p.isNull()) return;
      Thread.sleep(200);
    }
    throw new AssertionError("no prediction for " + user);
  }

  private static void awaitSnapshot(String pid) throws Exception {
    for (int i = 0; i < 100 && count("snapshot", pid) == 0; i++) Thread.sleep(100);
    assertTrue(count("snapshot", pid) > 0, "a snapshot of " + pid);
  }

  private static long latestOffset() throws Exception {
    try (Connection c = connection(); PreparedStatement st = c.prepareStatement("SELECT MAX(\"ordering\") FROM \"event_journal\"");
         ResultSet rs = st.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** Rows of {@code pid} in a journal table, read from the node's own database. */
  private static int count(String table, String pid) throws Exception {
    try (Connection c = connection();
         PreparedStatement st = c.prepareStatement("SELECT COUNT(*) FROM \"" + table + "\" WHERE \"persistence_id\" = ?")) {
      st.setString(1, pid);
      try (ResultSet rs = st.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    }
  }

  private static Connection connection() {
    return new JournalDatabase(node.node.system()).connection();
  }
}
