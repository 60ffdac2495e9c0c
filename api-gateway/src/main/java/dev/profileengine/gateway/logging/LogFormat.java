package dev.profileengine.gateway.logging;

import com.typesafe.config.Config;
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

  /**
   * {@code profile.log-format}, where gateway-http.conf maps PROFILE_LOG_FORMAT (a {@code -D} system
   * property of that name first, then the environment variable: the order logback.xml resolves it in).
   */
  public static LogFormat from(Config root) {
    return parse(root.getString("profile.log-format"));
  }
}
