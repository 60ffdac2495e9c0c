package dev.profileengine.model.eval;

import dev.profileengine.model.encoding.UserContext;
import java.util.ArrayList;
import java.util.List;

/**
 * A scorer that keeps every output of the one it wraps, in call order: {@link Evaluator} scores the
 * held-out targets once, in target order, so the served comparison reuses those outputs instead of
 * running the model again.
 */
public final class RecordingScorer implements BatchScorer {
  private final BatchScorer inner;
  private final List<Scored> recorded = new ArrayList<>();

  public RecordingScorer(BatchScorer inner) {
    this.inner = inner;
  }

  @Override
  public List<Scored> score(List<UserContext> contexts) {
    List<Scored> out = inner.score(contexts);
    recorded.addAll(out);
    return out;
  }

  @Override
  public String title() {
    return inner.title();
  }

  /** Everything scored so far, in order. */
  public List<Scored> recorded() {
    return List.copyOf(recorded);
  }
}
