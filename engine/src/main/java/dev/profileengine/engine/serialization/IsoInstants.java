package dev.profileengine.engine.serialization;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import com.fasterxml.jackson.datatype.jsr310.deser.InstantDeserializer;
import java.io.IOException;
import java.time.Instant;

/**
 * Writes and reads an {@link Instant} exactly as {@link Instant#toString()} and {@link Instant#parse}
 * do for years 0000-9999 ({@code 2017-11-26T01:00:18Z}, fractions in groups of three digits),
 * without {@code DateTimeFormatter}: a profile holds some 60 instants, every journal row one or
 * two, and formatting and parsing them was a fifth of the journal's serialization time. Anything
 * else (other years, numbers, offsets) goes the standard way, so the bytes and values are the same.
 */
public final class IsoInstants {
  private static final long SECONDS_PER_DAY = 86_400;

  private IsoInstants() {}

  /** Jackson serializer and deserializer of {@link Instant} (the journal's CBOR). */
  public static SimpleModule module() {
    return new SimpleModule("iso-instants").addSerializer(Instant.class, serializer()).addDeserializer(Instant.class, new Reader());
  }

  /** The serializer alone (the gateway's JSON, which reads instants its own way). */
  public static StdSerializer<Instant> serializer() {
    return new Writer();
  }

  // One buffer per rendering thread: the characters go straight into the generator, no String per instant.
  private static final int MAX_LENGTH = 30;
  private static final ThreadLocal<char[]> BUFFER = ThreadLocal.withInitial(() -> new char[MAX_LENGTH]);

  static final class Writer extends StdSerializer<Instant> {
    Writer() {
      super(Instant.class);
    }

    @Override
    public void serialize(Instant value, JsonGenerator gen, SerializerProvider provider) throws IOException {
      char[] c = BUFFER.get();
      int n = format(value, c);
      if (n < 0) gen.writeString(value.toString());
      else gen.writeString(c, 0, n);
    }
  }

  static final class Reader extends StdDeserializer<Instant> {
    Reader() {
      super(Instant.class);
    }

    @Override
    public Instant deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      if (p.currentToken() == JsonToken.VALUE_STRING) {
        Instant t = parse(p.getTextCharacters(), p.getTextOffset(), p.getTextLength());
        if (t != null) return t;
      }
      return InstantDeserializer.INSTANT.deserialize(p, ctxt);
    }
  }

  static String format(Instant t) {
    char[] c = new char[MAX_LENGTH];
    int n = format(t, c);
    return n < 0 ? t.toString() : new String(c, 0, n);
  }

  /** Writes {@code t} into {@code c} and returns the length, or -1 outside years 0000-9999. */
  private static int format(Instant t, char[] c) {
    long seconds = t.getEpochSecond();
    long days = Math.floorDiv(seconds, SECONDS_PER_DAY);
    int secondOfDay = (int) Math.floorMod(seconds, SECONDS_PER_DAY);
    // civil-from-days (Howard Hinnant's algorithm)
    long z = days + 719_468;
    long era = Math.floorDiv(z, 146_097);
    long doe = z - era * 146_097;
    long yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    long year = yoe + era * 400;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    int day = (int) (doy - (153 * mp + 2) / 5 + 1);
    int month = (int) (mp < 10 ? mp + 3 : mp - 9);
    if (month <= 2) year++;
    if (year < 0 || year > 9999) return -1;
    int n = 0;
    n = digits(c, n, (int) year, 4);
    c[n++] = '-';
    n = digits(c, n, month, 2);
    c[n++] = '-';
    n = digits(c, n, day, 2);
    c[n++] = 'T';
    n = digits(c, n, secondOfDay / 3600, 2);
    c[n++] = ':';
    n = digits(c, n, secondOfDay / 60 % 60, 2);
    c[n++] = ':';
    n = digits(c, n, secondOfDay % 60, 2);
    int nanos = t.getNano();
    if (nanos > 0) {
      c[n++] = '.';
      if (nanos % 1_000_000 == 0) n = digits(c, n, nanos / 1_000_000, 3);
      else if (nanos % 1000 == 0) n = digits(c, n, nanos / 1000, 6);
      else n = digits(c, n, nanos, 9);
    }
    c[n++] = 'Z';
    return n;
  }

  /**
   * The instant {@code c[at, at + length)} names in the form {@code YYYY-MM-DDTHH:MM:SS[.f{1,9}]Z},
   * or null for any other text (the caller parses it the standard way).
   */
  static Instant parse(char[] c, int at, int length) {
    if (length < 20 || length > MAX_LENGTH || c[at + length - 1] != 'Z') return null;
    if (c[at + 4] != '-' || c[at + 7] != '-' || c[at + 10] != 'T' || c[at + 13] != ':' || c[at + 16] != ':') return null;
    int year = number(c, at, 4);
    int month = number(c, at + 5, 2);
    int day = number(c, at + 8, 2);
    int hour = number(c, at + 11, 2);
    int minute = number(c, at + 14, 2);
    int second = number(c, at + 17, 2);
    if (year < 0 || month < 1 || month > 12 || day < 1 || day > monthLength(year, month) || hour < 0 || hour > 23
        || minute < 0 || minute > 59 || second < 0 || second > 59) return null;
    int nanos = 0;
    int fraction = length - 21; // digits between '.' and 'Z'
    if (length != 20) {
      if (c[at + 19] != '.' || fraction < 1 || fraction > 9) return null;
      nanos = number(c, at + 20, fraction);
      if (nanos < 0) return null;
      for (int i = fraction; i < 9; i++) nanos *= 10;
    }
    return Instant.ofEpochSecond(daysFromCivil(year, month, day) * SECONDS_PER_DAY + hour * 3600L + minute * 60L + second, nanos);
  }

  /** The value of {@code width} decimal digits at {@code at}, or -1 if one is not a digit. */
  private static int number(char[] c, int at, int width) {
    int v = 0;
    for (int i = at; i < at + width; i++) {
      int d = c[i] - '0';
      if (d < 0 || d > 9) return -1;
      v = v * 10 + d;
    }
    return v;
  }

  private static int monthLength(int year, int month) {
    if (month == 2) return (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28;
    return month == 4 || month == 6 || month == 9 || month == 11 ? 30 : 31;
  }

  // days-from-civil (Howard Hinnant's algorithm), the inverse of format's
  private static long daysFromCivil(int year, int month, int day) {
    long y = month <= 2 ? year - 1 : year;
    long era = Math.floorDiv(y, 400);
    long yoe = y - era * 400;
    long doy = (153L * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146_097 + doe - 719_468;
  }

  private static int digits(char[] c, int at, int value, int width) {
    for (int i = width - 1; i >= 0; i--) {
      c[at + i] = (char) ('0' + value % 10);
      value /= 10;
    }
    return at + width;
  }
}
