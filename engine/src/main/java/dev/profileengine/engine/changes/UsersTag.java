package dev.profileengine.engine.changes;

import akka.persistence.typed.PersistenceId;
import dev.profileengine.engine.ErasureLog;
import dev.profileengine.engine.UserProfile;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The change tag narrowed to a few users, as a query tag: the read journal then reads the journal
 * rows of these users' profiles and of the erasure-log buckets that record them (by persistence
 * id, through the journal's {@code (persistence_id, sequence_number)} index) instead of every row
 * of {@link ChangeFeed#TAG}. Passed through the plugin's own {@code currentEventsByTag}, so the
 * read stops at the same settled ordering (PostgreSQL commit horizon, gap wait) as the tag read.
 * The erasure buckets also hold other users' erasures: the subscriber's user filter drops them.
 *
 * <p>Encoded in the tag string (length-prefixed ids, so any user id survives) because the plugin
 * creates the read journal's DAO itself and passes it nothing but the tag.
 */
public record UsersTag(Set<String> userIds) {
  /** The most users a subscription may name for its catch-up to read their rows; more read the whole tag. */
  public static final int MAX_USERS = 100;
  /** Every per-user tag starts with this; also its label in the tag metrics (one label, not one per user set). */
  public static final String PREFIX = ChangeFeed.TAG + "-of-users";

  public UsersTag {
    userIds = Set.copyOf(new TreeSet<>(userIds));
    if (userIds.isEmpty() || userIds.size() > MAX_USERS) throw new IllegalArgumentException("1 to " + MAX_USERS + " users, not " + userIds.size());
  }

  /** The query tag: {@link #PREFIX}, then {@code :<length>:<id>} per user. */
  public String tag() {
    StringBuilder b = new StringBuilder(PREFIX);
    for (String id : new TreeSet<>(userIds)) b.append(':').append(id.length()).append(':').append(id);
    return b.toString();
  }

  /** The users a {@link #tag()} names, or null when {@code tag} is not a per-user tag. */
  public static UsersTag parse(String tag) {
    if (!tag.startsWith(PREFIX + ":")) return null;
    Set<String> ids = new TreeSet<>();
    int i = PREFIX.length();
    while (i < tag.length()) {
      if (tag.charAt(i) != ':') throw new IllegalArgumentException("malformed users tag at " + i);
      int colon = tag.indexOf(':', i + 1);
      int length = Integer.parseInt(tag.substring(i + 1, colon));
      ids.add(tag.substring(colon + 1, colon + 1 + length));
      i = colon + 1 + length;
    }
    return new UsersTag(ids);
  }

  /** The persistence ids whose rows may carry these users' changes: their profiles, then their erasure-log buckets. */
  public List<String> persistenceIds() {
    Set<String> ids = new TreeSet<>();
    for (String u : userIds) {
      ids.add(UserProfile.persistenceIdOf(u).id());
      ids.add(PersistenceId.of(ErasureLog.ENTITY_KEY.name(), ErasureLog.bucketOf(u)).id());
    }
    return new ArrayList<>(ids);
  }
}
