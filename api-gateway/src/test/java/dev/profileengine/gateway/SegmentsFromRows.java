package dev.profileengine.gateway;

import dev.profileengine.data.BehaviorRow;
import dev.profileengine.profile.BehaviorType;
import java.util.List;
/**
 * Demo segments computed straight from replayed rows, with no engine code, for the segment tests
 * to compare the engine's member lists against.
 */
final class SegmentsFromRows {
  private SegmentsFromRows() {}

  /** The hour (epoch seconds / 3600) of a user's latest row. */
  static long latestHour(List<BehaviorRow> own) {
    return own.stream().mapToLong(BehaviorRow::epochSecond).max().orElseThrow() / 3600;
  }

  /**
   * {@code abandoned-cart} ("counts.24h.cart >= 1 and counts.24h.purchase == 0") as of hour
   * {@code asOfHour}: a cart and no purchase in the 24 hour-buckets ending with it (the last hour
   * counted whole, as the profile's windows are).
   */
  static boolean abandonedCart(List<BehaviorRow> own, long asOfHour) {
    long carts = own.stream().filter(r -> r.type() == BehaviorType.CART && inLast24Hours(r, asOfHour)).count();
    long buys = own.stream().filter(r -> r.type() == BehaviorType.PURCHASE && inLast24Hours(r, asOfHour)).count();
    return carts >= 1 && buys == 0;
  }

  private static boolean inLast24Hours(BehaviorRow r, long asOfHour) {
    long hour = r.epochSecond() / 3600;
    return hour > asOfHour - 24 && hour <= asOfHour;
  }
}
