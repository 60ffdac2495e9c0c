package dev.profileengine.engine.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** When a node runs remoting over TLS, and which nodes refuse to start without it. */
class RemoteTlsTest {
  private static final String PASSWORD = "test-password-0123456789";

  @TempDir
  Path dir;

  private static Config config(Map<String, Object> overrides) {
    ConfigFactory.invalidateCaches();
    return ConfigFactory.parseMap(overrides).withFallback(ConfigFactory.parseResources("engine-cluster.conf"))
        .withFallback(ConfigFactory.defaultReference()).resolve();
  }

  @Test
  void aSingleNodeOnLoopbackMayRunWithoutTls() {
    Config c = RemoteTls.resolve(config(Map.of()));
    assertEquals("tcp", c.getString("akka.remote.artery.transport"));
    assertEquals("127.0.0.1", c.getString("akka.remote.artery.canonical.hostname"), "Artery's default host is loopback");
  }

  @Test
  void aNodeOthersCanReachRefusesToStartWithoutTls() {
    for (Map<String, Object> reachable : List.<Map<String, Object>>of(
        Map.of("profile.seed-nodes", "10.0.0.1:25520"),
        Map.of("profile.seed-nodes", "127.0.0.1:25520"),
        Map.of("profile.discovery", "kubernetes-api"),
        Map.of("akka.remote.artery.canonical.hostname", "10.1.2.3"),
        Map.of("akka.remote.artery.canonical.hostname", "node-1.example"),
        Map.of("akka.remote.artery.bind.hostname", "0.0.0.0"))) {
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> RemoteTls.resolve(config(reachable)), reachable.toString());
      assertTrue(e.getMessage().contains("PROFILE_REMOTE_TLS=off") && e.getMessage().contains("off-insecure"), e.getMessage());
    }
  }

  @Test
  void theExplicitOptOutStartsInClearText() {
    Config c = RemoteTls.resolve(config(Map.of("profile.seed-nodes", "10.0.0.1:25520", "profile.remote.tls", "off-insecure")));
    assertEquals("tcp", c.getString("akka.remote.artery.transport"));
    assertThrows(IllegalArgumentException.class, () -> RemoteTls.resolve(config(Map.of("profile.remote.tls", "maybe"))));
  }

  @Test
  void tlsOnUsesMutualTls13WithTheDirectorysStores() throws Exception {
    Path tls = keyMaterial(dir.resolve("tls"));
    Config c = RemoteTls.resolve(config(Map.of("profile.remote.tls", "on", "profile.remote.tls-dir", tls.toString(),
        "profile.discovery", "kubernetes-api")));
    assertEquals("tls-tcp", c.getString("akka.remote.artery.transport"));
    Config engine = c.getConfig("akka.remote.artery.ssl.config-ssl-engine");
    assertEquals("akka.remote.artery.tcp.ConfigSSLEngineProvider", c.getString("akka.remote.artery.ssl.ssl-engine-provider"));
    assertEquals("TLSv1.3", engine.getString("protocol"));
    assertTrue(engine.getBoolean("require-mutual-authentication"));
    assertEquals(tls.resolve("keystore.p12").toString(), engine.getString("key-store"));
    assertEquals(tls.resolve("truststore.p12").toString(), engine.getString("trust-store"));
    assertEquals(PASSWORD, engine.getString("key-store-password"), "from the directory's password file");
  }

  @Test
  void tlsOnRefusesMissingOrWrongKeyMaterialAtStartup() throws Exception {
    IllegalStateException noDir = assertThrows(IllegalStateException.class,
        () -> RemoteTls.resolve(config(Map.of("profile.remote.tls", "on"))));
    assertTrue(noDir.getMessage().contains("PROFILE_REMOTE_TLS_DIR"), noDir.getMessage());

    Path tls = keyMaterial(dir.resolve("tls"));
    Map<String, Object> on = new HashMap<>(Map.of("profile.remote.tls", "on", "profile.remote.tls-dir", tls.toString()));
    on.put("profile.remote.tls-password", "not-the-password");
    IllegalStateException wrong = assertThrows(IllegalStateException.class, () -> RemoteTls.resolve(config(on)));
    assertTrue(wrong.getMessage().contains("PROFILE_REMOTE_TLS_PASSWORD"), wrong.getMessage());

    // A certificate the node's own truststore (the cluster CA) does not accept: no peer would either.
    Files.copy(tls.resolve("other-truststore.p12"), tls.resolve("truststore.p12"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    on.remove("profile.remote.tls-password");
    IllegalStateException untrusted = assertThrows(IllegalStateException.class, () -> RemoteTls.resolve(config(on)));
    assertTrue(untrusted.getMessage().contains("is not accepted by"), untrusted.getMessage());

    Files.delete(tls.resolve("truststore.p12"));
    IllegalStateException missing = assertThrows(IllegalStateException.class, () -> RemoteTls.resolve(config(on)));
    assertTrue(missing.getMessage().contains("truststore.p12"), missing.getMessage());
  }

  private static Path generated;

  /** A copy of one key pair in keystore.p12, its certificate in truststore.p12, the password file. */
  private static Path keyMaterial(Path tls) throws Exception {
    synchronized (RemoteTlsTest.class) {
      if (generated == null) generated = generate(Files.createTempDirectory(Files.createDirectories(Path.of("target")), "remote-tls"));
    }
    Files.createDirectories(tls);
    for (String f : List.of("keystore.p12", "truststore.p12", "password", "other-truststore.p12")) Files.copy(generated.resolve(f), tls.resolve(f));
    return tls;
  }

  /** keytool is slow to start: made once per test class. */
  private static Path generate(Path tls) throws Exception {
    String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
    keytool(keytool, "-genkeypair", "-alias", "node", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=test node",
        "-validity", "2", "-storetype", "PKCS12", "-keystore", tls.resolve("keystore.p12").toString(), "-storepass", PASSWORD);
    keytool(keytool, "-exportcert", "-rfc", "-alias", "node", "-keystore", tls.resolve("keystore.p12").toString(),
        "-storepass", PASSWORD, "-file", tls.resolve("node.crt").toString());
    keytool(keytool, "-importcert", "-noprompt", "-alias", "ca", "-file", tls.resolve("node.crt").toString(), "-storetype", "PKCS12",
        "-keystore", tls.resolve("truststore.p12").toString(), "-storepass", PASSWORD);
    Files.writeString(tls.resolve("password"), PASSWORD + "\n");
    // A truststore of another CA, for a node whose certificate its cluster would not accept.
    keytool(keytool, "-genkeypair", "-alias", "other", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=other ca",
        "-validity", "2", "-storetype", "PKCS12", "-keystore", tls.resolve("other.p12").toString(), "-storepass", PASSWORD);
    keytool(keytool, "-exportcert", "-rfc", "-alias", "other", "-keystore", tls.resolve("other.p12").toString(),
        "-storepass", PASSWORD, "-file", tls.resolve("other.crt").toString());
    keytool(keytool, "-importcert", "-noprompt", "-alias", "ca", "-file", tls.resolve("other.crt").toString(), "-storetype", "PKCS12",
        "-keystore", tls.resolve("other-truststore.p12").toString(), "-storepass", PASSWORD);
    return tls;
  }

  private static void keytool(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, "keytool " + command[1] + ": " + out);
  }
}
