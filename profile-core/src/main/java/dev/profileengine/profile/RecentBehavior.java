package dev.profileengine.profile;

/**
 * One step of a user's behavior sequence: what the profile keeps for its most recent behaviors
 * and what the next-behavior model reads.
 *
 * @param categoryId null when the event had no category (e.g. a search)
 * @param epochMillis event time
 */
public record RecentBehavior(BehaviorType type, String categoryId, long epochMillis) {}
