package dev.profileengine.engine.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.pubsub.Topic;
import akka.pattern.StatusReply;
import akka.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import com.typesafe.config.Config;
import dev.profileengine.engine.model.ModelAssignment.Assignment;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The cluster's model assignment with the persistence test kit: real CBOR of commands, events and state. */
class ModelAssignmentTest {
  private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
  private static final Config CONFIG = dev.profileengine.engine.EntityTestKitConfig.CONFIG;
  private static final ActorTestKit TESTKIT = ActorTestKit.create(CONFIG);

  private TestProbe<Topic.Command<Assignment>> topic;
  private EventSourcedBehaviorTestKit<ModelAssignment.Command, ModelAssignment.Event, Assignment> kit;

  @AfterAll
  static void stop() {
    TESTKIT.shutdownTestKit();
  }

  @BeforeEach
  void fresh() {
    topic = TESTKIT.createTestProbe();
    kit = EventSourcedBehaviorTestKit.create(TESTKIT.system(), ModelAssignment.create(topic.getRef(), Clock.fixed(T0, ZoneOffset.UTC)));
    kit.clear();
  }

  @Test
  void activationAndCandidateAreStoredPublishedAndRecovered() {
    assertEquals(Assignment.NONE, kit.runCommand(ModelAssignment.GetAssignment::new).reply());

    var activated = kit.<StatusReply<Assignment>>runCommand(r -> new ModelAssignment.Activate("v2", r));
    Assignment a1 = new Assignment("v2", null, 0, 1, T0);
    assertEquals(new ModelAssignment.Activated("v2", T0), activated.event());
    assertEquals(a1, activated.reply().getValue());
    topic.expectMessage(Topic.publish(a1));

    var candidate = kit.<StatusReply<Assignment>>runCommand(r -> new ModelAssignment.SetCandidate("v3", 10, r));
    Assignment a2 = new Assignment("v2", "v3", 10, 2, T0);
    assertEquals(a2, candidate.reply().getValue());
    topic.expectMessage(Topic.publish(a2));

    // The same request again stores and publishes nothing.
    var again = kit.<StatusReply<Assignment>>runCommand(r -> new ModelAssignment.SetCandidate("v3", 10, r));
    assertTrue(again.hasNoEvents());
    assertEquals(a2, again.reply().getValue());
    assertTrue(kit.<StatusReply<Assignment>>runCommand(r -> new ModelAssignment.Activate("v2", r)).hasNoEvents());
    topic.expectNoMessage();

    kit.restart();
    assertEquals(a2, kit.getState(), "kept across a restart");

    var cleared = kit.<StatusReply<Assignment>>runCommand(ModelAssignment.ClearCandidate::new);
    Assignment a3 = new Assignment("v2", null, 0, 3, T0);
    assertEquals(a3, cleared.reply().getValue());
    topic.expectMessage(Topic.publish(a3));
    assertTrue(kit.<StatusReply<Assignment>>runCommand(ModelAssignment.ClearCandidate::new).hasNoEvents());
  }

  @Test
  void badVersionsAndPercentsAreRefusedNamingTheField() {
    var badName = kit.<StatusReply<Assignment>>runCommand(r -> new ModelAssignment.Activate("../etc", r));
    assertTrue(badName.hasNoEvents());
    assertTrue(badName.reply().isError());
    assertTrue(badName.reply().getError().getMessage().startsWith("version:"), badName.reply().getError().getMessage());
    for (int percent : new int[] {0, -1, 101}) {
      var bad = kit.<StatusReply<Assignment>>runCommand(r -> new ModelAssignment.SetCandidate("v3", percent, r));
      assertTrue(bad.hasNoEvents());
      assertTrue(bad.reply().getError().getMessage().startsWith("percent:"), bad.reply().getError().getMessage());
    }
    assertEquals(Assignment.NONE, kit.getState());
    topic.expectNoMessage();
  }
}
