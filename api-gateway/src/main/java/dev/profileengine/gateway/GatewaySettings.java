package dev.profileengine.gateway;

import com.typesafe.config.Config;
import dev.profileengine.engine.profiles.ChangeSubscription;
import dev.profileengine.engine.profiles.InFlightLimit;

/**
 * HTTP settings, from the {@code profile.http} section.
 *
 * @param changes read-ahead and stall limit of one change-stream subscriber
 * @param admission admission control: events and reads in flight, and the Retry-After beyond them
 */
public record GatewaySettings(String bind, int port, long maxBodyBytes, int maxEventsPerRequest, int maxAttributes, ChangeSubscription.Limits changes,
                              Admission admission) {
  /** Admission bounds of the node's work in flight, and when a refused client should retry. */
  public record Admission(Bound events, Bound reads, java.time.Duration retryAfter) {
    /** Units in flight: at most {@code max} (0: unbounded), adapting down to {@code min} when answers are slower than {@code target}. */
    public record Bound(long max, long min, java.time.Duration target) {
      static Bound from(Config c) {
        return new Bound(c.getLong("max"), c.getLong("min"), c.getDuration("latency-target"));
      }

      InFlightLimit limit(String name, java.time.Duration retryAfter) {
        return new InFlightLimit(name, max, min, target, retryAfter);
      }
    }

    public InFlightLimit eventLimit() {
      return events.limit("events", retryAfter);
    }

    public InFlightLimit readLimit() {
      return reads.limit("reads", retryAfter);
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
        new Admission(Admission.Bound.from(c.getConfig("admission.events")), Admission.Bound.from(c.getConfig("admission.reads")),
            c.getDuration("admission.retry-after")));
  }
}
