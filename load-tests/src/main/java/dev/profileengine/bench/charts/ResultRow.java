package dev.profileengine.bench.charts;

/**
 * One figure of one benchmark run: a row of a results CSV. {@code date}, {@code build} and
 * {@code command} may be empty where the source did not record them.
 */
public record ResultRow(String run, String metric, double value, String unit, String date, String build, String command) {}
