package dev.profileengine.engine.node;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Each node of a still membership places the unplaced shards of its rank; together they place every shard once. */
class ShardPlacementTest {
  @Test
  void theRanksShareTheShardsAndSkipThosePlaced() {
    assertEquals(List.of(0, 3, 6, 9), ShardPlacement.mine(10, 3, 0, Set.of()));
    assertEquals(List.of(1, 7), ShardPlacement.mine(10, 3, 1, Set.of(4)));
    assertEquals(List.of(), ShardPlacement.mine(10, 3, 2, Set.of(2, 5, 8)));
    int total = 0;
    for (int rank = 0; rank < 3; rank++) total += ShardPlacement.mine(256, 3, rank, Set.of()).size();
    assertEquals(256, total);
  }
}
