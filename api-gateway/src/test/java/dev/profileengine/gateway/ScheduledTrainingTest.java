package dev.profileengine.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import static dev.profileengine.gateway.TrainingApi.await;
import static dev.profileengine.gateway.TrainingApi.noCurrent;
import static dev.profileengine.gateway.TrainingApi.statuses;
import static dev.profileengine.gateway.TrainingApi.training;

import com.fasterxml.jackson.databind.JsonNode;
import dev.profileengine.gateway.replay.Replayer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code profile.model.training.schedule} on a real node with real rows: a node that cannot train
 * refuses every attempt and starts nothing; with the model tools and no POST, the node starts a run
 * (which trains); after a restart, the next run waits for the interval counted from the journaled
 * run, not from the restart.
 */
class ScheduledTrainingTest {
  @TempDir
  Path dir;

  @Test
  void startsRunsByItselfAndCountsTheIntervalFromTheJournal() throws Exception {
    Map<String, Object> config = TrainingApi.nodeConfig(dir);
    config.putAll(Map.of(
        "profile.model.training.epochs", 1,
        "profile.model.training.min-events", 1000,
        // Any candidate is rejected offline: the run ends after its evaluation, no online comparison to wait for.
        "profile.model.training.offline-max-log-loss-ratio", 0.0001));

    // Real rows first, on a node that cannot train (no model tools): the schedule's attempts, every
    // second, are refused and start nothing; the node ingests as usual.
    Map<String, Object> noTools = new HashMap<>(config);
    noTools.put("profile.model.training.trainer-jar", dir.resolve("missing.jar").toString());
    noTools.put("profile.model.training.schedule", "1s");
    try (TestNode node = TestNode.start(dir.resolve("data"), noTools)) {
      Replayer.Progress sent = new Replayer(new Replayer.Options(node.base, 500, 4, 8, null)).run(TrainingApi.history(1500), p -> {});
      assertEquals(0, sent.rejected() + sent.unconfirmed(), sent.line());
      JsonNode t = training(node);
      assertEquals("PT1S", t.at("/schedule/every").asText(), t.toString());
      assertTrue(t.get("unavailableBecause").asText().contains("model tools"), t.toString());
      assertEquals(0, t.get("runs").size(), t.toString());
    }

    // The model tools and a schedule: no run ever started, so one starts at once, without a request, and trains.
    config.put("profile.model.training.schedule", "1h");
    JsonNode first;
    try (TestNode node = TestNode.start(dir.resolve("data"), config)) {
      JsonNode t = await(node, x -> x.get("runs").size() > 0 && noCurrent(x), Duration.ofMinutes(3));
      assertEquals(1, t.get("runs").size(), t.toString());
      first = t.get("runs").get(0);
      assertEquals("run-1", first.get("id").asText());
      assertEquals(List.of("EXPORTING", "TRAINING", "EVALUATING", "REJECTED"), statuses(first), first.toString());
      assertTrue(first.get("candidate").asText().startsWith("trained-1-"), first.toString());
      Instant started = Instant.parse(first.get("requestedAt").asText());
      assertEquals("PT1H", t.at("/schedule/every").asText(), t.toString());
      assertEquals(started.plus(Duration.ofHours(1)), Instant.parse(t.at("/schedule/nextAt").asText()));
    }

    // Restarted with an interval that ends 20 s from now (time for the node to start), counted from
    // run-1's start: the restart itself starts nothing, run-2 starts when the interval is over.
    Instant started = Instant.parse(first.get("requestedAt").asText());
    Duration every = Duration.ofSeconds(Duration.between(started, Instant.now()).toSeconds() + 20);
    config.put("profile.model.training.schedule", every.toSeconds() + "s");
    config.put("profile.model.training.min-events", 1_000_000); // run-2 ends at its export: no second training
    try (TestNode node = TestNode.start(dir.resolve("data"), config)) {
      Instant up = Instant.now();
      JsonNode t = await(node, x -> x.get("runs").size() > 1 && noCurrent(x), every.plusSeconds(60));
      Instant due = started.plus(every);
      assertTrue(up.isBefore(due), "the node was up before the interval ended (else this checks nothing): " + up + " vs " + due);
      JsonNode second = t.get("runs").get(0);
      assertEquals("run-2", second.get("id").asText(), t.toString());
      Instant secondStart = Instant.parse(second.get("requestedAt").asText());
      assertTrue(!secondStart.isBefore(due), "run-2 started at " + secondStart + ", before the interval ended at " + due);
      assertEquals(List.of("EXPORTING", "FAILED"), statuses(second), second.toString());
      assertTrue(second.get("reason").asText().contains("min-events"), second.toString());
      assertEquals(secondStart.plus(every), Instant.parse(t.at("/schedule/nextAt").asText()));
    }
  }
}
