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
}
