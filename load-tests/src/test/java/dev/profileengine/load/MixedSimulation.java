package dev.profileengine.load;

import static io.gatling.javaapi.core.CoreDsl.nothingFor;
import static io.gatling.javaapi.core.CoreDsl.scenario;

import io.gatling.javaapi.core.CoreDsl;
import io.gatling.javaapi.core.OpenInjectionStep;
import io.gatling.javaapi.core.Simulation;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Ingest and reads at once: the replay at {@code rate} batches/s (stairs with {@code -Dramp=true})
 * and {@code readRate} profile reads/s of users whose batches the node has already confirmed, so
 * every read must find its profile. Reads start one second after the ingest; with stairs they
 * rise in proportion ({@code rampStep * readRate / rate} per level). Server-sent-event
 * subscribers join this mix once the gateway serves {@code /v1/changes}.
 */
public class MixedSimulation extends Simulation {
  private final LoadSettings settings = LoadSettings.fromSystemProperties();
  private final Scenarios.IngestTotals totals = new Scenarios.IngestTotals();

  {
    ReplayData data = ReplayData.of(settings.data(), settings.batch());
    Scenarios.AckedBatches acked = new Scenarios.AckedBatches();
    System.out.println("MixedSimulation: " + settings.describe() + ", readRate=" + settings.readRate());
    List<OpenInjectionStep> readSteps = new ArrayList<>();
    readSteps.add(nothingFor(1));
    // With stairs, reads rise in proportion to the ingest.
    readSteps.addAll(Arrays.asList(Scenarios.injection(settings, settings.readRate(), settings.rampStep() * settings.readRate() / settings.rate())));
    setUp(
        Scenarios.ingest("ingest", data, settings, totals, acked)
            .injectOpen(Scenarios.injection(settings, settings.rate())),
        scenario("read")
            .exec(session -> Scenarios.withRandomAckedUser(session, acked))
            .doIf(session -> session.contains("userId")).then(Scenarios.read())
            .injectOpen(readSteps.toArray(OpenInjectionStep[]::new)))
        .protocols(Scenarios.protocol(settings))
        .assertions(Scenarios.assertions(settings));
  }

  @Override
  public void after() {
    System.out.println(totals.line());
    RunRecord.publish(totals);
  }
}
