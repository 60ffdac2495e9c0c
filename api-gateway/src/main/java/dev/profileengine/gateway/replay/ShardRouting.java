package dev.profileengine.gateway.replay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.profileengine.engine.ProfileShards;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Sends each user to the node that hosts the user's shard ({@code GET /v1/cluster/shards} of every
 * node: its own address, and which node hosts which shard), so that no event takes a hop from the
 * node that received it to the one that stores it. Users of a shard not started yet, or of a node not
 * among the given URLs, go to a node chosen by their shard, so that every user of a shard goes to one
 * node; a cold cluster then places the shard there ({@code RequesterFirstAllocation}).
 */
public final class ShardRouting {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final List<URI> nodes;
  private final ProfileShards shardFunction;
  private final int[] nodeOfShard;

  ShardRouting(List<URI> nodes, int shards, int[] nodeOfShard) {
    this.nodes = List.copyOf(nodes);
    this.shardFunction = new ProfileShards(shards);
    this.nodeOfShard = nodeOfShard.clone();
  }

  /** Asks every node for its address and the cluster's shard owners. */
  public static ShardRouting fetch(List<URI> nodes, String apiKey) throws IOException, InterruptedException {
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    Map<String, Integer> nodeByAddress = new HashMap<>();
    JsonNode owners = null;
    int shards = 0;
    for (int i = 0; i < nodes.size(); i++) {
      HttpRequest.Builder req = HttpRequest.newBuilder(nodes.get(i).resolve("/v1/cluster/shards")).timeout(Duration.ofSeconds(30)).GET();
      if (apiKey != null) req.header("Authorization", "Bearer " + apiKey);
      HttpResponse<byte[]> resp = client.send(req.build(), HttpResponse.BodyHandlers.ofByteArray());
      if (resp.statusCode() != 200) throw new IOException(nodes.get(i) + "/v1/cluster/shards answered HTTP " + resp.statusCode());
      JsonNode body = JSON.readTree(resp.body());
      nodeByAddress.put(body.path("self").asText(), i);
      owners = body.path("owners");
      shards = body.path("shards").asInt();
    }
    int[] nodeOfShard = new int[shards];
    java.util.Arrays.fill(nodeOfShard, -1);
    if (owners != null) {
      for (var it = owners.fields(); it.hasNext(); ) {
        var entry = it.next();
        Integer node = nodeByAddress.get(entry.getKey());
        if (node == null) continue;
        for (JsonNode shard : entry.getValue()) nodeOfShard[shard.asInt()] = node;
      }
    }
    return new ShardRouting(nodes, shards, nodeOfShard);
  }

  /** The index (in the given URLs) of the node to send this user's events to. */
  public int nodeOf(String userId) {
    int shard = Integer.parseInt(shardFunction.shardId(userId));
    int node = nodeOfShard[shard];
    return node >= 0 ? node : Math.floorMod(shard, nodes.size());
  }

  /** Whether the node hosting this user's shard is known. */
  public boolean placed(String userId) {
    return nodeOfShard[Integer.parseInt(shardFunction.shardId(userId))] >= 0;
  }

  /** How many of the given nodes host at least one shard. */
  public long nodesHosting() {
    return java.util.Arrays.stream(nodeOfShard).filter(n -> n >= 0).distinct().count();
  }

  /** Shards whose node is known. */
  public long routedShards() {
    return java.util.Arrays.stream(nodeOfShard).filter(n -> n >= 0).count();
  }

  public List<URI> nodes() {
    return nodes;
  }
}
