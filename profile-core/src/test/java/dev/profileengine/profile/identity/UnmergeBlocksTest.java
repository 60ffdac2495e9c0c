package dev.profileengine.profile.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.profileengine.profile.Identity;
import dev.profileengine.profile.IdentityLinks;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What an unmerge leaves behind so that events naming the split identities together do not join them again. */
class UnmergeBlocksTest {
  private static final String ANN = "u-ann";
  private static final String PHONE = Identity.anonymousId("phone").key();
  private static final String DEVICE = new Identity("device", "d-1").key();

  @Test
  void eitherSideOfAnUnmergeBlocksTheOther() {
    var ann = new UnmergeBlocks.Side(ANN, List.of(ANN), List.of(PHONE, DEVICE));
    var phone = new UnmergeBlocks.Side(PHONE, List.of(PHONE, DEVICE), List.of());
    var blocked = UnmergeBlocks.check(List.of(ann, phone)).orElseThrow();
    assertEquals(ANN, blocked.profile());
    assertEquals(PHONE, blocked.key());
    assertEquals("anonymousId", blocked.field());
    assertTrue(blocked.reason().contains("POST /v1/identify"), blocked.reason());
    // The restored side's own block holds when the other one lost its own (merged into a third profile).
    var merged = new UnmergeBlocks.Side("u-other", List.of("u-other", ANN), List.of());
    var restored = new UnmergeBlocks.Side(PHONE, List.of(PHONE), List.of(ANN));
    assertEquals(new UnmergeBlocks.Blocked(PHONE, ANN), UnmergeBlocks.check(List.of(merged, restored)).orElseThrow());
    assertEquals("userId", UnmergeBlocks.check(List.of(merged, restored)).orElseThrow().field());
  }

  @Test
  void profilesWithoutBlocksOrWithBlocksOnOthersJoin() {
    var ann = new UnmergeBlocks.Side(ANN, List.of(ANN), List.of(DEVICE));
    var phone = new UnmergeBlocks.Side(PHONE, List.of(PHONE), List.of());
    assertTrue(UnmergeBlocks.check(List.of(ann, phone)).isEmpty());
    assertTrue(UnmergeBlocks.check(List.of(ann)).isEmpty(), "a profile does not block itself");
    assertTrue(UnmergeBlocks.check(List.of()).isEmpty());
  }

  @Test
  void blocksAreKeptByLinksAndLiftedByALinkOrAMergeAway() {
    IdentityLinks links = IdentityLinks.NONE.linked(List.of(PHONE, DEVICE), PHONE);
    IdentityLinks split = links.unlinked(List.of(PHONE, DEVICE)).blocking(List.of(PHONE, DEVICE));
    assertEquals(List.of(PHONE, DEVICE).stream().sorted().toList(), split.blocked());
    assertEquals(Map.of(), split.groups());
    // Blocks survive every other change of the links: other links, seen-with records, a pending step.
    IdentityLinks busy = split.linked(List.of("~email:h:1"), "~email:h:1").seen(List.of(ANN), 3)
        .withPending(new IdentityLinks.Pending(IdentityLinks.Pending.Kind.MERGE, "x"));
    assertEquals(split.blocked(), busy.blocked());
    assertEquals(split.blocked(), split.blocking(List.of(PHONE)).blocked(), "a repeat blocks nothing more");
    // A deliberate link lifts the blocks of what it links, only those.
    assertEquals(List.of(DEVICE), split.unblocked(List.of(PHONE)).blocked());
    // A profile merged away holds no blocks: the canonical one answers for it.
    assertEquals(List.of(), split.withMergedInto(ANN).blocked());
    assertEquals(List.of(), new IdentityLinks(Map.of(), null, null, null, null).blocked(), "absent in older snapshots: nothing blocked");
  }
}
