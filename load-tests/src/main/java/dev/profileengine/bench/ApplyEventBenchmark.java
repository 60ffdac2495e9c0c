package dev.profileengine.bench;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.typesafe.config.ConfigFactory;
import dev.profileengine.engine.EngineSettings;
import dev.profileengine.profile.Admission;
import dev.profileengine.profile.BehaviorEvent;
import dev.profileengine.profile.ProfileSettings;
import dev.profileengine.profile.ProfileState;
import dev.profileengine.profile.ProfileView;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The pure profile math per event, no actor and no journal: what one {@code UserProfile} entity
 * spends in its event handler ({@link ProfileState#apply}), in its command handler before the
 * persist ({@link ProfileState#admit}: exactly-once and lateness) and on a read
 * ({@link ProfileState#view}, and the view rendered to JSON as {@code GET /v1/profiles/{id}} does).
 *
 * <p>Profiles are real ({@link BenchData}): {@code empty}, {@code median} (~79 events) and
 * {@code warm} (1,000 events). States are immutable, so every invocation applies the same next
 * event to the same profile: the figure is the cost of one event, not of a growing profile.
 *
 * <p>{@code java -jar load-tests/target/benchmarks.jar ApplyEvent -f 1 -wi 3 -i 5}
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@State(Scope.Benchmark)
public class ApplyEventBenchmark {

  @Param({"empty", "median", "warm"})
  public String profile;

  /** Which JSON mapper {@link #viewJson} uses. */
  @Param({"gateway", "plain"})
  public String mapper;

  private ProfileSettings settings;
  private ProfileState state;
  private BehaviorEvent next;
  private BehaviorEvent seen;
  private ObjectMapper json;

  @Setup(Level.Trial)
  public void setUp() {
    settings = EngineSettings.profileSettings(ConfigFactory.parseResources("engine-profile.conf").resolve());
    BenchData.Profile p = BenchData.load().profile(profile, settings);
    state = p.state();
    next = p.next();
    seen = p.alreadySeen() != null ? p.alreadySeen() : p.next();
    if (!(state.admit(next, settings) instanceof Admission.Accept)) throw new IllegalStateException("next event is not admitted: " + state.admit(next, settings));
    // "gateway": the mapper GET /v1/profiles/{id} renders with (fast Instant writer, Blackbird);
    // "plain": stock Jackson with JavaTimeModule, for the ratio.
    json = mapper.equals("gateway") ? dev.profileengine.gateway.wire.Json.MAPPER : new ObjectMapper()
        .registerModule(new JavaTimeModule())
        .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
        .setSerializationInclusion(JsonInclude.Include.NON_NULL);
    System.out.printf("%n[profile %s] %d events applied, %d ids remembered, next event %s%n",
        profile, state.eventCount(), state.seen().size(), next.eventId());
  }

  /** Folds one admitted event into the profile (the event handler). */
  @Benchmark
  public ProfileState apply() {
    return state.apply(next, settings);
  }

  /** Exactly-once and lateness check of a new event (the command handler, before persisting). */
  @Benchmark
  public Admission admitNew() {
    return state.admit(next, settings);
  }

  /** The same check for an event id the profile already applied: answered as a duplicate. */
  @Benchmark
  public Admission admitDuplicate() {
    return state.admit(seen, settings);
  }

  /** The reader's view: windows, decay and ranking computed as of the latest event. */
  @Benchmark
  public ProfileView view() {
    return state.view(null, settings);
  }

  /** The view rendered to the JSON body of {@code GET /v1/profiles/{id}}. */
  @Benchmark
  public byte[] viewJson() throws Exception {
    return json.writeValueAsBytes(state.view(null, settings));
  }
}
