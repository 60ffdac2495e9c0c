package dev.profileengine.model.served;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The node's change stream from "now", reduced to the predictions it journals: each
 * {@code prediction} change is handed to a consumer with its {@code asOfEventCount}. A dropped
 * connection or a {@code close} event (a stalled subscriber) resumes from the last offset, so no
 * prediction is missed.
 */
final class PredictionStream implements AutoCloseable {
  // A stream that keeps ending is a node that is going away: the run stops rather than spin.
  private static final int MAX_RECONNECTS = 100;
  private final NodeClient client;
  private final List<String> users;
  private final Consumer<ServedPrediction> onPrediction;
  private final Thread reader;
  private volatile boolean closed;
  private volatile Stream<String> lines;
  private volatile Throwable failure;
  private long lastOffset = -1;

  /**
   * Opens the stream at the journal's head (for {@code users}, or every user when empty) and returns
   * once the node answered: every change journaled after that is delivered.
   */
  static PredictionStream open(NodeClient client, List<String> users, Consumer<ServedPrediction> onPrediction) {
    return new PredictionStream(client, users, onPrediction);
  }

  private PredictionStream(NodeClient client, List<String> users, Consumer<ServedPrediction> onPrediction) {
    this.client = client;
    this.users = List.copyOf(users);
    this.onPrediction = onPrediction;
    this.lines = connect("latest", null);
    this.reader = new Thread(this::read, "served-eval-changes");
    reader.setDaemon(true);
    reader.start();
  }

  private Stream<String> connect(String from, String lastEventId) {
    try {
      HttpResponse<Stream<String>> r = client.changes(from, lastEventId, users).get(30, TimeUnit.SECONDS);
      if (r.statusCode() != 200) {
        String body = String.join("\n", r.body().limit(5).toList());
        r.body().close();
        throw new ServedEvaluationException("GET /v1/changes: HTTP " + r.statusCode() + " " + body);
      }
      return r.body();
    } catch (ExecutionException e) {
      throw new ServedEvaluationException("cannot open the change stream at " + client.base() + ": " + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      throw new ServedEvaluationException("the change stream at " + client.base() + " did not answer within 30 s", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ServedEvaluationException("interrupted", e);
    }
  }

  private void read() {
    int reconnects = 0;
    while (!closed) {
      String resumeFrom = null;
      try {
        Iterator<String> it = lines.iterator();
        String event = null;
        StringBuilder data = new StringBuilder();
        while (!closed && it.hasNext()) {
          String line = it.next();
          if (line.isEmpty()) {
            if (data.length() > 0) {
              String r = dispatch(event, data.toString());
              if (r != null) resumeFrom = r;
            }
            event = null;
            data.setLength(0);
          } else if (line.startsWith("event:")) event = line.substring(6).strip();
          else if (line.startsWith("data:")) {
            if (data.length() > 0) data.append('\n');
            data.append(line.substring(5).startsWith(" ") ? line.substring(6) : line.substring(5));
          }
          if (resumeFrom != null) break;
        }
      } catch (RuntimeException | IOException e) {
        if (closed) return;
        if (reconnects >= MAX_RECONNECTS) {
          failure = e;
          return;
        }
      }
      if (closed) return;
      if (++reconnects > MAX_RECONNECTS) {
        failure = new ServedEvaluationException("the change stream ended " + MAX_RECONNECTS + " times");
        return;
      }
      lines.close();
      try {
        // resume without a gap: after the last change seen, or where a closing event says
        lines = resumeFrom != null ? connect(resumeFrom, null) : lastOffset >= 0 ? connect(null, Long.toString(lastOffset)) : connect("latest", null);
      } catch (RuntimeException e) {
        failure = e;
        return;
      }
    }
  }

  /** Handles one SSE event; returns the offset to resume from when the node closed the stream, else null. */
  private String dispatch(String event, String data) throws IOException {
    JsonNode n = NodeClient.JSON.readTree(data);
    if ("close".equals(event)) return n.path("resumeFrom").asText();
    if (n.has("offset")) lastOffset = n.get("offset").asLong();
    if (!"prediction".equals(n.path("cause").asText())) return null;
    onPrediction.accept(ServedPrediction.parse(n.path("userId").asText(), n.path("changes")));
    return null;
  }

  /** Why the stream stopped for good, or null while it runs. */
  Throwable failure() {
    return failure;
  }

  @Override
  public void close() {
    closed = true;
    Stream<String> l = lines;
    if (l != null) l.close();
    reader.interrupt();
  }
}
