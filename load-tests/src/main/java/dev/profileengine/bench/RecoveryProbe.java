package dev.profileengine.bench;

import com.typesafe.config.ConfigFactory;
import dev.profileengine.gateway.ProfileNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;

/**
 * Recovery time of one profile with {@code events} events (default 10,000), with and without
 * snapshots, in one run: for each setting a fresh node (H2 file journal, predictions off) takes the
 * events over HTTP, stops, starts again, and the first read of the profile is timed (it recovers the
 * entity: newest snapshot + the events after it, or every event). Repeated {@code rounds} times
 * (restarting the node each time) and the median reported.
 *
 * <pre>
 * java -cp load-tests/target/benchmarks.jar dev.profileengine.bench.RecoveryProbe [events=10000] [rounds=5]
 * </pre>
 */
public final class RecoveryProbe {
  private RecoveryProbe() {}

  public static void main(String[] args) throws Exception {
    int events = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    double with = run("snapshot every 100 events", 100, events, rounds);
    double without = run("no snapshots", Integer.MAX_VALUE, events, rounds);
    System.out.printf("SUMMARY recovery of a %,d-event profile: %.1f ms with snapshots, %.1f ms without (%.1fx)%n", events, with, without,
        without / with);
  }

  private static double run(String label, int snapshotEvery, int events, int rounds) throws Exception {
    Path dir = Files.createTempDirectory("recovery-probe");
    Map<String, Object> overrides = Map.of("profile.data-dir", dir.toString(), "profile.http.port", 0, "profile.grpc.port", 0,
        "akka.remote.artery.canonical.port", 0, "akka.management.http.port", 0, "profile.model.enabled", "off",
        "profile.snapshot.every", snapshotEvery, "akka.loglevel", "WARNING");
    HttpClient http = HttpClient.newHttpClient();
    String user = "recovery-user";
    try (ProfileNode node = start(overrides)) {
      URI base = URI.create("http://127.0.0.1:" + node.httpPort());
      long t0 = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();
      for (int i = 0; i < events; i += 1000) {
        StringBuilder b = new StringBuilder("[");
        for (int k = i; k < Math.min(events, i + 1000); k++) {
          if (k > i) b.append(',');
          b.append("{\"eventId\":\"r").append(k).append("\",\"userId\":\"").append(user).append("\",\"type\":\"")
              .append(k % 10 == 0 ? "cart" : "view").append("\",\"timestamp\":").append(t0 + k * 1000L)
              .append(",\"categoryId\":\"c").append(k % 37).append("\"}");
        }
        post(http, base, b.append(']').toString());
      }
    }
    double[] ms = new double[rounds];
    for (int r = 0; r < rounds; r++) {
      try (ProfileNode node = start(overrides)) {
        URI base = URI.create("http://127.0.0.1:" + node.httpPort());
        long start = System.nanoTime();
        HttpResponse<String> resp = http.send(HttpRequest.newBuilder(base.resolve("/v1/profiles/" + user)).build(), HttpResponse.BodyHandlers.ofString());
        ms[r] = (System.nanoTime() - start) / 1e6;
        if (resp.statusCode() != 200 || !resp.body().contains("\"eventCount\":" + events)) throw new IllegalStateException("bad read: " + resp.body());
      }
    }
    java.util.Arrays.sort(ms);
    double median = ms[rounds / 2];
    System.out.printf("%s: first read after restart (recovery) median %.1f ms of %d rounds %s%n", label, median, rounds, java.util.Arrays.toString(ms));
    return median;
  }

  private static ProfileNode start(Map<String, Object> overrides) {
    return ProfileNode.start(ProfileNode.config(ConfigFactory.parseMap(overrides)));
  }

  private static void post(HttpClient http, URI base, String body) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve("/v1/events")).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) throw new IllegalStateException("ingest failed: " + r.statusCode() + " " + r.body());
  }
}
