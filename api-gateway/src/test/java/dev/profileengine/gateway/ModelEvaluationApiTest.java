package dev.profileengine.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.profileengine.gateway.wire.Json;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /v1/models/{version}/evaluation} on a real node with a registry: a version's stored
 * report as it is, 404 naming a version without one, 422 with the reason for a corrupt one (never a
 * 5xx), 400 for a malformed name, a read key suffices, and a report saved later shows at once.
 */
class ModelEvaluationApiTest {
  private static final String ADMIN = "Bearer " + ApiKeysTest.ADMIN_KEY;
  private static final String READ = "Bearer " + ApiKeysTest.READER_KEY;
  private static final String INGEST = "Bearer " + ApiKeysTest.INGEST_KEY;

  @TempDir
  static Path dir;
  static Path registry;
  static TestNode node;

  @BeforeAll
  static void start() throws Exception {
    registry = dir.resolve("models");
    TestRegistry.version(registry, "nb-gru-v1", true);
    TestRegistry.version(registry, "nb-gru-v2", false);
    Files.writeString(TestRegistry.version(registry, "broken", false).resolve(TestRegistry.REPORT), "{\"model\": {\"accuracy\": 0.8");
    TestRegistry.activate(registry, "nb-gru-v1");
    node = TestNode.start(dir.resolve("data"), Map.of("profile.model.registry-dir", registry.toString(),
        "profile.http.api-keys", List.of(ApiKeysTest.ADMIN_KEY + "=admin", ApiKeysTest.READER_KEY + "=read", ApiKeysTest.INGEST_KEY + "=ingest")));
  }

  @AfterAll
  static void stop() {
    if (node != null) node.close();
  }

  private static JsonNode refused(HttpResponse<String> r, int status) throws Exception {
    assertEquals(status, r.statusCode(), r.body());
    JsonNode body = Json.MAPPER.readTree(r.body());
    assertEquals("version", body.path("field").asText(), r.body());
    return body;
  }

  @Test
  void aStoredReportIsServedAsItIsToAReadKey() throws Exception {
    HttpResponse<String> r = node.get("/v1/models/nb-gru-v1/evaluation", READ);
    assertEquals(200, r.statusCode(), r.body());
    assertTrue(r.headers().firstValue("Content-Type").orElseThrow().startsWith("application/json"));
    assertEquals(Json.MAPPER.readTree(Files.readString(registry.resolve("nb-gru-v1").resolve(TestRegistry.REPORT))), Json.MAPPER.readTree(r.body()));
    JsonNode model = Json.MAPPER.readTree(r.body()).get("model");
    assertEquals("nb-gru-v1", model.get("version").asText());
    assertTrue(model.get("f1PerType").has("view") && model.get("reliability").size() == 10 && model.has("categoryHitRateAt10"), model.toString());
    assertEquals(200, node.get("/v1/models/nb-gru-v1/evaluation", ADMIN).statusCode());
  }

  @Test
  void aVersionWithoutAReportOrNotInTheRegistryIsA404NamingIt() throws Exception {
    assertTrue(refused(node.get("/v1/models/nb-gru-v2/evaluation", READ), 404).get("error").asText().contains("nb-gru-v2"));
    assertTrue(refused(node.get("/v1/models/nb-gru-v9/evaluation", READ), 404).get("error").asText().contains("nb-gru-v9"));
  }

  @Test
  void aCorruptReportIsA422WithTheReason() throws Exception {
    String error = refused(node.get("/v1/models/broken/evaluation", READ), 422).get("error").asText();
    assertTrue(error.contains("broken") && error.contains("not JSON"), error);
    // The model itself is untouched: the registry still lists it.
    assertTrue(node.get("/v1/models", READ).body().contains("\"broken\""));
  }

  @Test
  void aMalformedVersionNameIsA400() throws Exception {
    for (String bad : List.of("..%2F..%2Fetc", "a%20b", ".hidden", "x".repeat(101)))
      refused(node.get("/v1/models/" + bad + "/evaluation", READ), 400);
  }

  @Test
  void theReadScopeIsRequired() throws Exception {
    assertEquals(401, node.get("/v1/models/nb-gru-v1/evaluation").statusCode());
    assertEquals(403, node.get("/v1/models/nb-gru-v1/evaluation", INGEST).statusCode());
    assertEquals(405, node.send("POST", "/v1/models/nb-gru-v1/evaluation", "{}", ADMIN).statusCode());
  }

  @Test
  void aReportSavedLaterShowsWithoutARestart() throws Exception {
    TestRegistry.version(registry, "nb-gru-v3", false);
    refused(node.get("/v1/models/nb-gru-v3/evaluation", READ), 404);
    Files.copy(registry.resolve("nb-gru-v1").resolve(TestRegistry.REPORT), registry.resolve("nb-gru-v3").resolve(TestRegistry.REPORT));
    assertEquals(200, node.get("/v1/models/nb-gru-v3/evaluation", READ).statusCode());
  }
}
