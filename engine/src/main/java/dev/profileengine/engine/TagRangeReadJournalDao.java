package dev.profileengine.engine;

import akka.NotUsed;
import akka.persistence.PersistentRepr;
import akka.persistence.jdbc.AkkaSerialization;
import akka.persistence.jdbc.config.ReadJournalConfig;
import akka.persistence.jdbc.journal.dao.JournalTables;
import akka.persistence.jdbc.query.dao.DefaultReadJournalDao;
import akka.serialization.Serialization;
import akka.stream.Materializer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import scala.Option;
import scala.Tuple3;
import scala.collection.immutable.Set;
import scala.concurrent.ExecutionContext;
import scala.jdk.javaapi.FutureConverters;
import scala.util.Try;
import slick.jdbc.JdbcBackend;
import slick.jdbc.JdbcProfile;
import slick.jdbc.SimpleJdbcAction;

/**
 * The read journal, with one query rewritten: {@code eventsByTag}, which every change-stream
 * subscriber and the segment projection poll (every 50 ms each).
 *
 * <p>akka-persistence-jdbc 5.2.1 sends it as a join of {@code event_tag} with a derived table over
 * {@code event_journal}, the ordering range stated on the journal only. Every event carries the
 * change tag, so the tag condition selects nearly every tag row, and both databases plan a scan of
 * all of them per poll:
 * <ul>
 *   <li>H2 2.2: a full scan of {@code event_tag} probing the derived table once per row
 *       (EXPLAIN ANALYZE on a 29,365-row journal, 500-row page: 29,366 rows + 28,509 probes). Four
 *       subscribers on a node taking 300 events/s used both cores and the journal's writes waited
 *       5-7 s (load-tests/BENCHMARKS.md).
 *   <li>PostgreSQL 16: a hash join over a sequential scan of {@code event_tag} (30,000 rows read
 *       for a 500-row page, PostgresTagQueryPlanTest).
 * </ul>
 * Here the range is also stated on {@code event_tag.event_id}, the leading column of its primary
 * key, so both read the page's range from the two indexes (H2: 501 + 999 rows). Rows, order,
 * limits and deserialization are the plugin's own.
 */
public class TagRangeReadJournalDao extends DefaultReadJournalDao {
  /** The query, public for the plan tests of each database. */
  public static final String EVENTS_BY_TAG = """
      SELECT j."ordering", j."deleted", j."persistence_id", j."sequence_number", j."writer", j."write_timestamp",
             j."adapter_manifest", j."event_payload", j."event_ser_id", j."event_ser_manifest",
             j."meta_payload", j."meta_ser_id", j."meta_ser_manifest"
      FROM "event_journal" j JOIN "event_tag" t ON t."event_id" = j."ordering" AND t."tag" = ?
      WHERE j."deleted" = FALSE AND j."ordering" > ? AND j."ordering" <= ? AND t."event_id" > ? AND t."event_id" <= ?
      ORDER BY j."ordering" LIMIT ?""";

  private final JdbcBackend.DatabaseDef database;
  private final Serialization serialization;

  public TagRangeReadJournalDao(JdbcBackend.DatabaseDef db, JdbcProfile profile, ReadJournalConfig config, Serialization serialization,
                          ExecutionContext ec, Materializer mat) {
    super(db, profile, config, serialization, ec, mat);
    this.database = db;
    this.serialization = serialization;
  }

  @Override
  @SuppressWarnings({"unchecked", "rawtypes"})
  public akka.stream.scaladsl.Source<Try<Tuple3<PersistentRepr, Set<String>, Object>>, NotUsed> eventsByTag(
      String tag, long offset, long maxOffset, long max) {
    EngineMetrics.tagQueries.labelValues(tag).inc();
    SimpleJdbcAction<List<JournalTables.JournalAkkaSerializationRow>> query =
        new SimpleJdbcAction<>(ctx -> rows(ctx.connection(), tag, offset, maxOffset, max));
    Set<String> noTags = scala.collection.immutable.Set$.MODULE$.empty();
    // Scala's effect type parameter is covariant; Java sees it as Nothing, hence the raw cast.
    scala.concurrent.Future<List<JournalTables.JournalAkkaSerializationRow>> page = database.run((slick.dbio.DBIOAction) query);
    return akka.stream.javadsl.Source.completionStage(FutureConverters.asJava(page))
        .mapConcat(found -> found)
        .map(row -> AkkaSerialization.fromRow(serialization, row)
            .map(reprAndOrdering -> new Tuple3<PersistentRepr, Set<String>, Object>(reprAndOrdering._1(), noTags, reprAndOrdering._2())))
        .asScala();
  }

  private static List<JournalTables.JournalAkkaSerializationRow> rows(Connection c, String tag, long offset, long maxOffset, long max) {
    try (PreparedStatement st = c.prepareStatement(EVENTS_BY_TAG)) {
      bind(st, tag, offset, maxOffset, max);
      List<JournalTables.JournalAkkaSerializationRow> rows = new ArrayList<>();
      try (ResultSet rs = st.executeQuery()) {
        while (rs.next()) rows.add(row(rs));
      }
      return rows;
    } catch (SQLException e) {
      throw new IllegalStateException("eventsByTag(" + tag + ", " + offset + ", " + maxOffset + ") failed: " + e.getMessage(), e);
    }
  }

  /** Binds {@link #EVENTS_BY_TAG}: the tag, the ordering range (twice: journal and tag table) and the limit. */
  public static void bind(PreparedStatement st, String tag, long offset, long maxOffset, long max) throws SQLException {
    st.setString(1, tag);
    st.setLong(2, offset);
    st.setLong(3, maxOffset);
    st.setLong(4, offset);
    st.setLong(5, maxOffset);
    st.setLong(6, Math.min(max, Integer.MAX_VALUE));
  }

  private static JournalTables.JournalAkkaSerializationRow row(ResultSet rs) throws SQLException {
    byte[] metaPayload = rs.getBytes(11);
    int metaSerId = rs.getInt(12);
    Option<Object> metaId = rs.wasNull() ? Option.empty() : Option.apply(metaSerId);
    return new JournalTables.JournalAkkaSerializationRow(rs.getLong(1), rs.getBoolean(2), rs.getString(3), rs.getLong(4),
        rs.getString(5), rs.getLong(6), rs.getString(7), rs.getBytes(8), rs.getInt(9), rs.getString(10),
        Option.apply(metaPayload), metaId, Option.apply(rs.getString(13)));
  }
}
