package dev.profileengine.model.inference;

import dev.profileengine.model.RecentBehavior;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** A queued prediction request. */
record InferenceRequest(String userId, List<RecentBehavior> recent, CompletableFuture<Prediction> result,
    long enqueuedNanos) {}
