package dev.profileengine.model.inference;

/** A predicted next category: its id and probability. */
public record CategoryScore(String id, double probability) {}
