package dev.profileengine.engine.journal;

import akka.persistence.SnapshotMetadata;
import akka.persistence.jdbc.config.SnapshotConfig;
import akka.persistence.jdbc.snapshot.dao.DefaultSnapshotDao;
import akka.serialization.Serialization;
import akka.stream.Materializer;
import scala.Option;
import scala.Tuple2;
import scala.concurrent.ExecutionContext;
import scala.concurrent.Future;
import scala.runtime.BoxedUnit;
import slick.jdbc.JdbcBackend;
import slick.jdbc.JdbcProfile;

/**
 * The plugin's snapshot DAO, except that on an embedded H2 journal a snapshot of an id that
 * certainly has none ({@link KnownPersistenceIds}) is "none" without a query: the first of the
 * two queries of every new entity's recovery.
 */
public class KnownIdsSnapshotDao extends DefaultSnapshotDao {
  private static final Future<Option<Tuple2<SnapshotMetadata, Object>>> NONE = Future.successful(Option.empty());
  private final KnownPersistenceIds known; // null: not an embedded H2 journal

  public KnownIdsSnapshotDao(JdbcBackend.DatabaseDef db, JdbcProfile profile, SnapshotConfig config, Serialization serialization,
                             ExecutionContext ec, Materializer mat) {
    super(db, profile, config, serialization, ec, mat);
    var table = config.snapshotTableConfiguration();
    this.known = KnownPersistenceIds.forSnapshots(serialization.system(), profile, db,
        H2Names.table(table.schemaName(), table.tableName()), H2Names.quoted(table.columnNames().persistenceId()));
  }

  private boolean none(String persistenceId) {
    return known != null && known.certainlyUnknown(persistenceId);
  }

  @Override
  public Future<Option<Tuple2<SnapshotMetadata, Object>>> latestSnapshot(String persistenceId) {
    return none(persistenceId) ? NONE : super.latestSnapshot(persistenceId);
  }

  @Override
  public Future<Option<Tuple2<SnapshotMetadata, Object>>> snapshotForMaxTimestamp(String persistenceId, long maxTimestamp) {
    return none(persistenceId) ? NONE : super.snapshotForMaxTimestamp(persistenceId, maxTimestamp);
  }

  @Override
  public Future<Option<Tuple2<SnapshotMetadata, Object>>> snapshotForMaxSequenceNr(String persistenceId, long maxSequenceNr) {
    return none(persistenceId) ? NONE : super.snapshotForMaxSequenceNr(persistenceId, maxSequenceNr);
  }

  @Override
  public Future<Option<Tuple2<SnapshotMetadata, Object>>> snapshotForMaxSequenceNrAndMaxTimestamp(String persistenceId, long maxSequenceNr,
                                                                                                 long maxTimestamp) {
    return none(persistenceId) ? NONE : super.snapshotForMaxSequenceNrAndMaxTimestamp(persistenceId, maxSequenceNr, maxTimestamp);
  }

  @Override
  public Future<BoxedUnit> save(SnapshotMetadata metadata, Object snapshot) {
    if (known != null) known.add(metadata.persistenceId());
    return super.save(metadata, snapshot);
  }
}
