package io.backedpipe;

import java.time.Duration;
import java.util.Optional;

/**
 * When a pipe with a {@link Reconnector} tries again after losing its connection.
 *
 * <p>The first attempt after losing a connection that proved itself starts at once. After attempt
 * {@code n} fails the next waits {@code min(maxBackoff, minBackoff * factor^(n-1))}, spread by
 * {@code ±jitter} of itself so that many clients do not retry in step. The pipe stops retrying
 * after {@code maxAttempts} consecutive failures (0: no limit) or once {@code giveUpAfter} has
 * passed since the connection was lost (zero: never), and then waits in {@code disconnected} for a
 * manual {@code Connect}. One attempt that does not complete within {@code attemptTimeout} counts
 * as failed.
 *
 * <p>An attempt succeeds only once its connection proved itself: it stayed up for
 * {@code stableAfter}, or it carried progress (the peer acknowledged new bytes, or sent some).
 * Until then the failures are still counted, and a connection lost before it proved itself is one
 * more failed attempt; so a peer that accepts and drops every connection (a crash loop, a settings
 * mismatch) is dialed at the backoff's pace, not thousands of times a second.
 *
 * <pre>{@code
 * ReconnectPolicy.backoff(Duration.ofMillis(100), Duration.ofSeconds(10))
 *     .withGiveUpAfter(Duration.ofMinutes(5));
 * ReconnectPolicy.singleAttempt(); // the original's behaviour: one try, then wait for the user
 * }</pre>
 *
 * @param minBackoff the delay after the first failure
 * @param maxBackoff the largest delay
 * @param factor how much the delay grows per failure, at least 1
 * @param jitter the random spread of each delay, from 0 to 1
 * @param maxAttempts consecutive failed attempts before giving up, 0 for no limit
 * @param giveUpAfter how long after the connection was lost to stop retrying, zero for never
 * @param attemptTimeout how long one attempt may take
 * @param stableAfter how long a connection must stay up, without progress, to prove itself; zero
 *     counts every attached connection as proven at once (the backoff then resets on attach)
 */
