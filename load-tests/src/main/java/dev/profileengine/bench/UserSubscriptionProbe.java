package dev.profileengine.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * First live event of a subscription for one user from offset 0, against a running node: for each
 * user given, opens {@code GET /v1/changes?userId=U&from=0} (SSE), posts one new event for U as soon
 * as the stream is open, and times the event from its acknowledgement to its arrival (after the
 * user's earlier changes, which the catch-up delivers first). Prints one line per user and the max.
 *
 * <pre>java -cp load-tests/target/benchmarks.jar dev.profileengine.bench.UserSubscriptionProbe baseUrl user...</pre>
 */
public final class UserSubscriptionProbe {
  private UserSubscriptionProbe() {}

  /** One subscription's figures. */
  record Arrival(String user, long earlierChanges, double ackToArrivalMs, double postToArrivalMs) {}

  public static void main(String[] args) throws Exception {
    if (args.length < 2) {
      System.err.println("usage: UserSubscriptionProbe baseUrl user...");
      System.exit(2);
    }
    URI base = URI.create(args[0]);
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    double max = 0;
    for (int i = 1; i < args.length; i++) {
      Arrival a = probe(http, base, args[i]);
      System.out.printf("user %s: live event %.1f ms after its acknowledgement (%.1f ms after its POST), after %,d earlier changes%n",
          a.user(), a.ackToArrivalMs(), a.postToArrivalMs(), a.earlierChanges());
      max = Math.max(max, a.ackToArrivalMs());
    }
    System.out.printf("first live event after its acknowledgement, max of %d users: %.1f ms%n", args.length - 1, max);
  }

  static Arrival probe(HttpClient http, URI base, String user) throws Exception {
    String eventId = "user-subscription-probe-" + user + "-" + System.currentTimeMillis();
    HttpResponse<java.io.InputStream> sse = http.send(
        HttpRequest.newBuilder(base.resolve("/v1/changes?from=0&userId=" + URLEncoder.encode(user, StandardCharsets.UTF_8)))
            .header("Accept", "text/event-stream").build(),
        HttpResponse.BodyHandlers.ofInputStream());
    if (sse.statusCode() != 200) throw new IllegalStateException("GET /v1/changes: HTTP " + sse.statusCode());
    long[] earlier = new long[1];
    // The reader runs from the moment the stream is open: the catch-up's changes are read as they come.
    CompletableFuture<Long> arrived = CompletableFuture.supplyAsync(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(sse.body(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = in.readLine()) != null) {
          if (!line.startsWith("data:")) continue;
          if (line.contains("\"" + eventId + "\"")) return System.nanoTime();
          if (line.contains("\"offset\"")) earlier[0]++; // not a heartbeat
        }
        throw new IllegalStateException("the stream ended before " + eventId);
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
    String body = "{\"eventId\":\"" + eventId + "\",\"userId\":\"" + user + "\",\"type\":\"view\",\"timestamp\":"
        + (System.currentTimeMillis() - 1000) + ",\"categoryId\":\"c1\"}";
    long posted = System.nanoTime();
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve("/v1/events"))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
    long acked = System.nanoTime();
    if (r.statusCode() != 200) throw new IllegalStateException("POST /v1/events: HTTP " + r.statusCode() + " " + r.body());
    long at = arrived.get(120, TimeUnit.SECONDS);
    sse.body().close();
    return new Arrival(user, earlier[0], Math.max(0, at - acked) / 1e6, (at - posted) / 1e6);
  }
}
