package dev.profileengine.data;

import java.util.Locale;

/** Input formats of the training and evaluation CLI. */
public enum DataFormat {
  /** Taobao UserBehavior CSV: {@code user_id,item_id,category_id,behavior_type,timestamp} (see {@link TaobaoCsv}). */
  TAOBAO,
  /** The engine's JSON events, one object per line (see {@link JsonEvents}). */
  JSON;

  public static DataFormat parse(String name) {
    if (name == null) return TAOBAO;
    return switch (name.toLowerCase(Locale.ROOT)) {
      case "taobao", "csv" -> TAOBAO;
      case "json", "jsonl", "ndjson" -> JSON;
      default -> throw new IllegalArgumentException("unknown data format '" + name + "' (taobao or json)");
    };
  }
}
