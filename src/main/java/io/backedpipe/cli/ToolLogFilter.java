package io.backedpipe.cli;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.filter.Filter;
import ch.qos.logback.core.spi.FilterReply;

/**
 * Keeps out of the tool's log what the tool says better itself: Pekko's ERROR with a 25-line stack
 * trace when a port cannot be bound, which the command reports in one line ({@code serve: cannot
 * listen on 127.0.0.1:7000: address already in use}) before it exits with 1. Named in the tool's
 * {@code logback.xml}.
 */
public final class ToolLogFilter extends Filter<ILoggingEvent> {
  /** The logger of Pekko's TCP listener. */
  static final String TCP_LISTENER = "org.apache.pekko.io.TcpListener";

  /** Creates the filter; logback makes it. */
  public ToolLogFilter() {}

  @Override
  public FilterReply decide(ILoggingEvent event) {
    return TCP_LISTENER.equals(event.getLoggerName())
        && event.getMessage() != null && event.getMessage().startsWith("Bind failed")
        ? FilterReply.DENY : FilterReply.NEUTRAL;
  }
}
