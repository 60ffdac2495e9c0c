package dev.profileengine.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real kustomize: {@code kustomize build DIR} or {@code kubectl kustomize DIR}, found on the PATH
 * (or named by {@code -Dk8s.kustomize=/path/to/kustomize|kubectl}). The manifests use kustomize v4+
 * syntax ({@code patches: - path:}, directories in {@code resources}), so a kubectl whose built-in
 * kustomize is older (Debian's kubernetes-client 1.20 has v2.0.3) does not count.
 */
final class ExternalKustomize {
  private static final Pattern VERSION = Pattern.compile("v?(\\d+)\\.(\\d+)\\.(\\d+)");

  final List<String> command;
  final String description;

  private ExternalKustomize(List<String> command, String description) {
    this.command = command;
    this.description = description;
  }

  /** The renderer to use, or empty with the reason in {@code why}. */
  static Optional<ExternalKustomize> find(StringBuilder why) {
    String forced = System.getProperty("k8s.kustomize", "").strip();
    List<Path> candidates = new ArrayList<>();
    if (!forced.isEmpty()) {
      candidates.add(Path.of(forced));
    } else {
      onPath("kustomize").ifPresent(candidates::add);
      onPath("kubectl").ifPresent(candidates::add);
    }
    for (Path exe : candidates) {
      boolean isKubectl = exe.getFileName().toString().startsWith("kubectl");
      try {
        String version;
        if (isKubectl) {
          String json = run(List.of(exe.toString(), "version", "--client", "-o", "json"), null, 30);
          JsonNode v = new ObjectMapper().readTree(json);
          version = v.path("kustomizeVersion").asText("");
          if (version.isEmpty()) {
            why.append(exe).append(": kubectl ").append(v.path("clientVersion").path("gitVersion").asText("?"))
                .append(" does not report its kustomize version (older than 1.24, kustomize < v4); ");
            continue;
          }
        } else {
          version = run(List.of(exe.toString(), "version"), null, 30).strip();
        }
        Matcher m = VERSION.matcher(version);
        if (!m.find()) {
          why.append(exe).append(": unreadable kustomize version '").append(version).append("'; ");
          continue;
        }
        int major = Integer.parseInt(m.group(1));
        if (major < 4) {
          why.append(exe).append(": kustomize ").append(m.group()).append(" is older than v4; ");
          continue;
        }
        List<String> cmd = isKubectl ? List.of(exe.toString(), "kustomize") : List.of(exe.toString(), "build");
        return Optional.of(new ExternalKustomize(cmd, String.join(" ", cmd) + " (kustomize " + m.group() + ")"));
      } catch (IOException | RuntimeException e) {
        why.append(exe).append(": ").append(e.getMessage()).append("; ");
      }
    }
    if (candidates.isEmpty()) why.append("neither kustomize nor kubectl is on the PATH; ");
    return Optional.empty();
  }

  /** The rendered documents of the kustomization in {@code dir}; fails on a non-zero exit. */
  List<com.fasterxml.jackson.databind.node.ObjectNode> render(Path dir) throws IOException {
    List<String> cmd = new ArrayList<>(command);
    cmd.add(dir.toString());
    return KustomizeLite.readAll(run(cmd, null, 120), String.join(" ", cmd));
  }

  static String run(List<String> cmd, Path workDir, int timeoutSeconds) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(cmd);
    if (workDir != null) pb.directory(workDir.toFile());
    Process p = pb.start();
    CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> slurp(p.getInputStream()));
    CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> slurp(p.getErrorStream()));
    try {
      if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException(String.join(" ", cmd) + " did not finish in " + timeoutSeconds + " s");
      }
      if (p.exitValue() != 0) {
        throw new IOException(String.join(" ", cmd) + " exited with " + p.exitValue() + ": " + err.join().strip());
      }
      return out.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
      throw new IOException("interrupted", e);
    }
  }

  private static String slurp(InputStream in) {
    try (in) {
      ByteArrayOutputStream buf = new ByteArrayOutputStream();
      in.transferTo(buf);
      return buf.toString(StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  private static Optional<Path> onPath(String name) {
    String path = System.getenv("PATH");
    if (path == null) return Optional.empty();
    for (String dir : path.split(File.pathSeparator)) {
      if (dir.isEmpty()) continue;
      Path p = Path.of(dir, name);
      if (Files.isRegularFile(p) && Files.isExecutable(p)) return Optional.of(p);
    }
    return Optional.empty();
  }
}
