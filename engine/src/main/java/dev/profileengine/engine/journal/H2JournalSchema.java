package dev.profileengine.engine.journal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.stream.Collectors;

/**
 * The engine's journal schema for H2, {@code schema/h2-journal.sql} on the classpath (why it
 * differs from the plugin's: the file's comments). One reading of it for the node, which applies
 * it through the plugin, and for tests and benchmarks that build a journal with plain JDBC.
 */
public final class H2JournalSchema {
  private static final String RESOURCE = "/schema/h2-journal.sql";

  private H2JournalSchema() {}

  /**
   * The script without its comment lines (akka-persistence-jdbc's SchemaUtils drops a statement
   * that starts with a comment).
   */
  public static String script() {
    try (InputStream in = H2JournalSchema.class.getResourceAsStream(RESOURCE)) {
      if (in == null) throw new IllegalStateException(RESOURCE.substring(1) + " is missing from the classpath");
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
          .filter(line -> !line.strip().startsWith("--"))
          .collect(Collectors.joining("\n"));
    } catch (IOException e) {
      throw new IllegalStateException(RESOURCE.substring(1) + " not readable: " + e.getMessage(), e);
    }
  }

  /** Applies the script on a plain JDBC connection, one statement at a time. */
  public static void apply(Connection c) throws SQLException {
    try (Statement st = c.createStatement()) {
      for (String ddl : script().split(";")) {
        if (!ddl.isBlank()) st.execute(ddl);
      }
    }
  }
}
