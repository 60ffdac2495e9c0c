package dev.profileengine.load;

import static io.gatling.javaapi.core.CoreDsl.atOnceUsers;
import static io.gatling.javaapi.core.CoreDsl.nothingFor;
import static io.gatling.javaapi.core.CoreDsl.scenario;

import io.gatling.javaapi.core.Assertion;
import io.gatling.javaapi.core.OpenInjectionStep;
import io.gatling.javaapi.core.PopulationBuilder;
import io.gatling.javaapi.core.Simulation;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Ingest, reads and change-stream subscribers at once: the replay at {@code rate} batches/s
 * (stairs with {@code -Dramp=true}); {@code readRate} profile reads/s of users whose batches the
 * node has already confirmed, so every read must find its profile; and {@code subscribers}
 * (default 4, 0 for none) server-sent-event subscribers of {@code GET /v1/changes} (the whole
 * stream, no user or segment filter, from offset {@code subscribeFrom}, default 0). Reads start
 * one second after the ingest; with stairs they rise in proportion ({@code rampStep * readRate /
 * rate} per level). The subscribers connect at the start and stay for the whole ingest, until its
 * last batch is answered, plus {@link Scenarios#TAIL}: each must receive a {@code profile-changed}
 * event within the ingest's duration plus that tail (the Gatling check "first change"), counts
 * every change that reaches it, and closes. A
 * subscriber without a first change, or whose stream the node ended with a {@code close} event
 * (it fell behind, or the node is stopping), fails the run whatever {@code maxFailedPercent}
 * (assertions on the group "subscriber"). The console prints the changes delivered next to the
 * ingest totals, with the highest offset seen: pass it as {@code -DsubscribeFrom} to skip that
 * history on a later run against the same node. From offset 0 on a node that is not fresh the
 * first change comes from history; changes of this run's events arrive only for events the node
 * accepts (not for duplicates: use {@code -Dfrom} to send new batches).
 */
public class MixedSimulation extends Simulation {
  /** The change-stream totals of the last run in this JVM, for the in-process smoke test. */
  static final AtomicReference<Scenarios.ChangeTotals> LAST_CHANGES = new AtomicReference<>();

  private final LoadSettings settings = LoadSettings.fromSystemProperties();
  private final Scenarios.IngestTotals totals = new Scenarios.IngestTotals();
  private final Scenarios.ChangeTotals changes = new Scenarios.ChangeTotals();

  {
    ReplayData data = ReplayData.of(settings.data(), settings.batch());
    Scenarios.AckedBatches acked = new Scenarios.AckedBatches();
    System.out.println("MixedSimulation: " + settings.describe() + ", readRate=" + settings.readRate()
        + ", subscribers=" + settings.subscribers() + (settings.subscribeFrom() > 0 ? " from offset " + settings.subscribeFrom() : ""));
    List<OpenInjectionStep> readSteps = new ArrayList<>();
    readSteps.add(nothingFor(1));
    // With stairs, reads rise in proportion to the ingest.
    readSteps.addAll(Arrays.asList(Scenarios.injection(settings, settings.readRate(), settings.rampStep() * settings.readRate() / settings.rate())));
    List<PopulationBuilder> populations = new ArrayList<>(List.of(
        Scenarios.ingest("ingest", data, settings, totals, acked)
            .injectOpen(Scenarios.injection(settings, settings.rate())),
        scenario("read")
            .exec(session -> Scenarios.withRandomAckedUser(session, acked))
            .doIf(session -> session.contains("userId")).then(Scenarios.read())
            .injectOpen(readSteps.toArray(OpenInjectionStep[]::new))));
    if (settings.subscribers() > 0) {
      populations.add(Scenarios.subscribe("subscribe", settings, settings.injectionDuration(), totals, changes)
          .injectOpen(atOnceUsers(settings.subscribers())));
    }
    List<Assertion> assertions = new ArrayList<>(Arrays.asList(Scenarios.assertions(settings)));
    assertions.addAll(Arrays.asList(Scenarios.subscriberAssertions(settings)));
    setUp(populations)
        .protocols(Scenarios.protocol(settings))
        .assertions(assertions);
  }

  @Override
  public void after() {
    System.out.println(totals.line());
    if (settings.subscribers() > 0) System.out.println(changes.line());
    RunRecord.publish(totals);
    LAST_CHANGES.set(changes);
  }
}
