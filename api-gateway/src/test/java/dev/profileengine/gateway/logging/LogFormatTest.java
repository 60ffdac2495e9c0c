package dev.profileengine.gateway.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.headers.RawHeader;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.status.Status;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.MDC;

/**
 * The node's own logback.xml (not the tests' logback-test.xml), configured into a fresh logger
 * context with PROFILE_LOG_FORMAT set as the system property logback resolves it from, its console
 * output captured.
 */
class LogFormatTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final String LOGGER = "dev.profileengine.test.LogFormat";

  @Test
  void jsonFormatGivesOneObjectPerLineWithDateLevelLoggerThreadMessageAndRequestContext() throws Exception {
    Instant before = Instant.now();
    HttpRequest request = HttpRequest.GET("/v1/profiles/u%0A42/attributes").addHeader(RawHeader.create(LogContext.HEADER, "req-7"));
    List<String> lines = logThroughNodeConfig("json", log -> {
      log.info("plain {}", "line");
      try (LogContext.Scope mdc = LogContext.open(request)) {
        log.warn("inside a request \"quoted\"\nsecond line");
      }
      log.error("failed", new IllegalStateException("boom"));
    });
    assertEquals(3, lines.size(), String.join("\n", lines));
    List<JsonNode> json = new ArrayList<>();
    for (String line : lines) json.add(MAPPER.readTree(line)); // each line is a whole JSON object

    JsonNode plain = json.get(0);
    Instant at = Instant.parse(plain.get("timestamp").asText()); // full ISO-8601 date and time
    assertTrue(!at.isBefore(before.minusSeconds(1)) && at.isBefore(Instant.now().plus(Duration.ofSeconds(1))), "timestamp " + at);
    assertEquals("INFO", plain.get("level").asText());
    assertEquals(LOGGER, plain.get("logger").asText());
    assertEquals(Thread.currentThread().getName(), plain.get("thread").asText());
    assertEquals("plain line", plain.get("message").asText());
    assertFalse(plain.has("requestId") || plain.has("userId") || plain.has("exception"), plain.toString());

    JsonNode inRequest = json.get(1);
    assertEquals("WARN", inRequest.get("level").asText());
    assertEquals("inside a request \"quoted\"\nsecond line", inRequest.get("message").asText(), "escaped, still one line");
    assertEquals("req-7", inRequest.get("requestId").asText());
    assertEquals("u42", inRequest.get("userId").asText(), "the decoded path's user, control characters dropped");

    JsonNode failed = json.get(2);
    assertEquals("ERROR", failed.get("level").asText());
    assertTrue(failed.get("exception").asText().startsWith("java.lang.IllegalStateException: boom"), failed.toString());
    assertTrue(failed.get("exception").asText().contains("LogFormatTest"), "with the stack trace");
    assertFalse(failed.has("requestId"), "the scope's MDC fields are gone after it: " + failed);
    assertNull(MDC.get(LogContext.REQUEST_ID));
  }

  @Test
  void textFormatIsTheDefaultAndCarriesTheDateAndRequestContext() throws Exception {
    HttpRequest request = HttpRequest.GET("/v1/profiles/u9").addHeader(RawHeader.create(LogContext.HEADER, "r-1"));
    List<String> lines = logThroughNodeConfig(null, log -> {
      log.info("hello");
      try (LogContext.Scope mdc = LogContext.open(request)) {
        log.info("in request");
      }
    });
    assertEquals(2, lines.size(), String.join("\n", lines));
    // %d{ISO8601}: yyyy-MM-dd HH:mm:ss,SSS
    assertTrue(lines.get(0).matches("\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2},\\d{3} INFO  " + LOGGER.replace(".", "\\.") + " - hello"), lines.get(0));
    assertTrue(lines.get(1).contains(" requestId=r-1 userId=u9 - in request"), lines.get(1));
  }

  @Test
  void anUnknownFormatIsReportedNamingTheVariable() throws Exception {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LogFormat.parse("xml"));
    assertTrue(e.getMessage().contains("PROFILE_LOG_FORMAT"), e.getMessage());
    assertEquals(LogFormat.JSON, LogFormat.parse(" JSON "));
    assertEquals(LogFormat.TEXT, LogFormat.parse(""));
    List<String> status = new ArrayList<>();
    List<String> lines = logThroughNodeConfig("xml", log -> log.info("still logged"), status);
    assertEquals(1, lines.size(), "logged as text rather than lost");
    assertTrue(status.stream().anyMatch(s -> s.contains("PROFILE_LOG_FORMAT must be 'text' or 'json', was 'xml'")), status.toString());
  }

  @Test
  void requestIdsAreSanitizedAndBounded() {
    assertEquals("abc-123", LogContext.requestId(Optional.of("abc-123")));
    assertEquals("abcevil", LogContext.requestId(Optional.of("abc\r\n\"evil\"<>")));
    assertEquals(LogContext.MAX_LENGTH, LogContext.requestId(Optional.of("x".repeat(1000))).length());
    String generated = LogContext.requestId(Optional.empty());
    assertEquals(36, generated.length(), generated);
    assertFalse(generated.equals(LogContext.requestId(Optional.of("  "))), "a fresh id each time");
  }

  private static List<String> logThroughNodeConfig(String format, Consumer<Logger> body) throws Exception {
    return logThroughNodeConfig(format, body, new ArrayList<>());
  }

  /** The lines of {@link #LOGGER} the node's logback.xml writes to stdout while {@code body} logs. */
  private static List<String> logThroughNodeConfig(String format, Consumer<Logger> body, List<String> status) throws Exception {
    PrintStream stdout = System.out;
    String previous = System.getProperty(LogFormat.VARIABLE);
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    LoggerContext context = new LoggerContext();
    context.setMDCAdapter(MDC.getMDCAdapter());
    try {
      if (format == null) System.clearProperty(LogFormat.VARIABLE);
      else System.setProperty(LogFormat.VARIABLE, format);
      // the console appender writes to whatever System.out is at the time of each write
      System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
      JoranConfigurator configurator = new JoranConfigurator();
      configurator.setContext(context);
      configurator.doConfigure(LogEncoder.class.getResource("/logback.xml"));
      body.accept(context.getLogger(LOGGER));
    } finally {
      System.setOut(stdout);
      if (previous == null) System.clearProperty(LogFormat.VARIABLE);
      else System.setProperty(LogFormat.VARIABLE, previous);
      for (Status s : context.getStatusManager().getCopyOfStatusList()) {
        if (s.getLevel() >= Status.WARN) status.add(s.getMessage());
      }
      context.stop();
    }
    if (format == null || !format.equals("xml")) assertTrue(status.isEmpty(), "logback status: " + status);
    // other threads of this JVM (earlier tests' nodes) may print too: keep this logger's lines
    List<String> mine = new ArrayList<>();
    for (String line : captured.toString(StandardCharsets.UTF_8).split("\n")) {
      if (line.contains(LOGGER)) mine.add(line);
    }
    return mine;
  }
}
