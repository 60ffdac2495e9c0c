package dev.profileengine.load;

import static io.gatling.javaapi.core.CoreDsl.ByteArrayBody;
import static io.gatling.javaapi.core.CoreDsl.asLongAs;
import static io.gatling.javaapi.core.CoreDsl.bodyString;
import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.details;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.incrementUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.jmesPath;
import static io.gatling.javaapi.core.CoreDsl.pause;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.sse;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.http.action.sse.SseInboundMessage;
import io.gatling.javaapi.core.ActionBuilder;
import io.gatling.javaapi.core.Assertion;
import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.CoreDsl;
import io.gatling.javaapi.core.OpenInjectionStep;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Session;
import io.gatling.javaapi.http.HttpProtocolBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;

/** The building blocks the simulations share: protocol, ingest, read and subscribe chains, injection, assertions. */
final class Scenarios {
  private Scenarios() {}

  static HttpProtocolBuilder protocol(LoadSettings s) {
    return http.baseUrl(s.baseUrl())
        .acceptHeader("application/json")
        .contentTypeHeader("application/json")
        // A handful of long-lived client connections (as upstream services would hold), not one
        // TCP handshake per virtual user. Warm up on our own /health, never on the internet.
        .shareConnections()
        .warmUp(s.baseUrl() + "/health")
        // Change-stream messages that no check awaits are kept (up to this many per subscriber)
        // until the subscriber counts them (subscribe(), every DRAIN_EVERY).
        .sseUnmatchedInboundMessageBufferSize(SSE_BUFFER);
  }

  /** Open model: a constant arrival rate, or stairs to find the highest sustainable one. */
  static OpenInjectionStep[] injection(LoadSettings s, double rate) {
    return injection(s, rate, s.rampStep());
  }

  /** As above; with stairs each level adds {@code step} users/s. */
  static OpenInjectionStep[] injection(LoadSettings s, double rate, double step) {
    if (!s.ramp()) return new OpenInjectionStep[] {constantUsersPerSec(rate).during(s.duration())};
    return new OpenInjectionStep[] {
        incrementUsersPerSec(step).times(s.rampLevels()).eachLevelLasting(s.levelDuration())
            .separatedByRampsLasting(5).startingFrom(rate)};
  }

  static Assertion[] assertions(LoadSettings s) {
    List<Assertion> a = new ArrayList<>();
    a.add(global().successfulRequests().count().gt(0L));
    a.add(s.maxFailedPercent() <= 0
        ? global().failedRequests().count().is(0L)
        : global().failedRequests().percent().lte(s.maxFailedPercent()));
    return a.toArray(Assertion[]::new);
  }

  /**
   * Every subscriber's group {@value #SUBSCRIBER} OK (its first change came, the node did not close
   * its stream), whatever {@code maxFailedPercent}: a few subscribers would vanish in a percentage
   * of thousands of requests.
   */
  static Assertion[] subscriberAssertions(LoadSettings s) {
    if (s.subscribers() <= 0) return new Assertion[0];
    return new Assertion[] {
        details(SUBSCRIBER, FIRST_CHANGE).successfulRequests().count().is((long) s.subscribers()),
        details(SUBSCRIBER).successfulRequests().count().is((long) s.subscribers()),
        details(SUBSCRIBER).failedRequests().count().is(0L)};
  }

  /** Totals over the ingest responses of one run, printed at the end. */
  static final class IngestTotals {
    final AtomicLong batches = new AtomicLong();
    final AtomicLong accepted = new AtomicLong();
    final AtomicLong duplicates = new AtomicLong();
    final AtomicLong rejected = new AtomicLong();
    /** Batches sent and not answered yet (the change-stream subscribers stay while there are some). */
    final AtomicLong inFlight = new AtomicLong();

    String line() {
      return String.format("ingest totals: %,d batches answered, accepted %,d, duplicates %,d, rejected %,d",
          batches.get(), accepted.get(), duplicates.get(), rejected.get());
    }
  }

