package io.backedpipe.chaos;

import java.time.Duration;

/**
 * When a {@link ChaosProxy} injects faults by itself. Every {@code interval} (spread by
 * {@code +-50%}) it picks a fault for every open connection: a blackhole of all of them with
 * probability {@code blackholeChance}, lasting between {@code blackholeMin} and
 * {@code blackholeMax}; otherwise a {@link Fault#RESET} or a {@link Fault#CLOSE}, equally likely.
 * The same seed gives the same sequence of choices.
 *
 * @param interval the mean time between faults; zero for none (faults only when asked)
 * @param blackholeChance the probability that a fault is a blackhole, {@code 0..1}
 * @param blackholeMin the shortest blackhole
 * @param blackholeMax the longest blackhole
 * @param seed the seed of every random choice
 */
public record ChaosSchedule(Duration interval, double blackholeChance, Duration blackholeMin,
    Duration blackholeMax, long seed) {

  /**
   * Validates the values.
   *
   * @param interval see the record's description
   * @param blackholeChance see the record's description
   * @param blackholeMin see the record's description
   * @param blackholeMax see the record's description
   * @param seed see the record's description
   * @throws IllegalArgumentException when a value is out of range
   */
  public ChaosSchedule {
    if (interval.isNegative()) {
      throw new IllegalArgumentException("interval=" + interval + " must be >= 0");
    }
    if (!(blackholeChance >= 0 && blackholeChance <= 1)) {
      throw new IllegalArgumentException("blackholeChance=" + blackholeChance + " must be in [0,1]");
    }
    if (blackholeMin.isNegative() || blackholeMax.compareTo(blackholeMin) < 0) {
      throw new IllegalArgumentException("blackholeMin=" + blackholeMin + " and blackholeMax="
          + blackholeMax + " must satisfy 0 <= min <= max");
    }
  }

  /**
   * No faults unless asked for with {@link ChaosProxy#inject}.
   *
   * @return the schedule
   */
  public static ChaosSchedule none() {
    return new ChaosSchedule(Duration.ZERO, 0, Duration.ZERO, Duration.ZERO, 0);
  }

  /**
   * Whether faults come by themselves.
   *
   * @return true when the interval is positive
   */
  public boolean automatic() {
    return !interval.isZero() && !interval.isNegative();
  }
}
