package dev.profileengine.engine.profiles;

import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import dev.profileengine.engine.EngineSettings;
import dev.profileengine.engine.UserProfile;
import dev.profileengine.profile.FieldError;
import dev.profileengine.profile.Identity;
import dev.profileengine.profile.identity.IdentityClaim;
import dev.profileengine.profile.identity.IdentityRules;
import dev.profileengine.profile.identity.UnmergeBlocks;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Predicate;

/**
 * Links and unlinks identities (any protocol). The graph lives in the profiles themselves: each
 * identity is a profile key, a merged profile points at its canonical one, and each merge or
 * unmerge is journaled by the profiles it changes (see {@code UserProfile.MergeInto}). This class
 * only finds the canonical profiles the named identities belong to, checks the rules, picks the
 * canonical one (a profile with a user id first) and asks the others to merge into it. Identities
 * carried by events do not join profiles an unmerge split apart ({@link UnmergeBlocks}); an explicit
 * identify does, and so lifts the block.
 */
final class IdentityGraph {
  /** A merge that finds a profile moved meanwhile starts again, this many times at most. */
  private static final int ATTEMPTS = 3;

  private final ClusterSharding sharding;
  private final EngineSettings settings;
  private final Executor executor;
  private final Duration linkTimeout;
  /** Claims carried by events that were linked lately: not asked again. */
  private final RecentLinks recentLinks;
  private final ProfileMetrics metrics;
  /** Keys the journal certainly holds nothing for (see {@code Profiles.neverWritten}). */
  private final Predicate<String> neverWritten;

  IdentityGraph(ClusterSharding sharding, EngineSettings settings, Executor executor, ProfileMetrics metrics,
                Predicate<String> neverWritten, RecentLinks recentLinks) {
    this.recentLinks = recentLinks;
    this.metrics = metrics;
    this.neverWritten = neverWritten;
    this.sharding = sharding;
    this.settings = settings;
    this.executor = executor;
    // A link step reads a profile's journal and waits for the other profile's write.
    this.linkTimeout = settings.askTimeout().multipliedBy(2);
  }

  /** The identities a claim names, their values checked and PII values hashed with the node's salt. */
  IdentityClaim.Resolved resolved(IdentityClaim claim) {
    return claim.resolve(settings.identity(), settings.pii());
  }

  /** The identities a claim names (PII values hashed), or the refusal naming the wrong field. */
  Outcome<List<Identity>> identities(IdentityClaim claim) {
    IdentityClaim.Resolved r = resolved(claim);
    if (!r.ok()) {
      FieldError e = r.errors().get(0);
      return Outcome.refused(Refusal.Reason.INVALID, e.field(), e.reason(), 0);
    }
    return new Outcome.Ok<>(r.identities());
  }

  /**
   * As {@link #identify}, for identities an event carries: a claim linked on this node within the
   * last minute is not asked again, and profiles an unmerge split apart are not joined. Completes
   * with the block that kept it from linking, else null (linked, or refused or off for another reason).
   */
  CompletionStage<UnmergeBlocks.Blocked> identifyCarried(IdentityClaim claim) {
    if (!settings.identity().enabled()) return CompletableFuture.completedFuture(null);
    // Resolved once (PII values hashed), for the cache's key and the link alike. Refused: nothing to link.
    if (!(identities(claim) instanceof Outcome.Ok<List<Identity>> ok)) return CompletableFuture.completedFuture(null);
    List<String> keys = keysOf(ok.value());
    if (recentLinks.linkedLately(keys)) {
      metrics.identityLinks.labelValues("identify", "cached").inc();
      return CompletableFuture.completedFuture(null);
    }
    long generation = recentLinks.generation();
    return linkCounted(keys, true).thenApply(r -> {
      // Remembered once settled: a merge only started is asked again by the next event (cheap once it ended);
      // not if an unmerge or a forget began meanwhile (what was resolved before it may be split now).
      if (r.outcome() instanceof Outcome.Ok<Linked> && r.settled()) recentLinks.linked(keys, generation);
      return r.blocked();
    });
  }

  /** A forget erased links: a claim remembered as linked (on any node) must be linked again by the next event that carries it. */
  void forgotten() {
    recentLinks.changed();
  }

