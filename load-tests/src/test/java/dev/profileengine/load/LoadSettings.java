package dev.profileengine.load;

import dev.profileengine.bench.SampleData;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The knobs of every simulation, read from system properties ({@code -Dname=value} on the Maven
 * command line; the gatling-maven-plugin forwards them to the Gatling JVM).
 *
 * <table>
 *   <tr><td>baseUrl</td><td>http://127.0.0.1:8080</td><td>the node under test</td></tr>
 *   <tr><td>data</td><td>samples/taobao-userbehavior-sample.csv.gz</td><td>Taobao CSV (plain or gzip) to replay</td></tr>
 *   <tr><td>batch</td><td>100</td><td>events per POST /v1/events</td></tr>
 *   <tr><td>from</td><td>0</td><td>ingest: index of the first batch to send (to continue an earlier run)</td></tr>
 *   <tr><td>rate</td><td>10</td><td>ingest: batches/s; read: requests/s</td></tr>
 *   <tr><td>duration</td><td>60</td><td>seconds at that rate</td></tr>
 *   <tr><td>ramp</td><td>false</td><td>stairs instead of a constant rate: rampLevels levels of
 *       levelDuration s, starting at rate and adding rampStep each level, 5 s ramps between</td></tr>
 *   <tr><td>fresh</td><td>true</td><td>the node's journal is empty: on the first pass over the file
 *       no event may be rejected. false after an earlier run: already stored events may come back
 *       too_late (duplicates older than the allowed lateness)</td></tr>
 *   <tr><td>readRate</td><td>50</td><td>mixed: reads/s beside the ingest</td></tr>
 *   <tr><td>readRows</td><td>all</td><td>read: only users among the first N rows (by time)</td></tr>
 *   <tr><td>users</td><td></td><td>read: explicit comma-separated user ids instead of the file</td></tr>
 *   <tr><td>subscribers</td><td>4</td><td>mixed: concurrent server-sent-event subscribers to
 *       GET /v1/changes (the whole stream) for the length of the ingest; 0: none</td></tr>
 *   <tr><td>subscribeFrom</td><td>0</td><td>mixed: the offset the subscribers start after (0: every
 *       change in the journal, then live; the highest offset a run saw skips its history)</td></tr>
 *   <tr><td>maxFailedPercent</td><td>0</td><td>assertion: 0 means not one failed request (the
 *       subscribers must all get their first change regardless)</td></tr>
 * </table>
 */
public record LoadSettings(
    String baseUrl, Path data, int batch, int from, double rate, Duration duration,
    boolean ramp, double rampStep, int rampLevels, Duration levelDuration,
    boolean fresh, double readRate, int readRows, String users, int subscribers, long subscribeFrom,
    double maxFailedPercent) {

  public static LoadSettings fromSystemProperties() {
    return new LoadSettings(
        System.getProperty("baseUrl", "http://127.0.0.1:8080"),
        SampleData.locate(System.getProperty("data"), System.getProperty("data.default"), SampleData.SAMPLE),
        Integer.getInteger("batch", 100),
        Integer.getInteger("from", 0),
        dbl("rate", 10),
        Duration.ofSeconds(Long.getLong("duration", 60)),
        Boolean.getBoolean("ramp"),
        dbl("rampStep", 10),
        Integer.getInteger("rampLevels", 6),
        Duration.ofSeconds(Long.getLong("levelDuration", 30)),
        Boolean.parseBoolean(System.getProperty("fresh", "true")),
        dbl("readRate", 50),
        Integer.getInteger("readRows", Integer.MAX_VALUE),
        System.getProperty("users", ""),
        Integer.getInteger("subscribers", 4),
        Long.getLong("subscribeFrom", 0),
        dbl("maxFailedPercent", 0));
  }

  private static double dbl(String name, double fallback) {
    String v = System.getProperty(name);
    return v == null || v.isBlank() ? fallback : Double.parseDouble(v);
  }

  /** How long the injection of {@code rate} lasts: {@code duration}, or the whole staircase with its 5 s ramps. */
  public Duration injectionDuration() {
    return ramp ? levelDuration.multipliedBy(rampLevels).plusSeconds(5L * Math.max(0, rampLevels - 1)) : duration;
  }

  public String describe() {
    return "baseUrl=" + baseUrl + " data=" + data + " batch=" + batch + (from > 0 ? " from=" + from : "") + " rate=" + rate + " duration=" + duration.toSeconds() + "s"
        + (ramp ? " ramp: " + rampLevels + " levels of " + levelDuration.toSeconds() + "s, +" + rampStep + "/level" : "")
        + " fresh=" + fresh;
  }
}
