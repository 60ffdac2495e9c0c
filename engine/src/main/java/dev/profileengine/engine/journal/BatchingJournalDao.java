package dev.profileengine.engine.journal;

import akka.persistence.jdbc.config.BaseDaoConfig;
import akka.persistence.jdbc.config.JournalConfig;
import akka.persistence.jdbc.journal.dao.DefaultJournalDao;
import akka.persistence.jdbc.journal.dao.JournalTables;
import akka.serialization.Serialization;
import akka.stream.Materializer;
import java.util.List;
import scala.Tuple2;
import scala.collection.immutable.Seq;
import scala.collection.immutable.Set;
import scala.concurrent.ExecutionContext;
import scala.concurrent.Future;
import scala.jdk.javaapi.CollectionConverters;
import scala.jdk.javaapi.FutureConverters;
import scala.runtime.BoxedUnit;
import slick.jdbc.JdbcBackend;
import slick.jdbc.JdbcProfile;

/**
 * akka-persistence-jdbc's journal DAO with its write queue replaced by a {@link JournalWriteBatcher}:
 * the same group commit ({@code jdbc-journal.batchSize}, {@code parallelism}, {@code bufferSize}),
 * without the plugin's queue re-concatenating an immutable list for every write added to a batch
 * (quadratic in the batch size), and with the rows per
 * transaction as a metric. Reads, deletes and the row format are the plugin's, except that on an
 * embedded H2 journal the highest sequence number of an id it certainly holds nothing for is 0
 * without a query ({@link KnownPersistenceIds}).
 */
public class BatchingJournalDao extends DefaultJournalDao {
  private final JournalWriteBatcher<Tuple2<JournalTables.JournalAkkaSerializationRow, Set<String>>> batcher;
  private final KnownPersistenceIds known; // null: not an embedded H2 journal
  private final JournalCommits commits;

  public BatchingJournalDao(JdbcBackend.DatabaseDef db, JdbcProfile profile, JournalConfig config, Serialization serialization,
                            ExecutionContext ec, Materializer mat) {
    super(db, profile, config, serialization, ec, mat);
    BaseDaoConfig dao = config.daoConfig();
    this.commits = JournalCommits.get(serialization.system());
    this.batcher = new JournalWriteBatcher<>(dao.batchSize(), dao.parallelism(), dao.bufferSize(),
        rows -> FutureConverters.asJava(writeJournalRows(CollectionConverters.asScala(rows).toSeq())).thenCompose(v -> afterCommit())
            .whenComplete((v, failure) -> {
              if (failure == null) commits.committed();
            }),
        ec::execute);
    var table = config.eventJournalTableConfiguration();
    this.known = KnownPersistenceIds.forJournal(serialization.system(), profile, db,
        H2Names.table(table.schemaName(), table.tableName()), H2Names.quoted(table.columnNames().persistenceId()));
  }

  /** 0 without a query for an id the journal certainly holds nothing for (see {@link KnownPersistenceIds}). */
  @Override
  public Future<Object> highestSequenceNr(String persistenceId, long fromSequenceNr) {
    if (known != null && known.certainlyUnknown(persistenceId)) return Future.successful(0L);
    return super.highestSequenceNr(persistenceId, fromSequenceNr);
  }

  /** Runs after each batch's transaction committed, before its writes are acknowledged (see {@link H2SyncedJournalDao}). */
  protected java.util.concurrent.CompletionStage<?> afterCommit() {
    return java.util.concurrent.CompletableFuture.completedFuture(null);
  }

  @Override
  public Future<BoxedUnit> queueWriteJournalRows(Seq<Tuple2<JournalTables.JournalAkkaSerializationRow, Set<String>>> rows) {
    List<Tuple2<JournalTables.JournalAkkaSerializationRow, Set<String>>> list = CollectionConverters.asJava(rows);
    if (known != null) for (var row : list) known.add(row._1().persistenceId());
    return FutureConverters.asScala(batcher.submit(list).thenApply(v -> BoxedUnit.UNIT));
  }
}