  /** Links every identity of {@code claim} into one canonical profile, whatever an unmerge blocked (this is the deliberate link). */
  CompletionStage<Outcome<Linked>> identify(IdentityClaim claim) {
    if (!settings.identity().enabled()) return CompletableFuture.completedFuture(disabled());
    Outcome<List<Identity>> named = identities(claim);
    if (!(named instanceof Outcome.Ok<List<Identity>> ok)) return CompletableFuture.completedFuture(refusedAs(named));
    return linkCounted(keysOf(ok.value()), false).thenApply(LinkResult::outcome);
  }

  /** The profile keys of resolved identities, each once, in order. */
  private static List<String> keysOf(List<Identity> identities) {
    return identities.stream().map(Identity::key).distinct().toList();
  }

  /** Links the profiles of {@code keys}, counting the outcome in the metrics. */
  private CompletionStage<LinkResult> linkCounted(List<String> keys, boolean carried) {
    long start = System.nanoTime();
    return link(keys, ATTEMPTS, carried)
        .exceptionallyCompose(failure -> Asks.timeoutRefused(CompletableFuture.<Outcome<Linked>>failedFuture(failure)).thenApply(o -> new LinkResult(o, false, null)))
        .thenApply(r -> {
          if (r.blocked() != null) metrics.identityLinks.labelValues("identify", "blocked").inc();
          else if (r.merged() || !(r.outcome() instanceof Outcome.Ok<Linked>)) counted("identify", r.outcome(), start);
          else metrics.identityLinks.labelValues("identify", "linked").inc();
          return r;
        });
  }

  /**
   * What a link came to, whether profiles were merged for it (false: they were one already), and the
   * unmerge that kept an event's identities apart (null: none).
   */
  /** {@code settled}: false when a merge was only journaled as started (it may still be cancelled: a race with another merge). */
  private record LinkResult(Outcome<Linked> outcome, boolean merged, UnmergeBlocks.Blocked blocked, boolean settled) {
    LinkResult(Outcome<Linked> outcome, boolean merged, UnmergeBlocks.Blocked blocked) {
      this(outcome, merged, blocked, true);
    }

    LinkResult started() {
      return new LinkResult(outcome, merged, blocked, false);
    }
  }

  private CompletionStage<LinkResult> link(List<String> keys, int attempts, boolean carried) {
    List<CompletableFuture<UserProfile.Resolution>> asked = keys.stream().map(k -> resolve(k).toCompletableFuture()).toList();
    return CompletableFuture.allOf(asked.toArray(CompletableFuture[]::new)).thenComposeAsync(v -> {
      Map<String, UserProfile.Resolution> roots = new LinkedHashMap<>();
      asked.forEach(a -> roots.putIfAbsent(a.join().canonical(), a.join()));
      List<UserProfile.Resolution> profiles = new ArrayList<>(roots.values());
      if (carried && profiles.size() > 1) {
        var blocked = UnmergeBlocks.check(profiles.stream().map(r -> new UnmergeBlocks.Side(r.canonical(), r.keys(), r.blocked())).toList());
        if (blocked.isPresent()) {
          UnmergeBlocks.Blocked b = blocked.get();
          return CompletableFuture.completedFuture(new LinkResult(Outcome.refused(Refusal.Reason.CONFLICT, b.field(), b.reason(), 0), false, b));
        }
      }
      List<String> limited = keys.stream().filter(k -> settings.identity().maxUsers(Identity.ofKey(k).type()) > 0).toList();
      if (!limited.isEmpty() && profiles.size() > 1) return withoutShared(keys, limited, profiles, attempts, carried);
      return mergeChecked(keys, profiles, attempts, carried);
    }, executor);
  }

  /** Checks the rules on the profiles the keys belong to, then merges them into the canonical one. */
  private CompletionStage<LinkResult> mergeChecked(List<String> keys, List<UserProfile.Resolution> profiles, int attempts, boolean carried) {
    if (profiles.size() == 1) return CompletableFuture.completedFuture(new LinkResult(linked(profiles.get(0)), false, null));
    var conflict = settings.identity().check(profiles.stream().map(r -> r.keys().stream().map(Identity::ofKey).toList()).toList());
    if (conflict.isPresent()) return done(Outcome.refused(Refusal.Reason.CONFLICT, conflict.get().field(), conflict.get().reason(), 0));
    profiles.sort(Comparator.comparing(r -> r.keys().stream().map(Identity::ofKey).min(Comparator.naturalOrder()).orElseThrow()));
    return mergeAll(profiles.get(0).canonical(), profiles.subList(1, profiles.size()), keys, attempts, carried);
  }

