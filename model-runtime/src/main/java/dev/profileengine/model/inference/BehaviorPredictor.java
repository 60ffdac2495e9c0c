package dev.profileengine.model.inference;

import ai.djl.Model;
import ai.djl.inference.Predictor;
import ai.djl.translate.TranslateException;
import dev.profileengine.model.InferenceException;
import dev.profileengine.model.encoding.EncodedSequence;
import dev.profileengine.model.encoding.SequenceEncoder;
import dev.profileengine.model.encoding.SummaryFeatures;
import dev.profileengine.model.encoding.UserContext;
import dev.profileengine.model.nn.EncodedBatchTranslator;
import dev.profileengine.model.nn.NetOutput;
import dev.profileengine.model.nn.PaddingCut;
import dev.profileengine.model.registry.ModelBundle;
import dev.profileengine.profile.RecentBehavior;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * One DJL predictor plus the encoding and output policy of its model version. Not thread-safe:
 * one per worker thread. Each {@link #predict} call is one forward pass; its NDArrays live in the
 * NDManager of that call's translator context, which DJL creates for the batch and closes when
 * the call returns (one NDManager per batch).
 */
public final class BehaviorPredictor implements BatchWorker {
  public static final int TOP_K = 10;

  private final ModelBundle bundle;
  private final SequenceEncoder encoder;
  private final Predictor<List<EncodedSequence>, NetOutput> predictor;
  private final boolean[] active;

  /** {@code cut}: how each batch is cut to its longest sequence; null for the whole window. */
  BehaviorPredictor(ModelBundle bundle, Model model, PaddingCut cut) {
    this.bundle = bundle;
    this.encoder = bundle.encoder();
    this.predictor = model.newPredictor(new EncodedBatchTranslator(encoder.spec().sequenceLength(), encoder.featureCount(), cut));
    this.active = bundle.activeTypeMask();
  }

  public String modelVersion() {
    return bundle.version();
  }

  /**
   * Predicts for a batch of users, each a {@link UserContext}: the recent behaviors (the last 50
   * are read) and the whole-history counters.
   */
  public List<Prediction> predict(List<UserContext> batch) {
    if (batch.isEmpty()) return List.of();
    List<EncodedSequence> encoded = new ArrayList<>(batch.size());
    for (UserContext c : batch) encoded.add(encoder.encode(c));
    NetOutput out = forward(encoded);
    List<Prediction> result = new ArrayList<>(batch.size());
    Instant now = Instant.now();
    for (int i = 0; i < batch.size(); i++) {
      UserContext c = batch.get(i);
      List<RecentBehavior> recent = encoder.window(c);
      double[] markov = SummaryFeatures.userMarkovProbabilities(c.history(), encoder.stats(), SummaryFeatures.PSEUDO);
      double[] p = bundle.policy().typeProbabilities(out.typeLogits(i), markov, active);
      result.add(new Prediction(bundle.version(), Prediction.byWireName(p),
          bundle.policy().topCategories(out.categoryFlat(), out.categoryOffset(i), out.categoryWidth(), encoder.vocabulary(), recent, TOP_K),
          now, bundle.policy().decide(p, active).wire()));
    }
    return result;
  }

  /** The raw network output for already encoded sequences (training and evaluation use it). */
  public NetOutput forward(List<EncodedSequence> encoded) {
    try {
      return predictor.predict(encoded);
    } catch (TranslateException | RuntimeException e) {
      throw new InferenceException("model " + bundle.version() + " failed on a batch of " + encoded.size() + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    predictor.close();
  }
}
