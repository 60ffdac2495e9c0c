package dev.profileengine.model.inference;

import java.util.Map;

/**
 * A snapshot of an {@link InferencePool}'s counters.
 *
 * @param requests predict calls
 * @param rejected refused at once (queue full or pool closed)
 * @param completed predictions delivered
 * @param failed requests whose batch failed in the model
 * @param batches batches run
 * @param meanBatchSize requests per batch
 * @param maxBatchSize largest batch so far
 * @param batchSizeHistogram batches by size bucket ("1", "2-4", "5-8", ..., "65+")
 * @param meanLatencyMillis enqueue to completion, mean over completed requests
 * @param p99LatencyMillis enqueue to completion, 99th percentile (bucket upper bound)
 * @param maxLatencyMillis enqueue to completion, maximum
 * @param queueDepth requests waiting now
 * @param modelVersion version served to most users
 * @param candidateVersion A/B candidate version, or null
 * @param candidatePercent share of users routed to the candidate
 * @param swaps model swaps so far
 */
public record PoolStats(long requests, long rejected, long completed, long failed, long batches, double meanBatchSize,
    int maxBatchSize, Map<String, Long> batchSizeHistogram, double meanLatencyMillis, double p99LatencyMillis,
    double maxLatencyMillis, int queueDepth, String modelVersion, String candidateVersion, int candidatePercent,
    long swaps) {}
