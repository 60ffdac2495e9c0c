package dev.profileengine.model.served;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A running node's public HTTP API, as far as served evaluation needs it: ingest batches (a refusal
 * with {@code Retry-After} is waited out and the batch resent, as the replay client does), the
 * change stream and a profile read. Plain {@code java.net.http}: this module does not depend on the
 * gateway.
 */
public final class NodeClient {
  /** Refusals with Retry-After (admission control, rate limit) one batch may wait out. */
  static final int MAX_REFUSALS = 300;
  /** Failures without Retry-After (connection, 5xx) one batch may retry, with backoff. */
  static final int MAX_ATTEMPTS = 8;

  static final ObjectMapper JSON = new ObjectMapper();

  private final URI base;
  private final String apiKey;
  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** @param apiKey sent as a bearer token; null: none (an open loopback node) */
  public NodeClient(URI base, String apiKey) {
    this.base = base;
    this.apiKey = apiKey == null || apiKey.isBlank() ? null : apiKey;
  }

  public URI base() {
    return base;
  }

  /**
   * What the node did with each event of a batch: event id -> {@code accepted}, {@code duplicate}
   * (stored by an earlier attempt) or {@code rejected} (not applied: rejected or forgotten), with the reason.
   */
  public record BatchAnswer(Map<String, String> status, Map<String, String> reasons) {}

  /**
   * Posts one batch and resends the events the node did not confirm (a 503 or 429 with Retry-After
   * stored nothing or part; de-duplication makes the resend safe) until each is accepted, duplicate
   * or rejected. Fails only when the node keeps failing.
   */
  public CompletableFuture<BatchAnswer> postEvents(ArrayNode events) {
    Map<String, String> status = new HashMap<>();
    Map<String, String> reasons = new HashMap<>();
    return post(events, status, reasons, 1, 0).thenApply(v -> new BatchAnswer(status, reasons));
  }

  private CompletableFuture<Void> post(ArrayNode events, Map<String, String> status, Map<String, String> reasons, int attempt,
      int refusals) {
    HttpRequest.Builder req = request("/v1/events").timeout(Duration.ofSeconds(60)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(bytes(events)));
    return client.sendAsync(req.build(), HttpResponse.BodyHandlers.ofByteArray()).handle((resp, error) -> {
      ArrayNode unsettled = events;
      if (error == null) {
        unsettled = settle(events, resp.body(), status, reasons);
        if (unsettled.isEmpty()) return CompletableFuture.<Void>completedFuture(null);
      }
      ArrayNode again = unsettled;
      OptionalLong retryAfter = error == null ? retryAfterSeconds(resp) : OptionalLong.empty();
      boolean retryable = error != null || resp.statusCode() >= 500 || resp.statusCode() == 429 || resp.statusCode() == 200;
      if (retryable && retryAfter.isPresent() && refusals < MAX_REFUSALS)
        return later(retryAfter.getAsLong() * 1000 + ThreadLocalRandom.current().nextLong(250),
            () -> post(again, status, reasons, attempt, refusals + 1));
      if (retryable && attempt < MAX_ATTEMPTS)
        return later(Math.min(5_000, 100L << Math.min(attempt, 6)), () -> post(again, status, reasons, attempt + 1, refusals));
      String why = error != null ? error.toString() : "HTTP " + resp.statusCode() + " " + new String(resp.body(), StandardCharsets.UTF_8);
      return CompletableFuture.<Void>failedFuture(new ServedEvaluationException("the node did not take a batch of events: " + why));
    }).thenCompose(f -> f);
  }

  /** Records the settled results of an answer; returns the events still to send (unconfirmed or missing). */
  private static ArrayNode settle(ArrayNode events, byte[] body, Map<String, String> status, Map<String, String> reasons) {
    JsonNode answer;
    try {
      answer = JSON.readTree(body);
    } catch (IOException e) {
      return events;
    }
    Map<String, JsonNode> byId = new HashMap<>();
    for (JsonNode r : answer.path("results")) byId.put(r.path("eventId").asText(), r);
    ArrayNode left = JSON.createArrayNode();
    for (JsonNode e : events) {
      String id = e.path("eventId").asText();
      JsonNode r = byId.get(id);
      String s = r == null ? "" : r.path("status").asText();
      switch (s) {
        case "accepted", "duplicate" -> status.put(id, s);
        case "unconfirmed", "" -> left.add(e);
        default -> { // rejected, forgotten: settled, not applied
          status.put(id, "rejected");
          reasons.put(id, s + ": " + r.path("reason").asText(r.toString()));
        }
      }
    }
    return left;
  }

