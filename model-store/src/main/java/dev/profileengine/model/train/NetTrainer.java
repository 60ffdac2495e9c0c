package dev.profileengine.model.train;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.initializer.XavierInitializer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.util.Pair;
import dev.profileengine.model.encoding.EncodedSequence;
import dev.profileengine.model.nn.EncodedBatchTranslator;
import dev.profileengine.model.nn.HyperParams;
import dev.profileengine.model.nn.NetShape;
import dev.profileengine.model.nn.NextBehaviorBlock;
import java.io.PrintStream;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Mini-batch training of {@link NextBehaviorBlock} with Adam: loss = type cross-entropy +
 * {@code categoryLossWeight} x category cross-entropy. After every epoch the validation type
 * log-loss is measured; the best epoch's weights are kept and training stops after
 * {@code patience} epochs without improvement (epoch 0 is the warm start itself). Seeded: the engine's RNG (initialization) and the
 * shuffling both derive from {@link HyperParams#seed()}.
 */
public final class NetTrainer {
  private NetTrainer() {}

  public record Result(Model model, int epochsRun, int bestEpoch, double validationTypeLogLoss,
      double validationCategoryLogLoss, List<String> log) {}

  public static Result train(NetShape shape, HyperParams hp, Examples train, Examples validation, WarmStart warmStart,
      PrintStream progress) {
    Engine engine = Engine.getEngine("PyTorch");
    engine.setRandomSeed((int) hp.seed());
    NextBehaviorBlock block = new NextBehaviorBlock(shape, hp);
    Model model = Model.newInstance(dev.profileengine.model.registry.ModelBundle.PARAMS_PREFIX, engine.defaultDevice(), "PyTorch");
    model.setBlock(block);
    DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
        .optInitializer(new XavierInitializer(), Parameter.Type.WEIGHT)
        .optOptimizer(Optimizer.adam()
            .optLearningRateTracker(Tracker.fixed(hp.learningRate()))
            .optWeightDecays(hp.weightDecay())
            .optClipGrad(5f)
            .build());
    List<String> log = new ArrayList<>();
    Random shuffle = new Random(hp.seed());
    try (Trainer trainer = model.newTrainer(config)) {
      trainer.initialize(block.inputShapes(hp.batchSize()));
      if (warmStart != null) block.warmStart(warmStart.weights(), warmStart.bias());
      double[] val0 = validationLoss(trainer, block, shape, validation);
      String line0 = String.format(Locale.ROOT, "epoch  0  (warm start)          val type log-loss %.4f  val category log-loss %.4f", val0[0], val0[1]);
      log.add(line0);
      if (progress != null) progress.println(line0);
      List<Checkpoint> checkpoints = new ArrayList<>();
      checkpoints.add(new Checkpoint(0, val0[0], val0[1], snapshot(block)));
      int bestEpoch = 0;
      int epoch = 0;
      int[] order = new int[train.size()];
      for (int i = 0; i < order.length; i++) order[i] = i;
      while (epoch < hp.maxEpochs()) {
        epoch++;
        long t0 = System.nanoTime();
        shuffle(order, shuffle);
        double lossSum = 0;
        int batches = 0;
        for (int from = 0; from < order.length; from += hp.batchSize()) {
          int to = Math.min(order.length, from + hp.batchSize());
          try (NDManager m = trainer.getManager().newSubManager()) {
            List<EncodedSequence> batch = new ArrayList<>(to - from);
            long[] yType = new long[to - from];
            long[] yCat = new long[to - from];
            for (int i = from; i < to; i++) {
              batch.add(train.inputs().get(order[i]));
              yType[i - from] = train.typeLabels()[order[i]];
              yCat[i - from] = train.categoryLabels()[order[i]];
            }
            NDList x = EncodedBatchTranslator.toNDList(m, batch, shape.sequenceLength(), shape.featureCount());
            try (GradientCollector gc = trainer.newGradientCollector()) {
              NDList out = trainer.forward(x);
              NDArray typeLoss = crossEntropy(out.get(0), m.create(yType), shape.activeTypeMask().length);
              NDArray catLoss = crossEntropy(out.get(1), m.create(yCat), shape.categoryTokens());
              NDArray loss = typeLoss.add(catLoss.mul(hp.categoryLossWeight()));
              gc.backward(loss);
              lossSum += loss.getFloat();
              batches++;
            }
            trainer.step();
          }
        }
        double[] val = validationLoss(trainer, block, shape, validation);
        checkpoints.add(new Checkpoint(epoch, val[0], val[1], snapshot(block)));
        Checkpoint chosen = choose(checkpoints, hp.categoryLossWeight());
        boolean improved = chosen.epoch() == epoch;
        if (improved) bestEpoch = epoch;
        String line = String.format(Locale.ROOT, "epoch %2d  train loss %.4f  val type log-loss %.4f  val category log-loss %.4f  %.1fs%s",
            epoch, lossSum / Math.max(1, batches), val[0], val[1], (System.nanoTime() - t0) / 1e9, improved ? "  *" : "");
        log.add(line);
        if (progress != null) progress.println(line);
        if (epoch - bestEpoch >= hp.patience()) {
          if (progress != null) progress.println("early stop: no validation improvement for " + hp.patience() + " epochs, best epoch " + bestEpoch);
          break;
        }
      }
      Checkpoint chosen = choose(checkpoints, hp.categoryLossWeight());
      restore(block, chosen.params());
      model.setProperty("Epoch", "0");
      return new Result(model, epoch, chosen.epoch(), chosen.typeLoss(), chosen.categoryLoss(), log);
    }
  }

  /** Validation losses and weights after an epoch. */
  record Checkpoint(int epoch, double typeLoss, double categoryLoss, Map<String, float[]> params) {}

  /**
   * The checkpoint kept: among those whose validation type log-loss is within
   * {@link #TYPE_TOLERANCE} of the best one (the type head is what the profile shows and what
   * must beat the baselines), the lowest total loss {@code type + w * category}.
   */
  static Checkpoint choose(List<Checkpoint> all, double categoryWeight) {
    double bestType = all.stream().mapToDouble(Checkpoint::typeLoss).min().orElse(Double.NaN);
    Checkpoint best = null;
    for (Checkpoint c : all) {
      if (c.typeLoss() > bestType + TYPE_TOLERANCE) continue;
      if (best == null || c.typeLoss() + categoryWeight * c.categoryLoss() < best.typeLoss() + categoryWeight * best.categoryLoss()) best = c;
    }
    return best;
  }

  static final double TYPE_TOLERANCE = 0.001;

  /** Mean cross-entropy of integer labels under softmax(logits). */
  static NDArray crossEntropy(NDArray logits, NDArray labels, int classes) {
    return logits.logSoftmax(1).mul(labels.oneHot(classes)).sum(new int[] {1}).mean().neg();
  }

  private static double[] validationLoss(Trainer trainer, NextBehaviorBlock block, NetShape shape, Examples v) {
    if (v.size() == 0) return new double[] {Double.NaN, Double.NaN};
    double typeSum = 0;
    double catSum = 0;
    for (int from = 0; from < v.size(); from += 1024) {
      int to = Math.min(v.size(), from + 1024);
      try (NDManager m = trainer.getManager().newSubManager()) {
        NDList x = EncodedBatchTranslator.toNDList(m, v.inputs().subList(from, to), shape.sequenceLength(), shape.featureCount());
        long[] yType = new long[to - from];
        long[] yCat = new long[to - from];
        for (int i = from; i < to; i++) {
          yType[i - from] = v.typeLabels()[i];
          yCat[i - from] = v.categoryLabels()[i];
        }
        NDList out = trainer.evaluate(x);
        typeSum += crossEntropy(out.get(0), m.create(yType), shape.activeTypeMask().length).getFloat() * (to - from);
        catSum += crossEntropy(out.get(1), m.create(yCat), shape.categoryTokens()).getFloat() * (to - from);
      }
    }
    return new double[] {typeSum / v.size(), catSum / v.size()};
  }

  private static void shuffle(int[] a, Random r) {
    for (int i = a.length - 1; i > 0; i--) {
      int j = r.nextInt(i + 1);
      int t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }

  private static Map<String, float[]> snapshot(NextBehaviorBlock block) {
    Map<String, float[]> s = new LinkedHashMap<>();
    for (Pair<String, Parameter> p : block.getParameters()) s.put(p.getKey(), p.getValue().getArray().toFloatArray());
    return s;
  }

  private static void restore(NextBehaviorBlock block, Map<String, float[]> s) {
    for (Pair<String, Parameter> p : block.getParameters()) {
      NDArray a = p.getValue().getArray();
      Shape shape = a.getShape();
      a.set(FloatBuffer.wrap(s.get(p.getKey())));
      assert a.getShape().equals(shape);
    }
  }
}
