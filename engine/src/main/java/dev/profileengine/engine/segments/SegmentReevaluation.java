package dev.profileengine.engine.segments;

import akka.actor.typed.ActorSystem;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.persistence.jdbc.query.javadsl.JdbcReadJournal;
import akka.persistence.query.PersistenceQuery;
import akka.stream.javadsl.Sink;
import dev.profileengine.engine.UserProfile;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Re-evaluates every existing profile's segments in the background after the rules changed,
 * while ingestion goes on: each profile is asked through its entity (the single writer), a few at
 * a time, and journals a {@code segments} change if its membership differs. The rules' fingerprint
 * is kept in {@code profile_segment_rules}; the node that swaps it in runs the job, so a cluster
 * starting with new rules runs it once.
 */
public final class SegmentReevaluation {
  private static final Logger log = LoggerFactory.getLogger(SegmentReevaluation.class);
  private static final String TABLE = "profile_segment_rules";

  /**
   * Progress for readers; {@code state}: idle, running, done or failed; {@code reason}: rules
   * changed, requested or recheck; {@code asOf}: the instant evaluated (null: each profile's latest
   * event time); {@code started}: when the job started (wall clock).
   */
  public record Status(String state, String reason, Instant asOf, Instant started, String fingerprint, long profiles, long changed, double seconds,
      double profilesPerSecond, String error) {}

  private final ActorSystem<?> system;
  private final SegmentStore store;
  private final String fingerprint;
  private final int parallelism;
  private final AtomicLong profiles = new AtomicLong();
  private final AtomicLong changed = new AtomicLong();
  private final AtomicReference<String> state = new AtomicReference<>("idle");
  private final AtomicReference<String> error = new AtomicReference<>();
  private volatile String reason;
  private volatile Instant asOf;
  private volatile Instant started;
  private volatile long startNanos;
  private volatile long endNanos;

  public SegmentReevaluation(ActorSystem<?> system, SegmentStore store, String fingerprint, int parallelism) {
    this.system = system;
    this.store = store;
    this.fingerprint = fingerprint;
    this.parallelism = parallelism;
  }

  /** Starts the job if the stored fingerprint differs from the configured rules' (and this node wins the swap). */
  public void startIfRulesChanged() {
    String previous = swapFingerprint();
    if (previous == null) return;
    log.info("Segment rules changed ({} -> {}): re-evaluating every profile in the background", previous.isEmpty() ? "none" : previous, fingerprint);
    start(null, "rules changed");
  }

  /**
   * Starts a full re-evaluation now (unless one is running; then returns false), each profile as
   * of {@code asOf} or, when null or before the profile's latest event, its latest event time.
   */
  public boolean start(Instant asOf, String reason) {
    if (!state.compareAndSet("idle", "running") && !state.compareAndSet("done", "running") && !state.compareAndSet("failed", "running")) return false;
    this.asOf = asOf;
    this.reason = reason;
    this.started = Instant.now();
    log.info("Segment re-evaluation ({}) started as of {}", reason, asOf == null ? "each profile's latest event" : asOf);
    profiles.set(0);
    changed.set(0);
    error.set(null);
    startNanos = System.nanoTime();
    ClusterSharding sharding = ClusterSharding.get(system);
    Duration timeout = Duration.ofSeconds(30);
    String prefix = UserProfile.ENTITY_KEY.name() + "|";
    CompletionStage<akka.Done> done = PersistenceQuery.get(system).getReadJournalFor(JdbcReadJournal.class, JdbcReadJournal.Identifier())
        .currentPersistenceIds()
        .filter(pid -> pid.startsWith(prefix))
        .mapAsyncUnordered(parallelism, pid -> sharding.entityRefFor(UserProfile.ENTITY_KEY, pid.substring(prefix.length()))
            .<Boolean>ask(replyTo -> new UserProfile.ReevaluateSegments(asOf, replyTo), timeout))
        .map(c -> {
          long n = profiles.incrementAndGet();
          if (c) changed.incrementAndGet();
          if (n % 5000 == 0) log.info("Segment re-evaluation: {} profiles, {} changed, {} profiles/s", n, changed.get(), String.format("%.0f", rate()));
          return c;
        })
        .runWith(Sink.ignore(), system);
    done.whenComplete((d, failure) -> {
      endNanos = System.nanoTime();
      if (failure != null) {
        error.set(failure.toString());
        state.set("failed");
        log.warn("Segment re-evaluation failed after {} profiles: {}", profiles.get(), failure.toString());
      } else {
        state.set("done");
        log.info("Segment re-evaluation done: {} profiles, {} changed membership, {} s, {} profiles/s", profiles.get(), changed.get(),
            String.format("%.1f", seconds()), String.format("%.0f", rate()));
      }
    });
    return true;
  }

  public Status status() {
    return new Status(state.get(), reason, asOf, started, fingerprint, profiles.get(), changed.get(), seconds(), rate(), error.get());
  }

  private double seconds() {
    if (startNanos == 0) return 0;
    long end = state.get().equals("running") ? System.nanoTime() : endNanos;
    return (end - startNanos) / 1e9;
  }

  private double rate() {
    double s = seconds();
    return s <= 0 ? 0 : profiles.get() / s;
  }

  /** The stored fingerprint if this node replaced it with the current one ("" if none was stored), null if unchanged. */
  private String swapFingerprint() {
    try (Connection c = store.connection()) {
      try (Statement st = c.createStatement()) {
        st.execute("CREATE TABLE IF NOT EXISTS " + TABLE + " (id INT NOT NULL PRIMARY KEY, fingerprint VARCHAR(64) NOT NULL)");
      }
      String stored = null;
      try (PreparedStatement st = c.prepareStatement("SELECT fingerprint FROM " + TABLE + " WHERE id = 1"); ResultSet rs = st.executeQuery()) {
        if (rs.next()) stored = rs.getString(1);
      }
      if (fingerprint.equals(stored)) return null;
      if (stored == null) {
        try (PreparedStatement st = c.prepareStatement("INSERT INTO " + TABLE + " (id, fingerprint) VALUES (1, ?)")) {
          st.setString(1, fingerprint);
          st.executeUpdate();
        } catch (SQLException raced) {
          return null; // another node inserted first and runs the job
        }
        return "";
      }
      try (PreparedStatement st = c.prepareStatement("UPDATE " + TABLE + " SET fingerprint = ? WHERE id = 1 AND fingerprint = ?")) {
        st.setString(1, fingerprint);
        st.setString(2, stored);
        return st.executeUpdate() == 1 ? stored : null;
      }
    } catch (SQLException e) {
      log.warn("Segment rules fingerprint not checked: {}", e.getMessage());
      return null;
    }
  }
}
