package dev.profileengine.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.profileengine.data.BehaviorRow;
import dev.profileengine.data.SampleFiles;
import dev.profileengine.data.TaobaoCsv;
import dev.profileengine.gateway.wire.Json;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/** The feedback loop as a test sets it up (the model tools, a registry, real rows) and reads it (GET /v1/models). */
final class TrainingApi {
  static final Path TOOLS = Path.of("../model-store/target/model-store.jar").toAbsolutePath();

  private TrainingApi() {}

  /**
   * A node's training settings under {@code dir} (mutable, for more): the built model tools, a
   * registry with the committed model active, a work dir.
   */
  static Map<String, Object> nodeConfig(Path dir) throws IOException {
    assertTrue(Files.isRegularFile(TOOLS), "the model tools are built before this module's tests: " + TOOLS);
    Path registry = dir.resolve("models");
    TestRegistry.version(registry, "nb-gru-v2", false);
    TestRegistry.activate(registry, "nb-gru-v2");
    return new HashMap<>(Map.of(
        "profile.model.registry-dir", registry.toString(),
        "profile.model.training.trainer-jar", TOOLS.toString(),
        "profile.model.training.work-dir", dir.resolve("training").toString()));
  }

  /** Whole histories of the bundled sample's users (many events each), in file order, until about {@code events} rows. */
  static List<BehaviorRow> history(int events) throws IOException {
    Map<String, List<BehaviorRow>> byUser = new LinkedHashMap<>();
    for (BehaviorRow r : TaobaoCsv.read(SampleFiles.find(SampleFiles.USERS), bad -> {}))
      byUser.computeIfAbsent(r.userId(), u -> new ArrayList<>()).add(r);
    List<BehaviorRow> out = new ArrayList<>();
    for (List<BehaviorRow> rows : byUser.values()) {
      if (out.size() >= events) break;
      out.addAll(rows);
    }
    return out;
  }

  static JsonNode training(TestNode node) throws Exception {
    HttpResponse<String> r = node.get("/v1/models");
    assertEquals(200, r.statusCode(), r.body());
    return Json.MAPPER.readTree(r.body()).get("training");
  }

  /** Polls GET /v1/models until its training part matches (a run's steps take seconds to minutes). */
  static JsonNode await(TestNode node, Predicate<JsonNode> done, Duration within) throws Exception {
    long deadline = System.nanoTime() + within.toNanos();
    JsonNode t = training(node);
    while (!done.test(t)) {
      if (System.nanoTime() > deadline) throw new AssertionError("training did not get there within " + within + ": " + t);
      Thread.sleep(250);
      t = training(node);
    }
    return t;
  }

  static boolean noCurrent(JsonNode training) {
    return training.path("current").isMissingNode() || training.path("current").isNull();
  }

  /** A run's statuses in order. */
  static List<String> statuses(JsonNode run) {
    List<String> out = new ArrayList<>();
    run.get("steps").forEach(s -> out.add(s.get("status").asText()));
    return out;
  }
}
