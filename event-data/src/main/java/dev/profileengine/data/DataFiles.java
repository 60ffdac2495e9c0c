package dev.profileengine.data;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Opens data files that may be gzip-compressed: a file that starts with the gzip magic bytes is
 * decompressed whatever its name, so {@code x.csv} and {@code x.csv.gz} read (and hash) the same.
 */
public final class DataFiles {
  private DataFiles() {}

  /** The file's content, decompressed if it is gzip. */
  public static InputStream open(Path file) throws IOException {
    InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
    try {
      raw.mark(2);
      int b0 = raw.read(), b1 = raw.read();
      raw.reset();
      // 0x1f 0x8b: gzip's magic (RFC 1952); no text data file starts with these bytes
      return b0 == 0x1f && b1 == 0x8b ? new BufferedInputStream(new GZIPInputStream(raw, 1 << 16), 1 << 16) : raw;
    } catch (IOException | RuntimeException e) {
      raw.close();
      throw e;
    }
  }

  /** The name the data goes by in manifests and reports: the file name without a {@code .gz} suffix. */
  public static String dataName(Path file) {
    String name = file.getFileName().toString();
    return name.endsWith(".gz") ? name.substring(0, name.length() - 3) : name;
  }
}
