package dev.profileengine.model;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Locations of the shared data and small slices of it. */
public final class TestData {
  private TestData() {}

  public static Path sharedData() {
    String p = System.getProperty("profile.shared.data");
    Path dir = p == null ? Path.of("/work/shared/data") : Path.of(p);
    if (!Files.isDirectory(dir)) dir = Path.of("/work/shared/data");
    return dir.normalize();
  }

  public static Path users() {
    return sharedData().resolve("taobao-userbehavior-users.csv");
  }

  /** The complete histories of the first {@code n} users of the users file, as a new CSV. */
  public static Path firstUsers(int n, Path dir) {
    try {
      List<String> out = new ArrayList<>();
      Set<String> seen = new LinkedHashSet<>();
      for (String line : Files.readAllLines(users(), StandardCharsets.UTF_8)) {
        String user = line.substring(0, line.indexOf(','));
        if (!seen.contains(user) && seen.size() == n) break;
        seen.add(user);
        out.add(line);
      }
      Path f = dir.resolve("first-" + n + "-users.csv");
      Files.write(f, out, StandardCharsets.UTF_8);
      return f;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static RecentBehavior b(BehaviorType t, String cat, long seconds) {
    return new RecentBehavior(t, cat, seconds * 1000L);
  }
}
