package dev.profileengine.engine.node;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * What a secret (API key, PII salt) must be: long and varied enough to be random, and not one of
 * the placeholders people copy from examples. A publicly known key or salt is no secret.
 */
public final class SecretStrength {
  /** The shortest accepted secret: {@code openssl rand -hex 32} gives 64. */
  public static final int MIN_LENGTH = 32;
  /** Fewest distinct characters: random hex of 32+ characters has about 16, a repeated word far fewer. */
  public static final int MIN_DISTINCT = 10;
  /** Words of placeholders and examples (compared case-insensitively), and the keys k8s/base once shipped. */
  static final List<String> PLACEHOLDERS = List.of("change-me", "changeme", "change_me", "replace-me", "replaceme",
      "replace_me", "placeholder", "example", "secret", "xxxx", "password", "your-", "todo");

  private SecretStrength() {}

  /** Why {@code value} is not an acceptable secret, or empty when it is. Never echoes the value. */
  public static Optional<String> weakness(String value) {
    if (value == null || value.isEmpty()) return Optional.of("it is empty");
    String lower = value.toLowerCase(Locale.ROOT);
    for (String word : PLACEHOLDERS) {
      if (lower.contains(word)) return Optional.of("it contains the placeholder word '" + word + "'");
    }
    if (value.length() < MIN_LENGTH) {
      return Optional.of("it has " + value.length() + " characters, fewer than " + MIN_LENGTH);
    }
    long distinct = value.chars().distinct().count();
    if (distinct < MIN_DISTINCT) {
      return Optional.of("it has only " + distinct + " distinct characters (at least " + MIN_DISTINCT + "): not random");
    }
    return Optional.empty();
  }

  /** How to make a good one, for refusal messages. */
  public static String advice() {
    return "use at least " + MIN_LENGTH + " random characters, e.g. `openssl rand -hex 32` (k8s/generate-secrets.sh writes them)";
  }
}
