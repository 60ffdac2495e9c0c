package dev.profileengine.engine.changes;

import akka.NotUsed;
import akka.persistence.PersistentRepr;
import akka.persistence.jdbc.AkkaSerialization;
import akka.persistence.jdbc.config.ReadJournalConfig;
import akka.persistence.jdbc.journal.dao.JournalTables;
import akka.persistence.jdbc.query.dao.DefaultReadJournalDao;
import akka.persistence.typed.PersistenceId;
import akka.serialization.Serialization;
import akka.serialization.Serializers;
import akka.stream.Materializer;
import dev.profileengine.engine.ErasureLog;
import dev.profileengine.engine.UserProfile;
import dev.profileengine.engine.journal.JournalRows;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import scala.Tuple3;
import scala.collection.immutable.Set;
import scala.concurrent.ExecutionContext;
import scala.jdk.javaapi.FutureConverters;
import scala.util.Try;
import slick.jdbc.JdbcBackend;
import slick.jdbc.JdbcProfile;
import slick.jdbc.SimpleJdbcAction;

/**
 * The read journal, with the engine's two tags read from the journal rows themselves instead of
 * the tag table: the events are written without tags, which halves the rows every event costs.
 *
 * <p>With a tag per event, every write of the plugin (akka-persistence-jdbc 5.2.1) inserted the
 * events one by one to get their ordering back, then a tag row each; H2 stored four B-trees per
 * event at commit (journal, its unique index, the tag table and its key). Without tags the plugin
 * writes a plain JDBC batch into the journal alone. The tags keep their meaning:
 * <ul>
 *   <li>{@link ChangeFeed#TAG}: every event of the {@link UserProfile} and {@link ErasureLog}
 *       entities, in ordering order (what the change stream and its subscribers read);
 *   <li>{@link ChangeFeed#SEGMENT_TAG}: {@link UserProfile.SegmentsChanged} events (by their
 *       serializer manifest) and every {@link ErasureLog} event (the segment projection's input).
 * </ul>
 * A {@link UsersTag} (the change tag of a few users) reads those users' persistence ids by the
 * {@code (persistence_id, sequence_number)} index instead, so a subscriber of one user catching up
 * from offset 0 reads that user's rows, not the journal.
 * A query reads the requested ordering range of the journal by its key and filters it, on H2 and
 * PostgreSQL alike (tests: DerivedTagReadJournalDaoTest, PostgresTagQueryPlanTest). Journals
 * written before, with tag rows, read the same: those tags were given to exactly these rows. Any
 * other tag goes to the plugin's own query over the tag table. Rows, order, limits and
 * deserialization are the plugin's own.
 */
public class DerivedTagReadJournalDao extends DefaultReadJournalDao {
  private static final String COLUMNS = JournalRows.SELECT + """
      WHERE j."deleted" = FALSE AND j."ordering" > ? AND j."ordering" <= ? AND (""";

  /**
   * The journal rows a tag stands for: every event of the entity types named, and the events of
   * any entity whose serializer manifest is one of those named.
   */
  public record DerivedTag(String name, List<String> entityTypes, List<String> manifests) {
    public DerivedTag {
      entityTypes = List.copyOf(entityTypes);
      manifests = List.copyOf(manifests);
    }

    /** The page query: parameters offset, max offset, then {@link #bind}'s conditions, then the limit. */
    public String query() {
      String conditions = Stream.concat(
              entityTypes.stream().map(t -> "j.\"persistence_id\" LIKE ?"),
              manifests.stream().map(m -> "j.\"event_ser_manifest\" = ?"))
          .collect(Collectors.joining(" OR "));
      return COLUMNS + conditions + ") ORDER BY j.\"ordering\" LIMIT ?";
    }

    /** Binds {@link #query()}: the ordering range {@code (offset, maxOffset]}, the conditions and the limit. */
    public void bind(PreparedStatement st, long offset, long maxOffset, long max) throws SQLException {
      int i = 1;
      st.setLong(i++, offset);
      st.setLong(i++, maxOffset);
      for (String type : entityTypes) st.setString(i++, likePrefix(type + PersistenceId.DefaultSeparator()));
      for (String manifest : manifests) st.setString(i++, manifest);
      st.setLong(i, Math.min(max, Integer.MAX_VALUE));
    }

    private static String likePrefix(String prefix) {
      return prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
    }
  }