  /**
   * One POST /v1/events per virtual user. Checks: 200; one result per event; nothing left
   * unconfirmed; on the first pass over the file into a fresh node nothing rejected; otherwise
   * rejections only "too_late" (an already stored event older than the allowed lateness: the
   * engine refuses to count it twice).
   */
  static ScenarioBuilder ingest(String name, ReplayData data, LoadSettings s, IngestTotals totals, AckedBatches acked) {
    ChainBuilder post = CoreDsl.exec(http("POST /v1/events")
        .post("/v1/events")
        .body(ByteArrayBody(session -> session.<ReplayData.Batch>get("batch").body()))
        .check(
            status().is(200),
            jmesPath("length(results)").ofInt().is(session -> session.getInt("events")),
            jmesPath("unconfirmed").ofLong().is(0L),
            jmesPath("accepted").ofLong().saveAs("accepted"),
            jmesPath("duplicates").ofLong().saveAs("duplicates"),
            jmesPath("rejected").ofLong().saveAs("rejected"))
        .checkIf(session -> s.fresh() && session.getInt("lap") == 0)
        .then(jmesPath("rejected").ofLong().is(0L))
        .checkIf(session -> !s.fresh() || session.getInt("lap") > 0)
        .then(jmesPath("length(results[?status=='rejected' && reason!='too_late'])").ofInt().is(0)));
    return scenario(name)
        .feed(data.batchFeeder(s.from()))
        .exec(session -> {
          totals.inFlight.incrementAndGet();
          return session;
        })
        .exec(post)
        .exec(session -> {
          totals.inFlight.decrementAndGet();
          if (!session.isFailed()) {
            totals.batches.incrementAndGet();
            totals.accepted.addAndGet(session.getLong("accepted"));
            totals.duplicates.addAndGet(session.getLong("duplicates"));
            totals.rejected.addAndGet(session.getLong("rejected"));
            if (acked != null) acked.add(session.<ReplayData.Batch>get("batch"));
          }
          return session;
        });
  }

  /** GET /v1/profiles/{userId}: 200 and the profile of that user. */
  static ChainBuilder read() {
    return CoreDsl.exec(http("GET /v1/profiles/{id}")
        .get(session -> "/v1/profiles/" + session.getString("userId"))
        .check(status().is(200), jmesPath("userId").is(session -> session.getString("userId"))));
  }

  /** Users of the batches the node has confirmed, for reads that must find a profile. */
  static final class AckedBatches {
    private final List<ReplayData.Batch> batches = new ArrayList<>();

    synchronized void add(ReplayData.Batch b) {
      batches.add(b);
    }

    /** A random user among confirmed batches, null before the first confirmation. */
    synchronized String randomUser() {
      if (batches.isEmpty()) return null;
      ThreadLocalRandom r = ThreadLocalRandom.current();
      String[] users = batches.get(r.nextInt(batches.size())).users();
      return users[r.nextInt(users.length)];
    }
  }

  /** The group of one subscriber's whole stay: KO when its first change never came or the node closed its stream. */
  static final String SUBSCRIBER = "subscriber";
  static final String SUBSCRIBE = "GET /v1/changes";
  static final String FIRST_CHANGE = "first change";
  static final String UNSUBSCRIBE = "close /v1/changes";
  /** Subscribers stay this long after the ingest's last answer: its last changes are still on their way. */
  static final Duration TAIL = Duration.ofSeconds(2);
  /** The longest subscribers wait for unanswered ingest batches after the injection ended. */
  static final Duration MAX_WAIT = Duration.ofSeconds(60);
  static final Duration DRAIN_EVERY = Duration.ofMillis(500);
  static final int SSE_BUFFER = 200_000;

  /**
   * One subscriber of {@code GET /v1/changes?from=subscribeFrom} (the whole stream, no user or
   * segment filter), as the group {@value #SUBSCRIBER}: connect, with a check that waits up to
   * {@code stay} + {@link #TAIL} for a first {@code profile-changed} event (none: the check fails);
   * stay for {@code stay} (the ingest's injection), then as long as ingest batches are still
   * unanswered, then {@link #TAIL} more for their changes, counting every {@link #DRAIN_EVERY} what
   * arrived; then close. A {@code close} event from the node ({@code too_slow},
   * {@code shutting_down}) marks the subscriber failed. Either way its group is KO, which
   * {@link #subscriberAssertions} turn into a failed run.
   */
  static ScenarioBuilder subscribe(String name, LoadSettings s, Duration stay, IngestTotals ingest, ChangeTotals totals) {
    return scenario(name).group(SUBSCRIBER).on(
        exec(session -> session.set("until", System.currentTimeMillis() + stay.toMillis()).set("changes", 0L))
        .exec(sse(SUBSCRIBE).get("/v1/changes?from=" + s.subscribeFrom())
            .await(stay.plus(TAIL)).on(sse.checkMessage(FIRST_CHANGE)
                .matching(jmesPath("event").is("profile-changed"))
                .check(bodyString().saveAs("firstChange"))))
        .exec(session -> {
          if (!session.contains("firstChange")) return session;
          totals.first.increment();
          return session.set("changes", totals.count(session.getString("firstChange")));
        })
        .doIf(session -> session.contains("firstChange")).then(
            // The ingest's injection, then its last answers (at most MAX_WAIT for them), then TAIL.
            asLongAs(session -> System.currentTimeMillis() < session.getLong("until")
                || ingest.inFlight.get() > 0 && System.currentTimeMillis() < session.getLong("until") + MAX_WAIT.toMillis())
                .on(pause(DRAIN_EVERY), drain(totals))
            .exec(session -> session.set("until", System.currentTimeMillis() + TAIL.toMillis()))
            .asLongAs(session -> System.currentTimeMillis() < session.getLong("until"))
                .on(pause(DRAIN_EVERY), drain(totals))
            .exec(drain(totals)))
        .exec(session -> {
          totals.perSubscriber(session.getLong("changes"));
          return session;
        })
        .exec(sse(UNSUBSCRIBE).close()));
  }

