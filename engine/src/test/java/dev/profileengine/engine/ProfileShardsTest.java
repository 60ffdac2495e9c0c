package dev.profileengine.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Profiles spread evenly over the shards, numeric user ids (Taobao's) too. */
class ProfileShardsTest {
  private static int[] perShard(java.util.function.ToIntFunction<String> shardOf, int users) {
    int[] counts = new int[256];
    for (int u = 0; u < users; u++) counts[shardOf.applyAsInt(Integer.toString(100_000 + u * 17))]++;
    return counts;
  }

  @Test
  void numericUserIdsFillEveryShardAboutEqually() {
    ProfileShards shards = new ProfileShards(256);
    int users = 66_450;
    int[] mixed = perShard(id -> Integer.parseInt(shards.shardId(id)), users);
    int[] plain = perShard(id -> Math.abs(id.hashCode() % 256), users);
    double mean = users / 256.0;
    double mixedMax = java.util.Arrays.stream(mixed).max().orElseThrow();
    double plainMax = java.util.Arrays.stream(plain).max().orElseThrow();
    assertTrue(mixedMax < 1.3 * mean, "the fullest shard holds " + mixedMax + " users, the mean is " + mean);
    assertTrue(plainMax > 1.3 * mean, "the plain hash code is uneven on these ids (" + plainMax + "), or the test proves nothing");
  }

  @Test
  void aUserAlwaysMapsToTheSameShardInRange() {
    ProfileShards shards = new ProfileShards(7);
    for (String id : new String[] {"", "u1", "1000001", "ü-ñ", "x".repeat(128)}) {
      String shard = shards.shardId(id);
      assertEquals(shard, new ProfileShards(7).shardId(id));
      int n = Integer.parseInt(shard);
      assertTrue(n >= 0 && n < 7, id + " -> " + shard);
    }
  }

  @Test
  void onePlacementIdPerShardAndNoneAClientCouldSend() {
    ProfileShards shards = new ProfileShards(256);
    java.util.List<String> ids = shards.placementIds();
    assertEquals(256, ids.size());
    for (int s = 0; s < 256; s++) {
      assertEquals(Integer.toString(s), shards.shardId(ids.get(s)), ids.get(s));
      assertTrue(ProfileShards.isPlacementId(ids.get(s)));
    }
    assertTrue(!ProfileShards.isPlacementId("u42") && !ProfileShards.isPlacementId("~email:h:1"));
  }
}
