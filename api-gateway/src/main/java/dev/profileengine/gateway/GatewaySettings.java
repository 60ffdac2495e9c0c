package dev.profileengine.gateway;

import com.typesafe.config.Config;

/**
 * HTTP settings, from the {@code profile.http} section.
 *
 * @param changes read-ahead and stall limit of one change-stream subscriber
 * @param admission admission control: events and reads in flight, and the Retry-After beyond them
 */
public record GatewaySettings(String bind, int port, long maxBodyBytes, int maxEventsPerRequest, int maxAttributes, ChangeSubscription.Limits changes,
                              Admission admission) {
  /** Bounds of the node's work in flight ({@code 0}: unbounded) and when a refused client should retry. */
  public record Admission(long maxInFlightEvents, long maxInFlightReads, java.time.Duration retryAfter) {
    public InFlightLimit events() {
      return new InFlightLimit("events", maxInFlightEvents, retryAfter);
    }

    public InFlightLimit reads() {
      return new InFlightLimit("reads", maxInFlightReads, retryAfter);
    }
  }

  public static GatewaySettings from(Config root) {
    Config c = root.getConfig("profile.http");
    return new GatewaySettings(
        c.getString("bind"),
        c.getInt("port"),
        c.getBytes("max-body-size"),
        c.getInt("max-events-per-request"),
        c.getInt("max-attributes"),
        new ChangeSubscription.Limits(root.getInt("profile.changes.subscriber-buffer"), root.getDuration("profile.changes.max-stall")),
        new Admission(c.getLong("admission.max-in-flight-events"), c.getLong("admission.max-in-flight-reads"),
            c.getDuration("admission.retry-after")));
  }
}
