package dev.profileengine.model;

import dev.profileengine.data.DataFiles;
import dev.profileengine.data.SampleFiles;
import dev.profileengine.profile.BehaviorType;
import dev.profileengine.profile.RecentBehavior;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Locations of the repository's sample data ({@code samples/}, see its README.md) and small slices of it. */
public final class TestData {
  private TestData() {}

  /** {@code name} in the repository's samples (see {@link SampleFiles}). */
  public static Path sample(String name) {
    return SampleFiles.find(name);
  }

  /** The complete histories of 686 users (gzip-compressed CSV). */
  public static Path users() {
    return sample("taobao-userbehavior-users.csv");
  }

  /** The complete histories of the first {@code n} users of the users file, as a new CSV. */
  public static Path firstUsers(int n, Path dir) {
    try {
      List<String> out = new ArrayList<>();
      Set<String> seen = new LinkedHashSet<>();
      List<String> lines;
      try (var in = DataFiles.open(users())) {
        lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
      }
      for (String line : lines) {
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
