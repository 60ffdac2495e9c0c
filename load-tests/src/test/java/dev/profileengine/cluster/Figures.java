package dev.profileengine.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** The measured figures of a run, printed as they come and once more as a summary (also to a file). */
final class Figures {
  private final Map<String, String> figures = new LinkedHashMap<>();
  private final String test;

  Figures() {
    this("failover");
  }

  /** {@code test} prefixes every line printed. */
  Figures(String test) {
    this.test = test;
  }

  synchronized void put(String name, String format, Object... args) {
    String value = String.format(format, args);
    figures.put(name, value);
    System.out.printf("%s: %-44s %s%n", test, name, value);
  }

  synchronized String summary() {
    StringBuilder sb = new StringBuilder("==== " + test + " test: measured figures ====\n");
    figures.forEach((k, v) -> sb.append(String.format("  %-44s %s%n", k, v)));
    return sb.toString();
  }

  void write(Path file) {
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, summary());
    } catch (IOException e) {
      System.err.println(test + ": cannot write " + file + ": " + e);
    }
  }
}
