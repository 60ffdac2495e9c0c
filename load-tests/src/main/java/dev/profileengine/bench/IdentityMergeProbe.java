package dev.profileengine.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Merge latency against a running node: for each of {@code pairs} people, {@code events} events
 * under a user id and as many under an anonymous id (their two profiles), then one
 * {@code POST /v1/identify} joining them, timed from its start to its answer (the anonymous profile
 * read, the canonical one refolded from both, both journaled). Prints p50, p99 and max.
 *
 * <pre>java -cp load-tests/target/benchmarks.jar dev.profileengine.bench.IdentityMergeProbe [baseUrl] [events] [pairs]</pre>
 */
public final class IdentityMergeProbe {
  private IdentityMergeProbe() {}

  private static final String[] TYPES = {"view", "view", "view", "click", "cart", "favorite", "purchase"};

  public static void main(String[] args) throws Exception {
    URI base = URI.create(args.length > 0 ? args[0] : "http://127.0.0.1:8080");
    int events = args.length > 1 ? Integer.parseInt(args[1]) : 100;
    int pairs = args.length > 2 ? Integer.parseInt(args[2]) : 20;
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    String run = Long.toString(System.currentTimeMillis(), 36);
    long t0 = Instant.now().minusSeconds(3 * 86400).toEpochMilli();
    List<Double> millis = new ArrayList<>();
    for (int p = 0; p < pairs; p++) {
      String user = "merge-" + run + "-" + events + "-" + p;
      send(http, base, user, "userId", events, t0);
      send(http, base, "anon-" + user, "anonymousId", events, t0 + 7);
      String body = "{\"userId\":\"" + user + "\",\"anonymousId\":\"anon-" + user + "\"}";
      long start = System.nanoTime();
      HttpResponse<String> r = post(http, base, "/v1/identify", body);
      double ms = (System.nanoTime() - start) / 1e6;
      if (r.statusCode() != 200) throw new IllegalStateException("identify answered " + r.statusCode() + ": " + r.body());
      millis.add(ms);
    }
    Collections.sort(millis);
    System.out.printf("merge of two profiles of %d events each, %d merges: p50 %.1f ms, p99 %.1f ms, max %.1f ms%n",
        events, pairs, at(millis, 0.50), at(millis, 0.99), millis.get(millis.size() - 1));
  }

  private static double at(List<Double> sorted, double q) {
    return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(q * sorted.size()) - 1));
  }

  /** {@code n} events of the identity ({@code field}: userId or anonymousId), one a minute, in batches of 500. */
  private static void send(HttpClient http, URI base, String id, String field, int n, long t0) throws Exception {
    for (int from = 0; from < n; from += 500) {
      StringBuilder b = new StringBuilder("[");
      for (int i = from; i < Math.min(n, from + 500); i++) {
        if (i > from) b.append(',');
        b.append("{\"eventId\":\"").append(id).append('-').append(i).append("\",\"").append(field).append("\":\"").append(id)
            .append("\",\"type\":\"").append(TYPES[i % TYPES.length]).append("\",\"timestamp\":").append(t0 + i * 60_000L)
            .append(",\"itemId\":\"i").append(i % 37).append("\",\"categoryId\":\"c").append(i % 11).append("\"}");
      }
      HttpResponse<String> r = post(http, base, "/v1/events", b.append(']').toString());
      if (r.statusCode() != 200) throw new IllegalStateException("events answered " + r.statusCode() + ": " + r.body());
    }
  }

  private static HttpResponse<String> post(HttpClient http, URI base, String path, String body) throws Exception {
    return http.send(HttpRequest.newBuilder(base.resolve(path)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }
}
