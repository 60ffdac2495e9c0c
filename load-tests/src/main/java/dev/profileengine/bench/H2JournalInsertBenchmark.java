package dev.profileengine.bench;

import akka.persistence.typed.PersistenceId;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import dev.profileengine.data.BehaviorRow;
import dev.profileengine.data.TaobaoCsv;
import dev.profileengine.engine.UserProfile;
import dev.profileengine.engine.journal.H2JournalSchema;
import dev.profileengine.engine.node.JournalConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What H2 alone can take of the journal's writes, without Akka, Slick or HTTP: rows of the shape
 * akka-persistence-jdbc writes (the engine's {@code schema/h2-journal.sql}, the engine's H2
 * options from {@code engine-persistence.conf}, the event manifest, a payload of an event's size)
 * inserted as one JDBC batch and one commit per invocation, as the engine's group commit does. The
 * persistence ids and their sequence numbers are the sample's users in the sample's order
 * ({@code taobao-userbehavior-sample.csv}, cycled with the numbers going on), so the
 * {@code (persistence_id, sequence_number)} index sees the real spread of users. The score is rows
 * per second.
 *
 * <p>Parameters: {@code payloadBytes} 204 (a Taobao event as the engine serializes it) or 313 (an
 * event with every field set; SerializationBenchmark); {@code lob} {@code engine} (the engine's
 * options) or {@code h2-default} (the same without {@code MAX_LENGTH_INPLACE_LOB}: H2 keeps only
 * payloads up to 256 bytes in the row); {@code pidIndex} {@code true} (the schema) or
 * {@code false} (the index dropped: what the random-leaf index costs, not a usable journal);
 * {@code sync} {@code commit} ({@code PROFILE_H2_SYNC=commit}, the engine's default: {@code CHECKPOINT
 * SYNC} after each commit, so the batch is on disk, as H2SyncedJournalDao does) or {@code os} (the
 * commit reaches the operating system only).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 3, time = 10)
@Fork(1)
@OperationsPerInvocation(H2JournalInsertBenchmark.ROWS_PER_COMMIT)
public class H2JournalInsertBenchmark {
  /** About the rows per transaction of a saturated replay (profile_journal_batch_rows: 335 on average). */
  static final int ROWS_PER_COMMIT = 335;
  private static final String MANIFEST = UserProfile.EventRecorded.class.getName();
  private static final String INSERT = "INSERT INTO \"event_journal\" (\"deleted\", \"persistence_id\", \"sequence_number\", \"writer\", "
      + "\"write_timestamp\", \"adapter_manifest\", \"event_payload\", \"event_ser_id\", \"event_ser_manifest\", \"meta_payload\", "
      + "\"meta_ser_id\", \"meta_ser_manifest\") VALUES (false, ?, ?, ?, ?, '', ?, 33, ?, ?, ?, ?)";

  @Param({"204", "313"})
  public int payloadBytes;

  @Param({"engine", "h2-default"})
  public String lob;

  @Param({"true", "false"})
  public boolean pidIndex;

  @Param({"commit", "os"})
  public String sync;

  private Path dir;
  private Connection connection;
  private PreparedStatement insert;
  private Statement checkpoint;
  private String[] persistenceIds;
  private final Map<String, Long> sequenceNumbers = new HashMap<>();
  private byte[] payload;
  private final String writer = UUID.randomUUID().toString();
  private int next;

  @Setup(Level.Trial)
  public void open() throws IOException, SQLException {
    List<BehaviorRow> rows = TaobaoCsv.read(SampleData.locate(System.getProperty("sample"), SampleData.SAMPLE), bad -> {});
    persistenceIds = rows.stream().map(r -> PersistenceId.of(UserProfile.ENTITY_KEY.name(), r.userId()).id()).toArray(String[]::new);
    payload = new byte[payloadBytes];
    new Random(payloadBytes).nextBytes(payload);
    dir = Files.createTempDirectory("h2-journal-bench");
    connection = DriverManager.getConnection(url(dir, lob), "sa", "");
    H2JournalSchema.apply(connection);
    if (!pidIndex) {
      try (Statement st = connection.createStatement()) {
        st.execute("DROP INDEX \"event_journal_pid_seq_idx\"");
      }
    }
    connection.setAutoCommit(false);
    insert = connection.prepareStatement(INSERT);
    checkpoint = connection.createStatement();
    if (!sync.equals("commit") && !sync.equals("os")) throw new IllegalArgumentException("sync must be commit or os, was " + sync);
  }

  /**
   * The journal URL the engine opens for a data directory ({@link JournalConfig#resolve} on
   * {@code engine-persistence.conf}), or the same without its in-row LOB limit (H2's own, 256 bytes).
   */
  static String url(Path dataDir, String lob) {
    Config engine = ConfigFactory.parseResources("engine-persistence.conf")
        .withValue("profile.data-dir", ConfigValueFactory.fromAnyRef(dataDir.toString()))
        .withFallback(ConfigFactory.defaultReference())
        .resolve();
    String url = JournalConfig.resolve(engine).getString("akka-persistence-jdbc.shared-databases.slick.db.url");
    return switch (lob) {
      case "engine" -> url;
      case "h2-default" -> String.join(";", Stream.of(url.split(";")).filter(o -> !o.startsWith("MAX_LENGTH_INPLACE_LOB=")).toList());
      default -> throw new IllegalArgumentException("lob must be engine or h2-default, was " + lob);
    };
  }

  @Benchmark
  public int commitBatch() throws SQLException {
    for (int i = 0; i < ROWS_PER_COMMIT; i++) {
      String pid = persistenceIds[next];
      next = (next + 1) % persistenceIds.length;
      insert.setString(1, pid);
      insert.setLong(2, sequenceNumbers.merge(pid, 1L, Long::sum));
      insert.setString(3, writer);
      insert.setLong(4, System.currentTimeMillis());
      insert.setBytes(5, payload);
      insert.setString(6, MANIFEST);
      insert.setNull(7, Types.BLOB);
      insert.setNull(8, Types.INTEGER);
      insert.setNull(9, Types.VARCHAR);
      insert.addBatch();
    }
    int[] counts = insert.executeBatch();
    connection.commit();
    if (sync.equals("commit")) checkpoint.execute("CHECKPOINT SYNC");
    return counts.length;
  }

  @TearDown(Level.Trial)
  public void close() throws IOException, SQLException {
    long rows;
    try (Statement st = connection.createStatement(); var rs = st.executeQuery("SELECT COUNT(*) FROM \"event_journal\"")) {
      rs.next();
      rows = rs.getLong(1);
    }
    connection.close();
    long bytes = Files.size(dir.resolve("journal.mv.db"));
    System.out.printf("%njournal file: %,d rows in %,d bytes, %,d bytes per row (pidIndex=%s, payloadBytes=%d, lob=%s)%n",
        rows, bytes, bytes / Math.max(1, rows), pidIndex, payloadBytes, lob);
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
    }
  }
}
