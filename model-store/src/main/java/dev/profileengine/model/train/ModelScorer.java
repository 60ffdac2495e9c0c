package dev.profileengine.model.train;

import dev.profileengine.model.eval.BatchScorer;
import dev.profileengine.model.inference.BatchWorker;
import dev.profileengine.model.inference.Prediction;
import dev.profileengine.model.inference.ServingModel;
import dev.profileengine.model.encoding.UserContext;
import java.util.ArrayList;
import java.util.List;

/**
 * Evaluates a model through the serving path ({@link BatchWorker#predict}), so the evaluated
 * probabilities are exactly those a profile would show. Single-threaded, like the evaluator.
 */
public final class ModelScorer implements BatchScorer, AutoCloseable {
  private final BatchWorker worker;
  private final String title;

  public ModelScorer(ServingModel model) {
    this.worker = model.newWorker();
    this.title = "model " + model.version();
  }

  @Override
  public String title() {
    return title;
  }

  @Override
  public List<Scored> score(List<UserContext> contexts) {
    List<Prediction> preds = worker.predict(contexts);
    List<Scored> out = new ArrayList<>(preds.size());
    for (Prediction p : preds)
      out.add(new Scored(p.probabilities(), p.predicted(), p.nextCategories()));
    return out;
  }

  @Override
  public void close() {
    worker.close();
  }
}
