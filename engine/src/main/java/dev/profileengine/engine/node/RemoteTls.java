package dev.profileengine.engine.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.profileengine.engine.ClusterShape;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Akka remoting (Artery) between the nodes of a cluster: TLS with mutual authentication, or a
 * refusal to start. A node that other nodes can reach (seed nodes, Cluster Bootstrap, or Artery
 * bound to a non-loopback address) would otherwise let anyone who reaches its port join the cluster,
 * be handed shards and send entity commands, so it needs {@code PROFILE_REMOTE_TLS=on} (or the
 * explicit {@code off-insecure}).
 *
 * <p>Key material: {@code PROFILE_REMOTE_TLS_DIR} holds {@code keystore.p12} (the node's key and
 * its certificate chain) and {@code truststore.p12} (the cluster CA), PKCS12, both under the
 * password {@code PROFILE_REMOTE_TLS_PASSWORD} or, when that is unset, the first line of the
 * directory's {@code password} file (k8s/generate-cluster-certs.sh writes all three). Only peers
 * presenting a certificate signed by a CA of the truststore complete the handshake, in both
 * directions.
 */
public final class RemoteTls {
  private static final Logger log = LoggerFactory.getLogger(RemoteTls.class);

  public static final String KEYSTORE = "keystore.p12";
  public static final String TRUSTSTORE = "truststore.p12";
  public static final String PASSWORD_FILE = "password";
  private static final String ENGINE = "akka.remote.artery.ssl.config-ssl-engine";
  private static final String PROTOCOL = "TLSv1.3";
  private static final List<String> CIPHER_SUITES = List.of("TLS_AES_256_GCM_SHA384", "TLS_AES_128_GCM_SHA256");

  /** {@code PROFILE_REMOTE_TLS}. */
  public enum Mode {
    ON, OFF, OFF_INSECURE;

    static Mode parse(String value) {
      return switch (value.strip().toLowerCase(java.util.Locale.ROOT)) {
        case "on", "true" -> ON;
        case "off", "false", "" -> OFF;
        case "off-insecure" -> OFF_INSECURE;
        default -> throw new IllegalArgumentException("PROFILE_REMOTE_TLS must be on, off or off-insecure, was '" + value + "'");
      };
    }
  }

  private RemoteTls() {}

  /**
   * {@code profile.remote} and the Artery transport, read from the raw Config: remoting is settled
   * before the ActorSystem (and so the engine's settings) exists.
   *
   * @param dir PROFILE_REMOTE_TLS_DIR, blank when unset
   * @param password PROFILE_REMOTE_TLS_PASSWORD, empty for the directory's password file
   */
  record Settings(Mode mode, String dir, String password, String transport, int port) {
    static Settings from(Config config) {
      return new Settings(Mode.parse(config.getString("profile.remote.tls")), config.getString("profile.remote.tls-dir"),
          config.getString("profile.remote.tls-password"), config.getString("akka.remote.artery.transport"),
          config.getInt("akka.remote.artery.canonical.port"));
    }
  }

  /**
   * Returns {@code config} with Artery on TLS ({@code tls-tcp}, TLSv1.3, mutual authentication)
   * when {@code profile.remote.tls = on}; refuses a node that other nodes can reach with TLS off.
   */
  public static Config resolve(Config config) {
    Settings settings = Settings.from(config);
    return switch (settings.mode()) {
      case ON -> withTls(config, settings);
      case OFF -> {
        Optional<String> reachable = ClusterShape.from(config).reachableBecause();
        if (reachable.isPresent() && !settings.transport().equals("tls-tcp")) {
          throw new IllegalStateException("PROFILE_REMOTE_TLS=off but " + reachable.get()
              + ": anyone who reaches the Artery port could join the cluster. Set PROFILE_REMOTE_TLS=on with "
              + "PROFILE_REMOTE_TLS_DIR (see k8s/generate-cluster-certs.sh), or PROFILE_REMOTE_TLS=off-insecure "
              + "where the network alone keeps strangers out");
        }
        yield config;
      }
      case OFF_INSECURE -> {
        log.warn("PROFILE_REMOTE_TLS=off-insecure: Akka remoting runs in clear text without authentication; "
            + "anyone who reaches port {} can join this cluster", settings.port());
        yield config;
      }
    };
  }

