package dev.profileengine.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.profileengine.data.BehaviorRow;
import dev.profileengine.data.SampleFiles;
import dev.profileengine.data.TaobaoCsv;
import dev.profileengine.gateway.replay.Replayer;
import dev.profileengine.gateway.wire.Json;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real predictions from the committed default model on real rows; a hot swap under load with no
 * failed request; a corrupt or missing version refused with a 4xx while the current model serves.
 */
class PredictionsTest {
  @TempDir
  Path dir;

  /** A registry with the default model and a copy under another version name, plus a corrupt one. */
  private Path registry() throws Exception {
    Path source = Path.of("../model-store/models/nb-gru-v2");
    Path reg = dir.resolve("models");
    for (String version : List.of("nb-gru-v1", "nb-gru-v1-copy", "broken")) {
      Path target = Files.createDirectories(reg.resolve(version));
      try (var files = Files.list(source)) {
        for (Path f : files.toList()) {
          String text = f.getFileName().toString().endsWith(".json") ? Files.readString(f) : null;
          if (text != null && f.getFileName().toString().equals("manifest.json")) {
            Files.writeString(target.resolve(f.getFileName()), text.replace("\"nb-gru-v2\"", "\"" + version + "\""));
          } else {
            Files.copy(f, target.resolve(f.getFileName()));
          }
        }
      }
    }
    Path params;
    try (var files = Files.list(reg.resolve("broken"))) {
      params = files.filter(f -> f.toString().endsWith(".params")).findFirst().orElseThrow();
    }
    Files.write(params, new byte[] {1, 2, 3});
    Files.writeString(reg.resolve("ACTIVE"), "nb-gru-v1");
    return reg;
  }

  /**
   * A write waits for the prediction its events lead to and journals both together: the profile
   * read right after the acknowledgement already holds it, and the change stream has the event and
   * then its prediction at the next offset (one write). The wait is long here so a slow machine
   * cannot turn this into the fallback (the prediction journaled by itself when it comes).
   */
  @Test
  void anAcknowledgedWriteAlreadyHoldsItsPrediction() throws Exception {
    try (TestNode node = TestNode.start(dir.resolve("data"), Map.of("profile.model.wait-before-write", "5s"))) {
      for (int i = 0; i < 3; i++) {
        String user = "solo" + i;
        assertEquals(200, node.send("POST", "/v1/events", TestEvents.recent(user + "-", 1 + i, "view", user)).statusCode());
        JsonNode profile = Json.MAPPER.readTree(node.get("/v1/profiles/" + user).body());
        assertEquals(1 + i, profile.at("/prediction/asOfEventCount").asLong(), "the prediction as of the write: " + profile.get("prediction"));
      }
      try (SseClient sse = new SseClient(node.base.resolve("/v1/changes?userId=solo0"), null)) {
        List<JsonNode> changes = new ArrayList<>();
        while (changes.size() < 2) {
          SseClient.Event e = sse.next(java.time.Duration.ofSeconds(20));
          assertTrue(e != null, "two changes of solo0");
          if (!e.data().isEmpty()) changes.add(Json.MAPPER.readTree(e.data()));
        }
        assertEquals("event", changes.get(0).get("cause").asText());
        assertEquals("prediction", changes.get(1).get("cause").asText());
        assertEquals(changes.get(0).get("offset").asLong() + 1, changes.get(1).get("offset").asLong(), "journaled in one write");
      }
    }
  }

  @Test
  void profilesCarryPredictionsAndModelsSwapUnderLoad() throws Exception {
    try (TestNode node = TestNode.start(dir.resolve("data"), Map.of("profile.model.registry-dir", registry().toString()))) {
      List<BehaviorRow> rows = TaobaoCsv.read(SampleFiles.find("taobao-userbehavior-users.csv"), b -> {}).subList(0, 3000);
      Replayer.Progress p = new Replayer(new Replayer.Options(node.base, 200, 2, 8, null)).run(rows, x -> {});
      assertEquals(3000, p.accepted());

      String user = rows.get(0).userId();
      JsonNode prediction = awaitPrediction(node, user, "nb-gru-v1");
      double sum = 0;
      for (var e : (Iterable<Map.Entry<String, JsonNode>>) prediction.get("nextBehavior")::fields) sum += e.getValue().asDouble();
      assertEquals(1.0, sum, 1e-6, "next-behavior probabilities sum to 1");
      assertEquals(6, prediction.get("nextBehavior").size());
      assertEquals(10, prediction.get("nextCategories").size());
      JsonNode models = Json.MAPPER.readTree(node.get("/v1/models").body());
      assertEquals("nb-gru-v1", models.get("serving").asText());
      assertTrue(models.at("/pool/completed").asLong() > 0);

      // Hot swap while events keep coming: no request may fail.
      AtomicBoolean stop = new AtomicBoolean();
      AtomicInteger failures = new AtomicInteger();
      AtomicInteger sent = new AtomicInteger();
      CompletableFuture<Void> load = CompletableFuture.runAsync(() -> {
        int i = 0;
        while (!stop.get()) {
          String body = "[{\"eventId\":\"swap" + i + "\",\"userId\":\"swap-u" + (i % 20) + "\",\"type\":\"view\",\"timestamp\":"
              + (System.currentTimeMillis() - 1000) + ",\"categoryId\":\"c" + (i % 7) + "\"}]";
          try {
            HttpResponse<String> r = node.send("POST", "/v1/events", body);
            if (r.statusCode() != 200 || !r.body().contains("\"accepted\":1")) failures.incrementAndGet();
            HttpResponse<String> read = node.get("/v1/profiles/swap-u" + (i % 20));
            if (read.statusCode() != 200) failures.incrementAndGet();
          } catch (Exception e) {
            failures.incrementAndGet();
          }
          sent.incrementAndGet();
          i++;
        }
      });
      Thread.sleep(1000);
      HttpResponse<String> swap = node.send("POST", "/v1/models/nb-gru-v1-copy/activate", "");
      assertEquals(200, swap.statusCode(), swap.body());
      Thread.sleep(1500);
      stop.set(true);
      load.join();
      assertEquals(0, failures.get(), "failed requests during the swap (of " + sent.get() + ")");
      assertTrue(sent.get() > 10);
      awaitPrediction(node, "swap-u1", "nb-gru-v1-copy");

      HttpResponse<String> broken = node.send("POST", "/v1/models/broken/activate", "");
      assertEquals(422, broken.statusCode(), broken.body());
      assertEquals(404, node.send("POST", "/v1/models/missing/activate", "").statusCode());
      assertEquals(400, node.send("POST", "/v1/models/..%2Fetc/activate", "").statusCode());
      assertEquals("nb-gru-v1-copy", Json.MAPPER.readTree(node.get("/v1/models").body()).get("serving").asText(),
          "a refused activation leaves the serving model in place");
    }
  }

  private static JsonNode awaitPrediction(TestNode node, String user, String version) throws Exception {
    List<String> seen = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      JsonNode p = Json.MAPPER.readTree(node.get("/v1/profiles/" + user).body()).get("prediction");
      if (p != null && version.equals(p.get("modelVersion").asText())) return p;
      if (p != null) seen.add(p.get("modelVersion").asText());
      if (i % 10 == 9) {
        node.send("POST", "/v1/events", "{\"eventId\":\"nudge" + i + System.nanoTime() + "\",\"userId\":\"" + user
            + "\",\"type\":\"view\",\"timestamp\":" + (System.currentTimeMillis() - 1000) + "}");
      }
      Thread.sleep(200);
    }
    throw new AssertionError("no prediction by " + version + " for " + user + " (saw " + seen + ")");
  }
}
