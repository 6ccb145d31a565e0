package io.backedpipe.tunnel;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.slf4j.LoggerFactory;

/**
 * The log lines of the library and the tunnel as a user of the tool reads them, captured in a
 * test: {@code LEVEL logger-name - message}, from the moment of {@link #capture} until
 * {@link #close}, whatever level the test's logback configuration sets.
 */
final class LogLines implements AutoCloseable {
  private final List<String> lines = new CopyOnWriteArrayList<>();
  private final Logger logger;
  private final Level before;
  /** Loggers below it with a level of their own (the tool sets some), and that level. */
  private final java.util.Map<Logger, Level> descendants = new java.util.HashMap<>();
  private final AppenderBase<ILoggingEvent> appender = new AppenderBase<>() {
    @Override
    protected void append(ILoggingEvent event) {
      lines.add(event.getLevel() + " " + event.getLoggerName() + " - "
          + event.getFormattedMessage());
    }
  };

  private LogLines(Level level) {
    this.logger = (Logger) LoggerFactory.getLogger("io.backedpipe");
    this.before = logger.getLevel();
    logger.setLevel(level);
    for (Logger l : logger.getLoggerContext().getLoggerList()) {
      if (l.getName().startsWith("io.backedpipe.") && l.getLevel() != null) {
        descendants.put(l, l.getLevel());
        l.setLevel(null); // inherit the captured level
      }
    }
    appender.setContext(logger.getLoggerContext());
    appender.start();
    logger.addAppender(appender);
  }

  /**
   * Starts capturing everything the {@code io.backedpipe} loggers say at {@code level} and above.
   *
   * @param level the lowest level kept
   * @return the capture; close it to stop
   */
  static LogLines capture(Level level) {
    return new LogLines(level);
  }

  /** The lines so far that contain {@code text}. */
  List<String> containing(String text) {
    return lines.stream().filter(l -> l.contains(text)).collect(Collectors.toList());
  }

  /** Every line so far. */
  List<String> all() {
    return List.copyOf(lines);
  }

  @Override
  public void close() {
    logger.detachAppender(appender);
    appender.stop();
    logger.setLevel(before);
    descendants.forEach(Logger::setLevel);
  }
}