public record ReconnectPolicy(
    Duration minBackoff,
    Duration maxBackoff,
    double factor,
    double jitter,
    int maxAttempts,
    Duration giveUpAfter,
    Duration attemptTimeout,
    Duration stableAfter) {

  /** How long a connection stays up to prove itself, unless the configuration says otherwise. */
  public static final Duration DEFAULT_STABLE_AFTER = Duration.ofSeconds(5);

  /**
   * Validates the values.
   *
   * @param minBackoff see the record's description
   * @param maxBackoff see the record's description
   * @param factor see the record's description
   * @param jitter see the record's description
   * @param maxAttempts see the record's description
   * @param giveUpAfter see the record's description
   * @param attemptTimeout see the record's description
   * @param stableAfter see the record's description
   * @throws IllegalArgumentException when a value is out of range
   */
  public ReconnectPolicy {
    Require.argument(!minBackoff.isNegative(), "minBackoff", minBackoff, "must be >= 0");
    Require.argument(
        maxBackoff.compareTo(minBackoff) >= 0, "maxBackoff", maxBackoff, "must be >= minBackoff");
    Require.argument(factor >= 1.0, "factor", factor, "must be >= 1");
    Require.argument(jitter >= 0.0 && jitter <= 1.0, "jitter", jitter, "must be in [0, 1]");
    Require.argument(maxAttempts >= 0, "maxAttempts", maxAttempts, "must be >= 0");
    Require.argument(!giveUpAfter.isNegative(), "giveUpAfter", giveUpAfter, "must be >= 0");
    Require.argument(
        attemptTimeout.compareTo(Duration.ZERO) > 0, "attemptTimeout", attemptTimeout, "must be > 0");
    Require.argument(!stableAfter.isNegative(), "stableAfter", stableAfter, "must be >= 0");
  }

  /**
   * Exponential backoff with factor 2 and jitter 0.2, unlimited attempts, 10 s per attempt; a
   * connection proves itself after {@link #DEFAULT_STABLE_AFTER}.
   *
   * @param minBackoff the delay after the first failure
   * @param maxBackoff the largest delay
   * @return the policy
   */
  public static ReconnectPolicy backoff(Duration minBackoff, Duration maxBackoff) {
    return new ReconnectPolicy(
        minBackoff, maxBackoff, 2.0, 0.2, 0, Duration.ZERO, Duration.ofSeconds(10),
        DEFAULT_STABLE_AFTER);
  }

  /**
   * One attempt after a connection is lost, then wait for a manual {@code Connect}. A connection
   * lost before it proved itself ({@link #DEFAULT_STABLE_AFTER}) is that one attempt failing.
   *
   * @return the policy
   */
  public static ReconnectPolicy singleAttempt() {
    return new ReconnectPolicy(
        Duration.ZERO, Duration.ZERO, 1.0, 0.0, 1, Duration.ZERO, Duration.ofSeconds(10),
        DEFAULT_STABLE_AFTER);
  }

  /**
   * A copy with another attempt limit.
   *
   * @param maxAttempts consecutive failures before giving up, 0 for no limit
   * @return the new policy
   */
  public ReconnectPolicy withMaxAttempts(int maxAttempts) {
    return new ReconnectPolicy(
        minBackoff, maxBackoff, factor, jitter, maxAttempts, giveUpAfter, attemptTimeout,
        stableAfter);
  }

  /**
   * A copy with another give-up time.
   *
   * @param giveUpAfter how long after a loss to stop retrying, zero for never
   * @return the new policy
   */
  public ReconnectPolicy withGiveUpAfter(Duration giveUpAfter) {
    return new ReconnectPolicy(
        minBackoff, maxBackoff, factor, jitter, maxAttempts, giveUpAfter, attemptTimeout,
        stableAfter);
  }

  /**
   * A copy with another attempt timeout.
   *
   * @param attemptTimeout how long one attempt may take
   * @return the new policy
   */
  public ReconnectPolicy withAttemptTimeout(Duration attemptTimeout) {
    return new ReconnectPolicy(
        minBackoff, maxBackoff, factor, jitter, maxAttempts, giveUpAfter, attemptTimeout,
        stableAfter);
  }

  /**
   * A copy with another jitter.
   *
   * @param jitter the random spread, from 0 to 1
   * @return the new policy
   */
  public ReconnectPolicy withJitter(double jitter) {
    return new ReconnectPolicy(
        minBackoff, maxBackoff, factor, jitter, maxAttempts, giveUpAfter, attemptTimeout,
        stableAfter);
  }

  /**
   * A copy with another time a connection must stay up to prove itself.
   *
   * @param stableAfter how long; zero counts every attached connection as proven at once
   * @return the new policy
   */
  public ReconnectPolicy withStableAfter(Duration stableAfter) {
    return new ReconnectPolicy(
        minBackoff, maxBackoff, factor, jitter, maxAttempts, giveUpAfter, attemptTimeout,
        stableAfter);
  }

  /**
   * The delay before the next attempt, or empty when the policy gives up.
   *
   * @param failedAttempts consecutive failed attempts so far, at least 1
   * @param random a number in {@code [0, 1)} that spreads the delay
   * @return the delay, or empty to stop retrying
   */
  public Optional<Duration> nextDelay(int failedAttempts, double random) {
    if (maxAttempts > 0 && failedAttempts >= maxAttempts) {
      return Optional.empty();
    }
    double base = minBackoff.toNanos() * Math.pow(factor, Math.max(0, failedAttempts - 1));
    double capped = Math.min(base, maxBackoff.toNanos());
    double spread = capped * jitter * (2.0 * random - 1.0);
    return Optional.of(Duration.ofNanos(Math.max(0L, (long) (capped + spread))));
  }
}
