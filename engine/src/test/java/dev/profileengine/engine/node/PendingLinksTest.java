package dev.profileengine.engine.node;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.profileengine.engine.UserProfile;
import dev.profileengine.engine.serialization.StableCborSerializer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The journal query that finds merges and unmerges a crash cut short, on the engine's H2 journal schema. */
class PendingLinksTest {
  @Test
  void findsProfilesWhoseLatestStartedStepHasNoEnd() throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:h2:mem:pending-links;DB_CLOSE_DELAY=-1")) {
      dev.profileengine.engine.journal.H2JournalSchema.apply(c);
      // a: merged and done; b: started, cut; c: started, cancelled, started again, cut; d: unmerge cut;
      // e: an ordinary profile; f: unmerge done.
      row(c, "a", 1, UserProfile.EventRecorded.class);
      row(c, "a", 2, UserProfile.MergeStarted.class);
      row(c, "a", 3, UserProfile.MergedInto.class);
      row(c, "b", 1, UserProfile.EventRecorded.class);
      row(c, "b", 2, UserProfile.MergeStarted.class);
      row(c, "c", 1, UserProfile.MergeStarted.class);
      row(c, "c", 2, UserProfile.LinkCancelled.class);
      row(c, "c", 3, UserProfile.MergeStarted.class);
      row(c, "d", 5, UserProfile.SplitStarted.class);
      row(c, "e", 1, UserProfile.EventRecorded.class);
      row(c, "f", 1, UserProfile.SplitStarted.class);
      row(c, "f", 2, UserProfile.SplitOff.class);
      // g: a direct merge written just before the journal's newest row (its canonical profile may not
      // have taken it); h: one written long before; i: a merge that ended at its third row.
      row(c, "g", 1, UserProfile.MergedInto.class, 100_000);
      row(c, "h", 1, UserProfile.MergedInto.class, 100_000 - PendingLinks.DIRECT_MERGES_WITHIN_MS - 1);
      row(c, "i", 3, UserProfile.MergedInto.class, 100_000);
      row(c, "e", 2, UserProfile.EventRecorded.class, 100_500);
      assertEquals(List.of("b", "c", "d", "g"), PendingLinks.find(c).stream().sorted().toList());
    }
  }

  private static void row(Connection c, String key, long seq, Class<?> type) throws Exception {
    row(c, key, seq, type, 0);
  }

  /** A row of {@code type} in its newest version (a direct merge for MergedInto) written at {@code millis}. */
  private static void row(Connection c, String key, long seq, Class<?> type, long millis) throws Exception {
    var t = StableCborSerializer.typeOf(type);
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO \"event_journal\" (\"persistence_id\", \"sequence_number\", \"writer\", "
        + "\"write_timestamp\", \"adapter_manifest\", \"event_payload\", \"event_ser_id\", \"event_ser_manifest\") VALUES (?, ?, '', " + millis + ", '', ?, ?, ?)")) {
      ps.setString(1, UserProfile.persistenceIdOf(key).id());
      ps.setLong(2, seq);
      ps.setBytes(3, new byte[] {0});
      ps.setInt(4, StableCborSerializer.IDENTIFIER);
      ps.setString(5, t.name() + "#" + t.version());
      ps.executeUpdate();
    }
  }
}
