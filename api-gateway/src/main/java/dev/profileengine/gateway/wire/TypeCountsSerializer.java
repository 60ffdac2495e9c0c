package dev.profileengine.gateway.wire;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import dev.profileengine.profile.BehaviorType;
import dev.profileengine.profile.TypeCounts;
import java.io.IOException;

/**
 * Writes one window of a profile's counts ({@code {"view":3,"click":0,...}}) straight from its
 * array, with the field names encoded once: a profile view has five of them.
 */
final class TypeCountsSerializer extends StdSerializer<TypeCounts> {
  private static final SerializableString[] NAMES = new SerializableString[BehaviorType.count()];

  static {
    for (int i = 0; i < NAMES.length; i++) NAMES[i] = new SerializedString(BehaviorType.ofIndex(i).wire());
  }

  TypeCountsSerializer() {
    super(TypeCounts.class);
  }

  @Override
  public void serialize(TypeCounts counts, JsonGenerator gen, SerializerProvider provider) throws IOException {
    gen.writeStartObject(counts);
    for (int i = 0; i < NAMES.length; i++) {
      gen.writeFieldName(NAMES[i]);
      gen.writeNumber(counts.count(i));
    }
    gen.writeEndObject();
  }
}
