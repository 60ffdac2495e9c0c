package dev.profileengine.engine.serialization;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import dev.profileengine.engine.UserProfile;
import dev.profileengine.profile.ProfileState;
import java.io.IOException;

/**
 * A profile state inside another journaled value or message ({@link UserProfile.FoldedState}, in a
 * merge's {@code Absorb} and {@code Absorbed}): written as a snapshot is, with its version and
 * behavior type list, and read through the same {@link ProfileStateMigration}, so a later build
 * reads it as it reads an old snapshot.
 */
public final class EmbeddedProfileState {
  private static final String VERSION = "version";
  private static final String STATE = "state";
  private static final ProfileStateMigration MIGRATION = new ProfileStateMigration();

  private EmbeddedProfileState() {}

  /** The serializer and deserializer of {@link UserProfile.FoldedState}. */
  public static SimpleModule module() {
    return new SimpleModule("embedded-profile-state").addSerializer(UserProfile.FoldedState.class, new Writer())
        .addDeserializer(UserProfile.FoldedState.class, new Reader());
  }

  static final class Writer extends StdSerializer<UserProfile.FoldedState> {
    Writer() {
      super(UserProfile.FoldedState.class);
    }

    @Override
    public void serialize(UserProfile.FoldedState value, JsonGenerator gen, SerializerProvider provider) throws IOException {
      ObjectMapper mapper = (ObjectMapper) gen.getCodec();
      JsonNode tree = StableCborSerializer.snapshotTree(mapper, value.value());
      gen.writeStartObject();
      gen.writeNumberField(VERSION, MIGRATION.currentVersion());
      gen.writeFieldName(STATE);
      mapper.writeTree(gen, sorted(tree));
      gen.writeEndObject();
    }
  }

  /** {@code node} with every object's fields in name order: a state's maps iterate in no fixed order, its bytes should not vary. */
  private static JsonNode sorted(JsonNode node) {
    if (node.isObject()) {
      ObjectNode out = JsonNodeFactory.instance.objectNode();
      java.util.List<String> names = new java.util.ArrayList<>();
      node.fieldNames().forEachRemaining(names::add);
      java.util.Collections.sort(names);
      for (String n : names) out.set(n, sorted(node.get(n)));
      return out;
    }
    if (node.isArray()) {
      ArrayNode out = JsonNodeFactory.instance.arrayNode(node.size());
      for (JsonNode e : node) out.add(sorted(e));
      return out;
    }
    return node;
  }

  static final class Reader extends StdDeserializer<UserProfile.FoldedState> {
    Reader() {
      super(UserProfile.FoldedState.class);
    }

    @Override
    public UserProfile.FoldedState deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      JsonNode node = ctxt.readTree(p);
      JsonNode state = node.get(STATE);
      if (state == null || !state.isObject()) throw new IOException("an embedded profile state without its " + STATE);
      return new UserProfile.FoldedState(ctxt.readTreeAsValue(MIGRATION.transform(node.path(VERSION).asInt(1), state), ProfileState.class));
    }
  }
}
