package dev.profileengine.model.cli;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/** Minimal {@code --key value} / {@code --flag} parser that rejects unknown options. */
final class Args {
  private final Map<String, String> values = new HashMap<>();
  private final Set<String> flags = new HashSet<>();

  Args(String[] argv, int from, Set<String> valueOptions, Set<String> flagOptions) {
    for (int i = from; i < argv.length; i++) {
      String a = argv[i];
      if (!a.startsWith("--")) throw new UsageException("unexpected argument '" + a + "'");
      String key = a.substring(2);
      String inline = null;
      int eq = key.indexOf('=');
      if (eq >= 0) {
        inline = key.substring(eq + 1);
        key = key.substring(0, eq);
      }
      if (flagOptions.contains(key) && inline == null) flags.add(key);
      else if (valueOptions.contains(key)) {
        if (inline == null) {
          if (i + 1 >= argv.length) throw new UsageException("--" + key + " needs a value");
          inline = argv[++i];
        }
        values.put(key, inline);
      } else throw new UsageException("unknown option --" + key);
    }
  }

  String get(String key) {
    return values.get(key);
  }

  String get(String key, String def) {
    return values.getOrDefault(key, def);
  }

  String require(String key) {
    String v = values.get(key);
    if (v == null) throw new UsageException("--" + key + " is required");
    return v;
  }

  int getInt(String key, int def) {
    String v = values.get(key);
    try {
      return v == null ? def : Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new UsageException("--" + key + " must be an integer, got '" + v + "'");
    }
  }

  long getLong(String key, long def) {
    String v = values.get(key);
    try {
      return v == null ? def : Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw new UsageException("--" + key + " must be an integer, got '" + v + "'");
    }
  }

  boolean flag(String key) {
    return flags.contains(key);
  }

  static final class UsageException extends RuntimeException {
    UsageException(String m) {
      super(m);
    }
  }
}
