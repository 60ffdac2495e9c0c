package dev.profileengine.model.train;

import dev.profileengine.model.encoding.EncodedSequence;
import dev.profileengine.model.encoding.FeatureScaler;
import dev.profileengine.model.encoding.UserContext;
import dev.profileengine.profile.RecentBehavior;
import java.util.ArrayList;
import java.util.List;

/**
 * Encoded training or validation examples: the encoded context before each target and the
 * target's type ordinal and category token. {@code contexts} keeps the raw contexts (views into
 * the user sequences and the history counters before the target) for fitting the output policy.
 */
public record Examples(List<EncodedSequence> inputs, int[] typeLabels, int[] categoryLabels,
    List<UserContext> contexts, List<RecentBehavior> targets) {

  public int size() {
    return inputs.size();
  }

  /** Same examples with the summary features standardized. */
  public Examples scaled(FeatureScaler scaler) {
    List<EncodedSequence> out = new ArrayList<>(inputs.size());
    for (EncodedSequence s : inputs) out.add(new EncodedSequence(s.types(), s.categories(), s.gaps(), scaler.apply(s.features())));
    return new Examples(out, typeLabels, categoryLabels, contexts, targets);
  }

  /** Accumulates examples. */
  public static final class Builder {
    private final List<EncodedSequence> inputs = new ArrayList<>();
    private final List<Integer> types = new ArrayList<>();
    private final List<Integer> cats = new ArrayList<>();
    private final List<UserContext> contexts = new ArrayList<>();
    private final List<RecentBehavior> targets = new ArrayList<>();

    public void add(EncodedSequence input, UserContext context, RecentBehavior target, int categoryToken) {
      inputs.add(input);
      types.add(target.type().ordinal());
      cats.add(categoryToken);
      contexts.add(context);
      targets.add(target);
    }

    public Examples build() {
      return new Examples(List.copyOf(inputs), types.stream().mapToInt(Integer::intValue).toArray(),
          cats.stream().mapToInt(Integer::intValue).toArray(), List.copyOf(contexts), List.copyOf(targets));
    }
  }
}
