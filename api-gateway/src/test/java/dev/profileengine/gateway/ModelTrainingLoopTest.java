package dev.profileengine.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import static dev.profileengine.gateway.TrainingApi.await;
import static dev.profileengine.gateway.TrainingApi.noCurrent;
import static dev.profileengine.gateway.TrainingApi.statuses;
import static dev.profileengine.gateway.TrainingApi.training;

import com.fasterxml.jackson.databind.JsonNode;
import dev.profileengine.data.BehaviorRow;
import dev.profileengine.data.SampleFiles;
import dev.profileengine.data.TaobaoCsv;
import dev.profileengine.gateway.replay.Replayer;
import dev.profileengine.gateway.wire.Json;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The model feedback loop on real replayed data: a node holding real Taobao users trains a candidate
 * from its own journal (the model tools in their own process), evaluates it offline against the
 * serving model, serves it to half the users, scores both online while more real traffic comes in,
 * and promotes it by the configured rule; every step is journaled and shown by {@code GET /v1/models},
 * before and after a restart. A user who withdrew analytics consent is not trained on.
 */
class ModelTrainingLoopTest {
  @TempDir
  Path dir;

  @Test
  void trainsDeploysComparesAndPromotesOnReplayedData() throws Exception {
    Map<String, Object> config = TrainingApi.nodeConfig(dir);
    Path registry = dir.resolve("models");
    config.putAll(Map.of(
        "profile.model.training.epochs", 2,
        "profile.model.training.min-events", 1000,
        "profile.model.training.check-interval", "1s",
        "profile.model.training.candidate-percent", 50,
        "profile.model.training.min-scored", 50,
        // The rule's two outcomes are PromotionRuleTest's; here a lax rule so that the loop runs to its promotion.
        "profile.model.training.offline-max-log-loss-ratio", 10.0,
        "profile.model.training.max-log-loss-ratio", 10.0));

    // Users of the bundled sample with many events each (the history), and the first rows in time of the other file (the traffic).
    List<BehaviorRow> history = TrainingApi.history(5000);
    String withdrawn = history.get(0).userId();
    Set<String> historyUsers = new HashSet<>();
    Set<String> eventIds = new HashSet<>();
    long withdrawnEvents = 0;
    for (BehaviorRow r : history) {
      historyUsers.add(r.userId());
      if (eventIds.add(r.eventId()) && r.userId().equals(withdrawn)) withdrawnEvents++;
    }
    List<BehaviorRow> traffic = TaobaoCsv.readSortedByTime(SampleFiles.find(SampleFiles.SAMPLE), bad -> {}).subList(0, 30_000);

    try (TestNode node = TestNode.start(dir.resolve("data"), config)) {
      Replayer.Progress sent = replay(node, history, 500);
      assertEquals(0, sent.rejected() + sent.unconfirmed(), sent.line());
      HttpResponse<String> consent = node.send("PUT", "/v1/profiles/" + withdrawn + "/consent", "{\"analytics\":false}");
      assertEquals(200, consent.statusCode(), consent.body());

      // Hostile or mistaken requests: named fields, nothing started.
      assertRefused(node.send("POST", "/v1/models/train", "{\"since\":\"yesterday\"}"), 400, "since");
      assertRefused(node.send("POST", "/v1/models/train", "{\"from\":\"2017-11-25T00:00:00Z\"}"), 400, "from");
      for (String notAnObject : java.util.List.of("[1]", "null", "\"x\"")) assertRefused(node.send("POST", "/v1/models/train", notAnObject), 400, "body");
      // Instants outside the range events may have (their epoch milliseconds would overflow the export).
      assertRefused(node.send("POST", "/v1/models/train", "{\"until\":\"+999999999-12-31T23:59:59Z\"}"), 400, "until");
      assertRefused(node.send("POST", "/v1/models/train", "{\"since\":\"-999999999-01-01T00:00:00Z\"}"), 400, "since");
      assertRefused(node.send("POST", "/v1/models/train", "{\"since\":12}"), 400, "since");

      HttpResponse<String> started = node.send("POST", "/v1/models/train", "");
      assertEquals(202, started.statusCode(), started.body());
      JsonNode run = Json.MAPPER.readTree(started.body()).get("run");
      assertEquals("run-1", run.get("id").asText());
      assertEquals("EXPORTING", run.get("status").asText());
      // One run at a time.
      assertRefused(node.send("POST", "/v1/models/train", ""), 409, null);

      JsonNode comparing = await(node, t -> t.at("/current/status").asText().equals("COMPARING") || noCurrent(t),
          Duration.ofMinutes(4));
      JsonNode current = comparing.get("current");
      assertEquals("COMPARING", current.path("status").asText(), "the run reached the online comparison: " + comparing);
      String candidate = current.get("candidate").asText();
      assertTrue(candidate.startsWith("trained-1-"), candidate);
      assertEquals("nb-gru-v2", current.get("serving").asText());
      // Exported: every behavior replayed, but those of the user who withdrew analytics consent.
      assertEquals(eventIds.size() - withdrawnEvents, current.get("events").asLong(), current.toString());
      assertEquals(historyUsers.size() - 1, current.get("users").asLong());
      for (String k : List.of("offlineCandidate", "offlineServing"))
        assertTrue(current.at("/" + k + "/logLoss").asDouble() > 0, k + ": " + current);
      assertTrue(Files.isRegularFile(registry.resolve(candidate).resolve("manifest.json")), "the candidate is in the registry");
      try (Stream<Path> files = Files.walk(dir.resolve("training"))) {
        assertFalse(files.anyMatch(f -> f.getFileName().toString().startsWith("behaviors.json")), "the exported behaviors are not kept");
      }
      JsonNode models = Json.MAPPER.readTree(node.get("/v1/models").body());
      assertEquals(candidate, models.get("candidate").asText(), models.toString());
      assertEquals(50, models.get("candidatePercent").asInt());

      // Real traffic: both versions predict, each prediction scored against the behavior that came next.
      JsonNode ended = null;
      for (int from = 0; from < traffic.size() && ended == null; from += 5_000) {
        replay(node, traffic.subList(from, from + 5_000), 100);
        JsonNode t = training(node);
        if (noCurrent(t)) ended = t;
      }
      if (ended == null) ended = await(node, TrainingApi::noCurrent, Duration.ofSeconds(30));
      JsonNode last = ended.get("runs").get(0);
      assertEquals("PROMOTED", last.get("status").asText(), last.toString());
      assertTrue(last.at("/onlineCandidate/scored").asLong() >= 50 && last.at("/onlineServing/scored").asLong() >= 50, last.toString());
      assertTrue(last.get("reason").asText().contains("online log-loss"), last.toString());
      assertEquals(List.of("EXPORTING", "TRAINING", "EVALUATING", "COMPARING", "PROMOTED"), statuses(last));

      JsonNode after = Json.MAPPER.readTree(node.get("/v1/models").body());
      assertEquals(candidate, after.get("serving").asText(), "the candidate serves every user: " + after);
      assertFalse(after.hasNonNull("candidate"), after.toString());
      assertEquals(candidate, after.at("/assignment/active").asText());
    }

    // Journaled: the run and its steps are there after a restart, and the promoted version serves.
    try (TestNode node = TestNode.start(dir.resolve("data"), config)) {
      JsonNode t = await(node, x -> x.path("runs").size() == 1, Duration.ofSeconds(30));
      JsonNode run = t.get("runs").get(0);
      assertEquals("PROMOTED", run.get("status").asText());
      assertEquals(List.of("EXPORTING", "TRAINING", "EVALUATING", "COMPARING", "PROMOTED"), statuses(run));
      // The node starts on its registry's ACTIVE and follows the stored assignment within seconds.
      String promoted = run.get("candidate").asText();
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      JsonNode models = Json.MAPPER.readTree(node.get("/v1/models").body());
      while (!models.path("serving").asText().equals(promoted) && System.nanoTime() < deadline) {
        Thread.sleep(200);
        models = Json.MAPPER.readTree(node.get("/v1/models").body());
      }
      assertEquals(promoted, models.get("serving").asText(), models.toString());
    }
  }

  private static Replayer.Progress replay(TestNode node, List<BehaviorRow> rows, int batch) throws InterruptedException {
    return new Replayer(new Replayer.Options(node.base, batch, 4, 8, null)).run(rows, p -> {});
  }

  private static void assertRefused(HttpResponse<String> r, int status, String field) throws Exception {
    assertEquals(status, r.statusCode(), r.body());
    if (field != null) assertEquals(field, Json.MAPPER.readTree(r.body()).path("field").asText(), r.body());
  }
}
