package dev.profileengine.model.inference;

import dev.profileengine.profile.RecentBehavior;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** A queued prediction request. */
record InferenceRequest(String userId, List<RecentBehavior> recent, CompletableFuture<Prediction> result,
    long enqueuedNanos) {}
