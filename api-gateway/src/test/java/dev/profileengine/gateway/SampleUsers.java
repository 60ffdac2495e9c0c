package dev.profileengine.gateway;

import dev.profileengine.data.BehaviorRow;
import dev.profileengine.data.SampleFiles;
import dev.profileengine.data.TaobaoCsv;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Real Taobao users to load a node with: {@code rows} are the whole histories of {@code users}, in file order. */
record SampleUsers(List<String> users, List<BehaviorRow> rows) {

  /** The first {@code n} users of the per-user sample. */
  static SampleUsers first(int n) {
    Set<String> chosen = new LinkedHashSet<>();
    List<BehaviorRow> rows = new ArrayList<>();
    for (BehaviorRow r : TaobaoCsv.read(SampleFiles.find(SampleFiles.USERS), bad -> { throw new AssertionError("unreadable " + bad); })) {
      if (chosen.size() < n || chosen.contains(r.userId())) {
        chosen.add(r.userId());
        rows.add(r);
      }
    }
    return new SampleUsers(List.copyOf(chosen), rows);
  }
}
