package dev.profileengine.model.dataset;

import dev.profileengine.data.BehaviorRow;
import dev.profileengine.data.DataFiles;
import dev.profileengine.data.DataFormat;
import dev.profileengine.data.DataFormatException;
import dev.profileengine.data.DataLines;
import dev.profileengine.data.JsonEvents;
import dev.profileengine.data.TaobaoCsv;
import dev.profileengine.profile.RecentBehavior;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Behavior sequences per user, each in event-time order (ties keep file order), users in order
 * of first appearance. This is what training and evaluation read.
 *
 * @param source the file read, null for in-memory data
 * @param sha256 hex SHA-256 of the file's data (decompressed if gzip), null for in-memory data
 */
public record BehaviorDataset(Path source, String sha256, Map<String, List<RecentBehavior>> users, long badLines) {

  public BehaviorDataset {
    Map<String, List<RecentBehavior>> copy = new LinkedHashMap<>();
    users.forEach((u, s) -> copy.put(u, List.copyOf(s)));
    users = Collections.unmodifiableMap(copy);
  }

  /** In-memory data (tests): each user's behaviors are sorted by time (stable). */
  public static BehaviorDataset of(Map<String, List<RecentBehavior>> users) {
    Map<String, List<RecentBehavior>> sorted = new LinkedHashMap<>();
    users.forEach((u, s) -> sorted.put(u, sortedByTime(s)));
    return new BehaviorDataset(null, null, sorted, 0);
  }

  /** Reads a file; unreadable lines are passed to {@code onBadLine} and skipped. */
  public static BehaviorDataset load(Path file, DataFormat format, Consumer<TaobaoCsv.BadLine> onBadLine) {
    if (!Files.isRegularFile(file)) throw new DataFormatException("no such data file: " + file);
    long[] bad = {0};
    Consumer<TaobaoCsv.BadLine> counting = b -> {
      bad[0]++;
      onBadLine.accept(b);
    };
    Map<String, List<RecentBehavior>> users = new LinkedHashMap<>();
    if (format == DataFormat.TAOBAO) {
      for (BehaviorRow r : TaobaoCsv.read(file, counting)) {
        users.computeIfAbsent(r.userId(), k -> new ArrayList<>())
            .add(new RecentBehavior(r.type(), r.categoryId(), r.epochSecond() * 1000L));
      }
    } else {
      readJson(file, users, counting);
    }
    if (users.isEmpty()) throw new DataFormatException("no readable events in " + file + " (format " + format.name().toLowerCase() + ", " + bad[0] + " bad lines)");
    Map<String, List<RecentBehavior>> sorted = new LinkedHashMap<>();
    users.forEach((u, s) -> sorted.put(u, sortedByTime(s)));
    return new BehaviorDataset(file, sha256(file), sorted, bad[0]);
  }

  private static void readJson(Path file, Map<String, List<RecentBehavior>> users, Consumer<TaobaoCsv.BadLine> onBad) {
    Set<String> seen = new HashSet<>();
    DataLines.read(file, false, line -> {
      JsonEvents.Event e = JsonEvents.parse(line);
      if (e.eventId() != null && !seen.add(e.eventId())) return; // a replayed event counts once
      users.computeIfAbsent(e.userId(), k -> new ArrayList<>()).add(new RecentBehavior(e.type(), e.categoryId(), e.epochMillis()));
    }, onBad);
  }

  private static List<RecentBehavior> sortedByTime(List<RecentBehavior> s) {
    List<RecentBehavior> out = new ArrayList<>(s);
    out.sort(Comparator.comparingLong(RecentBehavior::epochMillis));
    return out;
  }

  /** Hex SHA-256 of a file's data: of the decompressed bytes if it is gzip, so x.csv and x.csv.gz agree. */
  public static String sha256(Path file) {
    try (InputStream in = DataFiles.open(file)) {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      byte[] buf = new byte[1 << 16];
      int r;
      while ((r = in.read(buf)) > 0) md.update(buf, 0, r);
      return HexFormat.of().formatHex(md.digest());
    } catch (IOException e) {
      throw new DataFormatException("cannot read " + file + ": " + e.getMessage(), e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  public long events() {
    long n = 0;
    for (List<RecentBehavior> s : users.values()) n += s.size();
    return n;
  }

  public int userCount() {
    return users.size();
  }
}
