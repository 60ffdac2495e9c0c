package dev.profileengine.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A light client beside a heavy one: one event of a new user every {@code intervalMs} for
 * {@code seconds}, each POST timed to its acknowledgement, with its own API key; prints the
 * percentiles and the statuses.
 *
 * <pre>java -cp load-tests/target/benchmarks.jar dev.profileengine.bench.NeighbourProbe baseUrl seconds intervalMs [apiKey]</pre>
 */
public final class NeighbourProbe {
  private NeighbourProbe() {}

  public static void main(String[] args) throws Exception {
    URI events = URI.create(args[0]).resolve("/v1/events");
    long seconds = Long.parseLong(args[1]);
    long intervalNanos = TimeUnit.MILLISECONDS.toNanos(Long.parseLong(args[2]));
    String key = args.length > 3 ? args[3] : null;
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    String run = Long.toString(System.currentTimeMillis(), 36);
    List<Double> millis = new ArrayList<>();
    int notOk = 0;
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    long next = System.nanoTime();
    for (int i = 0; System.nanoTime() < end; i++) {
      String body = "{\"eventId\":\"nb-%s-%d\",\"userId\":\"nb-%s-%d\",\"type\":\"view\",\"timestamp\":%d,\"itemId\":\"i1\",\"categoryId\":\"c1\"}"
          .formatted(run, i, run, i, System.currentTimeMillis() - 1000);
      HttpRequest.Builder post = HttpRequest.newBuilder(events).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
      if (key != null) post.header("Authorization", "Bearer " + key);
      long sent = System.nanoTime();
      HttpResponse<String> r = http.send(post.build(), HttpResponse.BodyHandlers.ofString());
      millis.add((System.nanoTime() - sent) / 1e6);
      if (r.statusCode() != 200 || !r.body().contains("\"accepted\":1")) notOk++;
      next += intervalNanos;
      long wait = next - System.nanoTime();
      if (wait > 0) TimeUnit.NANOSECONDS.sleep(wait); // the probe's pace, not synchronisation
      else next = System.nanoTime();
    }
    millis.sort(null);
    System.out.printf("neighbour ack latency: p50 %.1f ms  p90 %.1f ms  p99 %.1f ms  max %.1f ms  (%d events, %d not accepted)%n",
        at(millis, 0.5), at(millis, 0.9), at(millis, 0.99), millis.get(millis.size() - 1), millis.size(), notOk);
  }

  private static double at(List<Double> sorted, double p) {
    return sorted.get(Math.min(sorted.size() - 1, (int) (p * sorted.size())));
  }
}