  /** The engine's tags, given the serializer manifest of {@link UserProfile.SegmentsChanged}. */
  public static Map<String, DerivedTag> engineTags(String segmentsChangedManifest) {
    return engineTags(List.of(segmentsChangedManifest));
  }

  /** The engine's tags, given every serializer manifest a {@link UserProfile.SegmentsChanged} row may carry. */
  public static Map<String, DerivedTag> engineTags(List<String> segmentsChangedManifests) {
    String profiles = UserProfile.ENTITY_KEY.name();
    String erasures = ErasureLog.ENTITY_KEY.name();
    return Map.of(
        ChangeFeed.TAG, new DerivedTag(ChangeFeed.TAG, List.of(profiles, erasures), List.of()),
        ChangeFeed.SEGMENT_TAG, new DerivedTag(ChangeFeed.SEGMENT_TAG, List.of(erasures), segmentsChangedManifests));
  }

  /** The manifest rows journaled before stable manifests carry for a {@link UserProfile.SegmentsChanged}. */
  static final String LEGACY_SEGMENTS_CHANGED = "dev.profileengine.engine.UserProfile$SegmentsChanged";

  /**
   * The manifests a {@link UserProfile.SegmentsChanged} row may carry: the one written now, its
   * earlier versions, and the class name written before stable manifests (journals keep them all).
   */
  static List<String> segmentsChangedManifests(Serialization serialization) {
    Object sample = new UserProfile.SegmentsChanged(List.of(), List.of(), List.of(), Instant.EPOCH);
    String current = Serializers.manifestFor(serialization.findSerializerFor(sample), sample);
    List<String> all = new java.util.ArrayList<>(List.of(LEGACY_SEGMENTS_CHANGED));
    // Stable manifests are "name#version" (StableCborSerializer): every version up to the current one.
    int hash = current.lastIndexOf('#');
    if (hash > 0) {
      int version = Integer.parseInt(current.substring(hash + 1));
      for (int v = 1; v <= version; v++) all.add(current.substring(0, hash) + "#" + v);
    }
    if (!all.contains(current)) all.add(current);
    return List.copyOf(all);
  }

  private final JdbcBackend.DatabaseDef database;
  private final Serialization serialization;
  private final Map<String, DerivedTag> tags;
  private final CommitHorizon horizon; // null: not PostgreSQL

  public DerivedTagReadJournalDao(JdbcBackend.DatabaseDef db, JdbcProfile profile, ReadJournalConfig config, Serialization serialization,
                                  ExecutionContext ec, Materializer mat) {
    super(db, profile, config, serialization, ec, mat);
    this.database = db;
    this.serialization = serialization;
    this.tags = engineTags(segmentsChangedManifests(serialization));
    // PostgreSQL: the plugin's gap wait (max-tries x query-delay, set long by JournalConfig) bounds
    // how long a writer's open transaction holds the change stream back.
    var retrieval = config.journalSequenceRetrievalConfiguration();
    this.horizon = profile instanceof slick.jdbc.PostgresProfile
        ? new CommitHorizon(Duration.ofMillis(retrieval.queryDelay().toMillis() * retrieval.maxTries()))
        : null;
  }

  /**
   * The orderings the plugin's gap detection may treat as settled. On PostgreSQL, every ordering up
   * to the {@link CommitHorizon}: all at or below it are committed or rolled back, so the read
   * journal never waits on a true gap and never passes a row still to be committed. Elsewhere (H2:
   * one writer, one transaction at a time) the plugin's own query and gap wait.
   */
  @Override
  public akka.stream.scaladsl.Source<Object, NotUsed> journalSequence(long offset, long limit) {
    if (horizon == null) return super.journalSequence(offset, limit);
    @SuppressWarnings({"unchecked", "rawtypes"})
    scala.concurrent.Future<Object> polled = database.run((slick.dbio.DBIOAction) new SimpleJdbcAction<>(ctx -> {
      try {
        return horizon.advance(ctx.connection());
      } catch (SQLException e) {
        throw new IllegalStateException("the journal's commit horizon query failed: " + e.getMessage(), e);
      }
    }));
    return akka.stream.javadsl.Source.completionStage(FutureConverters.asJava(polled))
        .mapConcat(h -> {
          long until = Math.min((Long) h, offset + limit);
          return () -> java.util.stream.LongStream.rangeClosed(offset + 1, until).<Object>mapToObj(Long::valueOf).iterator();
        })
        .asScala();
  }

