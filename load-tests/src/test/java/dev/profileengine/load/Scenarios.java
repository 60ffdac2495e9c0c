package dev.profileengine.load;

import static io.gatling.javaapi.core.CoreDsl.ByteArrayBody;
import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.incrementUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.jmesPath;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.Assertion;
import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.CoreDsl;
import io.gatling.javaapi.core.OpenInjectionStep;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Session;
import io.gatling.javaapi.http.HttpProtocolBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/** The building blocks the simulations share: protocol, ingest and read chains, injection, assertions. */
final class Scenarios {
  private Scenarios() {}

  static HttpProtocolBuilder protocol(LoadSettings s) {
    return http.baseUrl(s.baseUrl())
        .acceptHeader("application/json")
        .contentTypeHeader("application/json")
        // A handful of long-lived client connections (as upstream services would hold), not one
        // TCP handshake per virtual user. Warm up on our own /health, never on the internet.
        .shareConnections()
        .warmUp(s.baseUrl() + "/health");
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

  /** Totals over the ingest responses of one run, printed at the end. */
  static final class IngestTotals {
    final AtomicLong batches = new AtomicLong();
    final AtomicLong accepted = new AtomicLong();
    final AtomicLong duplicates = new AtomicLong();
    final AtomicLong rejected = new AtomicLong();

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
        .exec(post)
        .exec(session -> {
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

  static Session withRandomAckedUser(Session session, AckedBatches acked) {
    String user = acked.randomUser();
    return user == null ? session.remove("userId") : session.set("userId", user);
  }
}
