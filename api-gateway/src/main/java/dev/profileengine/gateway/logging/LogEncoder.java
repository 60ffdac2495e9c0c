package dev.profileengine.gateway.logging;

import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.encoder.EncoderBase;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Map;

/**
 * The node's log encoder: {@code format} {@code text} (the {@code pattern}) or {@code json}, one
 * JSON object per line with {@code timestamp} (ISO-8601, UTC), {@code level}, {@code logger},
 * {@code thread}, {@code message}, {@code exception} (the stack trace, when there is one) and the
 * MDC fields {@code requestId} and {@code userId} when set. logback.xml sets {@code format} from
 * {@code PROFILE_LOG_FORMAT}.
 */
public final class LogEncoder extends EncoderBase<ILoggingEvent> {
  private static final JsonFactory JSON = new JsonFactory();
  private static final byte[] NEWLINE = {'\n'};

  private LogFormat format = LogFormat.TEXT;
  private String pattern = "%d{ISO8601} %-5level [%thread] %logger{36} - %msg%n";
  private PatternLayoutEncoder text;

  /** {@code text} or {@code json} (any case; blank: text). An unknown value is reported and logs as text. */
  public void setFormat(String value) {
    try {
      format = LogFormat.parse(value);
    } catch (IllegalArgumentException e) {
      addError(e.getMessage() + "; logging as text");
      format = LogFormat.TEXT;
    }
  }

  public void setPattern(String pattern) {
    this.pattern = pattern;
  }

  public LogFormat format() {
    return format;
  }

  @Override
  public void start() {
    if (format == LogFormat.TEXT) {
      text = new PatternLayoutEncoder();
      text.setContext(getContext());
      text.setPattern(pattern);
      text.start();
    }
    super.start();
  }

  @Override
  public void stop() {
    if (text != null) text.stop();
    super.stop();
  }

  @Override
  public byte[] headerBytes() {
    return null;
  }

  @Override
  public byte[] footerBytes() {
    return null;
  }

  @Override
  public byte[] encode(ILoggingEvent event) {
    if (format == LogFormat.TEXT) return text.encode(event);
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("timestamp", Instant.ofEpochMilli(event.getTimeStamp()).toString());
      g.writeStringField("level", event.getLevel().toString());
      g.writeStringField("logger", event.getLoggerName());
      g.writeStringField("thread", event.getThreadName());
      g.writeStringField("message", event.getFormattedMessage());
      Map<String, String> mdc = event.getMDCPropertyMap();
      if (mdc != null) {
        for (String key : LogContext.KEYS) {
          String v = mdc.get(key);
          if (v != null) g.writeStringField(key, v);
        }
      }
      if (event.getThrowableProxy() != null) g.writeStringField("exception", ThrowableProxyUtil.asString(event.getThrowableProxy()));
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e); // cannot happen: writing to memory
    }
    out.writeBytes(NEWLINE);
    return out.toByteArray();
  }
}
