package dev.profileengine.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The profile math stays plain Java: no actor system, no persistence, no HTTP. */
class DomainPurityTest {
  @Test
  void theProfilePackageImportsNoAkkaOrFrameworkCode() throws IOException {
    Path dir = Path.of("src/main/java/dev/profileengine/profile");
    assertTrue(Files.isDirectory(dir), "run from the profile-core module: " + dir.toAbsolutePath());
    List<String> offenders;
    try (Stream<Path> files = Files.list(dir)) {
      offenders = files.filter(p -> p.toString().endsWith(".java")).flatMap(p -> {
        try {
          return Files.readAllLines(p).stream()
              .filter(l -> l.startsWith("import akka") || l.startsWith("import scala") || l.startsWith("import com.typesafe")
                  || l.startsWith("import com.fasterxml"))
              .map(l -> p.getFileName() + ": " + l);
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }).toList();
    }
    assertEquals(List.of(), offenders);
  }
}
