package io.backedpipe.chaos;

import io.backedpipe.wire.HumanText;
import java.time.Duration;
import java.util.SplittableRandom;

/**
 * A span of durations a seeded schedule picks from, uniformly, to the millisecond.
 *
 * @param min the shortest
 * @param max the longest
 */
public record DurationRange(Duration min, Duration max) {
  /** Never: a range that is always zero. */
  public static final DurationRange NEVER = new DurationRange(Duration.ZERO, Duration.ZERO);

  /**
   * Validates the bounds.
   *
   * @param min see the record's description
   * @param max see the record's description
   * @throws IllegalArgumentException unless {@code 0 <= min <= max}
   */
  public DurationRange {
    if (min.isNegative() || max.compareTo(min) < 0) {
      throw new IllegalArgumentException(
          "min=" + HumanText.duration(min) + " and max=" + HumanText.duration(max)
              + " must satisfy 0 <= min <= max");
    }
  }

  /**
   * Whether every pick is zero.
   *
   * @return true for {@link #NEVER} or any range up to zero
   */
  public boolean isZero() {
    return max.isZero();
  }

  /**
   * Picks a duration in the range.
   *
   * @param random the schedule's random source
   * @return a duration between min and max, both included
   */
  Duration pick(SplittableRandom random) {
    long low = min.toMillis();
    long high = max.toMillis();
    return Duration.ofMillis(high > low ? random.nextLong(low, high + 1) : low);
  }
}
