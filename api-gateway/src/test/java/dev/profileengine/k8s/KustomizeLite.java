package dev.profileengine.k8s;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A small, strict subset of kustomize, enough to render k8s/base and k8s/overlays/* without a
 * kustomize binary: {@code resources} (files, multi-document files and directories with their own
 * kustomization), {@code components} (directories holding a {@code kind: Component} with resources
 * and patches, applied after the resources as kustomize does), {@code patches} with {@code path}
 * only (strategic-merge patches, the target taken from the patch's kind and name), {@code namespace}
 * and {@code images}.
 *
 * <p>Any other kustomization field, or a patch directive ({@code $patch}, {@code $setElementOrder}
 * ...), fails the rendering: if the manifests start to use more of kustomize, this renderer must
 * learn it (and {@link ManifestsTest} compares both renderings when a real kustomize is present,
 * so a divergence does not go unnoticed).
 */
final class KustomizeLite {
  static final ObjectMapper YAML = new ObjectMapper(
      new YAMLFactory().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION));

  private static final Set<String> SUPPORTED = Set.of("apiVersion", "kind", "namespace", "resources", "components", "patches", "images");
  private static final Set<String> SUPPORTED_IN_COMPONENT = Set.of("apiVersion", "kind", "resources", "patches");
  private static final Set<String> CLUSTER_SCOPED = Set.of(
      "Namespace", "ClusterRole", "ClusterRoleBinding", "PersistentVolume", "StorageClass",
      "CustomResourceDefinition", "PriorityClass", "IngressClass", "ValidatingWebhookConfiguration",
      "MutatingWebhookConfiguration", "APIService", "RuntimeClass", "CSIDriver", "Node");
  private static final Set<String> POD_TEMPLATE_KINDS = Set.of(
      "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job");

  private KustomizeLite() {}

  /** Renders the kustomization in {@code dir}; the resources come back in the order they were listed. */
  static List<ObjectNode> render(Path dir) throws IOException {
    return accumulate(dir, new ArrayList<>(), false);
  }

  /**
   * Adds the resources of the kustomization (or, with {@code component}, the Component) in {@code dir}
   * to {@code resources}, then applies its components and its own transformations to all of them.
   */
  private static List<ObjectNode> accumulate(Path dir, List<ObjectNode> resources, boolean component) throws IOException {
    Path file = kustomizationFile(dir);
    JsonNode k = YAML.readTree(file.toFile());
    if (k == null || !k.isObject()) throw new IllegalStateException(file + " is not a YAML mapping");
    boolean isComponent = k.path("kind").asText().equals("Component");
    if (isComponent != component) {
      throw new IllegalStateException(file + (component ? " is listed in components but is not a kind: Component" : " is a Component: list it under components"));
    }
    Set<String> supported = component ? SUPPORTED_IN_COMPONENT : SUPPORTED;
    for (Iterator<String> it = k.fieldNames(); it.hasNext(); ) {
      String field = it.next();
      if (!supported.contains(field)) {
        throw new IllegalStateException(file + ": field '" + field + "' is not supported by KustomizeLite (supported: " + supported + ")");
      }
    }
    for (JsonNode entry : k.path("resources")) {
      Path p = dir.resolve(entry.asText()).normalize();
      if (Files.isDirectory(p)) {
        resources.addAll(render(p));
      } else if (Files.isRegularFile(p)) {
        resources.addAll(readAll(p));
      } else {
        throw new IllegalStateException(file + ": resource '" + entry.asText() + "' does not exist");
      }
    }
    checkUnique(resources, file);
    for (JsonNode entry : k.path("components")) {
      Path p = dir.resolve(entry.asText()).normalize();
      if (!Files.isDirectory(p)) throw new IllegalStateException(file + ": component '" + entry.asText() + "' is not a directory");
      accumulate(p, resources, true);
      checkUnique(resources, file);
    }
    for (JsonNode patchEntry : k.path("patches")) {
      if (!patchEntry.isObject() || patchEntry.size() != 1 || !patchEntry.hasNonNull("path")) {
        throw new IllegalStateException(file + ": only '- path: FILE' patches are supported, got " + patchEntry);
      }
      Path p = dir.resolve(patchEntry.get("path").asText()).normalize();
      if (!Files.isRegularFile(p)) throw new IllegalStateException(file + ": patch '" + p + "' does not exist");
      for (ObjectNode patch : readAll(p)) {
        ObjectNode target = find(resources, patch.path("kind").asText(), patch.path("metadata").path("name").asText());
        if (target == null) {
          throw new IllegalStateException(p + ": no resource " + patch.path("kind").asText() + "/"
              + patch.path("metadata").path("name").asText() + " to patch");
        }
        ObjectNode body = patch.deepCopy();
        ((ObjectNode) body.get("metadata")).remove("name");
        ((ObjectNode) body.get("metadata")).remove("namespace");
        strategicMerge(target, body, "");
      }
    }
    if (k.hasNonNull("namespace")) {
      String ns = k.get("namespace").asText();
      for (ObjectNode r : resources) {
        String kind = r.path("kind").asText();
        if (!CLUSTER_SCOPED.contains(kind)) ((ObjectNode) r.with("metadata")).put("namespace", ns);
        if (kind.equals("RoleBinding") || kind.equals("ClusterRoleBinding")) {
          // kustomize's default (setRoleBindingSubjects: defaultOnly): only the "default" service account.
          for (JsonNode s : r.path("subjects")) {
            if (s.path("kind").asText().equals("ServiceAccount") && s.path("name").asText().equals("default")) {
              ((ObjectNode) s).put("namespace", ns);
            }
          }
        }
      }
    }
    for (JsonNode image : k.path("images")) {
      for (ObjectNode r : resources) {
        if (!POD_TEMPLATE_KINDS.contains(r.path("kind").asText())) continue;
        JsonNode podSpec = r.path("spec").path("template").path("spec");
        for (String list : List.of("initContainers", "containers")) {
          for (JsonNode c : podSpec.path(list)) setImage((ObjectNode) c, image);
        }
      }
    }
    return resources;
  }

  static Path kustomizationFile(Path dir) {
    for (String name : List.of("kustomization.yaml", "kustomization.yml", "Kustomization")) {
      Path p = dir.resolve(name);
      if (Files.isRegularFile(p)) return p;
    }
    throw new IllegalStateException("no kustomization.yaml in " + dir);
  }

  /** Every non-empty YAML document of a file or a string, each a mapping with kind and metadata.name. */
  static List<ObjectNode> readAll(Path file) throws IOException {
    try (Reader reader = Files.newBufferedReader(file)) {
      return readAll(reader, file.toString());
    }
  }

  static List<ObjectNode> readAll(String yaml, String origin) throws IOException {
    return readAll(new StringReader(yaml), origin);
  }

  private static List<ObjectNode> readAll(Reader reader, String origin) throws IOException {
    List<ObjectNode> docs = new ArrayList<>();
    try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(reader)) {
      while (it.hasNextValue()) {
        JsonNode doc = it.nextValue();
        if (doc == null || doc.isNull() || doc.isMissingNode() || (doc.isObject() && doc.isEmpty())) continue;
        if (!doc.isObject()) throw new IllegalStateException(origin + ": a document is not a mapping: " + doc);
        if (doc.path("kind").asText().isEmpty() || doc.path("metadata").path("name").asText().isEmpty()) {
          throw new IllegalStateException(origin + ": a document has no kind or metadata.name: " + doc);
        }
        docs.add((ObjectNode) doc);
      }
    }
    return docs;
  }

  private static void checkUnique(List<ObjectNode> resources, Path file) {
    Set<String> seen = new java.util.HashSet<>();
    for (ObjectNode r : resources) {
      String id = r.path("kind").asText() + "/" + r.path("metadata").path("name").asText();
      if (!seen.add(id)) throw new IllegalStateException(file + ": resource " + id + " is listed twice");
    }
  }

  private static ObjectNode find(List<ObjectNode> resources, String kind, String name) {
    for (ObjectNode r : resources) {
      if (r.path("kind").asText().equals(kind) && r.path("metadata").path("name").asText().equals(name)) return r;
    }
    return null;
  }

  private static void setImage(ObjectNode container, JsonNode image) {
    String current = container.path("image").asText();
    if (current.isEmpty()) return;
    String name = current;
    int at = name.indexOf('@');
    if (at >= 0) name = name.substring(0, at);
    int colon = name.lastIndexOf(':');
    String tag = null;
    if (colon > name.lastIndexOf('/')) {
      tag = name.substring(colon + 1);
      name = name.substring(0, colon);
    }
    if (!name.equals(image.path("name").asText())) return;
    String newName = image.hasNonNull("newName") ? image.get("newName").asText() : name;
    if (image.hasNonNull("digest")) {
      container.put("image", newName + "@" + image.get("digest").asText());
    } else {
      String newTag = image.hasNonNull("newTag") ? image.get("newTag").asText() : tag;
      container.put("image", newTag == null ? newName : newName + ":" + newTag);
    }
  }

  /**
   * Kubernetes strategic merge, the part these manifests use: maps merge recursively, null deletes a
   * key, lists of objects with a known merge key merge element by element, other lists are replaced.
   */
  static void strategicMerge(ObjectNode target, ObjectNode patch, String path) {
    for (Iterator<Map.Entry<String, JsonNode>> it = patch.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String key = e.getKey();
      JsonNode value = e.getValue();
      if (key.startsWith("$")) throw new IllegalStateException("patch directive " + key + " at " + path + " is not supported by KustomizeLite");
      JsonNode current = target.get(key);
      if (value == null || value.isNull()) {
        target.remove(key);
      } else if (value.isObject() && current != null && current.isObject()) {
        strategicMerge((ObjectNode) current, (ObjectNode) value, path + "/" + key);
      } else if (value.isArray() && current != null && current.isArray() && mergeKey(key, (ArrayNode) value) != null) {
        mergeList((ArrayNode) current, (ArrayNode) value, mergeKey(key, (ArrayNode) value), path + "/" + key);
      } else {
        target.set(key, value.deepCopy());
      }
    }
  }

  /** The merge key of a list field, or null to replace the list (as the Kubernetes API declares them). */
  private static List<String> mergeKey(String field, ArrayNode patchList) {
    switch (field) {
      case "containers", "initContainers", "volumes", "env", "imagePullSecrets":
        return List.of("name");
      case "volumeMounts":
        return List.of("mountPath");
      case "ports":
        // Container ports merge on containerPort, Service ports on (port, protocol).
        for (JsonNode p : patchList) if (p.has("containerPort")) return List.of("containerPort");
        return List.of("port", "protocol");
      default:
        return null;
    }
  }

  /** Matching elements merge in place; new ones go first, in patch order (as kustomize v5 does). */
  private static void mergeList(ArrayNode target, ArrayNode patch, List<String> key, String path) {
    int inserted = 0;
    for (JsonNode p : patch) {
      if (!p.isObject()) throw new IllegalStateException("list " + path + " holds a non-object element");
      ObjectNode match = null;
      for (JsonNode t : target) {
        if (t.isObject() && sameKey(t, p, key)) {
          match = (ObjectNode) t;
          break;
        }
      }
      if (match == null) {
        target.insert(inserted++, p.deepCopy());
      } else {
        strategicMerge(match, (ObjectNode) p, path + "[" + key + "]");
      }
    }
  }

  private static boolean sameKey(JsonNode a, JsonNode b, List<String> key) {
    for (String k : key) {
      String absent = k.equals("protocol") ? "TCP" : "";
      String va = a.hasNonNull(k) ? a.get(k).asText() : absent;
      String vb = b.hasNonNull(k) ? b.get(k).asText() : absent;
      if (!va.equals(vb)) return false;
    }
    return true;
  }
}
