package dev.profileengine.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * Reads a data file line by line (UTF-8, gzip-compressed or not: see {@link DataFiles}), skipping blank lines: each line goes to a parser, and a
 * line the parser rejects ({@link IllegalArgumentException}) is reported with its 1-based number
 * and skipped, never fatal. A first line the parser rejects may be taken as a header.
 */
public final class DataLines {
  /** Consumes one line; throws {@link IllegalArgumentException} with the reason when it cannot. */
  public interface LineParser {
    void accept(String line);
  }

  private DataLines() {}

  public static void read(Path file, boolean headerAllowed, LineParser parser, Consumer<TaobaoCsv.BadLine> onBad) {
    // a decoder that reports malformed input, as Files.newBufferedReader does, rather than replacing it
    try (BufferedReader in = new BufferedReader(new InputStreamReader(DataFiles.open(file), StandardCharsets.UTF_8.newDecoder()))) {
      String line;
      long n = 0;
      while ((line = in.readLine()) != null) {
        n++;
        if (line.isBlank()) continue;
        try {
          parser.accept(line);
        } catch (IllegalArgumentException e) {
          if (headerAllowed && n == 1) continue;
          onBad.accept(new TaobaoCsv.BadLine(n, e.getMessage()));
        }
      }
    } catch (IOException e) {
      throw new DataFormatException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }
}
