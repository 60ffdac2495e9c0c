package dev.profileengine.model.inference;

import dev.profileengine.model.encoding.UserContext;
import java.util.concurrent.CompletableFuture;

/** A queued prediction request. */
record InferenceRequest(String userId, UserContext context, CompletableFuture<Prediction> result,
    long enqueuedNanos) {}
