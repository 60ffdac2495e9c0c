package dev.profileengine.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.profileengine.gateway.wire.Json;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One model version cluster-wide: two nodes on a PostgreSQL journal share a registry with two
 * versions; an activation and an A/B split set through one node are served by both within seconds,
 * {@code GET /v1/models} lists what each node serves, and a restarted node comes back serving the
 * stored assignment rather than its registry's ACTIVE version.
 */
class ClusterModelsTest {
  private static final long DEADLINE_SECONDS = 30;

  @TempDir
  Path dir;

  /** The committed default model under its own name and as {@code nb-gru-v2}; ACTIVE names v1. */
  private Path registry() throws Exception {
    Path source = Path.of("../model-store/models/nb-gru-v2");
    Path reg = dir.resolve("models");
    for (String version : List.of("nb-gru-v1", "nb-gru-v2")) {
      Path target = Files.createDirectories(reg.resolve(version));
      try (var files = Files.list(source)) {
        for (Path f : files.toList()) {
          if (f.getFileName().toString().equals("manifest.json")) {
            Files.writeString(target.resolve(f.getFileName()), Files.readString(f).replace("\"nb-gru-v2\"", "\"" + version + "\""));
          } else {
            Files.copy(f, target.resolve(f.getFileName()));
          }
        }
      }
    }
    Files.writeString(reg.resolve("ACTIVE"), "nb-gru-v1");
    return reg;
  }

  @Test
  void activationAndCandidateReachEveryNodeAndSurviveARestart() throws Exception {
    Path registry = registry();
    try (EmbeddedPostgres pg = EmbeddedPostgres.builder().setDataDirectory(dir.resolve("pg")).setCleanDataDirectory(true).start()) {
      String url = pg.getJdbcUrl("postgres", "postgres");
      int seedPort = TestNode.freePort();
      List<TestNode> nodes = new ArrayList<>();
      try {
        for (int i = 0; i < 2; i++) nodes.add(startNode(url, seedPort, i == 0 ? seedPort : 0, registry, i));
        TestNode.awaitMembers(nodes, 2);
        TestNode a = nodes.get(0);
        TestNode b = nodes.get(1);
        for (TestNode n : nodes) assertEquals("nb-gru-v1", models(n).get("serving").asText(), "the registry's ACTIVE before any assignment");

        HttpResponse<String> activated = a.send("POST", "/v1/models/nb-gru-v2/activate", "");
        assertEquals(200, activated.statusCode(), activated.body());
        assertEquals("nb-gru-v2", Json.MAPPER.readTree(activated.body()).at("/assignment/active").asText());
        JsonNode seen = awaitModels(b, m -> everyNode(m, 2, n -> n.path("serving").asText().equals("nb-gru-v2")));
        assertEquals("nb-gru-v2", seen.get("serving").asText(), seen.toString());
        assertEquals("nb-gru-v2", seen.at("/assignment/active").asText(), seen.toString());

        // The A/B split, set through the other node, applied on both.
        HttpResponse<String> split = b.send("PUT", "/v1/models/candidate", "{\"version\":\"nb-gru-v1\",\"percent\":30}");
        assertEquals(200, split.statusCode(), split.body());
        awaitModels(a, m -> everyNode(m, 2, n -> n.path("candidate").asText().equals("nb-gru-v1") && n.path("candidatePercent").asInt() == 30));
        JsonNode onA = models(a);
        assertEquals("nb-gru-v1", onA.get("candidate").asText());
        assertEquals(30, onA.get("candidatePercent").asInt());

        // Refused before anything is stored, naming the field.
        assertRefused(a.send("PUT", "/v1/models/candidate", "{\"version\":\"nb-gru-v9\",\"percent\":10}"), 404, "version");
        assertRefused(a.send("PUT", "/v1/models/candidate", "{\"version\":\"nb-gru-v2\",\"percent\":0}"), 400, "percent");
        assertRefused(a.send("PUT", "/v1/models/candidate", "{\"percent\":10}"), 400, "version");
        assertRefused(a.send("PUT", "/v1/models/candidate", "{\"version\":\"nb-gru-v2\",\"percent\":10}"), 400, "version"); // serving already
        assertRefused(a.send("PUT", "/v1/models/candidate", "{\"version\":\"nb-gru-v1\",\"percent\":10,\"x\":1}"), 400, "x");
        assertRefused(a.send("PUT", "/v1/models/candidate", "[]"), 400, "body");
        assertRefused(b.send("POST", "/v1/models/nb-gru-v9/activate", ""), 404, "version");
        long revision = models(a).at("/assignment/revision").asLong();
        assertEquals(2, revision, "two changes stored, the refused ones none");

        // A restarted node serves the stored assignment, not its registry's ACTIVE version.
        b.close();
        nodes.remove(1);
        TestNode.awaitMembers(nodes, 1);
        TestNode restarted = startNode(url, seedPort, 0, registry, 1);
        nodes.add(restarted);
        TestNode.awaitMembers(nodes, 2);
        // Ready only once it serves the assignment: no window on its registry's default after ready.
        awaitReady(restarted);
        JsonNode back = models(restarted);
        assertEquals("nb-gru-v2", back.path("serving").asText(), back.toString());
        assertEquals("nb-gru-v1", back.path("candidate").asText(), back.toString());
        assertEquals(30, back.path("candidatePercent").asInt(), back.toString());
        assertEquals(revision, back.at("/assignment/revision").asLong());
        awaitModels(a, m -> everyNode(m, 2, n -> n.path("serving").asText().equals("nb-gru-v2") && n.path("appliedRevision").asLong() == revision));

        HttpResponse<String> cleared = a.send("DELETE", "/v1/models/candidate", "");
        assertEquals(200, cleared.statusCode(), cleared.body());
        awaitModels(restarted, m -> everyNode(m, 2, n -> !n.hasNonNull("candidate") && n.path("serving").asText().equals("nb-gru-v2")));
      } finally {
        for (TestNode n : nodes) n.close();
      }
    }
  }