  @Override
  @SuppressWarnings({"unchecked", "rawtypes"})
  public akka.stream.scaladsl.Source<Try<Tuple3<PersistentRepr, Set<String>, Object>>, NotUsed> eventsByTag(
      String tag, long offset, long maxOffset, long max) {
    UsersTag users = UsersTag.parse(tag);
    String label = users == null ? tag : UsersTag.PREFIX;
    ChangeMetrics.tagQueries.labelValues(label).inc();
    DerivedTag derived = users == null ? tags.get(tag) : null;
    if (derived == null && users == null) return super.eventsByTag(tag, offset, maxOffset, max);
    SimpleJdbcAction<List<JournalTables.JournalAkkaSerializationRow>> query = new SimpleJdbcAction<>(ctx -> {
      List<JournalTables.JournalAkkaSerializationRow> found = users == null
          ? rows(ctx.connection(), derived, offset, maxOffset, max)
          : rows(ctx.connection(), users, offset, maxOffset, max);
      ChangeMetrics.tagRowsRead.labelValues(label).inc(found.size());
      return found;
    });
    Set<String> noTags = scala.collection.immutable.Set$.MODULE$.empty();
    // Scala's effect type parameter is covariant; Java sees it as Nothing, hence the raw cast.
    scala.concurrent.Future<List<JournalTables.JournalAkkaSerializationRow>> page = database.run((slick.dbio.DBIOAction) query);
    var events = akka.stream.javadsl.Source.completionStage(FutureConverters.asJava(page))
        .mapConcat(found -> found)
        .map(row -> AkkaSerialization.fromRow(serialization, row)
            .map(reprAndOrdering -> new Tuple3<PersistentRepr, Set<String>, Object>(reprAndOrdering._1(), noTags, reprAndOrdering._2())));
    // The plugin runs each page as a stream of its own on the default dispatcher: a page of the
    // change tag (a subscriber's catch-up) is deserialized on the change streams' threads instead,
    // so that many subscribers catching up at once do not hold up the requests (ChangeFeed.DISPATCHER).
    boolean changeStream = users != null || ChangeFeed.TAG.equals(tag);
    return (changeStream ? events.async(ChangeFeed.DISPATCHER) : events).asScala();
  }

  static List<JournalTables.JournalAkkaSerializationRow> rows(Connection c, DerivedTag tag, long offset, long maxOffset, long max) {
    try (PreparedStatement st = c.prepareStatement(tag.query())) {
      tag.bind(st, offset, maxOffset, max);
      return JournalRows.all(st);
    } catch (SQLException e) {
      throw new IllegalStateException("eventsByTag(" + tag.name() + ", " + offset + ", " + maxOffset + ") failed: " + e.getMessage(), e);
    }
  }

  /**
   * The journal rows of {@code users}' persistence ids in the ordering range {@code (offset, maxOffset]}:
   * one lookup per persistence id in the {@code (persistence_id, sequence_number)} index, so the
   * cost follows these users' rows, not the journal's.
   */
  static String usersQuery(int persistenceIds) {
    return COLUMNS + "j.\"persistence_id\" IN (" + String.join(", ", java.util.Collections.nCopies(persistenceIds, "?"))
        + ")) ORDER BY j.\"ordering\" LIMIT ?";
  }

  /** Binds {@link #usersQuery}: the ordering range {@code (offset, maxOffset]}, the persistence ids, the limit. */
  static void bindUsers(PreparedStatement st, List<String> persistenceIds, long offset, long maxOffset, long max) throws SQLException {
    int i = 1;
    st.setLong(i++, offset);
    st.setLong(i++, maxOffset);
    for (String id : persistenceIds) st.setString(i++, id);
    st.setLong(i, Math.min(max, Integer.MAX_VALUE));
  }

  private static List<JournalTables.JournalAkkaSerializationRow> rows(Connection c, UsersTag users, long offset, long maxOffset, long max) {
    List<String> ids = users.persistenceIds();
    try (PreparedStatement st = c.prepareStatement(usersQuery(ids.size()))) {
      bindUsers(st, ids, offset, maxOffset, max);
      return JournalRows.all(st);
    } catch (SQLException e) {
      throw new IllegalStateException("eventsByTag(" + UsersTag.PREFIX + " of " + users.userIds().size() + ", " + offset + ", " + maxOffset
          + ") failed: " + e.getMessage(), e);
    }
  }
}
