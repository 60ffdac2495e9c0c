package dev.profileengine.engine.profiles;

import dev.profileengine.profile.Identity;
import dev.profileengine.profile.identity.IdentityClaim;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The order in which a batch's events go to their profiles. Events of one key keep their batch
 * order in one write per key, and keys are written concurrently. But events whose identities the
 * batch links (an anonymous id's events, then events carrying it with a customer id) belong to one
 * person whose profiles merge while they are recorded: written concurrently, the customer's later
 * events could land first and make the anonymous ones too late for the merged profile. So the
 * events of identities linked in the batch form a chain of runs (consecutive events of one key, in
 * batch order), written one after the other, as if they had all been sent under one id (up to
 * {@link #MAX_RUNS} runs).
 */
final class SendOrder {
  private SendOrder() {}

  /**
   * @param keys the profile key of each event, in batch order
   * @param links the identities each event links (null: none), same order
   * @return the chains, each a list of runs written one after the other; a run lists the positions
   *     (in {@code keys}) of consecutive events of one key. Chains are in order of their first event.
   */
  static List<List<List<Integer>>> chains(List<String> keys, List<IdentityClaim> links) {
    List<Integer> all = java.util.stream.IntStream.range(0, keys.size()).boxed().toList();
    if (links.stream().allMatch(java.util.Objects::isNull)) return byKey(keys, all); // the usual batch: no links
    Map<String, Integer> ids = new HashMap<>();
    List<Integer> parent = new ArrayList<>();
    int[] node = new int[keys.size()];
    for (int i = 0; i < keys.size(); i++) {
      node[i] = id(keys.get(i), ids, parent);
      IdentityClaim c = links.get(i);
      if (c == null) continue;
      if (c.userId() != null) union(node[i], id(c.userId(), ids, parent), parent);
      if (c.anonymousId() != null) union(node[i], id(Identity.anonymousId(c.anonymousId()).key(), ids, parent), parent);
      // Typed values as sent (their keys are hashed later): a NUL prefix keeps them apart from keys.
      for (var t : c.identities().entrySet()) union(node[i], id("\u0000" + t.getKey() + "=" + t.getValue(), ids, parent), parent);
    }
    Map<Integer, List<Integer>> byPerson = new LinkedHashMap<>();
    for (int i = 0; i < keys.size(); i++) byPerson.computeIfAbsent(find(node[i], parent), p -> new ArrayList<>()).add(i);
    List<List<List<Integer>>> chains = new ArrayList<>(byPerson.size());
    for (List<Integer> events : byPerson.values()) {
      List<List<Integer>> runs = runs(keys, events);
      if (runs.size() <= MAX_RUNS) chains.add(runs);
      // A person whose keys alternate more often than that (no client's real batch does) is
      // written per key at once, as batches without links are: its writes stay bounded and
      // concurrent, and it cannot hold the node's in-flight budget for a write per event.
      else chains.addAll(byKey(keys, events));
    }
    return chains;
  }

  /** The most runs a chain is written in one after the other. */
  static final int MAX_RUNS = 16;

  /** One chain of one run per key of the events at {@code positions}. */
  private static List<List<List<Integer>>> byKey(List<String> keys, List<Integer> positions) {
    Map<String, List<Integer>> byKey = new LinkedHashMap<>();
    for (int i : positions) byKey.computeIfAbsent(keys.get(i), k -> new ArrayList<>()).add(i);
    List<List<List<Integer>>> chains = new ArrayList<>(byKey.size());
    for (List<Integer> run : byKey.values()) chains.add(List.of(run));
    return chains;
  }

  /** One run per stretch of consecutive events of one key (one run when the person has one key). */
  private static List<List<Integer>> runs(List<String> keys, List<Integer> events) {
    List<List<Integer>> runs = new ArrayList<>();
    List<Integer> run = null;
    String key = null;
    for (int i : events) {
      if (!keys.get(i).equals(key)) {
        run = new ArrayList<>();
        runs.add(run);
        key = keys.get(i);
      }
      run.add(i);
    }
    return runs;
  }

  private static int id(String identifier, Map<String, Integer> ids, List<Integer> parent) {
    return ids.computeIfAbsent(identifier, k -> {
      parent.add(parent.size());
      return parent.size() - 1;
    });
  }

  private static int find(int x, List<Integer> parent) {
    while (parent.get(x) != x) {
      parent.set(x, parent.get(parent.get(x)));
      x = parent.get(x);
    }
    return x;
  }

  private static void union(int a, int b, List<Integer> parent) {
    int ra = find(a, parent);
    int rb = find(b, parent);
    if (ra != rb) parent.set(Math.max(ra, rb), Math.min(ra, rb));
  }
}
