package dev.profileengine.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigResolveOptions;
import com.typesafe.config.ConfigResolver;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import dev.profileengine.engine.node.ProfileEngine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Checks the Kubernetes manifests under k8s/ as they are deployed: each kustomization (the base and
 * every overlay) is rendered, and the rendered objects are checked against what a profile-engine
 * node needs (image, replicas, probes on Akka Management, ports, env, RBAC for Cluster Bootstrap,
 * PDB, Services, the PostgreSQL journal of the postgres overlays).
 *
 * <p>Renderers: the built-in {@link KustomizeLite} always runs, so the checks never skip; when a
 * real kustomize (v4+, {@code kustomize} or {@code kubectl kustomize}) is on the PATH, every check
 * runs on its output too, and {@link #builtInRendererAgreesWithKustomize} requires both renderings
 * to be identical. {@code -Dk8s.kustomize=PATH} names the binary, {@code -Dk8s.dir=DIR} the k8s
 * folder, {@code -Dk8s.render.out=DIR} writes the built-in renderings there (scripts/render-k8s.sh).
 *
 * <p>The Secrets are generated from git-ignored env files: the renderings are of a temporary copy of
 * the k8s folder in which {@code k8s/generate-secrets.sh} has run, so the test never needs (nor
 * reads) an operator's real keys. The cluster's TLS Secret is applied on its own, never rendered;
 * the startup check of the cluster layouts runs generate-cluster-certs.sh in that copy too.
 */
class ManifestsTest {
  static final String APP = "profile-engine";
  static final List<String> TARGETS = List.of("base", "overlays/postgres", "overlays/local");
  static final Set<String> WITH_POSTGRES = Set.of("overlays/postgres", "overlays/local");
  static final Map<String, String> EXPECTED_IMAGE = Map.of(
      "base", "profile-engine:0.1.0",
      "overlays/postgres", "profile-engine:0.1.0",
      "overlays/local", "profile-engine:dev");

  /** The k8s folder of the checkout, and the temporary copy with generated secrets that is rendered. */
  static Path source;
  static Path k8s;
  static Optional<ExternalKustomize> external = Optional.empty();
  private static final Map<String, List<ObjectNode>> CACHE = new ConcurrentHashMap<>();

  @BeforeAll
  static void locateAndChooseRenderers() {
    source = locateK8sDir();
    k8s = copyWithGeneratedSecrets(source);
    StringBuilder why = new StringBuilder();
    external = ExternalKustomize.find(why);
    System.out.println("[ManifestsTest] k8s dir: " + source + " (rendered from a copy with generated secrets: " + k8s + ")");
    System.out.println("[ManifestsTest] renderers: KustomizeLite (built in)"
        + external.map(e -> " and " + e.description).orElse("; no external kustomize: " + why));
  }

  static Stream<Arguments> renderings() {
    if (k8s == null) locateAndChooseRenderers();
    List<Arguments> args = new ArrayList<>();
    for (String t : TARGETS) {
      args.add(Arguments.of("KustomizeLite", t));
      if (external.isPresent()) args.add(Arguments.of("kustomize", t));
    }
    return args.stream();
  }

  static Stream<Arguments> postgresRenderings() {
    return renderings().filter(a -> WITH_POSTGRES.contains((String) a.get()[1]));
  }

  // ---------------------------------------------------------------- the node Deployment

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("renderings")
  void deploymentImageReplicasAndShutdown(String renderer, String target) throws IOException {
    Rendered r = render(renderer, target);
    ObjectNode d = r.deployment();
    JsonNode c = r.nodeContainer();
    assertEquals(EXPECTED_IMAGE.get(target), c.path("image").asText(), "image of the node container");
    assertEquals(target.equals("base") ? 1 : 3, d.path("spec").path("replicas").asInt(-1), "replicas");
    int grace = d.path("spec").path("template").path("spec").path("terminationGracePeriodSeconds").asInt(-1);
    assertTrue(grace >= 20 && grace <= 60, "terminationGracePeriodSeconds for the shard hand-off, was " + grace);
    JsonNode selector = d.path("spec").path("selector").path("matchLabels");
    assertEquals(APP, selector.path("app").asText(), "Deployment selects app=" + APP);
    assertTrue(matches(selector, r.podLabels()), "the Deployment's selector matches its pod template");
    assertEquals(APP, r.podLabels().path("app").asText(), "pod label app=profile-engine (Cluster Bootstrap's selector)");
    if (target.equals("overlays/local")) {
      assertEquals("IfNotPresent", c.path("imagePullPolicy").asText(), "local images are loaded, not pulled");
    }
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("renderings")
  void containerPortsAndProbesOnManagement(String renderer, String target) throws IOException {
    Rendered r = render(renderer, target);
    JsonNode c = r.nodeContainer();
    Map<String, Integer> ports = new TreeMap<>();
    for (JsonNode p : c.path("ports")) ports.put(p.path("name").asText(), p.path("containerPort").asInt());
    assertEquals(Map.of("http", 8080, "grpc", 8081, "management", 8558, "remoting", 25520), ports, "container ports");

    assertHttpProbe(c, "readinessProbe", "/ready", 8558);
    assertHttpProbe(c, "livenessProbe", "/alive", 8558);
    assertHttpProbe(c, "startupProbe", null, 8558);
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("renderings")
  void resourcesSecurityAndSpreading(String renderer, String target) throws IOException {
    Rendered r = render(renderer, target);
    JsonNode c = r.nodeContainer();
    for (String kind : List.of("requests", "limits")) {
      for (String res : List.of("cpu", "memory")) {
        assertFalse(c.path("resources").path(kind).path(res).asText().isEmpty(), "resources." + kind + "." + res);
      }
    }
    JsonNode podSpec = r.deployment().path("spec").path("template").path("spec");
    assertTrue(podSpec.path("securityContext").path("runAsNonRoot").asBoolean(false), "pods run as non-root");
    JsonNode preferred = podSpec.path("affinity").path("podAntiAffinity").path("preferredDuringSchedulingIgnoredDuringExecution");
    assertTrue(preferred.isArray() && !preferred.isEmpty(), "preferred podAntiAffinity");
    JsonNode term = preferred.get(0).path("podAffinityTerm");
    assertEquals("kubernetes.io/hostname", term.path("topologyKey").asText(), "anti-affinity by hostname");
    assertTrue(matches(term.path("labelSelector").path("matchLabels"), r.podLabels()), "anti-affinity selects the node pods");
    if (target.equals("overlays/local")) {
      Rendered base = render(renderer, "base");
      assertTrue(memoryBytes(c.path("resources").path("limits").path("memory").asText())
              < memoryBytes(base.nodeContainer().path("resources").path("limits").path("memory").asText()),
          "local overlay uses less memory than the base");
    }
  }

  // ---------------------------------------------------------------- environment

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("renderings")
  void nodeEnvironment(String renderer, String target) throws IOException {
    Rendered r = render(renderer, target);
    Map<String, JsonNode> env = r.effectiveEnv();
    assertEquals("0.0.0.0", literal(env, "PROFILE_BIND"), "PROFILE_BIND");
    assertEquals(target.equals("base") ? "config" : "kubernetes-api", literal(env, "PROFILE_DISCOVERY"),
        "PROFILE_DISCOVERY (the base is one node that joins itself)");
    assertEquals("8080", literal(env, "PROFILE_HTTP_PORT"), "PROFILE_HTTP_PORT");
    assertEquals("8081", literal(env, "PROFILE_GRPC_PORT"), "PROFILE_GRPC_PORT");
    assertEquals("8558", literal(env, "PROFILE_MANAGEMENT_PORT"), "PROFILE_MANAGEMENT_PORT");
    assertEquals("25520", literal(env, "PROFILE_REMOTE_PORT"), "PROFILE_REMOTE_PORT");
    assertEquals("json", literal(env, "PROFILE_LOG_FORMAT"), "PROFILE_LOG_FORMAT: JSON logs in every deployment");
    if (target.equals("base")) {
      // One node: Artery on its default, loopback, where no stranger reaches it (no TLS needed).
      assertFalse(env.containsKey("PROFILE_REMOTE_HOST"), "the single node keeps Artery on loopback: " + env.get("PROFILE_REMOTE_HOST"));
    } else {
      assertEquals("status.podIP",
          env.getOrDefault("PROFILE_REMOTE_HOST", missing()).path("valueFrom").path("fieldRef").path("fieldPath").asText(),
          "PROFILE_REMOTE_HOST from the downward API (pod IP)");
    }
    assertEquals("status.podIP",
        env.getOrDefault("PROFILE_MANAGEMENT_BIND", missing()).path("valueFrom").path("fieldRef").path("fieldPath").asText(),
        "PROFILE_MANAGEMENT_BIND: management (probes, bootstrap) on the pod IP, not 0.0.0.0");
    String seeds = env.containsKey("PROFILE_SEED_NODES") ? literal(env, "PROFILE_SEED_NODES") : "";
    assertEquals("", seeds, "no static seed nodes (one node, or Cluster Bootstrap)");
    r.assertSecretRef(env, "PROFILE_API_KEYS");
    assertEquals("profile-engine-api-keys",
        env.get("PROFILE_API_KEYS").path("valueFrom").path("secretKeyRef").path("name").asText(),
        "PROFILE_API_KEYS comes from the API-keys Secret");
    // The generated Secret's value is what the gateway accepts (key=scope+scope, strong keys).
    var keys = dev.profileengine.gateway.auth.ApiKeys.parse(r.resolve(env.get("PROFILE_API_KEYS"), "PROFILE_API_KEYS"));
    assertEquals(3, keys.size(), "generate-secrets.sh writes an ingest, a read and an admin key");
    r.assertSecretRef(env, "PROFILE_PII_SALT");
    assertEquals(java.util.Optional.empty(),
        dev.profileengine.engine.node.SecretStrength.weakness(r.resolve(env.get("PROFILE_PII_SALT"), "PROFILE_PII_SALT")),
        "the generated PII salt is a usable secret");
    // Every ConfigMap and Secret the pod reads exists in the same rendering.
    JsonNode c = r.nodeContainer();
    for (JsonNode from : c.path("envFrom")) {
      if (from.has("configMapRef")) r.get("ConfigMap", from.path("configMapRef").path("name").asText());
      if (from.has("secretRef")) r.get("Secret", from.path("secretRef").path("name").asText());
    }
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("postgresRenderings")
  void postgresJournal(String renderer, String target) throws IOException {
    Rendered r = render(renderer, target);
    Map<String, JsonNode> env = r.effectiveEnv();
    assertEquals("postgres", literal(env, "PROFILE_JOURNAL"), "PROFILE_JOURNAL");
    String url = literal(env, "PROFILE_DB_URL");
    Matcher m = Pattern.compile("jdbc:postgresql://([a-z0-9.-]+):(\\d+)/([A-Za-z0-9_]+)(\\?.*)?").matcher(url);
    assertTrue(m.matches(), "PROFILE_DB_URL is a PostgreSQL JDBC URL: " + url);
    String host = m.group(1);
    int port = Integer.parseInt(m.group(2));
    String serviceName = host.split("\\.")[0];
    String namespace = r.deployment().path("metadata").path("namespace").asText();
    assertTrue(host.equals(serviceName) || host.startsWith(serviceName + "." + namespace + "."),
        "the DB host is a Service of the node's namespace: " + host);
    ObjectNode service = r.get("Service", serviceName);
    assertTrue(stream(service.path("spec").path("ports")).anyMatch(p -> p.path("port").asInt() == port),
        "Service " + serviceName + " exposes port " + port);
    ObjectNode db = r.all("StatefulSet").stream()
        .filter(s -> matches(service.path("spec").path("selector"), s.path("spec").path("template").path("metadata").path("labels")))
        .findFirst().orElseThrow(() -> new AssertionError("no StatefulSet behind Service " + serviceName));
    JsonNode pg = db.path("spec").path("template").path("spec").path("containers").get(0);
    assertTrue(pg.path("image").asText().startsWith("postgres:"), "the journal StatefulSet runs PostgreSQL: " + pg.path("image"));
    assertTrue(stream(pg.path("ports")).anyMatch(p -> p.path("containerPort").asInt() == 5432), "PostgreSQL listens on 5432");
    assertFalse(db.path("spec").path("volumeClaimTemplates").isEmpty(), "PostgreSQL keeps its data on a persistent volume");
    r.assertSecretRef(env, "PROFILE_DB_USER");
    r.assertSecretRef(env, "PROFILE_DB_PASSWORD");
    // The nodes log in with the user, password and database PostgreSQL was initialised with.
    Map<String, JsonNode> pgEnv = r.effectiveEnv(pg);
    assertEquals(ref(env, "PROFILE_DB_USER"), ref(pgEnv, "POSTGRES_USER"), "same DB user for nodes and PostgreSQL");
    assertEquals(ref(env, "PROFILE_DB_PASSWORD"), ref(pgEnv, "POSTGRES_PASSWORD"), "same DB password for nodes and PostgreSQL");
    assertEquals(m.group(3), r.resolve(pgEnv.get("POSTGRES_DB"), "POSTGRES_DB"), "the URL's database is the one PostgreSQL creates");
    assertEquals(java.util.Optional.empty(),
        dev.profileengine.engine.node.SecretStrength.weakness(r.resolve(pgEnv.get("POSTGRES_PASSWORD"), "POSTGRES_PASSWORD")),
        "the generated database password is random");
  }


  // ---------------------------------------------------------------- no layout loses data

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("renderings")
  void severalReplicasOnlyWithASharedJournal(String renderer, String target) throws IOException {
    Rendered r = render(renderer, target);
    Map<String, JsonNode> env = r.effectiveEnv();
    int replicas = r.deployment().path("spec").path("replicas").asInt(-1);
    String discovery = literal(env, "PROFILE_DISCOVERY");
    if (replicas > 1 || !discovery.equals("config")) {
      assertEquals("postgres", literal(env, "PROFILE_JOURNAL"),
          target + ": " + replicas + " replicas with discovery " + discovery + " need the shared PostgreSQL journal");
      assertFalse(literal(env, "PROFILE_DB_URL").isBlank(), "PROFILE_DB_URL");
    } else {
      assertEquals(1, replicas, "replicas");
    }
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("renderings")
  void theBaseIsOneH2NodeOnAPersistentVolume(String renderer, String target) throws IOException {
    if (!target.equals("base")) return;
    Rendered r = render(renderer, target);
    ObjectNode d = r.deployment();
    assertEquals(1, d.path("spec").path("replicas").asInt(-1), "one replica");
    assertEquals("Recreate", d.path("spec").path("strategy").path("type").asText(),
        "Recreate: the old pod lets go of the volume and the H2 file before the new one starts");
    Map<String, JsonNode> env = r.effectiveEnv();
    assertEquals("h2", literal(env, "PROFILE_JOURNAL"), "PROFILE_JOURNAL");
    String dataDir = literal(env, "PROFILE_DATA_DIR");
    JsonNode mount = stream(r.nodeContainer().path("volumeMounts"))
        .filter(m -> m.path("mountPath").asText().equals(dataDir)).findFirst()
        .orElseThrow(() -> new AssertionError("nothing mounted at PROFILE_DATA_DIR " + dataDir));
    JsonNode volume = stream(d.path("spec").path("template").path("spec").path("volumes"))
        .filter(v -> v.path("name").asText().equals(mount.path("name").asText())).findFirst().orElseThrow();
    String claim = volume.path("persistentVolumeClaim").path("claimName").asText();
    assertFalse(claim.isEmpty(), "the data dir is a PersistentVolumeClaim, was " + volume);
    ObjectNode pvc = r.get("PersistentVolumeClaim", claim);
    assertTrue(contains(pvc.path("spec").path("accessModes"), "ReadWriteOnce"), "ReadWriteOnce: one pod at a time");
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("postgresRenderings")
  void aClusterKeepsNoUnusedH2Volume(String renderer, String target) throws IOException {
    Rendered r = render(renderer, target);
    assertEquals(List.of(), r.all("PersistentVolumeClaim"), "the single node's H2 claim is dropped with the shared journal");
    for (JsonNode v : r.deployment().path("spec").path("template").path("spec").path("volumes")) {
      assertFalse(v.has("persistentVolumeClaim"), "no node volume is a claim: " + v);
    }
  }

  @Test
  void noSecretIsCommittedAndTheEnvFilesAreIgnored() throws IOException {
    List<Path> yamls;
    try (Stream<Path> files = Files.walk(source)) {
      yamls = files.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
          .filter(p -> !source.relativize(p).startsWith("rendered") && !source.relativize(p).startsWith("generated")).toList();
    }
    for (Path y : yamls) {
      if (y.getFileName().toString().startsWith("kustomization") || y.getFileName().toString().equals("kind-cluster.yaml")) continue;
      for (ObjectNode doc : KustomizeLite.readAll(y)) {
        assertFalse(doc.path("kind").asText().equals("Secret"), source.relativize(y) + " holds a Secret: generate it instead");
      }
    }
    List<String> ignored = Files.readAllLines(source.resolve(".gitignore"));
    assertTrue(ignored.contains("*.env"), "k8s/.gitignore keeps the generated env files out of git: " + ignored);
    // Two runs of the script give different keys: nothing is fixed in it.
    Path again = copyWithGeneratedSecrets(source);
    assertFalse(Files.readString(again.resolve("base/secrets.env")).equals(Files.readString(k8s.resolve("base/secrets.env"))),
        "generate-secrets.sh writes fresh random values");
  }

  /** A temporary copy of {@code dir} (without env files, renderings or key material) in which generate-secrets.sh has run. */
  static Path copyWithGeneratedSecrets(Path dir) {
    try {
      Path copy = Files.createTempDirectory("k8s-manifests-");
      try (Stream<Path> files = Files.walk(dir)) {
        for (Path p : files.toList()) {
          Path rel = dir.relativize(p);
          // Not an operator's env files, renderings or generated key material (the CA's key).
          if (rel.startsWith("rendered") || rel.startsWith("generated") || p.toString().endsWith(".env")) continue;
          Path to = copy.resolve(rel.toString());
          if (Files.isDirectory(p)) Files.createDirectories(to);
          else Files.copy(p, to);
        }
      }
      ExternalKustomize.run(List.of("bash", copy.resolve("generate-secrets.sh").toString()), copy, 60);
      return copy;
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("could not generate the secrets in a copy of " + dir, e);
    }
  }

  // ---------------------------------------------------------------- cluster security

  /**
   * A node that forms a cluster with others (several replicas, Cluster Bootstrap, seed nodes) runs
   * remoting over TLS with the key material of the generated Secret mounted where
   * PROFILE_REMOTE_TLS_DIR points; the Secret itself is not part of any rendering (not committed).
   */
  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("renderings")
  void multiNodeLayoutsRunRemotingOverTls(String renderer, String target) throws IOException {
    Rendered r = render(renderer, target);
    Map<String, JsonNode> env = r.effectiveEnv();
    boolean multiNode = r.deployment().path("spec").path("replicas").asInt(1) > 1
        || (env.containsKey("PROFILE_DISCOVERY") && !literal(env, "PROFILE_DISCOVERY").equals("config"))
        || (env.containsKey("PROFILE_SEED_NODES") && !literal(env, "PROFILE_SEED_NODES").isBlank());
    assertEquals(WITH_POSTGRES.contains(target), multiNode, target + ": the postgres layouts, and only they, form a cluster");
    if (!multiNode) return;
    assertEquals("on", literal(env, "PROFILE_REMOTE_TLS"), target + " forms a cluster: PROFILE_REMOTE_TLS");
    String dir = literal(env, "PROFILE_REMOTE_TLS_DIR");
    JsonNode mount = stream(r.nodeContainer().path("volumeMounts"))
        .filter(m -> m.path("mountPath").asText().equals(dir)).findFirst()
        .orElseThrow(() -> new AssertionError("nothing is mounted at PROFILE_REMOTE_TLS_DIR " + dir));
    assertTrue(mount.path("readOnly").asBoolean(false), "the key material is mounted read-only");
    JsonNode volume = stream(r.deployment().path("spec").path("template").path("spec").path("volumes"))
        .filter(v -> v.path("name").asText().equals(mount.path("name").asText())).findFirst()
        .orElseThrow(() -> new AssertionError("no volume " + mount.path("name")));
    String secret = volume.path("secret").path("secretName").asText();
    assertEquals("profile-engine-cluster-tls", secret, "the TLS volume is the generated Secret");
    int mode = volume.path("secret").path("defaultMode").asInt(0644);
    assertEquals(0, mode & 07, "the key material is not readable by others, mode " + Integer.toOctalString(mode));
    assertTrue(r.all("Secret").stream().noneMatch(o -> o.path("metadata").path("name").asText().equals(secret)),
        "Secret " + secret + " is generated (k8s/generate-cluster-certs.sh), never part of the manifests");
    String script = Files.readString(k8s.resolve("generate-cluster-certs.sh"));
    assertTrue(script.contains("SECRET=" + secret) && script.contains("NAMESPACE=" + r.deployment().path("metadata").path("namespace").asText()),
        "k8s/generate-cluster-certs.sh writes Secret " + secret + " into the Deployment's namespace");
  }

  /**
   * The node configuration of each layout passes the node's own startup checks ({@link
   * ProfileEngine#configure}, as a pod would run it): the single node with Artery on loopback and TLS
   * off, the cluster nodes on their pod IP with the Secret of generate-cluster-certs.sh where
   * PROFILE_REMOTE_TLS_DIR points.
   */
  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("renderings")
  void theNodeConfigurationPassesTheStartupChecks(String renderer, String target) throws IOException {
    Config resolved = ProfileEngine.configure(podConfig(render(renderer, target)));
    assertEquals(WITH_POSTGRES.contains(target) ? "tls-tcp" : "tcp", resolved.getString("akka.remote.artery.transport"),
        target + ": Artery's transport");
  }

  /**
   * The node's configuration as the pod resolves it: application.conf with the rendering's
   * environment only, not the test JVM's (pod IPs made up, the cluster TLS Secret generated).
   */
  static Config podConfig(Rendered r) throws IOException {
    Map<String, String> vars = new TreeMap<>();
    for (Map.Entry<String, JsonNode> e : r.effectiveEnv().entrySet()) {
      JsonNode field = e.getValue().path("valueFrom").path("fieldRef");
      if (field.isMissingNode()) {
        vars.put(e.getKey(), r.resolve(e.getValue(), e.getKey()));
      } else {
        assertEquals("status.podIP", field.path("fieldPath").asText(), e.getKey());
        vars.put(e.getKey(), "10.244.1.7"); // a pod IP: other pods reach it
      }
    }
    if (vars.containsKey("PROFILE_REMOTE_TLS_DIR")) vars.put("PROFILE_REMOTE_TLS_DIR", clusterTlsSecret().toString());
    ConfigResolver podEnv = new ConfigResolver() {
      @Override
      public ConfigValue lookup(String path) {
        return vars.containsKey(path) ? ConfigValueFactory.fromAnyRef(vars.get(path)) : null;
      }

      @Override
      public ConfigResolver withFallback(ConfigResolver fallback) {
        return this;
      }
    };
    return ConfigFactory.parseResources("application.conf").withFallback(ConfigFactory.defaultReference())
        .resolve(ConfigResolveOptions.noSystem().appendResolver(podEnv));
  }

  private static Path clusterTlsSecret;

  /**
   * The files of the Secret generate-cluster-certs.sh writes (what the pod sees at
   * PROFILE_REMOTE_TLS_DIR), made once in the temporary copy.
   */
  static synchronized Path clusterTlsSecret() throws IOException {
    if (clusterTlsSecret != null) return clusterTlsSecret;
    Path out = k8s.resolve("generated/cluster-tls");
    ProcessBuilder pb = new ProcessBuilder("bash", k8s.resolve("generate-cluster-certs.sh").toString(), "--out", out.toString())
        .redirectErrorStream(true);
    pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
    Process p = pb.start();
    String log = new String(p.getInputStream().readAllBytes());
    try {
      assertTrue(p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS) && p.exitValue() == 0, "generate-cluster-certs.sh: " + log);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("generate-cluster-certs.sh");
    }
    List<ObjectNode> docs = KustomizeLite.readAll(out.resolve("secret-cluster-tls.yaml"));
    assertEquals(1, docs.size(), "one Secret");
    ObjectNode secret = docs.get(0);
    assertEquals("Secret", secret.path("kind").asText());
    assertEquals("profile-engine-cluster-tls", secret.path("metadata").path("name").asText(), "the Secret the cluster-tls volume mounts");
    Path dir = Files.createDirectories(k8s.resolve("generated/mounted-cluster-tls"));
    for (var it = secret.path("data").fields(); it.hasNext(); ) {
      var e = it.next();
      Files.write(dir.resolve(e.getKey()), java.util.Base64.getMimeDecoder().decode(e.getValue().asText()));
    }
    // The throwaway CA's private key is not needed any more: not left behind in the temporary copy.
    try (Stream<Path> files = Files.walk(out)) {
      for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(f);
    }
    clusterTlsSecret = dir;
    return dir;
  }

  /**
   * Remoting and management only from the node pods themselves; HTTP and gRPC from anywhere. Every
   * NetworkPolicy that selects the node pods counts (policies add up).
   */
  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("renderings")
  void networkPolicyClosesRemotingAndManagement(String renderer, String target) throws IOException {
    Rendered r = render(renderer, target);
    List<ObjectNode> policies = r.all("NetworkPolicy").stream()
        .filter(p -> matches(p.path("spec").path("podSelector").path("matchLabels"), r.podLabels())).toList();
    assertFalse(policies.isEmpty(), "a NetworkPolicy selects the node pods");
    Map<Integer, Boolean> fromOwnPodsOnly = new TreeMap<>(Map.of(25520, false, 8558, false));
    Map<Integer, Boolean> fromAnywhere = new TreeMap<>(Map.of(8080, false, 8081, false));
    for (ObjectNode p : policies) {
      assertTrue(contains(p.path("spec").path("policyTypes"), "Ingress"), r.id(p) + " restricts ingress");
      for (JsonNode rule : p.path("spec").path("ingress")) {
        boolean ownPods = rule.has("from") && !rule.path("from").isEmpty() && stream(rule.path("from")).allMatch(f ->
            f.size() == 1 && f.has("podSelector")
                && matches(f.path("podSelector").path("matchLabels"), r.podLabels()));
        boolean anywhere = !rule.has("from") || rule.path("from").isEmpty();
        List<Integer> ports = rule.has("ports")
            ? stream(rule.path("ports")).map(pt -> containerPort(r.nodeContainer(), pt.path("port"))).toList()
            : List.of(25520, 8558, 8080, 8081);
        for (int port : ports) {
          if (fromOwnPodsOnly.containsKey(port)) {
            assertTrue(ownPods, r.id(p) + " opens port " + port + " to more than the node pods: " + rule);
            fromOwnPodsOnly.put(port, true);
          }
          if (fromAnywhere.containsKey(port) && anywhere) fromAnywhere.put(port, true);
        }
      }
    }
    assertEquals(Map.of(25520, true, 8558, true), fromOwnPodsOnly, "remoting and management open to the node pods");
    assertEquals(Map.of(8080, true, 8081, true), fromAnywhere, "HTTP and gRPC open to clients");
  }

  // ---------------------------------------------------------------- the feedback loop (components/model-training)

  /** The layouts components/model-training is checked on, as an operator adds it to an overlay. */
  static final List<String> TRAINING_ON = List.of("base", "overlays/postgres");

  /** Each of {@link #TRAINING_ON} with the component: a kustomization written into the rendered copy. */
  static Stream<Arguments> trainingRenderings() throws IOException {
    if (k8s == null) locateAndChooseRenderers();
    List<Arguments> args = new ArrayList<>();
    for (String t : TRAINING_ON) {
      Path dir = Files.createDirectories(k8s.resolve("with-training").resolve(t.replace("overlays/", "")));
      Files.writeString(dir.resolve("kustomization.yaml"), String.join("\n",
          "apiVersion: kustomize.config.k8s.io/v1beta1", "kind: Kustomization", "namespace: profile-engine",
          "resources:", "  - ../../" + t, "components:", "  - ../../components/model-training", ""));
      String target = k8s.relativize(dir).toString();
      args.add(Arguments.of("KustomizeLite", t, target));
      if (external.isPresent()) args.add(Arguments.of("kustomize", t, target));
    }
    return args.stream();
  }

  /**
   * The registry is a ReadWriteMany claim mounted where PROFILE_MODELS_DIR points (every node reads
   * what the training node writes), the training files are on an emptyDir, and the pod's memory
   * holds the node's heap as in the layout without the component, the trainer's heap, and room for
   * both JVMs' native memory; the node's settings read the same directories and trainer heap.
   */
  @ParameterizedTest(name = "{0}: {1} with model-training")
  @MethodSource("trainingRenderings")
  void modelTrainingSharesTheRegistryAndHasMemoryForTheTrainer(String renderer, String layout, String target) throws IOException {
    Rendered r = render(renderer, target);
    Map<String, JsonNode> env = r.effectiveEnv();
    JsonNode models = r.volumeAt(literal(env, "PROFILE_MODELS_DIR"));
    ObjectNode claim = r.get("PersistentVolumeClaim", models.path("persistentVolumeClaim").path("claimName").asText());
    assertTrue(contains(claim.path("spec").path("accessModes"), "ReadWriteMany"), "the registry claim is ReadWriteMany: " + claim);
    assertEquals(r.deployment().path("metadata").path("namespace").asText(), claim.path("metadata").path("namespace").asText(),
        "the claim is in the nodes' namespace");
    JsonNode work = r.volumeAt(literal(env, "PROFILE_TRAINING_DIR"));
    assertTrue(work.has("emptyDir"), "the training files are on an emptyDir: " + work);
    if (layout.equals("overlays/postgres")) assertEquals(3, r.deployment().path("spec").path("replicas").asInt(), "replicas");

    JsonNode resources = r.nodeContainer().path("resources");
    long limit = memoryBytes(resources.path("limits").path("memory").asText());
    assertEquals(limit, memoryBytes(resources.path("requests").path("memory").asText()), "memory requested as limited");
    long nodeHeap = heapOf(literal(env, "JAVA_TOOL_OPTIONS"), limit);
    Rendered without = render(renderer, layout);
    long withoutLimit = memoryBytes(without.nodeContainer().path("resources").path("limits").path("memory").asText());
    assertTrue(nodeHeap >= heapOf(dockerfileJavaToolOptions(), withoutLimit), "the node keeps its heap of " + layout);
    long trainerHeap = memoryBytes(Pattern.compile("-Xmx(\\d+[kmgKMG]?)").matcher(literal(env, "PROFILE_TRAINER_JAVA_OPTIONS"))
        .results().map(m -> m.group(1).toUpperCase().replace("K", "Ki").replace("M", "Mi").replace("G", "Gi")).findFirst()
        .orElseThrow(() -> new AssertionError("PROFILE_TRAINER_JAVA_OPTIONS sets -Xmx")));
    assertTrue(limit - nodeHeap - trainerHeap >= 2L << 30,
        "2Gi beside the two heaps for native memory: limit " + limit + ", node heap " + nodeHeap + ", trainer heap " + trainerHeap);
    // The pod's JAVA_TOOL_OPTIONS replaces the image's: the same options but for the heap's share.
    assertEquals(withoutPercentages(dockerfileJavaToolOptions()), withoutPercentages(literal(env, "JAVA_TOOL_OPTIONS")),
        "JAVA_TOOL_OPTIONS differs from k8s/Dockerfile's only in the heap percentages");

    var training = dev.profileengine.engine.training.TrainingSettings.of(
        ProfileEngine.configure(podConfig(r)).getConfig("profile.model.training"));
    assertEquals(Path.of(literal(env, "PROFILE_TRAINING_DIR")), training.workDir(), "the node's training work-dir");
    assertTrue(training.javaOptions().contains("-Xmx2g"), "the trainer's options: " + training.javaOptions());
  }

  /** The heap a JVM with {@code options} takes in a container of {@code limit} bytes. */
  private static long heapOf(String options, long limit) {
    Matcher m = Pattern.compile("-XX:MaxRAMPercentage=(\\d+)").matcher(options);
    assertTrue(m.find(), "MaxRAMPercentage in " + options);
    return limit * Long.parseLong(m.group(1)) / 100;
  }

  private static String withoutPercentages(String options) {
    return options.replaceAll("-XX:(Max|Initial)RAMPercentage=\\d+\\s*", "").strip();
  }

  /** The image's JAVA_TOOL_OPTIONS (k8s/Dockerfile's ENV). */
  static String dockerfileJavaToolOptions() throws IOException {
    Matcher m = Pattern.compile("JAVA_TOOL_OPTIONS=\"([^\"]*)\"").matcher(Files.readString(source.resolve("Dockerfile")));
    assertTrue(m.find(), "k8s/Dockerfile sets JAVA_TOOL_OPTIONS");
    return m.group(1);
  }

  // ---------------------------------------------------------------- RBAC, PDB, Services, namespace

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("renderings")
  void rbacLetsTheNodesListPods(String renderer, String target) throws IOException {
    Rendered r = render(renderer, target);
    String ns = r.deployment().path("metadata").path("namespace").asText();
    String sa = r.deployment().path("spec").path("template").path("spec").path("serviceAccountName").asText();
    assertFalse(sa.isEmpty() || sa.equals("default"), "the Deployment uses its own ServiceAccount");
    r.get("ServiceAccount", sa);
    boolean bound = false;
    for (ObjectNode rb : r.all("RoleBinding")) {
      boolean subject = stream(rb.path("subjects")).anyMatch(s -> s.path("kind").asText().equals("ServiceAccount")
          && s.path("name").asText().equals(sa) && s.path("namespace").asText().equals(ns));
      if (!subject || !rb.path("roleRef").path("kind").asText().equals("Role")) continue;
      ObjectNode role = r.get("Role", rb.path("roleRef").path("name").asText());
      for (JsonNode rule : role.path("rules")) {
        if (contains(rule.path("apiGroups"), "") && contains(rule.path("resources"), "pods")
            && contains(rule.path("verbs"), "get") && contains(rule.path("verbs"), "watch") && contains(rule.path("verbs"), "list")) {
          bound = true;
        }
      }
    }
    assertTrue(bound, "a RoleBinding gives ServiceAccount " + ns + "/" + sa + " a Role with get/watch/list on pods");
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("renderings")
  void podDisruptionBudget(String renderer, String target) throws IOException {
    Rendered r = render(renderer, target);
    List<ObjectNode> pdbs = r.all("PodDisruptionBudget");
    assertEquals(1, pdbs.size(), "one PodDisruptionBudget");
    JsonNode spec = pdbs.get(0).path("spec");
    assertEquals(1, spec.path("maxUnavailable").asInt(-1), "PDB maxUnavailable 1");
    assertTrue(matches(spec.path("selector").path("matchLabels"), r.podLabels()), "the PDB selects the node pods");
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("renderings")
  void servicesReachTheNodePorts(String renderer, String target) throws IOException {
    Rendered r = render(renderer, target);
    Map<Integer, String> wanted = Map.of(8080, "http", 8081, "grpc", 8558, "management");
    for (Map.Entry<Integer, String> w : wanted.entrySet()) {
      boolean found = false;
      for (ObjectNode s : r.all("Service")) {
        if (!matches(s.path("spec").path("selector"), r.podLabels())) continue;
        for (JsonNode p : s.path("spec").path("ports")) {
          if (p.path("port").asInt() == w.getKey() && r.containerPort(p.path("targetPort"), p.path("port").asInt()) == w.getKey()) {
            found = true;
          }
        }
      }
      assertTrue(found, "a Service selecting the node pods exposes " + w.getValue() + " " + w.getKey());
    }
    ObjectNode management = r.all("Service").stream()
        .filter(s -> stream(s.path("spec").path("ports")).anyMatch(p -> p.path("port").asInt() == 8558))
        .findFirst().orElseThrow();
    assertTrue(management.path("spec").path("publishNotReadyAddresses").asBoolean(false),
        "the management Service publishes not-ready pods (bootstrap happens before readiness)");
    if (target.equals("overlays/local")) {
      ObjectNode http = r.get("Service", "profile-engine-http");
      assertEquals("NodePort", http.path("spec").path("type").asText(), "local HTTP Service is a NodePort");
      assertTrue(http.path("spec").path("ports").get(0).path("nodePort").asInt() >= 30000, "local HTTP nodePort set");
    }
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("renderings")
  void everythingInTheNodesNamespace(String renderer, String target) throws IOException {
    Rendered r = render(renderer, target);
    String ns = r.deployment().path("metadata").path("namespace").asText();
    assertFalse(ns.isEmpty(), "the Deployment has a namespace");
    for (ObjectNode o : r.objects) {
      if (o.path("kind").asText().equals("Namespace")) continue;
      assertEquals(ns, o.path("metadata").path("namespace").asText(), r.id(o) + " namespace");
    }
  }

  // ---------------------------------------------------------------- the renderers

  @Test
  void builtInRendererAgreesWithKustomize() throws IOException {
    if (external.isEmpty()) {
      System.out.println("[ManifestsTest] no external kustomize: the checks ran on the built-in rendering only");
      return;
    }
    for (String target : TARGETS) {
      Map<String, ObjectNode> lite = byId(render("KustomizeLite", target));
      Map<String, ObjectNode> real = byId(render("kustomize", target));
      assertEquals(real.keySet(), lite.keySet(), target + ": the same objects");
      for (String id : real.keySet()) {
        assertEquals(real.get(id), lite.get(id), target + ": " + id + " rendered alike by kustomize and KustomizeLite");
      }
    }
  }

  @Test
  void writesRenderingsWhenAsked() throws IOException {
    String out = System.getProperty("k8s.render.out", "").strip();
    if (out.isEmpty()) return;
    Path dir = Path.of(out);
    Files.createDirectories(dir);
    for (String target : TARGETS) {
      StringBuilder yaml = new StringBuilder();
      for (ObjectNode o : render("KustomizeLite", target).objects) {
        yaml.append("---\n").append(KustomizeLite.YAML.writeValueAsString(o).replaceFirst("^---\\s*\\n", ""));
      }
      Files.writeString(dir.resolve(target.replace('/', '-').replace("overlays-", "") + ".yaml"), yaml.toString());
    }
  }

  // ---------------------------------------------------------------- helpers

  static Rendered render(String renderer, String target) throws IOException {
    String key = renderer + ":" + target;
    List<ObjectNode> objects = CACHE.get(key);
    if (objects == null) {
      Path dir = k8s.resolve(target);
      objects = renderer.equals("kustomize")
          ? external.orElseThrow(() -> new AssertionError("no external kustomize")).render(dir)
          : KustomizeLite.render(dir);
      CACHE.put(key, objects);
    }
    List<ObjectNode> copy = new ArrayList<>();
    for (ObjectNode o : objects) copy.add(o.deepCopy());
    return new Rendered(target, copy);
  }

  static Path locateK8sDir() {
    String configured = System.getProperty("k8s.dir", "").strip();
    if (!configured.isEmpty()) return Path.of(configured).toAbsolutePath().normalize();
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.isRegularFile(p.resolve("k8s/base/kustomization.yaml"))) return p.resolve("k8s");
    }
    throw new IllegalStateException("k8s/base/kustomization.yaml not found above " + Path.of("").toAbsolutePath());
  }

  private static void assertHttpProbe(JsonNode container, String probe, String path, int port) {
    JsonNode get = container.path(probe).path("httpGet");
    assertFalse(get.isMissingNode(), probe + " is an httpGet probe");
    if (path != null) assertEquals(path, get.path("path").asText(), probe + " path");
    else assertTrue(Set.of("/alive", "/ready").contains(get.path("path").asText()), probe + " on /alive or /ready");
    assertEquals(port, containerPort(container, get.path("port")), probe + " port");
  }

  static int containerPort(JsonNode container, JsonNode port) {
    if (port.isInt() || port.asText().matches("\\d+")) return port.asInt();
    for (JsonNode p : container.path("ports")) {
      if (p.path("name").asText().equals(port.asText())) return p.path("containerPort").asInt();
    }
    throw new AssertionError("named port '" + port.asText() + "' is not a port of container " + container.path("name"));
  }

  static boolean matches(JsonNode selector, JsonNode labels) {
    if (selector == null || !selector.isObject() || selector.isEmpty()) return false;
    for (var it = selector.fields(); it.hasNext(); ) {
      var e = it.next();
      if (!e.getValue().asText().equals(labels.path(e.getKey()).asText(null))) return false;
    }
    return true;
  }

  static boolean contains(JsonNode array, String value) {
    return stream(array).anyMatch(v -> v.asText().equals(value) || v.asText().equals("*"));
  }

  static Stream<JsonNode> stream(JsonNode array) {
    List<JsonNode> list = new ArrayList<>();
    array.forEach(list::add);
    return list.stream();
  }

  static String literal(Map<String, JsonNode> env, String name) {
    JsonNode v = env.get(name);
    assertNotNull(v, name + " is set");
    assertTrue(v.has("value"), name + " is a literal value, was " + v);
    return v.path("value").asText();
  }

  static String ref(Map<String, JsonNode> env, String name) {
    JsonNode v = env.get(name);
    assertNotNull(v, name + " is set");
    JsonNode s = v.path("valueFrom").path("secretKeyRef");
    return s.path("name").asText() + "/" + s.path("key").asText();
  }

  static JsonNode missing() {
    return JsonNodeFactory.instance.missingNode();
  }

  static long memoryBytes(String quantity) {
    Matcher m = Pattern.compile("(\\d+)(Ki|Mi|Gi|Ti|k|M|G|T)?").matcher(quantity);
    if (!m.matches()) throw new AssertionError("unreadable memory quantity " + quantity);
    long n = Long.parseLong(m.group(1));
    String unit = m.group(2) == null ? "" : m.group(2);
    return n * switch (unit) {
      case "Ki" -> 1L << 10; case "Mi" -> 1L << 20; case "Gi" -> 1L << 30; case "Ti" -> 1L << 40;
      case "k" -> 1_000L; case "M" -> 1_000_000L; case "G" -> 1_000_000_000L; case "T" -> 1_000_000_000_000L;
      default -> 1L;
    };
  }

  private static Map<String, ObjectNode> byId(Rendered r) {
    Map<String, ObjectNode> m = new TreeMap<>();
    for (ObjectNode o : r.objects) m.put(r.id(o), o);
    return m;
  }

  /** One rendering, with look-ups. */
  static final class Rendered {
    final String target;
    final List<ObjectNode> objects;

    Rendered(String target, List<ObjectNode> objects) {
      this.target = target;
      this.objects = objects;
    }

    String id(JsonNode o) {
      return o.path("apiVersion").asText() + " " + o.path("kind").asText() + " "
          + o.path("metadata").path("namespace").asText("-") + "/" + o.path("metadata").path("name").asText();
    }

    List<ObjectNode> all(String kind) {
      return objects.stream().filter(o -> o.path("kind").asText().equals(kind)).toList();
    }

    ObjectNode get(String kind, String name) {
      return all(kind).stream().filter(o -> o.path("metadata").path("name").asText().equals(name)).findFirst()
          .orElseThrow(() -> new AssertionError(target + ": no " + kind + " named " + name));
    }

    ObjectNode deployment() {
      return get("Deployment", APP);
    }

    JsonNode podLabels() {
      return deployment().path("spec").path("template").path("metadata").path("labels");
    }

    JsonNode nodeContainer() {
      for (JsonNode c : deployment().path("spec").path("template").path("spec").path("containers")) {
        if (c.path("name").asText().equals(APP)) return c;
      }
      throw new AssertionError(target + ": no container named " + APP + " in the Deployment");
    }

    /** The pod volume mounted at {@code path} in the node container. */
    JsonNode volumeAt(String path) {
      JsonNode mount = stream(nodeContainer().path("volumeMounts")).filter(m -> m.path("mountPath").asText().equals(path)).findFirst()
          .orElseThrow(() -> new AssertionError(target + ": nothing mounted at " + path));
      return stream(deployment().path("spec").path("template").path("spec").path("volumes"))
          .filter(v -> v.path("name").asText().equals(mount.path("name").asText())).findFirst()
          .orElseThrow(() -> new AssertionError(target + ": no volume " + mount.path("name")));
    }

    Map<String, JsonNode> effectiveEnv() {
      return effectiveEnv(nodeContainer());
    }

    /** A container's environment as Kubernetes builds it: envFrom in order, then env (which wins). */
    Map<String, JsonNode> effectiveEnv(JsonNode container) {
      Map<String, JsonNode> env = new LinkedHashMap<>();
      for (JsonNode from : container.path("envFrom")) {
        String prefix = from.path("prefix").asText("");
        if (from.has("configMapRef")) {
          ObjectNode cm = get("ConfigMap", from.path("configMapRef").path("name").asText());
          cm.path("data").fields().forEachRemaining(e ->
              env.put(prefix + e.getKey(), JsonNodeFactory.instance.objectNode().put("name", prefix + e.getKey()).put("value", e.getValue().asText())));
        }
        if (from.has("secretRef")) {
          String name = from.path("secretRef").path("name").asText();
          for (String key : secretKeys(get("Secret", name))) {
            ObjectNode v = JsonNodeFactory.instance.objectNode().put("name", prefix + key);
            v.with("valueFrom").with("secretKeyRef").put("name", name).put("key", key);
            env.put(prefix + key, v);
          }
        }
      }
      for (JsonNode e : container.path("env")) env.put(e.path("name").asText(), e);
      return env;
    }

    List<String> secretKeys(JsonNode secret) {
      List<String> keys = new ArrayList<>();
      secret.path("data").fieldNames().forEachRemaining(keys::add);
      secret.path("stringData").fieldNames().forEachRemaining(keys::add);
      return keys;
    }

    void assertSecretRef(Map<String, JsonNode> env, String name) {
      JsonNode v = env.get(name);
      assertNotNull(v, name + " is set");
      JsonNode ref = v.path("valueFrom").path("secretKeyRef");
      assertFalse(ref.isMissingNode(), name + " comes from a Secret, was " + v);
      ObjectNode secret = get("Secret", ref.path("name").asText());
      assertTrue(secretKeys(secret).contains(ref.path("key").asText()),
          name + ": Secret " + ref.path("name").asText() + " has key " + ref.path("key").asText());
    }

    /** The value of an env entry: a literal, or the stringData/data value of the Secret it refers to. */
    String resolve(JsonNode entry, String name) {
      assertNotNull(entry, name + " is set");
      if (entry.has("value")) return entry.path("value").asText();
      JsonNode ref = entry.path("valueFrom").path("secretKeyRef");
      ObjectNode secret = get("Secret", ref.path("name").asText());
      String key = ref.path("key").asText();
      if (secret.path("stringData").has(key)) return secret.path("stringData").path(key).asText();
      if (secret.path("data").has(key)) {
        return new String(java.util.Base64.getMimeDecoder().decode(secret.path("data").path(key).asText()), java.nio.charset.StandardCharsets.UTF_8);
      }
      throw new AssertionError(name + ": Secret " + ref.path("name").asText() + " has no key " + key);
    }

    int containerPort(JsonNode targetPort, int servicePort) {
      if (targetPort.isMissingNode() || targetPort.isNull()) return servicePort;
      return ManifestsTest.containerPort(nodeContainer(), targetPort);
    }
  }
}
