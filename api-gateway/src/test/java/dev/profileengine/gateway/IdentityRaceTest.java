package dev.profileengine.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hostile-client race over HTTP: 30 clients send, over a few anonymous ids, devices and user
 * ids, identifies of an anonymous id with a device and of a user id with an anonymous id, events
 * carrying an anonymous id and a device, and unmerges of an anonymous id from a user's profile, all
 * at once. However the links and unmerges interleave (chains, cycles, a merge forwarded through a
 * profile that merged meanwhile), the graph ends consistent: every identity resolves to exactly one
 * profile, which lists it, and no other profile lists it; a later event of each anonymous id is
 * accepted; and that holds again after a restart. A race is answered with a retry (503 with
 * Retry-After, or 409), never a 400, and no event is rejected for it.
 */
class IdentityRaceTest {
  @TempDir
  Path dataDir;

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int ROUNDS = 3;
  private static final int CLIENTS = 30;
  private static final int REQUESTS = 20;
  private static final int ANONYMOUS = 10;
  private static final int DEVICES = 5;
  private static final int USERS = 3;
  private static final Set<Integer> RACE_ANSWERS = Set.of(200, 404, 409, 503);

  @Test
  void racingIdentifiesEventsAndUnmergesLeaveOneConsistentGraph() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
    List<String> tags = new ArrayList<>();
    try {
      try (TestNode node = TestNode.start(dataDir, IdentityMergeTest.SETTINGS)) {
        ConcurrentLinkedQueue<String> wrong = new ConcurrentLinkedQueue<>();
        for (int round = 0; round < ROUNDS; round++) {
          String tag = "race" + round;
          tags.add(tag);
          List<Callable<Void>> clients = new ArrayList<>();
          for (int c = 0; c < CLIENTS; c++) {
            long seed = round * 1000L + c;
            clients.add(() -> storm(node, tag, new Random(seed), wrong));
          }
          long start = System.nanoTime();
          for (Future<Void> f : pool.invokeAll(clients, 60, TimeUnit.SECONDS)) f.get();
          System.out.printf("identity race %s: %d requests in %d ms%n", tag, CLIENTS * REQUESTS, (System.nanoTime() - start) / 1_000_000);
        }
        for (String tag : tags) assertConsistent(node, tag, "before the restart");
        assertTrue(wrong.isEmpty(), wrong.size() + " answers to the race that are not a success or a retry, such as "
            + wrong.stream().limit(8).toList());
      }
      try (TestNode node = TestNode.start(dataDir, IdentityMergeTest.SETTINGS)) {
        for (String tag : tags) assertConsistent(node, tag, "after the restart");
      }
    } finally {
      pool.shutdownNow();
    }
  }

  /** One client's requests, as the probe's: half identifies with a device, the rest identifies with a user id, events and unmerges. */
  private static Void storm(TestNode node, String tag, Random rnd, ConcurrentLinkedQueue<String> wrong) throws Exception {
    for (int j = 0; j < REQUESTS; j++) {
      String a = tag + "-a" + rnd.nextInt(ANONYMOUS);
      String device = tag + "-d" + rnd.nextInt(DEVICES);
      String user = tag + "-u" + rnd.nextInt(USERS);
      double op = rnd.nextDouble();
      HttpResponse<String> r;
      if (op < 0.5) r = node.send("POST", "/v1/identify", "{\"anonymousId\":\"" + a + "\",\"identities\":{\"device\":\"" + device + "\"}}");
      else if (op < 0.7) r = node.send("POST", "/v1/identify", "{\"userId\":\"" + user + "\",\"anonymousId\":\"" + a + "\"}");
      else if (op < 0.85) {
        r = node.send("POST", "/v1/events", event(tag + "-e" + rnd.nextLong(), a, device));
        if (r.statusCode() == 200 && r.body().contains("\"rejected\"") && !r.body().contains("\"rejected\":0"))
          wrong.add("event of " + a + ": " + r.body());
      } else r = node.send("POST", "/v1/profiles/" + user + "/unmerge", "{\"anonymousId\":\"" + a + "\"}");
      if (!RACE_ANSWERS.contains(r.statusCode())) wrong.add(r.statusCode() + " " + r.uri().getPath() + ": " + r.body());
      // An event not confirmed is answered 503 with its result "unconfirmed: retry it" (as for a timeout), and Retry-After.
      if (r.statusCode() == 503 && r.headers().firstValue("Retry-After").isEmpty()) wrong.add("503 without Retry-After: " + r.body());
      if (r.body().contains("retry: retry")) wrong.add("doubled retry: " + r.body());
    }
    return null;
  }

  private static String event(String eventId, String anonymousId, String device) {
    String identities = device == null ? "" : ",\"identities\":{\"device\":\"" + device + "\"}";
    return "{\"eventId\":\"" + eventId + "\",\"anonymousId\":\"" + anonymousId + "\"" + identities
        + ",\"type\":\"view\",\"timestamp\":" + System.currentTimeMillis() + "}";
  }

  /**
   * Every identity of the round resolves to a profile that lists it and no other profile lists it
   * (polled until the links settle, with a deadline); then an event of each anonymous id is accepted.
   */
  private static void assertConsistent(TestNode node, String tag, String when) throws Exception {
    long start = System.nanoTime();
    long deadline = start + TimeUnit.SECONDS.toNanos(20);
    String problem;
    while ((problem = inconsistency(node, tag)) != null) {
      if (System.nanoTime() > deadline) fail(when + ", " + tag + ": " + problem);
      TimeUnit.MILLISECONDS.sleep(100); // between polls; the loop ends at the deadline
    }
    System.out.printf("identity race %s %s: consistent after %d ms%n", tag, when, (System.nanoTime() - start) / 1_000_000);
    for (int k = 0; k < ANONYMOUS; k++) {
      String a = tag + "-a" + k;
      HttpResponse<String> r = node.send("POST", "/v1/events", event(tag + "-after-" + when.hashCode() + "-" + k, a, null));
      assertEquals(200, r.statusCode(), r.body());
      JsonNode result = JSON.readTree(r.body()).path("results").path(0);
      assertEquals("accepted", result.path("status").asText(), when + ": a later event of " + a + " is accepted: " + r.body());
    }
  }

  /** What is inconsistent in the round's graph, or null. */
  private static String inconsistency(TestNode node, String tag) throws Exception {
    // identity ("type:value") -> the canonical profile it resolves to; profile -> what it lists.
    Map<String, String> resolvesTo = new TreeMap<>();
    Map<String, List<String>> lists = new TreeMap<>();
    List<String> identities = new ArrayList<>();
    for (int k = 0; k < ANONYMOUS; k++) identities.add("anonymousId:" + tag + "-a" + k);
    for (int k = 0; k < DEVICES; k++) identities.add("device:" + tag + "-d" + k);
    for (int k = 0; k < USERS; k++) identities.add("userId:" + tag + "-u" + k);
    for (String identity : identities) {
      HttpResponse<String> r = identity.startsWith("userId:")
          ? node.get("/v1/profiles/" + identity.substring("userId:".length()))
          : node.get("/v1/profiles/_?identity=" + URLEncoder.encode(identity, StandardCharsets.UTF_8));
      if (r.statusCode() == 404) continue; // never seen with anything stored: its own empty profile
      if (r.statusCode() != 200) return identity + " answers " + r.statusCode() + " " + r.body();
      JsonNode p = JSON.readTree(r.body());
      String canonical = p.path("userId").asText();
      List<String> listed = new ArrayList<>();
      p.path("identities").fields().forEachRemaining(e -> e.getValue().forEach(v -> listed.add(e.getKey() + ":" + v.asText())));
      resolvesTo.put(identity, canonical);
      lists.put(canonical, listed);
      if (!listed.contains(identity)) return identity + " resolves to " + canonical + ", which does not list it: " + listed;
    }
    for (var e : lists.entrySet()) {
      for (String identity : e.getValue()) {
        String owner = resolvesTo.get(identity);
        if (owner != null && !owner.equals(e.getKey()))
          return identity + " is listed by " + e.getKey() + " but resolves to " + owner + " (listed by " + lists + ")";
      }
    }
    assertFalse(resolvesTo.isEmpty(), "the round stored something");
    return null;
  }
}
