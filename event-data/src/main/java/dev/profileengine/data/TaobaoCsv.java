package dev.profileengine.data;

import dev.profileengine.profile.BehaviorType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;

/**
 * Reads Taobao UserBehavior CSV files. Two layouts are accepted:
 * <ul>
 *   <li>5 columns, no header: {@code user_id,item_id,category_id,behavior_type,timestamp};</li>
 *   <li>10 columns (brand/price sample, one header line): user id, item id, brand, brand id,
 *       product name, category name, category id, behavior type, timestamp, price.</li>
 * </ul>
 * Unreadable lines are reported to the caller and skipped, never fatal.
 */
public final class TaobaoCsv {

  /** A line that could not be read, with its 1-based number and why. */
  public record BadLine(long line, String reason) {}

  private TaobaoCsv() {}

  public static List<BehaviorRow> read(Path file, Consumer<BadLine> onBadLine) {
    List<BehaviorRow> rows = new ArrayList<>();
    DataLines.read(file, true, line -> {
      BehaviorRow row = parse(line);
      if (row != null) rows.add(row);
    }, onBadLine);
    return rows;
  }

  /** Rows in event-time order; rows sharing a second keep their file order (stable sort). */
  public static List<BehaviorRow> readSortedByTime(Path file, Consumer<BadLine> onBadLine) {
    List<BehaviorRow> rows = read(file, onBadLine);
    rows.sort(Comparator.comparingLong(BehaviorRow::epochSecond));
    return rows;
  }

  /** Parses one line; throws {@link IllegalArgumentException} naming the column at fault. */
  public static BehaviorRow parse(String line) {
    String[] c = line.split(",", -1);
    if (c.length == 5) {
      return new BehaviorRow(id(c[0], "user_id"), id(c[1], "item_id"), id(c[2], "category_id"),
          type(c[3]), seconds(c[4]), null, null);
    }
    if (c.length == 10) {
      return new BehaviorRow(id(c[0], "user_id"), id(c[1], "item_id"), id(c[6], "category_id"),
          type(c[7]), seconds(c[8]), c[2].isBlank() ? null : c[2].trim(), price(c[9]));
    }
    throw new IllegalArgumentException("expected 5 or 10 columns, found " + c.length);
  }

  private static String id(String raw, String column) {
    String v = raw.trim();
    if (v.isEmpty()) throw new IllegalArgumentException(column + " is empty");
    for (int i = 0; i < v.length(); i++) {
      if (!Character.isDigit(v.charAt(i))) throw new IllegalArgumentException(column + " is not numeric: " + v);
    }
    return v;
  }

  private static BehaviorType type(String raw) {
    return BehaviorType.fromTaobao(raw.trim())
        .orElseThrow(() -> new IllegalArgumentException("behavior_type is not one of pv, fav, cart, buy: " + raw));
  }

  private static long seconds(String raw) {
    try {
      return Long.parseLong(raw.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("timestamp is not unix seconds: " + raw);
    }
  }

  private static Double price(String raw) {
    if (raw.isBlank()) return null;
    try {
      double p = Double.parseDouble(raw.trim());
      if (!Double.isFinite(p) || p < 0) throw new IllegalArgumentException("price is negative or not finite: " + raw);
      return p;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("price is not a number: " + raw);
    }
  }
}
