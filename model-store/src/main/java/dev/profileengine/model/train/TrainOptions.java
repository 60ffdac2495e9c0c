package dev.profileengine.model.train;

import dev.profileengine.data.DataFormat;
import dev.profileengine.model.dataset.ChronologicalSplit;
import dev.profileengine.model.encoding.EncodingSpec;
import dev.profileengine.model.encoding.SummaryFeatures;
import dev.profileengine.model.nn.HyperParams;
import java.nio.file.Path;

/**
 * What to train on and where to put the result.
 *
 * @param version registry version name to write
 * @param activate point the registry's ACTIVE file at the new version
 * @param minCategoryCount categories seen fewer times in training map to the OOV token
 * @param summary the summary-feature contract to train on ({@code SummaryFeatures.CONTRACTS})
 * @param itemRepeat offline experiment: add item-repeat features (not servable), report the
 *     validation losses and write no version
 */
public record TrainOptions(Path data, DataFormat format, Path registry, String version, boolean activate,
    HyperParams hyperParams, EncodingSpec encoding, ChronologicalSplit split, int minCategoryCount, int maxCategories,
    String summary, boolean itemRepeat) {

  /** The base summary contract, no experiment. */
  public TrainOptions(Path data, DataFormat format, Path registry, String version, boolean activate,
      HyperParams hyperParams, EncodingSpec encoding, ChronologicalSplit split, int minCategoryCount, int maxCategories) {
    this(data, format, registry, version, activate, hyperParams, encoding, split, minCategoryCount, maxCategories,
        SummaryFeatures.CONTRACT, false);
  }
}