  private static Config withTls(Config config, Settings settings) {
    String dirSetting = settings.dir();
    if (dirSetting.isBlank()) {
      throw new IllegalStateException("PROFILE_REMOTE_TLS=on needs PROFILE_REMOTE_TLS_DIR: a directory with "
          + KEYSTORE + ", " + TRUSTSTORE + " and " + PASSWORD_FILE + " (k8s/generate-cluster-certs.sh writes them)");
    }
    Path dir = Path.of(dirSetting).toAbsolutePath().normalize();
    Path keystore = dir.resolve(KEYSTORE);
    Path truststore = dir.resolve(TRUSTSTORE);
    String password = password(settings.password(), dir);
    // Akka loads the stores lazily, at the first connection: check them now so a wrong file or
    // password stops the node at startup with a message naming the setting.
    KeyStore keys = load(keystore, password);
    KeyStore trust = load(truststore, password);
    try {
      if (Collections.list(keys.aliases()).stream().noneMatch(a -> isKeyEntry(keys, a))) {
        throw new IllegalStateException("PROFILE_REMOTE_TLS_DIR: " + keystore + " holds no private key");
      }
      if (Collections.list(trust.aliases()).stream().noneMatch(a -> isCertificateEntry(trust, a))) {
        throw new IllegalStateException("PROFILE_REMOTE_TLS_DIR: " + truststore + " holds no trusted certificate");
      }
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("PROFILE_REMOTE_TLS_DIR: unreadable key store: " + e.getMessage(), e);
    }
    selfHandshake(keys, trust, password, dir);
    Map<String, Object> tls = new HashMap<>();
    tls.put("akka.remote.artery.transport", "tls-tcp");
    tls.put("akka.remote.artery.ssl.ssl-engine-provider", "akka.remote.artery.tcp.ConfigSSLEngineProvider");
    tls.put(ENGINE + ".key-store", keystore.toString());
    tls.put(ENGINE + ".trust-store", truststore.toString());
    tls.put(ENGINE + ".key-store-password", password);
    tls.put(ENGINE + ".key-password", password);
    tls.put(ENGINE + ".trust-store-password", password);
    tls.put(ENGINE + ".protocol", PROTOCOL);
    tls.put(ENGINE + ".enabled-algorithms", CIPHER_SUITES);
    // Both sides present a certificate of the cluster CA. Pod IPs change, so the CA is the identity,
    // not the host name.
    tls.put(ENGINE + ".require-mutual-authentication", "on");
    tls.put(ENGINE + ".hostname-verification", "off");
    log.info("Akka remoting over TLSv1.3 with mutual authentication (key material in {})", dir);
    return ConfigFactory.parseMap(tls).withFallback(config);
  }

