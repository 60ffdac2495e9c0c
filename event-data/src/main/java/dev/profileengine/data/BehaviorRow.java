package dev.profileengine.data;

import dev.profileengine.profile.BehaviorType;

/**
 * One row of a Taobao UserBehavior file: who did what to which item of which category, when.
 * {@code brand} and {@code price} are only present in the 10-column brand/price variant.
 */
public record BehaviorRow(
    String userId, String itemId, String categoryId, BehaviorType type, long epochSecond,
    String brand, Double price) {

  /**
   * A stable id derived from the row's content, so that replaying a file twice sends the same
   * ids and the engine's de-duplication absorbs the second pass.
   */
  public String eventId() {
    return "tb-" + userId + "-" + itemId + "-" + type.wire() + "-" + epochSecond;
  }
}