  private TestNode startNode(String url, int seedPort, int port, Path registry, int i) {
    Map<String, Object> config = new HashMap<>(ClusterCerts.postgresNode(ClusterCerts.secretDir(), url, seedPort, port));
    config.put("profile.model.registry-dir", registry.toString());
    config.put("profile.model.workers", 1);
    return TestNode.start(dir.resolve("node" + i), config);
  }

  private static void assertRefused(HttpResponse<String> r, int status, String field) throws Exception {
    assertEquals(status, r.statusCode(), r.body());
    assertEquals(field, Json.MAPPER.readTree(r.body()).path("field").asText(), r.body());
  }

  private static JsonNode models(TestNode n) throws Exception {
    HttpResponse<String> r = n.get("/v1/models");
    assertEquals(200, r.statusCode(), r.body());
    return Json.MAPPER.readTree(r.body());
  }

  /** True when {@code models} lists {@code count} nodes and each matches. */
  private static boolean everyNode(JsonNode models, int count, Predicate<JsonNode> each) {
    JsonNode nodes = models.path("nodes");
    if (nodes.size() != count) return false;
    for (JsonNode n : nodes) if (!each.test(n)) return false;
    return true;
  }

  /** Polls {@code GET /v1/models} until {@code done} holds, failing with the last answer after the deadline. */
  private static JsonNode awaitModels(TestNode n, Predicate<JsonNode> done) throws Exception {
    long deadline = System.nanoTime() + DEADLINE_SECONDS * 1_000_000_000L;
    JsonNode last = null;
    while (System.nanoTime() < deadline) {
      last = models(n);
      if (done.test(last)) return last;
      Thread.sleep(200);
    }
    throw new AssertionError("not applied within " + DEADLINE_SECONDS + " s; last GET /v1/models: " + last);
  }

  private static void awaitReady(TestNode n) throws Exception {
    long deadline = System.nanoTime() + DEADLINE_SECONDS * 1_000_000_000L;
    while (System.nanoTime() < deadline) {
      if (n.get("/ready").statusCode() == 200) return;
      Thread.sleep(200);
    }
    throw new AssertionError("restarted node not ready within " + DEADLINE_SECONDS + " s");
  }
}
