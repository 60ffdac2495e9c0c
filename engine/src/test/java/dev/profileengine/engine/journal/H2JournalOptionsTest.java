package dev.profileengine.engine.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import dev.profileengine.engine.node.JournalConfig;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.type.ByteArrayDataType;
import org.h2.mvstore.type.LongDataType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The H2 journal as the engine opens it (the URL from {@link JournalConfig#resolve} on the engine's
 * {@code engine-persistence.conf}): an event payload up to 1 KB stays in its row. H2's own limit is
 * 256 bytes, and a payload over it goes to H2's LOB store (separate maps, 0.59x the insert rate:
 * H2JournalInsertBenchmark), which every event with more than the Taobao fields would.
 */
class H2JournalOptionsTest {
  @TempDir
  Path dir;

  private static final int[] PAYLOADS = {204, 313, 1_024};

  @Test
  void eventPayloadsUpTo1KbStayInTheirRow() throws Exception {
    String url = engineUrl(dir.resolve("engine"));
    write(url);
    assertEquals(PAYLOADS.length, readBack(url));
    assertEquals(0, lobBlocks(dir.resolve("engine")), "LOB store blocks with the engine's options (" + url + ")");
  }

  /** With H2's own limit the same payloads go to the LOB store; such a journal (written before the
   * engine set the option) reads back unchanged under the engine's options. */
  @Test
  void aJournalWithPayloadsInTheLobStoreReadsBackUnderTheEngineOptions() throws Exception {
    String engine = engineUrl(dir.resolve("earlier"));
    String h2Default = engine.replace(";MAX_LENGTH_INPLACE_LOB=1024", "");
    write(h2Default);
    assertTrue(lobBlocks(dir.resolve("earlier")) > 0, "the check sees LOB store blocks when payloads go there");
    assertEquals(PAYLOADS.length, readBack(engine));
  }

  /**
   * The engine runs without Akka's replay filter, which exists to drop rows an old and a new writer
   * left at one sequence number: the journal refuses the second such row when it is written.
   */
  @Test
  void aSecondRowAtOneSequenceNumberIsRefusedSoRecoveryNeedsNoReplayFilter() throws Exception {
    Config engine = ConfigFactory.parseResources("engine-persistence.conf").withFallback(ConfigFactory.defaultReference()).resolve();
    assertEquals("off", engine.getString("jdbc-journal.replay-filter.mode"));
    String url = engineUrl(dir.resolve("writers"));
    write(url);
    try (Connection c = DriverManager.getConnection(url, "sa", "");
         Statement st = c.createStatement()) {
      SQLException refused = assertThrows(SQLException.class, () -> st.executeUpdate("INSERT INTO \"event_journal\" (\"persistence_id\", "
          + "\"sequence_number\", \"writer\", \"write_timestamp\", \"adapter_manifest\", \"event_payload\", \"event_ser_id\", "
          + "\"event_ser_manifest\") VALUES ('UserProfile|u1', 2, 'another-writer', 0, '', X'00', 33, 'm')"));
      assertEquals("23505", refused.getSQLState(), refused.getMessage()); // unique violation
    }
    assertEquals(PAYLOADS.length, readBack(url));
  }

  private static String engineUrl(Path dataDir) {
    Config engine = ConfigFactory.parseResources("engine-persistence.conf")
        .withValue("profile.data-dir", ConfigValueFactory.fromAnyRef(dataDir.toString()))
        .withFallback(ConfigFactory.defaultReference())
        .resolve();
    String url = JournalConfig.resolve(engine).getString("akka-persistence-jdbc.shared-databases.slick.db.url");
    assertTrue(url.contains(";MAX_LENGTH_INPLACE_LOB=1024"), url);
    return url;
  }

  /** Journals one event row per payload size (sequence number = index + 1). */
  private static void write(String url) throws Exception {
    try (Connection c = DriverManager.getConnection(url, "sa", "")) {
      H2JournalSchema.apply(c);
      try (PreparedStatement insert = c.prepareStatement("INSERT INTO \"event_journal\" (\"persistence_id\", \"sequence_number\", \"writer\", "
          + "\"write_timestamp\", \"adapter_manifest\", \"event_payload\", \"event_ser_id\", \"event_ser_manifest\") VALUES ('UserProfile|u1', ?, 'w', 0, '', ?, 33, 'm')")) {
        for (int i = 0; i < PAYLOADS.length; i++) {
          insert.setLong(1, i + 1);
          insert.setBytes(2, payload(PAYLOADS[i]));
          insert.executeUpdate();
        }
      }
    }
  }

  /** The rows whose payload reads back byte for byte. */
  private static int readBack(String url) throws Exception {
    int matching = 0;
    try (Connection c = DriverManager.getConnection(url, "sa", "");
         Statement st = c.createStatement();
         ResultSet rs = st.executeQuery("SELECT \"sequence_number\", \"event_payload\" FROM \"event_journal\" ORDER BY \"sequence_number\"")) {
      while (rs.next()) {
        if (Arrays.equals(payload(PAYLOADS[(int) rs.getLong(1) - 1]), rs.getBytes(2))) matching++;
      }
    }
    return matching;
  }

  private static byte[] payload(int size) {
    byte[] b = new byte[size];
    for (int i = 0; i < size; i++) b[i] = (byte) (i * 31 + size);
    return b;
  }

  /** Entries of H2's LOB data map in the closed journal file. */
  private static long lobBlocks(Path dataDir) {
    MVStore store = new MVStore.Builder().fileName(dataDir.resolve("journal.mv.db").toString()).readOnly().open();
    try {
      if (!store.hasMap("lobData")) return 0;
      return store.openMap("lobData", new MVMap.Builder<Long, byte[]>().keyType(LongDataType.INSTANCE).valueType(ByteArrayDataType.INSTANCE)).sizeAsLong();
    } finally {
      store.close();
    }
  }
}
