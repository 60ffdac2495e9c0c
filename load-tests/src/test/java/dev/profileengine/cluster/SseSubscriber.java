package dev.profileengine.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code GET /v1/changes} read as Server-Sent Events: from offset 0, or resumed after the last id
 * received with {@code Last-Event-ID}, as a browser resumes. Only complete events count (an event
 * is complete at its blank line), so a stream cut mid-event drops the partial one.
 */
final class SseSubscriber extends ChangeSubscriber {
  private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();

  private final InputStream body;
  private final Thread reader;

  private SseSubscriber(String name, long from, InputStream body) {
    super(name, from);
    this.body = body;
    this.reader = new Thread(this::read, "sse-" + name);
    reader.setDaemon(true);
    reader.start();
  }

  /** Subscribes at {@code baseUrl} after {@code lastEventId} (0: from the beginning). */
  static SseSubscriber open(String baseUrl, long lastEventId) throws IOException, InterruptedException {
    HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(baseUrl + "/v1/changes")).header("Accept", "text/event-stream");
    if (lastEventId > 0) req.header("Last-Event-ID", Long.toString(lastEventId));
    HttpResponse<InputStream> resp = CLIENT.send(req.GET().build(), HttpResponse.BodyHandlers.ofInputStream());
    if (resp.statusCode() != 200) {
      String text = new String(resp.body().readAllBytes(), StandardCharsets.UTF_8);
      throw new IllegalStateException("GET " + baseUrl + "/v1/changes answered " + resp.statusCode() + ": " + text);
    }
    return new SseSubscriber("SSE " + baseUrl + " after " + lastEventId, lastEventId, resp.body());
  }

  private void read() {
    try (BufferedReader in = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
      String id = null;
      String type = null;
      StringBuilder data = new StringBuilder();
      String line;
      while ((line = in.readLine()) != null) {
        if (line.isEmpty()) {
          if ("profile-changed".equals(type) && data.length() > 0) add(parse(id, data.toString()));
          id = null;
          type = null;
          data.setLength(0);
        } else if (line.startsWith("id:")) {
          id = line.substring(3).strip();
        } else if (line.startsWith("event:")) {
          type = line.substring(6).strip();
        } else if (line.startsWith("data:")) {
          if (data.length() > 0) data.append('\n');
          data.append(line.substring(5).strip());
        }
      }
    } catch (IOException e) {
      // the connection was cut (the node died) or closed by us
    } finally {
      end();
    }
  }

  private static Received parse(String id, String data) throws IOException {
    JsonNode j = Http.JSON.readTree(data);
    List<String> eventIds = new ArrayList<>();
    j.path("eventIds").forEach(e -> eventIds.add(e.asText()));
    long offset = Long.parseLong(id);
    if (offset != j.path("offset").asLong()) throw new IllegalStateException("SSE id " + id + " but offset " + j.path("offset") + " in " + data);
    return new Received(offset, j.path("userId").asText(), j.path("cause").asText(), List.copyOf(eventIds));
  }

  @Override
  public void close() {
    try {
      body.close();
    } catch (IOException ignored) {
      // closing anyway
    }
    reader.interrupt();
  }
}
