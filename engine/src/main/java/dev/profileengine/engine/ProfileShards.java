package dev.profileengine.engine;

import akka.cluster.sharding.typed.ShardingEnvelope;
import akka.cluster.sharding.typed.ShardingMessageExtractor;

/**
 * Which shard a user's profile lives in: the user id's hash code, mixed (MurmurHash3's finalizer),
 * modulo the number of shards. Akka's default takes the hash code modulo the number of shards, and
 * the hash codes of numeric ids (Taobao's users) fall very unevenly on 256 shards: from 82 to 454
 * of the sample's 66,450 users per shard, 216 to 317 mixed. The per-node entity limit is divided
 * among shards, so the crowded shards passivated 1,605 users long before the node held the limit,
 * and uneven shards make uneven nodes.
 *
 * <p>Every node of a cluster must use the same shard function and number of shards: changing
 * either needs a full cluster restart, not a rolling one.
 */
public final class ProfileShards extends ShardingMessageExtractor<ShardingEnvelope<UserProfile.Command>, UserProfile.Command> {
  private final int shards;

  public ProfileShards(int shards) {
    if (shards <= 0) throw new IllegalArgumentException("number of shards must be positive, was " + shards);
    this.shards = shards;
  }

  @Override
  public String entityId(ShardingEnvelope<UserProfile.Command> envelope) {
    return envelope.entityId();
  }

  @Override
  public String shardId(String entityId) {
    return Integer.toString(Math.floorMod(mix(entityId.hashCode()), shards));
  }

  @Override
  public UserProfile.Command unwrapMessage(ShardingEnvelope<UserProfile.Command> envelope) {
    return envelope.message();
  }

  /** Profile ids no client can send ({@code ~} starts identity keys, and no identity type is "placement"). */
  private static final String PLACEMENT_PREFIX = "~placement:";

  /** Whether {@code id} is one of {@link #placementIds}: an entity that only places its shard. */
  public static boolean isPlacementId(String id) {
    return id.startsWith(PLACEMENT_PREFIX);
  }

  /** One reserved profile id per shard, index = shard: reading it starts (places) that shard. */
  public java.util.List<String> placementIds() {
    String[] ids = new String[shards];
    int found = 0;
    for (long k = 0; found < shards; k++) {
      String id = PLACEMENT_PREFIX + k;
      int s = Integer.parseInt(shardId(id));
      if (ids[s] == null) {
        ids[s] = id;
        found++;
      }
    }
    return java.util.List.of(ids);
  }

  /** MurmurHash3's 32-bit finalizer: every input bit affects every output bit. */
  static int mix(int h) {
    h ^= h >>> 16;
    h *= 0x85ebca6b;
    h ^= h >>> 13;
    h *= 0xc2b2ae35;
    h ^= h >>> 16;
    return h;
  }
}