  /**
   * Tells each identity of a type with {@code max-users} (a device) the user ids of the profiles it
   * is about to join; one seen with more than that many is shared and left out of the link (a link
   * that needed it is refused naming it). Then links the rest.
   */
  private CompletionStage<LinkResult> withoutShared(List<String> keys, List<String> limited, List<UserProfile.Resolution> profiles, int attempts,
                                                   boolean carried) {
    List<String> userIds = profiles.stream().flatMap(r -> r.keys().stream()).map(Identity::ofKey)
        .filter(i -> Identity.USER_ID.equals(i.type())).map(Identity::value).distinct().sorted().toList();
    List<CompletableFuture<Boolean>> asked = limited.stream().map(k -> sharding.entityRefFor(UserProfile.ENTITY_KEY, k)
        .<Boolean>ask(r -> new UserProfile.SeenWith(userIds, settings.identity().maxUsers(Identity.ofKey(k).type()), r), settings.askTimeout())
        .toCompletableFuture()).toList();
    return CompletableFuture.allOf(asked.toArray(CompletableFuture[]::new)).thenComposeAsync(v -> {
      List<String> shared = new ArrayList<>();
      for (int i = 0; i < limited.size(); i++) if (asked.get(i).join()) shared.add(limited.get(i));
      if (shared.isEmpty()) return mergeChecked(keys, profiles, attempts, carried);
      metrics.identityLinks.labelValues("identify", "shared").inc();
      List<String> rest = keys.stream().filter(k -> !shared.contains(k)).toList();
      Identity first = Identity.ofKey(shared.get(0));
      if (rest.size() < 2) {
        return done(Outcome.refused(Refusal.Reason.CONFLICT, IdentityRules.field(first.type()), "is shared: seen with more than "
            + settings.identity().maxUsers(first.type()) + " user ids, it is not merged any more", 0));
      }
      return link(rest, attempts, carried);
    }, executor);
  }

  /** Merges each of {@code others} into {@code canonical}, one after the other. */
  private CompletionStage<LinkResult> mergeAll(String canonical, List<UserProfile.Resolution> others, List<String> keys, int attempts, boolean carried) {
    if (others.isEmpty()) {
      // An event's links only need to be made: no ask for the whole profile's identities to answer with.
      if (carried) return CompletableFuture.completedFuture(new LinkResult(new Outcome.Ok<>(
          new Linked(canonical, Identity.byType(keys.stream().map(Identity::ofKey).toList()))), true, null));
      return resolve(canonical).thenApply(r -> new LinkResult(linked(r), true, null));
    }
    UserProfile.Resolution next = others.get(0);
    // An event's links (its own profile holds it durably) wait only until the last merge they need is
    // journaled as started: it finishes by itself, and reads of the merging profile wait for it.
    Boolean whenStarted = carried && others.size() == 1 ? Boolean.TRUE : null;
    return sharding.entityRefFor(UserProfile.ENTITY_KEY, next.canonical())
        .<UserProfile.LinkReply>ask(r -> new UserProfile.MergeInto(canonical, whenStarted, r), linkTimeout)
        .thenComposeAsync(reply -> switch (reply.status()) {
          case LINKED -> mergeAll(reply.canonical(), others.subList(1, others.size()), keys, attempts, carried);
          // Journaled as started, it goes on by itself: enough for an event's links (an explicit identify waits for it).
          case IN_PROGRESS -> carried
              ? mergeAll(reply.canonical(), others.subList(1, others.size()), keys, attempts, carried).thenApply(LinkResult::started)
              : done(busy(reply.reason()));
          case MOVED -> attempts > 1 ? link(keys, attempts - 1, carried) : done(busy("the profiles kept moving"));
          case REFUSED -> done(Outcome.refused(Refusal.Reason.CONFLICT, reply.field(), reply.reason(), 0));
          default -> done(busy(reply.reason()));
        }, executor);
  }

  private static CompletableFuture<LinkResult> done(Outcome<Linked> refused) {
    return CompletableFuture.completedFuture(new LinkResult(refused, false, null));
  }

