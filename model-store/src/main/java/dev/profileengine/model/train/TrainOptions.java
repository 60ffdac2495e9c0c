package dev.profileengine.model.train;

import dev.profileengine.data.DataFormat;
import dev.profileengine.model.dataset.ChronologicalSplit;
import dev.profileengine.model.encoding.EncodingSpec;
import dev.profileengine.model.nn.HyperParams;
import java.nio.file.Path;

/**
 * What to train on and where to put the result.
 *
 * @param version registry version name to write
 * @param activate point the registry's ACTIVE file at the new version
 * @param minCategoryCount categories seen fewer times in training map to the OOV token
 */
public record TrainOptions(Path data, DataFormat format, Path registry, String version, boolean activate,
    HyperParams hyperParams, EncodingSpec encoding, ChronologicalSplit split, int minCategoryCount, int maxCategories) {}
