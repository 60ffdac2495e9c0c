package dev.profileengine.gateway.wire;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;
import java.time.Instant;

/**
 * Writes an {@link Instant} exactly as {@link Instant#toString()} does for years 0000-9999
 * ({@code 2017-11-26T01:00:18Z}, fractions in groups of three digits), without going through
 * {@code DateTimeFormatter}: a profile holds some 60 instants, and formatting them dominated the
 * cost of rendering it.
 */
final class IsoInstantSerializer extends StdSerializer<Instant> {
  private static final long SECONDS_PER_DAY = 86_400;

  IsoInstantSerializer() {
    super(Instant.class);
  }

  // One buffer per rendering thread: the characters go straight into the generator, no String per instant.
  private static final int MAX_LENGTH = 30;
  private static final ThreadLocal<char[]> BUFFER = ThreadLocal.withInitial(() -> new char[MAX_LENGTH]);

  @Override
  public void serialize(Instant value, JsonGenerator gen, SerializerProvider provider) throws IOException {
    char[] c = BUFFER.get();
    int n = format(value, c);
    if (n < 0) gen.writeString(value.toString());
    else gen.writeString(c, 0, n);
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

  private static int digits(char[] c, int at, int value, int width) {
    for (int i = width - 1; i >= 0; i--) {
      c[at + i] = (char) ('0' + value % 10);
      value /= 10;
    }
    return at + width;
  }
}
