package dev.profileengine.engine;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The requester takes a shard only while it stays within its fair share, so the rebalancer has nothing to move. */
class RequesterFirstAllocationTest {
  @Test
  void theRequesterTakesShardsUpToItsFairShare() {
    // 256 shards over 3 regions: at most 86 each.
    assertTrue(RequesterFirstAllocation.takesRequester(0, 3, 256));
    assertTrue(RequesterFirstAllocation.takesRequester(85, 3, 256));
    assertFalse(RequesterFirstAllocation.takesRequester(86, 3, 256));
    // One region alone takes every shard; two split them evenly.
    assertTrue(RequesterFirstAllocation.takesRequester(255, 1, 256));
    assertTrue(RequesterFirstAllocation.takesRequester(127, 2, 256));
    assertFalse(RequesterFirstAllocation.takesRequester(128, 2, 256));
  }

  @Test
  void whileShardsArePlacedOnlyARegionOverItsShareOfAllShardsIsRebalanced() {
    // 256 shards, 3 regions, 120 placed unevenly: nothing moves.
    assertFalse(RequesterFirstAllocation.mayRebalance(java.util.List.of(60, 40, 20), 256));
    // One region over 86 of all 256: it gives some up.
    assertTrue(RequesterFirstAllocation.mayRebalance(java.util.List.of(90, 10, 0), 256));
    // All placed: Akka's least-shard rebalance decides (a joining node takes over load).
    assertTrue(RequesterFirstAllocation.mayRebalance(java.util.List.of(128, 128, 0), 256));
    assertFalse(RequesterFirstAllocation.mayRebalance(java.util.List.of(), 256));
  }
}
