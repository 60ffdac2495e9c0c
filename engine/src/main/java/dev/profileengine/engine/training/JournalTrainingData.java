package dev.profileengine.engine.training;

import akka.actor.typed.ActorSystem;
import akka.persistence.jdbc.query.javadsl.JdbcReadJournal;
import akka.persistence.query.EventEnvelope;
import akka.persistence.query.Offset;
import akka.persistence.query.PersistenceQuery;
import akka.stream.ActorAttributes;
import akka.stream.javadsl.Sink;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.profileengine.engine.UserProfile;
import dev.profileengine.engine.changes.ChangeFeed;
import dev.profileengine.profile.BehaviorEvent;
import dev.profileengine.profile.Consent;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * The behaviors of the engine's own journal as a training file (the model tools' {@code json}
 * format, one event per line): each behavior under the profile that holds it now (a merged-away
 * profile's under the profile it merged into, until it is split off again), within an event-time
 * window, without what a withdrawal of analytics consent or a forget dropped from the profile (the
 * rows journaled before it, of that profile or of the one holding it). Whether an example only sees
 * earlier events is the trainer's to keep (it orders each user's events by time).
 */
public final class JournalTrainingData {
  /** What was written: the file, the window it covers, behaviors and users in it. */
  public record Written(Path file, Instant since, Instant until, long events, long users) {}

  private final ActorSystem<?> system;
  private final JdbcReadJournal journal;

  public JournalTrainingData(ActorSystem<?> system) {
    this.system = system;
    this.journal = PersistenceQuery.get(system).getReadJournalFor(JdbcReadJournal.class, JdbcReadJournal.Identifier());
  }

  /**
   * Writes the behaviors with event time in [{@code since}, {@code until}] to {@code file}, the
   * newest {@code maxEvents} of them; a null {@code until} is the newest behavior's time, a null
   * {@code since} is {@code window} before it.
   */
  public CompletionStage<Written> write(Path file, Instant since, Instant until, Duration window, long maxEvents) {
    Path raw = file.resolveSibling(file.getFileName() + ".raw");
    Journal seen = new Journal();
    BufferedWriter out = open(raw);
    return journal.currentEventsByTag(ChangeFeed.TAG, Offset.sequence(0))
        .runWith(Sink.<EventEnvelope>foreach(env -> seen.add(env, out))
            .withAttributes(ActorAttributes.dispatcher("akka.actor.default-blocking-io-dispatcher")), system)
        .thenApply(done -> {
          close(out);
          try {
            Instant to = until != null ? until : seen.newest == Long.MIN_VALUE ? Instant.EPOCH : Instant.ofEpochMilli(seen.newest);
            Instant from = since != null ? since : to.minus(window);
            return seen.writeTraining(raw, file, seen.newestFirst(raw, from, to, maxEvents), to);
          } finally {
            delete(raw);
          }
        })
        .whenComplete((w, e) -> {
          close(out);
          if (e != null) delete(raw);
        });
  }

  /** What the journal says about each profile, kept while its rows are read. */
  private static final class Journal {
    // Only profiles that merged, withdrew analytics or were forgotten are kept.
    private final Map<String, String> mergedInto = new HashMap<>();
    /** The journal offset before which a profile's rows were dropped (analytics withdrawn, or forgotten). */
    private final Map<String, Long> droppedBefore = new HashMap<>();
    private long newest = Long.MIN_VALUE;

    void add(EventEnvelope env, BufferedWriter raw) throws IOException {
      String id = profileId(env.persistenceId());
      if (id == null) return;
      String profile = flat(id); // as the raw file holds it
      Object event = env.event();
      if (event instanceof UserProfile.EventRecorded r) {
        BehaviorEvent e = r.event();
        newest = Math.max(newest, e.timeMillis());
        // profile, offset, time, event id, type, category: one tab-separated line
        raw.write(profile + '\t' + offset(env) + '\t' + e.timeMillis() + '\t' + flat(e.eventId()) + '\t' + e.type().wire() + '\t'
            + (e.categoryId() == null ? "" : flat(e.categoryId())));
        raw.newLine();
      } else if (event instanceof UserProfile.MergedInto m) {
        mergedInto.put(profile, flat(m.into()));
      } else if (event instanceof UserProfile.Restored) {
        mergedInto.remove(profile);
      } else if (event instanceof UserProfile.ConsentSet c && Boolean.FALSE.equals(c.changes().get(Consent.Purpose.ANALYTICS))) {
        droppedBefore.put(profile, offset(env));
      } else if (event instanceof UserProfile.Forgotten) {
        droppedBefore.put(profile, offset(env));
      }
    }

