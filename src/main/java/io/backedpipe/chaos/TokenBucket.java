package io.backedpipe.chaos;

/**
 * The bandwidth limit of one direction of a {@link ChaosLink}: a token bucket that fills at the
 * limit's rate and holds at most {@link #burstBytes} (or one whole element, when an element that
 * cannot be split is larger), so that over any stretch of time at most {@code burst + rate * time}
 * bytes pass, and credit is lost only while the link is idle or held up downstream, never because
 * a timer fired late. Credit is counted in a {@code double} from {@link System#nanoTime}
 * readings, so the rate holds over hours without rounding drift.
 *
 * <p>Not thread-safe; owned by the {@link ChaosDirection} stage logic that uses it.
 */
final class TokenBucket {
  private static final double NANOS_PER_SECOND = 1e9;

  private long bytesPerSecond;
  private double tokens;
  private long refilledAtNanos;

  /**
   * How much credit a limit may save up: 100 ms of bytes, so a scheduler tick (10 ms) that fires
   * late loses nothing.
   *
   * @param bytesPerSecond the limit
   * @return the burst, at least one byte
   */
  static long burstBytes(long bytesPerSecond) {
    return Math.max(1, bytesPerSecond / 10);
  }

  /**
   * The piece a divisible element is cut into: 20 ms of bytes, so that they trickle as on a slow
   * wire instead of arriving all at once after a long wait.
   *
   * @param bytesPerSecond the limit
   * @return the piece's size, at least one byte
   */
  static int pieceBytes(long bytesPerSecond) {
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, bytesPerSecond / 50));
  }

  /**
   * Takes {@code bytes} of credit if there is that much.
   *
   * @param bytes what the element needs
   * @param limit the bytes per second now, {@code > 0}
   * @param nowNanos the time now
   * @return whether the element may pass
   */
  boolean tryTake(int bytes, long limit, long nowNanos) {
    refill(bytes, limit, nowNanos);
    if (tokens < bytes) {
      return false;
    }
    tokens -= bytes;
    return true;
  }

  /**
   * How long until {@code bytes} of credit are there (after a {@link #tryTake} that failed).
   *
   * @param bytes what the element needs
   * @return nanoseconds, at least 1
   */
  long nanosUntil(int bytes) {
    double missing = bytes - tokens;
    return Math.max(1, (long) Math.ceil(missing * NANOS_PER_SECOND / bytesPerSecond));
  }

  /** The link is not limited now: the next limit starts with a full bucket. */
  void unlimited() {
    bytesPerSecond = 0;
  }

  private void refill(int needed, long limit, long nowNanos) {
    double capacity = Math.max(burstBytes(limit), needed); // a large whole element saves up
    if (limit != bytesPerSecond) {
      tokens = bytesPerSecond == 0 ? burstBytes(limit) : Math.min(tokens, capacity);
      bytesPerSecond = limit;
    } else {
      double earned = (nowNanos - refilledAtNanos) * (double) limit / NANOS_PER_SECOND;
      tokens = Math.min(capacity, tokens + earned);
    }
    refilledAtNanos = nowNanos;
  }
}
