package dev.profileengine.profile;

import static dev.profileengine.profile.Events.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The new state survives the CBOR snapshot round trip, and older snapshots without it still load. */
class StateSerializationTest {
  private static final ProfileSettings S = ProfileSettings.defaults();

  @Test
  void riskSignalsSurviveTheSnapshotRoundTrip() throws Exception {
    ObjectMapper cbor = CBORMapper.builder().addModule(new JavaTimeModule()).build();
    ProfileState p = Events.fold(S,
        Events.at(Events.view("a", T0, "c"), "CN", "Beijing"),
        Events.at(Events.view("b", T0.plus(Duration.ofHours(1)), "c"), "US", "New York"));
    ProfileState back = cbor.readValue(cbor.writeValueAsBytes(p), ProfileState.class);
    assertEquals(p.risk(), back.risk());
    assertEquals(p.view(null, S), back.view(null, S));
    assertFalse(back.view(null, S).flags().isEmpty());
  }

  @Test
  void aSnapshotWithoutRiskLoadsWithEmptySignals() throws Exception {
    ObjectMapper json = new ObjectMapper().registerModule(new JavaTimeModule())
        .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    ObjectNode tree = json.valueToTree(Events.fold(S, Events.view("a", T0, "c")));
    tree.remove("risk");
    ProfileState old = json.treeToValue(tree, ProfileState.class);
    assertEquals(RiskSignals.empty(), old.risk());
    assertEquals(2, old.apply(Events.view("b", T0.plusSeconds(1), "c"), S).eventCount());
  }
}
