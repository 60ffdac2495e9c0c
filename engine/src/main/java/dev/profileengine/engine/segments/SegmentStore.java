package dev.profileengine.engine.segments;

import akka.actor.typed.ActorSystem;
import dev.profileengine.engine.journal.JournalDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletionStage;

/**
 * The segment read side: table {@code profile_segment_member(segment_id, user_id, since)} in the
 * journal's database, written only by {@link SegmentProjection} and read by the API. Every
 * statement works on H2 and PostgreSQL.
 */
public final class SegmentStore {
  static final String TABLE = "profile_segment_member";

  /** One member of a segment, {@code since} = when the user entered it. */
  public record Member(String userId, long since) {}

  /** A page of members in user id order; {@code next} is the cursor of the following page, null at the end. */
  public record Page(String segmentId, List<Member> members, String next) {}

  private final JournalDatabase database;
  /** Member queries (API pages, counts) use the read pool, never the journal writers' connections. */
  private final JournalDatabase reads;

  public SegmentStore(ActorSystem<?> system) {
    this.database = new JournalDatabase(system);
    this.reads = JournalDatabase.reads(system);
  }

  /** A connection of the journal's pool (autocommit on). */
  Connection connection() {
    return database.connection();
  }

  /** Creates the table if missing (idempotent). */
  public void createSchema() {
    createSchema(this::connection);
  }

  /** Where {@link #createSchema(ConnectionSource)} gets its connections. */
  public interface ConnectionSource {
    Connection open() throws SQLException;
  }

  /** Creates the table if missing, on a connection of {@code source}; safe when nodes start together. */
  public static void createSchema(ConnectionSource source) {
    JournalDatabase.createIfMissing(TABLE, () -> {
      try (Connection c = source.open(); Statement st = c.createStatement()) {
        st.execute("CREATE TABLE IF NOT EXISTS " + TABLE + " (segment_id VARCHAR(128) NOT NULL, user_id VARCHAR(255) NOT NULL, "
            + "since BIGINT NOT NULL, PRIMARY KEY (segment_id, user_id))");
        st.execute("CREATE INDEX IF NOT EXISTS " + TABLE + "_user_idx ON " + TABLE + " (user_id)");
      }
    });
  }

  // ---- writes, inside the projection's transaction ----

  static void enter(Connection c, String segmentId, String userId, long since) throws SQLException {
    leave(c, segmentId, userId); // idempotent whatever the database's upsert syntax
    try (PreparedStatement st = c.prepareStatement("INSERT INTO " + TABLE + " (segment_id, user_id, since) VALUES (?, ?, ?)")) {
      st.setString(1, segmentId);
      st.setString(2, userId);
      st.setLong(3, since);
      st.executeUpdate();
    }
  }

  static void leave(Connection c, String segmentId, String userId) throws SQLException {
    try (PreparedStatement st = c.prepareStatement("DELETE FROM " + TABLE + " WHERE segment_id = ? AND user_id = ?")) {
      st.setString(1, segmentId);
      st.setString(2, userId);
      st.executeUpdate();
    }
  }

  static int forget(Connection c, String userId) throws SQLException {
    try (PreparedStatement st = c.prepareStatement("DELETE FROM " + TABLE + " WHERE user_id = ?")) {
      st.setString(1, userId);
      return st.executeUpdate();
    }
  }

  // ---- reads ----

  /** Members per segment id (segments without members are absent). */
  public CompletionStage<Map<String, Long>> counts() {
    return query(c -> {
      Map<String, Long> counts = new TreeMap<>();
      try (PreparedStatement st = c.prepareStatement("SELECT segment_id, COUNT(*) FROM " + TABLE + " GROUP BY segment_id");
           ResultSet rs = st.executeQuery()) {
        while (rs.next()) counts.put(rs.getString(1), rs.getLong(2));
      }
      return counts;
    });
  }

  /** Up to {@code limit} members after {@code after} (exclusive; null = from the start), by user id. */
  public CompletionStage<Page> members(String segmentId, String after, int limit) {
    return query(c -> {
      List<Member> page = new ArrayList<>();
      try (PreparedStatement st = c.prepareStatement("SELECT user_id, since FROM " + TABLE
          + " WHERE segment_id = ? AND user_id > ? ORDER BY user_id LIMIT ?")) {
        st.setString(1, segmentId);
        st.setString(2, after == null ? "" : after);
        st.setInt(3, limit + 1);
        try (ResultSet rs = st.executeQuery()) {
          while (rs.next()) page.add(new Member(rs.getString(1), rs.getLong(2)));
        }
      }
      boolean more = page.size() > limit;
      List<Member> members = more ? List.copyOf(page.subList(0, limit)) : List.copyOf(page);
      return new Page(segmentId, members, more ? members.get(members.size() - 1).userId() : null);
    });
  }

  /** Segment ids the user is listed in. */
  public CompletionStage<List<String>> segmentsOf(String userId) {
    return query(c -> {
      List<String> ids = new ArrayList<>();
      try (PreparedStatement st = c.prepareStatement("SELECT segment_id FROM " + TABLE + " WHERE user_id = ? ORDER BY segment_id")) {
        st.setString(1, userId);
        try (ResultSet rs = st.executeQuery()) {
          while (rs.next()) ids.add(rs.getString(1));
        }
      }
      return ids;
    });
  }

  private <T> CompletionStage<T> query(JournalDatabase.Work<T> q) {
    return reads.run("segment read side query", q);
  }
}