  /** Splits off every identity of {@code claim} (and what came with it) from the profile {@code profileKey} is linked to. */
  CompletionStage<Outcome<Linked>> unmerge(String profileKey, IdentityClaim claim) {
    if (!settings.identity().enabled()) return CompletableFuture.completedFuture(disabled());
    Outcome<List<Identity>> named = identities(claim);
    if (!(named instanceof Outcome.Ok<List<Identity>> ok)) return CompletableFuture.completedFuture(refusedAs(named));
    recentLinks.changed();
    long start = System.nanoTime();
    List<String> keys = keysOf(ok.value());
    return Asks.timeoutRefused(resolve(profileKey).<Outcome<Linked>>thenCompose(r -> {
          // Every identity named must be linked before any is split off: a 404 changes nothing.
          for (String k : keys) {
            if (!r.keys().contains(k)) {
              String field = IdentityRules.field(Identity.ofKey(k).type());
              return CompletableFuture.completedFuture(Outcome.<Linked>refused(Refusal.Reason.NOT_LINKED, field,
                  field + " is not linked to the profile of '" + profileKey + "'", 0));
            }
          }
          return unmergeAll(profileKey, keys);
        }))
        .thenApply(o -> {
          // Links an event made while the split was under way were resolved before it.
          recentLinks.changed();
          return counted("unmerge", o, start);
        });
  }

  private CompletionStage<Outcome<Linked>> unmergeAll(String profileKey, List<String> keys) {
    if (keys.isEmpty()) return resolve(profileKey).thenApply(IdentityGraph::linked);
    // A refusal or a retry names the field the identity was sent in.
    String field = IdentityRules.field(Identity.ofKey(keys.get(0)).type());
    return sharding.entityRefFor(UserProfile.ENTITY_KEY, profileKey)
        .<UserProfile.LinkReply>ask(r -> new UserProfile.Unmerge(keys.get(0), r), linkTimeout)
        .thenComposeAsync(reply -> switch (reply.status()) {
          case LINKED -> unmergeAll(reply.canonical(), keys.subList(1, keys.size()));
          case NOT_LINKED -> CompletableFuture.completedFuture(new Outcome.NotFound<Linked>());
          case REFUSED -> CompletableFuture.completedFuture(Outcome.<Linked>refused(Refusal.Reason.INVALID,
              reply.field() == null ? field : reply.field(), reply.reason(), 0));
          default -> CompletableFuture.completedFuture(busy(field, reply.reason()));
        }, executor);
  }

  /** The canonical profile the identity {@code key} belongs to, with its identity keys. */
  CompletionStage<UserProfile.Resolution> resolve(String key) {
    // Nothing ever journaled under it (an identity seen first in its link): its own canonical profile,
    // alone and empty, as its entity would answer; no entity started to say so.
    if (neverWritten.test(key)) return CompletableFuture.completedFuture(new UserProfile.Resolution(key, List.of(key), false));
    return sharding.entityRefFor(UserProfile.ENTITY_KEY, key).ask(UserProfile.Resolve::new, settings.askTimeout());
  }

  private static Outcome<Linked> linked(UserProfile.Resolution r) {
    return new Outcome.Ok<>(new Linked(r.canonical(), Identity.byType(r.keys().stream().map(Identity::ofKey).toList())));
  }

  private Outcome<Linked> counted(String kind, Outcome<Linked> o, long start) {
    String outcome;
    if (o instanceof Outcome.Ok<Linked>) {
      outcome = kind.equals("unmerge") ? "split" : "merged";
      metrics.identityLinkSeconds.labelValues(kind).observe((System.nanoTime() - start) / 1e9);
    } else if (o instanceof Outcome.NotFound<Linked>
        || o instanceof Outcome.Refused<Linked> n && n.refusal().reason() == Refusal.Reason.NOT_LINKED) outcome = "not_linked";
    else if (o instanceof Outcome.Refused<Linked> r && r.refusal().reason() == Refusal.Reason.CONFLICT) outcome = "conflict";
    else outcome = "refused";
    metrics.identityLinks.labelValues(kind, outcome).inc();
    return o;
  }

  private static Outcome<Linked> disabled() {
    return Outcome.refused(Refusal.Reason.DISABLED, "identities", "identity resolution is off on this node (profile.identity.enabled, PROFILE_IDENTITY)", 0);
  }

  /** A link that must wait for another merge: no field is at fault (a client may not have sent {@code identities} at all). */
  private static Outcome<Linked> busy(String reason) {
    return busy(null, reason);
  }

  private static Outcome<Linked> busy(String field, String reason) {
    String why = reason == null ? "a merge is in progress" : reason;
    // The profile's own reason may say it already ("…: retry").
    return Outcome.refused(Refusal.Reason.UNAVAILABLE, field, why.endsWith("retry") ? why : why + ": retry", 1);
  }

  @SuppressWarnings("unchecked")
  private static <T> Outcome<T> refusedAs(Outcome<?> o) {
    return (Outcome<T>) o;
  }
}
