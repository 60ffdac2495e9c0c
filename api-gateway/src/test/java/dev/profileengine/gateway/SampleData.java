package dev.profileengine.gateway;

import dev.profileengine.model.data.SampleFiles;
import java.nio.file.Path;

/** The repository's real behavior data for tests (see {@link SampleFiles}). */
final class SampleData {
  private SampleData() {}

  static Path file(String name) {
    return SampleFiles.find(name);
  }
}
