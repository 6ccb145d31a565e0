package io.backedpipe.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.slf4j.LoggerFactory;

/** Sets the level of the tool's own log (the library's and the tunnel's loggers). */
final class LogLevel {
  private LogLevel() {}

  /**
   * Applies a level.
   *
   * @param level ERROR, WARN, INFO, DEBUG or TRACE
   * @throws IllegalArgumentException if the level is not one of those
   */
  static void apply(String level) {
    String upper = level.toUpperCase(java.util.Locale.ROOT);
    if (!java.util.List.of("ERROR", "WARN", "INFO", "DEBUG", "TRACE").contains(upper)) {
      throw new IllegalArgumentException(
          "--log-level=" + level + " must be one of ERROR, WARN, INFO, DEBUG, TRACE");
    }
    if (LoggerFactory.getILoggerFactory() instanceof ch.qos.logback.classic.LoggerContext) {
      for (String name : new String[] {"io.backedpipe", "io.backedpipe.tunnel"}) {
        ((Logger) LoggerFactory.getLogger(name)).setLevel(Level.toLevel(upper));
      }
    }
  }
}
