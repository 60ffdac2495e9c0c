package dev.profileengine.gateway;

import com.typesafe.config.Config;

/**
 * HTTP settings, from the {@code profile.http} section.
 *
 * @param changes read-ahead and stall limit of one change-stream subscriber
 */
public record GatewaySettings(String bind, int port, long maxBodyBytes, int maxEventsPerRequest, int maxAttributes, ChangeSubscription.Limits changes) {
  public static GatewaySettings from(Config root) {
    Config c = root.getConfig("profile.http");
    return new GatewaySettings(
        c.getString("bind"),
        c.getInt("port"),
        c.getBytes("max-body-size"),
        c.getInt("max-events-per-request"),
        c.getInt("max-attributes"),
        new ChangeSubscription.Limits(root.getInt("profile.changes.subscriber-buffer"), root.getDuration("profile.changes.max-stall")));
  }
}
