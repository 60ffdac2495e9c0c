package dev.profileengine.gateway;

import java.time.Instant;

/** Ingest bodies for tests: {@code n} events of one type, round-robin over users, a millisecond apart. */
final class TestEvents {
  private TestEvents() {}

  /** Events {@code prefix0..prefix(n-1)} from a minute ago: inside every window. */
  static String recent(String prefix, int n, String type, String... users) {
    return batch(prefix, n, type, Instant.now().minusSeconds(60).toEpochMilli(), users);
  }

  /** Events {@code prefix0..prefix(n-1)} from {@code startMillis}; category {@code c0..c4}. */
  static String batch(String prefix, int n, String type, long startMillis, String... users) {
    StringBuilder b = new StringBuilder("[");
    for (int i = 0; i < n; i++) {
      if (i > 0) b.append(',');
      b.append("{\"eventId\":\"").append(prefix).append(i).append("\",\"userId\":\"").append(users[i % users.length])
          .append("\",\"type\":\"").append(type).append("\",\"timestamp\":").append(startMillis + i)
          .append(",\"categoryId\":\"c").append(i % 5).append("\"}");
    }
    return b.append(']').toString();
  }
}
