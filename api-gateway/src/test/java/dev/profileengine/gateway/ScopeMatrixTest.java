package dev.profileengine.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.stream.javadsl.Sink;
import akka.stream.javadsl.Source;
import com.fasterxml.jackson.databind.JsonNode;
import dev.profileengine.gateway.wire.Json;
import dev.profileengine.grpc.Event;
import dev.profileengine.grpc.GetProfileRequest;
import dev.profileengine.grpc.IdentifyRequest;
import dev.profileengine.grpc.IngestRequest;
import dev.profileengine.grpc.ProfileServiceClient;
import dev.profileengine.grpc.SubscribeRequest;
import dev.profileengine.grpc.UnmergeRequest;
import io.grpc.Status;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every HTTP route and gRPC RPC with a key of each scope (and none) against one node: the scope
 * matrix below, which is also the README's table, holds over both protocols.
 */
class ScopeMatrixTest {
  /** The scope each route or RPC requires ("open": none); admin keys may do everything. */
  static final Map<String, String> MATRIX = new LinkedHashMap<>();

  static {
    MATRIX.put("POST /v1/events", "ingest");
    MATRIX.put("POST /v1/identify", "ingest");
    MATRIX.put("POST /v1/profiles/{userId}/unmerge", "ingest");
    MATRIX.put("PUT /v1/profiles/{userId}/attributes", "ingest");
    MATRIX.put("PUT /v1/profiles/{userId}/consent", "ingest");
    MATRIX.put("GET /v1/profiles/{userId}", "read");
    MATRIX.put("GET /v1/profiles/{userId}/recommendations", "read");
    MATRIX.put("GET /v1/profiles/{userId}/export", "read");
    MATRIX.put("GET /v1/changes", "read");
    MATRIX.put("GET /v1/segments", "read");
    MATRIX.put("GET /v1/segments/{segmentId}/members", "read");
    MATRIX.put("GET /v1/models", "read");
    MATRIX.put("GET /v1/models/{version}/evaluation", "read");
    MATRIX.put("GET /v1/cluster/shards", "read");
    MATRIX.put("GET /v1/cluster/members", "read");
    MATRIX.put("DELETE /v1/profiles/{userId}", "admin");
    MATRIX.put("POST /v1/segments/reevaluate", "admin");
    MATRIX.put("POST /v1/models/{version}/activate", "admin");
    MATRIX.put("PUT /v1/models/candidate", "admin");
    MATRIX.put("DELETE /v1/models/candidate", "admin");
    MATRIX.put("POST /v1/models/train", "admin");
    MATRIX.put("GET /health", "open");
    MATRIX.put("GET /ready", "open");
    MATRIX.put("GET /metrics", "open");
    MATRIX.put("GET /openapi.yaml", "open");
    MATRIX.put("GET /console", "open");
    MATRIX.put("gRPC IngestEvents", "ingest");
    MATRIX.put("gRPC StreamEvents", "ingest");
    MATRIX.put("gRPC Identify", "ingest");
    MATRIX.put("gRPC Unmerge", "ingest");
    MATRIX.put("gRPC GetProfile", "read");
    MATRIX.put("gRPC SubscribeProfileChanges", "read");
  }

  static final Map<String, String> KEYS = Map.of("ingest", "scope-ingest-7f3a9c1e5b2d8046e1f9a3c7b5d2e8f4", "read", "scope-read-2b8e4f1a9c6d3075b2e8f4a1c7d9e3b6", "admin", "scope-admin-9d1c5e7a3f8b2046d9c1e5a7f3b8d2c4");

  @TempDir
  static Path dataDir;
  static TestNode node;
  static final Map<String, ProfileServiceClient> grpc = new LinkedHashMap<>();
  static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  static final AtomicInteger seq = new AtomicInteger();

  @BeforeAll
  static void start() throws Exception {
    node = TestNode.start(dataDir, Map.of("profile.http.api-keys-env",
        KEYS.get("ingest") + "=ingest," + KEYS.get("read") + "=read," + KEYS.get("admin") + "=admin"));
    for (String scope : List.of("ingest", "read", "admin")) grpc.put(scope, TestGrpc.client(node, KEYS.get(scope)));
    grpc.put("none", TestGrpc.client(node, null));
    HttpResponse<String> r = node.send("POST", "/v1/events", event("seed", "scope-u"), "Bearer " + KEYS.get("admin"));
    assertEquals(200, r.statusCode(), r.body());
  }

  @AfterAll
  static void stop() {
    grpc.values().forEach(ProfileServiceClient::close);
    node.close();
  }

  private static String event(String id, String user) {
    return "{\"eventId\":\"" + id + "\",\"userId\":\"" + user + "\",\"type\":\"view\",\"timestamp\":\"" + Instant.now().minusSeconds(30)
        + "\",\"itemId\":\"i1\",\"categoryId\":\"c1\"}";
  }

