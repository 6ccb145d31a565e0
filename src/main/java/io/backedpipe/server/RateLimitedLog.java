package io.backedpipe.server;

import java.time.Duration;
import java.util.OptionalLong;

/**
 * Lets one kind of log line through at most once per interval and counts the ones held back, so a
 * client that repeats what produces the line (a refused HELLO, say) cannot fill the server's log.
 *
 * <p>Not thread-safe; owned by the actor that logs (the {@link PipeRegistry}, a cluster node's router). The caller passes
 * the time, so the class reads no clock. By default the first event is let through.
 *
 * <pre>{@code
 * refusals.admit(System.nanoTime()).ifPresent(held -> log.info("refused ... ({} more)", held));
 * }</pre>
 */
public final class RateLimitedLog {
  private final long intervalNs;
  private long lastNs;
  private boolean logged;
  private long held;

  /**
   * Creates the limiter.
   *
   * @param interval the least time between two lines
   */
  public RateLimitedLog(Duration interval) {
    this.intervalNs = interval.toNanos();
  }

  /**
   * Counts one event and says whether to log it now.
   *
   * @param nowNs the current time of a monotonic clock, in nanoseconds
   * @return the number of events held back since the last line logged, if this one is to be
   *     logged; empty if it is held back
   */
  public OptionalLong admit(long nowNs) {
    if (logged && nowNs - lastNs < intervalNs) {
      held++;
      return OptionalLong.empty();
    }
    long before = held;
    held = 0;
    lastNs = nowNs;
    logged = true;
    return OptionalLong.of(before);
  }
}
