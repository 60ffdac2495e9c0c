package dev.profileengine.engine.changes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import akka.serialization.SerializationExtension;
import com.typesafe.config.ConfigFactory;
import dev.profileengine.engine.changes.DerivedTagReadJournalDao.DerivedTag;
import dev.profileengine.engine.journal.H2JournalSchema;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine's two query tags on a real H2 journal of the engine's schema (PostgreSQL:
 * api-gateway's PostgresTagQueryPlanTest): each returns exactly its rows of the requested ordering
 * range, in order, and H2 reads about that range, not the whole journal.
 */
class DerivedTagReadJournalDaoTest {
  @TempDir
  Path dir;

  private static final int ROWS = 6_000;
  private static final String SEGMENTS_CHANGED = "dev.profileengine.engine.UserProfile$SegmentsChanged";
  private static final Map<String, DerivedTag> TAGS = DerivedTagReadJournalDao.engineTags(SEGMENTS_CHANGED);

  @Test
  void eachTagReadsItsRowsOfTheRangeNotTheJournal() throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:h2:file:" + dir.resolve("journal"), "sa", "")) {
      H2JournalSchema.apply(c);
      try (PreparedStatement journal = c.prepareStatement("INSERT INTO \"event_journal\" (\"persistence_id\", \"sequence_number\", \"writer\", "
          + "\"write_timestamp\", \"adapter_manifest\", \"event_payload\", \"event_ser_id\", \"event_ser_manifest\") VALUES (?, ?, 'w', 0, '', ?, 33, ?)")) {
        for (int i = 1; i <= ROWS; i++) {
          // Every tenth row a segment change, every 25th an erasure, every 50th another entity's
          // event (in neither tag; its type name has LIKE's wildcard where the profiles' has a letter).
          journal.setString(1, pidOf(i));
          journal.setLong(2, i);
          journal.setBytes(3, new byte[] {(byte) i});
          journal.setString(4, i % 10 == 0 && i % 50 != 0 ? SEGMENTS_CHANGED : "m");
          journal.executeUpdate();
        }
      }
      try (Statement st = c.createStatement()) {
        st.execute("ANALYZE");
      }

      List<Long> changes = range(4001, 4500).stream().filter(o -> o % 50 != 0).toList();
      assertEquals(changes, orderings(c, ChangeFeed.TAG, 4000, 4500, 500));
      assertEquals(changes.subList(0, 100), orderings(c, ChangeFeed.TAG, 4000, ROWS, 100), "the limit applies");
      List<Long> segments = range(4001, 4500).stream().filter(o -> o % 50 != 0 && (o % 10 == 0 || o % 25 == 0)).toList();
      assertEquals(segments, orderings(c, ChangeFeed.SEGMENT_TAG, 4000, 4500, 500));

      long scanned = scanned(c, ChangeFeed.TAG, 4000, 4500, 500);
      assertTrue(scanned <= 1_000, "a 500-row page of a " + ROWS + "-row journal scanned " + scanned + " rows");

      // A few users' rows, from the start: their profiles' and their erasure buckets' rows only, in
      // ordering order, found through the persistence id index (not a scan of the range).
      List<String> pids = new UsersTag(java.util.Set.of("u5", "u6")).persistenceIds();
      List<Long> theirs = range(1, ROWS).stream().filter(o -> pids.contains(pidOf(o))).toList();
      assertTrue(theirs.size() > 10 && theirs.size() < 1_000, "the users' rows: " + theirs.size());
      assertEquals(theirs, usersOrderings(c, pids, 0, ROWS, 10_000));
      assertEquals(theirs.stream().filter(o -> o > 1000 && o <= 4000).toList(), usersOrderings(c, pids, 1000, 4000, 10_000), "the ordering range applies");
      assertEquals(theirs.subList(0, 5), usersOrderings(c, pids, 0, ROWS, 5), "the limit applies");
      long usersScanned = scanned(c, DerivedTagReadJournalDao.usersQuery(pids.size()),
          st -> DerivedTagReadJournalDao.bindUsers(st, pids, 0, ROWS, 10_000));
      assertTrue(usersScanned <= 2L * theirs.size(), "the users' " + theirs.size() + " rows of a " + ROWS + "-row journal scanned " + usersScanned + " rows");
    }
  }

  /** The manifests the tag matches: the one the serializer writes for a segment change, and the one rows written before stable manifests carry. */
  @Test
  void theSegmentTagMatchesTheSerializersManifest() {
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "manifest",
        ConfigFactory.parseResources("engine-serialization.conf").withFallback(ConfigFactory.load()).resolve());
    try {
      assertEquals(List.of(SEGMENTS_CHANGED, "profile.SegmentsChanged#1"),
          DerivedTagReadJournalDao.segmentsChangedManifests(SerializationExtension.get(system)));
    } finally {
      system.terminate();
    }
  }

  private static String pidOf(long i) {
    return i % 50 == 0 ? "UserProfil_|u" + i : i % 25 == 0 ? "ErasureLog|" + (i % 16) : "UserProfile|u" + (i % 997);
  }

  private static List<Long> usersOrderings(Connection c, List<String> pids, long offset, long maxOffset, long max) throws Exception {
    List<Long> found = new ArrayList<>();
    try (PreparedStatement st = c.prepareStatement(DerivedTagReadJournalDao.usersQuery(pids.size()))) {
      DerivedTagReadJournalDao.bindUsers(st, pids, offset, maxOffset, max);
      try (ResultSet rs = st.executeQuery()) {
        while (rs.next()) found.add(rs.getLong(1));
      }
    }
    return found;
  }

  private static List<Long> range(long from, long to) {
    List<Long> r = new ArrayList<>();
    for (long i = from; i <= to; i++) r.add(i);
    return r;
  }

  private static List<Long> orderings(Connection c, String tag, long offset, long maxOffset, long max) throws Exception {
    List<Long> found = new ArrayList<>();
    try (PreparedStatement st = c.prepareStatement(TAGS.get(tag).query())) {
      TAGS.get(tag).bind(st, offset, maxOffset, max);
      try (ResultSet rs = st.executeQuery()) {
        while (rs.next()) found.add(rs.getLong(1));
      }
    }
    return found;
  }

  /** The rows H2 read for the query: EXPLAIN ANALYZE's scan count of its one table. */
  private static long scanned(Connection c, String tag, long offset, long maxOffset, long max) throws Exception {
    return scanned(c, TAGS.get(tag).query(), st -> TAGS.get(tag).bind(st, offset, maxOffset, max));
  }

  private interface Binder {
    void bind(PreparedStatement st) throws Exception;
  }

  private static long scanned(Connection c, String query, Binder binder) throws Exception {
    try (PreparedStatement st = c.prepareStatement("EXPLAIN ANALYZE " + query)) {
      binder.bind(st);
      try (ResultSet rs = st.executeQuery()) {
        rs.next();
        String plan = rs.getString(1);
        Matcher m = Pattern.compile("scanCount: (\\d+)").matcher(plan);
        assertTrue(m.find(), plan);
        return Long.parseLong(m.group(1));
      }
    }
  }
}
