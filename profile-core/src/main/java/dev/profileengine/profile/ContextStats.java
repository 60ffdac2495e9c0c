package dev.profileengine.profile;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** The latest known context (field-wise, by event time) and the distribution of each dimension. */
public record ContextStats(
    long lastMillis,
    EventContext last,
    Distribution device,
    Distribution os,
    Distribution channel,
    Distribution country,
    Distribution city,
    Distribution network) {

  // Shared by every empty profile (each live entity also keeps its empty state): copy-on-write.
  private static final ContextStats EMPTY = new ContextStats(Long.MIN_VALUE, EventContext.EMPTY, Distribution.empty(), Distribution.empty(), Distribution.empty(), Distribution.empty(), Distribution.empty(), Distribution.empty());

  public static ContextStats empty() {
    return EMPTY;
  }

  public ContextStats add(EventContext c, long timeMillis, int topK) {
    if (c == null) return this;
    boolean newer = timeMillis >= lastMillis;
    return new ContextStats(
        Math.max(lastMillis, timeMillis),
        newer ? c.over(last) : last.over(c),
        device.add(c.device(), topK),
        os.add(c.os(), topK),
        channel.add(c.channel(), topK),
        country.add(c.country(), topK),
        city.add(c.city(), topK),
        network.add(c.network(), topK));
  }

  public ContextView view() {
    Map<String, Map<String, Long>> d = new LinkedHashMap<>();
    d.put("device", device.view());
    d.put("os", os.view());
    d.put("channel", channel.view());
    d.put("country", country.view());
    d.put("city", city.view());
    d.put("network", network.view());
    return new ContextView(last, lastMillis == Long.MIN_VALUE ? null : Instant.ofEpochMilli(lastMillis), d);
  }

  public record ContextView(EventContext last, Instant lastSeen, Map<String, Map<String, Long>> distribution) {}
}
