package dev.profileengine.gateway;

import com.typesafe.config.ConfigFactory;
import dev.profileengine.gateway.wire.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/** A real node on loopback with free ports and its own data directory, plus a real HTTP client. */
final class TestNode implements AutoCloseable {
  final ProfileNode node;
  final URI base;
  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private TestNode(ProfileNode node) {
    this.node = node;
    this.base = URI.create("http://127.0.0.1:" + node.httpPort());
  }

  static TestNode start(Path dataDir) {
    return start(dataDir, Map.of());
  }

  /** A node with free HTTP and Artery ports (unless {@code overrides} names them) and more settings. */
  static TestNode start(Path dataDir, Map<String, Object> overrides) {
    Map<String, Object> config = new java.util.HashMap<>(Map.of(
        "profile.data-dir", dataDir.toString(),
        "profile.http.port", 0,
        "akka.remote.artery.canonical.port", 0,
        "akka.management.http.port", 0,
        "profile.grpc.port", 0));
    config.putAll(overrides);
    return new TestNode(ProfileNode.start(ProfileNode.config(ConfigFactory.parseMap(config))));
  }

  /**
   * A profile's JSON without its {@code prediction}, which is refreshed asynchronously and so may
   * change between two reads of an otherwise unchanged profile, nor what reads the prediction: {@code
   * churn} and {@code segments}.
   */
  static com.fasterxml.jackson.databind.JsonNode withoutPrediction(String profileJson) throws IOException {
    com.fasterxml.jackson.databind.node.ObjectNode p = (com.fasterxml.jackson.databind.node.ObjectNode) Json.MAPPER.readTree(profileJson);
    p.remove("prediction");
    p.remove("segments");
    p.remove("churn");
    return p;
  }

  /** Waits (60 s at most) until every node sees {@code count} members Up. */
  static void awaitMembers(java.util.List<TestNode> nodes, int count) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      boolean all = nodes.stream().allMatch(n -> {
        int up = 0;
        for (var m : akka.cluster.typed.Cluster.get(n.node.system()).state().getMembers())
          if (m.status() == akka.cluster.MemberStatus.up()) up++;
        return up == count;
      });
      if (all) return;
      Thread.sleep(200);
    }
    throw new AssertionError("cluster of " + count + " did not form in 60 s");
  }

  /**
   * Waits (60 s at most) until the cluster's nodes host all {@code shards} shards between them, each
   * node some ({@code node.ShardPlacement} places them once the membership is still).
   */
  static void awaitShardsPlaced(java.util.List<TestNode> nodes, int shards, String apiKey) throws Exception {
    java.util.List<java.net.URI> urls = nodes.stream().map(n -> n.base).toList();
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    dev.profileengine.gateway.replay.ShardRouting routing = null;
    while (System.nanoTime() < deadline) {
      routing = dev.profileengine.gateway.replay.ShardRouting.fetch(urls, apiKey);
      if (routing.routedShards() == shards && routing.nodesHosting() == nodes.size()) return;
      Thread.sleep(200);
    }
    throw new AssertionError("shards not placed on every node within 60 s: " + (routing == null ? "-" : routing.routedShards() + " placed on " + routing.nodesHosting() + " nodes"));
  }

  /** Replays {@code rows} into this node with the replay client (batches of 500, 4 lanes). */
  dev.profileengine.gateway.replay.Replayer.Progress replay(java.util.List<dev.profileengine.data.BehaviorRow> rows) throws InterruptedException {
    return replay(rows, null);
  }

  /** The same with API key {@code key} (null: none, for a node without keys). */
  dev.profileengine.gateway.replay.Replayer.Progress replay(java.util.List<dev.profileengine.data.BehaviorRow> rows, String key) throws InterruptedException {
    return new dev.profileengine.gateway.replay.Replayer(new dev.profileengine.gateway.replay.Replayer.Options(base, 500, 4, 8, key))
        .run(rows, p -> {});
  }

  /** All members of a segment through the paginated API ({@code pageSize} per page); fails on a repeat. */
  java.util.Set<String> segmentMembers(String segment, int pageSize) throws IOException, InterruptedException {
    java.util.Set<String> all = new java.util.TreeSet<>();
    String after = null;
    do {
      HttpResponse<String> r = get("/v1/segments/" + segment + "/members?limit=" + pageSize + (after == null ? "" : "&after=" + after));
      org.junit.jupiter.api.Assertions.assertEquals(200, r.statusCode(), r.body());
      com.fasterxml.jackson.databind.JsonNode page = Json.MAPPER.readTree(r.body());
      for (com.fasterxml.jackson.databind.JsonNode m : page.get("members"))
        org.junit.jupiter.api.Assertions.assertTrue(all.add(m.get("userId").asText()), "listed twice: " + m);
      after = page.hasNonNull("next") ? page.get("next").asText() : null;
    } while (after != null);
    return all;
  }

  /** A segment's members once the projection has caught up: the same list twice, 1.5 s apart (within 60 s). */
  java.util.Set<String> settledSegmentMembers(String segment) throws IOException, InterruptedException {
    java.util.Set<String> last = null;
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      java.util.Set<String> now = segmentMembers(segment, 500);
      if (now.equals(last)) return now;
      last = now;
      Thread.sleep(1500);
    }
    return last;
  }

  /** A TCP port free right now on loopback. */
  static int freePort() {
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** The value of one sample of {@code /metrics} (name with its labels, as printed), 0 when absent. */
  double metric(String sample) throws IOException, InterruptedException {
    for (String line : get("/metrics").body().split("\n")) {
      if (line.startsWith(sample + " ")) return Double.parseDouble(line.substring(sample.length() + 1).strip());
    }
    return 0;
  }

  HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return get(path, null);
  }

  HttpResponse<String> get(String path, String authorization) throws IOException, InterruptedException {
    return client.send(request(path, authorization).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> send(String method, String path, String body) throws IOException, InterruptedException {
    return send(method, path, body, null);
  }

  HttpResponse<String> send(String method, String path, String body, String authorization) throws IOException, InterruptedException {
    return client.send(request(path, authorization).header("Content-Type", "application/json")
        .method(method, HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** A request with these bytes as its body and exactly these headers (no Content-Type unless given). */
  HttpResponse<String> sendBytes(String method, String path, byte[] body, String authorization, Map<String, String> headers)
      throws IOException, InterruptedException {
    HttpRequest.Builder b = request(path, authorization).method(method, HttpRequest.BodyPublishers.ofByteArray(body));
    headers.forEach(b::header);
    return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /**
   * A POST of a body over the node's limit. The node answers 413 from the declared length and closes
   * the connection; a body still being written into it may reset it and lose that answer, so a
   * transport error is asked again (three times at most), never taken for an answer.
   */
  HttpResponse<String> postOversized(String path, String body) throws IOException, InterruptedException {
    IOException last = null;
    for (int attempt = 0; attempt < 3; attempt++) {
      try {
        return send("POST", path, body);
      } catch (IOException e) {
        last = e;
      }
    }
    throw last;
  }

  private HttpRequest.Builder request(String path, String authorization) {
    HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30));
    return authorization == null ? b : b.header("Authorization", authorization);
  }

  @Override
  public void close() {
    node.close();
  }
}
