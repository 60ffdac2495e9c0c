package dev.profileengine.gateway.logging;

import java.util.Locale;

/** The node's log format, {@code PROFILE_LOG_FORMAT}: {@code text} (default) or {@code json}. */
public enum LogFormat {
  TEXT, JSON;

  public static final String VARIABLE = "PROFILE_LOG_FORMAT";

  /** {@code text} or {@code json} in any case; null or blank is text; anything else is refused naming the variable. */
  public static LogFormat parse(String value) {
    if (value == null || value.isBlank()) return TEXT;
    return switch (value.strip().toLowerCase(Locale.ROOT)) {
      case "text" -> TEXT;
      case "json" -> JSON;
      default -> throw new IllegalArgumentException(VARIABLE + " must be 'text' or 'json', was '" + value + "'");
    };
  }

  /** The configured format: the system property {@code PROFILE_LOG_FORMAT}, else the environment variable (as logback resolves it). */
  public static LogFormat configured() {
    String v = System.getProperty(VARIABLE);
    return parse(v != null ? v : System.getenv(VARIABLE));
  }
}
