package io.backedpipe.tunnel;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;

/**
 * The failed attempts of one outage of a dialing stream (from a lost link, or from its start, until
 * it connects), so its log says each kind of failure once and then, now and then, that it still
 * fails, instead of one line per retry: a server that is down for a minute is a handful of lines,
 * not a hundred.
 *
 * <p>Not thread-safe; owned by a {@link TunnelSession}.
 */
final class Outage {
  /** When the first "still failing" line comes; each next one comes twice as late. */
  static final Duration FIRST_SUMMARY = Duration.ofSeconds(10);
  /** The longest wait between two "still failing" lines. */
  static final Duration MAX_SUMMARY_EVERY = Duration.ofMinutes(5);

  private final Set<String> kindsSaid = new HashSet<>();
  private int attempts;
  private String lastFailure = "";
  private Duration elapsed = Duration.ZERO;
  private Duration nextSummaryIn = FIRST_SUMMARY;

  /**
   * Counts a failed attempt.
   *
   * @param attempt the attempt's number since the last good connection
   * @param failure why it failed, in words
   * @return whether this kind of failure is new in this outage (to be said at INFO)
   */
  boolean failed(int attempt, String failure) {
    attempts = Math.max(attempts, attempt);
    lastFailure = failure;
    return kindsSaid.add(TunnelWords.kind(failure));
  }

  /**
   * Whether an attempt failed in this outage.
   *
   * @return {@code true} once {@link #failed} was called since the last {@link #end}
   */
  boolean failing() {
    return attempts > 0;
  }

  /**
   * The wait before the next "still failing" line.
   *
   * @return the delay
   */
  Duration nextSummaryIn() {
    return nextSummaryIn;
  }

  /**
   * A "still failing" line is due: counts its wait as elapsed and doubles the next one.
   *
   * @return how long the outage has failed so far (the sum of the waits)
   */
  Duration summaryDue() {
    elapsed = elapsed.plus(nextSummaryIn);
    Duration doubled = nextSummaryIn.multipliedBy(2);
    nextSummaryIn = doubled.compareTo(MAX_SUMMARY_EVERY) > 0 ? MAX_SUMMARY_EVERY : doubled;
    return elapsed;
  }

  /**
   * The failed attempts so far.
   *
   * @return the highest attempt number seen
   */
  int attempts() {
    return attempts;
  }

  /**
   * The latest failure, in words.
   *
   * @return empty before the first failure
   */
  String lastFailure() {
    return lastFailure;
  }

  /** The stream connected: the next failure starts a new outage. */
  void end() {
    kindsSaid.clear();
    attempts = 0;
    lastFailure = "";
    elapsed = Duration.ZERO;
    nextSummaryIn = FIRST_SUMMARY;
  }
}
