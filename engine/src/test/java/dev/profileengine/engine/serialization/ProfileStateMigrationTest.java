package dev.profileengine.engine.serialization;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.serialization.Serialization;
import akka.serialization.SerializationExtension;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import dev.profileengine.engine.FieldByField;
import dev.profileengine.engine.serialization.GoldenFixturesTest.Fixture;
import dev.profileengine.profile.BehaviorEvent;
import dev.profileengine.profile.BehaviorHistory;
import dev.profileengine.profile.BehaviorType;
import dev.profileengine.profile.ProfileSettings;
import dev.profileengine.profile.ProfileState;
import dev.profileengine.profile.WindowCounts;
import java.io.NotSerializableException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The snapshot migration: per-behavior-type arrays are read by type name, so a snapshot written
 * with today's six types reads under the right names and adding a type moves no count.
 */
class ProfileStateMigrationTest {
  private static final ActorTestKit KIT = ActorTestKit.create(GoldenValues.SYSTEM, GoldenFixtureWriter.config());
  private static final Serialization SERIALIZATION = SerializationExtension.get(KIT.system().classicSystem());
  private static final ObjectMapper CBOR = new ObjectMapper(new CBORFactory());
  /** Lifetime counts of the golden behaviors, by type name. */
  private static final Map<String, Long> LIFETIME = Map.of("VIEW", 2L, "CLICK", 1L, "FAVORITE", 1L, "CART", 1L, "PURCHASE", 1L, "SEARCH", 1L);

  @AfterAll
  static void stop() {
    KIT.shutdownTestKit();
  }

  @Test
  void aSnapshotWrittenBeforeTypeListsCountsUnderTheRightTypeNames() throws Exception {
    ProfileState legacy = (ProfileState) GoldenFixturesTest.legacy("profile.State").decode();
    long at = legacy.lastEventMillis(); // the last behavior (a view) is two days after the others
    Map<String, Map<String, Long>> counts = legacy.counts().view(at);
    assertEquals(Map.of("view", 1L, "click", 0L, "favorite", 0L, "cart", 0L, "purchase", 0L, "search", 0L), counts.get("24h"));
    LIFETIME.forEach((type, n) -> assertEquals(n, counts.get("lifetime").get(type.toLowerCase()), type));
    LIFETIME.forEach((type, n) -> assertEquals(n, counts.get("30d").get(type.toLowerCase()), type));
  }

  /** A hypothetical build with SHARE inserted among the types and RETURN appended. */
  @Test
  void addingATypeDoesNotShiftCounts() throws Exception {
    List<String> target = new ArrayList<>(ProfileStateMigration.currentTypes());
    target.add(2, "SHARE");
    target.add("RETURN");
    for (Fixture f : List.of(GoldenFixturesTest.legacy("profile.State"), GoldenFixturesTest.current("profile.State"))) {
      ObjectNode tree = (ObjectNode) CBOR.readTree(f.payload());
      if (f.serializerId() == 33) tree.set(ProfileStateMigration.TYPES_FIELD, ProfileStateMigration.names(ProfileStateMigration.V1_TYPES));
      JsonNode before = tree.deepCopy();
      ObjectNode moved = ProfileStateMigration.align(tree, target);
      JsonNode lifetime = moved.get("counts").get("lifetime");
      assertEquals(target.size(), lifetime.size());
      for (String type : target) assertEquals(LIFETIME.getOrDefault(type, 0L), lifetime.get(target.indexOf(type)).asLong(), type);
      for (String series : List.of("minutes", "hours", "days")) {
        ArrayNode old = (ArrayNode) before.get("counts").get(series).get("counts");
        ArrayNode now = (ArrayNode) moved.get("counts").get(series).get("counts");
        int rows = old.size() / 6;
        assertTrue(rows > 0, series);
        assertEquals(rows * target.size(), now.size(), series);
        for (int r = 0; r < rows; r++)
          for (int i = 0; i < 6; i++)
            assertEquals(old.get(r * 6 + i).asLong(), now.get(r * target.size() + target.indexOf(ProfileStateMigration.V1_TYPES.get(i))).asLong(),
                series + " row " + r + " " + ProfileStateMigration.V1_TYPES.get(i));
      }
    }
  }

  /** Through the serializer: a snapshot whose arrays are in another type order reads into the same state. */
  @Test
  void aSnapshotWithTypesInAnotherOrderReadsTheSame() throws Exception {
    Fixture f = GoldenFixturesTest.current("profile.State");
    ObjectNode tree = (ObjectNode) CBOR.readTree(f.payload());
    List<String> reversed = new ArrayList<>(ProfileStateMigration.currentTypes());
    Collections.reverse(reversed);
    tree.set(ProfileStateMigration.TYPES_FIELD, ProfileStateMigration.names(reversed));
    ObjectNode counts = (ObjectNode) tree.get("counts");
    counts.set("lifetime", reverseRows((ArrayNode) counts.get("lifetime"), reversed.size()));
    for (String series : List.of("minutes", "hours", "days")) {
      ObjectNode s = (ObjectNode) counts.get(series);
      s.set("counts", reverseRows((ArrayNode) s.get("counts"), reversed.size()));
    }
    Object read = SERIALIZATION.deserialize(CBOR.writeValueAsBytes(tree), f.serializerId(), f.manifest()).get();
    FieldByField.assertSameValue(GoldenValues.linkedSnapshot(), read);
  }

