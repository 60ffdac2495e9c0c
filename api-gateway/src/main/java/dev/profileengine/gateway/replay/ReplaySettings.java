package dev.profileengine.gateway.replay;

import java.net.URI;
import java.util.Map;

/**
 * The replay CLI's defaults from its environment: {@code PROFILE_URL} (the node, default
 * {@code http://127.0.0.1:8080}) and {@code PROFILE_API_KEY} (none when unset). A CLI's inputs, not
 * node settings: read here, once, and overridden by {@code --url} and {@code --api-key}.
 *
 * @param apiKey null when unset
 */
record ReplaySettings(URI url, String apiKey) {
  static final URI DEFAULT_URL = URI.create("http://127.0.0.1:8080");

  static ReplaySettings fromEnv(Map<String, String> env) {
    String url = env.get("PROFILE_URL");
    return new ReplaySettings(url == null ? DEFAULT_URL : URI.create(url), env.get("PROFILE_API_KEY"));
  }
}
