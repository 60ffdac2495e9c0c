package dev.profileengine.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * End-to-end lag of the change stream against a running node: one event every {@code intervalMs}
 * for {@code seconds}, each timed from the start of its POST (so the figure includes the durable
 * write) to its arrival on {@code GET /v1/changes} (SSE, filtered to the probe's own user).
 *
 * <pre>java -cp load-tests/target/benchmarks.jar dev.profileengine.bench.ChangeLagProbe [baseUrl] [seconds] [intervalMs]</pre>
 */
public final class ChangeLagProbe {
  private ChangeLagProbe() {}

  public static void main(String[] args) throws Exception {
    URI base = URI.create(args.length > 0 ? args[0] : "http://127.0.0.1:8080");
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 20;
    long intervalMs = args.length > 2 ? Long.parseLong(args[2]) : 50;
    String user = "lag-probe-" + System.currentTimeMillis();
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    Map<String, Long> acked = new ConcurrentHashMap<>();
    List<Long> lagsMicros = Collections.synchronizedList(new ArrayList<>());
    Map<String, Long> arrivals = new ConcurrentHashMap<>();
    Map<String, Long> ackedAt = new ConcurrentHashMap<>();

    HttpResponse<java.io.InputStream> sse = http.send(HttpRequest.newBuilder(base.resolve("/v1/changes?from=0&userId=" + user))
        .header("Accept", "text/event-stream").build(), HttpResponse.BodyHandlers.ofInputStream());
    Thread reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(sse.body(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = in.readLine()) != null) {
          if (!line.startsWith("data:") || !line.contains("\"cause\":\"event\"")) continue;
          long now = System.nanoTime();
          int i = line.indexOf("\"eventIds\":[\"");
          String id = line.substring(i + 13, line.indexOf('"', i + 13));
          Long sent = acked.remove(id);
          if (sent != null) {
            lagsMicros.add((now - sent) / 1000);
            arrivals.put(id, now);
          }
        }
      } catch (Exception e) {
        // stream closed at the end
      }
    }, "sse");
    reader.setDaemon(true);
    reader.start();

    long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
    int sent = 0;
    while (System.nanoTime() < end) {
      String id = user + "-" + sent;
      String body = "{\"eventId\":\"" + id + "\",\"userId\":\"" + user + "\",\"type\":\"view\",\"timestamp\":"
          + (System.currentTimeMillis() - 1000) + ",\"categoryId\":\"c1\"}";
      acked.put(id, System.nanoTime()); // before sending: the notification may beat the HTTP answer
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve("/v1/events"))
          .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
          HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) acked.remove(id);
      else ackedAt.put(id, System.nanoTime());
      sent++;
      Thread.sleep(intervalMs);
    }
    Thread.sleep(3000);
    sse.body().close();
    List<Long> lags = new ArrayList<>(lagsMicros);
    Collections.sort(lags);
    if (lags.isEmpty()) throw new IllegalStateException("no change arrived");
    System.out.printf("change-stream lag from POST over %d events (%d not seen): p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms%n",
        sent, acked.size(), pct(lags, 0.50), pct(lags, 0.90), pct(lags, 0.99), lags.get(lags.size() - 1) / 1000.0);
    List<Long> afterAck = new ArrayList<>();
    arrivals.forEach((id, at) -> {
      Long ack = ackedAt.get(id);
      if (ack != null) afterAck.add(Math.max(0, at - ack) / 1000);
    });
    Collections.sort(afterAck);
    if (!afterAck.isEmpty()) {
      System.out.printf("change-stream lag from the acknowledgement (0 when the notification came first): p50 %.1f ms, p90 %.1f ms, p99 %.1f ms%n",
          pct(afterAck, 0.50), pct(afterAck, 0.90), pct(afterAck, 0.99));
    }
  }

  private static double pct(List<Long> sorted, double q) {
    return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(q * sorted.size()) - 1)) / 1000.0;
  }
}
