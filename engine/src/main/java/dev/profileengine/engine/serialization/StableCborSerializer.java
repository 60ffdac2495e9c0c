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
import dev.profileengine.engine.training.ModelTraining;
import dev.profileengine.engine.training.TrainingRun;
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
 *
 * <p>Writing: a value is written as the oldest version that can express it. A version that only
 * added optional properties declares them ({@link Added}); a value that leaves them empty is written
 * byte for byte as that older version under its manifest, so nodes of the older build (a rolling
 * update) read it; only a value that uses them needs the newer version.
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
   * @param added the optional properties later versions added (empty ones are left out, see {@link #writtenVersion})
   */
  public record Type(String name, Class<?> type, int version, JacksonMigration migration, List<Added> added) {
    public Type {
      added = List.copyOf(added);
    }

    public Type(String name, Class<?> type, int version, JacksonMigration migration) {
      this(name, type, version, migration, List.of());
    }

    /** The oldest version this build may write: the last one before the optional properties were added. */
    public int oldestWritten() {
      return added.stream().mapToInt(Added::since).min().orElse(version + 1) - 1;
    }

    /**
     * The version {@code value} is written as: the oldest that has every optional property it uses
     * (a property is used when not null and not an empty collection, map, string or Optional).
     */
    public int writtenVersion(Object value) {
      int v = oldestWritten();
      for (Added a : added) if (a.since() > v && !empty(a.read(value))) v = a.since();
      return v;
    }

    private static boolean empty(Object v) {
      return v == null || v instanceof java.util.Collection<?> c && c.isEmpty() || v instanceof Map<?, ?> m && m.isEmpty()
          || v instanceof Optional<?> o && o.isEmpty() || v instanceof String s && s.isEmpty();
    }
  }

  /**
   * An optional property a version added to a record: absent in the versions before, where it reads as
   * empty, and left out when empty (it must be annotated {@code @JsonInclude(NON_EMPTY)}, checked at start).
   */
  public record Added(String property, int since, java.lang.reflect.Method accessor) {
    Object read(Object value) {
      try {
        return accessor.invoke(value);
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException("cannot read " + property + " of " + value.getClass().getName(), e);
      }
    }

    /** The record component {@code property} of {@code type}, added in version {@code since}. */
    static Added of(Class<?> type, String property, int since) {
      java.lang.reflect.RecordComponent c = java.util.Arrays.stream(type.getRecordComponents()).filter(r -> r.getName().equals(property))
          .findFirst().orElseThrow(() -> new IllegalStateException(type.getName() + " has no record component " + property));
      var include = c.getAccessor().getAnnotation(com.fasterxml.jackson.annotation.JsonInclude.class);
      if (include == null || include.value() != com.fasterxml.jackson.annotation.JsonInclude.Include.NON_EMPTY)
        throw new IllegalStateException(type.getName() + "." + property + " must be @JsonInclude(NON_EMPTY): an empty value is written as before version " + since);
      if (c.getType().isPrimitive()) throw new IllegalStateException(type.getName() + "." + property + " is primitive: never empty");
      return new Added(property, since, c.getAccessor());
    }
  }

  private static Type type(String name, Class<?> type, int version, String property, int since) {
    return new Type(name, type, version, null, List.of(Added.of(type, property, since)));
  }

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
      type("profile.MergedInto", UserProfile.MergedInto.class, 2, "direct", 2),
      new Type("profile.LinkCancelled", UserProfile.LinkCancelled.class, 1, null),
      // 2: blocked, the unmerge blocks the absorbed profile brought (absent in 1 = none).
      // 3: kept (absent before: refolded from the entries it carries); 4: upTo and state (absent
      // before: the entries are in the row).
      new Type("profile.Absorbed", UserProfile.Absorbed.class, 4, null, List.of(Added.of(UserProfile.Absorbed.class, "blocked", 2),
          Added.of(UserProfile.Absorbed.class, "kept", 3), Added.of(UserProfile.Absorbed.class, "upTo", 4),
          Added.of(UserProfile.Absorbed.class, "state", 4))),
      new Type("profile.SplitStarted", UserProfile.SplitStarted.class, 1, null),
      // 2: released, the blocks the group took back (absent in 1 = none).
      type("profile.SplitOff", UserProfile.SplitOff.class, 2, "released", 2),
      // 2: blocked, the blocks it took back (absent in 1 = none).
      type("profile.Restored", UserProfile.Restored.class, 2, "blocked", 2),
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
      new Type("training.RunUpdated", ModelTraining.RunUpdated.class, 1, null),
      new Type("training.Runs", ModelTraining.Runs.class, 1, null),
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
      new Type("profile.Stop", UserProfile.Stop.class, 1, null),
      new Type("profile.Resolve", UserProfile.Resolve.class, 1, null),
      new Type("profile.SeenWith", UserProfile.SeenWith.class, 1, null),
      // 2: whenStarted (absent in 1: answered when the merge ends).
      type("profile.MergeInto", UserProfile.MergeInto.class, 2, "whenStarted", 2),
      // 2: blocked (absent in 1 = none), as for Restore and Absorbed; 3: upTo, the sender's journal
      // position the entries are read up to (absent before 3: the entries are carried); 4: state, the
      // sender's folded state (absent before 4: read and refolded from the entries).
      new Type("profile.Absorb", UserProfile.Absorb.class, 4, null, List.of(Added.of(UserProfile.Absorb.class, "blocked", 2),
          Added.of(UserProfile.Absorb.class, "upTo", 3), Added.of(UserProfile.Absorb.class, "state", 4))),
      new Type("profile.Unmerge", UserProfile.Unmerge.class, 1, null),
      new Type("profile.Restore", UserProfile.Restore.class, 3, null, List.of(Added.of(UserProfile.Restore.class, "blocked", 2),
          Added.of(UserProfile.Restore.class, "upTo", 3))),
      // 2: blockOrigins (absent in 1 = none).
      type("profile.LedgerLoaded", UserProfile.LedgerLoaded.class, 2, "blockOrigins", 2),
      new Type("profile.LedgerFailed", UserProfile.LedgerFailed.class, 1, null),
      new Type("profile.OtherSideAnswered", UserProfile.OtherSideAnswered.class, 1, null),
      new Type("profile.CanonicalAnswered", UserProfile.CanonicalAnswered.class, 1, null),
      // 2: blocked (absent in 1 = none).
      type("profile.Resolution", UserProfile.Resolution.class, 2, "blocked", 2),
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
      // 2: online (absent in 1 = none reported).
      type("model.Served", NodeModels.Served.class, 2, "online", 2),
      new Type("training.Start", ModelTraining.Start.class, 1, null),
      new Type("training.Update", ModelTraining.Update.class, 1, null),
      new Type("training.Alive", ModelTraining.Alive.class, 1, null),
      new Type("training.GetRuns", ModelTraining.GetRuns.class, 1, null),
      new Type("training.Run", TrainingRun.class, 1, null));

  private static final Map<Class<?>, Type> BY_CLASS = new HashMap<>();
  private static final Map<String, Type> BY_NAME = new HashMap<>();

  static {
    for (Type t : TYPES) {
      if (BY_CLASS.put(t.type(), t) != null || BY_NAME.put(t.name(), t) != null)
        throw new IllegalStateException("type registered twice: " + t);
      if (t.migration() != null && t.migration().currentVersion() != t.version())
        throw new IllegalStateException("migration of " + t.name() + " is at version " + t.migration().currentVersion() + ", the type at " + t.version());
      for (Added a : t.added())
        if (a.since() < 2 || a.since() > t.version()) throw new IllegalStateException(t.name() + "." + a.property() + " added in version " + a.since() + " of " + t.version());
    }
  }

  private final ObjectMapper mapper;
  private final Map<Class<?>, ObjectReader> readers = new HashMap<>();

  public StableCborSerializer(ExtendedActorSystem system) {
    // The mapper Akka's jackson-cbor serializer uses (its configuration section, a CBOR factory).
    this.mapper = JacksonObjectMapperProvider.get(system).create("jackson-cbor", Optional.of(new CBORFactory()))
        .registerModule(IsoInstants.module()) // the same bytes and values, faster
        .registerModule(EmbeddedProfileState.module());
    for (Type t : TYPES) readers.put(t.type(), mapper.readerFor(t.type()).with(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES));
  }

  @Override
  public int identifier() {
    return IDENTIFIER;
  }

  /** {@code state} as a snapshot is written: its fields, with the behavior type of each array slot (see ProfileStateMigration). */
  static ObjectNode snapshotTree(ObjectMapper mapper, ProfileState state) {
    ObjectNode tree = mapper.valueToTree(state);
    tree.set(ProfileStateMigration.TYPES_FIELD, ProfileStateMigration.names(ProfileStateMigration.currentTypes()));
    return tree;
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
    return t.name() + "#" + (t.added().isEmpty() ? t.version() : t.writtenVersion(o));
  }

  @Override
  public byte[] toBinary(Object o) {
    Type t = typeOf(o.getClass());
    try {
      if (o instanceof ProfileState s) return mapper.writeValueAsBytes(snapshotTree(mapper, s));
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
