package dev.profileengine.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * The identity test's client: each call goes to a random node the load balancer would use, and is
 * sent again (to another random node) while its answer says nothing definite: a connection error or
 * timeout, a 5xx (503 busy or moved, with Retry-After), or events answered {@code unconfirmed}.
 * Repeats are harmless by design (events are deduplicated by id, identify is idempotent). A
 * definite refusal (4xx, an event rejected) is kept as a failure, not retried.
 */
final class RetryingCalls {
  private static final Duration BACKOFF = Duration.ofMillis(250);

  private final Supplier<List<String>> nodes;
  private final Duration giveUpAfter;
  private final Map<String, LongAdder> retriesByKind = new ConcurrentHashMap<>();
  private final LongAdder calls = new LongAdder();
  private final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();

  RetryingCalls(Supplier<List<String>> nodes, Duration giveUpAfter) {
    this.nodes = nodes;
    this.giveUpAfter = giveUpAfter;
  }

  /** Sends events (a JSON array) until each is {@code accepted} or {@code duplicate}. */
  boolean events(byte[] body, String what) throws InterruptedException {
    return send("/v1/events", body, what, Duration.ofSeconds(15), r -> {
      if (r.status() != 200) return Answer.RETRY;
      JsonNode json = r.json();
      if (json == null || !json.path("results").isArray()) return Answer.RETRY;
      Answer a = Answer.DONE;
      for (JsonNode e : json.path("results")) {
        String status = e.path("status").asText();
        if (status.equals("unconfirmed")) a = Answer.RETRY;
        else if (!status.equals("accepted") && !status.equals("duplicate")) return Answer.REFUSED;
      }
      return a;
    }) != null;
  }

  /** {@code POST path} until 200; null (a failure recorded) if refused or never answered. */
  Http.Response post(String path, byte[] body, String what) throws InterruptedException {
    return send(path, body, what, Duration.ofSeconds(30), r -> r.ok() ? Answer.DONE : r.status() == -1 || r.status() >= 500 ? Answer.RETRY : Answer.REFUSED);
  }

  /** As {@link #post}, the answers {@code accept} takes as done (e.g. a 404 when a lost answer's unmerge is repeated). */
  Http.Response send(String path, byte[] body, String what, Duration timeout, java.util.function.Function<Http.Response, Answer> accept)
      throws InterruptedException {
    calls.increment();
    long deadline = System.nanoTime() + giveUpAfter.toNanos();
    String last = "";
    for (int attempt = 0; System.nanoTime() < deadline; attempt++) {
      if (attempt > 0) Thread.sleep(BACKOFF.toMillis() * Math.min(attempt, 4)); // a client's back-off, not a synchronisation
      List<String> urls = nodes.get();
      if (urls.isEmpty()) continue;
      String url = urls.get(ThreadLocalRandom.current().nextInt(urls.size()));
      Http.Response r = Http.postJson(url + path, body, timeout);
      Answer a = accept.apply(r);
      if (a == Answer.DONE) return r;
      last = url + path + " -> " + r.status() + " " + abbreviate(r.body());
      if (a == Answer.REFUSED) {
        failures.add(what + ": " + last);
        return null;
      }
      retriesByKind.computeIfAbsent(kind(r), k -> new LongAdder()).increment();
    }
    failures.add(what + ": given up after " + giveUpAfter.toSeconds() + " s, last " + last);
    return null;
  }

  enum Answer { DONE, RETRY, REFUSED }

  long calls() {
    return calls.sum();
  }

  long retries() {
    return retriesByKind.values().stream().mapToLong(LongAdder::sum).sum();
  }

  Map<String, Long> retriesByKind() {
    Map<String, Long> m = new java.util.TreeMap<>();
    retriesByKind.forEach((k, v) -> m.put(k, v.sum()));
    return m;
  }

  List<String> failures() {
    return List.copyOf(failures);
  }

  private static String kind(Http.Response r) {
    if (r.status() == -1) return r.body().replaceAll(":.*", "").replaceAll("^.*\\.", "");
    if (r.status() == 200) return "200 unconfirmed";
    return "HTTP " + r.status();
  }

  private static String abbreviate(String s) {
    return s.length() <= 300 ? s : s.substring(0, 300) + "...";
  }
}
