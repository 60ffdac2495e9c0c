package dev.profileengine.gateway;

import com.typesafe.config.Config;
import dev.profileengine.engine.profiles.ChangeSubscription;
import dev.profileengine.engine.profiles.InFlightLimit;
import dev.profileengine.engine.profiles.SubscriberLimit;
import dev.profileengine.gateway.logging.LogFormat;
import java.util.ArrayList;
import java.util.List;

/**
 * The gateway's settings, built once from the node's resolved configuration: {@code profile.http},
 * {@code profile.grpc}, the subscriber side of {@code profile.changes} and the log format. Every
 * {@code PROFILE_*} variable reaches them through its {@code ${?...}} mapping in gateway-http.conf.
 *
 * @param bind the HTTP and gRPC bind address (PROFILE_BIND)
 * @param changes read-ahead and stall limit of one change-stream subscriber
 * @param changeHeartbeat how often an SSE change stream with nothing to send sends a comment line
 * @param bodyTimeout how long a request body may take to arrive (408 beyond)
 * @param headerTimeout how long a request's headers may take to arrive (the connection is closed beyond)
 * @param admission admission control: events and reads in flight, and the Retry-After beyond them
 * @param apiKeys {@code key=scope+scope} entries: {@code profile.http.api-keys}, then the comma-separated PROFILE_API_KEYS
 * @param subscribers change-stream subscribers per node and per API key
 * @param logFormat PROFILE_LOG_FORMAT, checked here: logback.xml reads the variable itself and cannot refuse a bad value
 */
public record GatewaySettings(String bind, int port, long maxBodyBytes, java.time.Duration bodyTimeout, java.time.Duration headerTimeout, int maxEventsPerRequest, int maxAttributes, ChangeSubscription.Limits changes,
                              java.time.Duration changeHeartbeat,
                              Admission admission, Grpc grpc, List<String> apiKeys, RateLimit rateLimit, SubscriberLimit.Caps subscribers,
                              LogFormat logFormat) {
  public GatewaySettings {
    apiKeys = List.copyOf(apiKeys);
  }

  /** {@code profile.grpc}: its port (same bind address) and the largest inbound message. */
  public record Grpc(int port, long maxMessageBytes) {}

  /** {@code profile.http.rate-limit}: tokens per second and burst, per API key. */
  public record RateLimit(double perSecond, double burst) {}

  @Override
  public String toString() {
    // the API keys are secrets
    return "GatewaySettings[bind=" + bind + ", port=" + port + ", grpc=" + grpc + ", apiKeys=" + apiKeys.size() + " configured, logFormat="
        + logFormat + "]";
  }
  /** Admission bounds of the node's work in flight, and when a refused client should retry. */
  public record Admission(Bound events, Bound reads, java.time.Duration retryAfter, int dispatchWindow) {
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
    List<String> keys = new ArrayList<>(c.getStringList("api-keys"));
    String env = c.getString("api-keys-env");
    if (!env.isBlank()) keys.addAll(List.of(env.split(",")));
    return new GatewaySettings(
        c.getString("bind"),
        c.getInt("port"),
        c.getBytes("max-body-size"),
        c.getDuration("body-timeout"),
        positive(c, "header-timeout"),
        c.getInt("max-events-per-request"),
        c.getInt("max-attributes"),
        new ChangeSubscription.Limits(root.getInt("profile.changes.subscriber-buffer"), root.getDuration("profile.changes.max-stall")),
        positive(root.getConfig("profile.changes"), "heartbeat"),
        new Admission(Admission.Bound.from(c.getConfig("admission.events")), Admission.Bound.from(c.getConfig("admission.reads")),
            c.getDuration("admission.retry-after"), positiveOrZero(c, "admission.dispatch-window")),
        new Grpc(root.getInt("profile.grpc.port"), root.getBytes("profile.grpc.max-message")),
        keys,
        new RateLimit(c.getDouble("rate-limit.requests-per-second"), c.getDouble("rate-limit.burst")),
        SubscriberLimit.Caps.from(root),
        LogFormat.from(root));
  }

  private static java.time.Duration positive(Config c, String path) {
    java.time.Duration value = c.getDuration(path);
    if (value.isNegative() || value.isZero()) throw new IllegalArgumentException("profile.http." + path + " must be positive, not " + c.getString(path));
    return value;
  }

  private static int positiveOrZero(Config c, String path) {
    int value = c.getInt(path);
    if (value < 0) throw new IllegalArgumentException("profile.http." + path + " must be 0 or more, not " + value);
    return value;
  }
}
