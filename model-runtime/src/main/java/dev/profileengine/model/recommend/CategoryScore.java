package dev.profileengine.model.recommend;

/** A predicted next category: its id and probability. */
public record CategoryScore(String id, double probability) {}