  /** A snapshot counting a type this build does not know (a downgrade) fails its recovery. */
  @Test
  void aTypeThisBuildDoesNotKnowFailsTheRead() throws Exception {
    Fixture f = GoldenFixturesTest.current("profile.State");
    ObjectNode tree = (ObjectNode) CBOR.readTree(f.payload());
    ((ArrayNode) tree.get(ProfileStateMigration.TYPES_FIELD)).set(5, "TELEPORT");
    byte[] bytes = CBOR.writeValueAsBytes(tree);
    assertThrows(NotSerializableException.class, () -> SERIALIZATION.deserialize(bytes, f.serializerId(), f.manifest()).get());
    tree.remove(ProfileStateMigration.TYPES_FIELD);
    byte[] withoutTypes = CBOR.writeValueAsBytes(tree);
    assertThrows(NotSerializableException.class, () -> SERIALIZATION.deserialize(withoutTypes, f.serializerId(), f.manifest()).get());
  }

  /** Version 5 added the identities an unmerge blocks: a version 4 snapshot reads with nothing blocked and all else as it was. */
  @Test
  void aSnapshotFromBeforeUnmergeBlocksReadsWithNothingBlocked() throws Exception {
    Fixture v4 = Fixture.read(GoldenFixtureWriter.DIR.resolve("older"), "profile.State.v4");
    assertEquals("profile.State#4", v4.manifest());
    assertTrue(CBOR.readTree(v4.payload()).get("links").get("blocked") == null, "written before blocks");
    ProfileState read = (ProfileState) v4.decode();
    assertEquals(List.of(), read.links().blocked());
    FieldByField.assertSameValue(GoldenValues.snapshot(), read);
    // And the current format keeps them.
    assertEquals(GoldenValues.linkedSnapshot().links().blocked(), ((ProfileState) GoldenFixturesTest.current("profile.State").decode()).links().blocked());
    assertTrue(!GoldenValues.linkedSnapshot().links().blocked().isEmpty());
  }

  /**
   * Version 6 added the model's history counters: a version 5 snapshot of a profile with more
   * behaviors than its window reads with counters rebuilt from the window; the current format keeps
   * the counters of every behavior.
   */
  @Test
  void aSnapshotFromBeforeHistoryCountersRebuildsThemFromItsWindow() throws Exception {
    ProfileSettings s = ProfileSettings.defaults();
    ProfileState state = ProfileState.empty("u-history");
    for (int i = 0; i < 120; i++)
      state = state.apply(BehaviorEvent.of("h" + i, "u-history", i % 5 == 0 ? BehaviorType.CART : BehaviorType.VIEW,
          Instant.parse("2026-11-20T10:00:00Z").plusSeconds(40L * i)).withCategory("item-" + i, "c" + (i % 7)), s);
    byte[] current = SERIALIZATION.serialize(state).get();
    String manifest = StableCborSerializer.typeOf(ProfileState.class).name() + "#" + StableCborSerializer.typeOf(ProfileState.class).version();
    ProfileState back = (ProfileState) SERIALIZATION.deserialize(current, StableCborSerializer.IDENTIFIER, manifest).get();
    assertEquals(state.history(), back.history());
    assertEquals(120, back.history().count());

    ObjectNode tree = (ObjectNode) CBOR.readTree(current);
    tree.remove("history");
    ProfileState v5 = (ProfileState) SERIALIZATION.deserialize(CBOR.writeValueAsBytes(tree), StableCborSerializer.IDENTIFIER, "profile.State#5").get();
    assertEquals(BehaviorHistory.of(state.recentBehaviors()), v5.history());
    assertEquals(s.recentBehaviors(), v5.history().count());
    assertEquals(state.recentBehaviors(), v5.recentBehaviors());
  }

  @Test
  void theCurrentSnapshotNamesItsTypes() throws Exception {
    JsonNode tree = CBOR.readTree(GoldenFixturesTest.current("profile.State").payload());
    assertEquals(ProfileStateMigration.names(ProfileStateMigration.currentTypes()), tree.get(ProfileStateMigration.TYPES_FIELD));
    assertEquals(WindowCounts.empty().lifetime().length, ProfileStateMigration.currentTypes().size());
  }

  private static ArrayNode reverseRows(ArrayNode values, int width) {
    ArrayNode out = CBOR.createArrayNode();
    for (int r = 0; r < values.size() / width; r++)
      for (int i = width - 1; i >= 0; i--) out.add(values.get(r * width + i).asLong());
    return out;
  }
}
