package dev.profileengine.bench.charts;

import java.nio.file.Path;

/** A results CSV that cannot be read as written; the message names the file and the line. */
public final class ResultsFormatException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ResultsFormatException(Path file, int line, String problem) {
    super(file + ":" + line + ": " + problem);
  }
}
