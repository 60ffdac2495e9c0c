package dev.profileengine.load;

import static io.gatling.javaapi.core.CoreDsl.scenario;

import io.gatling.javaapi.core.Simulation;
import java.util.Arrays;
import java.util.List;

/**
 * {@code GET /v1/profiles/{id}} at {@code rate} requests/s for {@code duration} s (or stairs with
 * {@code -Dramp=true}), for users drawn at random from the replay file: all of its users, those
 * of its first {@code readRows} rows, or the explicit {@code -Dusers=a,b,c}. Every read must find
 * the profile (200), so ingest the file first (IngestSimulation or the replay CLI).
 */
public class ReadSimulation extends Simulation {
  private final LoadSettings settings = LoadSettings.fromSystemProperties();

  {
    List<String> users = settings.users().isBlank()
        ? ReplayData.of(settings.data(), settings.batch()).users(settings.readRows())
        : Arrays.stream(settings.users().split(",")).map(String::strip).filter(u -> !u.isEmpty()).toList();
    System.out.println("ReadSimulation: " + settings.describe() + ", " + users.size() + " users");
    setUp(scenario("read")
            .feed(ReplayData.randomUsers(users))
            .exec(Scenarios.read())
            .injectOpen(Scenarios.injection(settings, settings.rate())))
        .protocols(Scenarios.protocol(settings))
        .assertions(Scenarios.assertions(settings));
  }
}
