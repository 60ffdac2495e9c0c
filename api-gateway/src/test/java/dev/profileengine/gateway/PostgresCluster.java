package dev.profileengine.gateway;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The cluster tests' common setup in one place: nodes on one embedded PostgreSQL, all members Up, closed in order. */
record PostgresCluster(EmbeddedPostgres pg, List<TestNode> nodes) implements AutoCloseable {
  static PostgresCluster start(Path dir, int nodes) throws IOException, InterruptedException {
    return start(dir, nodes, Map.of());
  }

  /**
   * {@code nodes} nodes (data in {@code dir}/node<i>i</i>) on a PostgreSQL in {@code dir}/pg, node 0
   * the seed, each with {@code ClusterCerts.postgresNode} and {@code extra} over it; returns once
   * every node sees them all Up.
   */
  static PostgresCluster start(Path dir, int nodes, Map<String, Object> extra) throws IOException, InterruptedException {
    EmbeddedPostgres pg = EmbeddedPostgres.builder().setDataDirectory(dir.resolve("pg")).setCleanDataDirectory(true).start();
    PostgresCluster cluster = new PostgresCluster(pg, new ArrayList<>());
    try {
      String url = pg.getJdbcUrl("postgres", "postgres");
      int seedPort = TestNode.freePort();
      for (int i = 0; i < nodes; i++) {
        Map<String, Object> config = new HashMap<>(ClusterCerts.postgresNode(ClusterCerts.secretDir(), url, seedPort, i == 0 ? seedPort : 0));
        config.putAll(extra);
        cluster.nodes.add(TestNode.start(dir.resolve("node" + i), config));
      }
      TestNode.awaitMembers(cluster.nodes, nodes);
      return cluster;
    } catch (Throwable t) {
      // A half-started cluster leaks no node nor database; the start's failure is the one reported.
      try {
        cluster.close();
      } catch (Throwable c) {
        t.addSuppressed(c);
      }
      throw t;
    }
  }

  /** The nodes in start order (node 0 the seed); the cluster closes them. */
  @Override
  public List<TestNode> nodes() {
    return Collections.unmodifiableList(nodes);
  }

  TestNode node(int i) {
    return nodes.get(i);
  }

  /** The nodes, last started first (the seed leaves last), then PostgreSQL, even when one of them fails to close. */
  @Override
  public void close() throws IOException {
    RuntimeException failed = null;
    for (int i = nodes.size() - 1; i >= 0; i--) {
      try {
        nodes.get(i).close();
      } catch (RuntimeException e) {
        if (failed == null) failed = e;
        else failed.addSuppressed(e);
      }
    }
    try {
      pg.close();
    } catch (IOException | RuntimeException e) {
      if (failed != null) e.addSuppressed(failed);
      throw e;
    }
    if (failed != null) throw failed;
  }
}
