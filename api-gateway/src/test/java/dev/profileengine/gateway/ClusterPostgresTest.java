package dev.profileengine.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.profileengine.data.BehaviorRow;
import dev.profileengine.data.SampleFiles;
import dev.profileengine.data.TaobaoCsv;
import dev.profileengine.gateway.replay.Replayer;
import dev.profileengine.gateway.wire.Json;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three nodes on loopback form one cluster over a real PostgreSQL journal. Events of the same users
 * are sent through different nodes; every node then serves identical profiles that match counts
 * computed independently here.
 */
class ClusterPostgresTest {
  private static final int USERS = 60;

  @TempDir
  Path dir;

  @Test
  void threeNodesShareUsersThroughShardingAndAgree() throws Exception {
    List<BehaviorRow> rows = firstUsers(TaobaoCsv.read(SampleFiles.find("taobao-userbehavior-users.csv"), b -> {}), USERS);
    Map<String, Map<String, Long>> expected = new TreeMap<>();
    for (BehaviorRow r : distinct(rows)) expected.computeIfAbsent(r.userId(), u -> new HashMap<>()).merge(r.type().wire(), 1L, Long::sum);

    try (PostgresCluster cluster = PostgresCluster.start(dir, 3)) {
      List<TestNode> nodes = cluster.nodes();

      // Batches in time order, each through the next node: one user's events travel through all three.
      List<BehaviorRow> ordered = new ArrayList<>(rows);
      ordered.sort(java.util.Comparator.comparingLong(BehaviorRow::epochSecond));
      int sent = 0;
      for (int from = 0, n = 0; from < ordered.size(); from += 200, n++) {
        List<BehaviorRow> batch = ordered.subList(from, Math.min(ordered.size(), from + 200));
        ArrayNode body = Json.MAPPER.createArrayNode();
        batch.forEach(r -> body.add(Replayer.toJson(r)));
        HttpResponse<String> resp = nodes.get(n % 3).send("POST", "/v1/events", body.toString());
        assertEquals(200, resp.statusCode(), resp.body());
        assertEquals(0, Json.MAPPER.readTree(resp.body()).get("rejected").asLong(), resp.body());
        sent += batch.size();
      }
      assertEquals(rows.size(), sent);

      for (String user : expected.keySet()) {
        JsonNode first = null;
        for (TestNode node : nodes) {
          HttpResponse<String> r = node.get("/v1/profiles/" + user);
          assertEquals(200, r.statusCode());
          JsonNode profile = TestNode.withoutPrediction(r.body());
          if (first == null) first = profile;
          else assertEquals(first, profile, "every node serves the same profile of " + user);
        }
        JsonNode lifetime = first.path("counts").path("lifetime");
        for (var e : expected.get(user).entrySet()) {
          assertEquals(e.getValue().longValue(), lifetime.path(e.getKey()).asLong(), user + " " + e.getKey());
        }
      }
    }
  }

  private static List<BehaviorRow> firstUsers(List<BehaviorRow> all, int users) {
    Map<String, List<BehaviorRow>> byUser = new LinkedHashMap<>();
    for (BehaviorRow r : all) {
      if (byUser.size() == users && !byUser.containsKey(r.userId())) break;
      byUser.computeIfAbsent(r.userId(), u -> new ArrayList<>()).add(r);
    }
    return byUser.values().stream().flatMap(List::stream).toList();
  }

  private static List<BehaviorRow> distinct(List<BehaviorRow> rows) {
    Map<String, BehaviorRow> byId = new LinkedHashMap<>();
    rows.forEach(r -> byId.putIfAbsent(r.eventId(), r));
    return new ArrayList<>(byId.values());
  }
}
