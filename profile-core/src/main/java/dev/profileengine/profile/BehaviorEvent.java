package dev.profileengine.profile;

import java.time.Instant;

/**
 * One user behavior as sent by a client. Optional fields are null when absent. This is also the
 * journaled fact: the entity persists accepted events unchanged, so a replay rebuilds the profile.
 *
 * @param timestamp the event time (when the behavior happened), which drives every window
 * @param quantity number of units for cart/purchase events, 1 when absent
 */
public record BehaviorEvent(
    String eventId,
    String userId,
    BehaviorType type,
    Instant timestamp,
    String itemId,
    String categoryId,
    String brand,
    Double price,
    Integer quantity,
    String query,
    Long dwellMs,
    Integer pageDepth,
    EventContext context) {

  public BehaviorEvent {
    // Categories and brands repeat across millions of events and are kept by many profiles (recent
    // behaviors, interests): one shared copy of each.
    categoryId = categoryId == null ? null : categoryId.intern();
    brand = brand == null ? null : brand.intern();
  }

  public long timeMillis() {
    return timestamp.toEpochMilli();
  }

  /** Amount spent by a purchase: price x quantity, 0 when the price is unknown. */
  public double amount() {
    if (price == null) return 0.0;
    return price * (quantity == null ? 1 : quantity);
  }

  public RecentBehavior asRecent() {
    return new RecentBehavior(type, categoryId, timeMillis());
  }

  /** A minimal event: id, user, type and time, everything else absent. */
  public static BehaviorEvent of(String eventId, String userId, BehaviorType type, Instant timestamp) {
    return new BehaviorEvent(eventId, userId, type, timestamp, null, null, null, null, null, null, null, null, null);
  }

  /** This event keyed by {@code userId} (a profile key, e.g. an anonymous id's). */
  public BehaviorEvent withUserId(String userId) {
    return new BehaviorEvent(eventId, userId, type, timestamp, itemId, categoryId, brand, price, quantity, query, dwellMs, pageDepth, context);
  }

  public BehaviorEvent withCategory(String itemId, String categoryId) {
    return new BehaviorEvent(eventId, userId, type, timestamp, itemId, categoryId, brand, price, quantity, query, dwellMs, pageDepth, context);
  }

  public BehaviorEvent withPurchase(String brand, Double price, Integer quantity) {
    return new BehaviorEvent(eventId, userId, type, timestamp, itemId, categoryId, brand, price, quantity, query, dwellMs, pageDepth, context);
  }

  public BehaviorEvent withBrowsing(String query, Long dwellMs, Integer pageDepth, EventContext context) {
    return new BehaviorEvent(eventId, userId, type, timestamp, itemId, categoryId, brand, price, quantity, query, dwellMs, pageDepth, context);
  }
}
