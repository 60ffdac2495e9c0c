package dev.profileengine.gateway;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
/** A minimal real Server-Sent Events client: reads events on a thread into a queue. */
final class SseClient implements AutoCloseable {
  record Event(String id, String type, String data) {}

  final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
  final int status;
  private final InputStream body;
  private final Thread reader;

  SseClient(URI uri, String lastEventId) throws Exception {
    HttpRequest.Builder req = HttpRequest.newBuilder(uri).header("Accept", "text/event-stream");
    if (lastEventId != null) req.header("Last-Event-ID", lastEventId);
    HttpResponse<InputStream> resp = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()
        .send(req.GET().build(), HttpResponse.BodyHandlers.ofInputStream());
    status = resp.statusCode();
    body = resp.body();
    reader = new Thread(this::read, "sse-client");
    reader.setDaemon(true);
    reader.start();
  }

  private void read() {
    try (BufferedReader in = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
      String id = null, type = null;
      StringBuilder data = new StringBuilder();
      String line;
      while ((line = in.readLine()) != null) {
        if (line.isEmpty()) {
          if (data.length() > 0) events.add(new Event(id, type, data.toString()));
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
    } catch (Exception e) {
      // closed
    }
  }

  Event next(Duration timeout) throws InterruptedException {
    return events.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() throws Exception {
    body.close();
    reader.interrupt();
  }
}
