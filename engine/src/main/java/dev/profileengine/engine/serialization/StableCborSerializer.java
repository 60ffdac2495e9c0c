package dev.profileengine.engine.serialization;

import akka.actor.ExtendedActorSystem;
import akka.serialization.SerializerWithStringManifest;
import akka.serialization.jackson.JacksonMigration;
import akka.serialization.jackson.JacksonObjectMapperProvider;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import dev.profileengine.engine.ErasureLog;
import dev.profileengine.engine.UserProfile;
import dev.profileengine.engine.model.ModelAssignment;
import dev.profileengine.engine.model.NodeModels;
import dev.profileengine.profile.ProfileState;
import java.io.IOException;
import java.io.NotSerializableException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Journal, snapshot and wire format of the engine: Jackson CBOR configured exactly as Akka's
 * {@code jackson-cbor} binding (same modules and features, so the payload bytes are the same), under
 * manifests of our own ({@code profile.EventRecorded#1}): a type's name and its format version, not
 * its Java class name, so classes can move or be renamed without losing stored data.
 *
 * <p>Reading: a manifest not in {@link #TYPES} or with a version newer than this build's fails (the
 * entity's recovery fails and is logged) instead of guessing; an older version goes through the
 * type's {@link JacksonMigration}; unknown properties fail the read, so a renamed field without a
 * migration cannot silently become null. Rows written before this serializer (Akka's jackson-cbor,
 * id 33, class-name manifests) are still read by that serializer, which stays registered for them.
 *
 * <p>A new type or a format change: add or bump it in {@link #TYPES} (with a migration for older
 * versions), then regenerate the golden fixtures (see GoldenFixtureWriter in the tests).
 */
public final class StableCborSerializer extends SerializerWithStringManifest {
  /** The serializer id stored with every row; never change it (rows are read by id). */
  public static final int IDENTIFIER = 7021;

  /**
   * A serialized type.
   *
   * @param name the stable manifest name; never reuse or change it once data was written with it
   * @param version the format version this build writes
   * @param migration transforms older versions to {@code version}, null while there is only one
   */
  public record Type(String name, Class<?> type, int version, JacksonMigration migration) {}

  /** Every type bound to this serializer (everything {@link CborSerializable} and the profile snapshot). */
  public static final List<Type> TYPES = List.of(
      // Journaled events and snapshots.
      new Type("profile.EventRecorded", UserProfile.EventRecorded.class, 1, null),
      new Type("profile.AttributesSet", UserProfile.AttributesSet.class, 1, null),
      new Type("profile.PredictionUpdated", UserProfile.PredictionUpdated.class, 1, null),
      new Type("profile.ConsentSet", UserProfile.ConsentSet.class, 1, null),
      new Type("profile.SegmentsChanged", UserProfile.SegmentsChanged.class, 1, null),
      new Type("profile.EventAcknowledged", UserProfile.EventAcknowledged.class, 1, null),
      new Type("profile.Forgotten", UserProfile.Forgotten.class, 1, null),
      new Type("profile.MergeStarted", UserProfile.MergeStarted.class, 1, null),
      new Type("profile.IdentitySeen", UserProfile.IdentitySeen.class, 1, null),
      new Type("profile.MergedInto", UserProfile.MergedInto.class, 1, null),
      new Type("profile.LinkCancelled", UserProfile.LinkCancelled.class, 1, null),
      new Type("profile.Absorbed", UserProfile.Absorbed.class, 1, null),
      new Type("profile.SplitStarted", UserProfile.SplitStarted.class, 1, null),
      new Type("profile.SplitOff", UserProfile.SplitOff.class, 1, null),
      new Type("profile.Restored", UserProfile.Restored.class, 1, null),
      new Type("profile.LinkBlocked", UserProfile.LinkBlocked.class, 1, null),
      // 3: forgottenMillis, changedSinceForgotten (absent in 2 = never forgotten); 4: links (absent = none);
      // 5: links.blocked (absent = nothing blocked); 6: history (absent = rebuilt from recent).
      new Type("profile.State", ProfileState.class, 6, new ProfileStateMigration()),
      new Type("erasure.UserForgotten", ErasureLog.UserForgotten.class, 1, null),
      new Type("erasure.State", ErasureLog.State.class, 1, null),
      new Type("model.Activated", ModelAssignment.Activated.class, 1, null),
      new Type("model.CandidateSet", ModelAssignment.CandidateSet.class, 1, null),
      new Type("model.CandidateCleared", ModelAssignment.CandidateCleared.class, 1, null),
      // The assignment entity's snapshot, also published to every node.
      new Type("model.Assignment", ModelAssignment.Assignment.class, 1, null),
      // Commands and replies (sent between nodes).
      new Type("profile.RecordEvents", UserProfile.RecordEvents.class, 1, null),
      new Type("profile.GetProfile", UserProfile.GetProfile.class, 1, null),
      new Type("profile.SetAttributes", UserProfile.SetAttributes.class, 1, null),
      new Type("profile.SetConsent", UserProfile.SetConsent.class, 1, null),
      new Type("profile.Forget", UserProfile.Forget.class, 1, null),
      new Type("profile.ForgetHere", UserProfile.ForgetHere.class, 1, null),
      new Type("profile.ForgetDone", UserProfile.ForgetDone.class, 1, null),
      new Type("profile.ForgetFailed", UserProfile.ForgetFailed.class, 1, null),
      new Type("profile.SnapshotSettled", UserProfile.SnapshotSettled.class, 1, null),
      new Type("profile.ReevaluateSegments", UserProfile.ReevaluateSegments.class, 1, null),
      new Type("profile.PredictionReady", UserProfile.PredictionReady.class, 1, null),
      new Type("profile.PredictionFailed", UserProfile.PredictionFailed.class, 1, null),
      new Type("profile.WritePredicted", UserProfile.WritePredicted.class, 1, null),
      new Type("profile.Resolve", UserProfile.Resolve.class, 1, null),
      new Type("profile.SeenWith", UserProfile.SeenWith.class, 1, null),
      new Type("profile.MergeInto", UserProfile.MergeInto.class, 1, null),
      new Type("profile.Absorb", UserProfile.Absorb.class, 1, null),
      new Type("profile.Unmerge", UserProfile.Unmerge.class, 1, null),
      new Type("profile.Restore", UserProfile.Restore.class, 1, null),
      new Type("profile.LedgerLoaded", UserProfile.LedgerLoaded.class, 1, null),
      new Type("profile.LedgerFailed", UserProfile.LedgerFailed.class, 1, null),
      new Type("profile.OtherSideAnswered", UserProfile.OtherSideAnswered.class, 1, null),
      // 2: blocked (absent in 1 = none).
      new Type("profile.Resolution", UserProfile.Resolution.class, 2, null),
      new Type("profile.LinkReply", UserProfile.LinkReply.class, 1, null),
      new Type("profile.Recorded", UserProfile.Recorded.class, 1, null),
      // 2: refused (absent in 1 = not refused); 3: the view's identities.
      new Type("profile.ProfileReply", UserProfile.ProfileReply.class, 3, null),
      new Type("profile.ForgetReply", UserProfile.ForgetReply.class, 1, null),
      new Type("erasure.RecordForgotten", ErasureLog.RecordForgotten.class, 1, null),
      new Type("model.Activate", ModelAssignment.Activate.class, 1, null),
      new Type("model.SetCandidate", ModelAssignment.SetCandidate.class, 1, null),
      new Type("model.ClearCandidate", ModelAssignment.ClearCandidate.class, 1, null),
      new Type("model.GetAssignment", ModelAssignment.GetAssignment.class, 1, null),
      new Type("model.GetServed", NodeModels.GetServed.class, 1, null),
      new Type("model.Served", NodeModels.Served.class, 1, null));

  private static final Map<Class<?>, Type> BY_CLASS = new HashMap<>();
  private static final Map<String, Type> BY_NAME = new HashMap<>();

  static {
    for (Type t : TYPES) {
      if (BY_CLASS.put(t.type(), t) != null || BY_NAME.put(t.name(), t) != null)
        throw new IllegalStateException("type registered twice: " + t);
      if (t.migration() != null && t.migration().currentVersion() != t.version())
        throw new IllegalStateException("migration of " + t.name() + " is at version " + t.migration().currentVersion() + ", the type at " + t.version());
    }
  }

  private final ObjectMapper mapper;
  private final Map<Class<?>, ObjectReader> readers = new HashMap<>();

  public StableCborSerializer(ExtendedActorSystem system) {
    // The mapper Akka's jackson-cbor serializer uses (its configuration section, a CBOR factory).
    this.mapper = JacksonObjectMapperProvider.get(system).create("jackson-cbor", Optional.of(new CBORFactory()));
    for (Type t : TYPES) readers.put(t.type(), mapper.readerFor(t.type()).with(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES));
  }

  @Override
  public int identifier() {
    return IDENTIFIER;
  }

  /** The registered type of {@code o}; an unregistered class fails (add it to {@link #TYPES}). */
  public static Type typeOf(Class<?> c) {
    Type t = BY_CLASS.get(c);
    if (t == null) throw new IllegalArgumentException(c.getName() + " is not registered in StableCborSerializer.TYPES");
    return t;
  }

  @Override
  public String manifest(Object o) {
    Type t = typeOf(o.getClass());
    return t.name() + "#" + t.version();
  }

  @Override
  public byte[] toBinary(Object o) {
    Type t = typeOf(o.getClass());
    try {
      if (o instanceof ProfileState) {
        // The snapshot names the behavior type of each array slot (see ProfileStateMigration).
        ObjectNode tree = mapper.valueToTree(o);
        tree.set(ProfileStateMigration.TYPES_FIELD, ProfileStateMigration.names(ProfileStateMigration.currentTypes()));
        return mapper.writeValueAsBytes(tree);
      }
      return mapper.writeValueAsBytes(o);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot serialize " + t.name() + ": " + e.getMessage(), e);
    }
  }

  @Override
  public Object fromBinary(byte[] bytes, String manifest) throws NotSerializableException {
    int hash = manifest.lastIndexOf('#');
    Type t = BY_NAME.get(hash < 0 ? manifest : manifest.substring(0, hash));
    if (t == null || hash < 0) throw new NotSerializableException("unknown manifest [" + manifest + "]: written by another version?");
    int version;
    try {
      version = Integer.parseInt(manifest.substring(hash + 1));
    } catch (NumberFormatException e) {
      throw new NotSerializableException("bad version in manifest [" + manifest + "]");
    }
    if (version > t.version() || version < 1)
      throw new NotSerializableException(t.name() + " version " + version + " is not readable by this build (it reads up to " + t.version() + ")");
    try {
      ObjectReader reader = readers.get(t.type());
      if (t.migration() == null) return reader.readValue(bytes);
      JsonNode tree = t.migration().transform(version, mapper.readTree(bytes));
      return reader.readValue(tree);
    } catch (IOException | RuntimeException e) {
      NotSerializableException failure = new NotSerializableException("cannot read " + manifest + ": " + e.getMessage());
      failure.initCause(e);
      throw failure;
    }
  }
}
