package io.backedpipe.chaos;

import io.backedpipe.wire.HumanText;
import java.time.Duration;

/**
 * When a {@link ChaosProxy} (or a {@link ChaosReconnector}) injects faults by itself. Every
 * {@code interval} (spread by {@code +-50%}) it picks one fault and applies it to every open link:
 * a blackhole with probability {@code blackholeChance}, lasting between {@code blackholeMin} and
 * {@code blackholeMax}; otherwise one of {@code faults}, equally likely. Delays and bandwidth
 * limits last until the next fault. Underneath, every link lives in the schedule's sustained
 * {@link LinkConditions} (latency, bandwidth, long link losses; none by default), to which it
 * returns after such a fault. The same seed gives the same sequence of choices (the links they
 * hit depend on timing).
 *
 * @param interval the mean time between faults; zero for none (faults only when asked)
 * @param blackholeChance the probability that a fault is a blackhole, {@code 0..1}
 * @param blackholeMin the shortest blackhole
 * @param blackholeMax the longest blackhole
 * @param seed the seed of every random choice
 * @param faults the faults other than blackholes to choose from; not empty
 * @param conditions the sustained state of every link, {@link LinkConditions#NONE} for none
 */
public record ChaosSchedule(Duration interval, double blackholeChance, Duration blackholeMin,
    Duration blackholeMax, long seed, java.util.List<Fault> faults, LinkConditions conditions) {

  /** The faults of a schedule that names none: resets and closes. */
  public static final java.util.List<Fault> CUTS = java.util.List.of(Fault.RESET, Fault.CLOSE);

  /**
   * A schedule of resets, closes and blackholes.
   *
   * @param interval see the record's description
   * @param blackholeChance see the record's description
   * @param blackholeMin see the record's description
   * @param blackholeMax see the record's description
   * @param seed see the record's description
   */
  public ChaosSchedule(Duration interval, double blackholeChance, Duration blackholeMin,
      Duration blackholeMax, long seed) {
    this(interval, blackholeChance, blackholeMin, blackholeMax, seed, CUTS);
  }

  /**
   * A schedule of the given faults and blackholes, without sustained conditions.
   *
   * @param interval see the record's description
   * @param blackholeChance see the record's description
   * @param blackholeMin see the record's description
   * @param blackholeMax see the record's description
   * @param seed see the record's description
   * @param faults see the record's description
   */
  public ChaosSchedule(Duration interval, double blackholeChance, Duration blackholeMin,
      Duration blackholeMax, long seed, java.util.List<Fault> faults) {
    this(interval, blackholeChance, blackholeMin, blackholeMax, seed, faults, LinkConditions.NONE);
  }

  /**
   * Validates the values.
   *
   * @param interval see the record's description
   * @param blackholeChance see the record's description
   * @param blackholeMin see the record's description
   * @param blackholeMax see the record's description
   * @param seed see the record's description
   * @param faults see the record's description
   * @param conditions see the record's description
   * @throws IllegalArgumentException when a value is out of range
   */
  public ChaosSchedule {
    java.util.Objects.requireNonNull(conditions, "conditions");
    faults = java.util.List.copyOf(faults);
    if (faults.isEmpty()) {
      throw new IllegalArgumentException("faults must not be empty");
    }
    if (interval.isNegative()) {
      throw new IllegalArgumentException(
          "interval=" + HumanText.duration(interval) + " must be >= 0");
    }
    if (!(blackholeChance >= 0 && blackholeChance <= 1)) {
      throw new IllegalArgumentException("blackholeChance=" + blackholeChance + " must be in [0,1]");
    }
    if (blackholeMin.isNegative() || blackholeMax.compareTo(blackholeMin) < 0) {
      throw new IllegalArgumentException("blackholeMin=" + HumanText.duration(blackholeMin)
          + " and blackholeMax=" + HumanText.duration(blackholeMax)
          + " must satisfy 0 <= min <= max");
    }
  }

  /**
   * No faults unless asked for with {@link ChaosProxy#inject}.
   *
   * @return the schedule
   */
  public static ChaosSchedule none() {
    return new ChaosSchedule(Duration.ZERO, 0, Duration.ZERO, Duration.ZERO, 0, CUTS);
  }

  /**
   * Every kind of fault: what a soak uses.
   *
   * @param interval the mean time between faults
   * @param seed the seed of every random choice
   * @return the schedule, with short blackholes (a few heartbeat timeouts at most)
   */
  public static ChaosSchedule everyKind(Duration interval, long seed) {
    return new ChaosSchedule(interval, 0.01, Duration.ofMillis(200), Duration.ofMillis(800),
        seed, java.util.List.of(Fault.RESET, Fault.CLOSE, Fault.STALL, Fault.DELAY,
            Fault.BANDWIDTH, Fault.CUT));
  }

  /**
   * A copy whose links live in these conditions.
   *
   * @param conditions the sustained latency, bandwidth and link losses
   * @return the copy
   */
  public ChaosSchedule withConditions(LinkConditions conditions) {
    return new ChaosSchedule(interval, blackholeChance, blackholeMin, blackholeMax, seed, faults,
        conditions);
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
