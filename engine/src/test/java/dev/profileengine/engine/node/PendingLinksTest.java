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
      assertEquals(List.of("b", "c", "d"), PendingLinks.find(c).stream().sorted().toList());
    }
  }

  private static void row(Connection c, String key, long seq, Class<?> type) throws Exception {
    var t = StableCborSerializer.typeOf(type);
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO \"event_journal\" (\"persistence_id\", \"sequence_number\", \"writer\", "
        + "\"write_timestamp\", \"adapter_manifest\", \"event_payload\", \"event_ser_id\", \"event_ser_manifest\") VALUES (?, ?, '', 0, '', ?, ?, ?)")) {
      ps.setString(1, UserProfile.persistenceIdOf(key).id());
      ps.setLong(2, seq);
      ps.setBytes(3, new byte[] {0});
      ps.setInt(4, StableCborSerializer.IDENTIFIER);
      ps.setString(5, t.name() + "#" + t.version());
      ps.executeUpdate();
    }
  }
}
