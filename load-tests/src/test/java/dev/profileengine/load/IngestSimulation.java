package dev.profileengine.load;

import io.gatling.javaapi.core.Simulation;

/**
 * Replays a Taobao CSV (event-time order) to {@code POST /v1/events} in batches, open model: a
 * constant arrival rate of {@code rate} batches/s for {@code duration} s, or with {@code -Dramp=true}
 * stairs of rising rate to find the highest one the node sustains (watch where the response time
 * percentiles bend and failures start in the report). See {@link LoadSettings} for every knob.
 */
public class IngestSimulation extends Simulation {
  private final LoadSettings settings = LoadSettings.fromSystemProperties();
  private final Scenarios.IngestTotals totals = new Scenarios.IngestTotals();

  {
    ReplayData data = ReplayData.of(settings.data(), settings.batch());
    System.out.println("IngestSimulation: " + settings.describe());
    setUp(Scenarios.ingest("ingest", data, settings, totals, null)
            .injectOpen(Scenarios.injection(settings, settings.rate())))
        .protocols(Scenarios.protocol(settings))
        .assertions(Scenarios.assertions(settings));
  }

  @Override
  public void after() {
    System.out.println(totals.line());
    RunRecord.publish(totals);
  }
}
