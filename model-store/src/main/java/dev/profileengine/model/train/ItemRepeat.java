package dev.profileengine.model.train;

import dev.profileengine.data.BehaviorRow;
import dev.profileengine.data.DataFormat;
import dev.profileengine.data.TaobaoCsv;
import dev.profileengine.model.dataset.BehaviorDataset;
import dev.profileengine.profile.BehaviorType;
import dev.profileengine.profile.RecentBehavior;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Offline-only experiment (train {@code --experimental-item-repeat}): per target, how often the
 * user has already interacted with the last behavior's item, by type. A profile's
 * {@code RecentBehavior} carries no item id, so a model with these features could not be served;
 * the experiment only measures the validation gain, and no version is written.
 */
final class ItemRepeat {
  private final Map<String, List<String>> items;
  private final List<BehaviorType> types;

  private ItemRepeat(Map<String, List<String>> items, List<BehaviorType> types) {
    this.items = items;
    this.types = types;
  }

  /** Item ids per user aligned with {@code data}'s (stably time-sorted) sequences; Taobao CSV only. */
  static ItemRepeat load(Path file, DataFormat format, BehaviorDataset data, List<BehaviorType> activeTypes) {
    if (format != DataFormat.TAOBAO) throw new IllegalArgumentException("--experimental-item-repeat needs the taobao format (item ids)");
    Map<String, List<BehaviorRow>> rows = new LinkedHashMap<>();
    for (BehaviorRow r : TaobaoCsv.read(file, b -> {})) rows.computeIfAbsent(r.userId(), k -> new ArrayList<>()).add(r);
    Map<String, List<String>> items = new HashMap<>();
    data.users().forEach((u, seq) -> {
      List<BehaviorRow> s = new ArrayList<>(rows.get(u));
      // Same stable sort as BehaviorDataset, so position i is the same event.
      s.sort(Comparator.comparingLong(BehaviorRow::epochSecond));
      if (s.size() != seq.size()) throw new IllegalStateException("item ids of user " + u + " do not align");
      List<String> ids = new ArrayList<>(s.size());
      for (int i = 0; i < s.size(); i++) {
        RecentBehavior b = seq.get(i);
        if (b.type() != s.get(i).type() || b.epochMillis() != s.get(i).epochSecond() * 1000L)
          throw new IllegalStateException("item ids of user " + u + " do not align at " + i);
        ids.add(s.get(i).itemId());
      }
      items.put(u, ids);
    });
    return new ItemRepeat(items, activeTypes);
  }

  int count() {
    return types.size() + 1;
  }

  /** Counts of the user's earlier behaviors on an item, by type, folded event by event. */
  final class Folder {
    private final List<String> ids;
    private final Map<String, int[]> counts = new HashMap<>();

    Folder(String user) {
      ids = items.get(user);
    }

    void add(int i, BehaviorType type) {
      counts.computeIfAbsent(ids.get(i), k -> new int[BehaviorType.count()])[type.ordinal()]++;
    }

    /**
     * Features for a target after events 0..last (all folded): log(1 + count of each type on the
     * last event's item), and whether that item was seen before the last event.
     */
    float[] features(int last, BehaviorType lastType) {
      int[] c = counts.get(ids.get(last));
      float[] f = new float[count()];
      int total = 0;
      for (int k = 0; k < types.size(); k++) {
        f[k] = (float) Math.log1p(c[types.get(k).ordinal()]);
        total += c[types.get(k).ordinal()];
      }
      f[types.size()] = total > 1 ? 1f : 0f;
      return f;
    }
  }

  static float[] concat(float[] a, float[] b) {
    float[] out = new float[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