  /**
   * A TLS handshake in memory between this node's own client and server sides, as two nodes of the
   * cluster would do it: refuses key material whose certificate its own truststore does not accept
   * (a peer with the same Secret would refuse it too), and loads and warms JSSE before the first
   * real connection, which otherwise pays for it within the seed nodes' join timeout.
   */
  private static void selfHandshake(KeyStore keys, KeyStore trust, String password, Path dir) {
    try {
      KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(keys, password.toCharArray());
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      SSLContext context = SSLContext.getInstance(PROTOCOL);
      context.init(kmf.getKeyManagers(), tmf.getTrustManagers(), new java.security.SecureRandom());
      SSLEngine client = engine(context, true);
      SSLEngine server = engine(context, false);
      int packet = client.getSession().getPacketBufferSize();
      int app = client.getSession().getApplicationBufferSize();
      ByteBuffer toServer = ByteBuffer.allocate(packet);
      ByteBuffer toClient = ByteBuffer.allocate(packet);
      ByteBuffer clientApp = ByteBuffer.allocate(app);
      ByteBuffer serverApp = ByteBuffer.allocate(app);
      ByteBuffer empty = ByteBuffer.allocate(0);
      client.beginHandshake();
      server.beginHandshake();
      for (int round = 0; round < 100 && !(done(client) && done(server)); round++) {
        client.wrap(empty, toServer);
        server.wrap(empty, toClient);
        runTasks(client);
        runTasks(server);
        toServer.flip();
        toClient.flip();
        server.unwrap(toServer, serverApp);
        client.unwrap(toClient, clientApp);
        runTasks(client);
        runTasks(server);
        toServer.compact();
        toClient.compact();
      }
      if (!(done(client) && done(server))) log.warn("TLS self-check did not finish its handshake; going on");
    } catch (SSLException e) {
      throw new IllegalStateException("PROFILE_REMOTE_TLS_DIR: the certificate of " + dir.resolve(KEYSTORE) + " is not accepted by "
          + dir.resolve(TRUSTSTORE) + " (not signed by the cluster CA?), so no other node would accept it either: " + e.getMessage(), e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("PROFILE_REMOTE_TLS_DIR: unusable key material in " + dir + ": " + e.getMessage(), e);
    }
  }

  private static SSLEngine engine(SSLContext context, boolean client) {
    SSLEngine engine = context.createSSLEngine("profile-engine-self-check", 0);
    engine.setUseClientMode(client);
    engine.setEnabledProtocols(new String[] {PROTOCOL});
    engine.setEnabledCipherSuites(CIPHER_SUITES.toArray(String[]::new));
    if (!client) engine.setNeedClientAuth(true);
    return engine;
  }

  private static boolean done(SSLEngine engine) {
    SSLEngineResult.HandshakeStatus s = engine.getHandshakeStatus();
    return s == SSLEngineResult.HandshakeStatus.NOT_HANDSHAKING || s == SSLEngineResult.HandshakeStatus.FINISHED;
  }

  private static void runTasks(SSLEngine engine) {
    Runnable task;
    while ((task = engine.getDelegatedTask()) != null) task.run();
  }

  private static String password(String configured, Path dir) {
    if (!configured.isEmpty()) return configured;
    Path file = dir.resolve(PASSWORD_FILE);
    if (!Files.isRegularFile(file)) {
      throw new IllegalStateException("PROFILE_REMOTE_TLS=on: set PROFILE_REMOTE_TLS_PASSWORD or put the key store password in " + file);
    }
    try {
      String first = Files.readAllLines(file, StandardCharsets.UTF_8).stream().findFirst().orElse("").strip();
      if (first.isEmpty()) throw new IllegalStateException("PROFILE_REMOTE_TLS_DIR: " + file + " is empty");
      return first;
    } catch (IOException e) {
      throw new IllegalStateException("PROFILE_REMOTE_TLS_DIR: cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  private static KeyStore load(Path file, String password) {
    if (!Files.isRegularFile(file)) {
      throw new IllegalStateException("PROFILE_REMOTE_TLS_DIR: " + file + " not found (k8s/generate-cluster-certs.sh writes it)");
    }
    try (InputStream in = Files.newInputStream(file)) {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(in, password.toCharArray());
      return ks;
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException("PROFILE_REMOTE_TLS_DIR: cannot open " + file
          + " (wrong PROFILE_REMOTE_TLS_PASSWORD / password file?): " + e.getMessage(), e);
    }
  }

  private static boolean isKeyEntry(KeyStore ks, String alias) {
    try {
      return ks.isKeyEntry(alias);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  private static boolean isCertificateEntry(KeyStore ks, String alias) {
    try {
      return ks.isCertificateEntry(alias);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }
}