  /** One request for a matrix row: method and path with the placeholders filled, and a body. */
  private static HttpRequest.Builder request(String row) {
    String[] parts = row.split(" ", 2);
    String path = parts[1]
        .replace("{userId}", row.startsWith("DELETE") ? "scope-forget-" + seq.incrementAndGet() : "scope-u")
        .replace("{segmentId}", "cart_abandoners")
        .replace("{version}", "v-none");
    String body = switch (row) {
      case "POST /v1/events" -> event("e" + seq.incrementAndGet(), "scope-u");
      case "PUT /v1/profiles/{userId}/attributes" -> "{\"tier\":\"gold\"}";
      case "PUT /v1/profiles/{userId}/consent" -> "{\"ads\":true}";
      case "POST /v1/identify" -> "{\"userId\":\"scope-u\",\"anonymousId\":\"scope-anon\"}";
      case "POST /v1/profiles/{userId}/unmerge" -> "{\"anonymousId\":\"scope-never-linked\"}";
      default -> null;
    };
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(node.base + path)).timeout(Duration.ofSeconds(30));
    return body == null ? b.method(parts[0], HttpRequest.BodyPublishers.noBody())
        : b.header("Content-Type", "application/json").method(parts[0], HttpRequest.BodyPublishers.ofString(body));
  }

  /** The status only: the body is not read (the change stream would not end). */
  private static int status(String row, String key) throws Exception {
    HttpRequest.Builder b = request(row);
    if (key != null) b.header("Authorization", "Bearer " + key);
    HttpResponse<InputStream> r = http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
    r.body().close();
    return r.statusCode();
  }

  private static boolean allowed(String required, String scope) {
    return required.equals("open") || required.equals(scope) || scope.equals("admin");
  }

  @Test
  void everyHttpRouteWithEveryScope() throws Exception {
    List<String> wrong = new ArrayList<>();
    for (var row : MATRIX.entrySet()) {
      if (row.getKey().startsWith("gRPC")) continue;
      for (String scope : List.of("ingest", "read", "admin", "none")) {
        int status = status(row.getKey(), scope.equals("none") ? null : KEYS.get(scope));
        boolean expectAllowed = allowed(row.getValue(), scope);
        boolean ok = expectAllowed ? status != 401 && status != 403 : status == (scope.equals("none") ? 401 : 403);
        if (!ok) wrong.add(row.getKey() + " with " + scope + " key: " + status);
      }
    }
    assertTrue(wrong.isEmpty(), String.join("\n", wrong));
  }

  private static Event grpcEvent() {
    return Event.newBuilder().setEventId("g" + seq.incrementAndGet()).setUserId("scope-u").setType("view")
        .setTimestampMs(Instant.now().minusSeconds(30).toEpochMilli()).build();
  }

  private static final Map<String, Function<ProfileServiceClient, CompletionStage<?>>> RPCS = Map.of(
      "gRPC IngestEvents", c -> c.ingestEvents(IngestRequest.newBuilder().addEvents(grpcEvent()).build()),
      "gRPC StreamEvents", c -> c.streamEvents(Source.single(grpcEvent())).runWith(Sink.seq(), node.node.system()),
      "gRPC Identify", c -> c.identify(IdentifyRequest.newBuilder().setUserId("scope-u").setAnonymousId("scope-anon").build()),
      // Linked first so that an allowed key's unmerge succeeds (a key that may not ingest is refused at the first call).
      "gRPC Unmerge", c -> {
        String anon = "scope-split-" + seq.incrementAndGet();
        return c.identify(IdentifyRequest.newBuilder().setUserId("scope-u").setAnonymousId(anon).build())
            .thenCompose(linked -> c.unmerge(UnmergeRequest.newBuilder().setProfileId("scope-u").setAnonymousId(anon).build()));
      },
      "gRPC GetProfile", c -> c.getProfile(GetProfileRequest.newBuilder().setUserId("scope-u").build()),
      "gRPC SubscribeProfileChanges", c -> c.subscribeProfileChanges(SubscribeRequest.newBuilder().setFromOffset(0).addUserIds("scope-u").build())
          .runWith(Sink.head(), node.node.system()));

  @Test
  void everyRpcWithEveryScope() throws Exception {
    List<String> wrong = new ArrayList<>();
    for (var row : MATRIX.entrySet()) {
      if (!row.getKey().startsWith("gRPC")) continue;
      assertTrue(RPCS.containsKey(row.getKey()), row.getKey());
      for (var client : grpc.entrySet()) {
        Status.Code code;
        try {
          RPCS.get(row.getKey()).apply(client.getValue()).toCompletableFuture().get(30, TimeUnit.SECONDS);
          code = Status.Code.OK;
        } catch (java.util.concurrent.ExecutionException e) {
          code = TestGrpc.status(e).getCode();
        }
        Status.Code expected = allowed(row.getValue(), client.getKey()) ? Status.Code.OK
            : client.getKey().equals("none") ? Status.Code.UNAUTHENTICATED : Status.Code.PERMISSION_DENIED;
        if (code != expected) wrong.add(row.getKey() + " with " + client.getKey() + " key: " + code + ", expected " + expected);
      }
    }
    assertTrue(wrong.isEmpty(), String.join("\n", wrong));
  }

  /** A node without the model tools says so, and refuses a training run naming the setting, without starting anything. */
  @Test
  void aNodeThatCannotTrainRefusesARunAndSaysWhy() throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(node.base + "/v1/models/train")).timeout(Duration.ofSeconds(30))
        .header("Authorization", "Bearer " + KEYS.get("admin")).POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(409, r.statusCode(), r.body());
    assertTrue(r.body().contains("trainer-jar"), r.body());
    HttpResponse<String> m = http.send(HttpRequest.newBuilder(URI.create(node.base + "/v1/models")).timeout(Duration.ofSeconds(30))
        .header("Authorization", "Bearer " + KEYS.get("read")).GET().build(), HttpResponse.BodyHandlers.ofString());
    com.fasterxml.jackson.databind.JsonNode training = dev.profileengine.gateway.wire.Json.MAPPER.readTree(m.body()).get("training");
    assertFalse(training.get("available").asBoolean(), training.toString());
    assertTrue(training.get("unavailableBecause").asText().contains("PROFILE_TRAINER_JAR"), training.toString());
    assertEquals(0, training.get("runs").size());
  }

  @Test
  void theReadmeTableIsThisMatrix() throws Exception {
    String readme = Files.readString(Path.of("..", "README.md"));
    Matcher m = Pattern.compile("(?m)^\\| `([^`]+)` \\| (ingest|read|admin|open) \\|").matcher(readme);
    Map<String, String> documented = new LinkedHashMap<>();
    while (m.find()) documented.put(m.group(1), m.group(2));
    assertEquals(MATRIX, documented);
  }

  @Test
  void aWriteAnswersTheProfileOnlyToAKeyThatMayReadIt() throws Exception {
    for (String row : List.of("PUT /v1/profiles/{userId}/attributes", "PUT /v1/profiles/{userId}/consent")) {
      HttpResponse<String> ingestOnly = http.send(request(row).header("Authorization", "Bearer " + KEYS.get("ingest")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(200, ingestOnly.statusCode(), ingestOnly.body());
      JsonNode ack = Json.MAPPER.readTree(ingestOnly.body());
      assertEquals(Map.of("userId", "scope-u", "acknowledged", true), Json.MAPPER.convertValue(ack, Map.class), row);
      HttpResponse<String> admin = http.send(request(row).header("Authorization", "Bearer " + KEYS.get("admin")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertTrue(Json.MAPPER.readTree(admin.body()).has("eventCount"), admin.body());
    }
  }

  @Test
  void anEmptyOrUnchangedAttributesWriteStoresNothing() throws Exception {
    String admin = "Bearer " + KEYS.get("admin");
    assertEquals(200, node.send("POST", "/v1/events", event("noop-seed", "scope-noop"), admin).statusCode());
    assertEquals(200, node.send("PUT", "/v1/profiles/scope-noop/attributes", "{\"tier\":\"gold\"}", admin).statusCode());
    // Attribute rows only: a prediction for the seed event is journaled whenever it lands.
    int rows = attributeRows(node.get("/v1/profiles/scope-noop/export", admin).body());
    assertEquals(1, rows);
    for (String body : List.of("{}", "{\"tier\":\"gold\"}", "{\"absent\":null}")) {
      HttpResponse<String> r = node.send("PUT", "/v1/profiles/scope-noop/attributes", body, "Bearer " + KEYS.get("ingest"));
      assertEquals(200, r.statusCode(), r.body());
      assertEquals(rows, attributeRows(node.get("/v1/profiles/scope-noop/export", admin).body()), body);
    }
    assertEquals(200, node.send("PUT", "/v1/profiles/scope-noop/attributes", "{\"tier\":\"silver\"}", admin).statusCode());
    JsonNode export = Json.MAPPER.readTree(node.get("/v1/profiles/scope-noop/export", admin).body());
    assertEquals(rows + 1, attributeRows(export.toString()));
    assertFalse(export.toString().contains("\"absent\""));
  }

  private static int attributeRows(String exportJson) throws Exception {
    int n = 0;
    for (JsonNode e : Json.MAPPER.readTree(exportJson).get("events")) if (e.path("kind").asText().equals("attributes")) n++;
    return n;
  }
}