    /** The profile that holds {@code profile}'s behaviors now (follows chains of merges; a cycle stops). */
    String holder(String profile) {
      String p = profile;
      for (int i = 0; i < 64 && mergedInto.containsKey(p); i++) p = mergedInto.get(p);
      return p;
    }

    /** Whether the row at {@code offset} of {@code profile}, held by {@code holder}, was dropped from the profile. */
    boolean dropped(String profile, String holder, long offset) {
      return offset < droppedBefore.getOrDefault(profile, Long.MIN_VALUE) || offset < droppedBefore.getOrDefault(holder, Long.MIN_VALUE);
    }

    /**
     * The start of the window narrowed to its newest {@code maxEvents} behaviors (the trainer's memory
     * grows with them): the event time of the {@code maxEvents}-th newest row in [from, to].
     */
    Instant newestFirst(Path raw, Instant from, Instant to, long maxEvents) {
      long lo = from.toEpochMilli();
      long hi = to.toEpochMilli();
      long[] times = new long[1024];
      int n = 0;
      try (BufferedReader in = Files.newBufferedReader(raw, StandardCharsets.UTF_8)) {
        for (String line = in.readLine(); line != null; line = in.readLine()) {
          int a = line.indexOf('\t', line.indexOf('\t') + 1);
          long time = Long.parseLong(line.substring(a + 1, line.indexOf('\t', a + 1)));
          if (time < lo || time > hi) continue;
          if (n == times.length) times = java.util.Arrays.copyOf(times, n * 2);
          times[n++] = time;
        }
      } catch (IOException e) {
        throw new UncheckedIOException("reading " + raw + ": " + e.getMessage(), e);
      }
      if (n <= maxEvents) return from;
      java.util.Arrays.sort(times, 0, n);
      return Instant.ofEpochMilli(times[n - (int) maxEvents]);
    }

    Written writeTraining(Path raw, Path file, Instant since, Instant until) {
      long events = 0;
      Set<String> users = new HashSet<>();
      long from = since.toEpochMilli();
      long to = until.toEpochMilli();
      try (BufferedReader in = Files.newBufferedReader(raw, StandardCharsets.UTF_8);
          JsonGenerator json = new JsonFactory().createGenerator(Files.newBufferedWriter(file, StandardCharsets.UTF_8))) {
        json.setRootValueSeparator(new com.fasterxml.jackson.core.io.SerializedString("\n"));
        for (String line = in.readLine(); line != null; line = in.readLine()) {
          String[] f = line.split("\t", -1);
          long time = Long.parseLong(f[2]);
          if (time < from || time > to) continue;
          String holder = holder(f[0]);
          if (dropped(f[0], holder, Long.parseLong(f[1]))) continue;
          json.writeStartObject();
          json.writeStringField("eventId", f[3]);
          json.writeStringField("userId", holder);
          json.writeStringField("type", f[4]);
          json.writeNumberField("timestamp", time);
          if (!f[5].isEmpty()) json.writeStringField("categoryId", f[5]);
          json.writeEndObject();
          events++;
          users.add(holder);
        }
        json.writeRaw('\n');
      } catch (IOException e) {
        throw new UncheckedIOException("writing the training file " + file + ": " + e.getMessage(), e);
      }
      return new Written(file, since, until, events, users.size());
    }
  }

  private static long offset(EventEnvelope env) {
    return env.offset() instanceof akka.persistence.query.Sequence seq ? seq.value() : 0L;
  }

  /** {@code s} on one line of one field (a tab or line break in an id becomes a space). */
  static String flat(String s) {
    return s.replace('\t', ' ').replace('\n', ' ').replace('\r', ' ');
  }

  /** The entity id of a user profile's persistence id, null for other entities. */
  static String profileId(String persistenceId) {
    String prefix = UserProfile.ENTITY_KEY.name() + "|";
    return persistenceId.startsWith(prefix) ? persistenceId.substring(prefix.length()) : null;
  }

  private static BufferedWriter open(Path raw) {
    try {
      Files.createDirectories(raw.getParent());
      return Files.newBufferedWriter(raw, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + raw + ": " + e.getMessage(), e);
    }
  }

  private static void close(BufferedWriter w) {
    try {
      w.close();
    } catch (IOException ignored) {
      // closing twice, or a failed flush already reported by the write
    }
  }

  static void delete(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException ignored) {
      // a left-over temporary file: the next run overwrites it
    }
  }
}