  /** Counts the messages buffered since the last drain (into the totals and this subscriber's own count). */
  private static ActionBuilder drain(ChangeTotals totals) {
    return sse.processUnmatchedMessages((messages, session) -> {
      if (messages.size() >= SSE_BUFFER) totals.overflowed.set(true);
      long n = 0;
      boolean closed = false;
      for (SseInboundMessage m : messages) {
        long c = totals.count(m.message());
        if (c < 0) closed = true;
        else n += c;
      }
      Session counted = session.set("changes", session.getLong("changes") + n);
      // The node ended the stream (too slow, shutting down): this subscriber's group fails.
      return closed ? counted.markAsFailed() : counted;
    });
  }

  /**
   * What the subscribers received. Gatling hands each event over as JSON:
   * {@code {"event":"profile-changed","id":"<offset>","data":{...,"cause":"event",...}}}.
   */
  static final class ChangeTotals {
    /** Subscribers whose first change arrived. */
    final LongAdder first = new LongAdder();
    final LongAdder changes = new LongAdder();
    final Map<String, LongAdder> byCause = new ConcurrentSkipListMap<>();
    final AtomicLong highestOffset = new AtomicLong(-1);
    final LongAccumulator fewest = new LongAccumulator(Math::min, Long.MAX_VALUE);
    final LongAdder subscribers = new LongAdder();
    final List<String> closes = new CopyOnWriteArrayList<>();
    final AtomicBoolean overflowed = new AtomicBoolean();

    /** 1 for a profile-changed event, -1 for a close event (kept for the report), else 0. */
    long count(String json) {
      String event = field(json, "event");
      if ("close".equals(event)) {
        closes.add(json);
        return -1;
      }
      if (!"profile-changed".equals(event)) return 0;
      changes.increment();
      byCause.computeIfAbsent(String.valueOf(field(json, "cause")), k -> new LongAdder()).increment();
      String id = field(json, "id");
      if (id != null) highestOffset.accumulateAndGet(Long.parseLong(id), Math::max);
      return 1;
    }

    void perSubscriber(long n) {
      subscribers.increment();
      fewest.accumulate(n);
    }

    /** The first string value of {@code "name":"..."} (top-level event and id come before data). */
    private static String field(String json, String name) {
      String key = "\"" + name + "\":\"";
      int at = json.indexOf(key);
      if (at < 0) return null;
      int from = at + key.length();
      int to = json.indexOf('"', from);
      return to < 0 ? null : json.substring(from, to);
    }

    String line() {
      StringBuilder causes = new StringBuilder();
      byCause.forEach((cause, n) -> causes.append(causes.length() == 0 ? "" : ", ").append(cause).append(' ').append(String.format("%,d", n.sum())));
      long fewestSeen = subscribers.sum() == 0 ? 0 : fewest.get();
      return String.format("change stream: %,d subscribers, %,d got a first change; %,d changes delivered (%s), fewest per subscriber %,d,"
              + " highest offset %,d; closed by the node: %d%s",
          subscribers.sum(), first.sum(), changes.sum(), causes.length() == 0 ? "none" : causes, fewestSeen,
          highestOffset.get(), closes.size(), overflowed.get() ? "; a buffer overflowed, counts are lower bounds" : "")
          + (closes.isEmpty() ? "" : "\n  " + String.join("\n  ", closes));
    }
  }

  static Session withRandomAckedUser(Session session, AckedBatches acked) {
    String user = acked.randomUser();
    return user == null ? session.remove("userId") : session.set("userId", user);
  }
}
