package dev.profileengine.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.profileengine.gateway.wire.Json;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** The feedback loop as a test reads it: the {@code training} part of GET /v1/models. */
final class TrainingApi {
  private TrainingApi() {}

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
