package dev.profileengine.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * k8s/docker-entrypoint.sh run by /bin/sh as the image runs it, in a temporary image layout
 * (PROFILE_IMAGE_DIR) with a {@code java} on the PATH that prints what the node would get: which
 * model registry and model tools it is given, and the seeding of an empty shared registry.
 */
class DockerEntrypointTest {
  private static final Path SCRIPT = ManifestsTest.locateK8sDir().resolve("docker-entrypoint.sh");
  private static final Path DEFAULT_MODEL = ManifestsTest.locateK8sDir().resolveSibling("model-store/models/nb-gru-v2");

  @TempDir
  Path dir;
  Path image;

  /** The image's layout: the jars (empty files here) and the registry with the default model active. */
  @BeforeEach
  void image() throws IOException {
    image = Files.createDirectories(dir.resolve("opt/profile-engine"));
    Files.writeString(image.resolve("profile-engine.jar"), "");
    Files.writeString(image.resolve("model-store.jar"), "");
    Path version = Files.createDirectories(image.resolve("models/nb-gru-v2"));
    try (Stream<Path> files = Files.list(DEFAULT_MODEL)) {
      for (Path f : files.toList()) Files.copy(f, version.resolve(f.getFileName()));
    }
    Files.writeString(image.resolve("models/ACTIVE"), "nb-gru-v2\n");
    Path java = Files.createDirectories(dir.resolve("bin")).resolve("java");
    Files.writeString(java, "#!/bin/sh\necho \"PROFILE_MODELS_DIR=${PROFILE_MODELS_DIR:-}\"\n"
        + "echo \"PROFILE_TRAINER_JAR=${PROFILE_TRAINER_JAR:-}\"\necho \"ARGS=$*\"\n");
    Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  @Test
  void withoutARegistryVariableTheImagesRegistryAndToolsAreUsed() throws Exception {
    Map<String, String> out = run(Map.of());
    assertEquals(image.resolve("models").toString(), out.get("PROFILE_MODELS_DIR"));
    assertEquals(image.resolve("model-store.jar").toString(), out.get("PROFILE_TRAINER_JAR"));
    assertEquals("-jar " + image.resolve("profile-engine.jar") + " serve", out.get("ARGS"));
  }

  @Test
  void anImageWithoutToolsSetsNoTrainerAndAGivenTrainerIsKept() throws Exception {
    assertEquals("/elsewhere/tools.jar", run(Map.of("PROFILE_TRAINER_JAR", "/elsewhere/tools.jar")).get("PROFILE_TRAINER_JAR"));
    Files.delete(image.resolve("model-store.jar"));
    // The node then answers POST /v1/models/train with 409, naming the missing tools.
    assertEquals("", run(Map.of()).get("PROFILE_TRAINER_JAR"));
  }

  @Test
  void anEmptySharedRegistryIsSeededOnceWithTheImagesActiveModel() throws Exception {
    Path shared = dir.resolve("volume/models");
    Map<String, String> out = run(Map.of("PROFILE_MODELS_DIR", shared.toString()));
    assertEquals(shared.toString(), out.get("PROFILE_MODELS_DIR"), "the variable is kept");
    assertEquals("nb-gru-v2", Files.readString(shared.resolve("ACTIVE")).strip());
    assertSameFiles(image.resolve("models/nb-gru-v2"), shared.resolve("nb-gru-v2"));
    assertEquals(List.of("ACTIVE", "nb-gru-v2"), names(shared), "no temporary copy left behind");

    // Training promoted a version: a restart does not seed over it.
    Files.createDirectories(shared.resolve("trained-1-20261205-120000"));
    Files.writeString(shared.resolve("ACTIVE"), "trained-1-20261205-120000\n");
    run(Map.of("PROFILE_MODELS_DIR", shared.toString()));
    assertEquals("trained-1-20261205-120000", Files.readString(shared.resolve("ACTIVE")).strip());
    assertEquals(List.of("ACTIVE", "nb-gru-v2", "trained-1-20261205-120000"), names(shared));
  }

  @Test
  void podsStartingTogetherSeedOneCopy() throws Exception {
    Path shared = dir.resolve("volume/models");
    List<Process> pods = new ArrayList<>();
    for (int i = 0; i < 4; i++) pods.add(start(Map.of("PROFILE_MODELS_DIR", shared.toString())));
    for (Process p : pods) assertEquals(0, finish(p).exit(), "every pod starts");
    assertEquals("nb-gru-v2", Files.readString(shared.resolve("ACTIVE")).strip());
    assertSameFiles(image.resolve("models/nb-gru-v2"), shared.resolve("nb-gru-v2"));
    assertEquals(List.of("ACTIVE", "nb-gru-v2"), names(shared));
  }

  @Test
  void aRegistryThatCannotBeSeededStillStartsTheNode() throws Exception {
    // A parent that is a file: not creatable, whoever runs the test.
    Files.writeString(dir.resolve("not-a-dir"), "");
    Path shared = dir.resolve("not-a-dir/models");
    Result r = finish(start(Map.of("PROFILE_MODELS_DIR", shared.toString())));
    assertEquals(0, r.exit(), r.stderr());
    assertEquals(shared.toString(), r.out().get("PROFILE_MODELS_DIR"));
    assertTrue(r.stderr().contains("could not seed " + shared), r.stderr());
  }

  @Test
  void theImageShipsTheModelTools() throws IOException {
    String dockerfile = Files.readString(ManifestsTest.locateK8sDir().resolve("Dockerfile"));
    assertTrue(dockerfile.contains("-pl api-gateway,model-store -am package"), "stage 1 builds the model tools");
    assertTrue(dockerfile.contains("COPY --from=build /src/model-store/target/model-store.jar /opt/profile-engine/model-store.jar"),
        "the runtime image has them where the entrypoint looks");
  }

  private Map<String, String> run(Map<String, String> env) throws Exception {
    Result r = finish(start(env));
    assertEquals(0, r.exit(), r.stderr());
    assertFalse(r.out().isEmpty(), "java was run: " + r.stderr());
    return r.out();
  }

  private Process start(Map<String, String> env) throws IOException {
    ProcessBuilder pb = new ProcessBuilder("/bin/sh", SCRIPT.toString(), "serve");
    Map<String, String> e = pb.environment();
    e.keySet().removeIf(k -> k.startsWith("PROFILE_"));
    e.put("PATH", dir.resolve("bin") + ":" + new HashMap<>(System.getenv()).getOrDefault("PATH", "/usr/bin:/bin"));
    e.put("PROFILE_IMAGE_DIR", image.toString());
    e.put("PROFILE_JIT", "tiered");
    e.putAll(env);
    return pb.start();
  }

  private record Result(int exit, Map<String, String> out, String stderr) {}

  private static Result finish(Process p) throws Exception {
    String out = new String(p.getInputStream().readAllBytes());
    String err = new String(p.getErrorStream().readAllBytes());
    assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the entrypoint ends");
    Map<String, String> vars = new LinkedHashMap<>();
    for (String line : out.split("\n")) {
      int eq = line.indexOf('=');
      if (eq > 0) vars.put(line.substring(0, eq), line.substring(eq + 1));
    }
    return new Result(p.exitValue(), vars, err);
  }

  private static List<String> names(Path d) throws IOException {
    try (Stream<Path> files = Files.list(d)) {
      return files.map(f -> f.getFileName().toString()).sorted().toList();
    }
  }

  private static void assertSameFiles(Path expected, Path actual) throws IOException {
    assertEquals(names(expected), names(actual));
    for (String name : names(expected))
      assertEquals(-1L, Files.mismatch(expected.resolve(name), actual.resolve(name)), name);
  }
}
