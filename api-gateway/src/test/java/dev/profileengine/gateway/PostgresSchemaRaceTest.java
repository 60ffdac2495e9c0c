package dev.profileengine.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.profileengine.engine.segments.SegmentStore;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nodes of a cluster start together and each creates the segment table if missing: on PostgreSQL,
 * concurrent {@code CREATE TABLE IF NOT EXISTS} can fail all but one with a duplicate key in the
 * catalog, which once stopped a node from starting (a cluster benchmark). Every one of many
 * simultaneous creators must succeed, on one fresh database per round.
 */
class PostgresSchemaRaceTest {
  @TempDir
  Path dir;

  @Test
  void nodesCreatingTheSegmentTableAtOnceAllSucceed() throws Exception {
    try (EmbeddedPostgres pg = EmbeddedPostgres.builder().setDataDirectory(dir.resolve("pg")).setCleanDataDirectory(true).start()) {
      ExecutorService pool = Executors.newFixedThreadPool(8);
      try {
        for (int round = 0; round < 5; round++) {
          String db = "race" + round;
          try (Connection c = pg.getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + db);
          }
          String url = pg.getJdbcUrl("postgres", db);
          CountDownLatch start = new CountDownLatch(1);
          List<Future<?>> creators = new ArrayList<>();
          for (int i = 0; i < 8; i++) {
            creators.add(pool.submit(() -> {
              start.await();
              SegmentStore.createSchema(() -> java.sql.DriverManager.getConnection(url));
              return null;
            }));
          }
          start.countDown();
          for (Future<?> f : creators) f.get(60, TimeUnit.SECONDS);
          try (Connection c = java.sql.DriverManager.getConnection(url); Statement st = c.createStatement();
               ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_tables WHERE tablename = 'profile_segment_member'")) {
            rs.next();
            assertEquals(1, rs.getInt(1), "round " + round);
          }
        }
      } finally {
        pool.shutdownNow();
      }
    }
  }
}
