package dev.profileengine.engine;

import java.util.Arrays;

/**
 * The steps of the latest fold a command made, for the event handler to take instead of folding the
 * same events again: a command folds its events to find the segment change they cause, then Akka
 * applies the persisted events to the same state. A step is taken only for the very state and event
 * objects it was computed from (the fold is pure), so a stale or foreign step is never used. Holds
 * nothing between writes (one per live profile).
 */
final class FoldMemo<S, E> {
  private Object[] steps; // from, event, to; from, event, to; ... (null: none)
  private int size;
  private int next;

  /** Starts a new fold: earlier steps are forgotten. */
  void clear() {
    steps = null;
    size = 0;
    next = 0;
  }

  void record(S from, E event, S to) {
    if (steps == null) steps = new Object[6];
    else if (size + 3 > steps.length) steps = Arrays.copyOf(steps, steps.length * 2);
    steps[size++] = from;
    steps[size++] = event;
    steps[size++] = to;
  }

  /** Whether no step is left to take. */
  boolean isEmpty() {
    return steps == null;
  }

  /** The state {@code event} leads {@code from} to if that is the next recorded step, else null (and the rest is forgotten). */
  @SuppressWarnings("unchecked")
  S take(S from, E event) {
    if (next < size && steps[next] == from && steps[next + 1] == event) {
      S to = (S) steps[next + 2];
      next += 3;
      if (next == size) clear();
      return to;
    }
    if (steps != null) clear();
    return null;
  }
}
