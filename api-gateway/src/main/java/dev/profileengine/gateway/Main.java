package dev.profileengine.gateway;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.profileengine.gateway.logging.LogFormat;
import dev.profileengine.gateway.replay.ReplayCli;

/**
 * {@code java -jar profile-engine.jar [serve]} starts a node; {@code replay ...} streams a Taobao
 * CSV into a running node.
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) throws Exception {
    // On 2 cores the common pool has parallelism 1, and CompletableFuture then starts a thread per
    // async task (Akka's asks complete through it): give it a real pool before anything uses it.
    // A JVM setting, not a node setting: it must be set before the pool exists, so it stays a property.
    if (System.getProperty("java.util.concurrent.ForkJoinPool.common.parallelism") == null) {
      System.setProperty("java.util.concurrent.ForkJoinPool.common.parallelism",
          String.valueOf(Math.max(2, Runtime.getRuntime().availableProcessors())));
    }
    String command = args.length == 0 ? "serve" : args[0];
    switch (command) {
      // A node that the cluster downs (split brain resolver) must exit so its supervisor restarts it.
      case "serve" -> {
        Config config = ProfileNode.config(ConfigFactory.parseString("akka.coordinated-shutdown.exit-jvm = on"));
        try {
          LogFormat.from(config); // logback.xml has read it already and cannot refuse a bad value: refuse it here
        } catch (IllegalArgumentException e) {
          System.err.println(e.getMessage());
          System.exit(2);
        }
        ProfileNode.start(config);
      }
      case "replay" -> System.exit(ReplayCli.run(java.util.Arrays.copyOfRange(args, 1, args.length)));
      case "-h", "--help", "help" -> System.out.println("""
          usage: java -jar profile-engine.jar [serve]      start a node (configured by PROFILE_* variables)
                 java -jar profile-engine.jar replay ...   stream a Taobao CSV into a node (replay --help)""");
      default -> {
        System.err.println("unknown command '" + command + "': expected serve or replay (see --help)");
        System.exit(2);
      }
    }
  }
}
