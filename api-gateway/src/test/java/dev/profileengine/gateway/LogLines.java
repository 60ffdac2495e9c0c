package dev.profileengine.gateway;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The lines the node logs while attached (to the root logger, and to one logger set to DEBUG),
 * kept safely across the node's threads; closing detaches it and restores that logger.
 */
final class LogLines extends AppenderBase<ILoggingEvent> implements AutoCloseable {
  private final ConcurrentLinkedQueue<ILoggingEvent> lines = new ConcurrentLinkedQueue<>();
  private final Logger root = (Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
  private final Logger debugged;
  private final Level debuggedLevel;

  private LogLines(Class<?> debug) {
    debugged = debug == null ? null : (Logger) org.slf4j.LoggerFactory.getLogger(debug);
    debuggedLevel = debugged == null ? null : debugged.getLevel();
    setContext(root.getLoggerContext());
    start();
    root.addAppender(this);
    if (debugged != null) {
      debugged.setLevel(Level.DEBUG);
      debugged.setAdditive(false);
      debugged.addAppender(this);
    }
  }

  /** Everything the root logger passes (WARN and above in the tests' logback), and {@code debug}'s lines from DEBUG up. */
  static LogLines attach(Class<?> debug) {
    return new LogLines(debug);
  }

  @Override
  protected void append(ILoggingEvent line) {
    line.prepareForDeferredProcessing();
    lines.add(line);
  }

  List<ILoggingEvent> lines() {
    return List.copyOf(lines);
  }

  /** Whether a line holding {@code text} was logged within {@code timeout} (the node logs in order, so earlier lines are in too). */
  boolean awaitLine(String text, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (lines.stream().anyMatch(l -> l.getFormattedMessage().contains(text))) return true;
      Thread.sleep(10); // polled, as the other tests poll: a spinning wait takes a core from the node
    }
    return lines.stream().anyMatch(l -> l.getFormattedMessage().contains(text));
  }

  @Override
  public void close() {
    root.detachAppender(this);
    if (debugged != null) {
      debugged.detachAppender(this);
      debugged.setAdditive(true);
      debugged.setLevel(debuggedLevel);
    }
    stop();
  }
}
