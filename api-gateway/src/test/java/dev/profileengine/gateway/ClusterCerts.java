package dev.profileengine.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
/**
 * Key material of a TLS cluster for tests, made the way an operator makes it: {@code
 * k8s/generate-cluster-certs.sh} writes a CA, the node stores and the Secret manifest; the nodes
 * read the Secret's files as a pod sees them (the manifest's data, decoded into a directory). Made
 * once per test JVM (keytool is slow to start), in a temporary directory.
 */
final class ClusterCerts {
  private static Path secretDir;

  private ClusterCerts() {}

  /** The directory for {@code PROFILE_REMOTE_TLS_DIR}: keystore.p12, truststore.p12, password. */
  static synchronized Path secretDir() {
    if (secretDir != null) return secretDir;
    try {
      // Under target/: removed with the build, not left in /tmp with a CA key in it.
      Path root = Files.createTempDirectory(Files.createDirectories(Path.of("target")), "cluster-tls");
      Path generated = root.resolve("generated");
      run(List.of("bash", script().toString(), "--out", generated.toString()));
      secretDir = unpackSecret(generated.resolve("secret-cluster-tls.yaml"), root.resolve("secret"));
      return secretDir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The settings that turn TLS on with the key material in {@code dir}. */
  static Map<String, Object> tls(Path dir) {
    return Map.of("profile.remote.tls", "on", "profile.remote.tls-dir", dir.toString());
  }

  /**
   * A cluster node on a PostgreSQL journal at {@code jdbcUrl} (user postgres), joining through the
   * seed at {@code seedPort}, its own Artery on {@code port} (0: any), remoting over TLS with
   * {@code tlsDir}'s keys (a node with seed nodes and TLS off refuses to start).
   */
  static Map<String, Object> postgresNode(Path tlsDir, String jdbcUrl, int seedPort, int port) {
    Map<String, Object> config = new java.util.HashMap<>(tls(tlsDir));
    config.putAll(Map.of(
        "profile.journal.kind", "postgres",
        "profile.journal.db-url", jdbcUrl,
        "profile.journal.db-user", "postgres",
        "profile.seed-nodes", "127.0.0.1:" + seedPort,
        "akka.remote.artery.canonical.port", port));
    return config;
  }

  /**
   * An intruder's key material: a self-signed key pair of its own (no cluster CA signed it) under the
   * cluster's password, with the cluster's truststore, so the intruder trusts the cluster; only the
   * cluster's demand for a client certificate (mutual authentication) can keep it out.
   */
  static Path selfSigned(Path dir) throws IOException {
    Files.createDirectories(dir);
    Path cluster = secretDir();
    String password = Files.readAllLines(cluster.resolve("password")).get(0).strip();
    run(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(), "-genkeypair",
        "-alias", "node", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=profile-engine cluster node",
        "-validity", "30", "-storetype", "PKCS12", "-keystore", dir.resolve("keystore.p12").toString(), "-storepass", password));
    Files.copy(cluster.resolve("truststore.p12"), dir.resolve("truststore.p12"));
    Files.copy(cluster.resolve("password"), dir.resolve("password"));
    return dir;
  }

  /** Writes each data entry of the Secret manifest into {@code dir} (what the Secret volume holds). */
  private static Path unpackSecret(Path manifest, Path dir) throws IOException {
    JsonNode secret = new ObjectMapper(new YAMLFactory()).readTree(manifest.toFile());
    Files.createDirectories(dir);
    for (var it = secret.path("data").fields(); it.hasNext(); ) {
      var e = it.next();
      Files.write(dir.resolve(e.getKey()), Base64.getDecoder().decode(e.getValue().asText()));
    }
    return dir;
  }

  private static Path script() {
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      Path s = p.resolve("k8s/generate-cluster-certs.sh");
      if (Files.isRegularFile(s)) return s;
    }
    throw new IllegalStateException("k8s/generate-cluster-certs.sh not found above " + Path.of("").toAbsolutePath());
  }

  private static void run(List<String> command) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true);
    pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes());
    try {
      if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException(String.join(" ", command.subList(0, Math.min(2, command.size()))) + " failed: " + out);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