  /**
   * The profile's JSON, or null when the node has none (404). A refusal with Retry-After (the
   * node's bound on reads in flight, a rate limit) is waited out, other failures retried with backoff.
   */
  public CompletableFuture<JsonNode> profile(String userId) {
    return profile(userId, 1, 0);
  }

  private CompletableFuture<JsonNode> profile(String userId, int attempt, int refusals) {
    HttpRequest req = request("/v1/profiles/" + URLEncoder.encode(userId, StandardCharsets.UTF_8)).GET().timeout(Duration.ofSeconds(30)).build();
    return client.sendAsync(req, HttpResponse.BodyHandlers.ofByteArray()).handle((r, error) -> {
      if (error == null && r.statusCode() == 404) return CompletableFuture.<JsonNode>completedFuture(null);
      if (error == null && r.statusCode() == 200) {
        try {
          return CompletableFuture.completedFuture(JSON.readTree(r.body()));
        } catch (IOException e) {
          return CompletableFuture.<JsonNode>failedFuture(
              new ServedEvaluationException("GET /v1/profiles/" + userId + ": unreadable answer: " + e.getMessage(), e));
        }
      }
      boolean retryable = error != null || r.statusCode() >= 500 || r.statusCode() == 429;
      OptionalLong retryAfter = error == null ? retryAfterSeconds(r) : OptionalLong.empty();
      if (retryable && retryAfter.isPresent() && refusals < MAX_REFUSALS)
        return later(retryAfter.getAsLong() * 1000 + ThreadLocalRandom.current().nextLong(250), () -> profile(userId, attempt, refusals + 1));
      if (retryable && attempt < MAX_ATTEMPTS)
        return later(Math.min(5_000, 100L << Math.min(attempt, 6)), () -> profile(userId, attempt + 1, refusals));
      String why = error != null ? error.toString() : "HTTP " + r.statusCode() + " " + new String(r.body(), StandardCharsets.UTF_8);
      return CompletableFuture.<JsonNode>failedFuture(new ServedEvaluationException("GET /v1/profiles/" + userId + ": " + why));
    }).thenCompose(f -> f);
  }

  /**
   * Opens {@code GET /v1/changes} (from {@code from}: an offset, or {@code latest}) for {@code users}
   * (none: every user); completes once the node answered, so the stream's start is fixed then.
   */
  CompletableFuture<HttpResponse<Stream<String>>> changes(String from, String lastEventId, List<String> users) {
    StringBuilder path = new StringBuilder("/v1/changes");
    String sep = "?";
    if (from != null) {
      path.append(sep).append("from=").append(URLEncoder.encode(from, StandardCharsets.UTF_8));
      sep = "&";
    }
    for (String u : users) {
      path.append(sep).append("userId=").append(URLEncoder.encode(u, StandardCharsets.UTF_8));
      sep = "&";
    }
    HttpRequest.Builder req = request(path.toString()).header("Accept", "text/event-stream").GET();
    if (lastEventId != null) req.header("Last-Event-ID", lastEventId);
    return client.sendAsync(req.build(), HttpResponse.BodyHandlers.ofLines());
  }

  private HttpRequest.Builder request(String path) {
    HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path));
    return apiKey == null ? b : b.header("Authorization", "Bearer " + apiKey);
  }

  private static byte[] bytes(ArrayNode body) {
    try {
      return JSON.writeValueAsBytes(body);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static <T> CompletableFuture<T> later(long millis, java.util.function.Supplier<CompletableFuture<T>> then) {
    return CompletableFuture.supplyAsync(() -> null, CompletableFuture.delayedExecutor(millis, TimeUnit.MILLISECONDS))
        .thenCompose(x -> then.get());
  }

  private static OptionalLong retryAfterSeconds(HttpResponse<?> resp) {
    try {
      return resp.headers().firstValue("Retry-After").map(v -> OptionalLong.of(Math.max(0, Long.parseLong(v.strip()))))
          .orElse(OptionalLong.empty());
    } catch (NumberFormatException e) {
      return OptionalLong.empty(); // an HTTP date: a plain failure
    }
  }
}
